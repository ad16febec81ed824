"""Each alert rule on tiny hand-made frames, with its edges."""

import polars as pl

from longarm.engine import rules
from tests.engine.world import (
    D, at, crossings, custody, documents, officials, owned, params, refs, relatives, trips, watchlist,
)

# --- belongs to ---


def test_crossing_belongs_by_registered_document_whatever_the_name():
    frame = crossings({"family_name": "LI", "given_name": "NA", "doc_number": "e-0000 0001"})
    owners = rules.crossing_owners(frame, documents({}), officials({}))
    assert owners.select("event_id", "official_id", "via", "document_id").rows() == [("X1", "O1", "document", "P1")]


def test_crossing_whose_document_belongs_to_two_officials_belongs_to_both():
    docs = documents({"official_id": "O1"}, {"official_id": "O2", "number": "E00000001"})
    owners = rules.crossing_owners(crossings({}), docs, officials({}, {"given_name": "NA"}))
    assert sorted(owners.select("official_id", "document_id").rows()) == [("O1", "P1"), ("O2", "P2")]


def test_crossing_belongs_by_identity_when_document_unregistered():
    frame = crossings({"doc_number": "G999"})
    owners = rules.crossing_owners(frame, documents({}), officials({}))
    assert owners.select("official_id", "via").rows() == [("O1", "identity")]


def test_identity_match_accepts_family_and_given_names_swapped():
    frame = crossings({"doc_number": "G999", "family_name": "Wei", "given_name": "Zhang"})
    owners = rules.crossing_owners(frame, documents({}), officials({}))
    assert owners["official_id"].to_list() == ["O1"]


def test_namesake_with_another_date_of_birth_does_not_belong():
    frame = crossings({"doc_number": "G999", "date_of_birth": D(1971, 1, 1)})
    assert rules.crossing_owners(frame, documents({}), officials({})).is_empty()


def test_identity_match_needs_the_same_sex():
    frame = crossings({"doc_number": "G999", "sex": "F"})
    assert rules.crossing_owners(frame, documents({}), officials({})).is_empty()


def test_identity_matching_two_officials_belongs_to_neither():
    frame = crossings({"doc_number": "G999"})
    assert rules.crossing_owners(frame, documents({}), officials({}, {})).is_empty()


def test_identity_normalises_diacritics_hyphens_and_case():
    frame = crossings({"doc_number": "G999", "family_name": "zhāng", "given_name": "Xiao-ming"})
    owners = rules.crossing_owners(frame, documents({}), officials({"given_name": "XIAOMING"}))
    assert owners["official_id"].to_list() == ["O1"]


# --- UNAUTHORIZED_EXIT, DESTINATION_MISMATCH ---


def test_exit_exactly_exit_tolerance_days_before_departure_is_covered():
    frame = owned(crossings({"when": at(D(2024, 4, 30))}))
    assert rules.unauthorized_exits(frame, trips({}), params()).is_empty()


def test_exit_one_day_more_before_departure_is_unauthorized():
    frame = owned(crossings({"when": at(D(2024, 4, 29))}))
    found = rules.unauthorized_exits(frame, trips({}), params())
    assert refs(found) == {("UNAUTHORIZED_EXIT", "O1", "X1")}
    assert found["raised_on"].to_list() == [D(2024, 4, 29)]


def test_exit_tolerance_is_a_parameter():
    frame = owned(crossings({"when": at(D(2024, 4, 29))}))
    assert rules.unauthorized_exits(frame, trips({}), params(exit_tolerance_days=2)).is_empty()


def test_exit_on_return_date_is_covered_and_the_day_after_is_not():
    frame = owned(crossings({"when": at(D(2024, 5, 10))}, {"when": at(D(2024, 5, 11))}))
    assert refs(rules.unauthorized_exits(frame, trips({}), params())) == {("UNAUTHORIZED_EXIT", "O1", "X2")}


def test_exit_uses_the_local_date_of_its_own_offset():
    # 23:30 on 28 April in UTC−8 is 29 April in UTC: the local date (28) is outside the window.
    frame = owned(crossings({"when": at(D(2024, 4, 28), 23, 30, offset_hours=-8)}))
    assert not rules.unauthorized_exits(frame, trips({"depart_on": D(2024, 4, 30)}), params()).is_empty()


