"""A daily reconciliation reads only what was written since the last run (crossings by write order, the
registry through its change log); its result must be the one of a run that reads everything.

Each test changes the world between runs, runs the daily reconciliation, then a full one: the full run must
find nothing to raise, withdraw, reopen or re-own, and the daily run must have done the work."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from longarm.alerts.models import Alert, AlertStatus, OwnedCrossing
from longarm.alerts.reconciliation import reconcile_as_of
from longarm.border.models import Crossing
from longarm.documents.models import CustodyEvent, Document
from longarm.engine.normalize import name_key
from longarm.registry.models import Official, Relative
from longarm.runs.imports import import_files

WORLD = Path(__file__).resolve().parents[1] / "fixtures" / "world"
FIRST, LAST = datetime.date(2024, 6, 30), datetime.date(2024, 12, 31)


@pytest.fixture
def world(system, monkeypatch):
    # identity resolution is its own run, tested elsewhere; these tests are about the rules' reads
    monkeypatch.setattr("longarm.alerts.reconciliation.identity_resolve", lambda **kwargs: None)
    import_files(paths=sorted(WORLD.glob("*.csv")), actor=system)
    first = reconcile_as_of(as_of=FIRST, actor=system)
    assert first.parameters["mode"] == "full" and first.parameters["full_because"] == "first run"
    return system


def _live() -> set[tuple[str, str, str]]:
    return set(Alert.objects.filter(status__in=("open", "acknowledged", "escalated"))
               .values_list("code", "official_id", "ref"))


def _daily_then_full(system, as_of=LAST):
    daily = reconcile_as_of(as_of=as_of, actor=system)
    assert daily.parameters["mode"] == "daily", daily.parameters
    live = _live()
    full = reconcile_as_of(as_of=as_of, actor=system, full=True)
    assert full.parameters == {**daily.parameters, "mode": "full", "full_because": "asked for"}
    assert (full.counts["raised"], full.counts["withdrawn"], full.counts["reopened"],
            full.counts["crossings_owner_written"]) == (0, 0, 0, 0), "the daily run missed what the full run found"
    assert _live() == live
    return daily


def _crossing(event_id, like: Crossing, **fields) -> Crossing:
    values = {f.attname: getattr(like, f.attname) for f in Crossing._meta.concrete_fields}
    values.update(event_id=event_id, official_id=None, **fields)
    return Crossing.objects.create(**values)


def test_a_daily_run_reads_the_new_days_crossings_and_late_arrivals(world):
    used = Crossing.objects.filter(official__isnull=False, direction="exit").order_by("event_id").first()
    # a new day's exit on the same document, with no trip, and a late record of an earlier exit
    at = datetime.datetime(2024, 12, 20, 2, tzinfo=datetime.UTC)
    _crossing("LATE-NEW", used, occurred_at=at, local_date=at.date())
    early = datetime.datetime(2024, 1, 15, 2, tzinfo=datetime.UTC)
    _crossing("LATE-OLD", used, occurred_at=early, local_date=early.date())
    daily = _daily_then_full(world)
    assert {("UNAUTHORIZED_EXIT", used.official_id, "LATE-NEW"),
            ("UNAUTHORIZED_EXIT", used.official_id, "LATE-OLD")} <= _live()
    assert daily.counts["loaded"]["crossings"] < Crossing.objects.count()


def test_registry_changes_reach_earlier_crossings_and_the_registry_rules(world):
    strangers = list(Crossing.objects.filter(official__isnull=True).order_by("event_id")[:2])
    assert len(strangers) == 2
    officials = list(Official.objects.order_by("official_id"))
    # 1. a document registered today with the number an earlier crossing used: that crossing is now theirs
    by_number = officials[0]
    Document.objects.create(document_id="D-NEW-1", official=by_number, doc_type=strangers[0].doc_type,
                            number=strangers[0].doc_number, number_norm=strangers[0].doc_number_norm,
                            issuing_state=strangers[0].issuing_state, expires_on=datetime.date(2034, 1, 1))
    # 2. an official's corrected name and date of birth are an earlier crossing's (its document unregistered)
    renamed = officials[1]
    Official.objects.filter(pk=renamed.pk).update(
        family_name=strangers[1].family_name, given_name=strangers[1].given_name,
        date_of_birth=strangers[1].date_of_birth, sex=strangers[1].sex,
        name_key=name_key(strangers[1].family_name, strangers[1].given_name))
    # 3. a document whose number is corrected: its crossings no longer use a registered document
    moved = Document.objects.filter(number_norm__in=Crossing.objects.filter(official__isnull=False)
                                    .values("doc_number_norm")).exclude(official=renamed).order_by("pk").first()
    Document.objects.filter(pk=moved.pk).update(number="ZZ0000001", number_norm="ZZ0000001")
    # 4. a second official registered with another's document number
    shared = Document.objects.exclude(official__in=(by_number, renamed)).order_by("pk").last()
    sharer = next(o for o in officials if o.pk not in (shared.official_id, by_number.pk, renamed.pk))
    Document.objects.create(document_id="D-NEW-2", official=sharer, doc_type=shared.doc_type, number=shared.number,
                            number_norm=shared.number_norm, issuing_state=shared.issuing_state,
                            expires_on=datetime.date(2034, 1, 1))
    # 5. a spouse who emigrated
    married = next(o for o in reversed(officials) if not o.relatives.filter(relation="spouse").exists())
    Relative.objects.create(relative_id="R-NEW-1", official=married, relation="spouse", family_name="LI",
                            given_name="NA", residence_country="CAN", residence_status="citizen")
    # 6. one of an official's two passports reported lost: the two no longer conflict
    CustodyEvent.objects.create(event_id="C-NEW-1", document_id="D-BJ-005-P2", action="lost",
                                occurred_at=datetime.datetime(2024, 7, 1, tzinfo=datetime.UTC), utc_offset=480)
    # 7. an MRZ corrected
    Document.objects.filter(pk="D-SH-005-P").update(mrz="")
    before = _live()

    daily = _daily_then_full(world)

    after = _live()
    assert Crossing.objects.get(pk=strangers[0].pk).official_id == by_number.pk
    assert Crossing.objects.get(pk=strangers[1].pk).official_id == renamed.pk
    # its earlier crossings now carry a number registered to nobody: theirs by identity, unregistered
    earlier = Crossing.objects.filter(doc_number_norm=moved.number_norm).values_list("event_id", flat=True)
    assert earlier and {("UNREGISTERED_DOCUMENT", moved.official_id, event) for event in earlier} <= after - before
    assert ("NAKED_OFFICIAL", married.pk, married.pk) in after - before
    assert any(code == "DUPLICATE_DOCUMENT" and "D-NEW-2" in ref for code, _, ref in after - before)
    assert ("DUPLICATE_DOCUMENT", "O-BJ-005", "D-BJ-005-P1;D-BJ-005-P2") in before - after
    assert ("INVALID_MRZ", "O-SH-005", "D-SH-005-P") in before - after
    assert daily.counts["withdrawn"] >= 2 and daily.counts["raised"] >= 4
    # the registry scope is the officials the changes touch, not the registry
    assert daily.counts["loaded"]["registry_scope"] < Official.objects.count()


def test_a_daily_run_keeps_the_alerts_of_a_crossing_with_two_owners(world):
    """A number registered to two officials: the crossing has no single owner, and its alerts name each;
    the next daily run must still read it (it is kept among the crossings that had owners)."""
    used = Crossing.objects.filter(official__isnull=False, direction="exit").order_by("event_id").first()
    document = Document.objects.get(official_id=used.official_id, number_norm=used.doc_number_norm,
                                    issuing_state=used.issuing_state)
    other = Official.objects.exclude(pk=used.official_id).order_by("pk").first()
    Document.objects.create(document_id="D-TWIN", official=other, doc_type=document.doc_type, number=document.number,
                            number_norm=document.number_norm, issuing_state=document.issuing_state,
                            expires_on=datetime.date(2034, 1, 1))
    _daily_then_full(world, as_of=datetime.date(2024, 9, 30))
    assert Crossing.objects.get(pk=used.pk).official_id is None
    assert OwnedCrossing.objects.filter(pk=used.pk).exists()
    assert Alert.objects.filter(official=other, ref=used.pk, status=AlertStatus.OPEN).exists()
    # nothing changed since: the next daily run finds the same
    _daily_then_full(world, as_of=datetime.date(2024, 10, 1))
    assert Alert.objects.filter(official=other, ref=used.pk, status=AlertStatus.OPEN).exists()


def test_many_registry_changes_make_the_run_read_everything(world, settings):
    settings.LONGARM_RECONCILE_DAILY_MAX_CHANGES = 3
    Official.objects.update(position="Inspector")
    run = reconcile_as_of(as_of=LAST, actor=world)
    assert run.parameters["mode"] == "full"
    assert run.parameters["full_because"].endswith("registry changes since the last run")


def test_the_command_says_which_run_it_was(world):
    out = io.StringIO()
    call_command("reconcile", "--as-of", LAST.isoformat(), stdout=out, stderr=io.StringIO())
    assert "daily run" in out.getvalue()
    call_command("reconcile", "--as-of", LAST.isoformat(), "--full", stdout=out, stderr=io.StringIO())
    assert "full run, because: asked for" in out.getvalue()
