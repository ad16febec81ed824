"""ICAO Doc 9303 zones: the specimen documents of Parts 4, 5 and 6, and corrupted variants of them."""

import datetime

import pytest

from longarm.documents.mrz import (
    MrzProblem, check_digit, mrz_compare, mrz_parse, mrz_td1, mrz_td2, mrz_td3, state_code_to_iso,
)

REFERENCE = datetime.date(2026, 10, 31)
TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1 = ("I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6", "ERIKSSON<<ANNA<MARIA<<<<<<<<<<")
TD2 = ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
# Part 5's example of a document number longer than nine characters.
TD1_LONG_NUMBER = ("I<UTOD23145890<7349<<<<<<<<<<<", "3407127M9507122UTO<<<<<<<<<<<2",
                   "STEVENSON<<PETER<JOHN<<<<<<<<<")

# (specimen, position of a check digit in the concatenated zone, field whose check must fail)
CHECK_DIGITS = [
    (TD3, 44 + 9, "document_number"), (TD3, 44 + 19, "date_of_birth"), (TD3, 44 + 27, "date_of_expiry"),
    (TD3, 44 + 42, "optional_data"), (TD3, 44 + 43, "composite"),
    (TD1, 14, "document_number"), (TD1, 30 + 6, "date_of_birth"), (TD1, 30 + 14, "date_of_expiry"),
    (TD1, 30 + 29, "composite"),
    (TD2, 36 + 9, "document_number"), (TD2, 36 + 19, "date_of_birth"), (TD2, 36 + 27, "date_of_expiry"),
    (TD2, 36 + 35, "composite"),
    (TD1_LONG_NUMBER, 18, "document_number"),
]


def corrupt(lines: tuple[str, ...], position: int) -> str:
    zone = "".join(lines)
    wrong = str((int(zone[position]) + 1) % 10)
    return zone[:position] + wrong + zone[position + 1:]


@pytest.mark.parametrize("lines", [TD3, TD1, TD2, TD1_LONG_NUMBER], ids=["TD3", "TD1", "TD2", "TD1-long-number"])
def test_mrz_parse_accepts_the_icao_specimens_as_lines_and_concatenated(lines):
    assert mrz_parse(lines, reference_date=REFERENCE).valid
    assert mrz_parse("".join(lines), reference_date=REFERENCE).valid
    assert mrz_parse("\n".join(lines), reference_date=REFERENCE).valid


@pytest.mark.parametrize("lines,kind", [(TD3, "TD3"), (TD1, "TD1"), (TD2, "TD2")])
def test_mrz_parse_extracts_the_fields_of_the_specimens(lines, kind):
    parsed = mrz_parse(lines, reference_date=REFERENCE)
    assert parsed.format == kind
    assert (parsed.family_name, parsed.given_name) == ("ERIKSSON", "ANNA MARIA")
    assert parsed.issuing_state == "UTO" and parsed.nationality == "UTO"
    assert parsed.issuing_country is None  # Utopia is ICAO's fiction, no ISO country
    assert parsed.birth_date == datetime.date(1974, 8, 12)
    assert parsed.expiry_date == datetime.date(2012, 4, 15)
    assert parsed.sex == "F"
    assert parsed.document_number == ("L898902C3" if kind == "TD3" else "D23145890")
    assert parsed.document_code == ("P" if kind == "TD3" else "I")
    if kind == "TD3":
        assert parsed.optional_data == "ZE184226B"


def test_mrz_parse_joins_a_long_td1_document_number_from_the_optional_data():
    parsed = mrz_parse(TD1_LONG_NUMBER, reference_date=REFERENCE)
    assert parsed.document_number == "D23145890734"
    assert parsed.optional_data == ""


@pytest.mark.parametrize("lines,position,field", CHECK_DIGITS,
                         ids=[f"{len(''.join(c[0]))}-{c[2]}-{c[1]}" for c in CHECK_DIGITS])
def test_mrz_parse_reports_each_corrupted_check_digit_on_its_field(lines, position, field):
    parsed = mrz_parse(corrupt(lines, position), reference_date=REFERENCE)
    failing = {problem.field for problem in parsed.problems}
    assert field in failing
    problem = next(p for p in parsed.problems if p.field == field)
    assert problem.message == "check digit fails"
    assert problem.found != problem.expected


