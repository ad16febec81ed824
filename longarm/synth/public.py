"""Border crossings of the general public, among which the officials' crossings are buried.

Rule kept here: a public crossing never belongs to an official. Its document
is never a registered one (Chinese documents of the public are numbered
`E` or `C` followed by a letter, officials' by eight digits; foreign
documents have another issuing state), and its traveller never matches an
official on identity (date of birth, sex and normalised name in either
order): a traveller who would is born a few days later.
"""

import numpy as np
import polars as pl

from longarm.engine.normalize import name_key_expr
from longarm.synth import names, people, places
from longarm.synth.travel import _dates

EPOCH_DAY_1950 = -7305
SPAN_OF_BIRTHS = 21_900  # 60 years


def public_crossings(rng: np.random.Generator, *, first: int, count: int, total: int, start: int, span: int,
                     official_keys: np.ndarray) -> pl.DataFrame:
    """Crossings `first` .. `first + count` of `total`, in time order over `[start, start + span)` seconds."""
    j = np.arange(first, first + count, dtype=np.int64)
    step = max(1, span // max(total, 1))
    seconds = start + (j * span) // total + rng.integers(0, step, count)
    chinese = rng.random(count) < 0.75
    male = rng.random(count) < 0.55
    ids = people.Identities(
        surname=people.draw_surnames(rng, count), given_1=np.zeros(count, dtype=np.int16),
        given_2=np.zeros(count, dtype=np.int16), male=male,
        birth=(EPOCH_DAY_1950 + rng.integers(0, SPAN_OF_BIRTHS, count)).astype(np.int32),
        rank=np.zeros(count, dtype=np.int8), status=np.zeros(count, dtype=np.int8),
        jurisdiction=np.zeros(count, dtype=np.int8), department=np.zeros(count, dtype=np.int8),
        **people.plain_names(count),
    )
    ids.given_1, ids.given_2 = people.draw_given(rng, male)
    chinese_names = people.romanised_names(ids)
    family = np.where(chinese, chinese_names["family_name"].to_numpy(), _pick(rng, names.FOREIGN_FAMILY, count))
    given = np.where(chinese, chinese_names["given_name"].to_numpy(),
                     np.where(male, _pick(rng, names.FOREIGN_GIVEN_MALE, count),
                              _pick(rng, names.FOREIGN_GIVEN_FEMALE, count)))
    birth = ids.birth.astype(np.int64)
    birth = _away_from_officials(rng, pl.Series(family), pl.Series(given), birth, male, official_keys)

    permit = chinese & (rng.random(count) < 0.15)
    state = np.where(chinese, "CHN", _pick(rng, places.FOREIGN_STATES, count))
    letters = np.array(list("ABCDEFGH"))[rng.integers(0, 8, count)]
    digits = pl.Series(rng.integers(0, 10 ** 7, count)).cast(pl.String).str.zfill(7)
    foreign_number = (pl.Series(np.array(list("ABCDEFGHJKLMNPRSTUVWXYZ"))[rng.integers(0, 23, count)])
                      + pl.Series(rng.integers(0, 10 ** 8, count)).cast(pl.String).str.zfill(8))
    chinese_number = pl.Series(np.where(permit, "C", "E")) + pl.Series(letters) + digits
    port = rng.integers(0, len(places.PORTS), count)
    countries = np.array([c for c, _ in places.DESTINATIONS] + list(places.FOREIGN_STATES))
    counterpart = countries[rng.integers(0, countries.size, count)]
    return pl.DataFrame({
        "okey": pl.Series([None] * count, dtype=pl.Int64), "seconds": seconds,
        "direction": np.where(rng.random(count) < 0.5, "exit", "entry"),
        "port": np.array([p[0] for p in places.PORTS])[port], "port_jurisdiction": np.array(
            [p[1] for p in places.PORTS])[port],
        "doc_type": np.where(permit, "travel_permit", "passport"),
        "doc_number": pl.select(pl.when(pl.lit(pl.Series(chinese))).then(pl.lit(chinese_number))
                                .otherwise(pl.lit(foreign_number))).to_series(),
        "issuing_state": state, "family_name": family, "given_name": given, "date_of_birth": _dates(birth),
        "sex": np.where(male, "M", "F"), "nationality": state,
        "counterpart_country": pl.select(pl.when(pl.lit(pl.Series(rng.random(count) < 0.8)))
                                         .then(pl.lit(pl.Series(counterpart)))).to_series(),
    }, schema_overrides={"seconds": pl.Int64})


def _pick(rng: np.random.Generator, table: tuple, size: int) -> np.ndarray:
    return np.array(table)[rng.integers(0, len(table), size)]


def _away_from_officials(rng, family: pl.Series, given: pl.Series, birth: np.ndarray, male: np.ndarray,
                         official_keys: np.ndarray) -> np.ndarray:
    """Move the birthdays of travellers who would match an official on identity, until none does."""
    frame = pl.DataFrame({"family": family, "given": given})
    hashes = frame.select(name_key_expr("family", "given").hash(seed=1).alias("a"),
                          name_key_expr("given", "family").hash(seed=1).alias("b"))
    straight, swapped = hashes["a"].to_numpy(), hashes["b"].to_numpy()
    birth = birth.copy()
    for _ in range(100):
        clash = _known(people.identity_keys(birth, male, straight), official_keys) | _known(
            people.identity_keys(birth, male, swapped), official_keys)
        if not clash.any():
            return birth
        birth[clash] += rng.integers(1, 30, int(clash.sum()))
    raise RuntimeError("could not keep public travellers apart from officials")


def _known(keys: np.ndarray, sorted_keys: np.ndarray) -> np.ndarray:
    if sorted_keys.size == 0:
        return np.zeros(keys.size, dtype=bool)
    position = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
    return sorted_keys[position] == keys
