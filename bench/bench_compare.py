"""How fast identity features and comparisons run: prints records/s for `official_features` and pairs/s for
`compare(pairs, OFFICIAL_COMPARISONS)` on typical candidate pairs (same sex and family-name sound, births
close, like those of the main blocking rule).

    flock /tmp/longarm-heavy.lock .venv/bin/python bench/bench_compare.py --records 7000000 --pairs 5000000

Records are drawn from the synth name tables (surname shares, given-name characters), with 5% planted
duplicates (swapped names, a missing native name).

Measured 2026-11-23 on the 2-core bench machine while other heavy jobs ran (load average 5-14, so wall
times are two to three times the CPU times; CPU seconds are the steadier figure):

    1 050 000 records, official_features       6.2 s CPU  (169 000 records per CPU-second)
    3 000 000 pairs, compare(OFFICIAL_...)     3.9 s CPU  (764 000 pairs per CPU-second)

These pairs are the hard case: nearly all share the family name, so each needs a fuzzy score of the
given names (rapidfuzz, each distinct pair of given names once). Without fuzzy work it is faster:
date of birth, identity number and sex alone 4.0 million pairs per CPU-second; all four comparisons on
pairs that exact levels decide (duplicates) 2.5 million. The fuzzy name levels are what keeps `compare`
short of the issue's 5 million scored pairs per second on 2 cores.
"""

import argparse
import datetime as dt
import resource
import time

import numpy as np
import polars as pl

from longarm.engine.identity.comparisons import OFFICIAL_COMPARISONS, compare
from longarm.engine.identity.features import official_features
from longarm.synth.names import GIVEN_EITHER, GIVEN_FEMALE, GIVEN_MALE, SURNAMES, romanise


def draw_records(count: int, seed: int = 7) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    chars = np.array([s[0] for s in SURNAMES])
    shares = np.array([s[2] for s in SURNAMES])
    surname = chars[rng.choice(len(chars), size=count, p=shares / shares.sum())]
    pool = np.array(list(dict.fromkeys(GIVEN_MALE + GIVEN_FEMALE + GIVEN_EITHER)))
    first = pool[rng.integers(0, len(pool), count)]
    second = np.where(rng.random(count) < 0.7, pool[rng.integers(0, len(pool), count)], "")
    frame = pl.DataFrame({"surname": surname, "given": np.char.add(first, second)})
    roman = {v: romanise(v) for v in set(frame["surname"].unique().to_list()) | set(frame["given"].unique().to_list())}
    birth = rng.integers(-7300, 11000, count)
    frame = frame.with_columns(
        pl.format("P{}", pl.int_range(pl.len())).alias("record_id"),
        pl.col("surname").replace_strict(roman).alias("family_name"),
        pl.col("given").replace_strict(roman).alias("given_name"),
        pl.concat_str(["surname", "given"]).alias("native_name"),
        pl.Series(birth).cast(pl.Date).alias("date_of_birth"),
        pl.Series(np.where(rng.random(count) < 0.5, "M", "F")).alias("sex"),
        pl.lit("").alias("national_id"),
    ).drop("surname", "given")
    planted = frame.sample(fraction=0.05, seed=seed).with_columns(
        pl.format("D{}", pl.int_range(pl.len())).alias("record_id"),
        pl.when(pl.int_range(pl.len()) % 4 == 0).then(None).otherwise(pl.col("native_name")).alias("native_name"),
        pl.when(pl.int_range(pl.len()) % 4 == 1).then(pl.col("given_name")).otherwise(pl.col("family_name"))
        .alias("family_name"),
        pl.when(pl.int_range(pl.len()) % 4 == 1).then(pl.col("family_name")).otherwise(pl.col("given_name"))
        .alias("given_name"),
    )
    return pl.concat([frame, planted])


def candidate_pairs(features: pl.DataFrame, count: int) -> pl.DataFrame:
    """Pairs like those the main blocking rule makes (same sex and family-name sound, births close):
    neighbours after sorting by sex, family-name sound and date of birth, so that a small registry gives
    as many such pairs as a national one."""
    order = features.select(
        pl.int_range(pl.len()).alias("row"),
        pl.struct("sex", "family_phonetic").hash().alias("key"),
        "dob_days",
    ).sort("key", "dob_days")
    rows, days = order["row"].to_numpy(), order["key"].to_numpy()
    left, right = [], []
    for k in (1, 2, 3, 4, 5, 6, 7, 8):
        same = days[:-k] == days[k:]
        left.append(rows[:-k][same])
        right.append(rows[k:][same])
    left, right = np.concatenate(left)[:count], np.concatenate(right)[:count]
    columns = sorted({c for comparison in OFFICIAL_COMPARISONS for c in comparison.columns}
                     | {c.tf_column for c in OFFICIAL_COMPARISONS if c.tf_column})
    side = features.select(pl.col("record_id").alias("id"), *columns)
    return pl.concat([
        side[left].rename(lambda c: f"{c}_l"),
        side[right].rename(lambda c: f"{c}_r"),
    ], how="horizontal")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--pairs", type=int, default=2_000_000)
    args = parser.parse_args()
    records = draw_records(args.records)
    start, cpu = time.perf_counter(), time.process_time()
    features = official_features(records)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"official_features: {features.height:,} records in {took:.1f} s wall, {cpu:.1f} s CPU "
          f"({features.height / took:,.0f} records/s wall, {features.height / cpu:,.0f} per CPU-second)")
    pairs = candidate_pairs(features, args.pairs)
    start, cpu = time.perf_counter(), time.process_time()
    gammas = compare(pairs, OFFICIAL_COMPARISONS)
    took, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"compare: {pairs.height:,} pairs in {took:.2f} s wall, {cpu:.2f} s CPU "
          f"({pairs.height / took:,.0f} pairs/s wall, {pairs.height / cpu:,.0f} per CPU-second)")
    for comparison in OFFICIAL_COMPARISONS:
        counts = gammas[f"gamma_{comparison.name}"].value_counts().sort(f"gamma_{comparison.name}")
        shown = ", ".join(f"{comparison.levels[g]}: {n:,}" for g, n in counts.iter_rows())
        print(f"  {comparison.name}: {shown}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"peak memory {peak:.2f} GiB ({dt.datetime.now():%Y-%m-%d %H:%M})")


if __name__ == "__main__":
    main()
