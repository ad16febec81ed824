"""Chinese names as registries and passports write them: native characters and Hanyu Pinyin.

Romanisation follows PRC passport practice: Hanyu Pinyin without tones,
upper case, the family name as one word and the given name as one word
(张晓明 → ZHANG / XIAOMING, no apostrophe). The letter ü, which pinyin keeps
only after L and N, is written YU as the Ministry of Public Security has
required on passports since 2012 (吕 → LYU, 女 → NYU); ü after J, Q, X, Y
is written U as in ordinary pinyin.

Surnames take their reading as a surname, which for polyphonic characters is
not the everyday one that `pypinyin` picks (曾 ZENG not CENG, 单 SHAN not DAN,
区 OU not QU ...): the table states every surname's romanisation, and
`tests/synth/test_names.py` checks it against `pypinyin` for the others.
Frequencies are approximate shares (per mille) of the population.

Records made by hand do not always follow the practice: an older registry may
hold the Wade-Giles romanisation (张晓明 → CHANG / HSIAO-MING, as on passports
of the Republic of China: apostrophes dropped, ü written U, syllables of the
given name joined by a hyphen) or the name in traditional characters
(張曉明). `wade_giles` and `traditional` write those forms for the officials
registered twice.
"""

from functools import cache

import opencc
from pypinyin import Style, lazy_pinyin
from pypinyin.style import convert

# (characters, romanisation on a passport, approximate share per mille)
SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("王", "WANG", 71.5), ("李", "LI", 72.0), ("张", "ZHANG", 68.5), ("刘", "LIU", 54.0), ("陈", "CHEN", 46.0),
    ("杨", "YANG", 32.0), ("黄", "HUANG", 22.5), ("赵", "ZHAO", 22.0), ("吴", "WU", 20.5), ("周", "ZHOU", 19.0),
    ("徐", "XU", 15.0), ("孙", "SUN", 15.0), ("马", "MA", 14.5), ("朱", "ZHU", 14.0), ("胡", "HU", 13.5),
    ("郭", "GUO", 13.0), ("何", "HE", 12.0), ("林", "LIN", 11.5), ("高", "GAO", 11.0), ("罗", "LUO", 11.0),
    ("郑", "ZHENG", 10.5), ("梁", "LIANG", 10.0), ("谢", "XIE", 8.5), ("宋", "SONG", 8.0), ("唐", "TANG", 8.0),
    ("许", "XU", 7.5), ("邓", "DENG", 7.0), ("韩", "HAN", 7.0), ("冯", "FENG", 7.0), ("曹", "CAO", 6.5),
    ("彭", "PENG", 6.5), ("曾", "ZENG", 6.0), ("肖", "XIAO", 6.0), ("田", "TIAN", 6.0), ("董", "DONG", 5.5),
    ("潘", "PAN", 5.0), ("袁", "YUAN", 5.0), ("蔡", "CAI", 5.0), ("蒋", "JIANG", 5.0), ("余", "YU", 5.0),
    ("于", "YU", 5.0), ("杜", "DU", 4.5), ("叶", "YE", 4.5), ("程", "CHENG", 4.5), ("魏", "WEI", 4.5),
    ("苏", "SU", 4.5), ("吕", "LYU", 4.5), ("丁", "DING", 4.5), ("任", "REN", 4.0), ("卢", "LU", 4.0),
    ("姚", "YAO", 4.0), ("沈", "SHEN", 4.0), ("钟", "ZHONG", 4.0), ("姜", "JIANG", 4.0), ("崔", "CUI", 3.5),
    ("谭", "TAN", 3.5), ("陆", "LU", 3.5), ("范", "FAN", 3.0), ("汪", "WANG", 3.0), ("廖", "LIAO", 3.0),
    ("石", "SHI", 3.0), ("金", "JIN", 3.0), ("韦", "WEI", 3.0), ("贾", "JIA", 3.0), ("夏", "XIA", 3.0),
    ("付", "FU", 3.0), ("方", "FANG", 3.0), ("邹", "ZOU", 2.5), ("熊", "XIONG", 2.5), ("白", "BAI", 2.5),
    ("孟", "MENG", 2.5), ("秦", "QIN", 2.5), ("邱", "QIU", 2.5), ("侯", "HOU", 2.5), ("江", "JIANG", 2.5),
    ("尹", "YIN", 2.5), ("薛", "XUE", 2.0), ("闫", "YAN", 2.0), ("段", "DUAN", 2.0), ("雷", "LEI", 2.0),
    ("龙", "LONG", 2.0), ("黎", "LI", 2.0), ("史", "SHI", 2.0), ("陶", "TAO", 2.0), ("贺", "HE", 2.0),
    ("毛", "MAO", 2.0), ("郝", "HAO", 1.5), ("顾", "GU", 1.5), ("龚", "GONG", 1.5), ("邵", "SHAO", 1.5),
    ("万", "WAN", 1.5), ("覃", "QIN", 1.5), ("武", "WU", 1.5), ("钱", "QIAN", 1.5), ("戴", "DAI", 1.5),
    ("严", "YAN", 1.5), ("莫", "MO", 1.5), ("孔", "KONG", 1.5), ("向", "XIANG", 1.5), ("常", "CHANG", 1.5),
    ("单", "SHAN", 0.5), ("仇", "QIU", 0.2), ("区", "OU", 0.2), ("解", "XIE", 0.3), ("朴", "PIAO", 0.3),
    ("查", "ZHA", 0.2), ("盖", "GE", 0.1), ("翟", "ZHAI", 0.5), ("缪", "MIAO", 0.2), ("聂", "NIE", 1.0),
    ("欧阳", "OUYANG", 0.5), ("司马", "SIMA", 0.1), ("诸葛", "ZHUGE", 0.05), ("上官", "SHANGGUAN", 0.05),
    ("尉迟", "YUCHI", 0.02), ("万俟", "MOQI", 0.01), ("女", "NYU", 0.01), ("闾丘", "LYUQIU", 0.01),
)
# Surnames whose surname reading differs from pypinyin's everyday reading.
POLYPHONIC_SURNAMES = frozenset({"曾", "单", "仇", "区", "解", "朴", "查", "盖", "覃", "翟", "缪", "尉迟", "万俟"})

