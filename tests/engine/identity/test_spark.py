"""Identity resolution on Spark gives exactly the pairs, scores and explanations of `pipeline.dedupe`.

Runs a local Spark session (two cores, no UI, nothing from the network) on a
small synthetic registry with officials registered twice and look-alikes;
skipped when pyspark or Java is missing.
"""

import datetime
import os
import shutil
import sys

import polars as pl
import pytest
from polars.testing import assert_frame_equal

pytest.importorskip("pyspark")
if shutil.which("java") is None:
    pytest.skip("Spark needs Java", allow_module_level=True)

from longarm.engine.identity import pipeline  # noqa: E402
from longarm.engine.identity import spark as spark_engine  # noqa: E402
from longarm.synth.world import WorldParameters, write_world  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    os.environ["PYSPARK_PYTHON"] = sys.executable  # executors run the same Python, with longarm importable
    session = spark_engine.session("local[2]", app_name="longarm test", config={
        "spark.ui.enabled": "false", "spark.ui.showConsoleProgress": "false", "spark.driver.memory": "512m",
        "spark.sql.shuffle.partitions": "2", "spark.default.parallelism": "2",
        "spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1",
    })
    yield session
    session.stop()


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    directory = tmp_path_factory.mktemp("world")
    write_world(WorldParameters(officials=600, seed=21, public_crossings=200), directory)
    officials = pl.read_csv(directory / "officials.csv", infer_schema=False)
    records = officials.select(pl.col("official_id").alias("record_id"), "family_name", "given_name", "native_name",
                               pl.col("date_of_birth").str.to_date(), "sex", "national_id")
    # Five namesakes born the same day (other people: other national ids), a block bigger than a small cap.
    namesakes = pl.DataFrame({
        "record_id": [f"N0000000{k}" for k in range(5)], "family_name": "WANG", "given_name": "WEI",
        "native_name": ["王伟", "王伟", "汪伟", "王玮", "王伟"], "date_of_birth": datetime.date(1980, 1, 1),
        "sex": "M", "national_id": ["11010219800101001X", "110102198001010038", "110102198001010054",
                                    "110102198001010070", "110102198001010097"],
    })
    records = pl.concat([records, namesakes], how="vertical_relaxed")
    truth = pl.read_csv(directory / "truth_identities.csv")
    params = pipeline.train_officials(records, version="test-spark", description="test registry",
                                      u_sample_pairs=50_000)
    return records, truth, params


def _pairs(frame: pl.DataFrame) -> set[tuple[str, str]]:
    return set(frame.select("record_id_l", "record_id_r").iter_rows())


def test_spark_keeps_the_pairs_the_pipeline_keeps_with_their_scores_and_explanations(spark, registry):
    records, truth, params = registry
    expected = pipeline.dedupe(records, params, review_threshold=0.5)
    found = spark_engine.collect(spark_engine.dedupe(spark, records, params, review_threshold=0.5))
    assert_frame_equal(found, expected, check_exact=False, rel_tol=1e-9)
    assert (found["match_probability"] >= 0.5).all()
    planted = set(truth.select("official_id_a", "official_id_b").iter_rows())
    assert planted <= _pairs(found), "every planted second registration is kept"


def test_spark_scores_the_same_candidate_pairs_with_a_block_cap_in_an_incremental_run(spark, registry):
    records, truth, params = registry
    ids = pl.Series(records["record_id"].gather(list(range(0, records.height, 3)))).append(pl.Series(["N00000000"]))
    expected = pipeline.dedupe(records, params, review_threshold=0.0, ids=ids, max_block_size=4)
    found = spark_engine.collect(spark_engine.dedupe(spark, spark.createDataFrame(records.to_arrow()), params,
                                                     review_threshold=0.0, ids=ids.to_list(), max_block_size=4))
    assert_frame_equal(found, expected, check_exact=False, rel_tol=1e-9)
    marked = set(ids.to_list())
    assert found.height > 10 and all(a in marked or b in marked for a, b in _pairs(found))
    # The five namesakes form blocks over the cap: some of their pairs are skipped, and only theirs.
    skipped = _pairs(pipeline.dedupe(records, params, review_threshold=0.0, ids=ids)) - _pairs(found)
    assert skipped and all(a.startswith("N") and b.startswith("N") for a, b in skipped)
