import datetime

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from longarm.audit.models import AuditEntry
from longarm.documents.models import Reminder
from longarm.documents.services import document_deposit, document_release
from longarm.documents.vault import custody_state_at

UNIT = "Guangdong Department of Finance"


@pytest.fixture
def world(make_official, make_user, make_document, make_trip):
    guangdong = make_official(official_id="GD1")
    beijing = make_official(official_id="BJ1", jurisdiction="CN-BJ", organization="Beijing Bureau")
    officer = make_user("personnel_officer", "CN-GD", organization=UNIT)
    return {
        "gd_doc": make_document(guangdong, document_id="D-GD"),
        "bj_doc": make_document(beijing, document_id="D-BJ"),
        "gd_trip": make_trip(guangdong, trip_id="T-GD"),
        "officer": officer,
        "guangdong": guangdong,
    }


def as_user(user):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def deposit_url(document_id, action="deposit"):
    return f"/api/custody/documents/{document_id}/{action}/"


# deposit, release, report lost, cancel


def test_custody_actions_refuse_anonymous_callers(world):
    for action in ("deposit", "release", "report-lost", "cancel"):
        assert as_user(None).post(deposit_url("D-GD", action), {}, format="json").status_code in (401, 403)
    assert custody_state_at(document=world["gd_doc"]) is None


@pytest.mark.parametrize("role", ["official", "provincial_analyst"])
def test_deposit_refuses_roles_that_do_not_keep_passports(world, make_user, role):
    response = as_user(make_user(role, "CN-GD", official=world["guangdong"] if role == "official" else None)).post(
        deposit_url("D-GD"), {}, format="json")
    assert response.status_code == 403
    assert custody_state_at(document=world["gd_doc"]) is None


def test_deposit_of_another_jurisdictions_document_answers_404(world):
    response = as_user(world["officer"]).post(deposit_url("D-BJ"), {}, format="json")
    assert response.status_code == 404
    assert custody_state_at(document=world["bj_doc"]) is None


