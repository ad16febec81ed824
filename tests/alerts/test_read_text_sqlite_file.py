"""Reads of a SQLite file side by side with Django's writes, in one process, with another process writing.

A second copy of SQLite in the process (ADBC's, which the loader used to read through) does not share the
file locks of Python's copy: closing its file dropped the locks of Django's connection, and a commit of
another process was lost. The loader now reads through Python's own SQLite; this holds it there.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent("""
    import sqlite3, subprocess, sys
    import django
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from longarm.alerts.snapshot import read_text
    call_command("migrate", verbosity=0)
    path = str(connection.settings_dict["NAME"])

    def count():
        return int(read_text("SELECT COUNT(*) AS n FROM alerts_ownedcrossing", [], ["n"])["n"][0])

    def write(event_id):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO alerts_ownedcrossing (event_id) VALUES (%s)", [event_id])

    seen = [count()]
    write("MINE-1")
    seen.append(count())
    write("MINE-2")
    seen.append(count())
    other = ("import sqlite3; c = sqlite3.connect(sys.argv[1]); "
             "c.execute(\\"INSERT INTO alerts_ownedcrossing VALUES ('OTHER')\\"); c.commit()")
    subprocess.run([sys.executable, "-c", "import sys; " + other, path], check=True)
    seen.append(count())
    write("MINE-3")
    seen.append(count())
    print(*seen)
""")


def test_reads_of_a_sqlite_file_never_lose_a_write(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "longarm.settings", "LONGARM_DATA_DIR": str(tmp_path),
           "LONGARM_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "LONGARM_HTTPS": "false"}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True,
                          check=True)
    assert done.stdout.split() == ["0", "1", "2", "3", "4"]
    import sqlite3

    with sqlite3.connect(tmp_path / "db.sqlite3") as conn:
        kept = {row[0] for row in conn.execute("SELECT event_id FROM alerts_ownedcrossing")}
    assert kept == {"MINE-1", "MINE-2", "OTHER", "MINE-3"}


def test_reads_outside_a_transaction_give_the_frames_of_reads_inside_one(audit_log_flushable, make_official):
    """PostgreSQL reads outside a transaction through ADBC (binary COPY into Arrow), SQLite files through
    connections of their own; inside a transaction through Django's connection. The frames must not differ."""
    import datetime

    from django.db import transaction

    from longarm.alerts.snapshot import load_table

    make_official(official_id="O-1", native_name="")
    make_official(official_id="O-2", family_name="Müller", given_name="Anna-Lena", date_of_birth=datetime.date(1961, 2, 3))
    outside = load_table("officials").sort("official_id")
    with transaction.atomic():
        inside = load_table("officials").sort("official_id")
    assert outside.height == 2
    assert outside.equals(inside)
    assert outside.schema == inside.schema
