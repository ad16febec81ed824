import csv
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from longarm.registry.models import Official

WORLD = Path(__file__).resolve().parents[1] / "fixtures" / "world"
LONGARM = Path(sys.executable).with_name("longarm")
CROSSING_HEADER = ["event_id", "direction", "occurred_at", "port", "port_jurisdiction", "doc_type", "doc_number",
                   "issuing_state", "family_name", "given_name", "date_of_birth", "sex", "nationality",
                   "counterpart_country"]


def test_import_command_prints_counts_and_exits_zero(db):
    out = StringIO()
    call_command("import", str(WORLD / "watchlist.csv"), str(WORLD / "officials.csv"), stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    assert lines[0].endswith("officials.csv: officials: 24 rows, 24 inserted, 0 updated, 0 unchanged")
    assert lines[1].endswith("watchlist.csv: watchlist: 4 rows, 4 inserted, 0 updated, 0 unchanged")


def test_import_command_prints_file_line_column_reason_and_exits_two(db, tmp_path):
    path = tmp_path / "officials.csv"
    path.write_text((WORLD / "officials.csv").read_text(encoding="utf-8").replace(",active,", ",acting,", 2),
                    encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import", str(path), stdout=StringIO(), stderr=err)
    assert raised.value.returncode == 2
    assert err.getvalue().splitlines()[:2] == [
        f"{path}:2: status: 'acting' is not one of: active, retired, dismissed, deceased",
        f"{path}:3: status: 'acting' is not one of: active, retired, dismissed, deceased",
    ]
    assert Official.objects.count() == 0


def test_import_command_partial_writes_rejects_and_exits_zero(db, tmp_path):
    path = tmp_path / "officials.csv"
    path.write_text((WORLD / "officials.csv").read_text(encoding="utf-8").replace(",active,", ",acting,", 1),
                    encoding="utf-8")
    out = StringIO()
    call_command("import", str(path), "--partial", "--rejects-dir", str(tmp_path / "out"), stdout=out,
                 stderr=StringIO())
    assert "23 inserted" in out.getvalue() and "1 rejected" in out.getvalue()
    assert (tmp_path / "out" / "officials.rejects.csv").exists()


def test_import_command_refuses_an_unknown_kind_with_status_two(db, tmp_path):
    path = tmp_path / "payroll.csv"
    path.write_text("a\n", encoding="utf-8")
    with pytest.raises(CommandError) as raised:
        call_command("import", str(path), stdout=StringIO(), stderr=StringIO())
    assert raised.value.returncode == 2


# An import killed mid-file: a real process on a real database file, SIGKILLed.


def _write_crossings(path: Path, rows: int) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CROSSING_HEADER)
        for n in range(rows):
            writer.writerow([f"X-{n:08d}", "exit" if n % 2 else "entry",
                             f"2024-02-{1 + n % 28:02d}T{n % 24:02d}:15:00+08:00", "PVG", "CN-SH", "passport",
                             f"E{n:08d}", "CHN", "ZHANG", "XIAOMING", "1968-05-17", "M", "CHN", "USA"])


@pytest.fixture
def scratch_database(tmp_path):
    """A database of its own for subprocesses: a SQLite file, or a scratch PostgreSQL database."""
    url = os.environ.get("LONGARM_DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        name = f"longarm_kill_{uuid.uuid4().hex[:10]}"
        server = url.split("?", 1)[0].rsplit("/", 1)[0]
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        scratch = f"{server}/{name}"
        yield scratch, lambda sql: _pg_scalar(scratch, sql)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        database = tmp_path / "kill.sqlite3"

        def scalar(sql):
            with sqlite3.connect(database) as connection:
                return connection.execute(sql).fetchone()[0]

        yield f"sqlite:///{database}", scalar


def _pg_scalar(url, sql):
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(sql).fetchone()[0]


def test_an_import_killed_mid_file_leaves_nothing_half_done_and_a_rerun_finishes_it(scratch_database, tmp_path):
    url, scalar = scratch_database
    rows = 30_000
    path = tmp_path / "crossings.csv"
    _write_crossings(path, rows)
    env = {**os.environ, "LONGARM_DATABASE_URL": url, "LONGARM_DATA_DIR": str(tmp_path / "data"),
           "LONGARM_IMPORT_BATCH_ROWS": "1000"}
    subprocess.run([str(LONGARM), "init"], env=env, check=True, capture_output=True)
    process = subprocess.Popen([str(LONGARM), "import", str(path)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    # Kill once the file's run has started, after the import has had a moment to stage rows.
    while scalar("SELECT COUNT(*) FROM runs_run WHERE kind = 'import'") == 0:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.3)
    killed_mid_file = process.poll() is None
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert scalar("SELECT COUNT(*) FROM border_crossing") in (0, rows)
    if killed_mid_file:
        assert scalar("SELECT COUNT(*) FROM border_crossing") == 0
    finished = subprocess.run([str(LONGARM), "import", str(path)], env=env, capture_output=True, text=True)
    assert finished.returncode == 0, finished.stderr
    assert scalar("SELECT COUNT(*) FROM border_crossing") == rows
    assert scalar("SELECT COUNT(DISTINCT event_id) FROM border_crossing") == rows
    assert scalar("SELECT MIN(event_id) FROM border_crossing") == "X-00000000"
    assert scalar("SELECT MAX(event_id) FROM border_crossing") == f"X-{rows - 1:08d}"
