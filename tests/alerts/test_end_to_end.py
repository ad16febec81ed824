"""Import a world in the exchange formats, reconcile, and compare with what the world says it holds."""

import csv
import datetime
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command

from longarm.alerts.models import Alert, AlertStatus
from longarm.runs.imports import import_files

WORLD = Path(__file__).resolve().parents[1] / "fixtures" / "world"

# tests/fixtures/world/README.md, "What the world contains, by alert code" (DUPLICATE_IDENTITY comes from the
# identity resolution that reconcile runs as one of its rules).
WORLD_ALERTS = {
    ("UNAUTHORIZED_EXIT", "O-GD-004", "X-240309-0005"), ("UNAUTHORIZED_EXIT", "O-GD-006", "X-240620-0008"),
    ("UNAUTHORIZED_EXIT", "O-GD-008", "X-241002-0012"), ("UNAUTHORIZED_EXIT", "O-SH-003", "X-240518-0027"),
    ("DESTINATION_MISMATCH", "O-BJ-002", "X-240715-0018"),
    ("OVERDUE_RETURN", "O-GD-005", "T-GD-005"), ("MISSING", "O-GD-005", "T-GD-005"),
    ("WATCHLIST_EXIT", "O-GD-006", "X-240620-0008"),
    ("CUSTODY_BREACH", "O-GD-008", "X-241002-0012"), ("CUSTODY_BREACH", "O-GD-008", "X-241006-0013"),
    ("UNREGISTERED_DOCUMENT", "O-SH-003", "X-240518-0027"), ("UNREGISTERED_DOCUMENT", "O-SH-003", "X-240525-0028"),
    ("IDENTITY_MISMATCH", "O-SH-004", "X-240322-0029"),
    ("DOCUMENT_NOT_RETURNED", "O-BJ-006", "T-BJ-006"),
    ("DUPLICATE_DOCUMENT", "O-BJ-005", "D-BJ-005-P1;D-BJ-005-P2"),
    ("DUPLICATE_DOCUMENT", "O-BJ-003", "D-BJ-003-P;D-SH-007-P"),
    ("INVALID_MRZ", "O-SH-005", "D-SH-005-P"),
    ("NAKED_OFFICIAL", "O-GD-003", "O-GD-003"), ("NAKED_OFFICIAL", "O-GD-005", "O-GD-005"),
    ("NAKED_OFFICIAL", "O-SH-002", "O-SH-002"),
    ("DUPLICATE_IDENTITY", "O-BJ-003", "O-BJ-003;O-SH-007"),
}


def _reconcile(as_of: str) -> None:
    call_command("reconcile", "--as-of", as_of, stdout=io.StringIO(), stderr=io.StringIO())


def _alerts(**filters) -> set[tuple[str, str, str]]:
    return set(Alert.objects.filter(**filters).values_list("code", "official_id", "ref"))


def test_imported_small_world_raises_exactly_the_alerts_it_describes(system):
    import_files(paths=sorted(WORLD.glob("*.csv")), actor=system)
    _reconcile("2024-12-31")
    assert _alerts() == WORLD_ALERTS


def test_small_world_daily_runs_equal_one_run(system):
    import_files(paths=sorted(WORLD.glob("*.csv")), actor=system)
    day = datetime.date(2024, 2, 1)
    while day <= datetime.date(2024, 12, 31):
        _reconcile(day.isoformat())
        day += datetime.timedelta(days=15)
    _reconcile("2024-12-31")
    assert _alerts() == WORLD_ALERTS
    assert not Alert.objects.filter(status=AlertStatus.WITHDRAWN).exists()


@pytest.fixture
def synth_world(tmp_path):
    out = tmp_path / "world"
    call_command("synth", "--officials", "3000", "--seed", "11", "--out", str(out), stdout=io.StringIO())
    return out


def test_synthetic_world_alerts_match_the_generators_truth(synth_world, system):
    manifest = json.loads((synth_world / "manifest.json").read_text())
    with open(synth_world / "truth.csv", newline="", encoding="utf-8") as handle:
        truth = {(r["code"], r["official_id"], r["ref"]) for r in csv.DictReader(handle)
                 if r["code"] != "DUPLICATE_IDENTITY"}
    with open(synth_world / "truth_identities.csv", newline="", encoding="utf-8") as handle:
        identities = {";".join(sorted((r["official_id_a"], r["official_id_b"]))) for r in csv.DictReader(handle)}
    import_files(paths=sorted(p for p in synth_world.glob("*.csv") if not p.name.startswith("truth")), actor=system)
    _reconcile(manifest["as_of"])
    # Identity resolution is probabilistic: every DUPLICATE_IDENTITY it raises must be a planted identity.
    duplicates = {ref for _, _, ref in _alerts(code="DUPLICATE_IDENTITY")}
    assert duplicates and duplicates <= identities
    found = _alerts() - _alerts(code="DUPLICATE_IDENTITY")
    assert found - truth == set(), "raised but not planted"
    assert truth - found == set(), "planted but not raised"


