"""Loading what the alert rules need, in bulk, as Polars frames; writing crossing owners back in bulk.

Only the columns the rules read, and only the rows that can change their
result (`load_snapshot` says which): of two million crossings a day, the few
thousand that can belong to an official; of the registries, the documents,
relatives and officials those crossings and the registry-wide rules
(duplicate documents, MRZ, naked officials) can involve. The narrowing is
done in SQL on the tables' indexes; the rules themselves stay in the engine.

How rows travel: PostgreSQL streams `COPY (…) TO STDOUT (FORMAT csv)` into
Polars' CSV reader; a SQLite file outside a transaction is read through a
read-only connection of its own (Python's SQLite, never a second copy of the
library: see `read_text`); anything else (the in-memory test database, a caller's
open transaction) falls back to one `fetchall` on Django's connection. Every
path returns the same frames. Outside a transaction the big reads run side
by side, each on its own connection.
"""

import contextlib
import datetime
import io
import json
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.db import connection, connections, transaction

from longarm.alerts.registry_keys import registry_keys
from longarm.engine.normalize import name_key_expr
from longarm.registry.changes import changed_numbers

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


def _postgresql_uri() -> str:
    """Django's PostgreSQL connection settings as a libpq URI."""
    from urllib.parse import quote

    settings_dict = connection.settings_dict
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "localhost"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{quote(str(settings_dict['NAME']), safe='')}"


def read_text(sql: str, params: list, names: list[str]) -> pl.DataFrame:
    """Rows of one query as a text frame, in bulk: COPY on PostgreSQL, a read-only connection of its own on a
    SQLite file, else one fetchall on Django's connection."""
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        # COPY takes no bind parameters: inline them as literals, safely quoted by psycopg.
        from psycopg import sql as pgsql

        inlined = pgsql.SQL(sql.replace("%s", "{}")).format(*[pgsql.Literal(p) for p in params])
        if not connection.in_atomic_block:
            # Outside a transaction: ADBC's PostgreSQL driver, which streams binary COPY into Arrow in C++.
            # psycopg's COPY hands Python one message per row: 12 s of a core for 7 million short rows.
            import adbc_driver_postgresql.dbapi as adbc

            with adbc.connect(_postgresql_uri()) as conn, conn.cursor() as cursor:
                cursor.execute(inlined.as_string(connection.connection))
                frame = pl.from_arrow(cursor.fetch_arrow_table())
            frame = frame if isinstance(frame, pl.DataFrame) else frame.to_frame()
            return frame.rename(dict(zip(frame.columns, names))).cast(pl.String)
        buffer = io.BytesIO()
        with connection.cursor() as cursor:
            query = pgsql.SQL("COPY ({}) TO STDOUT (FORMAT csv)").format(inlined)
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
        # A connection of its own (reads run side by side, each in its thread, the GIL released while SQLite
        # works), through Python's own SQLite library: a second copy of SQLite in the process (ADBC's) does
        # not share its file locks, and closing its file would drop the locks of Django's connections
        # ("How To Corrupt An SQLite Database File", 2.2.2): another process's commit was lost that way.
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                                                check_same_thread=False)) as conn:
            # Memory-mapped pages: the index probes of the crossing filter cost no system call each.
            conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
            rows = conn.execute(sql.replace("%s", "?"), params).fetchall()
        return pl.DataFrame(rows, schema={n: pl.String for n in names}, orient="row")
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


def _in_values(expression: str, cast: str = "") -> str:
    """`expression IN (the values of a JSON array passed as one parameter)`; `cast`: their SQL type, when
    not text (PostgreSQL compares a date with a date; SQLite stores dates as ISO text)."""
    if connection.vendor == "postgresql":
        value = f"CAST(value AS {cast})" if cast else "value"
        return f"{expression} IN (SELECT {value} FROM json_array_elements_text(%s::json))"
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


