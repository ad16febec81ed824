"""Comparisons on small hand-made registries, traps included (namesakes, same pinyin, twins, scripts)."""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from longarm.engine.identity.chinese import national_id_check_character
from longarm.engine.identity.comparisons import (
    DATE_LEVELS,
    NAME_LEVELS,
    NATIONAL_ID_LEVELS,
    OFFICIAL_COMPARISONS,
    Comparison,
    any_exact,
    compare,
    date_levels,
    exact_match,
    jaro_winkler_levels,
    levenshtein_levels,
    phonetic_levels,
    prefix_levels,
)
from longarm.engine.identity.features import official_features

BORN = dt.date(1970, 3, 4)
VALID_ID = "11010519491231002X"
OTHER_VALID_ID = "44030019800101123" + national_id_check_character("44030019800101123")


def person(record_id, family, given, native=None, born=BORN, sex="M", national_id=""):
    return {"record_id": record_id, "family_name": family, "given_name": given, "native_name": native,
            "date_of_birth": born, "sex": sex, "national_id": national_id}


def levels(*people_pairs):
    """compare() on the given pairs of people; {(id_l, id_r): {comparison: level label}}."""
    people = {p["record_id"]: p for pair in people_pairs for p in pair}
    features = official_features(pl.DataFrame(list(people.values()),
                                              schema_overrides={"native_name": pl.String}))
    columns = sorted({c for comparison in OFFICIAL_COMPARISONS for c in comparison.columns}
                     | {c.tf_column for c in OFFICIAL_COMPARISONS if c.tf_column})
    side = features.select(pl.col("record_id").alias("id"), *columns)
    row = {rid: i for i, rid in enumerate(side["id"].to_list())}
    left = side[[row[a["record_id"]] for a, _ in people_pairs]].rename(lambda c: f"{c}_l")
    right = side[[row[b["record_id"]] for _, b in people_pairs]].rename(lambda c: f"{c}_r")
    gammas = compare(pl.concat([left, right], how="horizontal"), OFFICIAL_COMPARISONS)
    return {
        (g["id_l"], g["id_r"]): {c.name: c.levels[g[f"gamma_{c.name}"]] for c in OFFICIAL_COMPARISONS}
        for g in gammas.iter_rows(named=True)
    }


def level(a, b, comparison="name"):
    return levels((a, b))[(a["record_id"], b["record_id"])][comparison]


# --- name ---------------------------------------------------------------------------------------------

def test_simplified_and_traditional_characters_of_one_name_are_equal():
    assert level(person("A", "ZHANG", "WEI", "张伟"), person("B", "ZHANG", "WEI", "張偉")) == "native name equal"


def test_latin_name_equal_with_given_name_in_one_or_two_words():
    a, b = person("A", "ZHANG", "XIAOMING"), person("B", "Zhang", "Xiao Ming", "张晓明")
    assert level(a, b) == "Latin name equal"
    assert level(a, person("C", "ZHANG", "XIAO-MING")) == "Latin name equal"


def test_family_and_given_name_swapped_are_equal():
    assert level(person("A", "XIAOMING", "ZHANG"), person("B", "ZHANG", "XIAOMING", "张晓明")) == "Latin name equal"


@pytest.mark.parametrize(("native", "family"), [("曾晓明", "ZENG"), ("曾晓明", "CENG"), ("单伟", "SHAN"),
                                                ("单伟", "DAN"), ("区伟", "QU"), ("朴伟", "PU")])
def test_every_reading_of_a_polyphonic_surname_matches_the_romanisation(native, family):
    official = person("O", "ZENG" if native == "曾晓明" else "X", "Y", native)
    given = "XIAOMING" if native == "曾晓明" else "WEI"
    crossing = person("E", family, given)
    assert level(official, crossing) == "romanisation of the native name"


