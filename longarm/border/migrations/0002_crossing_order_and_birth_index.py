"""What a daily reconciliation needs to read only what is new:

- an index on the crossings' date of birth (earlier crossings that a changed official may now match);
- PostgreSQL: `seq`, the order in which crossings were written (a sequence as the column's default, indexed),
  so that "written since the last run" is a range of an index. Rows written before this migration keep no
  number (NULL): the first run after it reads everything anyway. SQLite needs no column: its `rowid` grows
  with every insert (nothing is ever deleted).
"""

from django.db import migrations, models

POSTGRES = [
    "CREATE SEQUENCE IF NOT EXISTS border_crossing_seq",
    "ALTER TABLE border_crossing ADD COLUMN IF NOT EXISTS seq bigint",
    "ALTER TABLE border_crossing ALTER COLUMN seq SET DEFAULT nextval('border_crossing_seq')",
    "CREATE INDEX IF NOT EXISTS border_crossing_seq_idx ON border_crossing (seq)",
]
POSTGRES_BACKWARDS = [
    "DROP INDEX IF EXISTS border_crossing_seq_idx",
    "ALTER TABLE border_crossing DROP COLUMN IF EXISTS seq",
    "DROP SEQUENCE IF EXISTS border_crossing_seq",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_BACKWARDS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("border", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="crossing",
            index=models.Index(fields=["date_of_birth"], name="border_crossing_dob_idx"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
