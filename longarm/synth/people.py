"""The officials of a synthetic world and their declared relatives, as numpy columns.

Identities are drawn for every official at once as small integer columns
(indices into the name tables, days since 1970 for the date of birth), so
that 7 million fit in a few hundred megabytes; strings are made chunk by
chunk when the files are written.

Rule kept here: no two officials share an identity by the spec's
"belongs to" test (the same date of birth, sex and normalised full name, the
names possibly swapped), or a crossing on an unregistered document could
not belong to exactly one of them. Colliding officials get their date of
birth moved by a day until no collision remains. The planted duplicate
records and look-alikes (`duplicates.py`) are made afterwards, on purpose.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
import polars as pl

from longarm.engine.normalize import name_key_expr
from longarm.synth import names, places

# How a record writes the name (`Identities.name_variant`): as on a PRC passport, or as some registries
# of officials registered twice do.
NAME_PASSPORT = 0
NAME_SWAPPED = 1  # family and given name exchanged in the Latin fields
NAME_TYPO = 2  # one letter of the Latin given name mistyped
NAME_TRADITIONAL = 3  # native name in traditional characters
NAME_WADE_GILES = 4  # Latin name in Wade-Giles

STATUSES = ("active", "retired", "dismissed", "deceased")
STATUS_SHARES = (0.88, 0.10, 0.01, 0.01)
EPOCH = np.datetime64("1970-01-01", "D")


@cache
def name_tables() -> dict[str, pl.Series]:
    """Lookup columns: surname pinyin/characters/weights; given-name characters, men's first."""
    male, female = names.given_characters("M"), names.given_characters("F")
    return {
        "surname_pinyin": pl.Series([s[1] for s in names.SURNAMES]),
        "surname_native": pl.Series([s[0] for s in names.SURNAMES]),
        "surname_weight": pl.Series([s[2] for s in names.SURNAMES]),
        "given_pinyin": pl.Series([c[1] for c in male + female] + [""]),
        "given_native": pl.Series([c[0] for c in male + female] + [""]),
        "male_count": pl.Series([len(male)]), "female_count": pl.Series([len(female)]),
    }


@dataclass
class Identities:
    """Identity columns of every official record, index = position in officials.csv."""

    surname: np.ndarray  # index into SURNAMES
    given_1: np.ndarray  # index into the given-name table
    given_2: np.ndarray  # index, or the table's last (empty) entry for one-character names
    male: np.ndarray
    birth: np.ndarray  # days since 1970-01-01
    rank: np.ndarray  # index into places.RANKS
    status: np.ndarray  # index into STATUSES
    jurisdiction: np.ndarray  # index into places.provinces()
    department: np.ndarray
    spaced_given: np.ndarray  # given name written as two words (a duplicate record's variant)
    name_variant: np.ndarray  # how the name is written: one of the NAME_* codes below
    typo: np.ndarray  # for NAME_TYPO: letter position * 26 + shift (1-25) in the Latin given name

    def __len__(self) -> int:
        return len(self.surname)

    def take(self, rows: np.ndarray) -> "Identities":
        return Identities(**{name: value[rows] for name, value in vars(self).items()})

    def extend(self, other: "Identities") -> "Identities":
        return Identities(**{name: np.concatenate([value, getattr(other, name)]) for name, value in vars(self).items()})


