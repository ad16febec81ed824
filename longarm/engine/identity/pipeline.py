"""Identity resolution end to end: features, blocking, comparisons, scores; pairs worth a look out.

`dedupe` finds pairs of official records of one registry that may be one
person; `link` finds, for records of another source (crossings at the
border), the official records that may be the same person. Both stream:
candidate pairs come from blocking in chunks, each chunk is compared and
scored at once (numpy), and only the pairs at or above the review threshold
are kept, so memory follows the number of records and of kept pairs, not of
candidate pairs. Comparisons run in the order that drops hopeless pairs
soonest (the most weight they can take off per column read), each on the
pairs that can still reach the review threshold (the weight so far plus the
largest Bayes factor every remaining comparison could add); a pair that
cannot is dropped without running the costly name comparison. The result is
the same as scoring every pair and filtering.

Speed (issue 6: millions of pairs per second on two cores):

- comparisons with `gamma_sides` read row positions into per-record numpy
  arrays (`sides.RecordColumns`) instead of gathering a pair frame, and
  strings only for the few pairs their fuzzy levels score;
- records are held in a locality order (by the first key column of the
  busiest blocking rule: the date of birth), so that the records of a block
  are neighbours in memory and reading them hits the processor's cache;
  pairs are turned back to the frame's order before an asymmetric
  comparison, so levels are those of the frame's order;
- the survivors of the first comparisons wait to be merged into large
  batches before the costly ones run (`DEFER_BELOW`);
- chunks are made and scored by a pool of threads (`workers`, default one
  per CPU); the result and the report do not depend on the number of
  workers, the chunk size or the order in which chunks finish.

The officials model (`OFFICIAL_COMPARISONS` of `comparisons.py`, the blocking
rules below, the parameters in `default_model.json`) is the default; the
generic functions take any features, comparisons, rules and parameters
(the bench runs FEBRL and the historical figures through them).
"""

from __future__ import annotations

import os
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

from longarm.engine.identity import blocking, model
from longarm.engine.identity.blocking import BlockingReport, BlockingRule, PairChunk
from longarm.engine.identity.model import ModelParameters
from longarm.engine.identity.sides import IndexedSides, RecordColumns

DEFAULT_MODEL_PATH = Path(__file__).with_name("default_model.json")
# Chunks of candidate pairs small enough that a chunk's arrays stay in the processor's cache.
CHUNK_PAIRS = 1 << 18
# Below this many records every per-record array fits in the processor's cache: no locality order.
LOCALITY_MIN_RECORDS = 50_000
LOCALITY_SAMPLE = 100_000
# Pairs are dropped when their bound falls below the threshold by more than this (log2 units): the bound is
# a sum taken in another order than the score's, so rounding must never drop a pair the score would keep.
BOUND_MARGIN = 1e-9
# Pairs still in the race after a chunk's first comparisons wait for others until this many can go through
# the next comparison together (its fixed cost per call is paid per batch, not per chunk).
DEFER_BELOW = 32_768
AHEAD = 32

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
                    report: ResolutionReport | None = None, workers: int | None = None,
                    chunk_pairs: int = CHUNK_PAIRS) -> pl.DataFrame:
    """`dedupe` on a ready feature frame (any data set: the comparisons say which columns count).

    `workers`: threads scoring chunks of `chunk_pairs` candidate pairs at once (default
    `default_workers()`); the result does not depend on either.
    """
    features = features.sort("record_id") if not features["record_id"].is_sorted() else features
    mask = None
    if ids is not None:
        mask = features["record_id"].is_in(ids.cast(pl.String).implode()).to_numpy()
    return _resolve(features, None, params, comparisons, rules, review_threshold, mask, max_block_size, report,
                    workers=workers, chunk_pairs=chunk_pairs)


def link_features(left: pl.DataFrame, right: pl.DataFrame, params: ModelParameters, *, comparisons: Sequence,
                  rules: Sequence[BlockingRule], review_threshold: float,
                  max_block_size: int = blocking.DEFAULT_MAX_BLOCK_SIZE,
                  report: ResolutionReport | None = None, workers: int | None = None,
                  chunk_pairs: int = CHUNK_PAIRS) -> pl.DataFrame:
    """`link` on ready feature frames (`workers`, `chunk_pairs` as in `dedupe_features`)."""
    return _resolve(left, right, params, comparisons, rules, review_threshold, None, max_block_size, report,
                    workers=workers, chunk_pairs=chunk_pairs)


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


