import datetime
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import IntegrityError, transaction
from django.http import Http404

from longarm.audit.models import AuditEntry
from longarm.runs.services import system_user
from longarm.watchlist.errors import WatchlistError, WatchlistPermissionDenied
from longarm.watchlist.models import WatchlistEntry, WatchlistEvent
from longarm.watchlist.selectors import (
    EntryState,
    watchlist_awaiting_confirmation,
    watchlist_due_for_review,
    watchlist_effective_on,
    watchlist_entry_history,
    watchlist_entry_state,
    watchlist_review_warnings,
)
from longarm.watchlist.services import (
    watchlist_confirm,
    watchlist_extend,
    watchlist_propose,
    watchlist_record_lapses,
    watchlist_withdraw,
)

TODAY = datetime.date(2026, 3, 2)


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@contextmanager
def frozen(day: datetime.date):
    """Freeze `timezone.now()` at noon Beijing time on `day`."""
    moment = datetime.datetime.combine(day, datetime.time(4, 0), tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def clock():
    with frozen(TODAY):
        yield TODAY


@pytest.fixture
def team(make_official, make_user):
    class Team:
        official = make_official(official_id="GD-1", jurisdiction="CN-GD")
        beijinger = make_official(official_id="BJ-1", jurisdiction="CN-BJ", organization="Beijing Bureau")
        proposer = make_user("provincial_analyst", "CN-GD")
        confirmer = make_user("provincial_analyst", "CN-GD")
        central = make_user("central_analyst")
        beijing_analyst = make_user("provincial_analyst", "CN-BJ")
        personnel_officer = make_user("personnel_officer", "CN-GD")

    return Team


def audit_rows(entry, action):
    return list(AuditEntry.objects.filter(target_type="watchlist.watchlistentry", target_id=entry.pk, action=action))


def propose(team, **overrides):
    values = {"official": team.official, "measure": "exit_ban", "legal_basis": "Supervision Law art. 30",
              "authority": "Guangdong Supervision Commission", "case_ref": "GD-2026-17",
              "starts_on": TODAY, "expires_on": days(90), "actor": team.proposer}
    values.update(overrides)
    return watchlist_propose(**values)


def confirmed(team, **overrides):
    return watchlist_confirm(entry=propose(team, **overrides), actor=team.confirmer)


# propose ---------------------------------------------------------------------------------------------


def test_watchlist_propose_creates_a_proposal_that_restricts_nobody_yet(team, clock):
    entry = propose(team)
    assert entry.entry_id.startswith("W-") and entry.status == "proposed"
    assert entry.proposed_by == team.proposer and entry.confirmed_by is None
    assert watchlist_entry_state(entry) == EntryState.PROPOSED
    assert not watchlist_effective_on(TODAY).exists()
    [row] = audit_rows(entry, "watchlist.propose")
    assert row.actor == team.proposer
    assert row.detail["legal_basis"] == "Supervision Law art. 30" and row.detail["expires_on"] == "2026-05-31"
    assert list(entry.events.values_list("kind", flat=True)) == ["proposed"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"legal_basis": "   "}, "No legal basis, no restriction"),
        ({"authority": ""}, "Name the authority"),
        ({"expires_on": TODAY}, "must be after the start"),
        ({"starts_on": days(-100), "expires_on": days(-1)}, "already past"),
        ({"measure": "travel_ban"}, "Unknown measure"),
    ],
)
def test_watchlist_propose_refuses_an_entry_without_its_safeguards(team, clock, overrides, message):
    with pytest.raises(WatchlistError, match=message):
        propose(team, **overrides)
    assert not WatchlistEntry.objects.exists() and not AuditEntry.objects.filter(action="watchlist.propose").exists()


def test_watchlist_propose_is_for_analysts_of_the_officials_jurisdiction(team, clock):
    with pytest.raises(WatchlistPermissionDenied):
        propose(team, actor=team.personnel_officer)
    with pytest.raises(Http404):
        propose(team, actor=team.beijing_analyst)
    assert propose(team, actor=team.central).status == "proposed"


# confirm ---------------------------------------------------------------------------------------------


