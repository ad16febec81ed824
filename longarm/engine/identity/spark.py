"""Identity resolution past one machine: the same dedupe on a Spark cluster.

One implementation, two engines. `pipeline.dedupe` runs on one machine;
`dedupe` here gives the same pairs, scores and explanations with the work
spread over a Spark cluster:

- features: `features.official_features` (through `pipeline.official_record_features`)
  runs on each Arrow batch of the records, on the executors (`mapInArrow`);
- term frequencies: the records holding each value, counted by Spark over
  the whole registry, made into frequencies by `pipeline.with_term_frequencies`;
- blocking: each of the pipeline's blocking rules (`pipeline.OFFICIAL_BLOCKING_RULES`,
  `blocking.BlockingRule`) becomes an equi-join, with the same conventions:
  a null or empty key takes no part, a rule may join a column against
  another (`right_columns`), blocks over `max_block_size` records on either
  side are skipped, and a pair reached by several rules is scored once;
- scoring: the candidate pairs, with both records' features, go in Arrow
  batches through `model.gammas_of` (the comparisons of `comparisons.py`)
  and `model.score`, the very functions the pipeline calls, and only the
  pairs at or above the review threshold come back.

Spark's SQL types have no unsigned integers: the UInt64 hash columns travel
as Int64 with the same bits and are read back as UInt64 before comparing.
pyspark is imported only when a Spark function runs (it is not needed to
run longarm on one machine).

`python -m longarm.engine.identity.spark --officials officials.csv --out pairs.parquet`
(or the same through `spark-submit`) runs a registry in the exchange format.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
import pyarrow as pa

from longarm.engine.identity import blocking, model, pipeline
from longarm.engine.identity.blocking import BlockingRule
from longarm.engine.identity.model import ModelParameters

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

RECORD_SCHEMA = {"record_id": pl.String, "family_name": pl.String, "given_name": pl.String,
                 "native_name": pl.String, "date_of_birth": pl.Date, "sex": pl.String, "national_id": pl.String}
ARROW_BATCH_ROWS = 100_000  # rows per Arrow batch handed to the Python functions (Spark's default: 10,000)


def session(master: str | None = None, *, app_name: str = "longarm identity resolution",
            config: dict[str, str] | None = None) -> SparkSession:
    """A Spark session for identity resolution. `master`: local[N], spark://host:7077, yarn, k8s://...;
    None keeps the one spark-submit sets, or runs locally on every core."""
    try:
        from pyspark import SparkConf
        from pyspark.sql import SparkSession
    except ImportError as error:  # pragma: no cover - depends on the installation
        raise RuntimeError("identity resolution on Spark needs pyspark (pip install pyspark) and Java") from error
    builder = SparkSession.builder.appName(app_name)
    if master or not SparkConf().contains("spark.master"):
        builder = builder.master(master or "local[*]")
    settings = {"spark.sql.execution.arrow.maxRecordsPerBatch": str(ARROW_BATCH_ROWS),
                "spark.sql.session.timeZone": "UTC"} | (config or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def dedupe(spark: SparkSession, records: DataFrame | pl.DataFrame, params: ModelParameters, *,
           review_threshold: float, ids: Sequence[str] | None = None, comparisons: Sequence | None = None,
           rules: Sequence[BlockingRule] = pipeline.OFFICIAL_BLOCKING_RULES,
           max_block_size: int = blocking.DEFAULT_MAX_BLOCK_SIZE) -> DataFrame:
    """`pipeline.dedupe` on Spark: a DataFrame of the pairs with match_probability >= review_threshold.

    `records`: a Spark DataFrame (or a Polars frame, sent to the cluster) with
    the record frame's columns (`record_id`, `family_name`, `given_name`,
    `native_name`, `date_of_birth`, `sex`, `national_id`). Columns of the
    result, as the pipeline's: `record_id_l` < `record_id_r`, `match_weight`,
    `match_probability`, `gamma_<name>` and `bf_<name>` per comparison.
    Nothing runs until the result is written or collected.
    """
    if comparisons is None:
        comparisons = pipeline.official_comparisons()
    comparisons = tuple(comparisons)
    params.check_comparisons(comparisons)
    if isinstance(records, pl.DataFrame):
        records = spark.createDataFrame(_record_frame(records).to_arrow())
    # Features are computed once (Python on the executors), then read by term frequencies, every
    # blocking rule and scoring.
    features = official_features(records, comparisons, rules).persist()
    if hasattr(params, "for_registry"):  # the prior and tf floor follow the registry's size, as in the pipeline
        params = params.for_registry(features.count())
    features = with_term_frequencies(features, comparisons, params)
    if ids is not None:
        from pyspark.sql import functions as F

        features = features.withColumn("_marked", F.col("record_id").isin(list(ids)))
    pairs = candidate_pairs(features, rules, max_block_size=max_block_size, incremental=ids is not None)
    return score_pairs(features, pairs, params, comparisons, review_threshold=review_threshold)


def collect(pairs: DataFrame) -> pl.DataFrame:
    """A result of `dedupe` as a Polars frame sorted as `pipeline.dedupe` returns it (small results only)."""
    frame = pl.from_arrow(pairs.toArrow())
    return frame.sort("record_id_l", "record_id_r")


# --- features --------------------------------------------------------------------------------------------------


def official_features(records: DataFrame, comparisons: Sequence, rules: Sequence[BlockingRule]) -> DataFrame:
    """The features comparisons and blocking read, computed on the executors, one Arrow batch at a time."""
    columns = _feature_columns(comparisons, rules)
    sample = pipeline.official_record_features(pl.DataFrame(schema=RECORD_SCHEMA)).select(columns)
    spark_schema = _spark_schema(_spark_safe(sample))
    compute = functools.partial(_features_of_batches, columns=columns, arrow_schema=_arrow_schema(spark_schema))
    return records.select(*RECORD_SCHEMA).mapInArrow(compute, spark_schema)


def _feature_columns(comparisons: Sequence, rules: Sequence[BlockingRule]) -> list[str]:
    blocking_columns = [c for rule in rules for c in rule.all_columns]
    return list(dict.fromkeys(["record_id", *model.needed_columns(comparisons), *blocking_columns]))


def _features_of_batches(batches: Iterator[pa.RecordBatch], *, columns: list[str],
                         arrow_schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        records = _record_frame(pl.from_arrow(batch))
        features = pipeline.official_record_features(records).select(columns)
        yield from _to_batches(_spark_safe(features), arrow_schema)


def with_term_frequencies(features: DataFrame, comparisons: Sequence, params: ModelParameters) -> DataFrame:
    """Add `tf_frequency_<name>`, computed by `pipeline.with_term_frequencies` itself.

    Spark counts the records per value over the whole registry; the driver
    turns the counts back into the column of values (8 bytes a record for a
    hash column) and lets the pipeline's function make the frequencies, so
    that both engines weigh a common name alike by construction.
    """
    from pyspark.sql import functions as F

    sample = pipeline.official_record_features(pl.DataFrame(schema=RECORD_SCHEMA))
    for comparison in comparisons:
        column = getattr(comparison, "tf_column", None)
        if not column:
            continue
        counts = pl.from_arrow(features.groupBy(column).count().toArrow())
        counts = _from_spark_safe(counts, {column: sample.schema[column]})
        values = counts.filter(pl.col(column).is_not_null()).select(pl.col(column).repeat_by("count").explode())
        frequencies, _ = pipeline.with_term_frequencies(values, None, [comparison], params)
        table = _spark_safe(frequencies.unique(column, maintain_order=True))
        spark_table = features.sparkSession.createDataFrame(table.to_arrow()) if table.height else None
        if spark_table is None:
            features = features.withColumn(f"tf_frequency_{comparison.name}", F.lit(None).cast("double"))
            continue
        features = features.join(F.broadcast(spark_table) if table.height < 1_000_000 else spark_table,
                                 on=column, how="left")
    return features


# --- blocking --------------------------------------------------------------------------------------------------


def candidate_pairs(features: DataFrame, rules: Sequence[BlockingRule], *,
                    max_block_size: int = blocking.DEFAULT_MAX_BLOCK_SIZE, incremental: bool = False) -> DataFrame:
    """Distinct (`record_id_l` < `record_id_r`) pairs reached by at least one blocking rule.

    The union over rules of the pairs in the blocks each rule keeps, which is
    the set `blocking.iter_candidate_pairs` streams. Every rule is done in the
    same few shuffles: each record says, per rule, which block it joins as a
    left member (its `columns`) and as a right member (its `right_columns`),
    block keys being 64-bit hashes of the key values as in `blocking`.
    `incremental`: `features` carries a boolean `_marked`, and only pairs
    with a marked record (in blocks holding one) count.
    """
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    caps = {i: rule.max_block_size or max_block_size for i, rule in enumerate(rules)}
    symmetric = [i for i, rule in enumerate(rules) if rule.symmetric]
    members = _memberships(features, [(i, rule.columns, rule.columns) for i, rule in enumerate(rules)],
                           "l", incremental).unionByName(
        _memberships(features, [(i, rule.other_columns, rule.columns) for i, rule in enumerate(rules)
                                if not rule.symmetric], "r", incremental))
    block = Window.partitionBy("rule", "key")
    members = members.withColumns({
        "size_l": F.count(F.when(F.col("side") == "l", 1)).over(block),
        "size_r": F.count(F.when(F.col("side") == "r", 1)).over(block),
        **({"block_marked": F.max(F.col("marked").cast("int")).over(block)} if incremental else {}),
    })
    cap = F.element_at(F.create_map(*(x for i, c in caps.items() for x in (F.lit(i), F.lit(c)))), F.col("rule"))
    is_symmetric = F.col("rule").isin(symmetric)
    kept = members.where(
        F.when(is_symmetric, (F.col("size_l") >= 2) & (F.col("size_l") <= cap))
        .otherwise((F.col("size_r") >= 1) & (F.col("size_l") >= 1) & (F.col("size_l") <= cap)
                   & (F.col("size_r") <= cap)))
    if incremental:
        kept = kept.where(F.col("block_marked") == 1)
    a = kept.where(F.col("side") == "l").alias("a")
    b = kept.where(is_symmetric | (F.col("side") == "r")).alias("b")
    pairs = a.join(b, on=(F.col("a.rule") == F.col("b.rule")) & (F.col("a.key") == F.col("b.key"))
                   & (F.col("a.id") != F.col("b.id")))
    if incremental:
        pairs = pairs.where(F.col("a.marked") | F.col("b.marked"))
    return pairs.select(F.least("a.id", "b.id").alias("record_id_l"),
                        F.greatest("a.id", "b.id").alias("record_id_r")).distinct()


def _memberships(features: DataFrame, keys: list[tuple[int, tuple[str, ...], tuple[str, ...]]], side: str,
                 incremental: bool) -> DataFrame:
    """(rule, key, id, side[, marked]) for every record whose key columns are all set (no null, no empty
    text): the blocks it joins as a left (`side` "l") or right ("r") member.

    `keys`: (rule index, columns read, columns whose types the key takes), so that a column joined
    against another (dob_days against dob_days_swapped) hashes alike for equal values."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    parts = []
    for rule, columns, typed_as in keys:
        values, present = [], []
        for column, model_column in zip(columns, typed_as, strict=True):
            value = F.col(column).cast(features.schema[model_column].dataType)
            if isinstance(features.schema[column].dataType, StringType):
                value = F.when(F.length(value) > 0, value)
            values.append(value)
            present.append(value.isNotNull())
        marked = [F.col("_marked").alias("marked")] if incremental else []
        parts.append(features.where(functools.reduce(lambda x, y: x & y, present)).select(
            F.lit(rule).alias("rule"), F.xxhash64(*values).alias("key"), F.col("record_id").alias("id"),
            F.lit(side).alias("side"), *marked))
    if not parts:
        schema = "rule int, key bigint, id string, side string" + (", marked boolean" if incremental else "")
        return features.sparkSession.createDataFrame([], schema)
    return functools.reduce(lambda x, y: x.unionByName(y), parts)