@pytest.mark.parametrize("lines,position", [(TD3, 44 + 1), (TD3, 44 + 15), (TD1, 30 + 3), (TD2, 36 + 24)])
def test_mrz_parse_catches_a_changed_character_through_the_check_digits(lines, position):
    zone = "".join(lines)
    zone = zone[:position] + ("7" if zone[position] != "7" else "6") + zone[position + 1:]
    assert not mrz_parse(zone, reference_date=REFERENCE).valid


def test_check_digit_follows_the_7_3_1_weights_with_letters_and_filler():
    assert check_digit("L898902C3") == "6"
    assert check_digit("740812") == "2"
    assert check_digit("<<<") == "0"
    assert check_digit("A") == "0"  # 10 * 7 = 70


def test_mrz_parse_accepts_zero_or_filler_as_the_check_digit_of_an_empty_personal_number():
    zone = mrz_td3(issuing_state="CHN", family_name="LI", given_name="NA", number="E00000001", nationality="CHN",
                   birth_date=datetime.date(1980, 1, 1), sex="F", expiry_date=datetime.date(2030, 1, 1))
    assert zone[86] == "<"
    with_zero = zone[:86] + "0" + zone[87:]
    assert mrz_parse(with_zero, reference_date=REFERENCE).valid


@pytest.mark.parametrize("code,iso", [("D", "DEU"), ("GBD", "GBR"), ("GBN", "GBR"), ("GBO", "GBR"),
                                      ("GBP", "GBR"), ("GBS", "GBR"), ("CHN", "CHN"), ("UNO", None),
                                      ("XXA", None), ("XXB", None), ("XXX", None), ("EUE", None), ("RKS", None)])
def test_state_code_to_iso_maps_icao_only_codes(code, iso):
    assert state_code_to_iso(code) == iso


def test_mrz_parse_accepts_d_for_germany_and_reports_an_unknown_state():
    zone = "".join(TD3).replace("UTO", "D<<")
    zone = zone[:-1] + check_digit(zone[44:54] + zone[57:64] + zone[65:87])
    parsed = mrz_parse(zone, reference_date=REFERENCE)
    assert parsed.valid and parsed.issuing_country == "DEU" and parsed.nationality_country == "DEU"
    unknown = mrz_parse("".join(TD3).replace("P<UTO", "P<QQQ"), reference_date=REFERENCE)
    assert [p.field for p in unknown.problems] == ["issuing_state"]


def test_mrz_parse_reports_wrong_length_and_characters():
    assert mrz_parse("P<UTO", reference_date=REFERENCE).problems[0].field == "mrz"
    lower = "".join(TD3).lower()
    assert mrz_parse(lower, reference_date=REFERENCE).problems[0].message.startswith("holds characters")


def test_mrz_parse_reports_an_impossible_date_and_a_bad_sex():
    zone = "".join(TD3)
    bad_month = zone[:44 + 13] + "741312" + check_digit("741312") + zone[44 + 20:]
    assert "date_of_birth" in {p.field for p in mrz_parse(bad_month, reference_date=REFERENCE).problems}
    bad_sex = zone[:44 + 20] + "Q" + zone[44 + 21:]
    assert "sex" in {p.field for p in mrz_parse(bad_sex, reference_date=REFERENCE).problems}


def test_two_digit_birth_years_are_never_in_the_future_and_expiry_years_within_fifty_years():
    zone = mrz_td3(issuing_state="CHN", family_name="WANG", given_name="FANG", number="E1", nationality="CHN",
                   birth_date=datetime.date(2020, 3, 1), sex="F", expiry_date=datetime.date(2070, 3, 1))
    parsed = mrz_parse(zone, reference_date=REFERENCE)
    assert parsed.birth_date == datetime.date(2020, 3, 1)
    assert parsed.expiry_date == datetime.date(2070, 3, 1)
    assert mrz_parse(zone, reference_date=datetime.date(2019, 1, 1)).birth_date == datetime.date(1920, 3, 1)
    assert mrz_parse(TD1_LONG_NUMBER, reference_date=REFERENCE).expiry_date == datetime.date(1995, 7, 12)


BIRTH, EXPIRY = datetime.date(1968, 2, 29), datetime.date(2031, 12, 31)
HOLDER = dict(family_name="Zeng", given_name="Xiaolyu", date_of_birth=BIRTH, sex="M")