def test_deposit_by_the_personnel_officer_records_the_event(world):
    response = as_user(world["officer"]).post(deposit_url("D-GD"), {"note": "intake"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["action"], body["document"], body["note"], body["recorded_by"]) == (
        "deposit", "D-GD", "intake", world["officer"].username)
    assert AuditEntry.objects.filter(action="document.deposit", target_id="D-GD").count() == 1


def test_release_for_an_approved_trip_answers_201_and_refuses_a_second_time_with_400(world):
    client = as_user(world["officer"])
    client.post(deposit_url("D-GD"), {}, format="json")
    response = client.post(deposit_url("D-GD", "release"), {"trip_id": "T-GD"}, format="json")
    assert response.status_code == 201
    assert response.json()["trip"] == "T-GD"
    again = client.post(deposit_url("D-GD", "release"), {"trip_id": "T-GD"}, format="json")
    assert again.status_code == 400
    assert "already with its holder" in str(again.json())


def test_release_for_a_trip_not_approved_answers_400_with_the_rule(world, make_trip):
    make_trip(world["guangdong"], trip_id="T-REQ", status="requested")
    client = as_user(world["officer"])
    client.post(deposit_url("D-GD"), {}, format="json")
    response = client.post(deposit_url("D-GD", "release"), {"trip_id": "T-REQ"}, format="json")
    assert response.status_code == 400
    assert "only for an approved trip" in str(response.json())


def test_report_lost_needs_a_reason_and_cancelled_is_final(world):
    client = as_user(world["officer"])
    client.post(deposit_url("D-GD"), {}, format="json")
    assert client.post(deposit_url("D-GD", "report-lost"), {}, format="json").status_code == 400
    assert client.post(deposit_url("D-GD", "cancel"), {"reason": "replaced"}, format="json").status_code == 201
    response = client.post(deposit_url("D-GD", "release"), {"trip_id": "T-GD"}, format="json")
    assert response.status_code == 400
    assert "can never be released" in str(response.json())


# history


@pytest.mark.parametrize(("role", "jurisdiction", "expected"), [
    (None, "", 401),
    ("border_post", "CN-GD", 403),
    ("auditor", "", 403),
    ("provincial_analyst", "CN-BJ", 404),
    ("provincial_analyst", "CN-GD", 200),
])
def test_custody_history_is_scoped(world, make_user, role, jurisdiction, expected):
    document_deposit(document=world["gd_doc"], actor=world["officer"])
    user = make_user(role, jurisdiction) if role else None
    response = as_user(user).get("/api/custody/documents/D-GD/history/")
    assert response.status_code == expected
    if expected == 200:
        [event] = response.json()
        assert (event["action"], event["recorded_by"]) == ("deposit", world["officer"].username)
        assert AuditEntry.objects.filter(action="view", actor=user, target_id="D-GD").exists()


# vault


@pytest.fixture
def vault(world, make_document, make_trip):
    """GD: one held, one released for a trip that ended long ago (overdue), one never deposited."""
    officer, guangdong = world["officer"], world["guangdong"]
    now, today = timezone.now(), timezone.localdate()
    document_deposit(document=world["gd_doc"], actor=officer)
    late = make_document(guangdong, document_id="D-LATE", doc_type="travel_permit")
    document_deposit(document=late, actor=officer, occurred_at=now - datetime.timedelta(days=40))
    trip = make_trip(guangdong, trip_id="T-OLD", depart_on=today - datetime.timedelta(days=35),
                     return_on=today - datetime.timedelta(days=20))
    document_release(document=late, trip=trip, actor=officer, occurred_at=now - datetime.timedelta(days=36))
    make_document(guangdong, document_id="D-NEW", doc_type="service_passport")
    return world


def vault_ids(client, query=""):
    response = client.get(f"/api/custody/vault/{query}")
    assert response.status_code == 200, response.content
    return {row["document_id"]: row for row in response.json()["results"]}


@pytest.mark.parametrize(("role", "jurisdiction", "expected"), [
    (None, "", 401),
    ("border_post", "CN-GD", 403),
    ("auditor", "", 403),
])
def test_vault_refuses_callers_without_permission(vault, make_user, role, jurisdiction, expected):
    assert as_user(make_user(role, jurisdiction) if role else None).get("/api/custody/vault/").status_code == expected


def test_vault_shows_only_the_callers_jurisdiction_with_state_and_due_date(vault, make_user):
    rows = vault_ids(as_user(make_user("provincial_analyst", "CN-GD")))
    assert set(rows) == {"D-GD", "D-LATE", "D-NEW"}
    assert rows["D-GD"]["state"] == "held"
    assert rows["D-NEW"]["state"] is None
    late = rows["D-LATE"]
    assert (late["state"], late["trip_id"], late["overdue"]) == ("released", "T-OLD", True)
    assert late["due_back_on"] == (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    assert vault_ids(as_user(make_user("provincial_analyst", "CN-BJ"))).keys() == {"D-BJ"}
    assert AuditEntry.objects.filter(action="list", target_type="documents.document").exists()


def test_vault_filters_by_state_and_overdue(vault):
    client = as_user(vault["officer"])
    assert vault_ids(client, "?state=held").keys() == {"D-GD"}
    assert vault_ids(client, "?state=none").keys() == {"D-NEW"}
    assert vault_ids(client, "?overdue=true").keys() == {"D-LATE"}
    assert client.get("/api/custody/vault/?state=stolen").status_code == 400


# reminders


def test_my_reminders_are_only_mine_and_can_be_marked_read(world, make_user):
    other = make_user("personnel_officer", "CN-GD")
    mine = Reminder.objects.create(user=world["officer"], kind="expiry", document=world["gd_doc"],
                                   due_on=datetime.date(2030, 1, 1), message="expires")
    theirs = Reminder.objects.create(user=other, kind="expiry", document=world["gd_doc"],
                                     due_on=datetime.date(2030, 1, 1), message="expires")
    assert as_user(None).get("/api/reminders/").status_code == 401
    client = as_user(world["officer"])
    assert [row["id"] for row in client.get("/api/reminders/").json()["results"]] == [mine.pk]
    assert client.post(f"/api/reminders/{theirs.pk}/read/").status_code == 404
    response = client.post(f"/api/reminders/{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    assert client.get("/api/reminders/?unread=true").json()["results"] == []
