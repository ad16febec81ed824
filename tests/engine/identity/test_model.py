"""Fellegi–Sunter maths: scores against a hand computation, EM recovering known m, term frequencies, JSON."""

import json
import math

import numpy as np
import polars as pl
import pytest

from longarm.engine.identity import model
from longarm.engine.identity.comparisons import exact_match, jaro_winkler_levels
from longarm.engine.identity.model import ModelParameters


def two_field_params(prior: float = 0.01) -> ModelParameters:
    return ModelParameters(
        version="test-1",
        comparisons={
            "name": {"levels": ["no information", "equal", "close", "different"],
                     "m": [0, 0.8, 0.15, 0.05], "u": [0, 0.01, 0.04, 0.95], "tf_column": "name"},
            "dob": {"levels": ["no information", "equal", "different"], "m": [0, 0.9, 0.1], "u": [0, 0.001, 0.999]},
        },
        prior=prior,
        trained_on={"description": "hand-made", "records": 1000},
    )


def test_score_matches_a_hand_computation():
    params = two_field_params()
    gammas = pl.DataFrame({"gamma_name": [1, 2, 3, 0], "gamma_dob": [1, 2, 1, 0]}, schema={
        "gamma_name": pl.Int8, "gamma_dob": pl.Int8})
    scored = model.score(gammas, params)
    prior = math.log2(0.01 / 0.99)
    expected = [
        prior + math.log2(0.8 / 0.01) + math.log2(0.9 / 0.001),
        prior + math.log2(0.15 / 0.04) + math.log2(0.1 / 0.999),
        prior + math.log2(0.05 / 0.95) + math.log2(0.9 / 0.001),
        prior,  # no information on either field: the prior alone
    ]
    assert scored["match_weight"].to_list() == pytest.approx(expected)
    assert scored["match_probability"].to_list() == pytest.approx([1 / (1 + 2 ** -w) for w in expected])
    assert scored["bf_name"][0] == pytest.approx(math.log2(80), rel=1e-6)
    assert scored["bf_dob"][3] == 0.0


def test_term_frequency_lowers_the_weight_of_a_common_name():
    params = two_field_params()
    gammas = pl.DataFrame({"gamma_name": [1, 1], "gamma_dob": [2, 2]}, schema={
        "gamma_name": pl.Int8, "gamma_dob": pl.Int8})
    common, rare = 0.05, 0.0001
    scored = model.score(gammas, params, tf={"name": np.array([common, rare])})
    assert scored["bf_name"].to_list() == pytest.approx([math.log2(0.8 / common), math.log2(0.8 / rare)], rel=1e-6)
    assert scored["bf_name"][0] < math.log2(0.8 / 0.01) < scored["bf_name"][1]


def test_score_refuses_levels_the_model_does_not_have():
    gammas = pl.DataFrame({"gamma_name": [4], "gamma_dob": [1]}, schema={"gamma_name": pl.Int8, "gamma_dob": pl.Int8})
    with pytest.raises(ValueError, match="gamma_name: level outside 0..3"):
        model.score(gammas, two_field_params())


def _simulated_gammas(n: int, prior: float, m: dict, u: dict, seed: int = 0) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    is_match = rng.random(n) < prior
    columns = {}
    for name in m:
        levels = np.arange(len(m[name]))
        drawn_m = rng.choice(levels, n, p=m[name])
        drawn_u = rng.choice(levels, n, p=u[name])
        columns[f"gamma_{name}"] = pl.Series(np.where(is_match, drawn_m, drawn_u), dtype=pl.Int8)
    return pl.DataFrame(columns)


def test_em_with_u_fixed_recovers_m_and_the_share_of_matches():
    m = {"name": np.array([0, 0.7, 0.2, 0.1]), "dob": np.array([0, 0.85, 0.1, 0.05]), "city": np.array([0, .6, .4])}
    u = {"name": np.array([0, 0.01, 0.09, 0.9]), "dob": np.array([0, 0.002, 0.02, 0.978]),
         "city": np.array([0, .05, .95])}
    gammas = _simulated_gammas(200_000, 0.2, m, u)
    patterns = model.level_counts(gammas, list(m))
    start = {name: model.initial_m(len(levels)) for name, levels in m.items()}
    learnt, prior, _ = model.expectation_maximisation(patterns, start, u, 0.5, estimate=list(m))
    assert prior == pytest.approx(0.2, abs=0.01)
    for name in m:
        assert learnt[name] == pytest.approx(m[name], abs=0.02)


