"""The vectorised INVALID_MRZ check agrees with the one ICAO 9303 parser, row for row."""

import datetime

import polars as pl
import pytest

from longarm.documents.mrz import mrz_compare, mrz_parse, mrz_td1, mrz_td2, mrz_td3
from longarm.engine import mrz_checks
from longarm.engine.mrz_checks import mrz_problems

BIRTH, EXPIRY = datetime.date(1971, 9, 30), datetime.date(2031, 10, 7)
OFFICIALS = pl.DataFrame({
    "official_id": ["O1", "O2", "O3"],
    "family_name": ["ZHANG", "Müller", "OUYANG ZHANGSUN"],
    "given_name": ["XIAOMING", "Jürgen", "MINGYUEXIAOXIAO TIANXIANG"],
    "date_of_birth": [BIRTH, BIRTH, BIRTH],
    "sex": ["M", "M", "F"],
})
HOLDERS = {row["official_id"]: row for row in OFFICIALS.iter_rows(named=True)}


def zone_for(generate, official_id: str, number: str) -> str:
    holder = HOLDERS[official_id]
    return generate(issuing_state="CHN", family_name=holder["family_name"], given_name=holder["given_name"],
                    number=number, nationality="CHN", birth_date=BIRTH, sex=holder["sex"], expiry_date=EXPIRY)


def scalar_fails(row: dict, holders: dict = HOLDERS) -> bool:
    """What `longarm.documents.mrz` alone says about a document row."""
    row = {**BASE, **row}
    holder = holders.get(row["official_id"])
    parsed = mrz_parse(row["mrz"])
    extra = {} if holder is None else dict(date_of_birth=holder["date_of_birth"], sex=holder["sex"],
                                           family_name=holder["family_name"], given_name=holder["given_name"])
    return bool(parsed.problems or mrz_compare(parsed, number=row["number"], issuing_state=row["issuing_state"],
                                               expires_on=row["expires_on"], **extra))


BASE = {"doc_type": "passport", "issuing_state": "CHN", "expires_on": EXPIRY}


def documents(rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame([{**BASE, **row} for row in rows], schema={
        "document_id": pl.String, "official_id": pl.String, "doc_type": pl.String, "number": pl.String,
        "issuing_state": pl.String, "expires_on": pl.Date, "mrz": pl.String})


VALID = [
    dict(official_id="O1", number="E12345678", mrz=zone_for(mrz_td3, "O1", "E12345678")),
    dict(official_id="O1", number="C1234567", mrz=zone_for(mrz_td2, "O1", "C1234567")),
    dict(official_id="O1", number="CS1234567", mrz=zone_for(mrz_td1, "O1", "CS1234567")),
    dict(official_id="O2", number="C01X00T47", mrz=zone_for(mrz_td3, "O2", "C01X00T47")),
    dict(official_id="O3", number="CS123456789012", mrz=zone_for(mrz_td1, "O3", "CS123456789012")),
    dict(official_id="O3", number="E 1234-5678", mrz=zone_for(mrz_td3, "O3", "E12345678")),
]


def test_mrz_problems_passes_valid_zones_including_long_numbers_truncated_and_transliterated_names():
    frame = documents([{**row, "document_id": f"D{i}"} for i, row in enumerate(VALID)])
    assert mrz_problems(frame, OFFICIALS).height == 0


def test_the_vectorised_pre_check_passes_plain_valid_zones_without_the_parser():
    plain = [VALID[0], VALID[1], VALID[2]]
    frame = documents([{**row, "document_id": f"D{i}"} for i, row in enumerate(plain)])
    view = mrz_checks._registry_view(frame, OFFICIALS)
    assert mrz_checks._vectorised_pass(view).to_list() == [True, True, True]


def test_mrz_problems_skips_documents_without_mrz():
    frame = documents([dict(document_id="D1", official_id="O1", number="E1", mrz=""),
                       dict(document_id="D2", official_id="O1", number="E1", mrz=None)])
    assert mrz_problems(frame, OFFICIALS).height == 0


@pytest.mark.parametrize("valid", range(3), ids=["TD3", "TD2", "TD1"])
def test_mrz_problems_agrees_with_the_parser_on_every_single_character_corruption(valid):
    row = VALID[valid]
    rows = []
    for position, char in enumerate(row["mrz"]):
        for replacement in {"<", "0", "7", "A", "Z"} - {char}:
            zone = row["mrz"][:position] + replacement + row["mrz"][position + 1:]
            rows.append({**row, "document_id": f"D{position:03d}{replacement}", "mrz": zone})
    frame = documents(rows)
    flagged = set(mrz_problems(frame, OFFICIALS)["document_id"])
    expected = {r["document_id"] for r in rows if scalar_fails(r)}
    assert flagged == expected
    assert len(expected) > len(rows) // 2


def test_mrz_problems_reports_disagreements_with_the_registry_in_words():
    zone = VALID[0]["mrz"]
    frame = documents([
        dict(document_id="N", official_id="O1", number="E12345679", mrz=zone),
        dict(document_id="S", official_id="O1", number="E12345678", issuing_state="HKG", mrz=zone),
        dict(document_id="E", official_id="O1", number="E12345678", expires_on=datetime.date(2031, 10, 8), mrz=zone),
        dict(document_id="B", official_id="O2", number="E12345678", mrz=zone),
        dict(document_id="C", official_id="O1", number="E12345678", mrz=zone[:-1] + "0"),
        dict(document_id="L", official_id="O1", number="E12345678", mrz=zone[:80]),
    ])
    problems = dict(mrz_problems(frame, OFFICIALS).iter_rows())
    assert problems["N"] == "document_number: differs from the registry (expected E12345679, found E12345678)"
    assert problems["S"].startswith("issuing_state: differs from the registry")
    assert problems["E"].startswith("date_of_expiry: differs from the registry (expected 311008")
    assert problems["B"] == "names: differ from the holder's (expected MUELLER<<JUERGEN, found ZHANG<<XIAOMING)"
    assert "composite: check digit fails" in problems["C"]
    assert problems["L"].startswith("mrz: length")
    assert sorted(problems) == ["B", "C", "E", "L", "N", "S"]


def test_mrz_problems_checks_dates_sex_and_names_of_every_holder_in_a_mixed_frame():
    variants = []
    for i, row in enumerate(VALID * 3):
        variants.append({**row, "document_id": f"V{i}"})
    officials = OFFICIALS.with_columns(
        pl.when(pl.col("official_id") == "O1").then(pl.lit("F")).otherwise(pl.col("sex")).alias("sex"),
        pl.col("date_of_birth").cast(pl.String),
    )
    frame = documents(variants)
    flagged = set(mrz_problems(frame, officials)["document_id"])
    holders = {r["official_id"]: {**r, "date_of_birth": BIRTH} for r in officials.iter_rows(named=True)}
    expected = {r["document_id"] for r in variants if scalar_fails(r, holders)}
    assert flagged == expected == {r["document_id"] for r in variants if r["official_id"] == "O1"}


def test_mrz_problems_checks_only_the_zone_of_a_document_whose_holder_is_unknown():
    frame = documents([dict(document_id="D1", official_id="O9", number="E12345678", mrz=VALID[0]["mrz"])])
    assert mrz_problems(frame, OFFICIALS).height == 0
