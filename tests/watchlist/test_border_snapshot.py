"""The border check served as in production (autocommit, `longarm.wsgi.application`): on PostgreSQL from
each process's in-memory snapshot of the active watch list and the tokens, which must never answer from
a state older than the last committed change; on SQLite from the tables on every call. Each test runs on
both databases and states what a border post sees right after a change."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from longarm.audit.models import AuditEntry
from longarm.audit.selectors import audit_verify
from longarm.documents.models import Document
from longarm.documents.mrz import mrz_td3
from longarm.watchlist.border_snapshot import holder
from longarm.watchlist.services import watchlist_confirm, watchlist_propose, watchlist_withdraw
from tests.watchlist.test_border_check import banned, checks, make_entry, today  # noqa: F401 (fixtures)
from tests.watchlist.test_border_check_wsgi import call

BY_DOCUMENT = {"document_number": "E12345678", "issuing_state": "CHN"}
POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def served(audit_log_flushable, audit_appender):
    """Committed data, as a server sees it, and a process with no snapshot read yet."""
    holder.forget()
    yield holder
    holder.forget()


def settled():
    """Let a snapshot read under way finish, so that the next call is answered from it (in production
    calls go on meanwhile, answered from the tables)."""
    holder.wait()


@pytest.fixture
def post_token(served, make_user):
    return Token.objects.create(user=make_user("border_post", "CN-GD"))


def reads_since(before: int) -> int:
    return holder.reads - before


def answer(token, body=BY_DOCUMENT, **options):
    """The answer to a border post's question, once any snapshot read under way is done."""
    settled()
    status, _, content = call(body, token=token.key, **options)
    assert status == 200, content
    return content


def test_served_answers_come_from_one_snapshot_read_and_are_audited_with_the_request_id(banned, post_token):
    assert answer(post_token, headers={"X-Request-Id": "gate-0"})["reference"] == "WL-7"  # from the tables
    settled()
    before = holder.reads
    # On PostgreSQL every later answer comes from the snapshot: the database is not asked.
    tables = mock.patch("longarm.watchlist.border_check_api.border_post_and_answer",
                        side_effect=AssertionError("asked the tables")) if POSTGRESQL else mock.MagicMock()
    with tables:
        for n in range(1, 3):
            assert answer(post_token, headers={"X-Request-Id": f"gate-{n}"}) == {
                "hit": True, "measure": "exit_ban", "reference": "WL-7"}
        assert answer(post_token, {"family_name": "FANG", "given_name": "WANG", "date_of_birth": "1968-02-29",
                                   "sex": "F"})["reference"] == "WL-7"
        assert answer(post_token, {"document_number": "G00000000", "issuing_state": "CHN"})["hit"] is False
    assert reads_since(before) == 0
    rows = checks()
    assert [row.request_id for row in rows[:3]] == ["gate-0", "gate-1", "gate-2"]
    assert [(row.actor_id, row.detail) for row in rows] == [
        *[(post_token.user_id, {"query": "document", "hit": True, "entry_id": "WL-7"})] * 3,
        (post_token.user_id, {"query": "identity", "hit": True, "entry_id": "WL-7"}),
        (post_token.user_id, {"query": "document", "hit": False, "entry_id": None})]
    assert rows[1].target_type == "watchlist.watchlistentry" and rows[1].target_id == "WL-7"
    assert audit_verify().ok


def test_served_answer_has_the_headers_of_the_django_path(banned, post_token):
    """The same security headers and request id as the Django path gives (which a GET goes through)."""
    _, fast, _ = call(token=post_token.key)
    _, django, _ = call(token=post_token.key, method="GET", body=None)
    assert set(fast) - {"content-length"} == set(django) - {"content-length", "allow"}
    for name in ("content-type", "x-content-type-options", "referrer-policy", "cross-origin-opener-policy"):
        assert fast[name] == django[name]


