"""Identity resolution end to end: features, blocking, comparisons, scores; pairs worth a look out.

`dedupe` finds pairs of official records of one registry that may be one
person; `link` finds, for records of another source (crossings at the
border), the official records that may be the same person. Both stream:
candidate pairs come from blocking in chunks, each chunk is compared and
scored at once (numpy), and only the pairs at or above the review threshold
are kept, so memory follows the number of records and of kept pairs, not of
candidate pairs. Comparisons run cheapest first, each on the pairs that can
still reach the review threshold (the weight so far plus the largest Bayes
factor every remaining comparison could add); a pair that cannot is dropped
without running the costly name comparison. The result is the same as
scoring every pair and filtering.

The officials model (`OFFICIAL_COMPARISONS` of `comparisons.py`, the blocking
rules below, the parameters in `default_model.json`) is the default; the
generic functions take any features, comparisons, rules and parameters
(the bench runs FEBRL and the historical figures through them).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

from longarm.engine.identity import blocking, model
from longarm.engine.identity.blocking import BlockingReport, BlockingRule
from longarm.engine.identity.model import ModelParameters

DEFAULT_MODEL_PATH = Path(__file__).with_name("default_model.json")

# Every planted kind of duplicate is reached by at least one rule: equal national id; equal date of birth
# with the same sex and family-name sound (a typo or new romanisation of the name); equal date of birth and
# given-name sound (a changed family name); the same Latin name, in either order or in Wade-Giles, in the
# same birth year (a wrong date); the same characters (simplified = traditional); the same name with day and
# month of birth swapped.
OFFICIAL_BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule("national_id", ("national_id_norm",)),
    BlockingRule("dob_sex_family_sound", ("dob_days", "sex", "family_phonetic")),
    BlockingRule("dob_given_sound", ("dob_days", "given_phonetic")),
    BlockingRule("name_birth_year", ("name_hash", "birth_year")),
    BlockingRule("swapped_name_birth_year", ("name_hash", "birth_year"), ("name_swapped_hash", "birth_year")),
    BlockingRule("wade_giles_birth_year", ("name_wade_giles_hash", "birth_year"), ("name_hash", "birth_year")),
    BlockingRule("native_name_birth_year", ("native_hash", "birth_year")),
    BlockingRule("name_swapped_dob", ("name_hash", "dob_days"), ("name_hash", "dob_days_swapped")),
)

# Crossings (left) against officials (right): a crossing carries a Latin name, a date of birth and sex.
CROSSING_BLOCKING_RULES: tuple[BlockingRule, ...] = (
    BlockingRule("national_id", ("national_id_norm",)),
    BlockingRule("name_dob", ("name_hash", "dob_days")),
    BlockingRule("swapped_name_dob", ("name_hash", "dob_days"), ("name_swapped_hash", "dob_days")),
    BlockingRule("dob_sex_family_sound", ("dob_days", "sex", "family_phonetic")),
    BlockingRule("dob_given_sound", ("dob_days", "given_phonetic")),
    BlockingRule("name_birth_year", ("name_hash", "birth_year")),
    BlockingRule("pinyin_to_wade_giles", ("name_hash", "birth_year"), ("name_wade_giles_hash", "birth_year")),
    BlockingRule("wade_giles_to_pinyin", ("name_wade_giles_hash", "birth_year"), ("name_hash", "birth_year")),
    BlockingRule("name_swapped_dob", ("name_hash", "dob_days_swapped"), ("name_hash", "dob_days")),
)


# EM sessions of the officials model (Splink's way): each blocking rule estimates m only for the
# comparisons that do not read its columns; sex is estimated where neither name nor birth date selects it.
OFFICIAL_TRAINING_SESSIONS: tuple[tuple[BlockingRule, tuple[str, ...]], ...] = (
    (BlockingRule("national_id", ("national_id_norm",)), ("name", "date_of_birth", "sex")),
    (BlockingRule("date_of_birth", ("dob_days",)), ("name", "national_id")),
    (BlockingRule("latin_name", ("name_hash",)), ("date_of_birth", "national_id")),
)


# Levels of the name comparison that only pairs with one side lacking a native name can reach.
LATIN_ONLY_LEVELS = (2, 3)


@dataclass
class ResolutionReport:
    """What one run did: the blocking counts, pairs scored and kept, seconds per phase."""

    blocking: BlockingReport = field(default_factory=BlockingReport)
    scored_pairs: int = 0            # candidate pairs decided (scored, or dropped once they could not reach
    pruned_pairs: int = 0            # the threshold whatever the remaining comparisons said: these)
    kept_pairs: int = 0
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def pairs_per_second(self) -> float:
        scoring = self.seconds.get("pairs", 0.0)
        return self.scored_pairs / scoring if scoring else 0.0


@cache
def load_default_parameters() -> ModelParameters:
    """The officials model shipped with longarm, trained without labels on a `longarm synth` world."""
    return ModelParameters.load(DEFAULT_MODEL_PATH)


def official_record_features(records: pl.DataFrame) -> pl.DataFrame:
    """Officials (or crossings) as the feature frame of the officials model, sorted by record_id."""
    from longarm.engine.identity.features import official_features

    features = official_features(records)
    return features.with_columns(blocking.dob_days_swapped("dob_days").alias("dob_days_swapped")).sort("record_id")


def official_comparisons():
    """The officials comparisons, with the date of birth's agreement weighed by how common the date is:
    registries pile records on a few dates (1 January for an unknown day, a default date), and agreeing
    on one of those says little, while agreeing on a rare date says a lot."""
    from dataclasses import replace

    from longarm.engine.identity.comparisons import OFFICIAL_COMPARISONS

    return tuple(replace(c, tf_column="dob_days") if c.name == "date_of_birth" and not c.tf_column else c
                 for c in OFFICIAL_COMPARISONS)


def dedupe(records: pl.DataFrame, params: ModelParameters, *, review_threshold: float,
           ids: pl.Series | None = None, comparisons: Sequence | None = None,
           rules: Sequence[BlockingRule] = OFFICIAL_BLOCKING_RULES,
           max_block_size: int = blocking.DEFAULT_MAX_BLOCK_SIZE,
           report: ResolutionReport | None = None) -> pl.DataFrame:
    """Pairs of official records of one registry that may be one person, with their scores.

    One row per pair with match_probability >= review_threshold: `record_id_l`
    < `record_id_r`, `match_weight`, `match_probability`, and per comparison
    `gamma_<name>` and `bf_<name>` (its log2 Bayes factor). `ids` limits the
    run to pairs involving at least one of these record_ids (incremental runs).
    """
    report = report if report is not None else ResolutionReport()
    started = time.perf_counter()
    features = official_record_features(records)
    report.seconds["features"] = time.perf_counter() - started
    return dedupe_features(features, params, comparisons=comparisons or official_comparisons(), rules=rules,
                           review_threshold=review_threshold, ids=ids, max_block_size=max_block_size, report=report)


def link(left: pl.DataFrame, right: pl.DataFrame, params: ModelParameters, *, review_threshold: float,
         comparisons: Sequence | None = None, rules: Sequence[BlockingRule] = CROSSING_BLOCKING_RULES,
         max_block_size: int = blocking.DEFAULT_MAX_BLOCK_SIZE,
         report: ResolutionReport | None = None) -> pl.DataFrame:
    """Pairs (record of `left`, official of `right`) that may be one person; columns as `dedupe`."""
    report = report if report is not None else ResolutionReport()
    started = time.perf_counter()
    left_features, right_features = official_record_features(left), official_record_features(right)
    report.seconds["features"] = time.perf_counter() - started
    return link_features(left_features, right_features, params, comparisons=comparisons or official_comparisons(),
                         rules=rules, review_threshold=review_threshold, max_block_size=max_block_size,
                         report=report)


def dedupe_features(features: pl.DataFrame, params: ModelParameters, *, comparisons: Sequence,
                    rules: Sequence[BlockingRule], review_threshold: float, ids: pl.Series | None = None,
                    max_block_size: int = blocking.DEFAULT_MAX_BLOCK_SIZE,
                    report: ResolutionReport | None = None) -> pl.DataFrame:
    """`dedupe` on a ready feature frame (any data set: the comparisons say which columns count)."""
    features = features.sort("record_id") if not features["record_id"].is_sorted() else features
    mask = None
    if ids is not None:
        mask = features["record_id"].is_in(ids.cast(pl.String).implode()).to_numpy()
    return _resolve(features, None, params, comparisons, rules, review_threshold, mask, max_block_size, report)


def link_features(left: pl.DataFrame, right: pl.DataFrame, params: ModelParameters, *, comparisons: Sequence,
                  rules: Sequence[BlockingRule], review_threshold: float,
                  max_block_size: int = blocking.DEFAULT_MAX_BLOCK_SIZE,
                  report: ResolutionReport | None = None) -> pl.DataFrame:
    """`link` on ready feature frames."""
    return _resolve(left, right, params, comparisons, rules, review_threshold, None, max_block_size, report)


def with_term_frequencies(left: pl.DataFrame, right: pl.DataFrame | None, comparisons: Sequence,
                          params: ModelParameters) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Add `tf_frequency_<name>`: how common the record's tf value is, over both frames.

    Splink uses count / records. That makes every value of a small registry
    look common (a name held by 2 of 400 records: 0.5 %, while names agree
    by chance in 0.003 % of the pairs of a national registry), so the count
    is taken over the records plus 1/u pseudo-records, u being the trained
    chance of exact agreement: a small registry falls back to the trained u,
    a large one follows its own counts.
    """
    for comparison in comparisons:
        column = getattr(comparison, "tf_column", None)
        if not column:
            continue
        values = pl.concat([left[column], *([right[column]] if right is not None else [])]).drop_nulls()
        if values.dtype == pl.String:
            values = values.filter(values.str.len_bytes() > 0)
        u_exact = max(params.comparisons[comparison.name]["u"][model.EXACT_LEVEL], model.PROBABILITY_FLOOR)
        total = values.len() + 1.0 / u_exact
        table = values.value_counts(name="n").select(
            column, (pl.col("n") / total).alias(f"tf_frequency_{comparison.name}"))
        left = left.join(table, on=column, how="left", maintain_order="left")
        if right is not None:
            right = right.join(table, on=column, how="left", maintain_order="left")
    return left, right


