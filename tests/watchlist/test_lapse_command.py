"""`longarm watchlist lapse`: entries that lapsed on expiry are written into their history, once."""

import io

from django.core.management import call_command

from longarm.audit.models import AuditEntry
from longarm.audit.selectors import audit_verify
from longarm.watchlist.models import WatchlistEvent
from tests.watchlist.test_services import audit_rows, clock, confirmed, days, frozen, team  # noqa: F401


def lapse(*args) -> str:
    out = io.StringIO()
    call_command("watchlist", "lapse", *args, stdout=out)
    return out.getvalue()


def test_watchlist_lapse_records_what_lapsed_by_the_frozen_clock_once(team, clock):
    ending = confirmed(team, expires_on=days(30))
    lasting = confirmed(team, expires_on=days(60))
    with frozen(days(30)):  # the last day in force: nothing has lapsed yet
        assert "0 entries newly recorded" in lapse()
    with frozen(days(31)):
        assert "on 2026-04-02: 1 entry newly recorded as lapsed" in lapse()
        assert "0 entries newly recorded" in lapse()  # idempotent
    [event] = WatchlistEvent.objects.filter(kind="lapsed")
    assert event.entry == ending and event.actor.username == "system"
    assert not lasting.events.filter(kind="lapsed").exists()
    [row] = audit_rows(ending, "watchlist.lapse")
    assert row.actor_name == "system" and row.detail == {"expires_on": "2026-04-01", "recorded_on": "2026-04-02"}
    runs = list(AuditEntry.objects.filter(action="watchlist.lapse_run").order_by("seq")
                .values_list("detail", flat=True))
    assert runs == [{"today": "2026-04-01", "lapsed": 0}, {"today": "2026-04-02", "lapsed": 1},
                    {"today": "2026-04-02", "lapsed": 0}]
    assert audit_verify().ok


def test_watchlist_lapse_takes_a_day_and_skips_withdrawn_and_unconfirmed_entries(team, clock):
    from longarm.watchlist.services import watchlist_propose, watchlist_withdraw

    withdrawn = confirmed(team, expires_on=days(10))
    watchlist_withdraw(entry=withdrawn, reason="Case closed", actor=team.proposer)
    watchlist_propose(official=team.official, measure="alert_only", legal_basis="Supervision Law art. 30",
                      authority="Guangdong Supervision Commission", starts_on=days(0), expires_on=days(10),
                      actor=team.proposer)
    ending = confirmed(team, expires_on=days(20))
    assert "1 entry newly recorded" in lapse("--today", days(21).isoformat())
    assert list(WatchlistEvent.objects.filter(kind="lapsed").values_list("entry", flat=True)) == [ending.pk]


def test_watchlist_lapse_is_listed_in_longarm_help(capsys):
    from longarm.cli import main

    main(["longarm"])
    assert "longarm watchlist lapse [--today D]" in capsys.readouterr().out