def test_confirmed_ban_hits_on_the_very_next_call(make_official, make_user, post_token, today):
    official = make_official(official_id="GD-9", family_name="LI", given_name="MING")
    Document.objects.create(document_id="DGD9", official=official, doc_type="passport", number="E99990000",
                            number_norm="E99990000", issuing_state="CHN", expires_on=datetime.date(2031, 1, 1))
    question = {"document_number": "E99990000", "issuing_state": "CHN"}
    assert answer(post_token, question)["hit"] is False  # the snapshot is read now, without the entry
    proposer, confirmer = make_user("provincial_analyst", "CN-GD"), make_user("central_analyst")
    entry = watchlist_propose(official=official, measure="exit_ban", legal_basis="Supervision Law art. 30",
                              authority="Guangdong Supervision Commission", starts_on=today,
                              expires_on=today + datetime.timedelta(days=30), actor=proposer)
    assert answer(post_token, question)["hit"] is False  # proposed only
    watchlist_confirm(entry=entry, actor=confirmer)
    assert answer(post_token, question) == {"hit": True, "measure": "exit_ban", "reference": entry.entry_id}
    # The stale answer was never given, so it was never audited: one row per answer, each as answered.
    assert [row.detail["hit"] for row in checks()] == [False, False, True]
    assert audit_verify().ok


def test_withdrawn_ban_stops_hitting_at_once(banned, make_user, post_token):
    assert answer(post_token)["hit"] is True
    watchlist_withdraw(entry=banned.watchlist_entries.get(), reason="Court lifted the measure",
                       actor=make_user("central_analyst"))
    assert answer(post_token) == {"hit": False, "measure": None, "reference": None}
    assert [row.detail["hit"] for row in checks()] == [True, False]


def test_entry_lapses_after_its_expiry_date_without_any_write(make_official, post_token, today):
    official = make_official(official_id="GD-5", family_name="ZHAO", given_name="LEI", sex="M",
                             date_of_birth=datetime.date(1971, 4, 4))
    make_entry(official, "WL-L", "alert_only", today, starts=-5, expires=0)
    question = {"family_name": "ZHAO", "given_name": "LEI", "date_of_birth": "1971-04-04", "sex": "M"}
    assert answer(post_token, question) == {"hit": True, "measure": "alert_only", "reference": "WL-L"}
    settled()
    before = holder.reads
    tomorrow = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(12),
                                         tzinfo=timezone.get_current_timezone())
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        assert answer(post_token, question)["hit"] is False
    assert reads_since(before) == 0  # decided on the call's date, from the same snapshot


def test_new_document_of_a_watched_official_hits_at_once(banned, post_token):
    question = {"document_number": "G55554444", "issuing_state": "CHN"}
    assert answer(post_token, question)["hit"] is False
    Document.objects.create(document_id="DBJ2", official=banned, doc_type="passport", number="G55554444",
                            number_norm="G55554444", issuing_state="CHN", expires_on=datetime.date(2033, 1, 1))
    assert answer(post_token, question)["reference"] == "WL-7"


def test_revoked_token_or_deactivated_user_is_refused_at_once(banned, post_token):
    assert answer(post_token)["hit"] is True
    user = post_token.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert call(token=post_token.key)[0] == 401
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert answer(post_token)["hit"] is True
    user.role = "provincial_analyst"
    user.save(update_fields=["role"])
    assert call(token=post_token.key)[0] == 403
    user.role = "border_post"
    user.save(update_fields=["role"])
    key = post_token.key
    post_token.delete()
    assert call(token=key)[0] == 401
    assert [row.detail.get("refused") for row in checks()] == [None, None, 403]


