"""Longarm's side of the identity-resolution bench (issue 6): one configuration per data set.

`predict(dataset) -> BenchResult` (see `identity_data.py`) for

- `febrl3` (dedupe) and `febrl4` (link): names, date of birth, social
  security number, address fields, with A1's generic comparison builders;
- `historical_50k` (dedupe): names, date of birth, postcode (sector,
  district, area), birth place, occupation, sex;
- `synth_1m`, `synth_7m`: the officials model with the shipped parameters
  (`longarm/engine/identity/default_model.json`, trained on another world:
  nothing is learnt from the evaluation data).

The generic data sets are trained on themselves without labels (u from
random pairs, m by EM sessions with u fixed, λ from the candidate pairs),
as Splink's examples do; labels are used only by the bench to score. The
decision threshold is fixed in advance at match probability 0.5 (the bench
also prints the best threshold, labelled as such).

Also: `python bench/identity_longarm.py train-default --world DIR` trains
the shipped officials model on a `longarm synth` world (no labels) and
writes `default_model.json`; `... blocking DATASET` prints the blocking
recall of a configuration.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from identity_data import BenchResult, Dataset, load_dataset  # noqa: E402

from longarm.engine.identity import blocking, comparisons as cmp, model, pipeline  # noqa: E402
from longarm.engine.identity.blocking import BlockingRule  # noqa: E402

RETURN_THRESHOLD = 0.01  # pairs handed to the bench (it reads the figures at 0.5 and the best threshold)
SYNTH_RETURN_THRESHOLD = 0.5  # the review threshold of a real run: pairs below it are never kept


def hierarchical_levels(name: str, columns: tuple[str, ...], labels: tuple[str, ...], *, tf: bool = False
                        ) -> cmp.Comparison:
    """Equal on the first column, else on the second, ... else different (postcode, sector, district, area)."""

    def gamma(pairs: pl.DataFrame) -> np.ndarray:
        first = columns[0]
        null = (pairs[f"{first}_l"].is_null() | pairs[f"{first}_r"].is_null()).to_numpy()
        out = np.full(pairs.height, len(columns) + 1, dtype=np.int8)
        decided = null.copy()
        out[null] = 0
        for level, column in enumerate(columns, start=1):
            equal = (pairs[f"{column}_l"] == pairs[f"{column}_r"]).fill_null(False).to_numpy() & ~decided
            out[equal] = level
            decided |= equal
        return out

    return cmp.Comparison(name, (cmp.NO_INFORMATION, *labels, "different"), columns, gamma,
                          tf_column=columns[0] if tf else None)


def forename_surname(name: str, first: str, last: str, full: str) -> cmp.Comparison:
    """Both name parts in one comparison, as Splink's ForenameSurnameComparison: the parts are not
    independent ("sir" goes with "baronet"), so the exact level is adjusted by the frequency of the full
    name (`full`, first + surname), not of each part."""
    from rapidfuzz.distance import JaroWinkler
    from rapidfuzz.process import cpdist

    labels = (cmp.NO_INFORMATION, "full name equal", "forename and surname swapped",
              "both Jaro-Winkler ≥ 0.92", "both Jaro-Winkler ≥ 0.80", "surname equal", "forename equal",
              "surname Jaro-Winkler ≥ 0.92", "different")

    def jw(pairs, a, b, rows):
        out = np.zeros(pairs.height)
        if rows.any():
            sub = pairs.select(a, b).filter(pl.Series(rows))
            out[rows] = cpdist(sub[a].fill_null("").to_list(), sub[b].fill_null("").to_list(),
                               scorer=JaroWinkler.normalized_similarity, workers=-1)
        return out

    def gamma(pairs: pl.DataFrame) -> np.ndarray:
        f_l, f_r, s_l, s_r = (pairs[f"{c}_{side}"] for c, side in ((first, "l"), (first, "r"), (last, "l"),
                                                                   (last, "r")))
        null = ((f_l.is_null() & s_l.is_null()) | (f_r.is_null() & s_r.is_null())).to_numpy()
        first_equal = (f_l == f_r).fill_null(False).to_numpy()
        last_equal = (s_l == s_r).fill_null(False).to_numpy()
        swapped = ((f_l == s_r) & (s_l == f_r)).fill_null(False).to_numpy()
        out = np.full(pairs.height, 8, dtype=np.int8)
        decided = null.copy()
        out[null] = 0

        def assign(mask, level):
            nonlocal decided
            fresh = mask & ~decided
            out[fresh] = level
            decided |= fresh

        assign(first_equal & last_equal, 1)
        assign(swapped, 2)
        both = ~decided & f_l.is_not_null().to_numpy() & f_r.is_not_null().to_numpy() \
            & s_l.is_not_null().to_numpy() & s_r.is_not_null().to_numpy()
        jf = jw(pairs, f"{first}_l", f"{first}_r", both)
        js = jw(pairs, f"{last}_l", f"{last}_r", both | (~decided & s_l.is_not_null().to_numpy()
                                                         & s_r.is_not_null().to_numpy()))
        assign(both & (jf >= 0.92) & (js >= 0.92), 3)
        assign(both & (jf >= 0.80) & (js >= 0.80), 4)
        assign(last_equal, 5)
        assign(first_equal, 6)
        assign(js >= 0.92, 7)
        return out

    return cmp.Comparison(name, labels, (first, last, full), gamma, tf_column=full)


@dataclass
class Configuration:
    """Everything longarm needs for one data set: features, comparisons, blocking, training sessions."""

    features: callable
    comparisons: tuple
    rules: tuple[BlockingRule, ...]
    sessions: tuple


# --- FEBRL -----------------------------------------------------------------------------------------

def _clean(column: str) -> pl.Expr:
    text = pl.col(column).cast(pl.String).str.strip_chars().str.to_lowercase()
    return pl.when(text.str.len_bytes() > 0).then(text).alias(column)


def febrl_features(frame: pl.DataFrame) -> pl.DataFrame:
    text = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state",
            "date_of_birth", "soc_sec_id"]
    out = frame.with_columns(_clean(c) for c in text)
    dob = pl.col("date_of_birth").str.to_date("%Y%m%d", strict=False)
    return out.with_columns(
        full_name=pl.concat_str([pl.col("given_name"), pl.col("surname")], separator=" "),
        dob_date=dob,
        birth_year=pl.col("date_of_birth").str.slice(0, 4),
        given_sound=cmp.phonetic_codes(out["given_name"], "metaphone"),
        surname_sound=cmp.phonetic_codes(out["surname"], "metaphone"),
    ).with_columns(
        dob_days_swapped=blocking.dob_days_swapped(pl.col("dob_date").cast(pl.Int32)),
        dob_days=pl.col("dob_date").cast(pl.Int32),
    ).sort("record_id")


FEBRL_COMPARISONS = (
    forename_surname("name", "given_name", "surname", "full_name"),
    cmp.date_levels("date_of_birth", "date_of_birth", years=(1, 10)),
    cmp.levenshtein_levels("soc_sec_id", "soc_sec_id", (1, 2)),
    cmp.exact_match("street_number", "street_number"),
    cmp.jaro_winkler_levels("address_1", "address_1", (0.90, 0.80)),
    cmp.jaro_winkler_levels("suburb", "suburb", (0.90,), tf=True),
    cmp.levenshtein_levels("postcode", "postcode", (1, 2)),
    cmp.exact_match("state", "state"),
)
FEBRL_RULES = (
    BlockingRule("soc_sec_id", ("soc_sec_id",)),
    BlockingRule("date_of_birth", ("date_of_birth",)),
    BlockingRule("names", ("given_name", "surname")),
    BlockingRule("names_swapped", ("given_name", "surname"), ("surname", "given_name")),
    BlockingRule("name_sounds", ("given_sound", "surname_sound")),
    BlockingRule("postcode_street_number", ("postcode", "street_number")),
    BlockingRule("surname_postcode", ("surname", "postcode")),
    BlockingRule("given_name_postcode", ("given_name", "postcode")),
    BlockingRule("surname_birth_year", ("surname_sound", "birth_year")),
    BlockingRule("given_suburb", ("given_sound", "suburb")),
    BlockingRule("address", ("address_1", "street_number")),
    BlockingRule("dob_swapped_surname", ("dob_days", "surname_sound"), ("dob_days_swapped", "surname_sound")),
)
_FEBRL_ALL = tuple(c.name for c in FEBRL_COMPARISONS)
FEBRL_SESSIONS = (
    (BlockingRule("date_of_birth", ("date_of_birth",)), tuple(n for n in _FEBRL_ALL if n != "date_of_birth")),
    (BlockingRule("postcode", ("postcode",)), tuple(n for n in _FEBRL_ALL if n not in ("postcode", "state",
                                                                                        "suburb"))),
    (BlockingRule("soc_sec_id", ("soc_sec_id",)), tuple(n for n in _FEBRL_ALL if n != "soc_sec_id")),
)
FEBRL = Configuration(febrl_features, FEBRL_COMPARISONS, FEBRL_RULES, FEBRL_SESSIONS)


# --- historical figures ----------------------------------------------------------------------------

def historical_features(frame: pl.DataFrame) -> pl.DataFrame:
    text = ["full_name", "first_and_surname", "first_name", "surname", "dob", "birth_place", "postcode_fake",
            "gender", "occupation"]
    out = frame.with_columns(_clean(c) for c in text)
    postcode = pl.col("postcode_fake")
    out = out.with_columns(
        dob_date=pl.col("dob").str.to_date("%Y-%m-%d", strict=False),
        birth_year=pl.col("dob").str.slice(0, 4),
        postcode_sector=postcode.str.slice(0, postcode.str.len_chars() - 2),
        postcode_district=postcode.str.split(" ").list.first(),
        postcode_area=postcode.str.extract(r"^([a-z]+)", 1),
        first_initial=pl.col("first_name").str.slice(0, 1),
        first_sound=cmp.phonetic_codes(out["first_name"], "metaphone"),
        surname_sound=cmp.phonetic_codes(out["surname"], "metaphone"),
    )
    return out.with_columns(
        dob_days=pl.col("dob_date").cast(pl.Int32),
        dob_days_swapped=blocking.dob_days_swapped(pl.col("dob_date").cast(pl.Int32)),
    ).sort("record_id")


HISTORICAL_COMPARISONS = (
    forename_surname("name", "first_name", "surname", "first_and_surname"),
    cmp.date_levels("dob", "dob", years=(1, 10)),
    hierarchical_levels("postcode", ("postcode_fake", "postcode_sector", "postcode_district", "postcode_area"),
                        ("equal", "same sector", "same district", "same area"), tf=True),
    cmp.exact_match("birth_place", "birth_place", tf=True),
    cmp.exact_match("occupation", "occupation", tf=True),
    cmp.exact_match("gender", "gender"),
)
HISTORICAL_RULES = (
    BlockingRule("names", ("first_name", "surname")),
    BlockingRule("surname_dob", ("surname", "dob")),
    BlockingRule("first_name_dob", ("first_name", "dob")),
    BlockingRule("postcode", ("postcode_fake",)),
    BlockingRule("dob_birth_place", ("dob", "birth_place")),
    BlockingRule("name_sounds_birth_year", ("first_sound", "surname_sound", "birth_year")),
    BlockingRule("surname_birth_place", ("surname", "birth_place")),
    BlockingRule("first_name_postcode_district", ("first_name", "postcode_district")),
    BlockingRule("surname_postcode_district", ("surname", "postcode_district")),
    BlockingRule("surname_sound_birth_year", ("surname_sound", "birth_year")),
    BlockingRule("first_name_birth_place_occupation", ("first_name", "birth_place", "occupation")),
    BlockingRule("names_swapped", ("first_name", "surname"), ("surname", "first_name")),
    BlockingRule("dob_swapped_surname", ("dob_days", "surname_sound"), ("dob_days_swapped", "surname_sound")),
    BlockingRule("full_name", ("full_name",)),
    BlockingRule("surname", ("surname",)),
    BlockingRule("name_sounds", ("first_sound", "surname_sound")),
    BlockingRule("first_name_birth_place", ("first_name", "birth_place")),
    BlockingRule("first_name_occupation", ("first_name", "occupation")),
    BlockingRule("surname_occupation", ("surname", "occupation")),
    BlockingRule("postcode_sector_initial", ("postcode_sector", "first_initial")),
    BlockingRule("birth_year_place", ("birth_year", "birth_place")),
    BlockingRule("birth_place_occupation", ("birth_place", "occupation")),
    BlockingRule("district_occupation", ("postcode_district", "occupation")),
)
_HIST_ALL = tuple(c.name for c in HISTORICAL_COMPARISONS)
HISTORICAL_SESSIONS = (
    (BlockingRule("names", ("first_name", "surname")),
     tuple(n for n in _HIST_ALL if n not in ("name", "gender"))),
    (BlockingRule("dob", ("dob",)), tuple(n for n in _HIST_ALL if n != "dob")),
    (BlockingRule("postcode", ("postcode_fake",)), tuple(n for n in _HIST_ALL if n != "postcode")),
)
HISTORICAL = Configuration(historical_features, HISTORICAL_COMPARISONS, HISTORICAL_RULES, HISTORICAL_SESSIONS)

CONFIGURATIONS = {"febrl3": FEBRL, "febrl4": FEBRL, "historical_50k": HISTORICAL}


# --- predict ---------------------------------------------------------------------------------------

def _train_and_score(dataset: Dataset, config: Configuration) -> tuple[pl.DataFrame, pipeline.ResolutionReport,
                                                                         model.ModelParameters]:
    left = config.features(dataset.left)
    right = config.features(dataset.right) if dataset.kind == "link" else None
    params = model.train(left, config.comparisons, config.rules, right=right, version=f"bench-{dataset.name}",
                         description=f"{dataset.name}, unsupervised", sessions=config.sessions, seed=1,
                         u_sample_pairs=1_000_000)
    report = pipeline.ResolutionReport()
    if right is None:
        pairs = pipeline.dedupe_features(left, params, comparisons=config.comparisons, rules=config.rules,
                                         review_threshold=RETURN_THRESHOLD, report=report)
    else:
        pairs = pipeline.link_features(left, right, params, comparisons=config.comparisons, rules=config.rules,
                                       review_threshold=RETURN_THRESHOLD, report=report)
    return pairs, report, params


def predict(dataset: Dataset) -> BenchResult:
    """Longarm's predicted pairs on one bench data set (see the module docstring for the configuration)."""
    notes = []
    if dataset.name in CONFIGURATIONS:
        pairs, report, params = _train_and_score(dataset, CONFIGURATIONS[dataset.name])
        notes.append(f"trained unsupervised on the data set; prior {params.prior:.3g}")
    else:  # a synth registry of officials: the shipped model, nothing learnt from this world
        params = pipeline.load_default_parameters()
        report = pipeline.ResolutionReport()
        pairs = pipeline.dedupe(dataset.left, params, review_threshold=SYNTH_RETURN_THRESHOLD, report=report)
        notes.append(f"default model {params.version}")
    notes.append(f"{report.blocking.pairs:,} candidate pairs, {report.blocking.skipped_pairs:,} left out by the "
                 f"block cap; {report.pairs_per_second:,.0f} pairs/s (blocking+compare+score)")
    return BenchResult(pairs=pairs.select("record_id_l", "record_id_r", "match_probability"),
                       scored_pairs=report.scored_pairs, scoring_seconds=report.seconds.get("pairs"), notes=notes)


