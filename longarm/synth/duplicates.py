"""Officials registered twice, and look-alikes that are other people: the ground truth of identity resolution.

A copy (`truth_identities.csv`) is a second record of an official, made in
another province and unit, and written in one of the ways registries really
differ (`VARIANTS`, one each in turn, so that every world holds each at
least once): exactly the same; the given name in two words; family and
given name swapped; day and month of the birth date swapped; one digit of
the birth date off; one Latin letter mistyped; the native name in
traditional characters; the Latin name in Wade-Giles; the national id
missing; a second national id on purpose (valid check character, same area
and birth date, another sequence number). Besides the one thing that differs, a copy keeps sex,
native name, the rest of the name and birth date, and (but for the last two
variants) the national id, which carries the true birth date; some copies
with another name or birth date also lack the national id
(`ALSO_WITHOUT_ID`).

Look-alikes (`truth_non_identities.csv`) are other people that identity
resolution must keep apart: twins (same family name, birth date, sex and
province, another given name, national id of the next sequence number) and
namesakes born the same day whose name has other characters of the same
pinyin (徐/许 XU, 晓/小 XIAO ...). Namesakes with another birth date occur
naturally.

Rule kept (see `people.py`): apart from a copy or a same-pinyin look-alike
and the official it was made from, no two records share an identity by the
spec's "belongs to" test; a rewritten copy or a twin that would collide with
a third official is redrawn. Originals, copies and look-alikes never cross
the border, so no crossing has to choose between them.
"""

import datetime
from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from longarm.engine.normalize import name_key
from longarm.synth import names, people, places, plan

VARIANTS = ("exact", "given_two_words", "swapped_names", "dob_day_month_swapped", "dob_digit", "latin_typo",
            "native_traditional", "wade_giles", "national_id_missing", "second_national_id")
ALSO_WITHOUT_ID = 0.15  # share of copies with another name or birth date that also lack the national id
RESTRICTED = ("dob_day_month_swapped", "given_two_words", "native_traditional", "wade_giles")
NAME_OR_BIRTH = VARIANTS[1:8]
EPOCH = datetime.date(1970, 1, 1)


@dataclass
class Registrations:
    """Every official record (originals first, then copies, then look-alikes) and the truth about them."""

    ids: people.Identities
    roles: plan.Plan
    id_jurisdiction: np.ndarray  # province of the national id's area code
    id_birth: np.ndarray  # birth date the national id carries (days since 1970)
    id_sequence: np.ndarray
    id_present: np.ndarray
    duplicates: pl.DataFrame  # a, b (record indices: original, copy), variant
    look_alikes: pl.DataFrame  # a, b (original, look-alike), trap

    def national_ids(self, rows: np.ndarray) -> pl.Series:
        """The national_id column of records `rows` ("" where the record has none)."""
        holders = replace(self.ids.take(rows), jurisdiction=self.id_jurisdiction[rows], birth=self.id_birth[rows])
        numbers = people.national_ids(holders, self.id_sequence[rows])
        return pl.select(pl.when(pl.lit(pl.Series(self.id_present[rows]))).then(pl.lit(numbers))
                         .otherwise(pl.lit(""))).to_series()


