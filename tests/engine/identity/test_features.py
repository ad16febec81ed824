import datetime as dt

import polars as pl
import pytest

from longarm.engine.identity.chinese import national_id_check_character
from longarm.engine.identity.features import FEATURE_COLUMNS, hash_strings, official_features
from longarm.engine.normalize import name_key

VALID_ID = "11010519491231002X"


def registry(**columns) -> pl.DataFrame:
    base = {
        "record_id": ["O1", "O2", "O3", "O4"],
        "family_name": ["Zhang", "CHANG", "Zeng", "Smith"],
        "given_name": ["Xiao-Ming", "Hsiao Ming", "WEI", "John"],
        "native_name": ["張曉明", None, "曾伟", ""],
        "date_of_birth": [dt.date(1970, 3, 4), dt.date(1969, 12, 31), None, dt.date(2001, 11, 9)],
        "sex": ["M", "m", None, "F"],
        "national_id": [VALID_ID, "110105491231002", "", "110105194912310021"],
    }
    base.update(columns)
    return pl.DataFrame(base, schema_overrides={"native_name": pl.String})


def test_every_interface_column_is_there_and_input_columns_stay():
    features = official_features(registry())
    for column in (*FEATURE_COLUMNS, "record_id", "family_name", "given_name", "native_name"):
        assert column in features.columns
    assert features.schema["dob_days"] == pl.Int32
    assert features.schema["birth_year"] == pl.Int16
    assert features.schema["name_hash"] == pl.UInt64
    assert features.schema["national_id_valid"] == pl.Boolean
    assert features.schema["native_romanisations"] == pl.List(pl.UInt64)


def test_name_keys_in_both_orders_as_the_spec_normalises():
    features = official_features(registry())
    assert features["name_key"].to_list() == [
        name_key("Zhang", "Xiao-Ming"), "CHANGHSIAOMING", "ZENGWEI", "SMITHJOHN"]
    assert features["name_key_swapped"][0] == "XIAOMINGZHANG"
    assert features["family_key"].to_list() == ["ZHANG", "CHANG", "ZENG", "SMITH"]
    assert features["given_key"].to_list() == ["XIAOMING", "HSIAOMING", "WEI", "JOHN"]


def test_native_name_in_simplified_characters_and_empty_as_null():
    features = official_features(registry())
    assert features["native_simplified"].to_list() == ["张晓明", None, "曾伟", None]
    assert features["native_hash"][1] is None
    assert features["native_hash"][0] == hash_strings(pl.Series(["张晓明"]))[0]


def test_native_romanisations_hold_every_reading_and_wade_giles_as_name_hashes():
    features = official_features(registry())
    readings = set(features["native_romanisations"][2].to_list())
    for latin in ("ZENGWEI", "CENGWEI", "TSENGWEI"):
        assert hash_strings(pl.Series([latin]))[0] in readings
    assert features["native_romanisations"][1].to_list() == []
    # the Wade-Giles record (O2) has the Latin name the native name of O1 romanises to
    assert features["name_hash"][1] in set(features["native_romanisations"][0].to_list())


def test_wade_giles_hash_of_a_pinyin_name_and_none_for_other_names():
    features = official_features(registry())
    assert features["name_wade_giles_hash"][0] == features["name_hash"][1]  # ZHANG XIAOMING → CHANG HSIAOMING
    assert features["name_wade_giles_hash"][3] is None                       # SMITH is not pinyin
    assert features["name_wade_giles_hash"][1] is None                       # HSIAO is not pinyin


def test_phonetic_keys_fold_pinyin_and_wade_giles_together():
    features = official_features(registry())
    assert features["family_phonetic"].to_list() == ["CHA", "CHA", "TSE", "SMI"]
    assert features["given_phonetic"][0] == features["given_phonetic"][1] == "HSI"


def test_date_parts_sex_and_national_id():
    features = official_features(registry())
    assert features["dob_days"].to_list() == [(dt.date(1970, 3, 4) - dt.date(1970, 1, 1)).days, -1, None, 11_635]
    assert features["dob_ymd"].to_list() == [19700304, 19691231, None, 20011109]
    assert features["birth_year"].to_list() == [1970, 1969, None, 2001]
    assert features["sex"].to_list() == ["M", "M", None, "F"]
    assert features["national_id_norm"].to_list() == [VALID_ID, VALID_ID, None, "110105194912310021"]
    assert features["national_id_valid"].to_list() == [True, False, False, False]


def test_optional_columns_may_be_missing_and_dates_may_be_text():
    records = registry().drop("native_name", "national_id", "sex").with_columns(
        pl.col("date_of_birth").cast(pl.String))
    features = official_features(records)
    assert features["native_simplified"].null_count() == 4
    assert features["native_romanisations"].to_list() == [[], [], [], []]
    assert features["national_id_valid"].to_list() == [False] * 4
    assert features["dob_ymd"][0] == 19700304


def test_missing_required_column_is_named():
    with pytest.raises(ValueError, match="given_name"):
        official_features(registry().drop("given_name"))


def test_hashes_agree_between_frames_computed_apart():
    crossing = pl.DataFrame({"record_id": ["E1"], "family_name": ["ZENG"], "given_name": ["WEI"]})
    official = official_features(registry())
    assert official_features(crossing)["name_hash"][0] == official["name_hash"][2]


def test_repeated_names_get_the_same_features_as_a_single_one():
    many = pl.concat([registry()] * 3).with_columns(pl.format("R{}", pl.int_range(pl.len())).alias("record_id"))
    features = official_features(many).drop("record_id")
    assert features[0:4].equals(features[4:8])
    assert features[0:4].equals(official_features(registry()).drop("record_id"))


def test_check_character_of_synth_style_numbers():
    number = "44030019800101123"
    records = registry(national_id=[number + national_id_check_character(number), "", "", ""])
    assert official_features(records)["national_id_valid"][0]


def test_name_keys_agree_with_normalize_on_diacritics_apostrophes_and_missing_parts():
    names = [("O'Brien", "Seán"), ("Lü", "Wei"), ("d’Arc", None), (None, "Jörg Peter")]
    records = pl.DataFrame({"record_id": ["1", "2", "3", "4"], "family_name": [n[0] for n in names],
                            "given_name": [n[1] for n in names]})
    features = official_features(records)
    assert features["name_key"].to_list() == [name_key(f or "", g or "") for f, g in names]
    assert features["name_key_swapped"].to_list() == [name_key(g or "", f or "") for f, g in names]
