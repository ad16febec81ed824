"""Time `longarm reconcile` on a large synthetic world, on SQLite or PostgreSQL.

    flock /tmp/longarm-heavy.lock .venv/bin/python bench/bench_reconcile.py \
        --officials 1000000 --crossings 2000000 --database sqlite
    flock /tmp/longarm-heavy.lock .venv/bin/python bench/bench_reconcile.py \
        --officials 7000000 --database postgresql --url postgresql://postgres@127.0.0.1:5432/longarm_bench_reconcile

Separate processes, so that each peak memory figure is its own:
1. `generate`, once per size and seed: a fresh database (migrated), then a
   world written straight into it through ADBC (Arrow ingest): officials,
   10/7 documents each, one custody event per document, spouses and
   children, trips, watch-list entries, and one day of crossings: 1 % by
   officials' registered documents, 0.1 % by identity with an unregistered
   document, the rest travellers who are not officials. The world is kept
   (SQLite: a file in --world-dir; PostgreSQL: a template database
   NAME_world_<officials>_<crossings>_<seed>) and every measured run starts
   from a fresh copy of it, so a run is always the first on its world;
2. `longarm reconcile --as-of D` (which then runs identity resolution, timed
   by its own bench/bench_identity.py and printed here apart);
3. the report: wall seconds, CPU seconds (all threads of the process) and
   peak memory (MiB, the process's high-water mark after each phase) of
   load, match, rules and write, from the Run record.
Prints the figures; asserts nothing.

Measured on this 2-core machine, shared with other sessions' jobs (load
average 2-10: wall seconds are inflated and noisy; CPU seconds, all threads
of the process, are the steadier figure). The alerts found are the same as
before the changes (same counts by code), and tests/alerts/test_end_to_end.py
holds the narrowed reads to the whole-table result.

- SQLite, 1M officials + 2M crossings (`--officials 1000000 --crossings
  2000000`, under the heavy-job lock): reconcile 13.7 s (load 7.0 s wall /
  7.6 s CPU, match 0.1 s, rules 0.3 s, write 6.4 s / 4.9 s CPU), 32,974
  alerts raised, 22,000 of the 2M crossings read; peak 1.2 GiB, most of it
  the memory-mapped database file (clean file pages; without mmap the peak
  was 0.5 GiB). The process end to end: 44.6 s wall, 44.2 s CPU, of which
  identity resolution (run by `longarm reconcile` after the rules) 29.2 s.
  Before this work: reconcile 195 s (load 110, match 20, rules 31, write
  34), peak 2.8 GiB.
  A second run on the same day (nothing new): 20.3 s under load average 6
  (load 15.9 s / 9.4 s CPU, write 3.8 s / 1.6 s CPU).
- SQLite, 200k officials + 400k crossings: reconcile 4.8 s (load 3.3,
  write 1.3), 6,545 alerts.
- PostgreSQL, 200k officials + 400k crossings: reconcile 5.2 s (load 3.0 s,
  the work on the server; rules 0.3; write 1.8); identity resolution after
  it 23 s.
- PostgreSQL, 1M officials + 2M crossings (`--database postgresql
  --officials 1000000 --crossings 2000000`, under the heavy-job lock, load
  average 2): reconcile 18.6 s (load 11.9 s, the work on the server, 0.6 s
  CPU in the process; match 0.1 s; rules 0.4 s; write 6.3 s / 1.3 s CPU),
  the same 32,974 alerts; peak 0.2 GiB. The process end to end: 91.1 s, of
  which identity resolution 70.6 s. (A copy run without identity
  resolution at load average 3: 20.9 s.)
- 7M officials + 2M crossings a day, measured 2026-11-23 (`--officials 7000000 --crossings 2000000
  --next-day`, under the heavy-job lock, but with other helpers' jobs running beside it: load average
  4-8 on SQLite, 2-4 on PostgreSQL; wall seconds are inflated, CPU seconds are the steadier figure).
  The world (7M officials, 10M documents, 14M relatives, 700k trips) takes 45 s to generate; its
  ingest took 30 min into SQLite (with a 4 GB page cache) and 57 min into PostgreSQL (`--world-only`).
  Target: under 60 s end to end, under 8 GiB. NOT met:

  | run | reconcile (load / rules / write) | identity resolution (load, features, dedupe, link, write) | process |
  |---|---|---|---|
  | SQLite, first day | 113.8 s (92.1 wall, 44.2 CPU / 2.2 / 19.4) | full: 361.6 s (62, 20, 127, 56, 96) | 480.6 s wall, 245 s CPU, 6.0 GiB |
  | SQLite, next day (4M crossings on record) | 102.5 s (87.5 wall, 54.4 CPU / 2.2 / 12.7) | incremental: 149.1 s (84, 18, 0, 35, 11) | 255.6 s wall, 161 s CPU, 6.0 GiB |
  | PostgreSQL, first day | 99.8 s (77.9, on the server / 1.1 / 20.6) | full: 649.2 s (30, 8, 23, 17, 571: fingerprints row by row, now COPY) | 751 s wall, 5.6 GiB |
  | PostgreSQL, next day | 113.0 s (102.3, on the server / 1.3 / 9.1) | incremental: 66.3 s (39, 9, 0, 18, 0.6) | 181.5 s wall, 94 s CPU, 5.6 GiB |

  (The SQLite runs predate the identity pipeline's thread pool: the PostgreSQL runs scored 6.8M
  duplicate pairs/s where SQLite's scored 1.2M/s.) Found since, on the SQLite next-day database and
  fixed: SQLite walked every unmatched crossing ever recorded to find the day's (24 s, now 2 s by the
  date index); the scan for officials holding two documents of a type read every document row (18.2 s
  CPU, now 8.6 s with an index on (official, doc_type)); the identity alerts built a dictionary of the
  whole registry. What is left, by reads timed alone on that database (CPU seconds):
  - the crossing filter, 24.5 s for 4M crossings on record: it re-reads every crossing known by the day,
    so it grows with the history, not the day;
  - the registry scans for conflicting documents (8 s, shared numbers; 8.6 s, two of a type) and
    relatives abroad (4.3 s): linear in the registry, every day;
  - identity resolution reads all 7M officials (19.4 s), fingerprints them (11.6 s) and featurises them
    (11.3 s) every day, to link the day's 2M unmatched crossings.
  All three want the same thing next: change tracking on the registry (which officials, documents and
  relatives changed since the last run), so that a daily run reads the day and the changes, not the whole
  history and registry.

Where the time goes now: the load is the crossing filter (SQLite: about
4.5 µs of CPU per crossing, mostly two name-key index probes; run in two
halves side by side) and, growing with the registry, the scans for
conflicting documents and relatives abroad; the write is SQLite's index
upkeep on alerts, notices and history (about 30 µs a row).
"""

