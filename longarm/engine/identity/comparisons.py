"""Comparisons of a pair of records, field by field, as levels of agreement (Fellegi-Sunter gammas).

A `Comparison` turns a pair frame (`id_l`, `id_r`, and `<column>_l`/`<column>_r`
for each feature column it reads) into one Int8 level per pair: level 0 is
"no information" (a side lacks the field; it adds nothing to the score), then
levels from the strongest agreement down to the last, "different". The model
learns how much each level weighs for and against a match.

Everything is columnar: exact levels compare integer hashes with numpy; fuzzy
levels call rapidfuzz's `cpdist` (which counts characters, never UTF-8 bytes:
张伟/张为 is one edit) only on the pairs no stronger level has claimed.

`OFFICIAL_COMPARISONS` is the officials model (issue 6); the builders below
(`exact_match`, `jaro_winkler_levels`, `levenshtein_levels`, `date_levels`,
`prefix_levels`, `phonetic_levels`, `any_exact`) serve data without Chinese names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from rapidfuzz.distance import JaroWinkler, Levenshtein
from rapidfuzz.process import cpdist

from longarm.engine.identity.sides import FrameSides

NO_INFORMATION = "no information"


@dataclass(frozen=True)
class Comparison:
    """One field's comparison: labels of its levels (0 = no information, then strongest first) and the
    function that computes the level of every pair from the feature columns it reads."""

    name: str
    levels: tuple[str, ...]
    columns: tuple[str, ...]
    gamma: Callable[[pl.DataFrame], np.ndarray]
    tf_column: str | None = None
    # The same levels computed on sides (`sides.py`): lets the pipeline read row positions into the records
    # instead of building a pair frame. `gamma(pairs)` must equal `gamma_sides(FrameSides(pairs))`.
    gamma_sides: Callable | None = None
    # The level of (a, b) is always the level of (b, a): the pipeline may then compare pairs in either order.
    symmetric: bool = False

    def __post_init__(self):
        if not self.levels or self.levels[0] != NO_INFORMATION:
            raise ValueError(f"comparison {self.name!r}: level 0 must be {NO_INFORMATION!r}")
        if len(self.levels) > 127:
            raise ValueError(f"comparison {self.name!r}: too many levels")


def compare(pairs: pl.DataFrame, comparisons: Sequence[Comparison]) -> pl.DataFrame:
    """`id_l`, `id_r` and one Int8 `gamma_<name>` per comparison (plus `tf_<name>_l`/`_r`, the values of the
    comparison's tf_column on each side, where it has one)."""
    needed = {f"{c}_{side}" for comparison in comparisons for c in comparison.columns for side in "lr"}
    if comparisons and any(comparison.tf_column for comparison in comparisons):
        needed |= {f"{c.tf_column}_{side}" for c in comparisons if c.tf_column for side in "lr"}
    missing = sorted(needed - set(pairs.columns))
    if missing:
        raise ValueError(f"pair frame lacks column(s) {', '.join(missing)}")
    out = [pairs["id_l"], pairs["id_r"]]
    for comparison in comparisons:
        gamma = np.asarray(comparison.gamma(pairs), dtype=np.int8)
        if gamma.shape != (pairs.height,):
            raise ValueError(f"comparison {comparison.name!r} returned {gamma.shape} levels for {pairs.height} pairs")
        out.append(pl.Series(f"gamma_{comparison.name}", gamma, dtype=pl.Int8))
        if comparison.tf_column:
            out.append(pairs[f"{comparison.tf_column}_l"].alias(f"tf_{comparison.name}_l"))
            out.append(pairs[f"{comparison.tf_column}_r"].alias(f"tf_{comparison.name}_r"))
    return pl.DataFrame(out)


class _Levels:
    """Assigns levels in order of checks: a pair keeps the first level whose condition it meets."""

    def __init__(self, size: int, last: int):
        self.gamma = np.full(size, last, dtype=np.int8)
        self.decided = np.zeros(size, dtype=bool)

    def assign(self, mask: np.ndarray, level: int) -> None:
        fresh = mask & ~self.decided
        self.gamma[fresh] = level
        self.decided |= fresh

    @property
    def open(self) -> np.ndarray:
        return ~self.decided


def _nulls(pairs: pl.DataFrame, column: str) -> np.ndarray:
    series = pairs[column]
    if series.dtype == pl.String:
        return (series.is_null() | (series.str.len_bytes() == 0)).to_numpy()
    return series.is_null().to_numpy()


def _values(pairs: pl.DataFrame, column: str, fill=0) -> np.ndarray:
    return pairs[column].fill_null(fill).to_numpy()


def _strings(pairs: pl.DataFrame, column: str, rows: np.ndarray) -> list[str]:
    return pairs[column].filter(pl.Series(rows)).fill_null("").to_list()


def _fuzzy(pairs: pl.DataFrame, left: str, right: str, rows: np.ndarray, scorer, **kwargs) -> np.ndarray:
    """Scores of `scorer` on the pairs in `rows` (a boolean mask); other entries NaN."""
    out = np.full(pairs.height, np.nan)
    if rows.any():
        out[rows] = cpdist(_strings(pairs, left, rows), _strings(pairs, right, rows), scorer=scorer,
                           workers=-1, **kwargs)
    return out


def _jaro_winkler(pairs, left, right, rows):
    return _fuzzy(pairs, left, right, rows, JaroWinkler.normalized_similarity)


def _levenshtein(pairs, left, right, rows, cutoff: int):
    return _fuzzy(pairs, left, right, rows, Levenshtein.distance, score_cutoff=cutoff)


# --- the officials model -------------------------------------------------------------------------

NAME_LEVELS = (
    NO_INFORMATION,
    "native name equal",                       # 1: characters equal after traditional → simplified
    "Latin name equal",                        # 2: normalised family+given equal, in either order
    "romanisation of the native name",         # 3: a pinyin reading or Wade-Giles form equals the other's Latin name
    "same pinyin, other characters",           # 4: usually different people
    "one edit or Jaro-Winkler ≥ 0.92",         # 5: on the differing part when one part is shared
    "family name equal or Jaro-Winkler ≥ 0.80",  # 6
    "different",                               # 7
)
NAME_COLUMNS = ("name_key", "name_key_swapped", "name_hash", "name_swapped_hash", "name_wade_giles_hash",
                "family_key", "given_key", "family_hash", "given_hash", "native_simplified", "native_hash",
                "native_romanisations")


def name_gamma(pairs: pl.DataFrame) -> np.ndarray:
    """`name_levels` on a pair frame."""
    return name_levels(FrameSides(pairs))


def name_levels(sides) -> np.ndarray:
    """Levels of `NAME_LEVELS`, checked in this order (the first that holds wins):

    0. no Latin name and no native name on one side;
    1. both native names present and equal (simplified characters);
    4. both native names present, different, but the same pinyin: Latin names equal in either order, or one
       Latin name is the other's Wade-Giles form;
    2. Latin names equal, family and given in either order (one side has no native name);
    3. the Wade-Giles form of one Latin name equals the other's Latin name, or (the other side having no
       native name) one of the romanisations of one side's native name (every reading, pinyin or
       Wade-Giles) equals the other's Latin name, in either order;
    5. close: when the pair shares its family name (or its given name, in either order), the other part is
       one edit or Jaro-Winkler ≥ 0.92 apart; when it shares no part, the whole Latin names are (best of both
       orders); without Latin names on both sides, native names of three characters or more one character
       apart (characters, not bytes);
    6. the pair shares its family name (in either order), or, sharing no part, Jaro-Winkler ≥ 0.80 on the
       whole Latin names;
    7. otherwise (a shared given name with a different family name ends here).
    """
    n = sides.size
    levels = _Levels(n, 7)
    latin_null_l, latin_null_r = sides.nulls("name_key", "l"), sides.nulls("name_key", "r")
    native_null_l, native_null_r = sides.nulls("native_hash", "l"), sides.nulls("native_hash", "r")
    levels.assign((latin_null_l & native_null_l) | (latin_null_r & native_null_r), 0)

    native_both = ~native_null_l & ~native_null_r
    native_l, native_r = sides.values("native_hash", "l"), sides.values("native_hash", "r")
    levels.assign(native_both & (native_l == native_r), 1)

    name_l, name_r = sides.values("name_hash", "l"), sides.values("name_hash", "r")
    swapped_l, swapped_r = sides.values("name_swapped_hash", "l"), sides.values("name_swapped_hash", "r")
    latin_both = ~latin_null_l & ~latin_null_r
    latin_equal = latin_both & ((name_l == name_r) | (name_l == swapped_r) | (swapped_l == name_r))

    # A romanisation of one side's native name equal to the other's Latin name (either order), looked up
    # where the other side has no native name (a crossing, a registry entry without characters): between
    # two native names the Latin names already say whether the pinyin is the same, and rare readings of
    # given-name characters would only add noise.
    rows_l = levels.open & ~native_null_l & native_null_r & ~latin_null_r
    rows_r = levels.open & ~native_null_r & native_null_l & ~latin_null_l
    romanised = sides.contains("native_romanisations", "l", "name_hash", rows_l)
    romanised |= sides.contains("native_romanisations", "l", "name_swapped_hash", rows_l & ~romanised)
    romanised |= sides.contains("native_romanisations", "r", "name_hash", rows_r & ~romanised)
    romanised |= sides.contains("native_romanisations", "r", "name_swapped_hash", rows_r & ~romanised)
    wg_l, wg_r = sides.values("name_wade_giles_hash", "l"), sides.values("name_wade_giles_hash", "r")
    wg_null_l, wg_null_r = sides.nulls("name_wade_giles_hash", "l"), sides.nulls("name_wade_giles_hash", "r")
    wade_giles = latin_both & ((~wg_null_l & ((wg_l == name_r) | (wg_l == swapped_r)))
                               | (~wg_null_r & ((wg_r == name_l) | (wg_r == swapped_l))))
    levels.assign(native_both & (latin_equal | romanised | wade_giles), 4)
    levels.assign(latin_equal, 2)
    levels.assign((latin_both & wade_giles) | romanised, 3)

    # Fuzzy levels. A pair that shares its family name (or its given name) is judged on the other part,
    # whose distinct pairs of values are few and scored once each; only pairs that share no part are
    # scored on the whole key, each distinct pair of keys once.
    rows = levels.open & latin_both
    family_l, family_r = sides.values("family_hash", "l"), sides.values("family_hash", "r")
    given_l, given_r = sides.values("given_hash", "l"), sides.values("given_hash", "r")
    part_null = (sides.nulls("family_hash", "l") | sides.nulls("family_hash", "r")
                 | sides.nulls("given_hash", "l") | sides.nulls("given_hash", "r"))
    parts = rows & ~part_null
    family_same = parts & (family_l == family_r)
    family_across = parts & ~family_same & (family_l == given_r)
    given_same = parts & ~family_same & ~family_across & (given_l == given_r)
    given_across = parts & ~family_same & ~family_across & ~given_same & (given_l == family_r)
    hashes = {"family": (family_l, family_r), "given": (given_l, given_r)}
    close = (_parts_close(sides, hashes, "given", "given", family_same)
             | _parts_close(sides, hashes, "given", "family", family_across)
             | _parts_close(sides, hashes, "family", "family", given_same)
             | _parts_close(sides, hashes, "family", "given", given_across))
    shares_family = family_same | family_across
    whole = rows & ~(family_same | family_across | given_same | given_across)
    jaro = _distinct_scores(sides, "name_key", "name_key", (name_l, name_r), whole,
                            JaroWinkler.normalized_similarity)
    swap_rows = whole & (jaro < 0.92) & sides.first_letter_equal("name_key", "name_key_swapped")
    jaro = np.fmax(jaro, _distinct_scores(sides, "name_key", "name_key_swapped", (name_l, swapped_r), swap_rows,
                                          JaroWinkler.normalized_similarity))
    close |= whole & (jaro >= 0.92)
    # one edit between keys of 5+ letters keeps Jaro-Winkler at 0.86 or above
    short = sides.lengths("name_key", "l") < 5
    rows_edit = whole & ~close & ((jaro >= 0.84) | short)
    close |= rows_edit & (_distinct_scores(sides, "name_key", "name_key", (name_l, name_r), rows_edit,
                                           Levenshtein.distance, score_cutoff=1) <= 1)
    rows_edit &= ~close & sides.first_letter_equal("name_key", "name_key_swapped")
    close |= rows_edit & (_distinct_scores(sides, "name_key", "name_key_swapped", (name_l, swapped_r), rows_edit,
                                           Levenshtein.distance, score_cutoff=1) <= 1)
    # Native names one character apart count where a side has no Latin name to compare.
    rows_native = levels.open & ~close & native_both & ~latin_both
    if rows_native.any():
        rows_native &= (sides.lengths("native_simplified", "l") >= 3) & (sides.lengths("native_simplified", "r") >= 3)
        close |= rows_native & (_distinct_scores(sides, "native_simplified", "native_simplified",
                                                 (native_l, native_r), rows_native, Levenshtein.distance,
                                                 score_cutoff=1) <= 1)
    levels.assign(close, 5)
    levels.assign(shares_family | (whole & (jaro >= 0.80)), 6)
    return levels.gamma


def _distinct_scores(sides, column_l: str, column_r: str, hashes: tuple[np.ndarray, np.ndarray], rows: np.ndarray,
                     scorer, **kwargs) -> np.ndarray:
    """`scorer` of left `column_l` against right `column_r` on `rows` (a mask), NaN elsewhere; `hashes` are
    the pairs' hashes of those values, so that each distinct pair of values is scored once."""
    out = np.full(sides.size, np.nan)
    where = np.flatnonzero(rows)
    if where.size:
        keys = np.stack([hashes[0][where], hashes[1][where]], axis=1)
        _, first, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        sample = where[first]
        scores = cpdist(sides.strings(column_l, "l", sample), sides.strings(column_r, "r", sample), scorer=scorer,
                        workers=-1 if sample.size > 20_000 else 1, **kwargs)
        out[where] = np.asarray(scores, dtype=np.float64)[inverse.reshape(-1)]
    return out


def _parts_close(sides, hashes: dict, left_part: str, right_part: str, rows: np.ndarray) -> np.ndarray:
    """Whether name part `left_part` of the left record and `right_part` of the right one are one edit or
    Jaro-Winkler 0.92 apart, on `rows`; each distinct pair of values is scored once."""
    pair_hashes = (hashes[left_part][0], hashes[right_part][1])
    jaro = _distinct_scores(sides, f"{left_part}_key", f"{right_part}_key", pair_hashes, rows,
                            JaroWinkler.normalized_similarity)
    edits = _distinct_scores(sides, f"{left_part}_key", f"{right_part}_key", pair_hashes, rows,
                             Levenshtein.distance, score_cutoff=1)
    return rows & ((jaro >= 0.92) | (edits <= 1))


DATE_LEVELS = (NO_INFORMATION, "equal", "day and month swapped", "one digit different",
               "same year and month, or within 3 days", "different")


def date_of_birth_gamma(pairs: pl.DataFrame) -> np.ndarray:
    """`date_of_birth_levels` on a pair frame."""
    return date_of_birth_levels(FrameSides(pairs))


def date_of_birth_levels(sides) -> np.ndarray:
    """Levels of `DATE_LEVELS` on `dob_ymd` (YYYYMMDD) and `dob_days`, first that holds wins."""
    return _date_gamma(sides.values("dob_ymd", "l"), sides.values("dob_ymd", "r"),
                       sides.values("dob_days", "l"), sides.values("dob_days", "r"),
                       sides.nulls("dob_ymd", "l") | sides.nulls("dob_ymd", "r"))


def _date_gamma(ymd_l, ymd_r, days_l, days_r, null, *, within_days: int = 3,
                years: Sequence[int] = ()) -> np.ndarray:
    ymd_l, ymd_r = ymd_l.astype(np.int64), ymd_r.astype(np.int64)
    levels = _Levels(len(ymd_l), 5 + len(years))
    levels.assign(null, 0)
    levels.assign(ymd_l == ymd_r, 1)
    year_l, year_r = ymd_l // 10_000, ymd_r // 10_000
    month_l, month_r = ymd_l // 100 % 100, ymd_r // 100 % 100
    day_l, day_r = ymd_l % 100, ymd_r % 100
    levels.assign((year_l == year_r) & (month_l == day_r) & (day_l == month_r), 2)
    rows = np.flatnonzero(levels.open)
    differing = np.zeros(len(rows), dtype=np.int8)
    a, b = ymd_l[rows], ymd_r[rows]
    for _ in range(8):
        differing += (a % 10) != (b % 10)
        a, b = a // 10, b // 10
    one_digit = np.zeros(len(ymd_l), dtype=bool)
    one_digit[rows] = differing == 1
    levels.assign(one_digit, 3)
    apart = np.abs(days_l.astype(np.int64) - days_r.astype(np.int64))
    levels.assign(((year_l == year_r) & (month_l == month_r)) | (apart <= within_days), 4)
    for offset, limit in enumerate(years):
        levels.assign(apart <= limit * 366, 5 + offset)
    return levels.gamma


NATIONAL_ID_LEVELS = (NO_INFORMATION, "valid and equal", "equal, check digit not checkable",
                      "valid and different")


def national_id_gamma(pairs: pl.DataFrame) -> np.ndarray:
    """`national_id_levels` on a pair frame."""
    return national_id_levels(FrameSides(pairs))


def national_id_levels(sides) -> np.ndarray:
    """Levels of `NATIONAL_ID_LEVELS`: both numbers valid and equal (strong for), equal but one or both
    without a checkable check character (legacy 15-digit numbers), both valid and different (strong against);
    a missing number, or an invalid one that differs, tells nothing."""
    agreement = sides.exact("national_id_norm")  # 0 a number missing, 1 equal, 2 different
    valid = sides.values("national_id_valid", "l") & sides.values("national_id_valid", "r")
    return _NATIONAL_ID_LEVEL[agreement * 2 + valid]


# national id level by (agreement, both valid): missing -> 0; equal -> 1 if valid else 2; different -> 3 if
# valid else 0 (an invalid number that differs tells nothing).
_NATIONAL_ID_LEVEL = np.array([0, 0, 2, 1, 0, 3], dtype=np.int8)


SEX_LEVELS = (NO_INFORMATION, "equal", "different")


def sex_gamma(pairs: pl.DataFrame) -> np.ndarray:
    return sex_levels(FrameSides(pairs))


def sex_levels(sides) -> np.ndarray:
    return _exact_levels(sides, "sex")


def _exact_levels(sides, column: str) -> np.ndarray:
    return sides.exact(column)


def _exact_gamma(pairs: pl.DataFrame, column: str) -> np.ndarray:
    null = _nulls(pairs, f"{column}_l") | _nulls(pairs, f"{column}_r")
    equal = (pairs[f"{column}_l"] == pairs[f"{column}_r"]).fill_null(False).to_numpy()
    return np.where(null, 0, np.where(equal, 1, 2)).astype(np.int8)


OFFICIAL_COMPARISONS: tuple[Comparison, ...] = (
    Comparison("name", NAME_LEVELS, NAME_COLUMNS, name_gamma, tf_column="native_hash", gamma_sides=name_levels),
    Comparison("date_of_birth", DATE_LEVELS, ("dob_ymd", "dob_days"), date_of_birth_gamma,
               gamma_sides=date_of_birth_levels, symmetric=True),
    Comparison("national_id", NATIONAL_ID_LEVELS, ("national_id_norm", "national_id_valid"), national_id_gamma,
               gamma_sides=national_id_levels, symmetric=True),
    Comparison("sex", SEX_LEVELS, ("sex",), sex_gamma, gamma_sides=sex_levels, symmetric=True),
)


# --- generic builders ----------------------------------------------------------------------------

def exact_match(name: str, column: str, *, tf: bool = False) -> Comparison:
    """Equal / different, with the value's frequency adjusting "equal" when `tf`."""
    return Comparison(name, (NO_INFORMATION, "equal", "different"), (column,),
                      lambda pairs: _exact_gamma(pairs, column), tf_column=column if tf else None)


def jaro_winkler_levels(name: str, column: str, thresholds: Sequence[float] = (0.92, 0.80), *,
                        tf: bool = False) -> Comparison:
    """Equal / Jaro-Winkler ≥ each threshold (descending) / different."""
    thresholds = tuple(sorted(thresholds, reverse=True))
    labels = (NO_INFORMATION, "equal", *(f"Jaro-Winkler ≥ {t:g}" for t in thresholds), "different")

    def gamma(pairs: pl.DataFrame) -> np.ndarray:
        levels = _exact_first(pairs, column, len(labels) - 1)
        score = _jaro_winkler(pairs, f"{column}_l", f"{column}_r", levels.open)
        for offset, threshold in enumerate(thresholds):
            levels.assign(score >= threshold, 2 + offset)
        return levels.gamma

    return Comparison(name, labels, (column,), gamma, tf_column=column if tf else None)


def levenshtein_levels(name: str, column: str, thresholds: Sequence[int] = (1, 2), *,
                       tf: bool = False) -> Comparison:
    """Equal / at most k character edits for each k (ascending) / different."""
    thresholds = tuple(sorted(thresholds))
    labels = (NO_INFORMATION, "equal", *(f"≤ {k} edit{'s' if k > 1 else ''}" for k in thresholds), "different")

    def gamma(pairs: pl.DataFrame) -> np.ndarray:
        levels = _exact_first(pairs, column, len(labels) - 1)
        edits = _levenshtein(pairs, f"{column}_l", f"{column}_r", levels.open, thresholds[-1])
        for offset, limit in enumerate(thresholds):
            levels.assign(edits <= limit, 2 + offset)
        return levels.gamma

    return Comparison(name, labels, (column,), gamma, tf_column=column if tf else None)


def date_levels(name: str, column: str, *, within_days: int = 3, years: Sequence[int] = (1, 10)) -> Comparison:
    """A date (pl.Date, or text as YYYY-MM-DD or YYYYMMDD): equal / day and month swapped / one digit
    different / same year and month or within `within_days` / within each of `years` / different."""
    years = tuple(sorted(years))
    labels = (NO_INFORMATION, "equal", "day and month swapped", "one digit different",
              f"same year and month, or within {within_days} days", *(f"within {y} year{'s' if y > 1 else ''}"
                                                                      for y in years), "different")

    def gamma(pairs: pl.DataFrame) -> np.ndarray:
        left, right = _as_date(pairs[f"{column}_l"]), _as_date(pairs[f"{column}_r"])
        null = (left.is_null() | right.is_null()).to_numpy()
        return _date_gamma(_ymd(left), _ymd(right), left.cast(pl.Int32).fill_null(0).to_numpy(),
                           right.cast(pl.Int32).fill_null(0).to_numpy(), null, within_days=within_days,
                           years=years)

    return Comparison(name, labels, (column,), gamma)


def prefix_levels(name: str, column: str, lengths: Sequence[int] = (4, 3), *, tf: bool = False) -> Comparison:
    """Equal / first k characters equal for each k (descending), as for postcodes / different."""
    lengths = tuple(sorted(lengths, reverse=True))
    labels = (NO_INFORMATION, "equal", *(f"first {k} characters equal" for k in lengths), "different")

    def gamma(pairs: pl.DataFrame) -> np.ndarray:
        levels = _exact_first(pairs, column, len(labels) - 1)
        left, right = pairs[f"{column}_l"].cast(pl.String), pairs[f"{column}_r"].cast(pl.String)
        for offset, k in enumerate(lengths):
            same = ((left.str.slice(0, k) == right.str.slice(0, k)) & (left.str.len_chars() >= k)
                    & (right.str.len_chars() >= k)).fill_null(False).to_numpy()
            levels.assign(same, 2 + offset)
        return levels.gamma

    return Comparison(name, labels, (column,), gamma, tf_column=column if tf else None)


PHONETIC_ALGORITHMS = ("metaphone", "nysiis", "soundex", "match_rating_codex")


def phonetic_levels(name: str, column: str, algorithm: str = "metaphone",
                    jaro_winkler: Sequence[float] = (), *, tf: bool = False) -> Comparison:
    """Equal / same phonetic code (jellyfish `algorithm`, computed once per unique value) / Jaro-Winkler
    ≥ each threshold / different."""
    if algorithm not in PHONETIC_ALGORITHMS:
        raise ValueError(f"unknown phonetic algorithm {algorithm!r}; one of {', '.join(PHONETIC_ALGORITHMS)}")
    thresholds = tuple(sorted(jaro_winkler, reverse=True))
    labels = (NO_INFORMATION, "equal", f"same {algorithm} code", *(f"Jaro-Winkler ≥ {t:g}" for t in thresholds),
              "different")

    def gamma(pairs: pl.DataFrame) -> np.ndarray:
        levels = _exact_first(pairs, column, len(labels) - 1)
        left, right = phonetic_codes(pairs[f"{column}_l"], algorithm), phonetic_codes(pairs[f"{column}_r"], algorithm)
        levels.assign((left == right).fill_null(False).to_numpy() & (left.str.len_bytes() > 0).fill_null(False)
                      .to_numpy(), 2)
        if thresholds:
            score = _jaro_winkler(pairs, f"{column}_l", f"{column}_r", levels.open)
            for offset, threshold in enumerate(thresholds):
                levels.assign(score >= threshold, 3 + offset)
        return levels.gamma

    return Comparison(name, labels, (column,), gamma, tf_column=column if tf else None)


def phonetic_codes(values: pl.Series, algorithm: str = "metaphone") -> pl.Series:
    """jellyfish phonetic code of every value, computed once per unique value."""
    import jellyfish

    encode = getattr(jellyfish, algorithm)
    strings = values.cast(pl.String)
    unique = strings.drop_nulls().unique()
    codes = pl.Series([encode(v) if v else "" for v in unique.to_list()], dtype=pl.String)
    table = pl.DataFrame({"k": unique, "v": codes})
    return strings.to_frame("k").join(table, on="k", how="left", maintain_order="left")["v"]


def any_exact(name: str, columns: Sequence[str], *, across: bool = False) -> Comparison:
    """Some column equal on both sides / none (e.g. any of several name parts or identifiers); with `across`,
    a column of one side may equal another column of the other (given name written as family name)."""
    columns = tuple(columns)
    label = f"one of {', '.join(columns)} equal" + (" (any pairing)" if across else "")

    def gamma(pairs: pl.DataFrame) -> np.ndarray:
        null_l = np.logical_and.reduce([_nulls(pairs, f"{c}_l") for c in columns])
        null_r = np.logical_and.reduce([_nulls(pairs, f"{c}_r") for c in columns])
        hit = np.zeros(pairs.height, dtype=bool)
        for a in columns:
            for b in (columns if across else (a,)):
                left, right = pairs[f"{a}_l"], pairs[f"{b}_r"]
                same = (left == right).fill_null(False)
                if left.dtype == pl.String:
                    same &= (left.str.len_bytes() > 0).fill_null(False)
                hit |= same.to_numpy()
        return np.where(null_l | null_r, 0, np.where(hit, 1, 2)).astype(np.int8)

    return Comparison(name, (NO_INFORMATION, label, "none equal"), columns, gamma)


def _exact_first(pairs: pl.DataFrame, column: str, last: int) -> _Levels:
    levels = _Levels(pairs.height, last)
    levels.assign(_nulls(pairs, f"{column}_l") | _nulls(pairs, f"{column}_r"), 0)
    levels.assign((pairs[f"{column}_l"] == pairs[f"{column}_r"]).fill_null(False).to_numpy(), 1)
    return levels


def _as_date(values: pl.Series) -> pl.Series:
    if values.dtype == pl.Date:
        return values
    if values.dtype == pl.Datetime:
        return values.dt.date()
    text = values.cast(pl.String).str.strip_chars().str.replace_all("-", "")
    return text.str.to_date("%Y%m%d", strict=False)


def _ymd(dates: pl.Series) -> np.ndarray:
    return (dates.dt.year().cast(pl.Int64) * 10_000 + dates.dt.month().cast(pl.Int64) * 100
            + dates.dt.day().cast(pl.Int64)).fill_null(0).to_numpy()