def _by_tuples(kind: str, conditions: dict[str, str], rows: list[list], where: str = "",
               params: list | None = None) -> pl.DataFrame:
    """Rows of `kind` whose columns equal one of `rows` (each a list in the order of `conditions`), and that
    meet `where` (on alias `t`) if given."""
    prefix, on = _tuples_join(conditions)
    return load_table(kind, on + (f" AND {where}" if where else ""), [_json(rows), *(params or [])], join=prefix)


def _plain_name_key_sql(first: str, second: str) -> str:
    """The normalised name key (`engine.normalize.name_key`) in SQL, exact for names of plain letters,
    spaces, hyphens and apostrophes (upper-casing ASCII needs no Unicode tables)."""
    return f"upper(replace(replace(replace({first} || {second}, ' ', ''), '-', ''), '''', ''))"


def _candidate_crossings_where(as_of: datetime.date, part: str = "", part_params: list | None = None
                               ) -> tuple[str, list]:
    """Crossings known by `as_of` that may belong to an official: their document is registered; or their
    name (either order), date of birth and sex are an official's; or their name is not plain (its key is
    then computed by the engine). Every crossing that `engine.rules.crossing_owners` can match is among
    them; the rest (travellers who are not officials) are never read. `part` (with `part_params`) narrows
    the crossings looked at further (a range of rows: those written since the last run). Returns
    (condition, parameters).

    Cheap tests first: a date of birth outside the officials' range rules identity out; the name key of
    a name in capital letters only is the name itself; only other names pay for the SQL normalisation
    (`_plain_name_key_sql`), and names it cannot normalise are read as they are. SQLite probes the
    indexes crossing by crossing; PostgreSQL joins (hash joins, in parallel), which it does faster."""
    name = "(c.family_name || c.given_name)"
    known = "c.local_date <= %s" + part
    known_params = [as_of.isoformat(), *(part_params or [])]
    in_range = ("c.date_of_birth BETWEEN (SELECT MIN(date_of_birth) FROM registry_official) "
                "AND (SELECT MAX(date_of_birth) FROM registry_official)")
    straight = _plain_name_key_sql("c.family_name", "c.given_name")
    swapped = _plain_name_key_sql("c.given_name", "c.family_name")
    if connection.vendor == "postgresql":
        # The crossings looked at are read once (a materialised CTE, with their name keys both ways), then
        # hash-joined with the documents and the officials (see `_candidates`).
        # The SQL name key is exact for plain names; the others are read whatever their key (`unplain`).
        plain = f"{name} ~ '^[A-Za-z '' -]*$'"
        looked_at = (
            "SELECT c.event_id, c.issuing_state, c.doc_number_norm, c.date_of_birth, c.sex, "
            f"{straight} AS straight, {swapped} AS swapped, "
            f"({in_range} AND NOT {plain}) AS unplain FROM border_crossing c WHERE {known}")
        # documents: one hash join; officials: one hash join on both name keys of every crossing at once
        candidates = (
            f"WITH part AS MATERIALIZED ({looked_at}), "
            "named AS (SELECT event_id, straight AS name_key, date_of_birth, sex FROM part "
            "UNION ALL SELECT event_id, swapped, date_of_birth, sex FROM part) "
            "SELECT p.event_id FROM part p JOIN documents_document d ON d.issuing_state = p.issuing_state "
            "AND d.number_norm = p.doc_number_norm "
            "UNION SELECT n.event_id FROM named n JOIN registry_official o ON o.name_key = n.name_key "
            "AND o.date_of_birth = n.date_of_birth AND o.sex = n.sex "
            "UNION SELECT p.event_id FROM part p WHERE p.unplain")
        return f"{known} AND c.event_id IN ({candidates})", known_params * 2

    capitals_only, plain = f"NOT {name} GLOB '*[^A-Z]*'", f"NOT {name} GLOB '*[^A-Za-z '' -]*'"

    def official_named(straight: str, swapped: str) -> str:
        # one probe of the (name key, date of birth, sex) index per key
        return (f"EXISTS (SELECT 1 FROM registry_official o WHERE o.name_key IN ({straight}, {swapped}) "
                "AND o.date_of_birth = c.date_of_birth AND o.sex = c.sex)")

    return (
        f"{known} AND ("
        "EXISTS (SELECT 1 FROM documents_document d WHERE d.issuing_state = c.issuing_state "
        "AND d.number_norm = c.doc_number_norm) "
        f"OR ({in_range} "
        f"AND CASE WHEN {capitals_only} "
        f"THEN {official_named('c.family_name || c.given_name', 'c.given_name || c.family_name')} "
        f"WHEN {plain} THEN {official_named(straight, swapped)} "
        "ELSE TRUE END))"
    ), known_params