def register(rng: np.random.Generator, ids: people.Identities, roles: plan.Plan) -> Registrations:
    """Append the copies of the DUPLICATE_IDENTITY officials and the look-alikes of some calm ones."""
    count = len(ids)
    province_count = len(places.provinces())
    originals = np.flatnonzero(roles.role == plan.DUPLICATE_IDENTITY)
    variants = _assign_variants(rng, ids, originals)
    copies = ids.take(originals)
    copies.jurisdiction = ((copies.jurisdiction + rng.integers(1, province_count, originals.size))
                           % province_count).astype(np.int8)
    copies.department = rng.integers(0, len(places.DEPARTMENTS), originals.size).astype(np.int8)
    without_id = np.isin(variants, NAME_OR_BIRTH) & (rng.random(originals.size) < ALSO_WITHOUT_ID)
    typos = (rng.integers(0, 20, originals.size) * 26 + rng.integers(1, 26, originals.size)).astype(np.int16)
    for k, variant in enumerate(variants):
        _rewrite(copies, k, variant, int(typos[k]), rng)

    calm = roles.role == plan.CALM
    last_of_group, base_sequence = _base_sequences(ids)
    twin_count = plan.look_alike_count("twin", count)
    same_count = plan.look_alike_count("same_pinyin", count)
    twin_of = _choose(rng, np.flatnonzero(calm & last_of_group), twin_count, "twins")
    alternatives = _same_pinyin_alternatives(ids)
    candidates = np.flatnonzero(calm & (alternatives >= 0).any(axis=1))
    same_of = _choose(rng, np.setdiff1d(candidates, twin_of), same_count, "same-pinyin look-alikes")
    twins = ids.take(twin_of)
    twins.department = rng.integers(0, len(places.DEPARTMENTS), twin_count).astype(np.int8)
    _redraw_given(rng, twins, ids.take(twin_of), np.ones(twin_count, dtype=bool))
    same = ids.take(same_of)
    _respell(rng, same, alternatives[same_of])
    same.jurisdiction = rng.integers(0, province_count, same_count).astype(np.int8)
    same.department = rng.integers(0, len(places.DEPARTMENTS), same_count).astype(np.int8)

    everyone = ids.extend(copies).extend(twins).extend(same)
    partner = np.concatenate([originals, twin_of, same_of])
    first_copy, first_twin = count, count + originals.size
    for _ in range(50):
        colliding = _colliding(everyone, count, partner)
        if colliding.size == 0:
            break
        for row in colliding.tolist():
            if row < first_twin:
                variants[row - first_copy] = _undo_name_and_birth(everyone, row, partner[row - count],
                                                                  variants[row - first_copy])
            else:
                twin = everyone.take(np.array([row]))
                _redraw_given(rng, twin, ids.take(partner[[row - count]]), np.ones(1, dtype=bool))
                everyone.given_1[row], everyone.given_2[row] = twin.given_1[0], twin.given_2[0]
    else:
        raise RuntimeError("could not keep the look-alikes apart from other officials")

    copy_rows = np.arange(first_copy, first_twin)
    second_id = variants == "second_national_id"
    id_jurisdiction = np.concatenate([ids.jurisdiction, ids.jurisdiction[originals], twins.jurisdiction,
                                      same.jurisdiction])
    id_birth = np.concatenate([ids.birth, ids.birth[originals], twins.birth, same.birth])
    # Fresh sequence numbers: originals keep theirs; twins come next after their twin, then the
    # same-pinyin look-alikes and the copies with a second id, each after everyone of its area and day.
    fresh = np.concatenate([np.arange(count), np.arange(first_twin, len(everyone)), copy_rows[second_id]])
    sequence = np.zeros(len(everyone), dtype=np.int16)
    sequence[fresh] = _sequences(id_jurisdiction[fresh], id_birth[fresh], everyone.male[fresh])
    sequence[copy_rows[~second_id]] = base_sequence[originals[~second_id]]
    present = np.ones(len(everyone), dtype=bool)
    present[copy_rows[(variants == "national_id_missing") | without_id]] = False

    labels = np.where(without_id & (variants != "exact"), np.char.add(variants.astype(str), "+national_id_missing"),
                      np.where(without_id, "national_id_missing", variants))
    roles = plan.with_look_alikes(plan.with_duplicate_identities(roles), twin_count + same_count)
    return Registrations(
        ids=everyone, roles=roles, id_jurisdiction=id_jurisdiction, id_birth=id_birth, id_sequence=sequence,
        id_present=present,
        duplicates=pl.DataFrame({"a": originals, "b": copy_rows, "variant": labels.tolist()},
                                schema={"a": pl.Int64, "b": pl.Int64, "variant": pl.String}),
        look_alikes=pl.DataFrame({
            "a": np.concatenate([twin_of, same_of]), "b": np.arange(first_twin, len(everyone)),
            "trap": ["twin"] * twin_count + ["same_pinyin"] * same_count,
        }, schema={"a": pl.Int64, "b": pl.Int64, "trap": pl.String}),
    )


def look_alike_total(officials: int) -> int:
    return sum(plan.look_alike_count(kind, officials) for kind in plan.LOOK_ALIKE_SHARES)


# --- copies ----------------------------------------------------------------------------------------------------


