"""The travel pages: an official's requests and the personnel officer's queue.

Each page is tried anonymous, with a role that may not use it (403), in the
user's own scope (200) and on another jurisdiction's trip (404).
"""

import pytest
from django.urls import reverse

from longarm.audit.models import AuditEntry
from longarm.travel.models import Trip, TripStatus
from longarm.travel.services import trip_approve, trip_request
from tests.travel.conftest import days, held_passport, watch

LIST = reverse("travel:list")
PENDING = reverse("travel:pending")
REQUEST = reverse("travel:request")
PASSWORD = "correct horse battery staple"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def act(trip, action):
    return reverse("travel:act", args=[trip.pk, action])


@pytest.fixture
def clerk_trip(people, clock):
    return trip_request(official=people.clerk, purpose="private", destinations=["THA"], depart_on=days(10),
                        return_on=days(20), actor=people.clerk_login)


@pytest.fixture
def beijing_trip(people, make_user, clock):
    login_bj = make_user("official", "CN-BJ", official=people.beijinger)
    return trip_request(official=people.beijinger, purpose="private", destinations=["JPN"], depart_on=days(5),
                        return_on=days(9), actor=login_bj)


def test_anonymous_is_sent_to_login(client, clerk_trip):
    for url in (LIST, PENDING):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    response = client.post(act(clerk_trip, "cancel"), {f"cancel-{clerk_trip.pk}-reason": "x"})
    assert response.status_code == 302
    assert Trip.objects.get(pk=clerk_trip.pk).status == TripStatus.REQUESTED


def test_role_without_travel_is_refused(client, make_user, clerk_trip):
    login(client, make_user("auditor"))
    assert client.get(LIST).status_code == 403
    assert client.get(PENDING).status_code == 403
    assert client.post(act(clerk_trip, "approve"), {}).status_code == 403


def test_official_may_not_open_the_queue_nor_decide(client, people, clerk_trip):
    login(client, people.clerk_login)
    assert client.get(PENDING).status_code == 403
    assert client.post(act(clerk_trip, "approve"), {}).status_code == 403


def test_official_sees_own_requests_with_history(client, people, clerk_trip):
    response = login(client, people.clerk_login).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert clerk_trip.pk in body and "Request travel" in body and "Cancel request" in body
    assert "awaiting approval" in body
    assert AuditEntry.objects.filter(actor=people.clerk_login, action="search", target_type="travel.trip").exists()


def test_official_requests_travel(client, people, clock):
    passport = held_passport(people.clerk)
    response = login(client, people.clerk_login).post(REQUEST, {
        "destinations": "tha, jpn", "depart_on": days(3), "return_on": days(8), "purpose": "private",
        "companions": "LI WEI\nLI MING", "document": passport.pk})
    assert response.status_code == 302
    trip = Trip.objects.get(official=people.clerk)
    assert trip.destinations == "THA;JPN" and trip.companions == "LI WEI;LI MING" and trip.document == passport


def test_refused_request_shows_the_error_in_the_form(client, people, clock):
    response = login(client, people.clerk_login).post(REQUEST, {
        "destinations": "THA", "depart_on": days(8), "return_on": days(3), "purpose": "private"})
    assert response.status_code == 400
    assert "before the departure date" in response.content.decode()
    assert not Trip.objects.filter(official=people.clerk).exists()


def test_official_cancels_and_reports_back(client, people, clerk_trip, clock):
    login(client, people.clerk_login)
    response = client.post(act(clerk_trip, "cancel"), {f"cancel-{clerk_trip.pk}-reason": "plans changed"})
    assert response.status_code == 302
    assert Trip.objects.get(pk=clerk_trip.pk).status == TripStatus.CANCELLED
    response = client.post(act(clerk_trip, "report-return"), {f"report-return-{clerk_trip.pk}-returned_on": days(0)})
    assert response.status_code == 400
    assert "Only an approved trip has a return to report" in response.content.decode()


def test_other_officials_trip_is_not_found(client, people, clerk_trip, beijing_trip):
    login(client, people.clerk_login)
    response = client.post(act(beijing_trip, "cancel"), {f"cancel-{beijing_trip.pk}-reason": "x"})
    assert response.status_code == 404
    assert beijing_trip.pk not in client.get(LIST).content.decode()


def test_officer_sees_queue_with_prechecks_and_approves(client, people, clerk_trip):
    login(client, people.unit_officer)
    response = client.get(PENDING)
    assert response.status_code == 200
    body = response.content.decode()
    assert clerk_trip.pk in body and "frequent_travel" in body and "severity-ok" in body
    response = client.post(act(clerk_trip, "approve"), {f"approve-{clerk_trip.pk}-note": "ok"})
    assert response.status_code == 302
    assert Trip.objects.get(pk=clerk_trip.pk).status == TripStatus.APPROVED


def test_reject_needs_a_reason(client, people, clerk_trip):
    login(client, people.unit_officer)
    response = client.post(act(clerk_trip, "reject"), {f"reject-{clerk_trip.pk}-reason": "too busy"})
    assert response.status_code == 302
    assert Trip.objects.get(pk=clerk_trip.pk).status == TripStatus.REJECTED


def test_second_approver_rule_error_is_shown(client, people, clock):
    trip = trip_request(official=people.prefect, purpose="private", destinations=["THA"], depart_on=days(10),
                        return_on=days(20), actor=people.prefect_login)
    trip_approve(trip=trip, actor=people.province_officer)
    login(client, people.province_officer)
    response = client.post(act(trip, "approve"), {f"approve-{trip.pk}-note": ""})
    assert response.status_code == 400
    assert "another personnel officer than the first" in response.content.decode()
    assert Trip.objects.get(pk=trip.pk).status == TripStatus.REQUESTED


def test_exit_ban_blocks_approval_in_the_form(client, people, clerk_trip):
    watch(people.clerk, starts_on=days(-5), expires_on=days(60))
    login(client, people.unit_officer)
    assert "exit_ban" in client.get(PENDING).content.decode()
    response = client.post(act(clerk_trip, "approve"), {f"approve-{clerk_trip.pk}-note": ""})
    assert response.status_code == 400
    assert Trip.objects.get(pk=clerk_trip.pk).status == TripStatus.REQUESTED


def test_officer_of_other_jurisdiction_gets_404(client, people, clerk_trip):
    login(client, people.beijing_officer)
    assert client.get(PENDING).status_code == 200
    response = client.post(act(clerk_trip, "approve"), {f"approve-{clerk_trip.pk}-note": ""})
    assert response.status_code == 404