def test_wade_giles_against_pinyin():
    assert level(person("A", "Chang", "Wei"), person("B", "ZHANG", "WEI")) == "romanisation of the native name"
    assert level(person("A", "CHANG", "HSIAO-MING"), person("B", "ZHANG", "XIAOMING")) == (
        "romanisation of the native name")
    # a Wade-Giles passport against an official known only by characters and a differing pinyin entry
    assert level(person("A", "TSENG", "WEI"), person("B", "Z", "W", "曾伟")) == "romanisation of the native name"


def test_wade_giles_with_swapped_names():
    assert level(person("A", "WEI", "CHANG"), person("B", "ZHANG", "WEI")) == "romanisation of the native name"


def test_same_pinyin_other_characters_is_its_own_level():
    a, b = person("A", "ZHANG", "WEI", "张伟"), person("B", "ZHANG", "WEI", "张为")
    assert level(a, b) == "same pinyin, other characters"
    # other characters, Latin names one letter apart: close, not the same pinyin
    assert level(person("C", "ZENG", "WEI", "曾伟"), person("D", "CENG", "WEI", "层伟")) == (
        "one edit or Jaro-Winkler ≥ 0.92")


def test_namesakes_with_another_date_of_birth_agree_on_name_only():
    found = level_all(person("A", "ZHANG", "WEI", "张伟", born=dt.date(1970, 3, 4)),
                      person("B", "ZHANG", "WEI", "张伟", born=dt.date(1985, 7, 12)))
    assert found["name"] == "native name equal"
    assert found["date_of_birth"] == "different"


def test_twins_agree_on_family_name_and_birth_but_not_given_name():
    found = level_all(person("A", "ZHANG", "WEI", "张伟"), person("B", "ZHANG", "QIANG", "张强"))
    assert found["date_of_birth"] == "equal"
    assert NAME_LEVELS.index(found["name"]) >= NAME_LEVELS.index("family name equal or Jaro-Winkler ≥ 0.80")


def test_one_typo_in_latin_name_is_close():
    assert level(person("A", "ZHANG", "XIAOMING"), person("B", "ZHANG", "XIAOMIN")) == (
        "one edit or Jaro-Winkler ≥ 0.92")
    assert level(person("A", "LI", "NA"), person("B", "LI", "NAN")) == "one edit or Jaro-Winkler ≥ 0.92"


def test_native_edit_distance_counts_characters_not_bytes():
    # one character apart (three UTF-8 bytes): close on names of three characters, not on two
    assert level(person("A", "", "", "王晓明"), person("B", "", "", "王晓红")) == "one edit or Jaro-Winkler ≥ 0.92"
    assert level(person("A", "", "", "王明"), person("B", "", "", "王红")) == "different"


def test_unrelated_names_are_different_and_missing_names_tell_nothing():
    assert level(person("A", "ZHANG", "WEI"), person("B", "OUYANG", "XIUYING")) == "different"
    assert level(person("A", "", ""), person("B", "ZHANG", "WEI", "张伟")) == "no information"


def level_all(a, b):
    return levels((a, b))[(a["record_id"], b["record_id"])]


# --- date of birth, national id, sex ------------------------------------------------------------------

@pytest.mark.parametrize(("other", "expected"), [
    (dt.date(1970, 3, 4), "equal"),
    (dt.date(1970, 4, 3), "day and month swapped"),
    (dt.date(1970, 3, 14), "one digit different"),
    (dt.date(1971, 3, 4), "one digit different"),
    (dt.date(1970, 3, 27), "same year and month, or within 3 days"),
    (dt.date(1970, 2, 28), "different"),
    (dt.date(1985, 7, 12), "different"),
    (None, "no information"),
])
def test_date_of_birth_levels(other, expected):
    assert level(person("A", "X", "Y"), person("B", "X", "Y", born=other), "date_of_birth") == expected


