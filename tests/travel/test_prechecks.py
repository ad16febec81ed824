import dataclasses
import datetime

from longarm.travel.prechecks import (
    Code,
    DocumentFact,
    Severity,
    TripFacts,
    WatchlistFact,
    blocking,
    evaluate,
    is_naked_official,
)

DEPART, RETURN = datetime.date(2026, 4, 1), datetime.date(2026, 4, 10)
CLEAN = TripFacts(
    depart_on=DEPART, return_on=RETURN, watchlist=(), open_alerts=0, sensitive_post=False, relatives=(),
    document=DocumentFact(document_id="P1", expires_on=datetime.date(2031, 1, 1), has_mrz=True, mrz_problems=(),
                          custody_action="deposit"),
    documents_held=1, trips_last_12_months=0, frequent_travel_threshold=4,
)


def entry(measure):
    return WatchlistFact(entry_id="WL-1", measure=measure, legal_basis="Supervision Law art. 30",
                         authority="Guangdong Supervision Commission", starts_on=datetime.date(2026, 1, 1),
                         expires_on=datetime.date(2026, 4, 1))


def by_code(checks, code):
    return [check for check in checks if check.code == code]


def test_clean_request_passes_every_check_with_its_reason():
    checks = evaluate(CLEAN)
    assert {check.code for check in checks} == set(Code)
    assert all(check.severity == Severity.OK and check.message for check in checks)


def test_exit_ban_blocks_and_names_its_legal_basis():
    checks = evaluate(dataclasses.replace(CLEAN, watchlist=(entry("exit_ban"),)))
    [ban] = blocking(checks)
    assert ban.code == Code.EXIT_BAN
    assert "Supervision Law art. 30" in ban.message and "cannot be approved" in ban.message
    assert checks[0] == ban  # blocking checks come first


def test_alert_only_entry_warns_without_blocking():
    checks = evaluate(dataclasses.replace(CLEAN, watchlist=(entry("alert_only"),)))
    assert not blocking(checks)
    assert [c.severity for c in by_code(checks, Code.WATCHLIST_ALERT)] == [Severity.WARN]


def test_open_alerts_warn_with_their_number():
    [check] = by_code(evaluate(dataclasses.replace(CLEAN, open_alerts=2)), Code.OPEN_ALERTS)
    assert check.severity == Severity.WARN and "2 open alerts" in check.message


def test_alerts_not_available_say_not_checked():
    [check] = by_code(evaluate(dataclasses.replace(CLEAN, open_alerts=None)), Code.OPEN_ALERTS)
    assert check.severity == Severity.OK and "not checked" in check.message


def test_naked_official_in_sensitive_post_warns():
    facts = dataclasses.replace(CLEAN, sensitive_post=True, relatives=(("spouse", True),))
    [check] = by_code(evaluate(facts), Code.NAKED_OFFICIAL_SENSITIVE_POST)
    assert check.severity == Severity.WARN


def test_naked_official_in_ordinary_post_passes():
    facts = dataclasses.replace(CLEAN, sensitive_post=False, relatives=(("spouse", True),))
    [check] = by_code(evaluate(facts), Code.NAKED_OFFICIAL_SENSITIVE_POST)
    assert check.severity == Severity.OK


def test_naked_official_follows_the_spec_rule():
    assert is_naked_official((("spouse", True), ("child", False)))
    assert not is_naked_official((("spouse", False), ("child", True)))  # a spouse at home
    assert is_naked_official((("child", True), ("child", True)))  # no spouse, every child abroad
    assert not is_naked_official((("child", True), ("child", False)))
    assert not is_naked_official((("parent", True),))  # no spouse and no child


def test_document_expiring_before_return_warns():
    document = dataclasses.replace(CLEAN.document, expires_on=RETURN - datetime.timedelta(days=1))
    [check] = by_code(evaluate(dataclasses.replace(CLEAN, document=document)), Code.DOCUMENT_EXPIRY)
    assert check.severity == Severity.WARN and "before the return date" in check.message


def test_document_expiring_on_return_day_passes():
    document = dataclasses.replace(CLEAN.document, expires_on=RETURN)
    [check] = by_code(evaluate(dataclasses.replace(CLEAN, document=document)), Code.DOCUMENT_EXPIRY)
    assert check.severity == Severity.OK


def test_failing_mrz_warns_with_its_problems():
    document = dataclasses.replace(CLEAN.document, mrz_problems=("date_of_birth: check digit wrong",))
    [check] = by_code(evaluate(dataclasses.replace(CLEAN, document=document)), Code.DOCUMENT_MRZ)
    assert check.severity == Severity.WARN and "check digit wrong" in check.message


def test_document_not_in_custody_warns():
    document = dataclasses.replace(CLEAN.document, custody_action="release")
    [check] = by_code(evaluate(dataclasses.replace(CLEAN, document=document)), Code.DOCUMENT_CUSTODY)
    assert check.severity == Severity.WARN and "released to its holder" in check.message


def test_no_document_named_and_none_held_warns():
    checks = evaluate(dataclasses.replace(CLEAN, document=None, documents_held=0))
    [custody] = by_code(checks, Code.DOCUMENT_CUSTODY)
    assert custody.severity == Severity.WARN and "none of the official's documents" in custody.message


def test_frequent_travel_warns_from_the_threshold():
    below = by_code(evaluate(dataclasses.replace(CLEAN, trips_last_12_months=3)), Code.FREQUENT_TRAVEL)
    at = by_code(evaluate(dataclasses.replace(CLEAN, trips_last_12_months=4)), Code.FREQUENT_TRAVEL)
    assert below[0].severity == Severity.OK
    assert at[0].severity == Severity.WARN