def test_only_approved_trips_cover_an_exit():
    frame = owned(crossings({}))
    for status in ("requested", "rejected", "cancelled"):
        assert not rules.unauthorized_exits(frame, trips({"status": status}), params()).is_empty()


def test_a_trip_of_another_official_does_not_cover():
    frame = owned(crossings({}))
    assert not rules.unauthorized_exits(frame, trips({"official_id": "O2"}), params()).is_empty()


def test_entries_are_not_unauthorized_exits():
    frame = owned(crossings({"direction": "entry"}))
    assert rules.unauthorized_exits(frame, trips(), params()).is_empty()


def test_destination_mismatch_when_no_covering_trip_lists_the_country():
    frame = owned(crossings({"counterpart_country": "CAN"}))
    found = rules.destination_mismatches(frame, trips({"destinations": "USA;MEX"}), params())
    assert refs(found) == {("DESTINATION_MISMATCH", "O1", "X1")}
    assert found["trip_id"].to_list() == ["T1"]


def test_two_approved_trips_covering_one_exit_either_may_list_the_destination():
    frame = owned(crossings({"counterpart_country": "CAN"}))
    both = trips({"destinations": "USA"}, {"destinations": "CAN", "depart_on": D(2024, 4, 25)})
    assert rules.destination_mismatches(frame, both, params()).is_empty()
    assert rules.unauthorized_exits(frame, both, params()).is_empty()


def test_no_destination_mismatch_without_counterpart_or_without_cover():
    assert rules.destination_mismatches(owned(crossings({})), trips({}), params()).is_empty()
    far = owned(crossings({"counterpart_country": "CAN", "when": at(D(2024, 7, 1))}))
    assert rules.destination_mismatches(far, trips({}), params()).is_empty()


# --- OVERDUE_RETURN, MISSING ---


def _trip_with_entry_on(day, as_of=D(2024, 12, 31), **extra):
    frame = owned(crossings({"when": at(D(2024, 5, 1))}, {"direction": "entry", "when": at(day)}))
    return rules.overdue_returns(frame, trips({}), params(as_of=as_of, **extra))


def test_entry_on_return_on_plus_grace_is_in_time():
    assert _trip_with_entry_on(D(2024, 5, 11)).is_empty()


def test_entry_one_day_after_return_on_plus_grace_is_overdue():
    found = _trip_with_entry_on(D(2024, 5, 12))
    assert refs(found) == {("OVERDUE_RETURN", "O1", "T1")}
    assert found["raised_on"].to_list() == [D(2024, 5, 12)]
    assert found["event_ids"].to_list() == ["X1"]


def test_return_grace_days_is_a_parameter():
    assert _trip_with_entry_on(D(2024, 5, 12), return_grace_days=2).is_empty()


def test_overdue_only_once_as_of_is_past_return_on_plus_grace():
    frame = owned(crossings({"when": at(D(2024, 5, 1))}))
    assert rules.overdue_returns(frame, trips({}), params(as_of=D(2024, 5, 11))).is_empty()
    assert not rules.overdue_returns(frame, trips({}), params(as_of=D(2024, 5, 12))).is_empty()


def test_entry_before_the_exit_does_not_count_as_return():
    frame = owned(crossings({"direction": "entry", "when": at(D(2024, 5, 1), 9)}, {"when": at(D(2024, 5, 1), 10)}))
    assert refs(rules.overdue_returns(frame, trips({}), params())) == {("OVERDUE_RETURN", "O1", "T1")}


def test_trip_without_exit_is_never_overdue():
    assert rules.overdue_returns(owned(crossings({"direction": "entry"})), trips({}), params()).is_empty()


def test_trip_exit_is_the_first_covered_exit():
    frame = owned(crossings({"when": at(D(2024, 5, 1))}, {"direction": "entry", "when": at(D(2024, 5, 5))},
                            {"when": at(D(2024, 5, 8))}))
    exits = rules.trip_exits(frame, trips({}), params())
    assert exits["exit_event_id"].to_list() == ["X1"]
    assert rules.overdue_returns(frame, trips({}), params()).is_empty()


