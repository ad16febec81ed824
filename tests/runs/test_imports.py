import csv
import datetime as dt
import hashlib
import shutil
from pathlib import Path

import pytest

from longarm.audit.models import AuditEntry
from longarm.border.models import Crossing
from longarm.documents.models import CustodyEvent, Document
from longarm.registry.models import Official, Relative
from longarm.runs.imports import ImportRefused, import_files, plan_files
from longarm.runs.models import Run, RunStatus
from longarm.runs.services import system_user
from longarm.travel.models import Trip
from longarm.watchlist.models import WatchlistEntry

WORLD = Path(__file__).resolve().parents[1] / "fixtures" / "world"
WORLD_FILES = sorted(WORLD.glob("*.csv"))
MODELS = [Official, Relative, Document, CustodyEvent, Trip, Crossing, WatchlistEntry]


def rows_of(name: str) -> int:
    with open(WORLD / name, newline="", encoding="utf-8") as handle:
        return sum(1 for _ in csv.DictReader(handle))


def copy_world(tmp_path, *names):
    for name in names:
        shutil.copy(WORLD / name, tmp_path / name)
    return [tmp_path / name for name in names]


def edit(path: Path, old: str, new: str, count: int = 1) -> Path:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return path


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def actor(db):
    return system_user()


def test_files_are_imported_in_dependency_order_whatever_order_they_are_given(tmp_path):
    planned = plan_files(list(reversed(WORLD_FILES)))
    assert [kind for _, kind in planned] == [
        "officials", "relatives", "documents", "custody", "trips", "crossings", "watchlist"]


def test_unknown_kind_or_missing_file_refuses_the_whole_run_before_writing(actor, tmp_path):
    stray = tmp_path / "salaries.csv"
    stray.write_text("a\n1\n")
    with pytest.raises(ImportRefused, match="unknown kind 'salaries'"):
        import_files(paths=[WORLD / "officials.csv", stray], actor=actor)
    with pytest.raises(ImportRefused, match="no such file"):
        import_files(paths=[tmp_path / "officials.csv"], actor=actor)
    assert Official.objects.count() == 0


def test_the_world_imports_completely_with_a_run_and_an_audit_row_per_file(actor):
    result = import_files(paths=WORLD_FILES, actor=actor)
    assert result.ok
    assert counts() == {
        "Official": rows_of("officials.csv"), "Relative": rows_of("relatives.csv"),
        "Document": rows_of("documents.csv"), "CustodyEvent": rows_of("custody.csv"), "Trip": rows_of("trips.csv"),
        "Crossing": rows_of("crossings.csv"), "WatchlistEntry": rows_of("watchlist.csv")}
    assert all(item.inserted == item.rows for item in result.files)
    runs = Run.objects.filter(kind="import")
    assert runs.count() == 7 and set(runs.values_list("status", flat=True)) == {RunStatus.SUCCEEDED}
    audits = AuditEntry.objects.filter(action="import")
    assert audits.count() == 7
    officials_audit = next(entry for entry in audits if entry.detail["kind"] == "officials")
    assert officials_audit.detail["sha256"] == hashlib.sha256((WORLD / "officials.csv").read_bytes()).hexdigest()
    assert officials_audit.detail["counts"]["inserted"] == rows_of("officials.csv")
    assert officials_audit.actor_name == "system"


def test_imported_values_are_typed_and_derived(actor):
    import_files(paths=WORLD_FILES, actor=actor)
    official = Official.objects.get(official_id="O-GD-003")
    assert (official.native_name, official.sensitive_post, official.name_key) == ("王建国", True, "WANGJIANGUO")
    assert official.date_of_birth == dt.date(1963, 2, 28)
    crossing = Crossing.objects.get(event_id="X-240310-0006")
    assert crossing.occurred_at == dt.datetime(2024, 3, 9, 16, 30, tzinfo=dt.UTC)
    assert (crossing.utc_offset, crossing.local_date) == (480, dt.date(2024, 3, 10))
    assert Crossing.objects.get(event_id="X-240430-0003").doc_number_norm == "E67234419"
    assert Relative.objects.get(relative_id="R-GD-003-1").emigrated
    assert Trip.objects.get(trip_id="T-SH-006").destination_list == ["FRA", "ITA", "ESP"]
    assert Trip.objects.get(trip_id="T-GD-003").document_id is None
    assert CustodyEvent.objects.get(event_id="C-0004").occurred_at == dt.datetime(2024, 2, 19, 1, 30, tzinfo=dt.UTC)
    assert WatchlistEntry.objects.get(entry_id="W-GD-001").status == "active"


def test_importing_the_same_files_twice_changes_nothing(actor):
    import_files(paths=WORLD_FILES, actor=actor)
    result = import_files(paths=WORLD_FILES, actor=actor)
    assert all(item.unchanged == item.rows and item.inserted == item.updated == 0 for item in result.files)


