import pytest
from django.http import Http404

from longarm.audit.models import AuditEntry
from longarm.travel.errors import TravelError, TravelPermissionDenied, TripBlocked
from longarm.travel.models import Trip, TripDecision, TripEvent
from longarm.travel.services import trip_approve, trip_cancel, trip_reject, trip_report_return, trip_request
from tests.travel.conftest import days, frozen, held_passport, watch


def audit_rows(trip, action):
    return list(AuditEntry.objects.filter(target_type="travel.trip", target_id=trip.pk, action=action))


def request(people, official_login=None, **overrides):
    login = official_login or people.prefect_login
    values = {"official": login.official, "purpose": "private", "destinations": ["THA", "SGP"],
              "depart_on": days(30), "return_on": days(40), "actor": login}
    values.update(overrides)
    return trip_request(**values)


# trip_request ---------------------------------------------------------------------------------------


def test_trip_request_creates_a_requested_trip_with_history_and_audit_row(people, clock):
    passport = held_passport(people.prefect)
    trip = request(people, companions=["ZHANG Wei (spouse)"], document=passport)

    assert trip.trip_id.startswith("T-")
    assert trip.status == "requested" and trip.decided_on is None
    assert trip.destination_list == ["THA", "SGP"] and trip.companion_list == ["ZHANG Wei (spouse)"]
    assert trip.requested_by == people.prefect_login and trip.document == passport
    assert list(TripEvent.objects.filter(trip=trip).values_list("kind", flat=True)) == ["requested"]
    [row] = audit_rows(trip, "trip.request")
    assert row.actor == people.prefect_login
    assert row.detail["destinations"] == ["THA", "SGP"] and row.detail["approvals_required"] == 2


def test_trip_request_for_another_official_looks_like_no_such_official(people, clock):
    with pytest.raises(Http404):
        request(people, official=people.clerk)
    assert not Trip.objects.exists() and not AuditEntry.objects.filter(action="trip.request").exists()


def test_trip_request_refuses_a_personnel_officer(people, clock):
    with pytest.raises(TravelPermissionDenied):
        request(people, actor=people.unit_officer)
    assert not Trip.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"depart_on": days(-1), "return_on": days(5)}, "is past"),
        ({"depart_on": days(10), "return_on": days(9)}, "before the departure date"),
        ({"destinations": ["XYZ"]}, "Unknown destination XYZ"),
        ({"destinations": ["CHN"]}, "home country"),
        ({"destinations": []}, "at least one destination"),
        ({"purpose": "holiday"}, "Unknown purpose"),
        ({"companions": ["A;B"]}, "one name per companion"),
    ],
)
def test_trip_request_refuses_bad_input_with_a_clear_message(people, clock, overrides, message):
    with pytest.raises(TravelError, match=message):
        request(people, **overrides)
    assert not Trip.objects.exists()


def test_trip_request_refuses_the_document_of_another_official(people, clock):
    foreign = held_passport(people.clerk, document_id="P-CLERK")
    with pytest.raises(TravelError, match="not one of the official's"):
        request(people, document=foreign)


# trip_approve ---------------------------------------------------------------------------------------


def test_trip_approve_by_the_unit_officer_approves_a_county_official(people, clock):
    trip = request(people, official_login=people.clerk_login)
    trip = trip_approve(trip=trip, actor=people.unit_officer, note="conference")

    assert trip.status == "approved" and trip.decided_on == clock
    [decision] = TripDecision.objects.filter(trip=trip)
    assert (decision.step, decision.decision, decision.decider) == (1, "approve", people.unit_officer)
    assert {check["code"] for check in decision.prechecks} >= {"exit_ban", "document_custody"}
    [row] = audit_rows(trip, "trip.approve")
    assert row.actor == people.unit_officer and row.detail["final"] is True and row.detail["step"] == 1
    assert [w["code"] for w in row.detail["warnings"]] == ["document_expiry", "document_custody"]


