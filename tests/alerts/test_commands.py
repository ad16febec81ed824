"""`longarm reconcile` and `longarm alerts export`."""

import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command

from longarm.alerts.models import Alert
from longarm.alerts.selectors import EXPORT_COLUMNS
from longarm.audit.models import AuditEntry
from longarm.runs.models import Run


def test_reconcile_command_prints_a_summary_and_records_the_run(world):
    out = io.StringIO()
    call_command("reconcile", "--as-of", "2024-12-31", "--return-grace-days", "2", stdout=out, stderr=io.StringIO())
    run = Run.objects.get(kind="reconcile")
    assert run.parameters["return_grace_days"] == 2 and run.actor.username == "system"
    assert f"reconcile run #{run.pk} as of 2024-12-31: 20 alerts found, 20 raised, 0 withdrawn" in out.getvalue()
    assert "  NAKED_OFFICIAL: 3" in out.getvalue()


def test_reconcile_command_refuses_a_negative_parameter(world):
    with pytest.raises(CommandError, match="must not be negative"):
        call_command("reconcile", "--as-of", "2024-12-31", "--missing-after-days", "-1", stdout=io.StringIO())


@pytest.fixture
def reconciled(world):
    call_command("reconcile", "--as-of", "2024-12-31", stdout=io.StringIO(), stderr=io.StringIO())


def test_export_csv_has_the_spec_columns_one_row_per_alert(reconciled, tmp_path):
    target = tmp_path / "alerts.csv"
    call_command("alerts", "export", "--format", "csv", "--output", str(target), stderr=io.StringIO())
    with open(target, newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
    assert reader.fieldnames == EXPORT_COLUMNS
    assert len(rows) == Alert.objects.count()
    duplicate = next(r for r in rows if r["ref"] == "D-BJ-003-P;D-SH-007-P")
    assert (duplicate["jurisdiction"], duplicate["reported_to"], duplicate["raised_on"]) == ("CN-BJ", "CN-SH", "")
    assert AuditEntry.objects.filter(action="alerts.export", detail__rows=len(rows)).exists()


def test_export_jsonl_to_stdout_with_filters(reconciled):
    out = io.StringIO()
    call_command("alerts", "export", "--format", "jsonl", "--code", "UNAUTHORIZED_EXIT", "--jurisdiction", "CN-GD",
                 stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {row["ref"] for row in rows} == {"X-240309-0005", "X-240620-0008", "X-241002-0012"}
    assert list(rows[0]) == EXPORT_COLUMNS
    assert rows[0]["raised_on"] == "2024-03-09" and rows[0]["status"] == "open"
