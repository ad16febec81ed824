import polars as pl
import pytest

from longarm.engine.identity import chinese

# Known pinyin → Wade-Giles spellings (apostrophes and umlauts dropped).
WADE_GILES = [
    ("zhang", "chang"), ("xu", "hsu"), ("qian", "chien"), ("zhou", "chou"), ("cai", "tsai"), ("zhu", "chu"),
    ("jiang", "chiang"), ("xie", "hsieh"), ("li", "li"), ("zeng", "tseng"), ("guo", "kuo"), ("si", "ssu"),
    ("zi", "tzu"), ("ri", "jih"), ("rong", "jung"), ("xue", "hsueh"), ("xiong", "hsiung"), ("gui", "kuei"),
    ("yan", "yen"), ("ye", "yeh"), ("yi", "i"), ("er", "erh"), ("zhi", "chih"), ("shi", "shih"), ("ge", "ko"),
    ("he", "ho"), ("luo", "lo"), ("zhuo", "cho"), ("dong", "tung"), ("ze", "tse"), ("cong", "tsung"),
    ("xuan", "hsuan"), ("jun", "chun"), ("lv", "lu"), ("bei", "pei"), ("deng", "teng"), ("gao", "kao"),
]


@pytest.mark.parametrize(("pinyin", "wade_giles"), WADE_GILES)
def test_wade_giles_syllable_matches_the_known_spelling(pinyin, wade_giles):
    assert chinese.wade_giles_syllable(pinyin) == wade_giles


@pytest.mark.parametrize(("word", "expected"), [
    ("MAOZEDONG", "MAOTSETUNG"), ("DENGXIAOPING", "TENGHSIAOPING"), ("ZHOUENLAI", "CHOUENLAI"),
    ("JIANGJIESHI", "CHIANGCHIEHSHIH"), ("LYU", "LU"),
])
def test_wade_giles_of_a_latin_word_written_in_pinyin(word, expected):
    assert chinese.wade_giles(word) == expected


def test_wade_giles_of_a_word_that_is_not_pinyin_is_none():
    assert chinese.wade_giles("SMITH") is None
    assert chinese.wade_giles("HSIAOMING") is None  # already Wade-Giles: hs is no pinyin initial
    assert chinese.wade_giles("") is None


def test_segment_pinyin_splits_given_names_written_as_one_word():
    assert chinese.segment_pinyin("XIAOMING") == ("xiao", "ming")
    assert chinese.segment_pinyin("XIAN") == ("xian",)  # fewest syllables
    assert chinese.segment_pinyin("LYU") == ("lv",)     # passport spelling of lü


@pytest.mark.parametrize(("surname", "readings"), [
    ("曾", ("ZENG", "CENG")), ("单", ("SHAN", "DAN")), ("区", ("OU", "QU")), ("解", ("XIE", "JIE")),
    ("仇", ("QIU", "CHOU")), ("朴", ("PIAO", "PU")),
])
def test_polyphonic_surnames_have_every_reading_with_the_surname_reading_first(surname, readings):
    found = chinese.pinyin_readings(surname + "伟")
    assert [r for r in found if r.endswith("WEI")][0] == readings[0] + "WEI"
    for reading in readings:
        assert reading + "WEI" in found


def test_romanisations_add_wade_giles_forms_of_every_reading():
    found = chinese.romanisations("曾晓明")
    assert {"ZENGXIAOMING", "CENGXIAOMING", "TSENGHSIAOMING"} <= set(found)


def test_compound_surname_is_one_surname():
    assert chinese.split_native_name("欧阳修") == ("欧阳", "修")
    assert chinese.split_native_name("欧阳") == ("欧", "阳")  # two characters: surname and given name
    assert "OUYANGXIU" in chinese.pinyin_readings("欧阳修")


def test_u_umlaut_written_as_on_passports_and_the_other_ways():
    assert {"LYUWEI", "LUWEI", "LVWEI"} <= set(chinese.pinyin_readings("吕伟"))


def test_readings_of_a_long_polyphonic_name_are_capped():
    assert len(chinese.pinyin_readings("单和和和")) <= chinese.NAME_READING_LIMIT * 3


def test_to_simplified_converts_traditional_characters_in_one_batch():
    assert chinese.to_simplified(["張偉", "歐陽修", "王芳"]) == ["张伟", "欧阳修", "王芳"]
    assert chinese.to_simplified([]) == []


def _with_check(first17: str) -> str:
    return first17 + chinese.national_id_check_character(first17)


VALID = _with_check("11010519491231002")  # 11010519491231002X, the GB 11643 example


def test_national_id_check_character_of_the_standard_example():
    assert VALID == "11010519491231002X"
    assert chinese.national_id_is_valid(VALID)
    assert chinese.national_id_is_valid(VALID.lower())


@pytest.mark.parametrize("number", [
    "110105194912310021",   # wrong check character
    "110105491231002",      # 15-digit legacy number: no check character
    "11010519491231002",    # too short
    "1101051949123100AX",   # letters
    "", None,
])
def test_national_id_not_valid(number):
    assert not chinese.national_id_is_valid(number)


def test_national_id_expressions_agree_with_the_function():
    numbers = [VALID, "110105194912310021", "110105491231002", _with_check("44030019800101123"),
               "4403001980010112 3X", "", None]
    frame = pl.DataFrame({"n": numbers}, schema={"n": pl.String})
    valid = frame.select(chinese.national_id_valid_expr("n")).to_series().to_list()
    assert valid == [chinese.national_id_is_valid(n and n.replace(" ", "")) for n in numbers]


def test_national_id_norm_writes_legacy_numbers_in_their_18_character_form():
    frame = pl.DataFrame({"n": ["110105491231002", " 11010519491231002x ", "", "A-12 3"]})
    assert frame.select(chinese.national_id_norm_expr("n")).to_series().to_list() == [
        VALID, VALID, None, "A123"]


def test_split_native_names_expression_agrees_with_the_function():
    names = ["欧阳修", "欧阳", "张伟", "司马光明", "阿卜杜·热合曼", "王"]
    frame = pl.DataFrame({"n": names})
    surname, given = chinese.split_native_names_expr(pl.col("n"))
    found = frame.select(surname.alias("s"), given.alias("g")).rows()
    assert found == [chinese.split_native_name(n) for n in names]


def test_pinyin_syllables_are_toneless_with_u_umlaut_as_v():
    syllables = chinese.pinyin_syllables()
    assert {"zhang", "lv", "lve", "nv", "shuang", "er"} <= syllables
    assert not any(not s.isascii() for s in syllables)
    assert "ng" not in syllables and "m" not in syllables