def test_token_issued_after_the_snapshot_works_at_once(banned, post_token, make_user):
    assert answer(post_token)["hit"] is True
    newcomer = Token.objects.create(user=make_user("border_post", "CN-SH"))
    assert answer(newcomer)["hit"] is True  # from the tables, which have a new snapshot read
    assert checks()[-1].actor_id == newcomer.user_id
    if POSTGRESQL:
        with mock.patch("longarm.watchlist.border_check_api.border_post_and_answer",
                        side_effect=AssertionError("asked the tables")):
            assert answer(newcomer)["hit"] is True  # from the new snapshot, which knows the token
    assert checks()[-1].actor_id == newcomer.user_id


@pytest.mark.skipif(not POSTGRESQL, reason="the snapshot serves PostgreSQL only")
def test_stale_snapshot_writes_no_audit_row_for_its_answer(banned, post_token, today):
    """The guard itself: an audit row guarded by a snapshot older than a committed change is refused."""
    from longarm.audit.group_commit import StaleSnapshot, append_durable

    holder.current(today)
    snapshot = holder.wait()
    Document.objects.filter(pk="DBJ1").update(number="E 1234-5678")  # any committed change of the tables
    before = AuditEntry.objects.count()
    with pytest.raises(StaleSnapshot):
        append_durable(actor=snapshot.tokens[post_token.key], action="border_check", detail={"hit": True},
                       fresh_as_of=snapshot.pg_snapshot)
    append_durable(actor=snapshot.tokens[post_token.key], action="border_check", detail={"unguarded": True})
    assert AuditEntry.objects.count() == before + 1 and checks()[-1].detail == {"unguarded": True}
    holder.renew(snapshot, today)
    fresh = holder.wait()
    append_durable(actor=fresh.tokens[post_token.key], action="border_check", detail={"hit": True},
                   fresh_as_of=fresh.pg_snapshot)
    assert AuditEntry.objects.count() == before + 2 and audit_verify().ok


@pytest.mark.skipif(not POSTGRESQL, reason="the snapshot serves PostgreSQL only")
def test_a_login_does_not_make_the_snapshot_stale(banned, post_token, today):
    """Only what the check answers from counts as a change: a user's last login is not."""
    holder.current(today)
    snapshot = holder.wait()
    user = post_token.user
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT longarm_border_assert_fresh(%s::pg_snapshot)", [snapshot.pg_snapshot])


def test_served_answer_prefers_an_exit_ban_then_the_lowest_entry_id(make_official, post_token, today):
    """The snapshot orders as the query does: an exit ban before an alert, then by entry id, across every
    official the traveller may be (here one by passport, another by name and date of birth)."""
    by_passport = make_official(official_id="GD-7", family_name="SUN", given_name="LI", sex="M",
                                date_of_birth=datetime.date(1960, 1, 1))
    Document.objects.create(document_id="DGD7", official=by_passport, doc_type="passport", number="E70000007",
                            number_norm="E70000007", issuing_state="CHN", expires_on=datetime.date(2031, 1, 1))
    by_name = make_official(official_id="GD-8", family_name="ZHOU", given_name="NA", sex="F",
                            date_of_birth=datetime.date(1975, 6, 1))
    make_entry(by_passport, "WL-B2", "alert_only", today)
    question = {"document_number": "E70000007", "issuing_state": "CHN"}
    assert answer(post_token, question) == {"hit": True, "measure": "alert_only", "reference": "WL-B2"}
    make_entry(by_passport, "WL-B3", "exit_ban", today)
    make_entry(by_name, "WL-B1", "alert_only", today)
    assert answer(post_token, question)["reference"] == "WL-B3"
    mrz = mrz_td3(issuing_state="CHN", family_name="ZHOU", given_name="NA", number="E70000007", nationality="CHN",
                  birth_date=datetime.date(1975, 6, 1), sex="F", expiry_date=datetime.date(2031, 1, 1))
    assert answer(post_token, {"mrz": mrz})["reference"] == "WL-B3"  # the exit ban, found by the passport
    make_entry(by_name, "WL-B0", "exit_ban", today)
    assert answer(post_token, {"mrz": mrz})["reference"] == "WL-B0"  # two exit bans: the lower entry id