def _whole_tables(as_of: datetime.date) -> dict:
    """The snapshot without narrowing: every row of every table the rules read (the loader's reference)."""
    import polars as pl

    from longarm.alerts.snapshot import load_table

    custody = load_table("custody").with_columns(
        local_date=(pl.col("occurred_at") + pl.duration(minutes=pl.col("utc_offset"))).dt.date()).drop("utc_offset")
    return {
        "officials": load_table("officials"), "documents": load_table("documents"),
        "crossings": load_table("crossings", "local_date <= %s", [as_of.isoformat()]), "custody": custody,
        "trips": load_table("trips", "status = %s", ["approved"]), "watchlist": load_table("watchlist"),
        "relatives": load_table("relatives", "relation IN (%s, %s)", ["spouse", "child"]),
    }


def _result(frames: dict, as_of: datetime.date):
    from longarm.alerts.reconciliation import reconcile_parameters
    from longarm.engine.reconcile import reconcile

    result = reconcile(**frames, params=reconcile_parameters(as_of=as_of))
    return result.alerts.sort("code", "official_id", "ref"), result.owners.sort("event_id", "official_id")


def test_narrowed_snapshot_gives_the_result_of_whole_tables_on_every_read_path(audit_log_flushable, synth_world,
                                                                            system, tmp_path, monkeypatch):
    """The loader reads only the rows that can matter; the rules must find exactly what they find over
    whole tables, whether rows come through Django's connection or (a SQLite file) through ADBC in threads."""
    from django.db import connection

    from longarm.alerts import snapshot

    manifest = json.loads((synth_world / "manifest.json").read_text())
    import_files(paths=sorted(p for p in synth_world.glob("*.csv") if not p.name.startswith("truth")), actor=system)
    as_of = datetime.date.fromisoformat(manifest["as_of"])
    for day in (as_of - datetime.timedelta(days=40), as_of):
        expected_alerts, expected_owners = _result(_whole_tables(day), day)
        assert expected_alerts.height > 0
        narrowed = snapshot.load_snapshot(as_of=day, home_country="CHN")
        assert narrowed["crossings"].height < _whole_tables(day)["crossings"].height
        alerts, owners = _result(narrowed, day)
        assert alerts.equals(expected_alerts)
        assert owners.equals(expected_owners)
    if connection.vendor == "sqlite":
        import sqlite3

        copy = tmp_path / "copy.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(copy) as target:
            connection.connection.backup(target)
        monkeypatch.setattr(snapshot, "_sqlite_file", lambda: str(copy))
        alerts, owners = _result(snapshot.load_snapshot(as_of=as_of, home_country="CHN"), as_of)
        assert alerts.equals(_result(_whole_tables(as_of), as_of)[0])
        assert owners.equals(expected_owners)


def test_narrowed_snapshot_finds_owners_by_identity_whatever_the_spelling_of_the_name(make_official):
    """The loader's SQL shortcut on names (capitals as they are, plain names normalised in SQL, others read
    for the engine) must keep every crossing that identity can give to an official."""
    from longarm.alerts.snapshot import load_snapshot
    from longarm.border.models import Crossing
    from longarm.engine.normalize import name_key

    born = datetime.date(1970, 5, 17)
    for official_id, family, given in (("O-1", "ZHANG", "WEI"), ("O-2", "Müller", "Anna-Lena"),
                                       ("O-3", "O'Neil", "Mary Ann")):
        make_official(official_id=official_id, family_name=family, given_name=given, date_of_birth=born,
                      name_key=name_key(family, given))
    at = datetime.datetime(2024, 5, 1, 2, tzinfo=datetime.UTC)
    spellings = {"X-1": ("zhang", "wei"), "X-2": ("WEI", "ZHANG"), "X-3": ("MULLER", "ANNA LENA"),
                 "X-4": ("Müller", "Anna-Lena"), "X-5": ("O’NEIL", "MARY-ANN"), "X-6": ("ZHANG", "WEI"),
                 "X-7": ("SMITH", "JOHN"), "X-8": ("Zhang", "Wei Wei")}
    Crossing.objects.bulk_create(
        Crossing(event_id=event_id, direction="exit", occurred_at=at, utc_offset=480, local_date=at.date(),
                 port="PEK", port_jurisdiction="CN-BJ", doc_type="passport", doc_number=f"U{event_id}",
                 doc_number_norm=f"U{event_id}", issuing_state="CHN", family_name=family, given_name=given,
                 date_of_birth=born if event_id != "X-6" else datetime.date(1971, 5, 17), sex="M",
                 nationality="CHN")
        for event_id, (family, given) in spellings.items())
    snapshot = load_snapshot(as_of=datetime.date(2024, 5, 1), home_country="CHN")
    _, owners = _result(snapshot, datetime.date(2024, 5, 1))
    assert dict(owners.select("event_id", "official_id").iter_rows()) == {
        "X-1": "O-1", "X-2": "O-1", "X-3": "O-2", "X-4": "O-2", "X-5": "O-3"}
    # a namesake born another day, a stranger and a longer name are not even read
    assert set(snapshot["crossings"]["event_id"]) == {"X-1", "X-2", "X-3", "X-4", "X-5"}
