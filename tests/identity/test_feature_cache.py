"""The officials' feature cache (engine side, no database): a patched frame is the frame a full computation
gives, and the file keeps its token, mark and feature scheme."""

import datetime
import random

import polars as pl
import pytest

from longarm.engine.identity import pipeline
from longarm.engine.identity.feature_cache import (
    FeatureCacheError, feature_cache_read, feature_cache_write, feature_scheme, features_patched,
)

FAMILIES = ("ZHANG", "LI", "WANG", "CHEN", "ZHOU", "HUANG")
GIVENS = (("XIAOMING", "晓明"), ("HUA", "华"), ("WEI", "伟"), ("FANG", "芳"), ("JIANGUO", "建国"))
NATIVE_FAMILIES = {"ZHANG": "张", "LI": "李", "WANG": "王", "CHEN": "陈", "ZHOU": "周", "HUANG": "黄"}


def records(ids, seed: int) -> pl.DataFrame:
    rng = random.Random(seed)
    rows = []
    for record_id in ids:
        family, (given, native_given) = rng.choice(FAMILIES), rng.choice(GIVENS)
        native = rng.choice([NATIVE_FAMILIES[family] + native_given, None])
        born = rng.choice([datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20_000)), None])
        rows.append((record_id, family, given, native, born, rng.choice(["M", "F", None]),
                     rng.choice([None, f"{rng.randrange(10 ** 17):017d}X"])))
    return pl.DataFrame(rows, orient="row", schema={
        "record_id": pl.String, "family_name": pl.String, "given_name": pl.String, "native_name": pl.String,
        "date_of_birth": pl.Date, "sex": pl.String, "national_id": pl.String})


def features(frame: pl.DataFrame) -> pl.DataFrame:
    return pipeline.official_record_features(frame)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_patched_frame_equals_the_full_computation_frame_for_frame(seed):
    before = records([f"O-{n:04d}" for n in range(0, 400, 2)], seed)
    rng = random.Random(seed)
    ids = before["record_id"].to_list()
    updated = rng.sample(ids, 15)
    deleted = rng.sample(sorted(set(ids) - set(updated)), 10)
    # before the first row, between rows (three in one gap), after the last
    added = ["O-0001", "O-0399", "O-9999", "A-first", "O-0101", "O-0103", "O-0103a", "O-0103b"]
    changed = records(updated + added, seed + 100)
    after = pl.concat([before.filter(~pl.col("record_id").is_in(updated + deleted)), changed])

    patched = features_patched(features(before), replaced=updated + deleted + added, fresh=features(changed))
    assert patched.equals(features(after))
    assert patched.n_chunks() == 1


def test_patching_nothing_returns_the_frame_and_an_empty_cache_takes_new_rows():
    frame = features(records(["O-1", "O-2"], 4))
    assert features_patched(frame, replaced=[], fresh=frame.clear()) is frame
    assert features_patched(frame.clear(), replaced=["O-1", "O-2"], fresh=frame).equals(frame)
    assert features_patched(frame, replaced=["O-1", "O-2"], fresh=frame.clear()).is_empty()


def test_fresh_rows_must_be_of_replaced_records():
    frame = features(records(["O-1", "O-2"], 5))
    with pytest.raises(ValueError, match="replaced"):
        features_patched(frame, replaced=["O-1"], fresh=frame)


def test_the_file_keeps_the_frame_its_token_mark_and_scheme(tmp_path):
    path = tmp_path / "identity" / "official-features.arrow"
    assert feature_cache_read(path) is None
    frame = features(records([f"O-{n}" for n in range(50)], 6))
    token = feature_cache_write(path, frame, mark=42)
    cached = feature_cache_read(path)
    assert (cached.token, cached.mark, cached.scheme) == (token, 42, feature_scheme())
    assert cached.features.equals(frame) and cached.features.schema == frame.schema
    again = feature_cache_write(path, cached.features.head(10), mark=43)  # over the file it was mapped from
    assert again != token and feature_cache_read(path).features.equals(frame.head(10))
    assert cached.features.equals(frame)  # the old mapping still reads the old file
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind


def test_a_file_that_is_not_a_feature_cache_is_refused(tmp_path):
    path = tmp_path / "official-features.arrow"
    path.write_bytes(b"garbage")
    with pytest.raises(FeatureCacheError):
        feature_cache_read(path)
    pl.DataFrame({"record_id": ["O-1"]}).write_ipc(path)  # an Arrow file without the cache's metadata
    with pytest.raises(FeatureCacheError, match="not a feature cache"):
        feature_cache_read(path)