def test_trip_approve_refuses_official_under_exit_ban(people, clock):
    watch(people.clerk, starts_on=days(-100), expires_on=days(35))  # ends in the middle of the trip
    trip = request(people, official_login=people.clerk_login)

    with pytest.raises(TripBlocked, match="Exit ban WL-1 .*cannot be approved"):
        trip_approve(trip=trip, actor=people.unit_officer)

    trip.refresh_from_db()
    assert trip.status == "requested" and not TripDecision.objects.exists()
    assert not audit_rows(trip, "trip.approve")
    [refusal] = audit_rows(trip, "trip.approve_refused")
    assert refusal.actor == people.unit_officer and "WL-1" in refusal.detail["reason"]


@pytest.mark.parametrize(
    ("starts", "expires", "status"),
    [(-100, 29, "active"), (41, 100, "active"), (-100, 35, "withdrawn"), (-100, 35, "proposed")],
    ids=["lapsed-before-departure", "starts-after-return", "withdrawn", "not-yet-confirmed"],
)
def test_trip_approve_ignores_exit_bans_not_in_force_on_the_trip_dates(people, clock, starts, expires, status):
    watch(people.clerk, starts_on=days(starts), expires_on=days(expires), status=status)
    trip = trip_approve(trip=request(people, official_login=people.clerk_login), actor=people.unit_officer)
    assert trip.status == "approved"
    assert len(audit_rows(trip, "trip.approve")) == 1


def test_trip_approve_of_prefectural_official_needs_second_approver_from_the_level_above(people, clock):
    trip = request(people)

    trip = trip_approve(trip=trip, actor=people.unit_officer)
    assert trip.status == "requested" and trip.decided_on is None
    [first] = audit_rows(trip, "trip.approve")
    assert first.detail["step"] == 1 and first.detail["final"] is False and first.detail["approvals_required"] == 2

    with pytest.raises(TravelPermissionDenied, match="level above"):
        trip_approve(trip=trip, actor=people.unit_officer)

    trip = trip_approve(trip=trip, actor=people.province_officer)
    assert trip.status == "approved" and trip.decided_on == clock
    assert list(TripDecision.objects.filter(trip=trip).values_list("step", "decider")) == [
        (1, people.unit_officer.pk), (2, people.province_officer.pk)]
    second = audit_rows(trip, "trip.approve")[0]  # newest first
    assert second.actor == people.province_officer and second.detail["step"] == 2 and second.detail["final"] is True
    assert list(TripEvent.objects.filter(trip=trip).values_list("kind", flat=True)) == [
        "requested", "approved_step", "approved"]


def test_trip_approve_first_approver_can_never_be_the_second(people, clock):
    trip = trip_approve(trip=request(people), actor=people.province_officer)
    with pytest.raises(TravelPermissionDenied, match="another personnel officer"):
        trip_approve(trip=trip, actor=people.province_officer)
    trip = trip_approve(trip=trip, actor=people.second_province_officer)
    assert trip.status == "approved"
    assert len(audit_rows(trip, "trip.approve")) == 2


def test_trip_approve_hides_trips_of_other_units_and_jurisdictions(people, clock):
    trip = request(people)
    for outsider in (people.other_unit_officer, people.beijing_officer):
        with pytest.raises(Http404):
            trip_approve(trip=trip, actor=outsider)
    with pytest.raises(TravelPermissionDenied):
        trip_approve(trip=trip, actor=people.analyst)
    assert not TripDecision.objects.exists() and not audit_rows(trip, "trip.approve")


def test_trip_approve_refuses_a_decided_trip(people, clock):
    trip = trip_approve(trip=request(people, official_login=people.clerk_login), actor=people.unit_officer)
    with pytest.raises(TravelError, match="nothing left to decide"):
        trip_approve(trip=trip, actor=people.province_officer)
    assert len(audit_rows(trip, "trip.approve")) == 1


# trip_reject ----------------------------------------------------------------------------------------


