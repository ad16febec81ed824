"""The identity pipeline on small hand-made registries: what `longarm resolve` relies on."""

import datetime

import numpy as np
import polars as pl
import pytest

from longarm.engine.identity import pipeline
from longarm.engine.identity.model import ModelParameters

D = datetime.date


def registry(rows: list[tuple]) -> pl.DataFrame:
    """Officials frame from (record_id, family, given, native, dob, sex, national_id) tuples."""
    return pl.DataFrame(
        rows, orient="row",
        schema={"record_id": pl.String, "family_name": pl.String, "given_name": pl.String,
                "native_name": pl.String, "date_of_birth": pl.Date, "sex": pl.String, "national_id": pl.String},
    )


def _background(n: int = 400, seed: int = 3) -> list[tuple]:
    """Distinct unrelated officials, so that the term frequencies and blocks look like a registry's."""
    rng = np.random.default_rng(seed)
    families = [("WANG", "王"), ("LI", "李"), ("ZHANG", "张"), ("LIU", "刘"), ("CHEN", "陈"), ("YANG", "杨"),
                ("HUANG", "黄"), ("ZHAO", "赵"), ("WU", "吴"), ("ZHOU", "周"), ("SUN", "孙"), ("MA", "马")]
    givens = [("WEI", "伟"), ("FANG", "芳"), ("NA", "娜"), ("MIN", "敏"), ("JING", "静"), ("LEI", "磊"),
              ("QIANG", "强"), ("JUN", "军"), ("YAN", "艳"), ("TAO", "涛"), ("MING", "明"), ("HUI", "辉")]
    rows = []
    for k in range(n):
        family = families[rng.integers(len(families))]
        g1, g2 = givens[rng.integers(len(givens))], givens[rng.integers(len(givens))]
        born = D(1960, 1, 1) + datetime.timedelta(days=int(rng.integers(0, 14_000)))
        rows.append((f"B{k:05d}", family[0], g1[0] + g2[0], family[1] + g1[1] + g2[1], born,
                     "M" if k % 2 else "F", ""))
    return rows


@pytest.fixture(scope="module")
def params() -> ModelParameters:
    return pipeline.load_default_parameters()


def test_default_parameters_carry_a_version_and_what_they_were_trained_on(params):
    assert params.version
    assert "synth" in params.trained_on["description"]
    assert set(params.comparisons) == {"name", "date_of_birth", "national_id", "sex"}


def test_dedupe_finds_a_second_registration_with_reasons_per_field(params):
    records = registry(_background() + [
        ("O1", "ZHENG", "XIAOLONG", "郑小龙", D(1971, 3, 9), "M", "110102197103090015"),
        ("O2", "ZHENG", "XIAO LONG", "鄭小龍", D(1971, 3, 9), "M", ""),
    ])
    found = pipeline.dedupe(records, params, review_threshold=0.5)
    pair = found.filter((pl.col("record_id_l") == "O1") & (pl.col("record_id_r") == "O2"))
    assert pair.height == 1
    assert pair["match_probability"][0] >= 0.95
    assert pair["gamma_name"][0] == 1  # native names equal once traditional characters are simplified
    bf = sum(pair[f"bf_{n}"][0] for n in params.comparisons)
    prior_weight = params.for_registry(records.height).prior_weight  # λ moved to this registry's size
    assert pair["match_weight"][0] == pytest.approx(prior_weight + bf, abs=1e-3)
    assert (found["record_id_l"] < found["record_id_r"]).all()


def test_dedupe_keeps_apart_namesakes_twins_and_same_pinyin(params):
    records = registry(_background() + [
        ("N1", "ZHENG", "XIAOLONG", "郑小龙", D(1971, 3, 9), "M", ""),
        ("N2", "ZHENG", "XIAOLONG", "郑小龙", D(1984, 11, 23), "M", ""),   # namesake, another birth date
        ("T1", "QIAN", "JIANGUO", "钱建国", D(1966, 5, 2), "M", ""),
        ("T2", "QIAN", "JIANHUA", "钱建华", D(1966, 5, 2), "M", ""),      # twin: same family name and birth
        ("P1", "XU", "XIAOMEI", "徐晓梅", D(1979, 7, 30), "F", ""),
        ("P2", "XU", "XIAOMEI", "许小梅", D(1979, 7, 30), "F", ""),       # same pinyin, other characters
    ])
    found = pipeline.dedupe(records, params, review_threshold=0.0001)
    probability = {(r["record_id_l"], r["record_id_r"]): r["match_probability"] for r in found.iter_rows(named=True)}
    for pair in [("N1", "N2"), ("T1", "T2"), ("P1", "P2")]:
        assert probability.get(pair, 0.0) < 0.5, pair


