"""Time the daily crossings linkage of identity resolution: the day's unmatched crossings against every official.

    .venv/bin/python bench/identity_link.py --officials 1000000 --crossings 300000
    flock /tmp/longarm-heavy.lock .venv/bin/python bench/identity_link.py --officials 7000000 --crossings 2000000

The world is `bench_reconcile.build_world` in memory (no database): its
officials and the crossings that no registered document matched become the
identity engine's record frames (the columns of `longarm.identity.selectors`'
`officials_record_frame` / `crossings_unmatched_frame`), featurised by
`pipeline.official_record_features`, then `pipeline.link_features` runs with
what `identity_resolve` passes: the default model, the officials comparisons,
`CROSSING_BLOCKING_RULES` and the review threshold of the settings' default.
Prints seconds, pairs, pairs/s, peak memory and where the time goes
(`--breakdown`: seconds in blocking, scoring and the set-up, by timers around the engine's steps);
`--check FILE` compares the pairs and scores with a frame saved by `--save FILE`.

Measured 2026-11-23 at 7M officials + 2M crossings (1,980,000 unmatched), under the heavy-job lock but with
other sessions' jobs beside it (load average 4-5), default review threshold 0.5 (no pair kept: the planted
identity crossings carry no national id; `--review` lower keeps some), 30,185,083 pairs scored, the same
per-rule blocking counts before and after:

- before (commit 5ba5c9c): link 44.3 s wall, 25.9 s CPU, 0.68 M pairs/s, peak 4.8 GiB;
- after (keys hashed and sorted once per side and key, the next rule's in a thread ahead, no-key rules
  skipped, earlier rules' pairs dropped by the left record first, blank national ids compared at once):
  link 20.0 s wall, 17.5 s CPU, 1.51 M pairs/s, peak 4.7 GiB; output identical.
"""

import argparse
import resource
import sys
import time
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

REVIEW_PROBABILITY = 0.5  # settings.LONGARM_IDENTITY_REVIEW_PROBABILITY's default
RECORD_COLUMNS = ("record_id", "family_name", "given_name", "native_name", "date_of_birth", "sex", "national_id")


def _blank_as_null(column: str) -> pl.Expr:
    return pl.when(pl.col(column).str.len_bytes() > 0).then(pl.col(column)).alias(column)