def test_missing_uses_missing_after_days():
    frame = owned(crossings({"when": at(D(2024, 5, 1))}, {"direction": "entry", "when": at(D(2024, 5, 24))}))
    assert rules.missing(frame, trips({}), params()).is_empty()
    frame = owned(crossings({"when": at(D(2024, 5, 1))}, {"direction": "entry", "when": at(D(2024, 5, 25))}))
    found = rules.missing(frame, trips({}), params())
    assert refs(found) == {("MISSING", "O1", "T1")}
    assert found["raised_on"].to_list() == [D(2024, 5, 25)]
    assert rules.missing(frame, trips({}), params(as_of=D(2024, 5, 24))).is_empty()


# --- WATCHLIST_EXIT ---


def test_watchlist_exit_inside_the_window_inclusive():
    frame = owned(crossings({"when": at(D(2024, 5, 1))}))
    for entry in ({"starts_on": D(2024, 5, 1)}, {"expires_on": D(2024, 5, 1)}, {"measure": "alert_only"}):
        found = rules.watchlist_exits(frame, watchlist(entry), params())
        assert refs(found) == {("WATCHLIST_EXIT", "O1", "X1")}


def test_watchlist_entry_that_expired_the_day_before_does_not_alert():
    frame = owned(crossings({"when": at(D(2024, 5, 1))}))
    assert rules.watchlist_exits(frame, watchlist({"expires_on": D(2024, 4, 30)}), params()).is_empty()


def test_watchlist_alert_names_every_entry_once():
    frame = owned(crossings({}))
    found = rules.watchlist_exits(frame, watchlist({}, {"measure": "alert_only"}), params())
    assert found["entry_ids"].to_list() == ["W1;W2"]


# --- CUSTODY_BREACH ---


def test_document_lost_before_it_was_used_is_a_breach():
    frame = owned(crossings({"when": at(D(2024, 5, 1), 12)}))
    ledger = custody({"action": "release", "when": at(D(2024, 3, 1))}, {"action": "lost", "when": at(D(2024, 4, 1))})
    found = rules.custody_breaches(frame, ledger, params())
    assert refs(found) == {("CUSTODY_BREACH", "O1", "X1")}
    assert found["custody_event_id"].to_list() == ["C2"]
    assert found["document_ids"].to_list() == ["P1"]


def test_deposit_later_on_the_same_day_as_the_crossing_is_no_breach():
    frame = owned(crossings({"when": at(D(2024, 5, 1), 12)}))
    ledger = custody({"action": "release", "when": at(D(2024, 4, 20))},
                     {"action": "deposit", "when": at(D(2024, 5, 1), 18)})
    assert rules.custody_breaches(frame, ledger, params()).is_empty()


def test_deposit_at_the_very_moment_of_the_crossing_is_a_breach():
    when = at(D(2024, 5, 1), 12)
    ledger = custody({"action": "deposit", "when": when})
    assert not rules.custody_breaches(owned(crossings({"when": when})), ledger, params()).is_empty()


def test_no_custody_state_is_no_breach():
    assert rules.custody_breaches(owned(crossings({})), custody({"when": at(D(2024, 6, 1))}), params()).is_empty()


def test_crossing_by_identity_uses_no_registered_document_so_no_breach():
    frame = owned(crossings({"doc_number": "G999"}))
    ledger = custody({"action": "deposit", "when": at(D(2024, 1, 1))})
    assert rules.custody_breaches(frame, ledger, params()).is_empty()


# --- UNREGISTERED_DOCUMENT, IDENTITY_MISMATCH ---


def test_unregistered_document_when_belonging_by_identity():
    found = rules.unregistered_documents(owned(crossings({"doc_number": "G999"})), params())
    assert refs(found) == {("UNREGISTERED_DOCUMENT", "O1", "X1")}
    assert rules.unregistered_documents(owned(crossings({})), params()).is_empty()


def test_identity_mismatch_on_date_of_birth_or_name():
    frame = owned(crossings({"date_of_birth": D(1971, 1, 1)}, {"given_name": "NA"}, {}))
    found = rules.identity_mismatches(frame, officials({}), params())
    assert refs(found) == {("IDENTITY_MISMATCH", "O1", "X1"), ("IDENTITY_MISMATCH", "O1", "X2")}