def test_incremental_run_scores_only_pairs_with_the_given_records(params):
    records = registry(_background() + [
        ("O1", "ZHENG", "XIAOLONG", "郑小龙", D(1971, 3, 9), "M", "110102197103090015"),
        ("O2", "ZHENG", "XIAOLONG", "郑小龙", D(1971, 3, 9), "M", "110102197103090015"),
        ("O3", "LUO", "YUTING", "罗雨婷", D(1990, 1, 15), "F", "110102199001150024"),
        ("O4", "LUO", "YUTING", "罗雨婷", D(1990, 1, 15), "F", "110102199001150024"),
    ])
    full = pipeline.ResolutionReport()
    everything = pipeline.dedupe(records, params, review_threshold=0.5, report=full)
    assert {("O1", "O2"), ("O3", "O4")} <= set(everything.select("record_id_l", "record_id_r").iter_rows())
    report = pipeline.ResolutionReport()
    only = pipeline.dedupe(records, params, review_threshold=0.5, ids=pl.Series(["O3"]), report=report)
    assert set(only.select("record_id_l", "record_id_r").iter_rows()) == {("O3", "O4")}
    assert 0 < report.scored_pairs < full.scored_pairs  # only pairs with O3 were scored


def test_link_finds_the_official_behind_a_crossing_under_wade_giles(params):
    officials = registry(_background() + [
        ("O1", "ZHANG", "WEIGUO", "张卫国", D(1962, 8, 1), "M", ""),
    ])
    crossings = registry([
        ("X1", "CHANG", "WEI-KUO", None, D(1962, 8, 1), "M", None),
        ("X2", "ZHANG", "WEIGUO", None, D(1990, 2, 2), "F", None),
    ])
    found = pipeline.link(crossings, officials, params, review_threshold=0.5)
    assert ("X1", "O1") in set(found.select("record_id_l", "record_id_r").iter_rows())
    assert "X2" not in found["record_id_l"].to_list()


def test_duplicate_record_ids_are_refused(params):
    records = registry([("O1", "LI", "NA", "李娜", D(1980, 1, 1), "F", ""),
                        ("O1", "LI", "NA", "李娜", D(1980, 1, 1), "F", "")])
    with pytest.raises(ValueError, match="record_id is not unique"):
        pipeline.dedupe(records, params, review_threshold=0.5)


def test_dropping_hopeless_pairs_early_changes_no_result(params):
    """The pipeline skips comparisons for pairs that cannot reach the threshold; scoring every candidate pair
    in full and filtering must give the same pairs and weights."""
    from longarm.engine.identity import blocking, model

    records = registry(_background(600, seed=11) + [
        ("O1", "ZHENG", "XIAOLONG", "郑小龙", D(1971, 3, 9), "M", "110102197103090015"),
        ("O2", "ZHENG", "XIAO LONG", "鄭小龍", D(1971, 9, 3), "M", ""),
        ("O3", "QIAN", "JIANGUO", "钱建国", D(1966, 5, 2), "M", ""),
        ("O4", "QIAN", "JIANHUA", "钱建华", D(1966, 5, 2), "M", ""),
    ])
    threshold = 0.01
    fast = pipeline.dedupe(records, params, review_threshold=threshold)

    comparisons = pipeline.official_comparisons()
    features = pipeline.official_record_features(records)
    features, _ = pipeline.with_term_frequencies(features, None, comparisons, params)
    scaled = params.for_registry(features.height)
    index_l, index_r, _ = blocking.candidate_pairs(features, pipeline.OFFICIAL_BLOCKING_RULES)
    pairs = blocking.pair_frame(features, features, index_l, index_r,
                                model.needed_columns(comparisons) + ["tf_frequency_name", "tf_frequency_date_of_birth"])
    tf = {n: np.fmax(pairs[f"tf_frequency_{n}_l"].to_numpy(), pairs[f"tf_frequency_{n}_r"].to_numpy())
          for n in ("name", "date_of_birth")}
    full = model.score(model.gammas_of(pairs, comparisons), scaled, tf=tf).with_columns(
        record_id_l=features["record_id"].gather(index_l), record_id_r=features["record_id"].gather(index_r),
    ).filter(pl.col("match_probability") >= threshold).sort("record_id_l", "record_id_r")
    assert fast.height == full.height > 0
    assert fast["record_id_l"].to_list() == full["record_id_l"].to_list()
    assert fast["match_weight"].to_list() == pytest.approx(full["match_weight"].to_list())


def _run(features, params, threshold=1e-9, **options):
    report = pipeline.ResolutionReport()
    found = pipeline.dedupe_features(features, params, comparisons=pipeline.official_comparisons(),
                                     rules=pipeline.OFFICIAL_BLOCKING_RULES, review_threshold=threshold,
                                     report=report, **options)
    return found, report