# --- scoring ---------------------------------------------------------------------------------------------------


def score_pairs(features: DataFrame, pairs: DataFrame, params: ModelParameters, comparisons: Sequence, *,
                review_threshold: float) -> DataFrame:
    """Scores of candidate pairs, computed by `model.gammas_of` and `model.score` on Arrow batches."""
    from pyspark.sql import functions as F

    tf_names = [c.name for c in comparisons if getattr(c, "tf_column", None)]
    columns = [*model.needed_columns(comparisons), *(f"tf_frequency_{n}" for n in tf_names)]
    side_l = features.select(F.col("record_id").alias("record_id_l"), *(F.col(c).alias(f"{c}_l") for c in columns))
    side_r = features.select(F.col("record_id").alias("record_id_r"), *(F.col(c).alias(f"{c}_r") for c in columns))
    pair_features = pairs.join(side_l, on="record_id_l").join(side_r, on="record_id_r")

    sample = pipeline.official_record_features(pl.DataFrame(schema=RECORD_SCHEMA))
    polars_types = {c: sample.schema[c] for c in columns if c in sample.columns}
    names = [c.name for c in comparisons]
    out = pl.DataFrame(schema={"record_id_l": pl.String, "record_id_r": pl.String, "match_weight": pl.Float64,
                               "match_probability": pl.Float64} | {f"gamma_{n}": pl.Int8 for n in names}
                       | {f"bf_{n}": pl.Float32 for n in names})
    spark_schema = _spark_schema(out)
    score = functools.partial(_scores_of_batches, params=params, comparisons=tuple(comparisons),
                              polars_types=polars_types, tf_names=tuple(tf_names),
                              review_threshold=review_threshold, out_columns=tuple(out.columns),
                              arrow_schema=_arrow_schema(spark_schema))
    return pair_features.mapInArrow(score, spark_schema)