# Characters of given names: usual for men, usual for women, and used for both.
GIVEN_MALE = "伟强军磊勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林欢阳建国庆峰亮志成东海"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英慧玲婷雪琳晶燕红梅莉兰凤洁琴云莲倩颖月萍蕾薇菲怡"
GIVEN_EITHER = "晓文小佳嘉子思雨欣一春新永金世德振子立红晨天"

# Names of foreign travellers among the public (romanised as in their passports).
FOREIGN_FAMILY = ("SMITH", "JOHNSON", "MUELLER", "SCHMIDT", "MARTIN", "BERNARD", "ROSSI", "GARCIA", "TANAKA",
                  "SUZUKI", "KIM", "PARK", "NGUYEN", "TRAN", "SINGH", "KUMAR", "IVANOV", "SILVA", "BROWN",
                  "WILSON", "TAYLOR", "LEE", "TAN", "ONG", "SUTHERLAND", "DUBOIS", "KOWALSKI", "JANSEN")
FOREIGN_GIVEN_MALE = ("JOHN", "DAVID", "MICHAEL", "THOMAS", "HIROSHI", "MINHO", "ANDREI", "JOSE", "PETER",
                      "LUCA", "RAHUL", "JAMES", "PIERRE", "HANS")
FOREIGN_GIVEN_FEMALE = ("MARY", "ANNA", "SARAH", "YUKI", "JIYEON", "OLGA", "MARIA", "LAURA", "PRIYA", "EMMA",
                        "SOPHIE", "LINH", "CLAIRE", "JULIA")


def romanise(characters: str) -> str:
    """Passport romanisation of characters: toneless pinyin, upper case, one word, ü as YU after L and N."""
    syllables = lazy_pinyin(characters, style=Style.NORMAL, v_to_u=False)
    return "".join(s.replace("v", "yu") for s in syllables).upper()


@cache
def given_characters(sex: str) -> tuple[tuple[str, str], ...]:
    """(character, romanisation) of the given-name characters drawn for a sex (`M` or `F`)."""
    pool = (GIVEN_MALE if sex == "M" else GIVEN_FEMALE) + GIVEN_EITHER
    unique = tuple(dict.fromkeys(pool))
    return tuple((ch, romanise(ch)) for ch in unique)


def wade_giles_syllable(syllable: str) -> str:
    """One toneless pinyin syllable (ü as `v` or as YU after L and N) in Wade-Giles as passports write it."""
    syllable = syllable.lower()
    if syllable in ("lyu", "nyu"):
        syllable = syllable[0] + "v"
    return convert(syllable, Style.WADEGILES, strict=True).replace("'", "").replace("v", "u").upper()


def surname_syllables(characters: str, romanisation: str) -> list[str]:
    """The pinyin syllables of a surname in its surname reading (the table's for one character)."""
    if len(characters) == 1:
        return [romanisation.lower()]
    return lazy_pinyin(characters, style=Style.NORMAL, v_to_u=False)


def wade_giles(surname: tuple[str, str], given_syllables: list[str]) -> tuple[str, str]:
    """(family name, given name) in Wade-Giles: CHANG / HSIAO-MING for ("张", "ZHANG") and [XIAO, MING]."""
    family = "".join(wade_giles_syllable(s) for s in surname_syllables(*surname))
    return family, "-".join(wade_giles_syllable(s) for s in given_syllables)


@cache
def _to_traditional() -> opencc.OpenCC:
    return opencc.OpenCC("s2t")


def traditional(characters: str) -> str:
    """Simplified characters in traditional form (OpenCC s2t); characters without one stay as they are."""
    return _to_traditional().convert(characters)