def _same_run(first, second):
    (found_a, report_a), (found_b, report_b) = first, second
    from polars.testing import assert_frame_equal

    assert_frame_equal(found_a, found_b)
    assert report_a.blocking.as_dict() == report_b.blocking.as_dict()
    assert (report_a.scored_pairs, report_a.pruned_pairs, report_a.kept_pairs) == (
        report_b.scored_pairs, report_b.pruned_pairs, report_b.kept_pairs)


def _crowded(n: int, seed: int) -> list[tuple]:
    """Officials born within a few weeks, some with national ids: blocks of many records."""
    rng = np.random.default_rng(seed)
    rows = []
    for row in _background(n, seed):
        born = D(1975, 6, 1) + datetime.timedelta(days=int(rng.integers(0, 30)))
        national_id = f"1101021975{rng.integers(0, 10**8):08d}" if rng.random() < 0.5 else ""
        rows.append((*row[:4], born, row[5], national_id))
    return rows


@pytest.fixture(scope="module")
def busy_registry() -> pl.DataFrame:
    """A registry with duplicates of several kinds and crowded blocks, so that pairs are dropped and kept at
    every stage."""
    return pipeline.official_record_features(registry(_crowded(900, seed=21) + [
        ("O1", "ZHENG", "XIAOLONG", "郑小龙", D(1971, 3, 9), "M", "110102197103090015"),
        ("O2", "ZHENG", "XIAO LONG", "鄭小龍", D(1971, 9, 3), "M", ""),
        ("O3", "QIAN", "JIANGUO", "钱建国", D(1966, 5, 2), "M", ""),
        ("O4", "QIAN", "JIANHUA", "钱建华", D(1966, 5, 2), "M", ""),
        ("O5", "CHANG", "WEI-KUO", None, D(1962, 8, 1), "M", None),
        ("O6", "ZHANG", "WEIGUO", "张卫国", D(1962, 8, 1), "M", ""),
    ]))


@pytest.mark.parametrize("threshold", [1e-9, 0.002])
def test_parallel_run_equals_the_serial_run(params, busy_registry, threshold):
    """Chunks scored by several threads, in many small chunks, give the serial run's pairs, scores and counts."""
    serial = _run(busy_registry, params, threshold, workers=1)
    assert serial[0].height >= 3 and serial[1].scored_pairs > 2_000
    _same_run(serial, _run(busy_registry, params, threshold, workers=3, chunk_pairs=97))
    _same_run(serial, _run(busy_registry, params, threshold, workers=2, chunk_pairs=5_000))


def test_locality_order_and_batching_change_no_result(params, busy_registry, monkeypatch):
    """Records reordered for cache locality (pairs turned back to the frame's order before they are compared
    by an asymmetric comparison), and survivors waiting for a large batch or none: same results."""
    for threshold in (1e-9, 0.002):
        monkeypatch.undo()
        plain = _run(busy_registry, params, threshold, workers=1)
        monkeypatch.setattr(pipeline, "LOCALITY_MIN_RECORDS", 0)
        monkeypatch.setattr(pipeline, "LOCALITY_SAMPLE", 200)
        _same_run(plain, _run(busy_registry, params, threshold, workers=2, chunk_pairs=300))
        monkeypatch.setattr(pipeline, "DEFER_BELOW", 10**9)  # every chunk's survivors wait for the end
        _same_run(plain, _run(busy_registry, params, threshold, workers=2, chunk_pairs=300))
        monkeypatch.setattr(pipeline, "DEFER_BELOW", 0)  # none wait
        _same_run(plain, _run(busy_registry, params, threshold, workers=2, chunk_pairs=300))


def test_locality_order_puts_a_block_together(busy_registry, monkeypatch):
    monkeypatch.setattr(pipeline, "LOCALITY_MIN_RECORDS", 0)
    order, other = pipeline._locality_orders(busy_registry, None, pipeline.OFFICIAL_BLOCKING_RULES)
    assert other is None and sorted(order.tolist()) == list(range(busy_registry.height))
    days = busy_registry["dob_days"].gather(order)
    assert days.drop_nulls().is_sorted()  # the busiest rules block on the date of birth


def test_workers_must_be_a_positive_number(params, busy_registry, monkeypatch):
    with pytest.raises(ValueError, match="at least one"):
        _run(busy_registry, params, workers=0)
    monkeypatch.setenv("LONGARM_IDENTITY_WORKERS", "two")
    with pytest.raises(ValueError, match="LONGARM_IDENTITY_WORKERS"):
        _run(busy_registry, params)


