"""The generator's column-wise zones equal the one-at-a-time zones of `longarm.documents.mrz`."""

import datetime

import polars as pl

from longarm.documents.mrz import mrz_parse, mrz_td1, mrz_td3
from longarm.synth.mrz_columns import td1_column, td3_column

ROWS = [
    dict(document_code="P", issuing_state="CHN", family_name="ZHANG", given_name="XIAOMING", number="E12345678",
         nationality="CHN", birth_date=datetime.date(1970, 5, 17), sex="M", expiry_date=datetime.date(2030, 1, 2)),
    dict(document_code="PS", issuing_state="CHN", family_name="SHANGGUAN", given_name="MINGYUEXIAOXIAO",
         number="S1", nationality="CHN", birth_date=datetime.date(2001, 2, 28), sex="F",
         expiry_date=datetime.date(2029, 12, 31)),
    dict(document_code="CS", issuing_state="CHN", family_name="LYU", given_name="XIAO MING", number="C00000000",
         nationality="CHN", birth_date=datetime.date(1949, 10, 1), sex="X", expiry_date=datetime.date(2035, 6, 30)),
]


def rows_with(codes: list[str]) -> list[dict]:
    return [{**row, "document_code": code} for row, code in zip(ROWS, codes)]


def columns(rows: list[dict]) -> dict[str, pl.Series]:
    return {name: pl.Series([row[name] for row in rows]) for name in rows[0]}


def test_td3_column_equals_mrz_td3_and_is_valid():
    rows = rows_with(["P", "PS", "PD"])
    zones = td3_column(**columns(rows)).to_list()
    assert zones == [mrz_td3(**row) for row in rows]
    assert all(mrz_parse(zone).valid for zone in zones)


def test_td1_column_equals_mrz_td1_and_is_valid():
    rows = rows_with(["CS", "I", "C"])
    zones = td1_column(**columns(rows)).to_list()
    assert zones == [mrz_td1(**row) for row in rows]
    assert all(mrz_parse(zone).valid for zone in zones)
