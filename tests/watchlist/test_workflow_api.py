"""Every watch-list workflow endpoint: anonymous, without permission, with permission, another jurisdiction."""

import datetime

import pytest
from rest_framework.test import APIClient

from longarm.audit.models import AuditEntry
from longarm.watchlist.models import WatchlistEntry
from longarm.watchlist.services import watchlist_confirm, watchlist_propose


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def today():
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def team(make_official, make_user):
    class Team:
        official = make_official(official_id="GD-1", jurisdiction="CN-GD")
        beijinger = make_official(official_id="BJ-1", jurisdiction="CN-BJ", organization="Beijing Bureau")
        proposer = make_user("provincial_analyst", "CN-GD")
        confirmer = make_user("provincial_analyst", "CN-GD")
        beijing_analyst = make_user("provincial_analyst", "CN-BJ")
        personnel_officer = make_user("personnel_officer", "CN-GD")
        official_login = make_user("official", "CN-GD", official=official)

    return Team


def proposal(team, today, *, expires_in=90):
    return watchlist_propose(official=team.official, measure="exit_ban", legal_basis="Supervision Law art. 30",
                             authority="Guangdong Supervision Commission", starts_on=today,
                             expires_on=today + datetime.timedelta(days=expires_in), actor=team.proposer)


def in_force(team, today, *, expires_in=90):
    return watchlist_confirm(entry=proposal(team, today, expires_in=expires_in), actor=team.confirmer)


def not_allowed(team):
    """Anonymous callers and roles that do not keep the watch list."""
    return [(client_for(), (401, 403)), (client_for(team.personnel_officer), (403,)),
            (client_for(team.official_login), (403,))]


# /api/watchlist/proposals/ ---------------------------------------------------------------------------


def body(today, official_id="GD-1", **overrides):
    values = {"official_id": official_id, "measure": "exit_ban", "legal_basis": "Supervision Law art. 30",
              "authority": "Guangdong Supervision Commission", "case_ref": "GD-2026-17",
              "starts_on": today.isoformat(), "expires_on": (today + datetime.timedelta(days=90)).isoformat()}
    values.update(overrides)
    return values


def test_propose_api_by_role_and_scope(team, today):
    for client, codes in not_allowed(team):
        assert client.post("/api/watchlist/proposals/", body(today), format="json").status_code in codes
    assert client_for(team.proposer).post(
        "/api/watchlist/proposals/", body(today, official_id="BJ-1"), format="json").status_code == 404
    assert not WatchlistEntry.objects.exists()
    response = client_for(team.proposer).post("/api/watchlist/proposals/", body(today), format="json")
    assert response.status_code == 201 and response.json()["state"] == "proposed"
    assert AuditEntry.objects.filter(action="watchlist.propose", target_id=response.json()["entry_id"]).exists()


def test_propose_api_refuses_an_entry_without_legal_basis(team, today):
    response = client_for(team.proposer).post(
        "/api/watchlist/proposals/", body(today, legal_basis=" "), format="json")
    assert response.status_code == 400 and not WatchlistEntry.objects.exists()


def test_proposals_api_lists_what_the_caller_may_confirm(team, today):
    entry = proposal(team, today)
    for client, codes in not_allowed(team):
        assert client.get("/api/watchlist/proposals/").status_code in codes
    assert client_for(team.proposer).get("/api/watchlist/proposals/").json()["results"] == []
    assert client_for(team.beijing_analyst).get("/api/watchlist/proposals/").json()["results"] == []
    [item] = client_for(team.confirmer).get("/api/watchlist/proposals/").json()["results"]
    assert item["entry_id"] == entry.pk and item["proposed_by"] == team.proposer.username


# /api/watchlist/{id}/confirm|extend|withdraw/ --------------------------------------------------------


def test_confirm_api_by_role_and_scope(team, today):
    entry = proposal(team, today)
    url = f"/api/watchlist/{entry.pk}/confirm/"
    for client, codes in not_allowed(team):
        assert client.post(url).status_code in codes
    assert client_for(team.beijing_analyst).post(url).status_code == 404
    assert client_for(team.proposer).post(url).status_code == 403  # the second analyst confirms
    response = client_for(team.confirmer).post(url)
    assert response.status_code == 200 and response.json()["state"] == "in_force"
    assert AuditEntry.objects.filter(action="watchlist.confirm", target_id=entry.pk, actor=team.confirmer).exists()


def test_extend_api_by_role_and_scope(team, today):
    entry = in_force(team, today)
    url = f"/api/watchlist/{entry.pk}/extend/"
    later = (today + datetime.timedelta(days=180)).isoformat()
    for client, codes in not_allowed(team):
        assert client.post(url, {"new_expires_on": later, "reason": "r"}).status_code in codes
    assert client_for(team.beijing_analyst).post(url, {"new_expires_on": later, "reason": "r"}).status_code == 404
    assert client_for(team.proposer).post(url, {"new_expires_on": later, "reason": " "}).status_code == 400
    response = client_for(team.proposer).post(url, {"new_expires_on": later, "reason": "Court extended custody"})
    assert response.status_code == 200 and response.json()["expires_on"] == later
    assert AuditEntry.objects.filter(action="watchlist.extend", target_id=entry.pk).count() == 1


def test_withdraw_api_by_role_and_scope(team, today):
    entry = in_force(team, today)
    url = f"/api/watchlist/{entry.pk}/withdraw/"
    for client, codes in not_allowed(team):
        assert client.post(url, {"reason": "r"}).status_code in codes
    assert client_for(team.beijing_analyst).post(url, {"reason": "r"}).status_code == 404
    response = client_for(team.confirmer).post(url, {"reason": "Case closed"})
    assert response.status_code == 200 and response.json()["state"] == "withdrawn"
    assert AuditEntry.objects.filter(action="watchlist.withdraw", target_id=entry.pk).exists()


# /api/watchlist/due-for-review/ and /api/watchlist/{id}/history/ -------------------------------------


def test_due_for_review_api_by_role_and_scope(team, today):
    soon = in_force(team, today, expires_in=20)
    in_force(team, today, expires_in=60)
    for client, codes in not_allowed(team):
        assert client.get("/api/watchlist/due-for-review/").status_code in codes
    assert client_for(team.beijing_analyst).get("/api/watchlist/due-for-review/").json()["results"] == []
    response = client_for(team.proposer).get("/api/watchlist/due-for-review/")
    assert [item["entry_id"] for item in response.json()["results"]] == [soon.pk]
    wider = client_for(team.proposer).get("/api/watchlist/due-for-review/?days=90").json()["results"]
    assert len(wider) == 2
    assert AuditEntry.objects.filter(action="view", actor=team.proposer, target_id="list").exists()


def test_history_api_by_role_and_scope(team, today):
    entry = in_force(team, today)
    url = f"/api/watchlist/{entry.pk}/history/"
    for client, codes in not_allowed(team):
        assert client.get(url).status_code in codes
    assert client_for(team.beijing_analyst).get(url).status_code == 404
    response = client_for(team.confirmer).get(url)
    assert response.status_code == 200
    assert [event["kind"] for event in response.json()["events"]] == ["proposed", "confirmed"]
    assert AuditEntry.objects.filter(action="view", target_id=entry.pk, actor=team.confirmer).exists()