import argparse
import datetime
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
AS_OF = datetime.date(2024, 6, 1)
PROVINCES = ["CN-BJ", "CN-SH", "CN-GD", "CN-ZJ", "CN-JS", "CN-SD", "CN-SC", "CN-HB", "CN-HN", "CN-FJ", "CN-YN"]
FAMILY = ["WANG", "LI", "ZHANG", "LIU", "CHEN", "YANG", "HUANG", "ZHAO", "WU", "ZHOU", "XU", "SUN", "MA", "ZHU",
          "HU", "GUO", "HE", "GAO", "LIN", "LUO", "ZHENG", "LIANG", "XIE", "SONG", "TANG", "HAN", "FENG", "DENG"]
SYLLABLES = ["WEI", "FANG", "NA", "MIN", "JING", "LEI", "QIANG", "JUN", "YAN", "TAO", "MING", "HUI", "LING", "PING",
             "GANG", "HONG", "YU", "XIN", "BIN", "HAO", "KAI", "LAN", "YING", "XIAO", "ZHI", "JIAN", "DONG", "CHUN"]
COUNTRIES = ["USA", "CAN", "AUS", "GBR", "JPN", "KOR", "SGP", "THA", "HKG", "MAC", "FRA", "DEU", "NZL"]


def _pick(rng, values, n):
    return pl.Series(values).gather(rng.integers(0, len(values), n))