def test_identity_mismatch_ignores_swapped_names():
    frame = owned(crossings({"family_name": "WEI", "given_name": "ZHANG"}))
    assert rules.identity_mismatches(frame, officials({}), params()).is_empty()


def test_document_of_two_officials_mismatches_the_one_it_does_not_describe():
    docs = documents({"official_id": "O1"}, {"official_id": "O2", "number": "E00000001"})
    people = officials({}, {"given_name": "NA"})
    frame = owned(crossings({}), docs, people)
    assert refs(rules.identity_mismatches(frame, people, params())) == {("IDENTITY_MISMATCH", "O2", "X1")}


# --- DOCUMENT_NOT_RETURNED ---


def _back_and_deposit(deposit_when, as_of=D(2024, 12, 31)):
    frame = owned(crossings({"when": at(D(2024, 5, 1))}, {"direction": "entry", "when": at(D(2024, 5, 9), 10)}))
    ledger = custody({"action": "release", "when": at(D(2024, 4, 28))},
                     *([{"action": "deposit", "when": deposit_when}] if deposit_when else []))
    return rules.documents_not_returned(frame, trips({}), ledger, params(as_of=as_of))


def test_document_deposited_on_the_last_allowed_day_is_returned():
    assert _back_and_deposit(at(D(2024, 5, 19), 23)).is_empty()


def test_document_deposited_a_day_late_is_not_returned():
    found = _back_and_deposit(at(D(2024, 5, 20)))
    assert refs(found) == {("DOCUMENT_NOT_RETURNED", "O1", "T1")}
    assert found["raised_on"].to_list() == [D(2024, 5, 20)]
    assert found["event_ids"].to_list() == ["X1;X2"]


def test_deposit_before_the_entry_does_not_count():
    assert not _back_and_deposit(at(D(2024, 5, 9), 9)).is_empty()


def test_document_not_returned_waits_until_as_of_is_past_the_deadline():
    assert _back_and_deposit(None, as_of=D(2024, 5, 19)).is_empty()
    assert not _back_and_deposit(None, as_of=D(2024, 5, 20)).is_empty()


def test_trip_without_document_or_without_entry_has_no_document_alert():
    frame = owned(crossings({"when": at(D(2024, 5, 1))}, {"direction": "entry", "when": at(D(2024, 5, 9))}))
    assert rules.documents_not_returned(frame, trips({"document_id": None}), custody(), params()).is_empty()
    frame = owned(crossings({"when": at(D(2024, 5, 1))}))
    assert rules.documents_not_returned(frame, trips({}), custody(), params()).is_empty()


# --- DUPLICATE_DOCUMENT ---


def test_two_officials_sharing_a_number_give_one_alert_per_pair():
    docs = documents({"official_id": "O2", "number": "E-1"}, {"official_id": "O1", "number": "e1"})
    found = rules.duplicate_documents(docs, custody(), params())
    assert refs(found) == {("DUPLICATE_DOCUMENT", "O2", "P1;P2")}
    assert found["other_official_ids"].to_list() == ["O1"]


def test_same_number_of_another_doc_type_or_state_is_no_duplicate():
    docs = documents({"official_id": "O2", "number": "E1"}, {"number": "E1", "doc_type": "travel_permit"},
                     {"official_id": "O3", "number": "E1", "issuing_state": "HKG"})
    assert rules.duplicate_documents(docs, custody(), params()).is_empty()


def test_one_official_with_two_overlapping_passports():
    docs = documents({"issued_on": D(2015, 1, 1), "expires_on": D(2025, 1, 1)}, {"issued_on": D(2025, 1, 1)})
    assert refs(rules.duplicate_documents(docs, custody(), params())) == {("DUPLICATE_DOCUMENT", "O1", "P1;P2")}


def test_passports_valid_one_after_the_other_do_not_overlap():
    docs = documents({"issued_on": D(2015, 1, 1), "expires_on": D(2024, 12, 31)}, {"issued_on": D(2025, 1, 1)})
    assert rules.duplicate_documents(docs, custody(), params()).is_empty()