def test_date_of_birth_a_few_days_apart_across_a_month_end():
    a, b = person("A", "X", "Y", born=dt.date(1970, 3, 31)), person("B", "X", "Y", born=dt.date(1970, 4, 2))
    assert level(a, b, "date_of_birth") == "same year and month, or within 3 days"


@pytest.mark.parametrize(("left", "right", "expected"), [
    (VALID_ID, VALID_ID, "valid and equal"),
    (VALID_ID, OTHER_VALID_ID, "valid and different"),
    (VALID_ID, "", "no information"),
    (VALID_ID, "110105194912310021", "no information"),       # invalid check character: tells nothing
    ("110105491231002", VALID_ID, "equal, check digit not checkable"),  # legacy 15-digit form of the same number
    ("110105194912310021", "110105194912310021", "equal, check digit not checkable"),
])
def test_national_id_levels(left, right, expected):
    a, b = person("A", "X", "Y", national_id=left), person("B", "X", "Y", national_id=right)
    assert level(a, b, "national_id") == expected


@pytest.mark.parametrize(("left", "right", "expected"), [("M", "M", "equal"), ("M", "F", "different"),
                                                         ("F", None, "no information")])
def test_sex_levels(left, right, expected):
    assert level(person("A", "X", "Y", sex=left), person("B", "X", "Y", sex=right), "sex") == expected


# --- compare() -----------------------------------------------------------------------------------------

def test_compare_returns_ids_int8_gammas_and_tf_values():
    found = levels((person("A", "ZHANG", "WEI", "张伟"), person("B", "ZHANG", "WEI", "張偉")))
    assert found[("A", "B")]["name"] == "native name equal"
    people = pl.DataFrame([person("A", "ZHANG", "WEI", "张伟"), person("B", "ZHANG", "WEI", "張偉")])
    features = official_features(people)
    columns = sorted({c for comparison in OFFICIAL_COMPARISONS for c in comparison.columns})
    pairs = pl.concat([features[[0]].select(pl.col("record_id").alias("id_l"), *[pl.col(c).alias(f"{c}_l")
                                                                                  for c in columns]),
                       features[[1]].select(pl.col("record_id").alias("id_r"), *[pl.col(c).alias(f"{c}_r")
                                                                                  for c in columns])],
                      how="horizontal")
    gammas = compare(pairs, OFFICIAL_COMPARISONS)
    assert gammas.columns == ["id_l", "id_r", "gamma_name", "tf_name_l", "tf_name_r", "gamma_date_of_birth",
                              "gamma_national_id", "gamma_sex"]
    assert all(gammas.schema[f"gamma_{c.name}"] == pl.Int8 for c in OFFICIAL_COMPARISONS)
    assert gammas["tf_name_l"][0] == gammas["tf_name_r"][0] == features["native_hash"][0]


def test_compare_names_missing_columns():
    with pytest.raises(ValueError, match="dob_ymd_l"):
        compare(pl.DataFrame({"id_l": ["A"], "id_r": ["B"]}), OFFICIAL_COMPARISONS[1:2])


def test_level_zero_is_always_no_information():
    for comparison in OFFICIAL_COMPARISONS:
        assert comparison.levels[0] == "no information"
    assert DATE_LEVELS[0] == NATIONAL_ID_LEVELS[0] == "no information"
    with pytest.raises(ValueError):
        Comparison("bad", ("equal", "different"), ("x",), lambda pairs: np.zeros(pairs.height))


# --- generic builders ---------------------------------------------------------------------------------

def pair_frame(column, left, right):
    return pl.DataFrame({"id_l": [str(i) for i in range(len(left))], "id_r": [str(i) for i in range(len(left))],
                         f"{column}_l": left, f"{column}_r": right})


def gammas(comparison, left, right):
    column = comparison.columns[0]
    found = compare(pair_frame(column, left, right), [comparison])[f"gamma_{comparison.name}"].to_list()
    return [comparison.levels[g] for g in found]


