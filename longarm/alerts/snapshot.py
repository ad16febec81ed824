"""Loading what the alert rules need, in bulk, as Polars frames; writing crossing owners back in bulk.

Only the columns the rules read, and only the rows that can matter:
crossings with a local date up to the as-of date, custody events that can
have a local date up to it (the exact cut is `engine.reconcile.known_by`),
approved trips only, spouses and children only.

How rows travel: PostgreSQL streams `COPY (…) TO STDOUT (FORMAT csv)` on
Django's own connection into Polars' CSV reader; a SQLite file outside a
transaction is read through ADBC straight into Arrow; anything else (the
in-memory test database, a caller's open transaction) falls back to one
`fetchall` on Django's connection. Every path returns the same frames.
"""

import datetime
import io
from pathlib import Path

import polars as pl
from django.db import connection

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S%.f"
UPDATE_BATCH_ROWS = 10_000

# Each table: SQL column expressions (nullable ones as '' so every backend reads text), and the type of each.
TABLES: dict[str, tuple[str, dict[str, str]]] = {
    "officials": ("registry_official", {
        "official_id": "str", "family_name": "str", "given_name": "str", "sex": "str",
        "date_of_birth": "date", "name_key": "str", "jurisdiction": "str",
    }),
    "documents": ("documents_document", {
        "document_id": "str", "official_id": "str", "doc_type": "str", "number": "str", "number_norm": "str",
        "issuing_state": "str", "issued_on": "date?", "expires_on": "date", "mrz": "str",
    }),
    "crossings": ("border_crossing", {
        "event_id": "str", "direction": "str", "occurred_at": "datetime", "local_date": "date", "port": "str",
        "port_jurisdiction": "str", "doc_type": "str", "doc_number": "str", "doc_number_norm": "str",
        "issuing_state": "str", "family_name": "str", "given_name": "str", "date_of_birth": "date", "sex": "str",
        "counterpart_country": "str?",
    }),
    "custody": ("documents_custodyevent", {
        "event_id": "str", "document_id": "str", "action": "str", "occurred_at": "datetime", "utc_offset": "int",
    }),
    "trips": ("travel_trip", {
        "trip_id": "str", "official_id": "str", "document_id": "str?", "destinations": "str",
        "depart_on": "date", "return_on": "date", "status": "str",
    }),
    "watchlist": ("watchlist_watchlistentry", {
        "entry_id": "str", "official_id": "str", "measure": "str", "starts_on": "date", "expires_on": "date",
    }),
    "relatives": ("registry_relative", {
        "relative_id": "str", "official_id": "str", "relation": "str", "residence_country": "str",
        "residence_status": "str", "nationalities": "str?",
    }),
}


def _select_list(columns: dict[str, str]) -> str:
    parts = []
    for name, kind in columns.items():
        if kind == "datetime" and connection.vendor == "postgresql":
            parts.append(f"to_char({name} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS {name}")
        elif kind == "int":
            parts.append(f"CAST({name} AS TEXT) AS {name}")
        elif kind.endswith("?") or kind.startswith("date"):
            parts.append(f"COALESCE(CAST({name} AS TEXT), '') AS {name}")
        else:
            parts.append(name)
    return ", ".join(parts)