def test_a_changed_row_updates_its_record_and_only_it(actor, tmp_path):
    (officials,) = copy_world(tmp_path, "officials.csv")
    import_files(paths=[officials], actor=actor)
    edit(officials, "Deputy Director-General", "Director-General")
    (item,) = import_files(paths=[officials], actor=actor).files
    assert (item.inserted, item.updated, item.unchanged) == (0, 1, rows_of("officials.csv") - 1)
    assert Official.objects.get(official_id="O-GD-001").position == "Director-General"


def test_aware_datetimes_written_by_django_and_by_the_importer_are_the_same(actor, tmp_path):
    """The importer stores date-times exactly as the ORM does, so a re-import of an ORM row is 'unchanged'."""
    (officials, documents) = copy_world(tmp_path, "officials.csv", "documents.csv")
    import_files(paths=[officials, documents], actor=actor)
    CustodyEvent.objects.create(event_id="C-ORM", document_id="D-GD-001-P", action="deposit", utc_offset=480,
                                occurred_at=dt.datetime(2024, 5, 1, 9, 15, 30, 250000,
                                                        tzinfo=dt.timezone(dt.timedelta(hours=8))))
    custody = tmp_path / "custody.csv"
    custody.write_text("event_id,document_id,action,occurred_at\n"
                       "C-ORM,D-GD-001-P,deposit,2024-05-01T01:15:30.25Z\n", encoding="utf-8")
    (item,) = import_files(paths=[custody], actor=actor).files
    # The offset the record came with differs (0 against 480): only that changes.
    assert item.updated == 1
    edit(custody, "2024-05-01T01:15:30.25Z", "2024-05-01T09:15:30.250+08:00")
    (item,) = import_files(paths=[custody], actor=actor).files
    assert item.updated == 1
    (item,) = import_files(paths=[custody], actor=actor).files
    assert item.unchanged == 1
    event = CustodyEvent.objects.get(event_id="C-ORM")
    assert event.occurred_at == dt.datetime(2024, 5, 1, 1, 15, 30, 250000, tzinfo=dt.UTC)
    assert event.utc_offset == 480


def test_reimport_keeps_what_reconciliation_filled_in(actor, tmp_path):
    import_files(paths=[WORLD / "officials.csv", WORLD / "crossings.csv"], actor=actor)
    Crossing.objects.filter(event_id="X-240210-0001").update(official_id="O-GD-001")
    (item,) = import_files(paths=[WORLD / "crossings.csv"], actor=actor).files
    assert item.unchanged == item.rows
    assert Crossing.objects.get(event_id="X-240210-0001").official_id == "O-GD-001"


def test_a_reference_to_a_record_in_an_earlier_file_of_the_run_is_valid(actor):
    result = import_files(paths=[WORLD / "relatives.csv", WORLD / "officials.csv"], actor=actor)
    assert result.ok and Relative.objects.count() == rows_of("relatives.csv")


def test_json_lines_import_like_csv(actor, tmp_path):
    path = tmp_path / "officials.jsonl"
    path.write_text('{"official_id": "O-J1", "family_name": "ZHANG", "given_name": "WEI", "native_name": "张伟", '
                    '"sex": "M", "date_of_birth": "1970-01-01", "organization": "Audit Office", '
                    '"position": "Director", "rank": "county", "jurisdiction": "CN-BJ", "status": "active", '
                    '"sensitive_post": true}\n', encoding="utf-8")
    assert import_files(paths=[path], actor=actor).ok
    assert Official.objects.get(official_id="O-J1").sensitive_post is True


BAD_INPUT = [
    # (case, file, old text, new text, expected "line: column: reason")
    ("unknown column", "officials.csv", "sensitive_post\n", "sensitive_posts\n",
     "1: sensitive_posts: unknown column: the officials format has no such column"),
    ("missing required value", "officials.csv", "O-GD-002,LI,HONGMEI", "O-GD-002,,HONGMEI",
     "3: family_name: missing required value"),
    ("bad date", "officials.csv", "1972-11-03", "1972-11-31",
     "3: date_of_birth: '1972-11-31' is not a date (YYYY-MM-DD)"),
    ("naive date-time", "crossings.csv", "2024-02-16T18:40:00+08:00", "2024-02-16T18:40:00",
     "3: occurred_at: '2024-02-16T18:40:00' has no UTC offset: a date-time needs one, e.g. 2012-10-01T08:15:00+08:00"),
    ("unknown country", "relatives.csv", "GBR,student", "UK,student",
     "3: residence_country: 'UK' is not an ISO 3166-1 alpha-3 country code"),
    ("unknown subdivision", "officials.csv", "Director,prefectural,CN-GD", "Director,prefectural,CN-GDX",
     "3: jurisdiction: 'CN-GDX' is not an ISO 3166-2 subdivision code"),
    ("unknown reference", "relatives.csv", "R-GD-002-1,O-GD-002", "R-GD-002-1,O-GD-999",
     "4: official_id: unknown official_id O-GD-999: no such record in officials (imported earlier or in this run)"),
    ("duplicate id in one file", "officials.csv", "O-GD-002,", "O-GD-001,",
     "3: official_id: duplicate id O-GD-001 (first given on line 2)"),
    ("bad enum value", "officials.csv", "F,1972-11-03", "W,1972-11-03", "3: sex: 'W' is not one of: M, F, X"),
]