def test_trip_reject_needs_a_reason(people, clock):
    trip = request(people)
    with pytest.raises(TravelError, match="needs a reason"):
        trip_reject(trip=trip, reason="  ", actor=people.unit_officer)
    trip.refresh_from_db()
    assert trip.status == "requested" and not audit_rows(trip, "trip.reject")


def test_trip_reject_at_the_second_step_rejects_the_trip(people, clock):
    trip = trip_approve(trip=request(people), actor=people.unit_officer)
    trip = trip_reject(trip=trip, reason="Audit of the department under way", actor=people.province_officer)

    assert trip.status == "rejected" and trip.decided_on == clock
    assert trip.status_reason == "Audit of the department under way"
    [row] = audit_rows(trip, "trip.reject")
    assert row.actor == people.province_officer and row.detail == {
        "step": 2, "reason": "Audit of the department under way"}


# trip_cancel ----------------------------------------------------------------------------------------


def test_trip_cancel_by_the_official_withdraws_a_pending_request(people, clock):
    trip = trip_cancel(trip=request(people), reason="Conference postponed", actor=people.prefect_login)
    assert trip.status == "cancelled" and trip.status_reason == "Conference postponed"
    [row] = audit_rows(trip, "trip.cancel")
    assert row.actor == people.prefect_login and row.detail["previous_status"] == "requested"


def test_trip_cancel_refuses_an_approved_trip_on_or_after_departure(people, clock):
    trip = trip_approve(trip=request(people, official_login=people.clerk_login), actor=people.unit_officer)
    with frozen(days(30)):
        with pytest.raises(TravelError, match="before its departure"):
            trip_cancel(trip=trip, reason="Back early", actor=people.clerk_login)
    assert not audit_rows(trip, "trip.cancel")


def test_trip_cancel_is_for_the_official_alone(people, clock):
    trip = request(people)
    with pytest.raises(TravelPermissionDenied):
        trip_cancel(trip=trip, reason="no", actor=people.unit_officer)
    with pytest.raises(Http404):
        trip_cancel(trip=trip, reason="no", actor=people.clerk_login)
    assert not audit_rows(trip, "trip.cancel")


# trip_report_return ---------------------------------------------------------------------------------


def test_trip_report_return_records_the_actual_return_after_the_trip(people, clock):
    trip = trip_approve(trip=request(people, official_login=people.clerk_login), actor=people.unit_officer)
    with frozen(days(45)):
        trip = trip_report_return(trip=trip, returned_on=days(41), note="Flight delayed a day",
                                  actor=people.clerk_login)
    assert trip.returned_on == days(41) and trip.return_note == "Flight delayed a day"
    assert trip.reported_back_at is not None
    [row] = audit_rows(trip, "trip.report_return")
    assert row.actor == people.clerk_login and row.detail["late"] is True


@pytest.mark.parametrize(
    ("returned", "message"),
    [(46, "in the future"), (29, "before the departure date")],
)
def test_trip_report_return_refuses_impossible_dates(people, clock, returned, message):
    trip = trip_approve(trip=request(people, official_login=people.clerk_login), actor=people.unit_officer)
    with frozen(days(45)), pytest.raises(TravelError, match=message):
        trip_report_return(trip=trip, returned_on=days(returned), actor=people.clerk_login)
    assert not audit_rows(trip, "trip.report_return")


def test_trip_report_return_only_once_and_only_for_approved_trips(people, clock):
    pending = request(people)
    with pytest.raises(TravelError, match="Only an approved trip"):
        trip_report_return(trip=pending, returned_on=clock, actor=people.prefect_login)
    trip = trip_approve(trip=request(people, official_login=people.clerk_login), actor=people.unit_officer)
    with frozen(days(45)):
        trip_report_return(trip=trip, returned_on=days(40), actor=people.clerk_login)
        with pytest.raises(TravelError, match="already reported"):
            trip_report_return(trip=trip, returned_on=days(41), actor=people.clerk_login)
    assert len(audit_rows(trip, "trip.report_return")) == 1