def test_u_from_random_pairs_is_the_share_of_each_level():
    gammas = pl.DataFrame({"gamma_sex": [0, 1, 1, 2, 2, 2, 2, 1, 1, 0]}, schema={"gamma_sex": pl.Int8})
    u = model.estimate_u(gammas, {"sex": 3})
    assert u["sex"].tolist() == pytest.approx([0, 0.5, 0.5])


def test_train_on_a_hand_made_registry_learns_that_agreement_means_a_match():
    rng = np.random.default_rng(5)
    people = 3000
    letters = np.array(list("ABCDEFGHIJKLMNOPRSTUVWYZ"))
    pool = np.array(["".join(rng.choice(letters, 7)) for _ in range(800)])
    surnames = pool[rng.integers(0, 800, people)]
    cities = np.array([f"C{k:02d}" for k in rng.integers(0, 40, people)])
    years = rng.integers(1940, 2000, people).astype(str)
    copies = rng.choice(people, 600, replace=False)  # 600 people registered twice, some with a changed city
    moved = rng.random(600) < 0.3
    frame = pl.DataFrame({
        "record_id": [f"R{k:05d}" for k in range(people + 600)],
        "surname": np.concatenate([surnames, surnames[copies]]),
        "city": np.concatenate([cities, np.where(moved, "C99", cities[copies])]),
        "year": np.concatenate([years, years[copies]]),
    })
    from longarm.engine.identity.blocking import BlockingRule

    comparisons = (jaro_winkler_levels("surname", "surname", (0.9,)), exact_match("city", "city"),
                   exact_match("year", "year"))
    rules = (BlockingRule("surname", ("surname",)), BlockingRule("year_city", ("year", "city")))
    sessions = ((rules[0], ("city", "year")), (BlockingRule("city", ("city",)), ("surname", "year")))
    params = model.train(frame, comparisons, rules, version="t", description="hand-made", sessions=sessions,
                         u_sample_pairs=200_000)
    city, year = params.comparisons["city"], params.comparisons["year"]
    assert city["m"][1] == pytest.approx(0.7, abs=0.08)  # 30 % of the copies moved
    assert year["m"][1] > 0.9 and year["u"][1] < 0.03  # every copy keeps the year
    assert params.comparisons["surname"]["m"][1] > 0.9
    expected_pairs = 600 / (3600 * 3599 / 2)
    assert params.prior == pytest.approx(expected_pairs, rel=0.25)
    assert params.trained_on["records"] == 3600 and params.trained_on["description"] == "hand-made"


def test_parameters_round_trip_through_json_with_their_version(tmp_path):
    params = two_field_params()
    path = tmp_path / "model.json"
    params.save(path)
    again = ModelParameters.load(path)
    assert again == params
    assert json.loads(path.read_text())["version"] == "test-1"


def test_bad_parameter_files_are_refused_with_the_reason(tmp_path):
    path = tmp_path / "model.json"
    path.write_text('{"version": "x", "comparisons": {}}')
    with pytest.raises(ValueError, match="model.json: missing field\\(s\\) prior"):
        ModelParameters.load(path)
    path.write_text("{not json")
    with pytest.raises(ValueError, match="model.json: not JSON \\(line 1"):
        ModelParameters.load(path)
    with pytest.raises(ValueError, match="comparison 'a' needs levels, m and u of one length"):
        ModelParameters(version="x", comparisons={"a": {"levels": ["n", "e"], "m": [0, 1], "u": [1]}}, prior=0.1)


def test_prior_moves_with_the_size_of_the_registry():
    params = two_field_params(prior=0.001)  # trained on 1000 records
    bigger = params.for_registry(10_000)
    assert bigger.prior == pytest.approx(0.001 * 999 / 9999)
    assert params.for_registry(1000) is params
