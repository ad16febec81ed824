import polars as pl
import pytest

from longarm.engine.normalize import document_number_key, document_number_key_expr, name_key, name_key_expr

NAMES = [
    ("Zhang", "Xiao-Ming", "ZHANGXIAOMING"),
    ("O'Brien", "Seán", "OBRIENSEAN"),
    ("MÜLLER", "Jörg Peter", "MULLERJORGPETER"),
    ("Lü", "Wei", "LUWEI"),
    ("d’Arc", "Jeanne", "DARCJEANNE"),
]


@pytest.mark.parametrize(("family", "given", "expected"), NAMES)
def test_name_key_removes_case_diacritics_spaces_hyphens_apostrophes(family, given, expected):
    assert name_key(family, given) == expected


def test_name_key_expression_agrees_with_the_function():
    frame = pl.DataFrame({"f": [n[0] for n in NAMES], "g": [n[1] for n in NAMES]})
    assert frame.select(name_key_expr("f", "g")).to_series().to_list() == [n[2] for n in NAMES]


def test_document_number_key_in_both_forms():
    numbers = ["e 123-456", "G12345678", "ab-cd ef"]
    expected = ["E123456", "G12345678", "ABCDEF"]
    assert [document_number_key(n) for n in numbers] == expected
    assert pl.DataFrame({"n": numbers}).select(document_number_key_expr("n")).to_series().to_list() == expected
