"""Every workflow endpoint: anonymous, without permission, with permission, another jurisdiction's record."""

import pytest
from rest_framework.test import APIClient

from longarm.audit.models import AuditEntry
from longarm.travel.models import Trip
from longarm.travel.services import trip_approve, trip_request
from tests.travel.conftest import days, frozen, watch


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def pending(login, official=None):
    return trip_request(official=official or login.official, purpose="official", destinations=["DEU"],
                        depart_on=days(30), return_on=days(40), actor=login)


@pytest.fixture
def beijing_trip(people):
    return Trip.objects.create(trip_id="BJ-T1", official=people.beijinger, purpose="private", destinations="THA",
                               depart_on=days(30), return_on=days(40), status="requested")


# POST /api/trips/requests/ --------------------------------------------------------------------------

REQUEST = {"purpose": "official", "destinations": ["DEU", "FRA"], "depart_on": "2026-04-01",
           "return_on": "2026-04-08", "companions": ["WANG Li"]}


def test_trip_request_api_refuses_anonymous(people, clock):
    assert client_for().post("/api/trips/requests/", REQUEST, format="json").status_code in (401, 403)
    assert not Trip.objects.exists()


def test_trip_request_api_refuses_staff_roles(people, clock):
    response = client_for(people.unit_officer).post("/api/trips/requests/", REQUEST, format="json")
    assert response.status_code == 403 and not Trip.objects.exists()


def test_trip_request_api_files_a_request_for_the_caller(people, clock):
    response = client_for(people.clerk_login).post("/api/trips/requests/", REQUEST, format="json")
    assert response.status_code == 201, response.data
    body = response.json()
    assert body["official_id"] == people.clerk.pk and body["status"] == "requested"
    assert body["destinations"] == ["DEU", "FRA"] and body["progress"] == "awaiting approval"
    assert AuditEntry.objects.filter(action="trip.request", target_id=body["trip_id"]).exists()


def test_trip_request_api_reports_a_broken_rule_as_400(people, clock):
    response = client_for(people.clerk_login).post(
        "/api/trips/requests/", {**REQUEST, "depart_on": "2026-03-01"}, format="json")
    assert response.status_code == 400 and "is past" in response.json()["detail"]


def test_trip_request_api_refuses_another_officials_document(people, clock):
    from tests.travel.conftest import held_passport

    held_passport(people.beijinger, document_id="P-BJ")
    response = client_for(people.clerk_login).post(
        "/api/trips/requests/", {**REQUEST, "document_id": "P-BJ"}, format="json")
    assert response.status_code == 400 and not Trip.objects.exists()


# POST /api/trips/{id}/approve/ and reject/ ----------------------------------------------------------


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_trip_decision_api_refuses_anonymous_and_other_roles(people, clock, action):
    trip = pending(people.clerk_login)
    url = f"/api/trips/{trip.pk}/{action}/"
    assert client_for().post(url, {"reason": "x"}).status_code in (401, 403)
    for outsider in (people.clerk_login, people.analyst):
        assert client_for(outsider).post(url, {"reason": "x"}).status_code == 403
    trip.refresh_from_db()
    assert trip.status == "requested"


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_trip_decision_api_hides_another_jurisdictions_and_units_trips(people, clock, beijing_trip, action):
    assert client_for(people.province_officer).post(
        f"/api/trips/{beijing_trip.pk}/{action}/", {"reason": "x"}).status_code == 404
    own_unit = pending(people.clerk_login)
    assert client_for(people.other_unit_officer).post(
        f"/api/trips/{own_unit.pk}/{action}/", {"reason": "x"}).status_code == 404


def test_trip_approve_api_approves_for_the_unit_officer(people, clock):
    trip = pending(people.clerk_login)
    response = client_for(people.unit_officer).post(f"/api/trips/{trip.pk}/approve/", {"note": "ok"})
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert AuditEntry.objects.filter(action="trip.approve", target_id=trip.pk, actor=people.unit_officer).exists()


def test_trip_approve_api_refuses_an_exit_ban_with_its_reason(people, clock):
    watch(people.clerk, starts_on=days(-5), expires_on=days(100))
    trip = pending(people.clerk_login)
    response = client_for(people.unit_officer).post(f"/api/trips/{trip.pk}/approve/")
    assert response.status_code == 400 and "cannot be approved" in response.json()["detail"]
    assert AuditEntry.objects.filter(action="trip.approve_refused", target_id=trip.pk).exists()


