"""Comparisons read through row positions (`sides.IndexedSides`) give the levels they give on a pair frame."""

import datetime

import numpy as np
import polars as pl
import pytest

from longarm.engine.identity import blocking, pipeline
from longarm.engine.identity.comparisons import OFFICIAL_COMPARISONS
from longarm.engine.identity.sides import IndexedSides, RecordColumns, equality_codes

D = datetime.date


def _records(n: int, seed: int) -> pl.DataFrame:
    """Officials drawn from few names, dates and ids, so that random pairs meet every level; some fields
    missing or empty, some names without characters, in two-word or swapped order."""
    rng = np.random.default_rng(seed)
    families = [("ZHANG", "张"), ("WANG", "王"), ("LI", "李"), ("ZHENG", "鄭"), ("XU", "许"), ("XU", "徐")]
    givens = [("WEI", "伟"), ("XIAOLONG", "小龙"), ("XIAO LONG", "小龍"), ("JIANGUO", "建国"), ("JIANHUA", "建华"),
              ("WEIGUO", "卫国"), ("WEI-KUO", None), ("XIAOMEI", "晓梅")]
    ids = ["110102197103090015", "11010519491231002X", "110105194912310021", "440300800101123", "", None]
    rows = []
    for k in range(n):
        family, given = families[rng.integers(len(families))], givens[rng.integers(len(givens))]
        native = None if given[1] is None or rng.random() < 0.2 else family[1] + given[1]
        family_name, given_name = (given[0], family[0]) if rng.random() < 0.1 else (family[0], given[0])
        if rng.random() < 0.05:
            family_name, given_name = "", ""
        born = None if rng.random() < 0.05 else D(1971, 3, 9) + datetime.timedelta(days=int(rng.choice([0, 1, 3, 40,
                                                                                                           184])))
        rows.append((f"R{k:04d}", family_name, given_name, native, born, rng.choice(["M", "F", "", None]),
                     ids[rng.integers(len(ids))]))
    return pl.DataFrame(rows, orient="row", schema={
        "record_id": pl.String, "family_name": pl.String, "given_name": pl.String, "native_name": pl.String,
        "date_of_birth": pl.Date, "sex": pl.String, "national_id": pl.String})


@pytest.fixture(scope="module")
def features() -> pl.DataFrame:
    return pipeline.official_record_features(_records(300, seed=5))


@pytest.mark.parametrize("small_share", [1e9, 0.0], ids=["frame-reads", "record-arrays"])
@pytest.mark.parametrize("ordered", [False, True], ids=["frame-order", "other-order"])
def test_levels_on_row_positions_equal_levels_on_the_pair_frame(features, small_share, ordered, monkeypatch):
    monkeypatch.setattr(IndexedSides, "SMALL_SHARE", small_share)
    rng = np.random.default_rng(1)
    a, b = blocking.random_pairs(features.height, None, 4_000, seed=2)
    order = rng.permutation(features.height) if ordered else None
    records = RecordColumns(features, order_l=order)
    # positions in `order` of the frame rows a, b
    where = np.argsort(order) if ordered else np.arange(features.height)
    pairs = blocking.pair_frame(features, features, a, b, [c for comp in OFFICIAL_COMPARISONS for c in comp.columns])
    for comparison in OFFICIAL_COMPARISONS:
        expected = comparison.gamma(pairs)
        got = comparison.gamma_sides(IndexedSides(records, where[a], where[b]))
        assert np.array_equal(got, expected), comparison.name
        assert len(set(expected.tolist())) >= 3, f"{comparison.name}: the sample should meet several levels"


def test_levels_on_row_positions_across_two_frames(features):
    left = pipeline.official_record_features(_records(120, seed=9))
    a, b = blocking.random_pairs(left.height, features.height, 3_000, seed=4)
    records = RecordColumns(left, features)
    pairs = blocking.pair_frame(left, features, a, b, [c for comp in OFFICIAL_COMPARISONS for c in comp.columns])
    for comparison in OFFICIAL_COMPARISONS:
        assert np.array_equal(comparison.gamma_sides(IndexedSides(records, a, b)), comparison.gamma(pairs))


def test_comparisons_marked_symmetric_give_one_level_in_either_order(features):
    a, b = blocking.random_pairs(features.height, None, 4_000, seed=3)
    columns = [c for comp in OFFICIAL_COMPARISONS for c in comp.columns]
    forward = blocking.pair_frame(features, features, a, b, columns)
    backward = blocking.pair_frame(features, features, b, a, columns)
    symmetric = [c for c in OFFICIAL_COMPARISONS if c.symmetric]
    assert {c.name for c in symmetric} == {"date_of_birth", "national_id", "sex"}
    for comparison in symmetric:
        assert np.array_equal(comparison.gamma(forward), comparison.gamma(backward)), comparison.name


@pytest.mark.parametrize("values", [
    pl.Series(["A", None, "B", "A", "", ""]),
    pl.Series([3, None, -7, 3, 0], dtype=pl.Int32),
    pl.Series([5, None, 0, 5, 2**63 + 1], dtype=pl.UInt64),  # a 0 among the values: ranked instead
    pl.Series([2**63 - 1, -2**63, None, 2**63 - 1], dtype=pl.Int64),  # too wide to offset: ranked
    pl.Series([True, None, False, True]),
])
def test_equality_codes_are_equal_exactly_for_equal_values_and_zero_for_null(values):
    codes = equality_codes(values)
    items = values.to_list()
    assert codes.shape == (values.len(),)
    for i, x in enumerate(items):
        assert (codes[i] == 0) == (x is None)
        for j, y in enumerate(items):
            if x is not None and y is not None:
                assert (codes[i] == codes[j]) == (x == y)
