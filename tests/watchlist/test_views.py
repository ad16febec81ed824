"""The watch-list pages: the list with review warnings and the propose form, an entry with its actions.

Each page is tried anonymous, with a role that may not use it (403), in the
user's own scope (200) and on another jurisdiction's entry (404).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from longarm.audit.models import AuditEntry
from longarm.watchlist.models import WatchlistEntry

LIST = reverse("watchlist:list")
PROPOSE = reverse("watchlist:propose")
PASSWORD = "correct horse battery staple"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def page(entry):
    return reverse("watchlist:entry", args=[entry.pk])


def act(entry, action):
    return reverse("watchlist:act", args=[entry.pk, action])


def entry_for(official, entry_id, *, expires_in=200, status="active"):
    today = timezone.localdate()
    return WatchlistEntry.objects.create(
        entry_id=entry_id, official=official, measure="exit_ban", legal_basis="Supervision Law art. 30",
        authority="Guangdong Supervision Commission", starts_on=today - datetime.timedelta(days=10),
        expires_on=today + datetime.timedelta(days=expires_in), status=status)


@pytest.fixture
def world(make_official, make_user):
    gd = make_official(official_id="GD-1")
    bj = make_official(official_id="BJ-1", jurisdiction="CN-BJ", organization="Beijing Bureau")
    return {"gd": gd, "bj": bj, "gd_entry": entry_for(gd, "WL-GD", expires_in=12),
            "bj_entry": entry_for(bj, "WL-BJ"),
            "analyst": make_user("provincial_analyst", "CN-GD"), "second": make_user("provincial_analyst", "CN-GD")}


def test_anonymous_is_sent_to_login(client, world):
    for url in (LIST, page(world["gd_entry"])):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    assert client.post(act(world["gd_entry"], "withdraw"), {"withdraw-reason": "x"}).status_code == 302


def test_role_without_the_watch_list_is_refused(client, world, make_user):
    login(client, make_user("personnel_officer", "CN-GD"))
    assert client.get(LIST).status_code == 403
    assert client.get(page(world["gd_entry"])).status_code == 403
    assert client.post(act(world["gd_entry"], "withdraw"), {"withdraw-reason": "x"}).status_code == 403


def test_analyst_sees_own_entries_and_review_warnings(client, world):
    response = login(client, world["analyst"]).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "WL-GD" in body and "WL-BJ" not in body
    assert "12 days left" in body
    assert client.get(page(world["gd_entry"])).status_code == 200


def test_other_jurisdictions_entry_is_not_found(client, world):
    login(client, world["analyst"])
    assert client.get(page(world["bj_entry"])).status_code == 404
    assert client.post(act(world["bj_entry"], "withdraw"), {"withdraw-reason": "x"}).status_code == 404


def test_propose_then_confirm_by_another_analyst(client, world):
    today = timezone.localdate()
    login(client, world["analyst"])
    response = client.post(PROPOSE, {
        "official": "GD-1", "measure": "alert_only", "legal_basis": "Decision 12/2026", "authority": "GD Commission",
        "case_ref": "C-1", "starts_on": today, "expires_on": today + datetime.timedelta(days=90)})
    assert response.status_code == 302
    entry = WatchlistEntry.objects.get(official=world["gd"], measure="alert_only")
    assert entry.status == "proposed"
    response = client.post(act(entry, "confirm"), {})
    assert response.status_code == 400
    assert entry.pk in response.content.decode()
    assert WatchlistEntry.objects.get(pk=entry.pk).status == "proposed"
    client.logout()
    login(client, world["second"])
    assert client.post(act(entry, "confirm"), {}).status_code == 302
    assert WatchlistEntry.objects.get(pk=entry.pk).status == "active"


def test_propose_refusal_and_unknown_official_are_shown(client, world):
    today = timezone.localdate()
    login(client, world["analyst"])
    response = client.post(PROPOSE, {"official": "BJ-1", "measure": "exit_ban", "legal_basis": "x",
                                     "authority": "y", "starts_on": today, "expires_on": today})
    assert response.status_code == 400
    assert "No official with this id in your scope" in response.content.decode()
    response = client.post(PROPOSE, {"official": "GD-1", "measure": "exit_ban", "legal_basis": "x",
                                     "authority": "y", "starts_on": today, "expires_on": today})
    assert response.status_code == 400
    assert "must be after the start" in response.content.decode()


def test_extend_and_withdraw_with_reason(client, world):
    entry = world["gd_entry"]
    login(client, world["analyst"])
    new = entry.expires_on + datetime.timedelta(days=100)
    response = client.post(act(entry, "extend"), {"extend-new_expires_on": new, "extend-reason": "case ongoing"})
    assert response.status_code == 302
    assert WatchlistEntry.objects.get(pk=entry.pk).expires_on == new
    assert client.post(act(entry, "withdraw"), {"withdraw-reason": ""}).status_code == 400
    assert client.post(act(entry, "withdraw"), {"withdraw-reason": "case closed"}).status_code == 302
    assert WatchlistEntry.objects.get(pk=entry.pk).status == "withdrawn"
    body = client.get(page(entry)).content.decode()
    assert "case ongoing" in body and "case closed" in body


def test_list_pages_through_entries_keeping_the_filters(client, world, make_official, settings):
    settings.LONGARM_UI_PAGE_SIZE = 2
    today = timezone.localdate()
    gd = world["gd"]
    # Latest start first: WL-GD (started 10 days ago) comes after these three.
    for n, started in enumerate((1, 2, 3)):
        WatchlistEntry.objects.create(
            entry_id=f"WL-GD-{n}", official=gd, measure="exit_ban", legal_basis="Supervision Law art. 30",
            authority="Guangdong Supervision Commission", starts_on=today - datetime.timedelta(days=started),
            expires_on=today + datetime.timedelta(days=100), status="active")
    WatchlistEntry.objects.create(
        entry_id="WL-GD-ALERT", official=gd, measure="alert_only", legal_basis="Supervision Law art. 30",
        authority="Guangdong Supervision Commission", starts_on=today, expires_on=today + datetime.timedelta(days=9),
        status="active")
    WatchlistEntry.objects.create(
        entry_id="WL-GD-OLD", official=make_official(official_id="GD-2"), measure="exit_ban", legal_basis="x",
        authority="y", starts_on=today - datetime.timedelta(days=90), expires_on=today - datetime.timedelta(days=1),
        status="active")
    analyst = world["analyst"]
    login(client, analyst)

    first = client.get(LIST, {"measure": "exit_ban", "state": "in_force"}).content.decode()
    assert "Showing 1–2 of 4" in first and "WL-GD-0" in first and "WL-GD-1" in first
    assert "?measure=exit_ban&amp;state=in_force&amp;page=2" in first and 'rel="prev"' not in first
    second = client.get(LIST, {"measure": "exit_ban", "state": "in_force", "page": 2}).content.decode()
    assert "Showing 3–4 of 4" in second and "WL-GD-2" in second and ">WL-GD</a>" in second
    assert 'rel="next"' not in second and 'rel="prev"' in second
    for body in (first, second):
        assert "WL-GD-ALERT" not in body.split("Entries")[1] and "WL-GD-OLD" not in body and "WL-BJ" not in body
    lapsed = client.get(LIST, {"state": "lapsed"}, headers={"HX-Request": "true"}).content.decode()
    assert lapsed.lstrip().startswith('<section id="results"') and "WL-GD-OLD" in lapsed and "Propose" not in lapsed
    assert "Showing 1–1 of 1" in client.get(LIST, {"official_id": "GD-2"}).content.decode()
    refused = client.get(LIST, {"page": "0", "state": "nonsense"}).content.decode()
    assert "The filters were not applied" in refused and "Showing" not in refused
    details = [row.detail for row in AuditEntry.objects.filter(
        actor=analyst, action="search", target_type="watchlist.watchlistentry").order_by("seq")]
    assert [(d["state"], d["page"], d["shown"]) for d in details] == [
        ("in_force", 1, 2), ("in_force", 2, 2), ("lapsed", 1, 1), ("", 1, 1)]
