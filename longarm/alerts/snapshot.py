"""Loading what the alert rules need, in bulk, as Polars frames; writing crossing owners back in bulk.

Only the columns the rules read, and only the rows that can change their
result (`load_snapshot` says which): of two million crossings a day, the few
thousand that can belong to an official; of the registries, the documents,
relatives and officials those crossings and the registry-wide rules
(duplicate documents, MRZ, naked officials) can involve. The narrowing is
done in SQL on the tables' indexes; the rules themselves stay in the engine.

How rows travel: PostgreSQL streams `COPY (…) TO STDOUT (FORMAT csv)` into
Polars' CSV reader; a SQLite file outside a transaction is read through ADBC
straight into Arrow; anything else (the in-memory test database, a caller's
open transaction) falls back to one `fetchall` on Django's connection. Every
path returns the same frames. Outside a transaction the big reads run side
by side, each on its own connection.
"""

import datetime
import io
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl
from django.db import connection, connections

from longarm.engine.normalize import name_key_expr

DATE_FORMAT = "%Y-%m-%d"
DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S%.f"
UPDATE_BATCH_ROWS = 10_000
PARALLEL_READS = 2
BUSY_TIMEOUT_MS = 60_000
MMAP_BYTES = 1 << 36

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


def select_list(columns: dict[str, str], alias: str = "") -> str:
    """The SELECT list that reads `columns` as text on every backend (see `typed_frame` for the way back)."""
    prefix = f"{alias}." if alias else ""
    parts = []
    for name, kind in columns.items():
        column = f"{prefix}{name}"
        if kind == "datetime" and connection.vendor == "postgresql":
            parts.append(f"to_char({column} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') AS {name}")
        elif kind == "int":
            parts.append(f"CAST({column} AS TEXT) AS {name}")
        elif kind.endswith("?") or kind.startswith("date"):
            parts.append(f"COALESCE(CAST({column} AS TEXT), '') AS {name}")
        else:
            parts.append(f"{column} AS {name}" if prefix else name)
    return ", ".join(parts)


