"""Reading the registry's change log (`RegistryChange`, written by triggers): what a daily run must look at
again since its last run.

A run takes a mark (`registry_change_mark`) before it reads anything, and reads the changes in
`(its last mark, this mark]`. Rows that commit after the mark are read by the next run: nothing is missed,
and what is read twice is harmless, because the runs recompute from the tables what those ids and keys
touch.
"""

import polars as pl
from django.db import connection, transaction

from longarm.registry.models import RegistryChange

TABLE = RegistryChange._meta.db_table


def registry_change_mark() -> int:
    """The highest change id committed now. On PostgreSQL, ids are drawn before their transactions commit,
    so the mark first waits for the writers of the log in progress (a `SHARE` lock, held for this one read):
    no id at or below the mark can commit later."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {TABLE} IN SHARE MODE")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {TABLE}")
        return int(cursor.fetchone()[0])


def registry_change_count(*, after: int, upto: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE id > %s AND id <= %s", [after, upto])
        return int(cursor.fetchone()[0])


def registry_changes(*, after: int, upto: int) -> dict[str, list[str]]:
    """The distinct keys changed in `(after, upto]`, by kind (`official`, `number`, `birth`, `document`)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT kind, key FROM {TABLE} WHERE id > %s AND id <= %s", [after, upto])
        rows = cursor.fetchall()
    changed: dict[str, list[str]] = {kind: [] for kind in ("official", "number", "birth", "document")}
    for kind, key in rows:
        changed.setdefault(kind, []).append(key)
    return {kind: sorted(keys) for kind, keys in changed.items()}


def changed_numbers(numbers: list[str]) -> pl.DataFrame:
    """`number` keys (`issuing_state|number_norm`) as a frame of the two columns."""
    frame = pl.DataFrame({"key": numbers}, schema={"key": pl.String})
    return frame.select(pl.col("key").str.split_exact("|", 1).struct.rename_fields(
        ["issuing_state", "number_norm"])).unnest("key")