@pytest.mark.parametrize("generate,number,kind", [(mrz_td3, "E12345678", "TD3"), (mrz_td2, "C1234567", "TD2"),
                                                  (mrz_td1, "CS1234567", "TD1"), (mrz_td1, "CS12345678901", "TD1"),
                                                  (mrz_td2, "CS12345678901", "TD2")])
def test_generated_zones_are_valid_and_agree_with_what_they_were_made_from(generate, number, kind):
    zone = generate(issuing_state="CHN", family_name="Zeng", given_name="Xiaolyu", number=number,
                    nationality="CHN", birth_date=BIRTH, sex="M", expiry_date=EXPIRY)
    parsed = mrz_parse(zone, reference_date=REFERENCE)
    assert parsed.valid, parsed.problems
    assert parsed.format == kind and parsed.document_number == number
    assert (parsed.family_name, parsed.given_name) == ("ZENG", "XIAOLYU")
    assert mrz_compare(parsed, number=number, issuing_state="CHN", expires_on=EXPIRY, **HOLDER) == ()


def test_generators_write_germany_as_d():
    zone = mrz_td3(issuing_state="DEU", family_name="Müller", given_name="Jürgen", number="C01X00T47",
                   nationality="DEU", birth_date=BIRTH, sex="M", expiry_date=EXPIRY)
    assert zone.startswith("P<D<<MUELLER<<JUERGEN<")
    parsed = mrz_parse(zone, reference_date=REFERENCE)
    assert mrz_compare(parsed, issuing_state="DEU", family_name="Müller", given_name="Jürgen") == ()
    # Part 3 also allows plain removal of the diacritic.
    plain = zone.replace("MUELLER<<JUERGEN<<", "MULLER<<JURGEN<<<<")
    assert mrz_compare(mrz_parse(plain, reference_date=REFERENCE), family_name="Müller", given_name="Jürgen") == ()


def test_mrz_compare_lists_every_disagreement_with_the_registry_field_by_field():
    parsed = mrz_parse(TD3, reference_date=REFERENCE)
    problems = mrz_compare(parsed, number="L898902C4", issuing_state="CHN", expires_on=datetime.date(2012, 4, 16),
                           date_of_birth=datetime.date(1974, 8, 13), sex="M", family_name="ERIKSON",
                           given_name="ANNA MARIA")
    assert [p.field for p in problems] == ["document_number", "issuing_state", "date_of_expiry", "date_of_birth",
                                           "sex", "names"]
    assert problems[0] == MrzProblem("document_number", "differs from the registry", expected="L898902C4",
                                     found="L898902C3")
    assert mrz_compare(parsed, number="l898-902 c3", issuing_state="UTO", expires_on=datetime.date(2012, 4, 15),
                       date_of_birth=datetime.date(1974, 8, 12), sex="F", family_name="Eriksson",
                       given_name="Anna Maria") == ()


def test_mrz_compare_allows_the_issuers_truncation_of_a_long_name():
    family, given = "Ouyang Zhangsun", "Mingyuexiaoxiao Tianxiangzhi"
    zone = mrz_td1(issuing_state="CHN", family_name=family, given_name=given, number="CS1", nationality="CHN",
                   birth_date=BIRTH, sex="F", expiry_date=EXPIRY)
    parsed = mrz_parse(zone, reference_date=REFERENCE)
    assert parsed.names_field == "OUYANG<ZHANGSUN<<MINGYUEXIAOXI"
    assert mrz_compare(parsed, family_name=family, given_name=given) == ()
    initials = zone[:60] + "OUYANG<ZHANGSUN<<M<T".ljust(30, "<")
    assert mrz_compare(mrz_parse(initials, reference_date=REFERENCE), family_name=family, given_name=given) == ()
    other = zone[:60] + "OUYANG<ZHANGSUN<<MINGYUEXIAOXA"
    assert [p.field for p in mrz_compare(mrz_parse(other, reference_date=REFERENCE), family_name=family,
                                         given_name=given)] == ["names"]


def test_mrz_compare_treats_filler_sex_as_unspecified():
    zone = mrz_td3(issuing_state="CHN", family_name="LI", given_name="NA", number="E1", nationality="CHN",
                   birth_date=BIRTH, sex="X", expiry_date=EXPIRY)
    parsed = mrz_parse(zone, reference_date=REFERENCE)
    assert parsed.sex == "X" and mrz_compare(parsed, sex="X") == ()
    assert [p.field for p in mrz_compare(parsed, sex="F")] == ["sex"]