def _link_by_brute_force(left, right, params, threshold, max_block_size):
    """Reference for a link run: every pair that one rule's equi-join reaches (null and empty keys join
    nothing; a block over the cap on either side is left out of that rule), each compared and scored in full
    on a pair frame, then filtered."""
    from longarm.engine.identity import blocking, model

    comparisons = pipeline.official_comparisons()
    left_tf, right_tf = pipeline.with_term_frequencies(left, right, comparisons, params)
    found = []
    for rule in pipeline.CROSSING_BLOCKING_RULES:
        names = [f"k{i}" for i in range(len(rule.columns))]

        def keyed(frame, columns):
            keys = frame.select([pl.col(c).alias(n) for c, n in zip(columns, names)]).with_row_index("row")
            for n in names:
                if keys.schema[n] == pl.String:
                    keys = keys.filter(pl.col(n).str.len_bytes() > 0)
            keys = keys.drop_nulls(names)
            return keys.filter(pl.len().over(names) <= max_block_size)

        keys_l = keyed(left, rule.columns)
        keys_r = keyed(right, rule.other_columns).cast(dict(keys_l.schema), strict=False)
        found.append(keys_l.join(keys_r, on=names).select(index_l="row", index_r="row_right"))
    pairs = pl.concat(found).unique()
    index_l, index_r = pairs["index_l"].to_numpy(), pairs["index_r"].to_numpy()
    frame = blocking.pair_frame(left_tf, right_tf, index_l, index_r,
                                model.needed_columns(comparisons) + ["tf_frequency_name", "tf_frequency_date_of_birth"])
    tf = {n: np.fmax(frame[f"tf_frequency_{n}_l"].fill_null(0).to_numpy(),
                     frame[f"tf_frequency_{n}_r"].fill_null(0).to_numpy()) for n in ("name", "date_of_birth")}
    scored = model.score(model.gammas_of(frame, comparisons), params.for_registry(right.height), tf=tf)
    return scored.with_columns(record_id_l=left["record_id"].gather(index_l),
                               record_id_r=right["record_id"].gather(index_r)).filter(
        pl.col("match_probability") >= threshold).sort("record_id_l", "record_id_r")


@pytest.mark.parametrize("national_ids", [False, True])
def test_link_gives_the_pairs_and_scores_of_every_rule_joined_and_scored_in_full(params, busy_registry,
                                                                                  monkeypatch, national_ids):
    """The link run (keys shared by rules hashed and sorted once, earlier rules' pairs dropped by their left
    record first, a side without national ids compared as "no information" at once, locality order) gives
    exactly the pairs and scores of the plain union of the rules, scored pair by pair; crossings carry no
    national id, unless some do."""
    monkeypatch.setattr(pipeline, "LOCALITY_MIN_RECORDS", 0)
    monkeypatch.setattr(pipeline, "LOCALITY_SAMPLE", 200)
    officials = busy_registry.head(600)
    rows = officials.sample(250, seed=5).with_row_index("k").with_columns(
        record_id=pl.format("X{}", pl.col("k")),
        # every third crossing's given name has a typo, every fifth its day and month swapped
        given_name=pl.when(pl.col("k") % 3 == 0).then(pl.col("given_name").str.slice(1)).otherwise("given_name"),
        date_of_birth=pl.when(pl.col("k") % 5 == 0).then(
            pl.date(pl.col("date_of_birth").dt.year(), pl.col("date_of_birth").dt.day().clip(1, 12),
                    pl.col("date_of_birth").dt.month())).otherwise("date_of_birth"),
        national_id=pl.col("national_id") if national_ids else pl.lit(None, dtype=pl.String),
        native_name=pl.lit(None, dtype=pl.String),
    ).select("record_id", "family_name", "given_name", "native_name", "date_of_birth", "sex", "national_id")
    crossings = pipeline.official_record_features(rows)
    for threshold, cap in ((1e-9, 2_000), (0.002, 2_000), (1e-9, 3)):
        report = pipeline.ResolutionReport()
        fast = pipeline.link_features(crossings, officials, params, comparisons=pipeline.official_comparisons(),
                                      rules=pipeline.CROSSING_BLOCKING_RULES, review_threshold=threshold,
                                      max_block_size=cap, report=report, workers=2, chunk_pairs=101)
        full = _link_by_brute_force(crossings, officials, params, threshold, cap)
        assert fast.height == full.height > 0
        assert report.blocking.pairs == report.scored_pairs
        assert fast.select("record_id_l", "record_id_r").rows() == full.select("record_id_l", "record_id_r").rows()
        names = [c.name for c in pipeline.official_comparisons()]
        assert fast.select(f"gamma_{n}" for n in names).rows() == full.select(f"gamma_{n}" for n in names).rows()
        assert fast["match_weight"].to_list() == pytest.approx(full["match_weight"].to_list(), abs=1e-9)