def test_trip_approve_api_second_step_needs_the_level_above(people, clock):
    trip = pending(people.prefect_login)
    assert client_for(people.unit_officer).post(f"/api/trips/{trip.pk}/approve/").json()["progress"] == (
        "awaiting approval 2 of 2")
    assert client_for(people.unit_officer).post(f"/api/trips/{trip.pk}/approve/").status_code == 403
    response = client_for(people.province_officer).post(f"/api/trips/{trip.pk}/approve/")
    assert response.status_code == 200 and response.json()["status"] == "approved"


def test_trip_reject_api_needs_a_reason_and_records_it(people, clock):
    trip = pending(people.clerk_login)
    officer = client_for(people.unit_officer)
    assert officer.post(f"/api/trips/{trip.pk}/reject/", {}).status_code == 400
    response = officer.post(f"/api/trips/{trip.pk}/reject/", {"reason": "Department audit"})
    assert response.status_code == 200 and response.json()["status_reason"] == "Department audit"
    assert AuditEntry.objects.filter(action="trip.reject", target_id=trip.pk).exists()


# POST /api/trips/{id}/cancel/ and report-return/ ----------------------------------------------------


def test_trip_cancel_api_by_role_and_scope(people, clock, beijing_trip):
    trip = pending(people.clerk_login)
    url = f"/api/trips/{trip.pk}/cancel/"
    assert client_for().post(url, {"reason": "x"}).status_code in (401, 403)
    assert client_for(people.unit_officer).post(url, {"reason": "x"}).status_code == 403
    assert client_for(people.prefect_login).post(url, {"reason": "x"}).status_code == 404  # not theirs
    assert client_for(people.clerk_login).post(
        f"/api/trips/{beijing_trip.pk}/cancel/", {"reason": "x"}).status_code == 404
    response = client_for(people.clerk_login).post(url, {"reason": "Plans changed"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert AuditEntry.objects.filter(action="trip.cancel", target_id=trip.pk).exists()


def test_trip_report_return_api_by_role_and_scope(people, clock, beijing_trip):
    trip = trip_approve(trip=pending(people.clerk_login), actor=people.unit_officer)
    url = f"/api/trips/{trip.pk}/report-return/"
    body = {"returned_on": days(40).isoformat(), "note": "on time"}
    with frozen(days(41)):
        assert client_for().post(url, body).status_code in (401, 403)
        assert client_for(people.unit_officer).post(url, body).status_code == 403
        assert client_for(people.prefect_login).post(url, body).status_code == 404
        assert client_for(people.clerk_login).post(
            f"/api/trips/{beijing_trip.pk}/report-return/", body).status_code == 404
        response = client_for(people.clerk_login).post(url, body)
    assert response.status_code == 200 and response.json()["returned_on"] == days(40).isoformat()
    assert AuditEntry.objects.filter(action="trip.report_return", target_id=trip.pk).exists()


# GET /api/trips/pending/ and /api/trips/{id}/history/ -----------------------------------------------


def test_trip_pending_api_by_role_and_scope(people, clock, beijing_trip):
    watch(people.clerk, measure="alert_only", starts_on=days(-5), expires_on=days(100))
    trip = pending(people.clerk_login)
    assert client_for().get("/api/trips/pending/").status_code in (401, 403)
    assert client_for(people.clerk_login).get("/api/trips/pending/").status_code == 403
    assert client_for(people.beijing_officer).get("/api/trips/pending/").json()["results"][0]["trip"][
        "trip_id"] == beijing_trip.pk
    response = client_for(people.unit_officer).get("/api/trips/pending/")
    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["trip"]["trip_id"] == trip.pk and item["step"] == 1 and item["blocked"] is False
    assert {"code": "watchlist_alert", "severity": "warn"}.items() <= item["prechecks"][0].items()
    view = AuditEntry.objects.filter(action="view", actor=people.unit_officer, target_id="pending").get()
    assert view.detail == {"trip_ids": [trip.pk]}


def test_trip_history_api_by_scope(people, clock, beijing_trip):
    trip = trip_approve(trip=pending(people.clerk_login), actor=people.unit_officer)
    url = f"/api/trips/{trip.pk}/history/"
    assert client_for().get(url).status_code in (401, 403)
    assert client_for(people.prefect_login).get(url).status_code == 404
    assert client_for(people.clerk_login).get(f"/api/trips/{beijing_trip.pk}/history/").status_code == 404
    response = client_for(people.clerk_login).get(url)
    assert response.status_code == 200
    assert [e["kind"] for e in response.json()["events"]] == ["requested", "approved"]
    assert response.json()["decisions"][0]["decider"] == people.unit_officer.username
    assert AuditEntry.objects.filter(action="view", target_id=trip.pk, actor=people.clerk_login).exists()
