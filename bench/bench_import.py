"""Time `longarm synth` and `longarm import` on a large synthetic world, on SQLite or PostgreSQL.

    .venv/bin/python bench/bench_import.py --officials 1000000 --crossings 2000000 --database sqlite
    .venv/bin/python bench/bench_import.py --officials 1000000 --crossings 2000000 --database postgresql \
        --url postgresql://postgres@127.0.0.1:5432/postgres

Steps, each its own process so that each peak memory figure is its own
(`os.wait4` gives the rusage of that one child):
1. `longarm synth --officials N --public-crossings C` writes the world (CSV);
2. `longarm init` on a fresh database (a SQLite file in the work directory,
   or a scratch PostgreSQL database created next to `--url` and dropped after);
3. `longarm import` of officials, relatives, documents, custody, trips and
   watch list in one run;
4. `longarm import` of the crossings;
5. `longarm import` of everything again (must change nothing).
Prints seconds, rows per second (per file, from its Run record) and peak
RSS; asserts nothing but a zero exit status. Not run in CI.
"""

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LONGARM = Path(sys.executable).with_name("longarm")
REGISTRY_FILES = ["officials.csv", "relatives.csv", "documents.csv", "custody.csv", "trips.csv", "watchlist.csv"]


def run_step(label: str, argv: list[str], env: dict) -> dict:
    """Run one command; its wall time and its own peak RSS (MiB), from `os.wait4` on that child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode != 0:
        sys.stderr.write(stdout + stderr)
        raise SystemExit(f"{label} failed with status {process.returncode}")
    return {"label": label, "seconds": seconds, "peak_mib": usage.ru_maxrss / 1024, "stdout": stdout}


def import_runs(url: str) -> list[tuple]:
    """(file, rows, seconds) of every import run, oldest first, from the runs table."""
    sql = ("SELECT parameters, counts, started_at, finished_at FROM runs_run "
           "WHERE kind = 'import' ORDER BY id")
    if url.startswith("sqlite"):
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            rows = connection.execute(sql).fetchall()
        from datetime import datetime

        def parse(value):
            return datetime.fromisoformat(value)
    else:
        import psycopg

        with psycopg.connect(url) as connection:
            rows = connection.execute(sql).fetchall()

        def parse(value):
            return value
    result = []
    for parameters, counts, started, finished in rows:
        parameters = json.loads(parameters) if isinstance(parameters, str) else parameters
        counts = json.loads(counts) if isinstance(counts, str) else counts
        result.append((Path(parameters["file"]).name, counts.get("rows", 0),
                       (parse(finished) - parse(started)).total_seconds(), counts))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--officials", type=int, default=1_000_000)
    parser.add_argument("--crossings", type=int, default=2_000_000, help="crossings of the general public")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres",
                        help="a PostgreSQL server to create the scratch database on")
    parser.add_argument("--workdir", help="keep files here (default: a temporary directory, removed after)")
    parser.add_argument("--reuse-world", action="store_true", help="skip synth when the workdir has a world")
    options = parser.parse_args()

    workdir = Path(options.workdir or tempfile.mkdtemp(prefix="longarm-bench-import-"))
    workdir.mkdir(parents=True, exist_ok=True)
    world = workdir / "world"
    env = {**os.environ, "LONGARM_DATA_DIR": str(workdir / "data"), "LONGARM_HTTPS": "false"}
    scratch = ""
    if options.database == "sqlite":
        database = workdir / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{database}"
    else:
        import psycopg

        scratch = f"longarm_bench_import_{uuid.uuid4().hex[:8]}"
        server = options.url.rsplit("/", 1)[0]
        with psycopg.connect(options.url, autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{scratch}"')
        url = f"{server}/{scratch}"
    env["LONGARM_DATABASE_URL"] = url
    steps = []
    try:
        if not (options.reuse_world and (world / "crossings.csv").exists()):
            shutil.rmtree(world, ignore_errors=True)
            steps.append(run_step("synth", [str(LONGARM), "synth", "--officials", str(options.officials),
                                            "--seed", str(options.seed), "--out", str(world),
                                            "--public-crossings", str(options.crossings)], env))
        steps.append(run_step("init", [str(LONGARM), "init"], env))
        registry = [str(world / name) for name in REGISTRY_FILES]
        steps.append(run_step("import registry", [str(LONGARM), "import", *registry], env))
        steps.append(run_step("import crossings", [str(LONGARM), "import", str(world / "crossings.csv")], env))
        steps.append(run_step("re-import all", [str(LONGARM), "import", *registry,
                                                 str(world / "crossings.csv")], env))
        runs = import_runs(url)
    finally:
        if scratch:
            import psycopg

            with psycopg.connect(options.url, autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
        if not options.workdir:
            shutil.rmtree(workdir, ignore_errors=True)

    print(f"longarm import benchmark: {options.database}, {options.officials} officials, "
          f"{options.crossings} public crossings, seed {options.seed}")
    print(f"{'step':<20}{'seconds':>10}{'peak MiB':>10}")
    for step in steps:
        print(f"{step['label']:<20}{step['seconds']:>10.1f}{step['peak_mib']:>10.0f}")
    print()
    print(f"{'file (import run)':<20}{'rows':>10}{'seconds':>10}{'rows/s':>10}  counts")
    half = len(runs) // 2
    for index, (name, rows, seconds, counts) in enumerate(runs):
        label = name if index < half else f"{name} (again)"
        rate = rows / seconds if seconds else float("nan")
        detail = f"+{counts.get('inserted', 0)} ~{counts.get('updated', 0)} ={counts.get('unchanged', 0)}"
        print(f"{label:<20}{rows:>10}{seconds:>10.1f}{rate:>10.0f}  {detail}")


if __name__ == "__main__":
    main()