def record_frames(officials: int, crossings: int, seed: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(officials, the day's crossings no registered document matched) as the engine's record frames."""
    from bench_reconcile import build_world

    world = build_world(officials, crossings, seed)
    people = world["registry_official"].rename({"official_id": "record_id"}).with_columns(
        _blank_as_null("native_name"), _blank_as_null("national_id"), _blank_as_null("sex"))
    registered = world["documents_document"].select(pl.col("number").alias("doc_number"))
    unmatched = world["border_crossing"].join(registered, on="doc_number", how="anti").rename(
        {"event_id": "record_id"}).with_columns(
        pl.lit(None, dtype=pl.String).alias("native_name"), pl.lit(None, dtype=pl.String).alias("national_id"))
    return (people.select(RECORD_COLUMNS).sort("record_id"), unmatched.select(RECORD_COLUMNS).sort("record_id"))


class StepTimers:
    """Seconds spent in named engine functions by the thread that runs them, each second counted once, in the
    innermost step timed (Polars works in threads of its own: thread CPU time would miss it, so these are wall
    seconds). Threads side by side add up: run with `--workers 1` for a breakdown that sums to the run's time
    (the set-up's two threads still overlap with blocking)."""

    STEPS = (  # (label, module, attribute path)
        ("setup: locality order", "pipeline", "_locality_orders"),
        ("setup: term frequencies", "pipeline", "with_term_frequencies"),
        ("setup: record arrays", "sides", "RecordColumns.array"),
        ("setup: record arrays", "sides", "RecordColumns.codes"),
        ("blocking: keys hashed", "blocking", "_codes"),
        ("blocking: keys sorted", "blocking", "_sorted_members"),
        ("blocking: blocks matched", "blocking", "_cross"),
        ("blocking: pairs made", "blocking", "_cross_block_pairs"),
        ("blocking: earlier rules' pairs dropped", "blocking", "_fresh"),
        ("blocking: keys hashed", "blocking", "_LinkKeys.codes"),  # the link run's own steps (blocking.py)
        ("blocking: blocks matched", "blocking", "_link"),
        ("blocking: pairs made", "blocking", "_cross_block_members"),
        ("blocking: earlier rules' pairs dropped", "blocking", "_LinkRuleCodes.reached"),
        ("scoring", "pipeline", "_ChunkScorer.__call__"),
        ("scoring", "pipeline", "_ChunkScorer.advance"),
    )

    def __init__(self):
        import threading
        from collections import defaultdict

        self.seconds: dict[str, float] = defaultdict(float)
        self._local = threading.local()
        self._lock = threading.Lock()
        self._undo = []

    def _wrapped(self, label: str, function):
        import functools
        import inspect

        timers = self

        def enter():
            stack = getattr(timers._local, "stack", None)
            if stack is None:
                stack = timers._local.stack = []
            now = time.perf_counter()
            if stack:
                timers._add(stack[-1][0], now - stack[-1][1])
            stack.append([label, now])
            return stack

        def leave(stack):
            now = time.perf_counter()
            done, since = stack.pop()
            timers._add(done, now - since)
            if stack:
                stack[-1][1] = now

        if inspect.isgeneratorfunction(function):
            @functools.wraps(function)
            def generator(*args, **kwargs):
                inner = function(*args, **kwargs)
                while True:
                    stack = enter()
                    try:
                        item = next(inner)
                    except StopIteration:
                        return
                    finally:
                        leave(stack)
                    yield item
            return generator

        @functools.wraps(function)
        def plain(*args, **kwargs):
            stack = enter()
            try:
                return function(*args, **kwargs)
            finally:
                leave(stack)
        return plain

    def _add(self, label: str, seconds: float) -> None:
        with self._lock:
            self.seconds[label] += seconds

    def install(self) -> None:
        from longarm.engine.identity import blocking, pipeline, sides

        modules = {"pipeline": pipeline, "blocking": blocking, "sides": sides}
        for label, module, path in self.STEPS:
            owner = modules[module]
            *outer, attribute = path.split(".")
            for name in outer:
                owner = getattr(owner, name)
            if not hasattr(owner, attribute):
                continue
            original = getattr(owner, attribute)
            self._undo.append((owner, attribute, original))
            setattr(owner, attribute, self._wrapped(label, original))

    def uninstall(self) -> None:
        for owner, attribute, original in reversed(self._undo):
            setattr(owner, attribute, original)
        self._undo.clear()


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--officials", type=int, default=1_000_000)
    parser.add_argument("--crossings", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--review", type=float, default=REVIEW_PROBABILITY,
                        help="review threshold (default the settings' default; lower keeps more pairs to check)")
    parser.add_argument("--repeat", type=int, default=1, help="link runs to time (the figures of each)")
    parser.add_argument("--save", type=Path, help="write the pairs found (Parquet), for a later --check")
    parser.add_argument("--check", type=Path, help="compare the pairs found with a frame written by --save")
    parser.add_argument("--breakdown", action="store_true",
                        help="time the last run's steps (CPU seconds per step; the timers cost a little)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the last link run to this file")
    args = parser.parse_args()

    from longarm.engine.identity import pipeline

    started = time.perf_counter()
    officials, crossings = record_frames(args.officials, args.crossings, args.seed)
    print(f"world: {officials.height:,} officials, {crossings.height:,} unmatched crossings "
          f"({time.perf_counter() - started:.1f} s)", flush=True)
    started = time.perf_counter()
    right = pipeline.official_record_features(officials)
    left = pipeline.official_record_features(crossings)
    del officials, crossings
    print(f"features: {time.perf_counter() - started:.1f} s; peak {_peak_mib():,.0f} MiB", flush=True)

    params = pipeline.load_default_parameters()
    comparisons = pipeline.official_comparisons()
    links = None
    for attempt in range(args.repeat):
        report = pipeline.ResolutionReport()
        profiler, timers = None, None
        if args.breakdown and attempt == args.repeat - 1:
            timers = StepTimers()
            timers.install()
        if args.profile and attempt == args.repeat - 1:
            import cProfile
            profiler = cProfile.Profile()
            profiler.enable()
        cpu, started = time.process_time(), time.perf_counter()
        links = pipeline.link_features(left, right, params, comparisons=comparisons,
                                       rules=pipeline.CROSSING_BLOCKING_RULES, review_threshold=args.review,
                                       report=report, workers=args.workers)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(args.profile)
        if timers is not None:
            timers.uninstall()
        pairs = report.scored_pairs
        phases = ", ".join(f"{name} {value:.2f} s" for name, value in report.seconds.items())
        print(f"link: {seconds:.2f} s wall, {cpu:.2f} s CPU; {pairs:,} pairs scored, {pairs / seconds / 1e6:.2f} M "
              f"pairs/s; {report.pruned_pairs:,} pruned, {links.height:,} kept; peak {_peak_mib():,.0f} MiB",
              flush=True)
        print(f"  phases: {phases}", flush=True)
        if timers is not None:
            timed = sum(timers.seconds.values())
            print(f"  seconds by step, summed over threads ({timed:.2f} s in all; {seconds - timed:.2f} s of the run "
                  "outside them if one thread ran the steps):")
            for label, value in sorted(timers.seconds.items(), key=lambda item: -item[1]):
                print(f"    {label}: {value:.2f} s")
        print("  " + report.blocking.summary().replace("\n", "\n  "), flush=True)
    if args.save:
        links.write_parquet(args.save)
    if args.check:
        reference = pl.read_parquet(args.check)
        same = reference.equals(links)
        print(f"check against {args.check}: {'identical' if same else 'DIFFERENT'} "
              f"({reference.height:,} reference rows, {links.height:,} now)")
        if not same:
            sys.exit(1)


if __name__ == "__main__":
    main()