def default_workers() -> int:
    """Threads scoring chunks of pairs at once: the CPUs this process may use (`LONGARM_IDENTITY_WORKERS`
    overrides)."""
    configured = os.environ.get("LONGARM_IDENTITY_WORKERS")
    if configured:
        if not configured.isdigit() or int(configured) < 1:
            raise ValueError(f"LONGARM_IDENTITY_WORKERS={configured!r}: expected a whole number of at least 1")
        return int(configured)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)


def _locality_orders(left: pl.DataFrame, right: pl.DataFrame | None, rules: Sequence[BlockingRule]
                     ) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Row orders in which the records of one block sit close together (None: keep the frame's order).

    Comparing a pair reads each of its records' values: in the frame's order (record_id) the members of
    a block lie anywhere in a registry-sized array and every read misses the processor's cache. Sorted by
    the first key column of the rule that makes the most pairs (in a sample), the members of its blocks,
    and of every block of a rule starting with the same column, are neighbours.
    """
    if not rules or left.height < LOCALITY_MIN_RECORDS:
        return None, None
    sample = left.sample(min(left.height, LOCALITY_SAMPLE), seed=0)

    def sampled_pairs(rule: BlockingRule) -> int:
        sizes = sample.select(rule.columns).drop_nulls().group_by(rule.columns).len()["len"].to_numpy()
        return int((sizes.astype(np.int64) * (sizes - 1) // 2).sum())

    busiest = max(rules, key=sampled_pairs)

    def order(frame: pl.DataFrame, column: str) -> np.ndarray:
        return frame.select(pl.arg_sort_by(column, nulls_last=True, maintain_order=True)).to_series().to_numpy()

    order_l = order(left, busiest.columns[0])
    return order_l, None if right is None else order(right, busiest.other_columns[0])


def _evaluation_order(comparisons: Sequence, params: ModelParameters, ceiling_any: dict[str, float]) -> list:
    """Comparisons in the order that drops hopeless pairs soonest for the least reading: by the most weight a
    comparison can take off the bound (its ceiling minus its lowest level), per column it reads."""
    def reach(comparison) -> float:
        weights = params.bayes_factors(comparison.name)
        return (ceiling_any[comparison.name] - min(float(weights[1:].min()), 0.0)) / max(len(comparison.columns), 1)

    return sorted(comparisons, key=reach, reverse=True)


def _map_chunks(chunks: Iterator[PairChunk], work: Callable, workers: int) -> Iterator[tuple[PairChunk, object]]:
    """(chunk, work(chunk)) in the order of `chunks`, `workers` chunks at a time in threads (numpy, polars and
    rapidfuzz release the GIL in their loops). Up to `AHEAD` chunks per worker are handed out ahead, so
    that the workers have chunks to score while this thread sorts the next blocking rule's keys (a chunk
    holds no memory until a worker makes its pairs)."""
    if workers <= 1:
        for chunk in chunks:
            yield chunk, work(chunk)
        return
    pool = ThreadPoolExecutor(workers, thread_name_prefix="identity-pairs")
    pending: deque = deque()
    try:
        for chunk in chunks:
            pending.append((chunk, pool.submit(work, chunk)))
            if len(pending) >= AHEAD * workers:
                chunk, future = pending.popleft()
                yield chunk, future.result()
        while pending:
            chunk, future = pending.popleft()
            yield chunk, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class _Batch:
    """Pairs part way through the comparisons: positions, weight bound so far, ceilings of the comparisons
    still to run, levels of those done, and the position of the next comparison in the evaluation order."""

    index_l: np.ndarray
    index_r: np.ndarray
    bound: np.ndarray
    ceilings: dict[str, np.ndarray | float]
    gammas: dict[str, np.ndarray]
    step: int = 0
    oriented: bool = False  # the left record of every pair comes first in the frame (see `_ChunkScorer.orient`)

    @property
    def size(self) -> int:
        return self.index_l.size

    def keep(self, rows: np.ndarray) -> _Batch:
        return _Batch(self.index_l[rows], self.index_r[rows], self.bound[rows],
                      {n: c[rows] if isinstance(c, np.ndarray) else c for n, c in self.ceilings.items()},
                      {n: g[rows] for n, g in self.gammas.items()}, self.step, self.oriented)

    def orient(self, records: RecordColumns) -> None:
        """Swap the pairs whose right record comes first in the frame: everything held so far is symmetric
        (ceilings, and levels of symmetric comparisons), only the positions move."""
        if not self.oriented:
            swap = records.frame_rows(self.index_l, "l") > records.frame_rows(self.index_r, "r")
            self.index_l, self.index_r = np.where(swap, self.index_r, self.index_l), np.where(swap, self.index_l,
                                                                                           self.index_r)
            self.oriented = True

    @staticmethod
    def concat(batches: Sequence[_Batch], records: RecordColumns) -> _Batch:
        first = batches[0]
        if any(b.oriented for b in batches):
            for b in batches:
                b.orient(records)

        def joined(values: list):
            return np.concatenate(values) if isinstance(values[0], np.ndarray) else values[0]

        ceilings = {n: (joined([np.broadcast_to(b.ceilings[n], b.size) for b in batches])
                        if any(isinstance(b.ceilings[n], np.ndarray) for b in batches) else first.ceilings[n])
                    for n in first.ceilings}
        return _Batch(np.concatenate([b.index_l for b in batches]), np.concatenate([b.index_r for b in batches]),
                      np.concatenate([b.bound for b in batches]), ceilings,
                      {n: np.concatenate([b.gammas[n] for b in batches]) for n in first.gammas}, first.step,
                      first.oriented)


@dataclass
class _Outcome:
    """What scoring a chunk or a batch gave: pairs dropped, pairs kept (frame rows `id_l`, `id_r`), and the
    pairs left for later (a `_Batch` too small to be worth its comparison's fixed cost yet)."""

    pruned: int = 0
    kept: pl.DataFrame | None = None
    deferred: _Batch | None = None


@dataclass
class _ChunkScorer:
    """Compares and scores candidate pairs (positions in the locality order), keeping those at or above the
    threshold: see the module docstring.

    The first comparisons run chunk by chunk; once a chunk's surviving pairs are fewer than `defer_below`,
    they wait (`_Outcome.deferred`) to be merged with other chunks' survivors, so that the costly last
    comparisons run on a few large batches instead of many tiny ones.
    """

    records: RecordColumns
    left: pl.DataFrame
    other: pl.DataFrame
    params: ModelParameters
    comparisons: Sequence
    evaluation_order: Sequence
    tf_columns: dict[str, str]
    ceiling_any: dict[str, float]
    # (frequencies per tf comparison: left, right arrays; exact ceilings: per record, the tf comparison's
    # ceiling where its values agree), in the locality order; computed while blocking starts
    term_frequencies: Future
    floor_weight: float
    review_threshold: float
    orient: bool
    defer_below: int

    def _frequency(self, name: str, index_l: np.ndarray, index_r: np.ndarray) -> np.ndarray:
        frequency_l, frequency_r = self.term_frequencies.result()[0][name]
        return np.fmax(np.take(frequency_l, index_l), np.take(frequency_r, index_r))

    def __call__(self, index_l: np.ndarray, index_r: np.ndarray) -> _Outcome:
        records = self.records
        size = index_l.size
        bound = np.full(size, self.params.prior_weight + sum(self.ceiling_any.values()))
        ceilings: dict[str, np.ndarray | float] = dict(self.ceiling_any)
        for name, column in self.tf_columns.items():  # the exact level's weight is known before comparing
            code_l, code_r = records.codes(column, column)
            code = np.take(code_l, index_l)
            agree = np.flatnonzero((code == np.take(code_r, index_r)) & (code != 0))
            ceiling = np.full(size, self.ceiling_any[name])
            exact_ceilings = self.term_frequencies.result()[1][name]
            ceiling[agree] = np.take(exact_ceilings, np.take(index_l, agree))  # equal values: equal frequencies
            bound[agree] += ceiling[agree] - self.ceiling_any[name]
            ceilings[name] = ceiling
        # In the locality order a pair's left record may come after its right one in the frame (record_id
        # order); pairs are turned back before the first comparison that is not symmetric, and before they are
        # kept, so that levels and results are those of the frame's order.
        batch = _Batch(index_l, index_r, bound, ceilings, {}, oriented=not self.orient)
        alive = np.flatnonzero(bound >= self.floor_weight)
        outcome = self.advance(batch.keep(alive) if alive.size < size else batch)
        outcome.pruned += size - alive.size
        return outcome

    def advance(self, batch: _Batch, *, defer: bool = True) -> _Outcome:
        """Run the remaining comparisons on `batch` (deferring it when it gets small, unless `defer` is False),
        then score and keep the pairs at or above the threshold."""
        params, records, start = self.params, self.records, batch.size
        while batch.step < len(self.evaluation_order) and batch.size:
            if defer and batch.size < self.defer_below:
                return _Outcome(pruned=start - batch.size, deferred=batch)
            comparison = self.evaluation_order[batch.step]
            if not getattr(comparison, "symmetric", False):
                batch.orient(records)
            if comparison.gamma_sides is not None:
                gamma = comparison.gamma_sides(IndexedSides(records, batch.index_l, batch.index_r))
            else:
                wanted = [*comparison.columns, *([self.tf_columns[comparison.name]]
                                                 if comparison.name in self.tf_columns else [])]
                gamma = comparison.gamma(blocking.pair_frame(
                    self.left, self.other, records.frame_rows(batch.index_l, "l"),
                    records.frame_rows(batch.index_r, "r"), wanted))
            gamma = np.asarray(gamma, dtype=np.int8)
            frequency = (self._frequency(comparison.name, batch.index_l, batch.index_r)
                         if comparison.name in self.tf_columns else None)
            batch.bound += model.comparison_weights(gamma, params, comparison.name, frequency) - batch.ceilings.pop(
                comparison.name)
            batch.gammas[comparison.name] = gamma
            batch.step += 1
            survive = np.flatnonzero(batch.bound >= self.floor_weight)
            if survive.size < batch.size:
                batch = batch.keep(survive)
        outcome = _Outcome(pruned=start - batch.size)
        if batch.size == 0:
            return outcome
        batch.orient(records)
        frame = pl.DataFrame({f"gamma_{c.name}": pl.Series(batch.gammas[c.name], dtype=pl.Int8)
                              for c in self.comparisons})
        scored = model.score(frame, params, tf={n: self._frequency(n, batch.index_l, batch.index_r)
                                                for n in self.tf_columns})
        keep = scored["match_probability"].to_numpy() >= self.review_threshold
        if keep.any():
            outcome.kept = scored.filter(pl.Series(keep)).with_columns(
                id_l=pl.Series(records.frame_rows(batch.index_l[keep], "l")),
                id_r=pl.Series(records.frame_rows(batch.index_r[keep], "r")))
        return outcome


def _resolve(left: pl.DataFrame, right: pl.DataFrame | None, params: ModelParameters, comparisons: Sequence,
             rules: Sequence[BlockingRule], review_threshold: float, mask: np.ndarray | None, max_block_size: int,
             report: ResolutionReport | None, workers: int | None = None,
             chunk_pairs: int = CHUNK_PAIRS) -> pl.DataFrame:
    report = report if report is not None else ResolutionReport()
    params.check_comparisons(comparisons)
    if right is None and left.height and left["record_id"].n_unique() != left.height:
        raise ValueError("record_id is not unique in the records to deduplicate")
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers={workers}: at least one is needed")
    started = time.perf_counter()
    tf_columns = {c.name: c.tf_column for c in comparisons if getattr(c, "tf_column", None)}
    params = params.for_registry(left.height if right is None else right.height)
    other = left if right is None else right
    # Upper bound of each comparison's Bayes factor: a pair whose weight cannot reach the threshold any
    # more, whatever the comparisons still to come say, is dropped before they run. With a tf column the
    # exact level means equal tf values (Splink's rule), so it bounds only the pairs whose values agree.
    ceiling_any = {}
    for comparison in comparisons:
        weights = params.bayes_factors(comparison.name)
        ceiling_any[comparison.name] = max(float(weights[1:].max()), 0.0)  # level 0 (no information) adds 0
        if comparison.name in tf_columns:
            others = np.delete(weights, [0, model.EXACT_LEVEL])
            ceiling_any[comparison.name] = max(float(others.max()) if others.size else 0.0, 0.0)
    floor_weight = (-np.inf if review_threshold <= 0 else
                    np.inf if review_threshold >= 1 else float(np.log2(review_threshold / (1 - review_threshold))))
    order_l, order_r = _locality_orders(left, right, rules)
    records = RecordColumns(left, right, order_l=order_l, order_r=order_r)
    evaluation_order = _evaluation_order(comparisons, params, ceiling_any)

    def term_frequencies() -> tuple[dict, dict]:
        with_l, with_r = with_term_frequencies(left, right, comparisons, params)
        frequencies, exact_ceilings = {}, {}
        for name, column in tf_columns.items():
            frequency_l = with_l[f"tf_frequency_{name}"].fill_null(0).to_numpy()
            frequency_l = frequency_l[order_l] if order_l is not None else frequency_l
            frequency_r = frequency_l
            if with_r is not None:
                frequency_r = with_r[f"tf_frequency_{name}"].fill_null(0).to_numpy()
                frequency_r = frequency_r[order_r] if order_r is not None else frequency_r
            frequencies[name] = (frequency_l, frequency_r)
            exact = model.comparison_weights(np.full(frequency_l.size, model.EXACT_LEVEL, dtype=np.int8), params,
                                             name, frequency_l)
            exact_ceilings[name] = np.maximum(exact, ceiling_any[name])
            records.codes(column, column)
        return frequencies, exact_ceilings

    def first_comparison_arrays() -> None:
        """Build the arrays of the comparison that sees every pair, while blocking starts."""
        first = evaluation_order[0] if evaluation_order else None
        if first is not None and first.gamma_sides is not None and left.height and other.height:
            warm = IndexedSides(records, np.zeros(1, np.int64), np.zeros(1, np.int64))
            warm._small = False
            first.gamma_sides(warm)

    setup = ThreadPoolExecutor(2, thread_name_prefix="identity-setup")
    tf_ready = setup.submit(term_frequencies)
    warmed = setup.submit(first_comparison_arrays)
    setup.shutdown(wait=False)
    keys_l = left.select([c for c in dict.fromkeys(c for rule in rules for c in rule.all_columns) if c in left.columns])
    keys_l = keys_l[order_l] if order_l is not None else keys_l
    keys_r = None
    if right is not None:
        keys_r = right.select([c for c in dict.fromkeys(c for rule in rules for c in rule.other_columns)
                               if c in right.columns])
        keys_r = keys_r[order_r] if order_r is not None else keys_r
    score = _ChunkScorer(records, left, other, params, comparisons, evaluation_order,
                         tf_columns, ceiling_any, tf_ready, floor_weight - BOUND_MARGIN, review_threshold,
                         orient=right is None and order_l is not None, defer_below=DEFER_BELOW)

    def work(chunk: PairChunk) -> tuple[int, int, _Outcome]:
        index_l, index_r, in_blocks = chunk.make()
        return index_l.size, in_blocks, score(index_l, index_r) if index_l.size else _Outcome()

    chunks = blocking.iter_pair_chunks(keys_l, rules, right=keys_r, ids=None if mask is None else
                                       (mask[order_l] if order_l is not None else mask),
                                       max_block_size=max_block_size, chunk_pairs=chunk_pairs, report=report.blocking)
    kept: list[pl.DataFrame] = []
    waiting: dict[int, list[_Batch]] = {}

    def take(outcome: _Outcome) -> None:
        report.pruned_pairs += outcome.pruned
        if outcome.kept is not None:
            kept.append(outcome.kept)
        if outcome.deferred is not None:
            waiting.setdefault(outcome.deferred.step, []).append(outcome.deferred)
            batches = waiting[outcome.deferred.step]
            if sum(b.size for b in batches) >= score.defer_below:
                del waiting[outcome.deferred.step]
                take(score.advance(_Batch.concat(batches, records)))

    for chunk, (pairs, in_blocks, outcome) in _map_chunks(chunks, work, workers):
        chunk.add_to_report(pairs, in_blocks)
        report.scored_pairs += pairs
        take(outcome)
    for step in sorted(waiting):  # the last few, whatever their number
        take(score.advance(_Batch.concat(waiting[step], records), defer=False))
    tf_ready.result(), warmed.result()  # setup done (and its errors raised) even when no pair came out
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
