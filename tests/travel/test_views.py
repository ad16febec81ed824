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


def _requests(people, count):
    """`count` requests of the clerk, departures a week apart (the list shows the latest departure first)."""
    return [trip_request(official=people.clerk, purpose="private", destinations=["THA"], depart_on=days(10 + 7 * n),
                         return_on=days(12 + 7 * n), actor=people.clerk_login) for n in range(count)]


def test_list_pages_through_trips_keeping_the_filters(client, people, clock, settings):
    settings.LONGARM_UI_PAGE_SIZE = 2
    trips = _requests(people, 3)
    trip_approve(trip=trips[0], actor=people.unit_officer, note="")
    login(client, people.unit_officer)
    first = client.get(LIST, {"status": "requested"}).content.decode()
    assert "Showing 1–2 of 2" in first and 'rel="next"' not in first
    assert trips[2].pk in first and trips[1].pk in first and trips[0].pk not in first
    everything = client.get(LIST).content.decode()
    assert "Showing 1–2 of 3" in everything and "?page=2" in everything
    by_official = client.get(LIST, {"official_id": "GD-CLERK"}).content.decode()
    assert "?official_id=GD-CLERK&amp;page=2" in by_official
    second = client.get(LIST, {"official_id": "GD-CLERK", "page": 2}).content.decode()
    assert "Showing 3–3 of 3" in second and trips[0].pk in second and trips[2].pk not in second
    partial = client.get(LIST, {"page": 2}, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="results"') and trips[0].pk in partial
    assert "No travel request matches" in client.get(LIST, {"official_id": "BJ-1"}).content.decode()
    assert "The filters were not applied" in client.get(LIST, {"status": "flying"}).content.decode()
    details = [row.detail for row in AuditEntry.objects.filter(
        actor=people.unit_officer, action="search", target_type="travel.trip").order_by("seq")]
    assert [(d["status"], d["official_id"], d["page"], d["shown"]) for d in details] == [
        ("requested", "", 1, 2), ("", "", 1, 2), ("", "GD-CLERK", 1, 2), ("", "GD-CLERK", 2, 1), ("", "", 2, 1),
        ("", "BJ-1", 1, 0)]


def test_official_pages_through_own_trips_only(client, people, clock, settings, beijing_trip):
    settings.LONGARM_UI_PAGE_SIZE = 2
    trips = _requests(people, 3)
    login(client, people.clerk_login)
    # Another official's id does not widen an official's scope.
    body = client.get(LIST, {"official_id": "BJ-1"}).content.decode()
    assert beijing_trip.pk not in body and "No travel request matches" in body
    second = client.get(LIST, {"page": 2}).content.decode()
    assert trips[0].pk in second and "Cancel request" in second and beijing_trip.pk not in second


def test_queue_pages_through_pending_requests(client, people, clock, settings):
    settings.LONGARM_UI_PAGE_SIZE = 2
    trips = _requests(people, 3)  # the queue shows the soonest departure first
    login(client, people.unit_officer)
    first = client.get(PENDING).content.decode()
    assert "Showing 1–2 of 3" in first and trips[0].pk in first and trips[1].pk in first
    assert trips[2].pk not in first and "?page=2" in first
    second = client.get(PENDING, {"page": 2}).content.decode()
    assert "Showing 3–3 of 3" in second and trips[2].pk in second and "frequent_travel" in second
    assert "No request on this page" in client.get(PENDING, {"page": 3}).content.decode()
    # A refused decision on a trip of another page still shows its reason, on top.
    response = client.post(act(trips[2], "reject"), {f"reject-{trips[2].pk}-reason": ""})
    body = response.content.decode()
    assert response.status_code == 400 and trips[2].pk not in body.split("Showing")[1]
    assert f"Trip {trips[2].pk}, reason: This field is required." in body.split("Showing")[0]
    response = client.post(act(trips[2], "approve"), {f"approve-{trips[2].pk}-note": "ok"})
    assert response.status_code == 302
    pages = [row.detail["page"] for row in AuditEntry.objects.filter(
        actor=people.unit_officer, action="search", detail__queue="pending").order_by("seq")]
    assert pages == [1, 2, 3, 1]