def _scores_of_batches(batches: Iterator[pa.RecordBatch], *, params: ModelParameters, comparisons: tuple,
                       polars_types: dict, tf_names: tuple[str, ...], review_threshold: float,
                       out_columns: tuple[str, ...], arrow_schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    for batch in batches:
        pairs = _from_spark_safe(pl.from_arrow(batch), {f"{c}{side}": dtype for c, dtype in polars_types.items()
                                                        for side in ("_l", "_r")})
        scored = score_pair_frame(pairs.with_columns(id_l=pl.col("record_id_l"), id_r=pl.col("record_id_r")),
                                  params, comparisons, tf_names)
        kept = scored.filter(pl.col("match_probability") >= review_threshold)
        if kept.height:
            yield from _to_batches(kept.select(out_columns), arrow_schema)


def score_pair_frame(pairs: pl.DataFrame, params: ModelParameters, comparisons: Sequence,
                     tf_names: Sequence[str]) -> pl.DataFrame:
    """The pipeline's scoring of one chunk of pairs: gammas, term-frequency adjustment, score."""
    gammas = model.gammas_of(pairs, comparisons)
    tf = {n: np.fmax(pairs[f"tf_frequency_{n}_l"].to_numpy(), pairs[f"tf_frequency_{n}_r"].to_numpy())
          for n in tf_names}
    scored = model.score(gammas, params, tf=tf)
    return scored.with_columns(record_id_l=pairs["record_id_l"], record_id_r=pairs["record_id_r"])


# --- Arrow and Spark types -------------------------------------------------------------------------------------

_UNSIGNED = {pl.UInt64: pl.Int64, pl.UInt32: pl.Int32}
_WIDENED = {pl.UInt16: pl.Int32, pl.UInt8: pl.Int16}


def _spark_safe(frame: pl.DataFrame) -> pl.DataFrame:
    """Unsigned integer columns as the signed type Spark knows (same bits for 32 and 64 bits)."""
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype in _UNSIGNED:
            exprs.append(pl.col(name).reinterpret(signed=True))
        elif dtype in _WIDENED:
            exprs.append(pl.col(name).cast(_WIDENED[dtype]))
        elif isinstance(dtype, pl.List) and dtype.inner in _UNSIGNED:
            exprs.append(pl.col(name).list.eval(pl.element().reinterpret(signed=True)))
    return frame.with_columns(exprs) if exprs else frame


def _from_spark_safe(frame: pl.DataFrame, types: dict) -> pl.DataFrame:
    """Back to the feature types (`types`: column -> Polars dtype) after `_spark_safe`."""
    exprs = []
    for name, dtype in types.items():
        if name not in frame.columns or frame.schema[name] == dtype:
            continue
        if dtype in _UNSIGNED:
            exprs.append(pl.col(name).reinterpret(signed=False))
        elif isinstance(dtype, pl.List) and dtype.inner in _UNSIGNED:
            exprs.append(pl.col(name).list.eval(pl.element().reinterpret(signed=False)))
        else:
            exprs.append(pl.col(name).cast(dtype))
    return frame.with_columns(exprs) if exprs else frame


def _spark_schema(frame: pl.DataFrame):
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(frame.to_arrow().schema)


def _arrow_schema(spark_schema) -> pa.Schema:
    from pyspark.sql.pandas.types import to_arrow_schema

    return to_arrow_schema(spark_schema, timezone="UTC")


def _to_batches(frame: pl.DataFrame, arrow_schema: pa.Schema) -> Iterator[pa.RecordBatch]:
    yield from frame.to_arrow().cast(arrow_schema).to_batches()


def _record_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The record frame's columns, with the types the features expect (missing optional columns null)."""
    if "record_id" not in frame.columns and "official_id" in frame.columns:
        frame = frame.rename({"official_id": "record_id"})
    return frame.select(
        (pl.col(name).cast(dtype) if name in frame.columns else pl.lit(None, dtype=dtype)).alias(name)
        for name, dtype in RECORD_SCHEMA.items()
    )


# --- command line ----------------------------------------------------------------------------------------------


def read_officials(spark: SparkSession, path: str) -> DataFrame:
    """officials.csv (exchange format) as a record frame on the cluster; any path Spark reads (hdfs://, s3a://)."""
    from pyspark.sql import functions as F

    frame = spark.read.csv(path, header=True, inferSchema=False, encoding="UTF-8")
    missing = [c for c in ("official_id", "family_name", "given_name", "date_of_birth") if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: header lacks {', '.join(missing)}")
    optional = [F.col(c) if c in frame.columns else F.lit(None).cast("string").alias(c)
                for c in ("native_name", "sex", "national_id")]
    return frame.select(F.col("official_id").alias("record_id"), "family_name", "given_name", optional[0],
                        F.to_date("date_of_birth", "yyyy-MM-dd").alias("date_of_birth"), *optional[1:])


def resolve_officials(*, officials: str, out: str, master: str | None = None, review_threshold: float = 0.5,
                      model_path: str | None = None, spark: SparkSession | None = None) -> dict:
    """Dedupe an officials file on Spark and write the pairs worth a look as Parquet to `out`.

    What a `longarm resolve --engine spark --spark-master URL` would call;
    returns a summary (model version, number of pairs written).
    """
    params = ModelParameters.load(model_path) if model_path else pipeline.load_default_parameters()
    spark = spark or session(master)
    pairs = dedupe(spark, read_officials(spark, officials), params, review_threshold=review_threshold)
    pairs.write.mode("overwrite").parquet(out)
    written = spark.read.parquet(out).count()
    return {"model": params.version, "review_threshold": review_threshold, "pairs": written, "out": out}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m longarm.engine.identity.spark",
                                     description="Identity resolution of an officials registry on Spark.")
    parser.add_argument("--officials", required=True, help="officials.csv (exchange format), any Spark path")
    parser.add_argument("--out", required=True, help="directory for the pairs (Parquet)")
    parser.add_argument("--master", default=None, help="Spark master (default: spark-submit's, else local[*])")
    parser.add_argument("--review-threshold", type=float, default=0.5)
    parser.add_argument("--model", default=None, help="model parameters (JSON); default: longarm's default model")
    options = parser.parse_args(argv)
    summary = resolve_officials(officials=options.officials, out=options.out, master=options.master,
                                review_threshold=options.review_threshold, model_path=options.model)
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