def _resolve(left: pl.DataFrame, right: pl.DataFrame | None, params: ModelParameters, comparisons: Sequence,
             rules: Sequence[BlockingRule], review_threshold: float, mask: np.ndarray | None, max_block_size: int,
             report: ResolutionReport | None) -> pl.DataFrame:
    report = report if report is not None else ResolutionReport()
    params.check_comparisons(comparisons)
    if right is None and left.height and left["record_id"].n_unique() != left.height:
        raise ValueError("record_id is not unique in the records to deduplicate")
    started = time.perf_counter()
    tf_names = [c.name for c in comparisons if getattr(c, "tf_column", None)]
    params = params.for_registry(left.height if right is None else right.height)
    left, right = with_term_frequencies(left, right, comparisons, params)
    other = left if right is None else right
    # Upper bound of each comparison's Bayes factor: a pair whose weight cannot reach the threshold any
    # more, whatever the comparisons still to come say, is dropped before they run. With a tf column the
    # exact level means equal tf values (Splink's rule), so it bounds only the pairs whose values agree.
    ceiling_any = {}
    for comparison in comparisons:
        weights = params.bayes_factors(comparison.name)
        ceiling_any[comparison.name] = max(float(weights[1:].max()), 0.0)  # level 0 (no information) adds 0
        if comparison.name in tf_names:
            others = np.delete(weights, [0, model.EXACT_LEVEL])
            ceiling_any[comparison.name] = max(float(others.max()) if others.size else 0.0, 0.0)
    floor_weight = (-np.inf if review_threshold <= 0 else
                    np.inf if review_threshold >= 1 else float(np.log2(review_threshold / (1 - review_threshold))))
    # Cheap comparisons first (fewest columns and levels), so that the costly ones see fewer pairs; each
    # reads only its own columns, for the pairs still in the race.
    evaluation_order = sorted(comparisons, key=lambda c: (len(c.columns), len(c.levels)))
    kept = []
    for index_l, index_r in blocking.iter_candidate_pairs(left, rules, right=right, ids=mask,
                                                          max_block_size=max_block_size, report=report.blocking):
        report.scored_pairs += index_l.size
        bound = np.full(index_l.size, params.prior_weight + sum(ceiling_any.values()))
        ceilings: dict[str, np.ndarray | float] = dict(ceiling_any)
        for name in tf_names:  # the exact level's weight is known before comparing: m / frequency
            column = next(c.tf_column for c in comparisons if c.name == name)
            agree = (left[column].gather(index_l) == other[column].gather(index_r)).fill_null(False).to_numpy()
            frequency = np.fmax(left[f"tf_frequency_{name}"].gather(index_l).to_numpy(),
                                other[f"tf_frequency_{name}"].gather(index_r).to_numpy())
            exact = model.comparison_weights(np.where(agree, model.EXACT_LEVEL, 0).astype(np.int8), params, name,
                                             frequency)
            ceilings[name] = np.maximum(exact, ceiling_any[name])
            bound += ceilings[name] - ceiling_any[name]
        alive = np.flatnonzero(bound >= floor_weight)
        gammas: dict[str, np.ndarray] = {}
        for comparison in evaluation_order:
            if alive.size == 0:
                break
            wanted = [*comparison.columns, *([comparison.tf_column] if comparison.name in tf_names else [])]
            subset = blocking.pair_frame(left, other, index_l[alive], index_r[alive], wanted)
            gamma = np.asarray(comparison.gamma(subset), dtype=np.int8)
            frequency = None
            if comparison.name in tf_names:
                column = f"tf_frequency_{comparison.name}"
                frequency = np.fmax(left[column].gather(index_l[alive]).to_numpy(),
                                    other[column].gather(index_r[alive]).to_numpy())
            ceiling = ceilings[comparison.name]
            bound[alive] += model.comparison_weights(gamma, params, comparison.name, frequency) - (
                ceiling[alive] if isinstance(ceiling, np.ndarray) else ceiling)
            survive = bound[alive] >= floor_weight
            gammas = {name: values[survive] for name, values in gammas.items()}
            gammas[comparison.name] = gamma[survive]
            alive = alive[survive]
        report.pruned_pairs += index_l.size - alive.size
        if alive.size == 0:
            continue
        frame = pl.DataFrame({f"gamma_{c.name}": pl.Series(gammas[c.name], dtype=pl.Int8) for c in comparisons})
        tf = {n: np.fmax(left[f"tf_frequency_{n}"].gather(index_l[alive]).to_numpy(),
                         other[f"tf_frequency_{n}"].gather(index_r[alive]).to_numpy()) for n in tf_names}
        scored = model.score(frame, params, tf=tf)
        keep = scored["match_probability"].to_numpy() >= review_threshold
        if keep.any():
            kept.append(scored.filter(pl.Series(keep)).with_columns(
                id_l=pl.Series(index_l[alive][keep]), id_r=pl.Series(index_r[alive][keep])))
    report.seconds["pairs"] = time.perf_counter() - started
    names = [c.name for c in comparisons]
    out_columns = ["match_weight", "match_probability", *(f"gamma_{n}" for n in names), *(f"bf_{n}" for n in names)]
    if not kept:
        schema = {"record_id_l": pl.String, "record_id_r": pl.String, "match_weight": pl.Float64,
                  "match_probability": pl.Float64} | {f"gamma_{n}": pl.Int8 for n in names} | {
            f"bf_{n}": pl.Float32 for n in names}
        return pl.DataFrame(schema=schema)
    found = pl.concat(kept)
    ids_l = left["record_id"].cast(pl.String).gather(found["id_l"])
    ids_r = other["record_id"].cast(pl.String).gather(found["id_r"])
    result = found.select(out_columns).with_columns(record_id_l=ids_l, record_id_r=ids_r)
    report.kept_pairs = result.height
    return result.select("record_id_l", "record_id_r", *out_columns).sort("record_id_l", "record_id_r")