def draw_given(rng: np.random.Generator, male: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Given-name character indices: two characters for three in four names, one for the rest."""
    tables = name_tables()
    male_count, female_count = tables["male_count"][0], tables["female_count"][0]
    empty = len(tables["given_pinyin"]) - 1
    size = len(male)
    first = np.where(male, rng.integers(0, male_count, size), male_count + rng.integers(0, female_count, size))
    second = np.where(male, rng.integers(0, male_count, size), male_count + rng.integers(0, female_count, size))
    second = np.where(rng.random(size) < 0.75, second, empty)
    return first.astype(np.int16), second.astype(np.int16)


def draw_surnames(rng: np.random.Generator, size: int) -> np.ndarray:
    weights = name_tables()["surname_weight"].to_numpy()
    return rng.choice(len(weights), size=size, p=weights / weights.sum()).astype(np.int16)


def draw_identities(rng: np.random.Generator, count: int, as_of: np.datetime64) -> Identities:
    """Officials spread over the provinces by population, with ranks, ages and names."""
    provinces = places.provinces()
    population = np.array([places.PROVINCE_FACTS[code][0] for code, _ in provinces])
    male = rng.random(count) < 0.68
    status = rng.choice(len(STATUSES), size=count, p=STATUS_SHARES).astype(np.int8)
    rank = rng.choice(len(places.RANKS), size=count, p=places.RANK_SHARES).astype(np.int8)
    # Higher ranks are older: active officials 23-60, retired 60-80.
    age_years = np.where(status == 1, rng.uniform(60, 80, count),
                         np.clip(rng.normal(44 - 1.5 * rank, 8, count), 23, 60))
    birth = (as_of - EPOCH).astype(np.int64) - (age_years * 365.25).astype(np.int64)
    given_1, given_2 = draw_given(rng, male)
    return Identities(
        surname=draw_surnames(rng, count), given_1=given_1, given_2=given_2, male=male,
        birth=birth.astype(np.int32), rank=rank, status=status,
        jurisdiction=rng.choice(len(provinces), size=count, p=population / population.sum()).astype(np.int8),
        department=rng.integers(0, len(places.DEPARTMENTS), count).astype(np.int8),
        **plain_names(count),
    )


def plain_names(count: int) -> dict[str, np.ndarray]:
    """The name-writing columns of `count` identities written as on a passport (for `Identities(...)`)."""
    return {"spaced_given": np.zeros(count, dtype=bool), "name_variant": np.zeros(count, dtype=np.int8),
            "typo": np.zeros(count, dtype=np.int16)}


def romanised_names(ids: Identities) -> pl.DataFrame:
    """family_name, given_name (pinyin, upper case) and native_name of identities, each written as its
    `name_variant` says (a handful of records: those are rewritten one by one)."""
    tables = name_tables()
    given = tables["given_pinyin"].gather(ids.given_1) + tables["given_pinyin"].gather(ids.given_2)
    spaced = tables["given_pinyin"].gather(ids.given_1) + " " + tables["given_pinyin"].gather(ids.given_2)
    has_two = pl.Series(ids.given_2 != len(tables["given_pinyin"]) - 1)
    given = pl.select(pl.when(pl.lit(pl.Series(ids.spaced_given)) & pl.lit(has_two)).then(pl.lit(spaced))
                      .otherwise(pl.lit(given))).to_series()
    frame = pl.DataFrame({
        "family_name": tables["surname_pinyin"].gather(ids.surname),
        "given_name": given,
        "native_name": tables["surname_native"].gather(ids.surname) + tables["given_native"].gather(ids.given_1)
        + tables["given_native"].gather(ids.given_2),
    })
    rows = np.flatnonzero(ids.name_variant != NAME_PASSPORT)
    if rows.size == 0:
        return frame
    columns = {name: frame[name].to_list() for name in frame.columns}
    for row in rows.tolist():
        family, given_name, native = (_written(ids, row, columns["family_name"][row], columns["given_name"][row],
                                               columns["native_name"][row]))
        columns["family_name"][row], columns["given_name"][row], columns["native_name"][row] = (
            family, given_name, native)
    return pl.DataFrame(columns, schema=frame.schema)


def _written(ids: Identities, row: int, family: str, given: str, native: str) -> tuple[str, str, str]:
    """One record's (family, given, native) name as its name variant writes it."""
    tables = name_tables()
    variant = int(ids.name_variant[row])
    if variant == NAME_SWAPPED:
        return given, family, native
    if variant == NAME_TYPO:
        letters = [i for i, ch in enumerate(given) if ch.isalpha()] or [0]
        position = letters[int(ids.typo[row]) // 26 % len(letters)]
        shift = int(ids.typo[row]) % 26 or 1
        mistyped = chr((ord(given[position]) - 65 + shift) % 26 + 65)
        return family, given[:position] + mistyped + given[position + 1:], native
    if variant == NAME_TRADITIONAL:
        return family, given, names.traditional(native)
    if variant == NAME_WADE_GILES:
        surname = int(ids.surname[row])
        syllables = [tables["given_pinyin"][int(g)] for g in (ids.given_1[row], ids.given_2[row])]
        return (*names.wade_giles((tables["surname_native"][surname], tables["surname_pinyin"][surname]),
                                  [s for s in syllables if s]), native)
    raise ValueError(f"unknown name variant {variant}")


def name_hashes(ids: Identities) -> tuple[np.ndarray, np.ndarray]:
    """Hashes of each official's normalised full name, straight and swapped.

    A name is fixed by (surname, given characters, spacing): the keys are made
    once per distinct combination and spread back, which is what keeps this
    fast for millions of officials.
    """
    width = len(name_tables()["given_pinyin"])
    combination = ((ids.surname.astype(np.int64) * width + ids.given_1) * width + ids.given_2) * 2 + ids.spaced_given
    combination = (combination * 8 + ids.name_variant) * 1024 + ids.typo
    _, representatives, inverse = np.unique(combination, return_index=True, return_inverse=True)
    frame = romanised_names(ids.take(representatives))
    keys = frame.select(name_key_expr("family_name", "given_name").hash(seed=1).alias("straight"),
                        name_key_expr("given_name", "family_name").hash(seed=1).alias("swapped"))
    return keys["straight"].to_numpy()[inverse], keys["swapped"].to_numpy()[inverse]


def identity_keys(birth: np.ndarray, male: np.ndarray, name_hash: np.ndarray) -> np.ndarray:
    """One 64-bit key for (date of birth, sex, name): equal identities, equal keys."""
    mixed = name_hash ^ (birth.astype(np.int64).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    return mixed ^ (male.astype(np.uint64) * np.uint64(0xC2B2AE3D27D4EB4F))


def separate_namesakes(ids: Identities, rng: np.random.Generator) -> int:
    """Move birthdays (in place) until no two officials match on birth, sex and name in either order.

    The official with the lower index keeps the birthday; the others move by
    1 to 90 days. Returns the number of moves. (Keys are 64-bit hashes: a
    hash collision would only move one more birthday.)
    """
    straight, swapped = name_hashes(ids)
    index = np.arange(len(ids), dtype=np.int64)
    both = swapped != straight
    moves = 0
    for _ in range(100):
        keys = np.concatenate([identity_keys(ids.birth, ids.male, straight),
                               identity_keys(ids.birth[both], ids.male[both], swapped[both])])
        owners = np.concatenate([index, index[both]])
        order = np.lexsort((owners, keys))
        keys, owners = keys[order], owners[order]
        same_as_previous = np.zeros(keys.size, dtype=bool)
        same_as_previous[1:] = keys[1:] == keys[:-1]
        # Within a run of equal keys, everyone after the first (lowest index) moves, unless it is
        # the same official met under its other name order.
        first_owner = owners[np.maximum.accumulate(np.where(same_as_previous, 0, np.arange(keys.size)))]
        rows = np.unique(owners[same_as_previous & (owners != first_owner)])
        if rows.size == 0:
            return moves
        ids.birth[rows] += rng.integers(1, 91, rows.size).astype(np.int32)
        moves += rows.size
    raise RuntimeError("could not separate namesakes")


def official_identity_keys(ids: Identities) -> np.ndarray:
    """Sorted identity keys of every official under both name orders: what public travellers avoid."""
    straight, swapped = name_hashes(ids)
    return np.unique(np.concatenate([identity_keys(ids.birth, ids.male, straight),
                                     identity_keys(ids.birth, ids.male, swapped)]))


def national_id_sequences(ids: Identities) -> np.ndarray:
    """Sequence numbers of resident identity numbers: odd for men, unique per area, birth date and sex."""
    frame = pl.DataFrame({"area": ids.jurisdiction, "birth": ids.birth, "male": ids.male})
    order = frame.select(pl.int_range(pl.len()).over(["area", "birth", "male"]).alias("n"))["n"].to_numpy()
    return ((order * 2 + ids.male.astype(np.int64)) % 1000).astype(np.int16)


def national_ids(ids: Identities, sequence: np.ndarray) -> pl.Series:
    """18-character resident identity numbers (GB 11643): area, birth date, sequence, and the
    ISO 7064 MOD 11-2 check character."""
    provinces = places.provinces()
    area_digits = np.array([int(places.PROVINCE_FACTS[code][1]) * 10_000 + 102 for code, _ in provinces])
    body = pl.DataFrame({
        "area": area_digits[ids.jurisdiction], "date": pl.Series(EPOCH + ids.birth.astype("timedelta64[D]")),
        "seq": sequence.astype(np.int64),
    }).select(
        pl.concat_str([pl.col("area").cast(pl.String), pl.col("date").dt.strftime("%Y%m%d"),
                       pl.col("seq").cast(pl.String).str.zfill(3)])
    ).to_series()
    if body.len() == 0:
        return body
    digits = np.frombuffer(body.str.join("").item().encode("ascii"), dtype=np.uint8).reshape(-1, 17) - 48
    weights = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
    check = np.array(list("10X98765432"))[(digits.astype(np.int64) @ weights) % 11]
    return body + pl.Series(check)