def test_watchlist_confirm_by_a_second_analyst_puts_the_entry_in_force(team, clock):
    entry = watchlist_confirm(entry=propose(team), actor=team.confirmer)
    assert entry.status == "active" and entry.confirmed_by == team.confirmer and entry.confirmed_at is not None
    assert list(watchlist_effective_on(TODAY)) == [entry]
    [row] = audit_rows(entry, "watchlist.confirm")
    assert row.actor == team.confirmer and row.detail["proposed_by"] == team.proposer.pk


def test_watchlist_confirm_refuses_the_proposer(team, clock):
    entry = propose(team)
    with pytest.raises(WatchlistPermissionDenied, match="second analyst"):
        watchlist_confirm(entry=entry, actor=team.proposer)
    entry.refresh_from_db()
    assert entry.status == "proposed" and not audit_rows(entry, "watchlist.confirm")


def test_database_refuses_an_entry_confirmed_by_its_proposer(team, clock):
    entry = propose(team)
    with pytest.raises(IntegrityError), transaction.atomic():
        WatchlistEntry.objects.filter(pk=entry.pk).update(status="active", confirmed_by=team.proposer)


def test_watchlist_confirm_hides_other_jurisdictions_and_refuses_other_roles(team, clock):
    entry = propose(team)
    with pytest.raises(Http404):
        watchlist_confirm(entry=entry, actor=team.beijing_analyst)
    with pytest.raises(WatchlistPermissionDenied):
        watchlist_confirm(entry=entry, actor=team.personnel_officer)
    assert watchlist_confirm(entry=entry, actor=team.central).status == "active"


def test_watchlist_confirm_refuses_a_proposal_that_expired_while_waiting(team, clock):
    entry = propose(team, expires_on=days(5))
    with frozen(days(6)), pytest.raises(WatchlistError, match="propose it again"):
        watchlist_confirm(entry=entry, actor=team.confirmer)
    assert not audit_rows(entry, "watchlist.confirm")


# extend ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_watchlist_extend_needs_a_reason(team, clock, reason):
    entry = confirmed(team)
    with pytest.raises(WatchlistError, match="needs a recorded reason"):
        watchlist_extend(entry=entry, new_expires_on=days(180), reason=reason, actor=team.confirmer)
    entry.refresh_from_db()
    assert entry.expires_on == days(90) and not audit_rows(entry, "watchlist.extend")


def test_watchlist_extend_with_a_reason_moves_the_expiry_and_keeps_the_old_one(team, clock):
    entry = confirmed(team)
    entry = watchlist_extend(entry=entry, new_expires_on=days(180), reason="Investigation extended by the court",
                             actor=team.proposer)
    assert entry.expires_on == days(180)
    event = entry.events.get(kind="extended")
    assert (event.previous_expires_on, event.expires_on, event.reason) == (
        days(90), days(180), "Investigation extended by the court")
    [row] = audit_rows(entry, "watchlist.extend")
    assert row.actor == team.proposer and row.detail == {
        "previous_expires_on": "2026-05-31", "expires_on": "2026-08-29",
        "reason": "Investigation extended by the court"}


def test_watchlist_extend_refuses_an_earlier_date_a_proposal_and_a_lapsed_entry(team, clock):
    entry = confirmed(team)
    with pytest.raises(WatchlistError, match="must be after the current one"):
        watchlist_extend(entry=entry, new_expires_on=days(90), reason="r", actor=team.proposer)
    with pytest.raises(WatchlistError, match="Only a confirmed entry"):
        watchlist_extend(entry=propose(team), new_expires_on=days(180), reason="r", actor=team.confirmer)
    with frozen(days(91)), pytest.raises(WatchlistError, match="lapsed"):
        watchlist_extend(entry=entry, new_expires_on=days(180), reason="r", actor=team.proposer)
    assert not AuditEntry.objects.filter(action="watchlist.extend").exists()


