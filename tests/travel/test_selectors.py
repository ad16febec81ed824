import datetime

import pytest
from django.test import override_settings

from longarm.documents.models import CustodyEvent
from longarm.travel.models import Trip
from longarm.travel.prechecks import Code, Severity
from longarm.travel.selectors import (
    trip_history,
    trip_list_for,
    trip_pending_for,
    trip_precheck_facts,
    trip_prechecks,
    trip_progress,
)
from longarm.travel.services import trip_approve, trip_request
from tests.travel.conftest import days, held_passport, watch


def request(login, **overrides):
    values = {"official": login.official, "purpose": "private", "destinations": ["THA"],
              "depart_on": days(30), "return_on": days(40), "actor": login}
    values.update(overrides)
    return trip_request(**values)


def check(trip, code):
    [found] = [c for c in trip_prechecks(trip) if c.code == code]
    return found


def test_prechecks_see_the_exit_ban_and_alert_entries_in_force_on_the_trip_dates(people, clock):
    watch(people.clerk, starts_on=days(39), expires_on=days(90))
    watch(people.clerk, measure="alert_only", starts_on=days(-10), expires_on=days(31), entry_id="WL-2")
    watch(people.clerk, starts_on=days(-10), expires_on=days(29), entry_id="WL-3")  # lapses the day before
    trip = request(people.clerk_login)
    facts = trip_precheck_facts(trip)
    assert [(e.entry_id, e.measure) for e in facts.watchlist] == [("WL-2", "alert_only"), ("WL-1", "exit_ban")]
    assert check(trip, Code.EXIT_BAN).severity == Severity.BLOCK
    assert check(trip, Code.WATCHLIST_ALERT).severity == Severity.WARN


def test_prechecks_read_custody_from_the_last_event_before_now(people, clock):
    passport = held_passport(people.clerk)
    trip = request(people.clerk_login, document=passport)
    assert check(trip, Code.DOCUMENT_CUSTODY).severity == Severity.OK
    CustodyEvent.objects.create(event_id="C-REL", document=passport, action="release",
                                occurred_at=datetime.datetime(2026, 2, 1, tzinfo=datetime.UTC))
    CustodyEvent.objects.create(event_id="C-LATER", document=passport, action="deposit",  # after now: not yet
                                occurred_at=datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC))
    assert check(trip, Code.DOCUMENT_CUSTODY).severity == Severity.WARN


def test_prechecks_warn_of_a_document_expiring_before_return(people, clock):
    passport = held_passport(people.clerk, expires_on=days(35))
    trip = request(people.clerk_login, document=passport)
    assert check(trip, Code.DOCUMENT_EXPIRY).severity == Severity.WARN


def test_prechecks_run_the_mrz_check(people, clock):
    mrz = pytest.importorskip("longarm.documents.mrz")
    clerk = people.clerk
    valid = mrz.mrz_td3(issuing_state="CHN", family_name=clerk.family_name, given_name=clerk.given_name,
                        number="EP1", nationality="CHN", birth_date=clerk.date_of_birth, sex=clerk.sex,
                        expiry_date=datetime.date(2031, 1, 1))
    good = held_passport(clerk, document_id="P1", mrz=valid)
    bad = held_passport(clerk, document_id="P2", mrz=valid.replace("LI<<NA", "LI<<XX"))
    assert check(request(people.clerk_login, document=good), Code.DOCUMENT_MRZ).severity == Severity.OK
    failing = check(request(people.clerk_login, document=bad), Code.DOCUMENT_MRZ)
    assert failing.severity == Severity.WARN and "names" in failing.message


def test_prechecks_count_approved_trips_of_the_last_twelve_months(people, clock):
    for n, (depart, status) in enumerate([(-300, "approved"), (-200, "approved"), (-400, "approved"),
                                          (-100, "rejected"), (-50, "approved")]):
        Trip.objects.create(trip_id=f"OLD-{n}", official=people.clerk, purpose="private", destinations="THA",
                            depart_on=days(depart), return_on=days(depart + 3), status=status)
    trip = request(people.clerk_login)
    assert trip_precheck_facts(trip).trips_last_12_months == 3
    with override_settings(LONGARM_FREQUENT_TRAVEL_TRIPS_PER_YEAR=3):
        assert check(trip, Code.FREQUENT_TRAVEL).severity == Severity.WARN
    assert check(trip, Code.FREQUENT_TRAVEL).severity == Severity.OK


def test_prechecks_flag_naked_official_in_sensitive_post(people, clock):
    from longarm.registry.models import Relative

    people.clerk.sensitive_post = True
    people.clerk.save()
    Relative.objects.create(relative_id="R1", official=people.clerk, relation="spouse", family_name="WANG",
                            given_name="LI", residence_country="CAN", residence_status="permanent_resident")
    assert check(request(people.clerk_login), Code.NAKED_OFFICIAL_SENSITIVE_POST).severity == Severity.WARN


def test_pending_queue_of_the_unit_officer_holds_first_approvals_with_prechecks(people, clock):
    watch(people.clerk, starts_on=days(-10), expires_on=days(100))
    banned = request(people.clerk_login)
    prefect_trip = request(people.prefect_login, depart_on=days(20))
    [first, second] = trip_pending_for(user=people.unit_officer)
    assert (first.trip, first.step, first.approvals_required) == (prefect_trip, 1, 2)
    assert (second.trip, second.blocked) == (banned, True)
    assert second.prechecks[0].code == Code.EXIT_BAN


def test_pending_queue_moves_to_the_level_above_after_the_first_approval(people, clock):
    trip = request(people.prefect_login)
    assert [item.trip for item in trip_pending_for(user=people.province_officer)] == [trip]
    trip_approve(trip=trip, actor=people.province_officer)
    assert trip_pending_for(user=people.unit_officer) == []
    assert trip_pending_for(user=people.province_officer) == []  # the first approver is not the second
    [item] = trip_pending_for(user=people.second_province_officer)
    assert item.step == 2 and [d.decider for d in item.decisions] == [people.province_officer]
    assert trip_progress(item.trip) == "awaiting approval 2 of 2"


@pytest.mark.parametrize("who", ["other_unit_officer", "beijing_officer", "analyst", "prefect_login"])
def test_pending_queue_is_empty_for_everyone_else(people, clock, who):
    request(people.prefect_login)
    assert trip_pending_for(user=getattr(people, who)) == []


def test_official_sees_only_their_own_trips_and_history(people, clock):
    own = request(people.prefect_login)
    request(people.clerk_login)
    assert list(trip_list_for(user=people.prefect_login)) == [own]
    assert [event.kind for event in trip_history(trip=own, user=people.prefect_login)] == ["requested"]
    assert not trip_history(trip=own, user=people.clerk_login).exists()