@pytest.mark.parametrize(("case", "name", "old", "new", "expected"), BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_is_reported_with_file_line_column_and_nothing_is_written(actor, tmp_path, case, name, old, new,
                                                                           expected):
    if name != "officials.csv":
        import_files(paths=[WORLD / "officials.csv"], actor=actor)
    (path,) = copy_world(tmp_path, name)
    edit(path, old, new)
    before = counts(), AuditEntry.objects.filter(action="import").count()
    (item,) = import_files(paths=[path], actor=actor).files
    assert item.status == "invalid"
    assert [str(error) for error in item.errors] == [f"{path}:{expected}"]
    assert (counts(), AuditEntry.objects.filter(action="import").count()) == before
    run = Run.objects.get(pk=item.run_id)
    assert run.status == RunStatus.FAILED and expected in run.error


def test_every_invalid_row_is_reported_up_to_the_limit(actor, tmp_path, settings):
    settings.LONGARM_IMPORT_ERROR_LIMIT = 3
    settings.LONGARM_IMPORT_BATCH_ROWS = 4
    (path,) = copy_world(tmp_path, "officials.csv")
    edit(path, ",active,", ",acting,", count=5)
    (item,) = import_files(paths=[path], actor=actor).files
    assert item.status == "invalid" and item.error_count == 5
    assert [error.line for error in item.errors] == [2, 3, 4]
    assert Official.objects.count() == 0


def test_an_invalid_file_stops_the_run_and_the_later_files_are_skipped(actor, tmp_path):
    officials, relatives = copy_world(tmp_path, "officials.csv", "relatives.csv")
    edit(officials, "O-GD-002,LI", "O-GD-002,")
    result = import_files(paths=[officials, relatives], actor=actor)
    assert [item.status for item in result.files] == ["invalid", "skipped"]
    assert counts()["Official"] == counts()["Relative"] == 0


def test_partial_writes_the_valid_rows_and_the_rejects_with_their_reasons(actor, tmp_path):
    officials, relatives = copy_world(tmp_path, "officials.csv", "relatives.csv")
    import_files(paths=[officials], actor=actor)
    edit(relatives, "R-GD-002-1,O-GD-002", "R-GD-002-1,O-GD-999")
    edit(relatives, "GBR,student", "GBR,tourist")
    edit(relatives, "R-BJ-001-1,", "R-GD-001-1,")
    rejects_dir = tmp_path / "rejects"
    (item,) = import_files(paths=[relatives], actor=actor, partial=True, rejects_dir=rejects_dir).files
    assert item.status == "imported"
    assert (item.inserted, item.rejected) == (rows_of("relatives.csv") - 3, 3)
    assert item.rejects_path == rejects_dir / "relatives.rejects.csv"
    with open(item.rejects_path, newline="", encoding="utf-8") as handle:
        rejected = list(csv.DictReader(handle))
    assert [row["relative_id"] for row in rejected] == ["R-GD-001-2", "R-GD-002-1", "R-GD-001-1"]
    assert rejected[0]["residence_status"] == "tourist"
    assert rejected[0]["reason"].startswith("residence_status: 'tourist' is not one of")
    assert rejected[1]["reason"].startswith("official_id: unknown official_id O-GD-999")
    assert rejected[2]["reason"] == "relative_id: duplicate id R-GD-001-1 (first given on line 2)"
    assert Relative.objects.get(relative_id="R-GD-001-1").relation == "spouse"
    assert not Relative.objects.filter(relative_id="R-GD-002-1").exists()


def test_partial_puts_the_rejects_file_next_to_the_input_by_default(actor, tmp_path):
    (officials,) = copy_world(tmp_path, "officials.csv")
    edit(officials, "O-GD-002,LI", "O-GD-002,")
    (item,) = import_files(paths=[officials], actor=actor, partial=True).files
    assert item.rejects_path == tmp_path / "officials.rejects.csv"
    assert Official.objects.count() == rows_of("officials.csv") - 1
    assert not list(tmp_path.glob(".officials.rejects.csv.*"))


def test_extra_columns_are_ignored_only_when_allowed(actor, tmp_path):
    (officials,) = copy_world(tmp_path, "officials.csv")
    text = officials.read_text(encoding="utf-8").splitlines()
    officials.write_text("\n".join([text[0] + ",remark", *[line + ",x" for line in text[1:]]]) + "\n",
                         encoding="utf-8")
    assert not import_files(paths=[officials], actor=actor).ok
    assert import_files(paths=[officials], actor=actor, allow_extra_columns=True).ok
    assert Official.objects.count() == rows_of("officials.csv")


def test_progress_is_told_every_row(actor, settings):
    settings.LONGARM_IMPORT_BATCH_ROWS = 10
    seen = []
    import_files(paths=[WORLD / "officials.csv"], actor=actor, progress=seen.append)
    assert seen == [10, 10, 4]