def _dates(rng, start: datetime.date, span_days: int, n: int) -> pl.Series:
    days = np.datetime64(start.isoformat(), "D") + rng.integers(0, span_days, n).astype("timedelta64[D]")
    return pl.Series(days).cast(pl.Date)


def build_world(officials: int, crossings: int, seed: int) -> dict[str, pl.DataFrame]:
    from longarm.engine.normalize import document_number_key_expr, name_key_expr

    rng = np.random.default_rng(seed)
    n = officials
    given = _pick(rng, SYLLABLES, n) + _pick(rng, SYLLABLES, n)
    people = pl.DataFrame({
        "official_id": pl.int_range(n, eager=True).cast(pl.String).str.zfill(8),
        "family_name": _pick(rng, FAMILY, n), "given_name": given,
        "sex": _pick(rng, ["M", "F"], n), "date_of_birth": _dates(rng, datetime.date(1955, 1, 1), 365 * 45, n),
        "jurisdiction": _pick(rng, PROVINCES, n),
    }).with_columns(
        official_id=pl.format("O{}", pl.col("official_id")), name_key=name_key_expr("family_name", "given_name"), native_name=pl.lit(""), national_id=pl.lit(""),
        organization=pl.lit("Bureau"), position=pl.lit("Officer"), rank=pl.lit("staff"), status=pl.lit("active"),
        sensitive_post=pl.lit(False),
    )
    # 10 documents for 7 officials: everyone a passport, three in seven a travel permit too.
    extra = people.filter(pl.Series(rng.random(n) < 3 / 7))
    documents = pl.concat([
        people.select("official_id", pl.lit("passport").alias("doc_type"), pl.lit("E").alias("p")),
        extra.select("official_id", pl.lit("travel_permit").alias("doc_type"), pl.lit("C").alias("p")),
    ]).with_row_index("i").with_columns(
        document_id=pl.format("D{}", pl.col("i")),
        number=pl.format("{}{}", pl.col("p"), (pl.col("i") + 10_000_000).cast(pl.String)),
        issuing_state=pl.lit("CHN"), issued_on=pl.lit(datetime.date(2020, 1, 1)),
        expires_on=pl.lit(datetime.date(2030, 1, 1)), mrz=pl.lit(""),
    ).with_columns(number_norm=document_number_key_expr("number")).drop("i", "p")
    m = documents.height
    custody = documents.select("document_id").with_row_index("i").with_columns(
        event_id=pl.format("C{}", pl.col("i")),
        action=_pick(rng, ["deposit", "release"], m),
        occurred_at=pl.lit(datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)),
        utc_offset=pl.lit(480, dtype=pl.Int16),
    ).drop("i")
    relatives = pl.concat([
        people.select("official_id", pl.lit("spouse").alias("relation")),
        people.select("official_id", pl.lit("child").alias("relation")),
    ]).with_row_index("i").with_columns(
        relative_id=pl.format("R{}", pl.col("i")), family_name=pl.lit("X"), given_name=pl.lit("Y"),
        residence_country=pl.Series(np.where(rng.random(2 * n) < 0.01, "CAN", "CHN")),
        residence_status=pl.lit("citizen"), nationalities=pl.lit(""),
    ).drop("i")
    travellers = people.sample(fraction=0.1, seed=seed).with_row_index("i")
    trips = travellers.join(documents.filter(doc_type="passport").select("official_id", "document_id"),
                            on="official_id").select(
        pl.format("T{}", pl.col("i")).alias("trip_id"), "official_id", "document_id",
        pl.lit("private").alias("purpose"), pl.lit("USA;CAN").alias("destinations"),
        pl.lit(AS_OF - datetime.timedelta(days=2)).alias("depart_on"),
        pl.lit(AS_OF + datetime.timedelta(days=10)).alias("return_on"), pl.lit("approved").alias("status"))
    watch = people.sample(n=max(1, n // 1000), seed=seed + 1).select(
        pl.format("W{}", pl.col("official_id")).alias("entry_id"), "official_id", pl.lit("exit_ban").alias("measure"),
        pl.lit("Supervision Law art. 30").alias("legal_basis"), pl.lit("Commission").alias("authority"),
        pl.lit("").alias("case_ref"), pl.lit(datetime.date(2024, 1, 1)).alias("starts_on"),
        pl.lit(datetime.date(2025, 1, 1)).alias("expires_on"))

    cross = build_crossings(people, documents, crossings, seed, AS_OF, "X")
    return {"registry_official": people, "documents_document": documents, "documents_custodyevent": custody,
            "registry_relative": relatives, "travel_trip": trips, "watchlist_watchlistentry": watch,
            "border_crossing": cross}


def build_crossings(people: pl.DataFrame, documents: pl.DataFrame, crossings: int, seed: int,
                    day: datetime.date, prefix: str) -> pl.DataFrame:
    """One day of crossings: 1 % by officials' registered documents, 0.1 % by identity with an unregistered
    document, the rest travellers who are not officials; event ids `<prefix><n>`."""
    from longarm.engine.normalize import document_number_key_expr

    rng = np.random.default_rng([seed, day.toordinal()])
    by_doc = max(1, crossings // 100)
    by_identity = max(1, crossings // 1000)
    strangers = crossings - by_doc - by_identity
    used = documents.sample(n=by_doc, seed=int(rng.integers(2**31))).join(people, on="official_id").select(
        "doc_type", pl.col("number").alias("doc_number"), "issuing_state", "family_name", "given_name",
        "date_of_birth", "sex")
    ident = people.sample(n=by_identity, seed=int(rng.integers(2**31))).select(
        pl.lit("passport").alias("doc_type"), pl.format("G{}", pl.col("official_id")).alias("doc_number"),
        pl.lit("CHN").alias("issuing_state"), "family_name", "given_name", "date_of_birth", "sex")
    others = pl.DataFrame({
        "doc_type": pl.Series(["passport"] * strangers), "doc_number": pl.int_range(strangers, eager=True).cast(pl.String),
        "issuing_state": _pick(rng, COUNTRIES + ["CHN"], strangers), "family_name": _pick(rng, FAMILY, strangers),
        "given_name": _pick(rng, SYLLABLES, strangers) + _pick(rng, ["A", "B", "C"], strangers),
        "date_of_birth": _dates(rng, datetime.date(1940, 1, 1), 365 * 70, strangers),
        "sex": _pick(rng, ["M", "F"], strangers)})
    seconds = pl.Series(rng.integers(0, 86_400, crossings)).cast(pl.Int64) * 1_000_000
    others = others.with_columns(doc_number=pl.format("K{}", pl.col("doc_number")))
    cross = pl.concat([used, ident, others]).with_row_index("i").with_columns(
        event_id=pl.format(prefix + "{}", pl.col("i")),
        direction=_pick(rng, ["exit", "entry"], crossings),
        # local times on the day in +08:00
        occurred_at=(pl.lit(datetime.datetime.combine(day, datetime.time(), datetime.UTC))
                     - pl.duration(hours=8) + pl.duration(microseconds=seconds)),
        utc_offset=pl.lit(480, dtype=pl.Int16), local_date=pl.lit(day), port=pl.lit("PEK"),
        port_jurisdiction=_pick(rng, PROVINCES, crossings), nationality=pl.lit("CHN"),
        counterpart_country=_pick(rng, COUNTRIES, crossings),
    ).with_columns(doc_number_norm=document_number_key_expr("doc_number")).drop("i")
    return cross


def _for_sqlite(frame: pl.DataFrame) -> pl.DataFrame:
    """Django's SQLite storage: dates and date-times as text, booleans as integers."""
    out = []
    for name, dtype in frame.schema.items():
        if dtype == pl.Date:
            out.append(pl.col(name).dt.to_string("%Y-%m-%d"))
        elif isinstance(dtype, pl.Datetime):
            out.append(pl.col(name).dt.convert_time_zone("UTC").dt.to_string("%Y-%m-%d %H:%M:%S"))
        elif dtype == pl.Boolean:
            out.append(pl.col(name).cast(pl.Int64))
        else:
            out.append(pl.col(name))
    return frame.select(out)


def _complete(frame: pl.DataFrame, table: str) -> pl.DataFrame:
    """Add the model's other NOT NULL columns that have no database default, with the field's default."""
    from django.apps import apps
    from django.db.models import NOT_PROVIDED

    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    extra = {}
    for field in model._meta.concrete_fields:
        if field.column in frame.columns or field.null or field.db_default is not NOT_PROVIDED:
            continue
        value = field.get_default()
        if value is not None and not callable(value) and not isinstance(value, (dict, list)):
            extra[field.column] = value
    return frame.with_columns(**{name: pl.lit(value) for name, value in extra.items()})


def generate(args) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    world = build_world(args.officials, args.crossings, args.seed)
    if args.step == "next-day":  # the same registry; only the next day's crossings go in
        day = AS_OF + datetime.timedelta(days=1)
        world = {"border_crossing": build_crossings(world["registry_official"], world["documents_document"],
                                                    args.crossings, args.seed, day, "Y")}
    print(f"generate: {time.perf_counter() - started:.1f}s "
          + ", ".join(f"{t.split('_', 1)[1]} {f.height:,}" for t, f in world.items()), flush=True)
    started = time.perf_counter()
    if connection.vendor == "postgresql":
        import adbc_driver_postgresql.dbapi as adbc

        conn = adbc.connect(os.environ["LONGARM_DATABASE_URL"])
    else:
        import adbc_driver_sqlite.dbapi as adbc

        conn = adbc.connect(str(connection.settings_dict["NAME"]))
        with conn.cursor() as cursor:  # a partial file, thrown away if this fails: a large page cache
            for pragma in ("cache_size = -4000000",):
                cursor.execute(f"PRAGMA {pragma}")
                cursor.fetchall()
    with conn, conn.cursor() as cursor:
        for table, frame in world.items():
            frame = _complete(frame, table)
            frame = _for_sqlite(frame) if connection.vendor == "sqlite" else frame
            cursor.adbc_ingest(table, frame.to_arrow(), mode="append")
        conn.commit()
    print(f"ingest: {time.perf_counter() - started:.1f}s", flush=True)


def report(args) -> None:
    import django

    django.setup()
    from longarm.runs.models import Run

    run = Run.objects.filter(kind="reconcile").order_by("-id").first()
    print(f"reconcile run #{run.pk} ({run.status}) total {run.duration_seconds:.1f}s")
    for phase, figures in run.counts["phases"].items():
        cpu = f"{figures['cpu_seconds']:7.2f}s CPU" if "cpu_seconds" in figures else " " * 11
        print(f"  {phase:6s} {figures['seconds']:8.2f}s  {cpu}  peak {figures['peak_mib']:8.1f} MiB")
    print("  inputs " + json.dumps(run.counts["inputs"]))
    print("  loaded " + json.dumps(run.counts.get("loaded", {})))
    print("  alerts " + json.dumps(run.counts["by_code"]))
    resolve = Run.objects.filter(kind="resolve", id__gt=run.pk).order_by("id").first()
    if resolve is not None:  # identity resolution, which longarm reconcile runs after the rules
        print(f"identity resolution run #{resolve.pk} ({resolve.status}, {resolve.parameters.get('mode')}) "
              f"total {resolve.duration_seconds:.1f}s")
        for phase, figures in (resolve.counts or {}).get("phases", {}).items():
            print(f"  {phase:8s} {figures['seconds']:8.2f}s  peak {figures['peak_mib']:8.1f} MiB")
        for key in ("officials_compared", "crossings_linked", "scored_pairs", "pairs_per_second"):
            print(f"  {key} {json.dumps((resolve.counts or {}).get(key))}")


def _sqlite_world(args, env: dict) -> None:
    """A pristine world file per size and seed (generated once), copied afresh for each measured run."""
    world_dir = Path(args.world_dir)
    world_dir.mkdir(parents=True, exist_ok=True)
    world = world_dir / f"world-{args.officials}-{args.crossings}-{args.seed}.sqlite3"
    if not world.exists():
        partial = world.with_suffix(".partial")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{partial}{suffix}").unlink(missing_ok=True)
        _generate(args, {**env, "LONGARM_DATABASE_URL": f"sqlite:///{partial}"})
        _checkpoint(partial)
        partial.rename(world)
    path = Path(env["LONGARM_DATA_DIR"]) / "bench.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(world, path)
    env["LONGARM_DATABASE_URL"] = f"sqlite:///{path}"


def _checkpoint(path: Path) -> None:
    import sqlite3

    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _postgresql_world(args, env: dict) -> None:
    """A pristine world database per size and seed (generated once); each measured run gets a copy of it."""
    import psycopg

    base, name = args.url.rsplit("/", 1)
    world = f"{name}_world_{args.officials}_{args.crossings}_{args.seed}"
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [world]).fetchone()
        if not exists:
            conn.execute(f'DROP DATABASE IF EXISTS "{world}_partial"')
            conn.execute(f'CREATE DATABASE "{world}_partial"')
            _generate(args, {**env, "LONGARM_DATABASE_URL": f"{base}/{world}_partial"})
            with psycopg.connect(f"{base}/{world}_partial", autocommit=True) as world_conn:
                world_conn.execute("VACUUM ANALYZE")
            conn.execute(f'ALTER DATABASE "{world}_partial" RENAME TO "{world}"')
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{world}"')
    env["LONGARM_DATABASE_URL"] = args.url


def _generate(args, env: dict) -> None:
    common = ["--officials", str(args.officials), "--crossings", str(args.crossings), "--seed", str(args.seed)]
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--step", "generate", *common], env=env,
                   check=True, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--officials", type=int, default=1_000_000)
    parser.add_argument("--crossings", type=int, default=2_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/longarm_bench_reconcile",
                        help="PostgreSQL database of the measured run (dropped and copied afresh from the "
                             "world database NAME_world_<officials>_<crossings>_<seed>, generated once)")
    parser.add_argument("--world-dir", default=str(Path(tempfile.gettempdir()) / "longarm-bench-reconcile"),
                        help="SQLite: where the generated world files are kept between runs")
    parser.add_argument("--step", choices=["all", "generate", "next-day", "report"], default="all")
    parser.add_argument("--next-day", action="store_true",
                        help="after the measured run, add the next day's crossings and measure the daily run on them "
                             "(identity resolution then runs incrementally, as it does every day)")
    parser.add_argument("--world-only", action="store_true",
                        help="generate the world (when missing) and stop; nothing is measured, so no lock is needed")
    args = parser.parse_args()
    if args.step in ("generate", "next-day"):
        return generate(args)
    if args.step == "report":
        return report(args)

    env = {**os.environ, "LONGARM_HTTPS": "false", "DJANGO_SETTINGS_MODULE": "longarm.settings"}
    env.setdefault("LONGARM_DATA_DIR", tempfile.mkdtemp(prefix="longarm-bench-"))
    if args.database == "sqlite":
        _sqlite_world(args, env)
    else:
        _postgresql_world(args, env)
    if args.world_only:
        return
    # a world generated before the latest migrations gets them (indexes, say) before anything is measured
    subprocess.run([sys.executable, "-m", "longarm.cli", "migrate", "--verbosity", "0"], env=env, check=True,
                   cwd=ROOT)
    _measure(AS_OF, env)
    if args.next_day:
        common = ["--officials", str(args.officials), "--crossings", str(args.crossings), "--seed", str(args.seed)]
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--step", "next-day", *common], env=env,
                       check=True, cwd=ROOT)
        print("the next day, after the first run:", flush=True)
        _measure(AS_OF + datetime.timedelta(days=1), env)


def _measure(day: datetime.date, env: dict) -> None:
    """Run `longarm reconcile --as-of day` in a process of its own and print its figures."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "longarm.cli", "reconcile", "--as-of", day.isoformat()], env=env,
                   check=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"end to end (process): {seconds:.1f}s wall, {cpu:.1f}s CPU, peak {after.ru_maxrss / 1024:.0f} MiB "
          "(the largest child so far)", flush=True)
    subprocess.run([sys.executable, str(Path(__file__).resolve()), "--step", "report"], env=env, check=True,
                   cwd=ROOT)


if __name__ == "__main__":
    main()