def _typed(frame: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame:
    """Text as read → the types the rules expect; '' → null where a column may be empty."""
    exprs = []
    for name, kind in columns.items():
        column = pl.col(name).cast(pl.String)
        if kind.startswith("date") and kind != "datetime":
            exprs.append(pl.when(column == "").then(None).otherwise(column).str.to_date(DATE_FORMAT).alias(name))
        elif kind == "datetime":
            exprs.append(column.str.to_datetime(DATETIME_FORMAT, time_zone="UTC", time_unit="us").alias(name))
        elif kind == "int":
            exprs.append(column.cast(pl.Int32).alias(name))
        elif kind == "str?":
            exprs.append(pl.when(column == "").then(None).otherwise(column).alias(name))
        else:
            exprs.append(column.alias(name))
    return frame.select(exprs)


def _sqlite_file() -> str | None:
    name = str(connection.settings_dict["NAME"])
    if connection.in_atomic_block or name in ("", ":memory:") or "mode=memory" in name:
        return None
    return name if Path(name).exists() else None


def _read_text(sql: str, params: list, names: list[str]) -> pl.DataFrame:
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            # COPY takes no bind parameters: inline them as literals, safely quoted by psycopg.
            from psycopg import sql as pgsql

            query = pgsql.SQL("COPY ({}) TO STDOUT (FORMAT csv)").format(
                pgsql.SQL(sql.replace("%s", "{}")).format(*[pgsql.Literal(p) for p in params]))
            with cursor.cursor.copy(query) as copy:
                for block in copy:
                    buffer.write(block)
        if buffer.tell() == 0:
            return pl.DataFrame(schema={n: pl.String for n in names})
        buffer.seek(0)
        return pl.read_csv(buffer, has_header=False, new_columns=names, infer_schema=False,
                           empty_string_is_null=False)
    path = _sqlite_file()
    if path is not None:
        import adbc_driver_sqlite.dbapi as adbc

        with adbc.connect(path) as conn, conn.cursor() as cursor:
            cursor.execute(sql.replace("%s", "?"), params)
            table = cursor.fetch_arrow_table()
        frame = pl.from_arrow(table)
        return frame if isinstance(frame, pl.DataFrame) else frame.to_frame()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema={n: pl.String for n in names}, orient="row")


def load_table(kind: str, where: str = "", params: list | None = None) -> pl.DataFrame:
    table, columns = TABLES[kind]
    sql = f"SELECT {_select_list(columns)} FROM {table}" + (f" WHERE {where}" if where else "")
    return _typed(_read_text(sql, params or [], list(columns)), columns)


def load_snapshot(*, as_of: datetime.date) -> dict[str, pl.DataFrame]:
    """Every frame `engine.reconcile.reconcile` takes, for data known up to `as_of`."""
    # A local date ≤ as_of means a UTC moment before as_of + 1 day + 14 hours (the widest offset).
    custody_cut = datetime.datetime.combine(as_of + datetime.timedelta(days=2), datetime.time(), datetime.UTC)
    custody_cut_text = custody_cut.strftime("%Y-%m-%d %H:%M:%S")
    custody = load_table("custody", "occurred_at < %s",
                         [custody_cut if connection.vendor == "postgresql" else custody_cut_text])
    custody = custody.with_columns(
        local_date=(pl.col("occurred_at") + pl.duration(minutes=pl.col("utc_offset"))).dt.date()
    ).drop("utc_offset")
    return {
        "officials": load_table("officials"),
        "documents": load_table("documents"),
        "crossings": load_table("crossings", "local_date <= %s", [as_of.isoformat()]),
        "custody": custody,
        "trips": load_table("trips", "status = %s", ["approved"]),
        "watchlist": load_table("watchlist"),
        "relatives": load_table("relatives", "relation IN (%s, %s)", ["spouse", "child"]),
    }


def crossings_set_owners(*, owners: pl.DataFrame, as_of: datetime.date) -> int:
    """Record who each crossing known by `as_of` belongs to, in bulk: the owner when there is exactly
    one; none when there is none or several (a number registered to two officials: the alerts name each).
    Returns the number of crossings whose owner was (re)written. Runs inside the caller's transaction."""
    single = (owners.group_by("event_id").agg(pl.col("official_id").unique())
              .filter(pl.col("official_id").list.len() == 1)
              .select("event_id", pl.col("official_id").list.first()))
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE reconcile_owner (event_id VARCHAR(64) PRIMARY KEY, "
                       "official_id VARCHAR(64) NOT NULL)")
        try:
            rows = single.rows()
            for start in range(0, len(rows), UPDATE_BATCH_ROWS):
                cursor.executemany("INSERT INTO reconcile_owner (event_id, official_id) VALUES (%s, %s)",
                                   rows[start:start + UPDATE_BATCH_ROWS])
            cursor.execute(
                "UPDATE border_crossing SET official_id = (SELECT o.official_id FROM reconcile_owner o "
                "WHERE o.event_id = border_crossing.event_id) "
                "WHERE local_date <= %s AND (official_id IS NOT NULL OR event_id IN "
                "(SELECT event_id FROM reconcile_owner))", [as_of])
            return cursor.rowcount
        finally:
            cursor.execute("DROP TABLE reconcile_owner")