# --- command line ----------------------------------------------------------------------------------

def _blocking_recall(name: str) -> None:
    dataset = load_dataset(name)
    if name in CONFIGURATIONS:
        config = CONFIGURATIONS[name]
        left = config.features(dataset.left)
        right = config.features(dataset.right) if dataset.kind == "link" else None
        rules = config.rules
    else:
        left, right, rules = pipeline.official_record_features(dataset.left), None, pipeline.OFFICIAL_BLOCKING_RULES
    started = time.perf_counter()
    index_l, index_r, report = blocking.candidate_pairs(left, rules, right=right)
    seconds = time.perf_counter() - started
    recall = blocking.blocking_recall(left["record_id"], index_l, index_r, dataset.true_pairs,
                                      right_ids=None if right is None else right["record_id"])
    print(f"{name}: blocking recall {recall:.4f} of {dataset.true_pairs.height:,} true pairs; "
          f"{index_l.size:,} candidate pairs in {seconds:.2f} s")
    print(report.summary())


def _world_officials(world: Path) -> pl.DataFrame:
    return pl.read_csv(world / "officials.csv", infer_schema=False).select(
        pl.col("official_id").alias("record_id"), "family_name", "given_name", "native_name",
        pl.col("date_of_birth").str.to_date("%Y-%m-%d", strict=False), "sex", "national_id",
    )


def _train_default(world: Path, out: Path, version: str) -> None:
    import json

    records = _world_officials(world)
    manifest = json.loads((world / "manifest.json").read_text()) if (world / "manifest.json").exists() else {}
    started = time.perf_counter()
    params = pipeline.train_officials(
        records, version=version,
        description=(f"longarm synth world {world.name}: {records.height:,} official records "
                     f"(seed {manifest.get('seed', '?')}), trained without labels"),
    )
    params.save(out)
    print(f"trained {version} in {time.perf_counter() - started:.1f} s on {records.height:,} records -> {out}")
    print(json.dumps(params.trained_on["em_sessions"], indent=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    train = sub.add_parser("train-default", help="train the shipped officials model on a synth world")
    train.add_argument("--world", type=Path, required=True)
    train.add_argument("--out", type=Path, default=pipeline.DEFAULT_MODEL_PATH)
    train.add_argument("--version", required=True)
    recall = sub.add_parser("blocking", help="blocking recall of a configuration")
    recall.add_argument("datasets", nargs="+")
    args = parser.parse_args(argv)
    if args.command == "train-default":
        _train_default(args.world, args.out, args.version)
    else:
        for name in args.datasets:
            _blocking_recall(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