def _closing_connections(task):
    """Run a read in a worker thread, then close the database connections Django opened for that thread."""
    try:
        return task()
    finally:
        connections.close_all()


def _frame_ids(*columns: pl.Series) -> list[str]:
    return sorted(set().union(*(set(c.drop_nulls().to_list()) for c in columns)))


@dataclass(frozen=True)
class Since:
    """Where a daily run starts: what the last run read, and what was written since.

    `crossings_read`: the last crossing, in write order, that the last run read (SQLite's rowid, PostgreSQL's
    `seq`); `crossings_now`: the last one written now; `as_of`: the last run's as-of date; `changes`: the
    registry's changes since the last run (`longarm.registry.changes.registry_changes`)."""

    crossings_read: int
    crossings_now: int
    as_of: datetime.date
    changes: dict[str, list[str]]


def crossing_write_mark() -> int:
    """The last crossing written, in write order (see `Since`). On PostgreSQL, `seq` values are drawn before
    their transactions commit: the mark first waits for the imports in progress (a `SHARE` lock held for this
    one read), so that no crossing at or below it can commit later."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("LOCK TABLE border_crossing IN SHARE MODE")
            cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM border_crossing")
        else:
            cursor.execute("SELECT COALESCE(MAX(rowid), 0) FROM border_crossing")
        return int(cursor.fetchone()[0])


def _crossing_parts(as_of: datetime.date, since: Since | None, parallel: bool) -> dict[str, tuple[str, list]]:
    """The parts of the crossings table the candidate filter reads: (condition on `c`, parameters) each.

    A whole run reads every crossing known by `as_of` (SQLite, side by side: in two halves of the table). A
    daily run reads the crossings written since the last run, and those written before it with a local date
    after its as-of date (it could not know them then)."""
    sqlite = connection.vendor == "sqlite"
    order = "c.rowid" if sqlite else "c.seq"
    if since is None:
        if not parallel or not sqlite:  # PostgreSQL runs the crossing filter in parallel itself
            return {"crossings": ("", [])}
        with connection.cursor() as cursor:
            cursor.execute("SELECT MIN(rowid), MAX(rowid) FROM border_crossing")
            low, high = (bound or 0 for bound in cursor.fetchone())
        middle = (low + high) // 2
        return {"crossings_0": (" AND c.rowid BETWEEN %s AND %s", [low, middle]),
                "crossings_1": (" AND c.rowid BETWEEN %s AND %s", [middle + 1, high])}
    written = f" AND {order} > %s AND {order} <= %s"
    low, high = since.crossings_read, since.crossings_now
    if sqlite and parallel:
        middle = (low + high) // 2
        parts = {"written_0": (written, [low, middle]), "written_1": (written, [middle, high])}
    else:
        parts = {"written": (written, [low, high])}
    if as_of > since.as_of:
        before = f"{order} <= %s" + ("" if sqlite else " OR c.seq IS NULL")  # rows older than `seq`: NULL
        parts["late"] = (f" AND c.local_date > %s AND ({before})", [since.as_of.isoformat(), low])
    return parts


def _candidates(as_of: datetime.date, part: str, params: list) -> pl.DataFrame:
    """The candidate filter on one part of the crossings table (see `_crossing_parts`).

    PostgreSQL: hash joins only, in memory. The part is a day or more (millions of rows), and a nested loop
    that probes the crossings' date-of-birth index once per official, or the officials once per crossing,
    costs minutes at 7 million officials, as do merge joins that sort the officials on disk; the planner
    picks those when its estimates of the part are off (new rows not analysed yet, the name key computed
    from two columns)."""
    if connection.vendor != "postgresql":
        return load_table("crossings", *_candidate_crossings_where(as_of, part, params), alias="c")
    planner = {"enable_nestloop": "off", "enable_mergejoin": "off", "enable_memoize": "off",
               "work_mem": "'256MB'"}  # the day's crossings hashed in memory, not sorted on disk
    with connection.cursor() as cursor:
        for name, value in planner.items():
            cursor.execute(f"SET {name} = {value}")
        try:
            return load_table("crossings", *_candidate_crossings_where(as_of, part, params), alias="c")
        finally:
            for name in planner:
                cursor.execute(f"RESET {name}")


def reads_side_by_side() -> bool:
    """Whether reads can run side by side, each on its own connection, and see what is committed: a SQLite
    file (a connection per read), or PostgreSQL outside a transaction (each thread its own Django connection)."""
    return _sqlite_file() is not None or (connection.vendor == "postgresql" and not connection.in_atomic_block)


def in_thread(pool: ThreadPoolExecutor, task):
    """Submit a read to a worker thread that closes the connections Django opened for it."""
    return pool.submit(_closing_connections, task)


KEY_HASH_SEED = 7
KEY_COLUMNS = {"event_id": "str", "issuing_state": "str", "doc_number_norm": "str", "family_name": "str",
               "given_name": "str", "date_of_birth": "date", "sex": "str"}


def _keys_of_crossings(as_of: datetime.date, part: str, params: list) -> pl.DataFrame:
    """The columns the candidate filter reads, of every crossing of one part (see `_crossing_parts`)."""
    sql = f"SELECT {select_list(KEY_COLUMNS, 'c')} FROM border_crossing c WHERE c.local_date <= %s{part}"
    return typed_frame(read_text(sql, [as_of.isoformat(), *params], list(KEY_COLUMNS)), KEY_COLUMNS)


def _known_to_registry(crossings: pl.DataFrame, people: pl.DataFrame, numbers: pl.DataFrame) -> pl.DataFrame:
    """The crossings that may belong to an official, as `_candidate_crossings_where` says (exactly: the
    name keys are the engine's own): their document is registered, or their name (either order), date of
    birth and sex are an official's. A name of capital letters only is its own key (most names, and the
    full normalisation costs seconds a day); the others get `name_key_expr`. Keys are compared by a 64-bit
    hash of their columns: a collision can only let a crossing more through (the engine decides)."""
    if crossings.is_empty():
        return crossings.select("event_id")

    def hashed(columns: list[str]) -> pl.Expr:
        return pl.struct(columns).hash(seed=KEY_HASH_SEED).alias("key")

    by_number = crossings.select("event_id", hashed(["issuing_state", "doc_number_norm"])).join(
        numbers.select(hashed(["issuing_state", "number_norm"])), on="key", how="semi").select("event_id")
    plain = pl.concat_str("family_name", "given_name").str.contains("^[A-Z]*$")
    simple, other = crossings.filter(plain), crossings.filter(~plain)
    keys = pl.concat([
        simple.select("event_id", pl.concat_str(first, second).alias("name_key"), "date_of_birth", "sex")
        for first, second in (("family_name", "given_name"), ("given_name", "family_name"))
    ] + [
        other.select("event_id", name_key_expr(first, second).alias("name_key"), "date_of_birth", "sex")
        for first, second in (("family_name", "given_name"), ("given_name", "family_name"))
    ])
    by_name = keys.select("event_id", hashed(["name_key", "date_of_birth", "sex"])).join(
        people.select(hashed(["name_key", "date_of_birth", "sex"])), on="key", how="semi").select("event_id")
    return pl.concat([by_number, by_name]).unique()


def _daily_crossings(as_of: datetime.date, since: Since) -> pl.DataFrame:
    """A daily run's other crossings: those that belonged to an official in some run (`OwnedCrossing`), and
    the earlier crossings that the registry's changes can make an official's (by a changed document number,
    or a changed date of birth). More than can belong to anyone; the engine decides."""
    known = [as_of.isoformat()]
    frames = [load_table("crossings", "c.event_id = o.event_id AND c.local_date <= %s", known, alias="c",
                         join="alerts_ownedcrossing o, ")]
    numbers = changed_numbers(since.changes["number"])
    if numbers.height:
        frames.append(_by_tuples("crossings", {"issuing_state": "str", "doc_number_norm": "str"}, numbers.rows(),
                                 "t.local_date <= %s", known))
    if since.changes["birth"]:
        frames.append(load_table("crossings", f"{_in_values('t.date_of_birth', cast='date')} AND t.local_date <= %s",
                                 [_json(since.changes["birth"]), *known]))
    return pl.concat(frames)


def _changed_registry(changes: dict[str, list[str]], home_country: str) -> tuple[list[str], pl.DataFrame,
                                                                                pl.DataFrame]:
    """A daily run's registry reads: the officials whose registry alerts (DUPLICATE_DOCUMENT, INVALID_MRZ,
    NAKED_OFFICIAL) the changes can alter, with what those rules need to decide them again.

    The scope: officials changed (their row, a document, a relative), holders of a document whose custody
    changed, and holders of every document with a number written (before or after a change: a new
    document that shares a number involves the other holder). Read for them: all their documents and
    every document sharing a number with one of those, and their spouses and children."""
    scope = set(changes["official"])
    if changes["document"]:
        held = load_table("documents", _in_values("t.document_id"), [_json(changes["document"])])
        scope |= set(held["official_id"].to_list())
    numbers = changed_numbers(changes["number"])
    if numbers.height:
        sharing = _by_tuples("documents", {"issuing_state": "str", "number_norm": "str"}, numbers.rows())
        scope |= set(sharing["official_id"].to_list())
    officials = sorted(scope)
    theirs = load_table("documents", _in_values("t.official_id"), [_json(officials)])
    keys = theirs.select("issuing_state", "number_norm").unique().sort("issuing_state", "number_norm")
    documents = pl.concat([theirs, _by_tuples("documents", {"issuing_state": "str", "number_norm": "str"},
                                              keys.rows())]).unique("document_id", keep="first")
    relatives = load_table("relatives", f"relation IN (%s, %s) AND {_in_values('t.official_id')}",
                           ["spouse", "child", _json(officials)])
    return officials, documents, relatives


def load_snapshot(*, as_of: datetime.date, home_country: str, since: Since | None = None,
                  keys_state: dict | None = None, report: dict | None = None) -> dict[str, pl.DataFrame]:
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

    A daily run (`since`: what the last run read) reads less, and its result is still the whole-table one:
    the candidate filter runs on the crossings written since (`_crossing_parts`) and the crossings that
    belonged to an official or that the registry's changes touch are read as they are (`_daily_crossings`);
    the registry scans give way to the officials the changes touch (`_changed_registry`). The frames then
    hold `registry_scope`: the officials whose registry alerts the result decides (the others' stand).
    `keys_state` (PostgreSQL): the arguments of `alerts.registry_keys.registry_keys` (the change mark, the
    tokens of the last run's files); `report`, when given, is told how those keys were read.
    """
    parallel = reads_side_by_side()
    parts = _crossing_parts(as_of, since, parallel)
    # PostgreSQL, daily: the day's rows are read whole and filtered here against the registry's keys (read
    # beside them), which costs seconds where the server's joins of the day with the registry cost half a
    # minute at 7 million officials. SQLite probes its indexes row by row faster than it could hand the rows
    # over, and a whole run on PostgreSQL (the history) lets the server filter.
    filter_here = since is not None and connection.vendor == "postgresql"
    tasks = {}
    if connection.vendor == "postgresql" and keys_state is not None:
        # read (and kept current) by every run, so that the first daily run after a whole one finds them
        tasks["registry_keys"] = lambda: registry_keys(**keys_state)
    if filter_here:
        tasks |= {name: (lambda part=part, params=params: _keys_of_crossings(as_of, part, params))
                  for name, (part, params) in parts.items()}
    else:
        tasks |= {name: (lambda part=part, params=params: _candidates(as_of, part, params))
                 for name, (part, params) in parts.items()}
    if since is None:
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
    else:
        tasks["daily"] = lambda: _daily_crossings(as_of, since)
    if parallel:
        # SQLite, Arrow and the PostgreSQL client wait and work outside the GIL.
        with ThreadPoolExecutor(max_workers=PARALLEL_READS) as pool:
            futures = {name: in_thread(pool, task) for name, task in tasks.items()}
            loaded = {name: future.result() for name, future in futures.items()}
    else:
        loaded = {name: task() for name, task in tasks.items()}
    keys = loaded.pop("registry_keys", None)
    if keys is not None and report is not None:
        report["registry_keys"] = keys.report
    if filter_here:
        if keys is None:
            keys = registry_keys(mark=0, tokens=None, max_changes=0)
        # all parts filtered at once: a filter costs the registry's hash tables, however few rows it takes
        known = _known_to_registry(pl.concat([loaded.pop(name) for name in parts]), keys.people, keys.numbers)
        loaded["known"] = load_table("crossings", _in_values("t.event_id"), [_json(known["event_id"].to_list())])
        parts = {"known": ("", [])}
    scope = None
    if since is not None:
        scope, loaded["conflicting"], loaded["relatives"] = _changed_registry(since.changes, home_country)
    crossings = pl.concat([loaded[name] for name in [*parts, *(["daily"] if since else [])]])
    crossings = crossings.unique("event_id", keep="first").sort("event_id")
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
        **({} if scope is None else {"registry_scope": pl.DataFrame({"official_id": scope},
                                                                   schema={"official_id": pl.String})}),
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
    Only rows whose owner changes are written; returns how many. Every crossing with an owner is also kept
    in `OwnedCrossing` (if not there yet), for the daily runs to read again. Runs inside the caller's
    transaction."""
    every = (owners.group_by("event_id").agg(pl.col("official_id").unique())
             .select("event_id", pl.when(pl.col("official_id").list.len() == 1)
                     .then(pl.col("official_id").list.first()).alias("official_id")))
    # SQLite: unary + keeps the planner on the few owners rather than the date index (the day, the history).
    known = "local_date <= %s" if connection.vendor == "postgresql" else "+local_date <= %s"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE reconcile_owner (event_id VARCHAR(64) PRIMARY KEY, "
                       "official_id VARCHAR(64))")
        try:
            rows = every.rows()
            if connection.vendor == "postgresql":
                with cursor.cursor.copy("COPY reconcile_owner (event_id, official_id) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                for start in range(0, len(rows), UPDATE_BATCH_ROWS):
                    cursor.executemany("INSERT INTO reconcile_owner (event_id, official_id) VALUES (%s, %s)",
                                       rows[start:start + UPDATE_BATCH_ROWS])
            # Both statements walk the few owners (the temporary table, the owner index), never the crossings
            # of the day or of the history: `event_id IN (…)` probes the primary key; `official_id > ''` is
            # a range of the owner index.
            owner = "(SELECT o.official_id FROM reconcile_owner o WHERE o.event_id = border_crossing.event_id)"
            cursor.execute(
                f"UPDATE border_crossing SET official_id = {owner} "
                "WHERE event_id IN (SELECT event_id FROM reconcile_owner WHERE official_id IS NOT NULL) "
                f"AND {known} AND (official_id IS NULL OR official_id <> {owner})", [as_of])
            written = cursor.rowcount
            cursor.execute(
                f"UPDATE border_crossing SET official_id = NULL WHERE official_id > '' AND {known} "
                "AND event_id NOT IN (SELECT event_id FROM reconcile_owner WHERE official_id IS NOT NULL)", [as_of])
            written += cursor.rowcount
            cursor.execute("INSERT INTO alerts_ownedcrossing (event_id) SELECT o.event_id FROM reconcile_owner o "
                           "WHERE NOT EXISTS (SELECT 1 FROM alerts_ownedcrossing k WHERE k.event_id = o.event_id)")
            return written
        finally:
            cursor.execute("DROP TABLE reconcile_owner")
