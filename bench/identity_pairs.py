"""The pairs phase of identity resolution alone (issue 6's figure), on a cached synth world.

    .venv/bin/python bench/identity_pairs.py synth_1m --repeat 3 [--workers N] [--head N] [--save out.parquet]

Loads the data set (`identity_data.load_dataset`; the synth worlds are generated on first use: run that
under `flock /tmp/longarm-heavy.lock`), computes the officials features once, then runs
`pipeline.dedupe_features` with the shipped model at the review threshold 0.5 `--repeat` times and prints,
per run, the pairs phase's wall seconds, the process CPU seconds of the call, scored pairs, pairs per
second (wall, the `ResolutionReport.pairs_per_second` figure) and per CPU-second, peak memory and the load
average. `--save` writes the last run's pairs (to compare two versions with polars' `assert_frame_equal`).
Prints figures, asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from identity_data import load_dataset  # noqa: E402

from longarm.engine.identity import pipeline  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dataset", help="synth_100k, synth_1m or synth_7m")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workers", type=int, default=None, help="default: one per CPU")
    parser.add_argument("--head", type=int, default=None, help="only the first N officials")
    parser.add_argument("--save", type=Path, default=None)
    args = parser.parse_args(argv)
    if not args.dataset.startswith("synth_"):
        parser.error("the pairs phase is measured on the synth registries of officials")
    records = load_dataset(args.dataset).left
    if args.head:
        records = records.head(args.head)
    params = pipeline.load_default_parameters()
    features = pipeline.official_record_features(records)
    found = None
    for _ in range(args.repeat):
        report = pipeline.ResolutionReport()
        before = resource.getrusage(resource.RUSAGE_SELF)
        found = pipeline.dedupe_features(features, params, comparisons=pipeline.official_comparisons(),
                                         rules=pipeline.OFFICIAL_BLOCKING_RULES, review_threshold=0.5,
                                         report=report, workers=args.workers)
        after = resource.getrusage(resource.RUSAGE_SELF)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        print(f"{args.dataset}: {records.height:,} records, pairs phase {report.seconds['pairs']:.2f} s wall, "
              f"{cpu:.2f} s CPU, {report.scored_pairs:,} scored pairs, {report.kept_pairs:,} kept, "
              f"{report.pairs_per_second:,.0f} pairs/s, {report.scored_pairs / cpu:,.0f} pairs/CPU-s, "
              f"peak {after.ru_maxrss / 1024 ** 2:.2f} GiB, load {os.getloadavg()[0]:.1f}", flush=True)
    if args.save and found is not None:
        found.write_parquet(args.save)
    return 0


if __name__ == "__main__":
    sys.exit(main())