def _assign_variants(rng: np.random.Generator, ids: people.Identities, originals: np.ndarray) -> np.ndarray:
    """One variant per original, each variant in turn; variants that need something of the original
    (a two-character given name, a day of the month up to 12, characters with a traditional form, a
    Wade-Giles spelling that differs) go to originals that have it, or become "exact"."""
    wanted = [VARIANTS[k % len(VARIANTS)] for k in range(originals.size)]
    order = rng.permutation(originals.size)
    assigned = np.full(originals.size, "", dtype=object)
    names_of = people.romanised_names(ids.take(originals))
    for variant in RESTRICTED:
        need = wanted.count(variant)
        for k in order.tolist():
            if need == 0:
                break
            if assigned[k] == "" and _applies(variant, ids, int(originals[k]), names_of.row(k, named=True)):
                assigned[k] = variant
                need -= 1
        wanted = [w for w in wanted if w != variant] + ["exact"] * need
    rest = iter(w for w in wanted if w not in RESTRICTED)
    for k in order.tolist():
        if assigned[k] == "":
            assigned[k] = next(rest)
    return assigned.astype(str).astype(object)


def _applies(variant: str, ids: people.Identities, row: int, written: dict) -> bool:
    if variant == "given_two_words":
        return int(ids.given_2[row]) != len(people.name_tables()["given_pinyin"]) - 1
    if variant == "dob_day_month_swapped":
        born = EPOCH + datetime.timedelta(days=int(ids.birth[row]))
        return born.day <= 12 and born.day != born.month
    if variant == "native_traditional":
        return names.traditional(written["native_name"]) != written["native_name"]
    if variant == "wade_giles":
        wade = replace(ids.take(np.array([row])), name_variant=np.array([people.NAME_WADE_GILES], dtype=np.int8))
        other = people.romanised_names(wade).row(0, named=True)
        return name_key(other["family_name"], other["given_name"]) != name_key(written["family_name"],
                                                                               written["given_name"])
    return True


def _rewrite(copies: people.Identities, k: int, variant: str, typo: int, rng: np.random.Generator) -> None:
    """Write copy `k` the way `variant` says (national ids are settled by the caller)."""
    if variant == "given_two_words":
        copies.spaced_given[k] = True
    elif variant == "swapped_names":
        copies.name_variant[k] = people.NAME_SWAPPED
    elif variant == "latin_typo":
        copies.name_variant[k], copies.typo[k] = people.NAME_TYPO, typo
    elif variant == "native_traditional":
        copies.name_variant[k] = people.NAME_TRADITIONAL
    elif variant == "wade_giles":
        copies.name_variant[k] = people.NAME_WADE_GILES
    elif variant == "dob_day_month_swapped":
        born = EPOCH + datetime.timedelta(days=int(copies.birth[k]))
        copies.birth[k] = (born.replace(month=born.day, day=born.month) - EPOCH).days
    elif variant == "dob_digit":
        copies.birth[k] = (_one_digit_off(EPOCH + datetime.timedelta(days=int(copies.birth[k])), rng) - EPOCH).days


def _one_digit_off(born: datetime.date, rng: np.random.Generator) -> datetime.date:
    """The date with one digit of YYYYMMDD changed by one: the last of the year, the month or the day."""
    for part in rng.permutation(3).tolist():
        value = (born.year, born.month, born.day)[part]
        step = -1 if value % 10 == 9 else 1 if value % 10 == 0 else int(rng.choice((-1, 1)))
        fields = {"year": born.year, "month": born.month, "day": born.day}
        fields[("year", "month", "day")[part]] = value + step
        try:
            return datetime.date(**fields)
        except ValueError:
            continue
    raise ValueError(f"no date one digit away from {born}")


def _undo_name_and_birth(ids: people.Identities, row: int, original: int, variant: str) -> str:
    """Write a copy that would collide with a third official exactly as its original: "exact"."""
    ids.spaced_given[row], ids.name_variant[row], ids.typo[row] = False, people.NAME_PASSPORT, 0
    ids.birth[row] = ids.birth[original]
    return "exact" if variant in NAME_OR_BIRTH else variant


# --- look-alikes -----------------------------------------------------------------------------------------------


def _choose(rng: np.random.Generator, candidates: np.ndarray, count: int, what: str) -> np.ndarray:
    if candidates.size < count:
        raise ValueError(f"too few calm officials for {count} {what}; ask for more officials")
    return np.sort(rng.choice(candidates, size=count, replace=False))