def typed_frame(frame: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame:
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


def read_text(sql: str, params: list, names: list[str]) -> pl.DataFrame:
    """Rows of one query as a text frame, in bulk: COPY on PostgreSQL, ADBC on a SQLite file, else fetchall."""
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
            # Reads run side by side: wait for a moment's lock (WAL recovery on open) rather than fail.
            # Memory-mapped pages: the index probes of the crossing filter cost no system call each.
            for pragma in (f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}", f"PRAGMA mmap_size = {MMAP_BYTES}"):
                cursor.execute(pragma)
                cursor.fetchall()
            cursor.execute(sql.replace("%s", "?"), params)
            table = cursor.fetch_arrow_table()
        frame = pl.from_arrow(table)
        return frame if isinstance(frame, pl.DataFrame) else frame.to_frame()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return pl.DataFrame(rows, schema={n: pl.String for n in names}, orient="row")


def load_table(kind: str, where: str = "", params: list | None = None, *, alias: str = "t",
               join: str = "") -> pl.DataFrame:
    """Rows of one kind: `SELECT <its columns> FROM <join> <table> t [WHERE …]`, typed as the rules expect."""
    table, columns = TABLES[kind]
    sql = f"SELECT {select_list(columns, alias)} FROM {join}{table} {alias}" + (f" WHERE {where}" if where else "")
    return typed_frame(read_text(sql, params or [], list(columns)), columns)


# --- narrowing: the rows that can matter -----------------------------------------------------------------------


def _json(values) -> str:
    return json.dumps(values, default=str, separators=(",", ":"))


def _in_values(expression: str) -> str:
    """`expression IN (the values of a JSON array passed as one parameter)`."""
    if connection.vendor == "postgresql":
        return f"{expression} IN (SELECT value FROM json_array_elements_text(%s::json))"
    return f"{expression} IN (SELECT value FROM json_each(%s))"


def _tuples_join(conditions: dict[str, str]) -> str:
    """`FROM` prefix joining a JSON array of arrays (one parameter) to table alias `t`: column → item type."""
    on = []
    for index, (column, kind) in enumerate(conditions.items()):
        if connection.vendor == "postgresql":
            cast = "::date" if kind == "date" else ""
            on.append(f"t.{column} = (j.value->>{index}){cast}")
        else:
            on.append(f"t.{column} = json_extract(j.value, '$[{index}]')")
    source = ("json_array_elements(%s::json) j" if connection.vendor == "postgresql" else "json_each(%s) j")
    return f"{source}, ", " AND ".join(on)


def _by_tuples(kind: str, conditions: dict[str, str], rows: list[list]) -> pl.DataFrame:
    """Rows of `kind` whose columns equal one of `rows` (each a list in the order of `conditions`)."""
    prefix, on = _tuples_join(conditions)
    return load_table(kind, on, [_json(rows)], join=prefix)


def _plain_name_key_sql(first: str, second: str) -> str:
    """The normalised name key (`engine.normalize.name_key`) in SQL, exact for names of plain letters,
    spaces, hyphens and apostrophes (upper-casing ASCII needs no Unicode tables)."""
    return f"upper(replace(replace(replace({first} || {second}, ' ', ''), '-', ''), '''', ''))"


def _candidate_crossings_where(as_of: datetime.date) -> tuple[str, list]:
    """Crossings known by `as_of` that may belong to an official: their document is registered; or their
    name (either order), date of birth and sex are an official's; or their name is not plain (its key is
    then computed by the engine). Every crossing that `engine.rules.crossing_owners` can match is among
    them; the rest (travellers who are not officials) are never read. Returns (condition, parameters).

    Cheap tests first: a date of birth outside the officials' range rules identity out; the name key of
    a name in capital letters only is the name itself; only other names pay for the SQL normalisation
    (`_plain_name_key_sql`), and names it cannot normalise are read as they are. SQLite probes the
    indexes crossing by crossing; PostgreSQL joins (hash joins, in parallel), which it does faster."""
    name = "(c.family_name || c.given_name)"
    known = "c.local_date <= %s"
    in_range = ("c.date_of_birth BETWEEN (SELECT MIN(date_of_birth) FROM registry_official) "
                "AND (SELECT MAX(date_of_birth) FROM registry_official)")
    straight = _plain_name_key_sql("c.family_name", "c.given_name")
    swapped = _plain_name_key_sql("c.given_name", "c.family_name")
    if connection.vendor == "postgresql":
        capitals_only, plain = f"{name} ~ '^[A-Z]*$'", f"{name} ~ '^[A-Za-z '' -]*$'"

        def by_name(capitals: str, normalised: str) -> str:
            key = f"CASE WHEN {capitals_only} THEN {capitals} WHEN {plain} THEN {normalised} END"
            return (f"SELECT c.event_id FROM border_crossing c JOIN registry_official o ON o.name_key = ({key}) "
                    f"AND o.date_of_birth = c.date_of_birth AND o.sex = c.sex WHERE {known}")

        candidates = " UNION ".join([
            "SELECT c.event_id FROM border_crossing c JOIN documents_document d ON d.issuing_state = "
            f"c.issuing_state AND d.number_norm = c.doc_number_norm WHERE {known}",
            by_name("c.family_name || c.given_name", straight),
            by_name("c.given_name || c.family_name", swapped),
            f"SELECT c.event_id FROM border_crossing c WHERE {known} AND {in_range} AND NOT {plain}",
        ])
        return f"{known} AND c.event_id IN ({candidates})", [as_of.isoformat()] * 5

    capitals_only, plain = f"NOT {name} GLOB '*[^A-Z]*'", f"NOT {name} GLOB '*[^A-Za-z '' -]*'"

    def official_named(straight: str, swapped: str) -> str:
        # unary + keeps SQLite's planner on the name_key index alone
        return (f"EXISTS (SELECT 1 FROM registry_official o WHERE o.name_key IN ({straight}, {swapped}) "
                "AND +o.date_of_birth = c.date_of_birth AND +o.sex = c.sex)")

    return (
        f"{known} AND ("
        "EXISTS (SELECT 1 FROM documents_document d WHERE d.issuing_state = c.issuing_state "
        "AND d.number_norm = c.doc_number_norm) "
        f"OR ({in_range} "
        f"AND CASE WHEN {capitals_only} "
        f"THEN {official_named('c.family_name || c.given_name', 'c.given_name || c.family_name')} "
        f"WHEN {plain} THEN {official_named(straight, swapped)} "
        "ELSE TRUE END))"
    ), [as_of.isoformat()]


def _closing_connections(task):
    """Run a read in a worker thread, then close the database connections Django opened for that thread."""
    try:
        return task()
    finally:
        connections.close_all()


def _frame_ids(*columns: pl.Series) -> list[str]:
    return sorted(set().union(*(set(c.drop_nulls().to_list()) for c in columns)))


def load_snapshot(*, as_of: datetime.date, home_country: str) -> dict[str, pl.DataFrame]:
    """Every frame `engine.reconcile.reconcile` takes for data known up to `as_of`, narrowed in SQL to the
    rows that can change its result, so that its result is the one over whole tables:

    - crossings that may belong to an official (see `_candidate_crossings_where`);
    - documents those crossings name, documents that share a number with another, every document of an
      official holding two of one type, documents with an MRZ;
    - spouses and children of officials with one of them living abroad (only they can be "naked");
    - officials: holders of those documents, those relatives' officials, and those whose name key, date
      of birth and sex are a candidate crossing's;
    - approved trips of the officials the crossings can belong to; the watch list; custody events of the
      documents loaded and of the trips' documents that can have a local date up to `as_of`.
    """
    crossings_where, crossings_params = _candidate_crossings_where(as_of)
    # Side by side when each read can have its own connection and see what is committed: a SQLite file
    # (ADBC), or PostgreSQL outside a transaction (each thread gets its own Django connection).
    parallel = _sqlite_file() is not None or (connection.vendor == "postgresql" and not connection.in_atomic_block)
    if not parallel or connection.vendor == "postgresql":  # PostgreSQL runs the crossing filter in parallel
        halves = {"crossings": ("", [])}
    else:  # SQLite: the crossing filter is the longest read, in halves of the table, one per core
        with connection.cursor() as cursor:
            cursor.execute("SELECT MIN(rowid), MAX(rowid) FROM border_crossing")
            low, high = (bound or 0 for bound in cursor.fetchone())
        middle = (low + high) // 2
        halves = {"crossings_0": (" AND c.rowid BETWEEN %s AND %s", [low, middle]),
                  "crossings_1": (" AND c.rowid BETWEEN %s AND %s", [middle + 1, high])}
    tasks = {
        name: (lambda where=where, params=params: load_table(
            "crossings", crossings_where + where, crossings_params + params, alias="c"))
        for name, (where, params) in halves.items()
    }
    tasks |= {
        # one UNION, not IN-subqueries joined by OR: PostgreSQL would run those once per row when
        # their result outgrows work_mem
        "conflicting": lambda: load_table(
            "documents", "t.document_id IN ("
            "SELECT document_id FROM documents_document WHERE mrz <> '' "
            "UNION SELECT d.document_id FROM documents_document d JOIN (SELECT issuing_state, number_norm "
            "FROM documents_document GROUP BY issuing_state, number_norm HAVING COUNT(*) > 1) shared "
            "ON shared.issuing_state = d.issuing_state AND shared.number_norm = d.number_norm "
            "UNION SELECT d.document_id FROM documents_document d JOIN (SELECT DISTINCT official_id "
            "FROM documents_document GROUP BY official_id, doc_type HAVING COUNT(*) > 1) several "
            "ON several.official_id = d.official_id)"),
        "relatives": lambda: load_table(
            "relatives", "relation IN (%s, %s) AND official_id IN (SELECT official_id FROM registry_relative "
            "WHERE relation IN (%s, %s) AND residence_country <> %s)",
            ["spouse", "child", "spouse", "child", home_country]),
    }
    if parallel:
        # SQLite, Arrow and the PostgreSQL client wait and work outside the GIL.
        with ThreadPoolExecutor(max_workers=PARALLEL_READS) as pool:
            futures = {name: pool.submit(_closing_connections, task) for name, task in tasks.items()}
            loaded = {name: future.result() for name, future in futures.items()}
    else:
        loaded = {name: task() for name, task in tasks.items()}
    crossings = pl.concat([loaded[name] for name in halves])
    relatives = loaded["relatives"]

    keys = crossings.select("issuing_state", "doc_number_norm").unique().sort("issuing_state", "doc_number_norm")
    named = _by_tuples("documents", {"issuing_state": "str", "number_norm": "str"}, keys.rows())
    documents = pl.concat([named, loaded["conflicting"]]).unique("document_id", keep="first").sort("document_id")

    unregistered = crossings.join(
        named.select("issuing_state", pl.col("number_norm").alias("doc_number_norm")).unique(),
        on=["issuing_state", "doc_number_norm"], how="anti")
    people = pl.concat([
        unregistered.select(name_key_expr(first, second).alias("name_key"),
                            pl.col("date_of_birth").dt.to_string("%Y-%m-%d"), "sex")
        for first, second in (("family_name", "given_name"), ("given_name", "family_name"))
    ]).unique().sort("name_key", "date_of_birth", "sex")
    by_identity = _by_tuples("officials", {"name_key": "str", "date_of_birth": "date", "sex": "str"},
                             people.rows())
    holders = _frame_ids(documents["official_id"], relatives["official_id"])
    officials = pl.concat([by_identity, load_table("officials", _in_values("t.official_id"), [_json(holders)])])
    officials = officials.unique("official_id", keep="first").sort("official_id")

    owners_possible = _frame_ids(named["official_id"], by_identity["official_id"])
    trips = load_table("trips", f"status = %s AND {_in_values('t.official_id')}",
                       ["approved", _json(owners_possible)])

    # A local date ≤ as_of means a UTC moment before as_of + 1 day + 14 hours (the widest offset).
    custody_cut = datetime.datetime.combine(as_of + datetime.timedelta(days=2), datetime.time(), datetime.UTC)
    custody_cut_value = custody_cut if connection.vendor == "postgresql" else custody_cut.strftime(
        "%Y-%m-%d %H:%M:%S")
    documents_kept = _frame_ids(documents["document_id"], trips["document_id"])
    custody = load_table("custody", f"occurred_at < %s AND {_in_values('t.document_id')}",
                         [custody_cut_value, _json(documents_kept)])
    custody = custody.with_columns(
        local_date=(pl.col("occurred_at") + pl.duration(minutes=pl.col("utc_offset"))).dt.date()
    ).drop("utc_offset")
    return {
        "officials": officials,
        "documents": documents,
        "crossings": crossings,
        "custody": custody,
        "trips": trips,
        "watchlist": load_table("watchlist"),
        "relatives": relatives,
    }


def snapshot_counts(*, as_of: datetime.date) -> dict[str, int]:
    """How many records the run reasons over (the snapshot reads only those that can matter): crossings
    known by `as_of`, and the registries as they stand."""
    counted = {
        "crossings": ("border_crossing", "local_date <= %s", [as_of.isoformat()]),
        "officials": ("registry_official", "", []),
        "documents": ("documents_document", "", []),
    }
    counts = {}
    with connection.cursor() as cursor:
        for name, (table, where, params) in counted.items():
            cursor.execute(f"SELECT COUNT(*) FROM {table}" + (f" WHERE {where}" if where else ""), params)
            counts[name] = cursor.fetchone()[0]
    return counts


def crossings_set_owners(*, owners: pl.DataFrame, as_of: datetime.date) -> int:
    """Record who each crossing known by `as_of` belongs to, in bulk: the owner when there is exactly
    one; none when there is none or several (a number registered to two officials: the alerts name each).
    Only rows whose owner changes are written; returns how many. Runs inside the caller's transaction."""
    single = (owners.group_by("event_id").agg(pl.col("official_id").unique())
              .filter(pl.col("official_id").list.len() == 1)
              .select("event_id", pl.col("official_id").list.first()))
    # SQLite: unary + keeps the planner on the owner index (few rows) rather than the date index (the day).
    known = "local_date <= %s" if connection.vendor == "postgresql" else "+local_date <= %s"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE reconcile_owner (event_id VARCHAR(64) PRIMARY KEY, "
                       "official_id VARCHAR(64) NOT NULL)")
        try:
            rows = single.rows()
            if connection.vendor == "postgresql":
                with cursor.cursor.copy("COPY reconcile_owner (event_id, official_id) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                for start in range(0, len(rows), UPDATE_BATCH_ROWS):
                    cursor.executemany("INSERT INTO reconcile_owner (event_id, official_id) VALUES (%s, %s)",
                                       rows[start:start + UPDATE_BATCH_ROWS])
            cursor.execute(
                "UPDATE border_crossing SET official_id = o.official_id FROM reconcile_owner o "
                "WHERE o.event_id = border_crossing.event_id AND border_crossing.local_date <= %s "
                "AND (border_crossing.official_id IS NULL OR border_crossing.official_id <> o.official_id)",
                [as_of])
            written = cursor.rowcount
            cursor.execute(
                f"UPDATE border_crossing SET official_id = NULL WHERE official_id IS NOT NULL AND {known} "
                "AND event_id NOT IN (SELECT event_id FROM reconcile_owner)", [as_of])
            return written + cursor.rowcount
        finally:
            cursor.execute("DROP TABLE reconcile_owner")
