"""Passport romanisation of the generator's Chinese names."""

from longarm.synth.names import (GIVEN_EITHER, GIVEN_FEMALE, GIVEN_MALE, POLYPHONIC_SURNAMES, SURNAMES, romanise,
                                 traditional, wade_giles)


def test_romanise_writes_toneless_upper_case_pinyin_as_one_word():
    assert romanise("晓明") == "XIAOMING"
    assert romanise("欧阳") == "OUYANG"


def test_romanise_writes_u_umlaut_as_yu_after_l_and_n_as_prc_passports_do():
    assert romanise("吕") == "LYU"
    assert romanise("女") == "NYU"
    assert romanise("绿") == "LYU"
    assert romanise("略") == "LYUE"
    assert romanise("居") == "JU"  # ü after j, q, x, y is written u in pinyin already


def test_polyphonic_surnames_take_their_surname_reading():
    table = {characters: pinyin for characters, pinyin, _ in SURNAMES}
    assert table["曾"] == "ZENG" and romanise("曾") == "CENG"
    assert table["单"] == "SHAN" and table["区"] == "OU" and table["仇"] == "QIU" and table["解"] == "XIE"


def test_every_other_surname_is_romanised_as_pypinyin_reads_it():
    others = [(c, p) for c, p, _ in SURNAMES if c not in POLYPHONIC_SURNAMES]
    assert [(c, p) for c, p in others if romanise(c) != p] == []


def test_name_tables_hold_no_repeated_surname_and_only_chinese_characters():
    characters = [c for c, _, _ in SURNAMES]
    assert len(characters) == len(set(characters))
    for text in characters + list(GIVEN_MALE + GIVEN_FEMALE + GIVEN_EITHER):
        assert all("\u4e00" <= ch <= "\u9fff" for ch in text)


def test_wade_giles_as_republic_of_china_passports_write_it():
    assert wade_giles(("张", "ZHANG"), ["XIAO", "MING"]) == ("CHANG", "HSIAO-MING")
    assert wade_giles(("曾", "ZENG"), ["QI"]) == ("TSENG", "CHI")  # the surname reading, apostrophe dropped
    assert wade_giles(("单", "SHAN"), ["LYU"]) == ("SHAN", "LU")  # ü written U
    assert wade_giles(("诸葛", "ZHUGE"), ["RI", "XIN"]) == ("CHUKO", "JIH-HSIN")


def test_traditional_characters_where_they_differ():
    assert traditional("张晓明") == "張曉明" and traditional("王丽") == "王麗" and traditional("李一") == "李一"
