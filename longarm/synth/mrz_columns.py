"""Valid ICAO 9303 zones for whole columns of documents at once.

The same zones as `longarm.documents.mrz.mrz_td3` / `mrz_td1` write one at a
time (`tests/synth/test_mrz_columns.py` holds them equal), built with Polars
string expressions and numpy check digits, for the millions of documents of
a synthetic world. Names must already be in MRZ characters (upper-case A-Z
and spaces), as the generator's pinyin names are.
"""

import polars as pl

from longarm.documents.mrz import NAME_WIDTH
from longarm.engine.mrz_checks import check_digit_column


def _names(family: pl.Series, given: pl.Series, width: int) -> pl.Series:
    frame = pl.DataFrame({"family": family, "given": given})
    return frame.select(
        pl.when(pl.col("given") == "").then(pl.col("family").str.replace_all(" ", "<"))
        .otherwise(pl.concat_str([pl.col("family").str.replace_all(" ", "<"), pl.lit("<<"),
                                  pl.col("given").str.replace_all(" ", "<")]))
        .str.slice(0, width).str.pad_end(width, "<")
    ).to_series()


def _raw_dates(dates: pl.Series) -> pl.Series:
    return dates.dt.strftime("%y%m%d")


def td3_column(*, document_code: pl.Series, issuing_state: pl.Series, family_name: pl.Series,
               given_name: pl.Series, number: pl.Series, nationality: pl.Series, birth_date: pl.Series,
               sex: pl.Series, expiry_date: pl.Series) -> pl.Series:
    """TD3 (passport) zones, 88 characters, with no personal number. Numbers of at most 9 characters."""
    number_field = number.str.pad_end(9, "<")
    birth, expiry = _raw_dates(birth_date), _raw_dates(expiry_date)
    body = pl.DataFrame({
        "number": number_field, "number_digit": check_digit_column(number_field),
        "nationality": nationality.str.pad_end(3, "<"), "birth": birth, "birth_digit": check_digit_column(birth),
        "sex": sex.replace({"X": "<"}), "expiry": expiry, "expiry_digit": check_digit_column(expiry),
    }).select(pl.concat_str(pl.all()).alias("body"), pl.concat_str(
        ["number", "number_digit", "birth", "birth_digit", "expiry", "expiry_digit"]).alias("composite_data"))
    personal = "<" * 15
    composite_data = body["composite_data"].str.slice(0, 17) + body["composite_data"].str.slice(17, 7) + personal
    composite = check_digit_column(composite_data)
    top = document_code.str.pad_end(2, "<") + issuing_state.str.pad_end(3, "<") + _names(
        family_name, given_name, NAME_WIDTH["TD3"])
    return top + body["body"] + personal + composite


def td1_column(*, document_code: pl.Series, issuing_state: pl.Series, family_name: pl.Series,
               given_name: pl.Series, number: pl.Series, nationality: pl.Series, birth_date: pl.Series,
               sex: pl.Series, expiry_date: pl.Series) -> pl.Series:
    """TD1 zones (identity cards, travel permits), 90 characters. Numbers of at most 9 characters."""
    number_field = number.str.pad_end(9, "<")
    birth, expiry = _raw_dates(birth_date), _raw_dates(expiry_date)
    optional, optional_2 = "<" * 15, "<" * 11
    top = (document_code.str.pad_end(2, "<") + issuing_state.str.pad_end(3, "<") + number_field
           + check_digit_column(number_field) + optional)
    middle = (birth + check_digit_column(birth) + sex.replace({"X": "<"}) + expiry + check_digit_column(expiry)
              + nationality.str.pad_end(3, "<") + optional_2)
    composite_data = (top.str.slice(5, 25) + middle.str.slice(0, 7) + middle.str.slice(8, 7)
                      + middle.str.slice(18, 11))
    return top + middle + check_digit_column(composite_data) + _names(family_name, given_name, NAME_WIDTH["TD1"])
