"""The declared relatives of a chunk of synthetic officials.

Most relatives live at home. Some live abroad without having emigrated
(children studying, a spouse working abroad with Chinese nationality only),
and some have emigrated (siblings, parents, children of an official whose
spouse is at home): none of these makes a "naked official". Only the planted
NAKED_OFFICIAL officials have an emigrated spouse (variant 0), or no spouse
and nothing but emigrated children (variant 1).
"""

import numpy as np
import polars as pl

from longarm.synth import people, places, plan

RELATIONS = ("spouse", "child", "parent", "sibling")
YEAR = 365.25


def relatives_frame(rng: np.random.Generator, *, official_ids: pl.Series, ids: people.Identities,
                    role: np.ndarray, variant: np.ndarray, as_of_day: int) -> pl.DataFrame:
    """Rows of relatives.csv for the officials of a chunk (columns as in the exchange format)."""
    n = len(ids)
    naked = role == plan.NAKED_OFFICIAL
    copy = role == plan.DUPLICATE_IDENTITY_COPY
    spouse = np.where(naked, variant == 0, rng.random(n) < 0.85) & ~copy
    children = rng.choice(3, size=n, p=[0.12, 0.63, 0.25])
    children = np.where(naked & (variant == 1), np.maximum(children, 1), children) * ~copy
    parents = rng.choice(3, size=n, p=[0.3, 0.3, 0.4]) * ~copy
    siblings = rng.choice(2, size=n, p=[0.6, 0.4]) * ~copy

    counts = (spouse.astype(np.int64), children, parents, siblings)
    owner = np.concatenate([np.repeat(np.arange(n), c) for c in counts])
    relation = np.concatenate([np.full(c.sum(), k, dtype=np.int8) for k, c in enumerate(counts)])
    order = np.lexsort((relation, owner))
    owner, relation = owner[order], relation[order]
    rows = owner.size
    is_spouse, is_child, is_parent, is_sibling = (relation == k for k in range(4))
    # The first parent listed is the father.
    first_in_relation = np.ones(rows, dtype=bool)
    first_in_relation[1:] = (owner[1:] != owner[:-1]) | (relation[1:] != relation[:-1])

    official_male = ids.male[owner]
    male = np.where(is_spouse, ~official_male, np.where(is_parent, first_in_relation, rng.random(rows) < 0.5))
    keeps_surname = is_child | is_sibling | (is_parent & first_in_relation)
    surname = np.where(keeps_surname, ids.surname[owner], people.draw_surnames(rng, rows))
    given_1, given_2 = people.draw_given(rng, male)
    kin = people.Identities(
        surname=surname, given_1=given_1, given_2=given_2, male=male, birth=np.zeros(rows, dtype=np.int32),
        rank=np.zeros(rows, dtype=np.int8), status=np.zeros(rows, dtype=np.int8),
        jurisdiction=np.zeros(rows, dtype=np.int8), department=np.zeros(rows, dtype=np.int8),
        **people.plain_names(rows),
    )
    official_birth = ids.birth[owner].astype(np.int64)
    years = rng.random(rows)
    birth = np.select(
        [is_spouse, is_child, is_parent],
        [official_birth + ((years - 0.5) * 6 * YEAR).astype(np.int64),
         np.minimum(official_birth + ((24 + 12 * years) * YEAR).astype(np.int64), as_of_day - 200),
         official_birth - ((22 + 13 * years) * YEAR).astype(np.int64)],
        official_birth + ((years - 0.5) * 12 * YEAR).astype(np.int64),
    )
    age = (as_of_day - birth) / YEAR

    # Where they live: at home unless one of the cases below.
    draw = rng.random(rows)
    planted_owner = naked[owner]
    official_has_spouse = spouse[owner]
    studying = is_child & (age >= 16) & (age <= 30) & (draw < 0.12)
    working_abroad = is_spouse & ~planted_owner & (draw < 0.01)
    emigrated = (
        (is_child & ~planted_owner & official_has_spouse & (draw > 0.97))
        | (is_sibling & (draw < 0.03))
        | (is_parent & (draw < 0.005))
        | (planted_owner & is_spouse & (variant[owner] == 0))
        | (planted_owner & is_child & (variant[owner] == 1))
    )
    study_country = np.array(places.STUDY_COUNTRIES)[rng.integers(0, len(places.STUDY_COUNTRIES), rows)]
    emigration_country = np.array(places.EMIGRATION_COUNTRIES)[
        rng.integers(0, len(places.EMIGRATION_COUNTRIES), rows)]
    naturalised = rng.random(rows) < 0.5
    residence_country = np.where(emigrated, emigration_country,
                                 np.where(studying | working_abroad, study_country, "CHN"))
    residence_status = np.where(
        emigrated, np.where(naturalised, "citizen", "permanent_resident"),
        np.where(studying, "student", np.where(working_abroad, "resident", "citizen")))
    nationalities = np.where(emigrated & naturalised, emigration_country, "CHN")
    abroad = residence_country != "CHN"
    since = as_of_day - rng.integers(200, 4000, rows)

    names = people.romanised_names(kin)
    relation_names = np.array(RELATIONS)[relation]
    known_birth = rng.random(rows) < 0.9
    return pl.DataFrame({
        "relative_id": official_ids.gather(owner) + "-R" + pl.Series(_rank_within(owner) + 1).cast(pl.String),
        "official_id": official_ids.gather(owner),
        "relation": relation_names,
        "family_name": names["family_name"],
        "given_name": names["given_name"],
        "native_name": names["native_name"],
        "date_of_birth": _dates(birth, known_birth),
        "residence_country": residence_country,
        "residence_status": residence_status,
        "nationalities": nationalities,
        "since": _dates(since, abroad),
        "employer": pl.select(pl.when(pl.lit(pl.Series(abroad & ~studying))).then(pl.lit("Private company"))
                              ).to_series(),
    })


def _rank_within(owner: np.ndarray) -> np.ndarray:
    """0, 1, 2 … within each run of equal (sorted) owners."""
    starts = np.ones(owner.size, dtype=bool)
    starts[1:] = owner[1:] != owner[:-1]
    first = np.maximum.accumulate(np.where(starts, np.arange(owner.size), 0))
    return np.arange(owner.size) - first


def _dates(days: np.ndarray, given: np.ndarray) -> pl.Series:
    """Days since 1970 as dates, empty where not given."""
    return pl.select(pl.when(pl.lit(pl.Series(given))).then(pl.lit(pl.Series(days.astype(np.int32)).cast(pl.Date)))
                     ).to_series()