def _redraw_given(rng: np.random.Generator, twins: people.Identities, originals: people.Identities,
                  todo: np.ndarray) -> None:
    """Another given name for each twin (in place), never the original's nor written like it."""
    tables = people.name_tables()
    pinyin = tables["given_pinyin"].to_numpy()
    for _ in range(100):
        rows = np.flatnonzero(todo)
        if rows.size == 0:
            return
        first, second = people.draw_given(rng, twins.male[rows])
        twins.given_1[rows], twins.given_2[rows] = first, second
        todo[rows] = ((pinyin[first] == pinyin[originals.given_1[rows]])
                      & (pinyin[second] == pinyin[originals.given_2[rows]]))
    raise RuntimeError("could not draw another given name")


def _same_pinyin_alternatives(ids: people.Identities) -> np.ndarray:
    """Per official, for (surname, first, second given character): another character index of the same
    pinyin (given characters from the same table half, men's or women's), or -1."""
    tables = people.name_tables()
    male_count = tables["male_count"][0]

    def other_of(pinyin: list[str], characters: list[str], part: range) -> np.ndarray:
        other = np.full(len(pinyin), -1, dtype=np.int64)
        for i in part:
            same = [j for j in part if pinyin[j] == pinyin[i] and characters[j] != characters[i]]
            other[i] = same[0] if same else -1
        return other

    surname = other_of(tables["surname_pinyin"].to_list(), tables["surname_native"].to_list(),
                       range(len(tables["surname_pinyin"])))
    given_pinyin, given_native = tables["given_pinyin"].to_list(), tables["given_native"].to_list()
    given = np.full(len(given_pinyin), -1, dtype=np.int64)
    for part in (range(0, male_count), range(male_count, len(given_pinyin) - 1)):
        given = np.maximum(given, other_of(given_pinyin, given_native, part))
    return np.stack([surname[ids.surname], given[ids.given_1], given[ids.given_2]], axis=1)


def _respell(rng: np.random.Generator, same: people.Identities, alternatives: np.ndarray) -> None:
    """Change one character of each look-alike's name (in place) for another of the same pinyin."""
    for k in range(len(same)):
        options = np.flatnonzero(alternatives[k] >= 0)
        part = int(options[rng.integers(0, options.size)])
        target = (same.surname, same.given_1, same.given_2)[part]
        target[k] = alternatives[k, part]


# --- identities and national ids -------------------------------------------------------------------------------


def _colliding(ids: people.Identities, first_new: int, partner: np.ndarray) -> np.ndarray:
    """New records (from `first_new`) sharing a "belongs to" identity with anyone but their partner."""
    straight, swapped = people.name_hashes(ids)
    index = np.arange(len(ids), dtype=np.int64)
    allowed = np.concatenate([np.full(first_new, -1, dtype=np.int64), partner])
    frame = pl.DataFrame({
        "key": np.concatenate([people.identity_keys(ids.birth, ids.male, straight),
                               people.identity_keys(ids.birth, ids.male, swapped)]),
        "owner": np.concatenate([index, index]), "allowed": np.concatenate([allowed, allowed]),
    }).unique(["key", "owner"])
    shared = frame.filter(pl.len().over("key") > 1)
    found = shared.join(shared.select("key", pl.col("owner").alias("other")), on="key").filter(
        (pl.col("owner") >= first_new) & (pl.col("other") != pl.col("owner")) & (pl.col("other") != pl.col("allowed")))
    return np.unique(found["owner"].to_numpy())


def _base_sequences(ids: people.Identities) -> tuple[np.ndarray, np.ndarray]:
    """(is the last of its area, birth date and sex; sequence number) of each official."""
    frame = pl.DataFrame({"area": ids.jurisdiction, "birth": ids.birth, "male": ids.male})
    order = frame.select(n=pl.int_range(pl.len()).over(["area", "birth", "male"]),
                         size=pl.len().over(["area", "birth", "male"]))
    n = order["n"].to_numpy()
    return n == order["size"].to_numpy() - 1, people.national_id_sequences(ids)


def _sequences(area: np.ndarray, birth: np.ndarray, male: np.ndarray) -> np.ndarray:
    frame = pl.DataFrame({"area": area, "birth": birth, "male": male})
    order = frame.select(pl.int_range(pl.len()).over(["area", "birth", "male"]).alias("n"))["n"].to_numpy()
    return ((order * 2 + male.astype(np.int64)) % 1000).astype(np.int16)