def train_officials(records: pl.DataFrame, *, version: str, description: str, seed: int = 0,
                    u_sample_pairs: int = 2_000_000) -> ModelParameters:
    """Train the officials model without labels on a registry of official records.

    The name levels that need one side without a native name (Latin names
    equal, a romanisation of the native name; what a crossing meets) never
    occur between two registry records that both have one, so they are
    trained on the same registry seen without native names (`LATIN_ONLY_LEVELS`).
    """
    comparisons = official_comparisons()
    features = official_record_features(records)
    params = model.train(features, comparisons, OFFICIAL_BLOCKING_RULES, version=version,
                         description=description, sessions=OFFICIAL_TRAINING_SESSIONS, seed=seed,
                         u_sample_pairs=u_sample_pairs)
    latin_view = features.with_columns(
        pl.lit(None, dtype=pl.String).alias("native_simplified"),
        pl.lit(None, dtype=features.schema["native_hash"]).alias("native_hash"),
        pl.lit([], dtype=features.schema["native_romanisations"]).alias("native_romanisations"),
    )
    dob_session = OFFICIAL_TRAINING_SESSIONS[1]
    latin = model.train(latin_view, comparisons, (dob_session[0],), version=version, description=description,
                        sessions=(dob_session,), seed=seed + 1, u_sample_pairs=u_sample_pairs)
    name, latin_name = params.comparisons["name"], latin.comparisons["name"]
    for level in LATIN_ONLY_LEVELS:
        name["m"][level], name["u"][level] = latin_name["m"][level], latin_name["u"][level]
    params.trained_on["latin_only_levels"] = {
        "levels": [name["levels"][k] for k in LATIN_ONLY_LEVELS],
        "trained_on": "the same registry without native names, EM blocked on date of birth",
        "em_sessions": latin.trained_on["em_sessions"],
    }
    return params