def test_exact_match_with_tf_values():
    comparison = exact_match("surname", "surname", tf=True)
    assert gammas(comparison, ["SMITH", "SMITH", None], ["SMITH", "JONES", "X"]) == [
        "equal", "different", "no information"]
    assert comparison.tf_column == "surname"


def test_jaro_winkler_levels():
    comparison = jaro_winkler_levels("given", "given", (0.9, 0.7))
    assert gammas(comparison, ["MARTHA", "MARTHA", "DWAYNE", "ABC", ""], ["MARTHA", "MARHTA", "DUANE", "XYZ", "A"]) == [
        "equal", "Jaro-Winkler ≥ 0.9", "Jaro-Winkler ≥ 0.7", "different", "no information"]


def test_levenshtein_levels_count_characters_not_bytes():
    comparison = levenshtein_levels("native", "native", (1, 2))
    assert gammas(comparison, ["张伟", "张晓明", "张伟"], ["张为", "李晓红", "欧阳修"]) == [
        "≤ 1 edit", "≤ 2 edits", "different"]


def test_date_levels_on_text_dates():
    comparison = date_levels("dob", "dob", years=(1, 10))
    left = ["19560909", "19560912", "1956-09-09", "19560909", "19560909", "19560909", "bad"]
    right = ["19560909", "19561209", "19560919", "19570101", "19600101", "19900101", "19560909"]
    assert gammas(comparison, left, right) == [
        "equal", "day and month swapped", "one digit different", "within 1 year", "within 10 years",
        "different", "no information"]


def test_prefix_levels_like_postcodes():
    comparison = prefix_levels("postcode", "postcode", (3, 2))
    assert gammas(comparison, ["2600", "2600", "2600", "2600"], ["2600", "2601", "2611", "3600"]) == [
        "equal", "first 3 characters equal", "first 2 characters equal", "different"]


def test_phonetic_levels():
    comparison = phonetic_levels("surname", "surname", "metaphone", (0.8,))
    assert gammas(comparison, ["SMITH", "SMITH", "SMITH", "SMITH"], ["SMITH", "SMYTH", "SMITTS", "JONES"]) == [
        "equal", "same metaphone code", "Jaro-Winkler ≥ 0.8", "different"]
    with pytest.raises(ValueError, match="unknown phonetic"):
        phonetic_levels("x", "x", "caverphone")


def test_any_exact_across_columns():
    pairs = pl.DataFrame({"id_l": ["1", "2", "3"], "id_r": ["1", "2", "3"],
                          "given_l": ["ANNA", "ANNA", None], "given_r": ["ANNA", "SMITH", None],
                          "surname_l": ["SMITH", "SMITH", None], "surname_r": ["JONES", "ANNA", "X"]})
    straight, across = any_exact("n", ["given", "surname"]), any_exact("n", ["given", "surname"], across=True)
    assert compare(pairs, [straight])["gamma_n"].to_list() == [1, 2, 0]
    assert compare(pairs, [across])["gamma_n"].to_list() == [1, 1, 0]


def test_same_pinyin_other_characters_when_one_is_registered_in_wade_giles():
    assert level(person("A", "CHANG", "WEI", "张伟"), person("B", "ZHANG", "WEI", "张为")) == (
        "same pinyin, other characters")


def test_a_shared_family_name_with_a_one_letter_given_name_typo_is_close():
    assert level(person("A", "WANG", "XIAOMING", "王晓明"), person("B", "WANG", "XIAOMIN", "王晓民")) == (
        "one edit or Jaro-Winkler ≥ 0.92")
    assert level(person("A", "XIAOMING", "WANG"), person("B", "WANG", "XIAOMNG")) == (
        "one edit or Jaro-Winkler ≥ 0.92")


def test_a_shared_given_name_alone_counts_as_different():
    assert level(person("A", "ZHANG", "WEI", "张伟"), person("B", "OUYANG", "WEI", "欧阳伟")) == "different"