def test_imported_entry_counts_as_confirmed_and_can_be_extended(team, clock):
    entry = WatchlistEntry.objects.create(entry_id="IMP-1", official=team.official, measure="alert_only",
                                          legal_basis="Decision 12/2025", authority="CCDI", starts_on=days(-10),
                                          expires_on=days(10))
    entry.refresh_from_db()
    assert entry.status == "active" and list(watchlist_effective_on(TODAY)) == [entry]
    entry = watchlist_extend(entry=entry, new_expires_on=days(40), reason="Review: case open", actor=team.central)
    assert entry.expires_on == days(40) and len(audit_rows(entry, "watchlist.extend")) == 1


# withdraw --------------------------------------------------------------------------------------------


def test_watchlist_withdraw_needs_a_reason(team, clock):
    entry = confirmed(team)
    with pytest.raises(WatchlistError, match="needs a recorded reason"):
        watchlist_withdraw(entry=entry, reason=" ", actor=team.proposer)
    assert not audit_rows(entry, "watchlist.withdraw")


def test_watchlist_withdraw_ends_the_restriction_and_keeps_the_history(team, clock):
    entry = confirmed(team)
    entry = watchlist_withdraw(entry=entry, reason="Case closed by the prosecutor", actor=team.proposer)
    assert entry.status == "withdrawn" and entry.status_reason == "Case closed by the prosecutor"
    assert not watchlist_effective_on(TODAY).exists()
    assert [e.kind for e in watchlist_entry_history(entry=entry, user=team.central)] == [
        "proposed", "confirmed", "withdrawn"]
    [row] = audit_rows(entry, "watchlist.withdraw")
    assert row.actor == team.proposer and row.detail == {
        "previous_status": "active", "reason": "Case closed by the prosecutor"}
    with pytest.raises(WatchlistError, match="already withdrawn"):
        watchlist_withdraw(entry=entry, reason="again", actor=team.proposer)


# lapse and review ------------------------------------------------------------------------------------


def test_entry_lapses_by_itself_after_its_expiry_date(team, clock):
    entry = confirmed(team, expires_on=days(30))
    writes = AuditEntry.objects.count()
    with frozen(days(30)):
        assert list(watchlist_effective_on(days(30))) == [entry]
        assert watchlist_entry_state(entry) == EntryState.IN_FORCE
    with frozen(days(31)):
        assert not watchlist_effective_on(days(31)).exists()
        assert watchlist_entry_state(entry) == EntryState.LAPSED
    entry.refresh_from_db()
    assert entry.status == "active" and AuditEntry.objects.count() == writes  # no job had to run


def test_watchlist_record_lapses_writes_history_once(team, clock):
    entry = confirmed(team, expires_on=days(30))
    confirmed(team, expires_on=days(60))
    system = system_user()
    with frozen(days(31)):
        assert watchlist_record_lapses(today=days(31), actor=system) == 1
        assert watchlist_record_lapses(today=days(31), actor=system) == 0
    assert WatchlistEvent.objects.filter(kind="lapsed").get().entry == entry
    [row] = audit_rows(entry, "watchlist.lapse")
    assert row.actor == system and row.detail == {"expires_on": "2026-04-01", "recorded_on": "2026-04-02"}


def test_watchlist_due_for_review_warns_thirty_days_ahead(team, clock):
    soon = confirmed(team, expires_on=days(30))
    confirmed(team, expires_on=days(31))
    propose(team, expires_on=days(10))  # not in force: confirmed or withdrawn, not reviewed
    assert list(watchlist_due_for_review(user=team.proposer)) == [soon]
    [warning] = watchlist_review_warnings(user=team.proposer)
    assert (warning.entry, warning.days_left) == (soon, 30)
    with frozen(days(31)):
        assert list(watchlist_due_for_review(user=team.proposer)) == [
            WatchlistEntry.objects.get(expires_on=days(31))]
    assert not watchlist_due_for_review(user=team.beijing_analyst).exists()


def test_awaiting_confirmation_leaves_out_the_callers_own_proposals(team, clock):
    entry = propose(team)
    assert not watchlist_awaiting_confirmation(user=team.proposer).exists()
    assert list(watchlist_awaiting_confirmation(user=team.confirmer)) == [entry]
    assert not watchlist_awaiting_confirmation(user=team.beijing_analyst).exists()