def test_no_issued_on_means_valid_since_always():
    docs = documents({"issued_on": None, "expires_on": D(2021, 1, 1)}, {"issued_on": D(2020, 12, 31)})
    assert not rules.duplicate_documents(docs, custody(), params()).is_empty()


def test_overlap_ignores_a_document_lost_or_cancelled_by_the_end_of_as_of():
    docs = documents({}, {})
    ledger = custody({"action": "lost", "document_id": "P1", "when": at(D(2024, 6, 1))})
    assert rules.duplicate_documents(docs, ledger, params()).is_empty()
    recovered = custody({"action": "lost", "document_id": "P1", "when": at(D(2024, 6, 1))},
                        {"action": "deposit", "document_id": "P1", "when": at(D(2024, 6, 2))})
    assert not rules.duplicate_documents(docs, recovered, params()).is_empty()


# --- NAKED_OFFICIAL ---


def test_naked_official_by_emigrated_spouse():
    family = relatives({"residence_country": "CAN", "residence_status": "permanent_resident", "nationalities": ""})
    found = rules.naked_officials(family, params())
    assert refs(found) == {("NAKED_OFFICIAL", "O1", "O1")}
    assert found["relative_ids"].to_list() == ["R1"]


def test_spouse_abroad_as_a_student_with_home_nationality_has_not_emigrated():
    family = relatives({"residence_country": "USA", "residence_status": "student", "nationalities": "CHN"})
    assert rules.naked_officials(family, params()).is_empty()


def test_spouse_abroad_with_a_foreign_nationality_has_emigrated():
    family = relatives({"residence_country": "USA", "residence_status": "visitor", "nationalities": "CHN;USA"})
    assert not rules.naked_officials(family, params()).is_empty()


def test_spouse_at_home_with_foreign_citizenship_has_not_emigrated():
    family = relatives({"residence_country": "CHN", "residence_status": "citizen", "nationalities": "USA"})
    assert rules.naked_officials(family, params()).is_empty()


def test_no_spouse_and_every_child_emigrated():
    abroad = {"relation": "child", "residence_country": "AUS", "residence_status": "citizen"}
    found = rules.naked_officials(relatives(abroad, abroad | {"relation": "child"}), params())
    assert found["relative_ids"].to_list() == ["R1;R2"]
    home_child = {"relation": "child"}
    assert rules.naked_officials(relatives(abroad, home_child), params()).is_empty()
    assert rules.naked_officials(relatives(abroad, {"relation": "spouse"}), params()).is_empty()
    assert rules.naked_officials(relatives({"relation": "parent", "residence_country": "AUS"}), params()).is_empty()


def test_rules_return_the_common_alert_schema():
    frame = rules.unauthorized_exits(owned(crossings({})), trips(), params())
    assert frame.schema == pl.Schema(rules.ALERT_SCHEMA)


# --- INVALID_MRZ ---

VALID_ZONE = "P<CHNZHANG<<XIAOMING<<<<<<<<<<<<<<<<<<<<<<<<E609123452CHN6805171M2803113<<<<<<<<<<<<<<04"


def _mrz_world(zone: str):
    people = officials({"given_name": "XIAOMING", "date_of_birth": D(1968, 5, 17)})
    docs = documents({"number": "E60912345", "expires_on": D(2028, 3, 11), "mrz": zone}, {"mrz": ""})
    return docs, people


def test_valid_mrz_and_documents_without_mrz_raise_nothing():
    assert rules.invalid_mrz(*_mrz_world(VALID_ZONE), params()).is_empty()


def test_mrz_with_a_wrong_check_digit_is_invalid():
    broken = VALID_ZONE.replace("E609123452", "E609123453")
    found = rules.invalid_mrz(*_mrz_world(broken), params())
    assert refs(found) == {("INVALID_MRZ", "O1", "P1")}
    assert "check digit" in found["detail"][0]


def test_mrz_that_disagrees_with_the_holders_birth_date_is_invalid():
    docs, people = _mrz_world(VALID_ZONE)
    people = people.with_columns(date_of_birth=pl.lit(D(1968, 5, 18)))
    assert not rules.invalid_mrz(docs, people, params()).is_empty()
