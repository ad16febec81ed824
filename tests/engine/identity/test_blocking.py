"""Blocking: the union of rules reaches every pair a rule selects, once, and says what its cap left out."""

import datetime

import numpy as np
import polars as pl
import pytest

from longarm.engine.identity import blocking, pipeline
from longarm.engine.identity.blocking import BlockingRule

D = datetime.date


def _random_frame(n: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return pl.DataFrame({
        "a": rng.integers(0, 150, n), "b": rng.integers(0, 150, n), "c": rng.integers(0, 4, n),
    }).with_columns(a=pl.when(pl.int_range(pl.len()) % 13 == 0).then(None).otherwise(pl.col("a")))


RULES = (BlockingRule("a", ("a",)), BlockingRule("a_to_b", ("a",), ("b",)), BlockingRule("b_c", ("b", "c")))


def _by_brute_force(left: pl.DataFrame, right: pl.DataFrame | None) -> set[tuple[int, int]]:
    a, b, c = left["a"].to_list(), left["b"].to_list(), left["c"].to_list()
    other = left if right is None else right
    a2, b2, c2 = other["a"].to_list(), other["b"].to_list(), other["c"].to_list()
    found = set()
    for i in range(left.height):
        for j in range(other.height):
            if right is None and j <= i:
                continue
            same_a = a[i] is not None and a[i] == a2[j]
            a_to_b = a[i] is not None and a[i] == b2[j]
            b_to_a = right is None and a2[j] is not None and a2[j] == b[i]
            if same_a or a_to_b or b_to_a or (b[i] == b2[j] and c[i] == c2[j]):
                found.add((i, j))
    return found


def test_dedupe_pairs_are_the_union_of_the_rules_each_once_and_ordered():
    frame = _random_frame(700, 1)
    index_l, index_r, report = blocking.candidate_pairs(frame, RULES)
    pairs = list(zip(index_l.tolist(), index_r.tolist()))
    assert len(pairs) == len(set(pairs)) == report.pairs
    assert all(i < j for i, j in pairs)
    assert set(pairs) == _by_brute_force(frame, None)
    assert [count.rule for count in report.rules] == ["a", "a_to_b", "b_c"]


def test_link_pairs_are_the_union_of_the_rules():
    left, right = _random_frame(400, 2), _random_frame(500, 3)
    index_l, index_r, report = blocking.candidate_pairs(left, RULES, right=right)
    pairs = list(zip(index_l.tolist(), index_r.tolist()))
    assert len(pairs) == len(set(pairs))
    assert set(pairs) == _by_brute_force(left, right)


def test_incremental_run_keeps_only_pairs_with_a_marked_record():
    frame = _random_frame(700, 4)
    marked = np.zeros(frame.height, bool)
    marked[[3, 250, 699]] = True
    index_l, index_r, _ = blocking.candidate_pairs(frame, RULES, ids=marked)
    expected = {p for p in _by_brute_force(frame, None) if marked[p[0]] or marked[p[1]]}
    assert set(zip(index_l.tolist(), index_r.tolist())) == expected


def test_blocks_over_the_cap_are_skipped_and_counted_and_a_later_rule_still_reaches_them():
    frame = pl.DataFrame({"city": ["X"] * 6 + ["Y", "Y"], "year": [1, 1, 2, 3, 4, 5, 7, 7]})
    rules = (BlockingRule("city", ("city",)), BlockingRule("year", ("year",)))
    index_l, index_r, report = blocking.candidate_pairs(frame, rules, max_block_size=5)
    city = report.rules[0]
    assert (city.skipped_blocks, city.skipped_records, city.skipped_pairs) == (1, 6, 15)
    assert set(zip(index_l.tolist(), index_r.tolist())) == {(6, 7), (0, 1)}  # Y by city; 0-1 by year
    assert report.skipped_pairs == 15
    assert "skipped 1 blocks over the cap (6 records, 15 pairs)" in report.summary()


def test_null_and_empty_keys_block_nothing():
    frame = pl.DataFrame({"id_number": ["", "", None, None, "A1", "A1"]})
    index_l, index_r, _ = blocking.candidate_pairs(frame, (BlockingRule("id", ("id_number",)),))
    assert list(zip(index_l.tolist(), index_r.tolist())) == [(4, 5)]


def test_day_and_month_swapped_date():
    days = pl.Series([D(1984, 3, 7), D(1984, 3, 25), D(1990, 5, 5), None]).cast(pl.Int32)
    swapped = pl.select(blocking.dob_days_swapped(pl.lit(days))).to_series().cast(pl.Date).to_list()
    assert swapped == [D(1984, 7, 3), None, None, None]


def officials(rows):
    return pl.DataFrame(rows, orient="row", schema={
        "record_id": pl.String, "family_name": pl.String, "given_name": pl.String, "native_name": pl.String,
        "date_of_birth": pl.Date, "sex": pl.String, "national_id": pl.String})


PLANTED = [  # (original, second record): each way a registry records one official twice
    (("A0", "ZHANG", "WEIGUO", "张卫国", D(1962, 8, 1), "M", "110102196208010016"),
     ("A1", "ZHANG", "WEI GUO", "张卫国", D(1962, 8, 1), "M", "")),                      # two words, no id
    (("B0", "LIU", "HAIYAN", "刘海燕", D(1975, 2, 11), "F", ""),
     ("B1", "HAIYAN", "LIU", "刘海燕", D(1975, 2, 11), "F", "")),                         # swapped
    (("C0", "CHEN", "JIANHUA", "陈建华", D(1980, 4, 9), "M", ""),
     ("C1", "CHEN", "JIANHUA", "陈建华", D(1980, 9, 4), "M", "")),                        # day/month swapped
    (("D0", "HUANG", "LIPING", "黄丽萍", D(1969, 12, 30), "F", ""),
     ("D1", "HUANG", "LIPING", "黄丽萍", D(1969, 12, 31), "F", "")),                      # one digit off
    (("E0", "ZHOU", "XIAOMING", "周小明", D(1971, 6, 15), "M", ""),
     ("E1", "ZHUO", "XIAOMING", "周小明", D(1971, 6, 15), "M", "")),                      # Latin typo
    (("F0", "LIANG", "ZHIQIANG", "梁志强", D(1958, 1, 20), "M", ""),
     ("F1", "LIANG", "ZHIQIANG", "梁志強", D(1958, 1, 20), "M", "")),                     # traditional
    (("G0", "ZHANG", "XUELIANG", "张学良", D(1966, 3, 3), "M", ""),
     ("G1", "CHANG", "HSUEHLIANG", "张学良", D(1966, 3, 3), "M", "")),                    # Wade-Giles
    (("H0", "SUN", "LI", "孙丽", D(1988, 10, 10), "F", "440102198810100027"),
     ("H1", "SUN", "LI", "孙丽", D(1998, 10, 10), "F", "440102198810100027")),            # wrong year, same id
    (("I0", "GAO", "MING", "高明", D(1990, 7, 7), "M", ""),
     ("I1", "GAO", "MIN", "高敏", D(1990, 7, 7), "M", "")),                              # name changed, same birth
]


def test_officials_rules_reach_every_planted_second_registration():
    rows = [row for pair in PLANTED for row in pair]
    rng = np.random.default_rng(9)
    rows += [(f"Z{k:04d}", "WANG", f"X{k}", "王" + chr(0x4E00 + k), D(1950, 1, 1) + datetime.timedelta(
        days=int(rng.integers(0, 15_000))), "F", "") for k in range(300)]
    features = pipeline.official_record_features(officials(rows))
    index_l, index_r, report = blocking.candidate_pairs(features, pipeline.OFFICIAL_BLOCKING_RULES)
    truth = pl.DataFrame({"record_id_l": [a[0] for a, _ in PLANTED], "record_id_r": [b[0] for _, b in PLANTED]})
    assert blocking.blocking_recall(features["record_id"], index_l, index_r, truth) == 1.0
    ids = features["record_id"]
    reached = set(zip(ids.gather(index_l).to_list(), ids.gather(index_r).to_list()))
    assert all((a[0], b[0]) in reached for a, b in PLANTED)
    assert report.pairs < len(rows) * (len(rows) - 1) // 2 / 10  # blocking, not all pairs


def test_blocking_recall_counts_a_true_pair_in_either_order():
    ids = pl.Series(["a", "b", "c"])
    truth = pl.DataFrame({"record_id_l": ["a", "b"], "record_id_r": ["b", "c"]})
    assert blocking.blocking_recall(ids, np.array([1]), np.array([0]), truth) == pytest.approx(0.5)
