"""Chinese names and identity numbers as the comparisons need them.

- Romanisations of a native-script name: Hanyu Pinyin with every reading of a
  polyphonic character (曾 is ZENG as a surname and CENG elsewhere; a registry
  clerk or a passport office may have written either), the surname readings
  first, and the older Wade-Giles spelling of each (ZHANG → CHANG, XU → HSU).
- Simplified characters of a name written in traditional ones (張偉 → 张伟), so
  that the two scripts of one name compare equal.
- Wade-Giles spelling of a Latin name written in pinyin, by syllable.
- Resident identity numbers (GB 11643): the ISO 7064 MOD 11-2 check character.

Everything here works on one value; `features.py` calls it once per unique
value and joins the results back, never once per record.
"""

import unicodedata
from collections.abc import Iterable, Sequence
from functools import cache
from itertools import product

import polars as pl
from opencc import OpenCC
from pypinyin import Style, pinyin
from pypinyin.pinyin_dict import pinyin_dict

# Compound surnames (two characters), so that the given name starts after them.
COMPOUND_SURNAMES: dict[str, tuple[str, ...]] = {
    "欧阳": ("ouyang",), "司马": ("sima",), "诸葛": ("zhuge",), "上官": ("shangguan",), "尉迟": ("yuchi", "weichi"),
    "万俟": ("moqi", "wanqi"), "闾丘": ("lvqiu",), "东方": ("dongfang",), "皇甫": ("huangfu",), "令狐": ("linghu",),
    "公孙": ("gongsun",), "慕容": ("murong",), "长孙": ("zhangsun", "changsun"), "宇文": ("yuwen",), "司徒": ("situ",),
    "司空": ("sikong",), "夏侯": ("xiahou",), "轩辕": ("xuanyuan",), "端木": ("duanmu",), "西门": ("ximen",),
    "南宫": ("nangong",), "独孤": ("dugu",), "呼延": ("huyan",), "澹台": ("tantai",), "公冶": ("gongye",),
    "宗政": ("zongzheng",), "濮阳": ("puyang",), "淳于": ("chunyu",), "单于": ("chanyu", "shanyu"), "太叔": ("taishu",),
    "申屠": ("shentu",), "钟离": ("zhongli",), "鲜于": ("xianyu",), "赫连": ("helian",), "拓跋": ("tuoba",),
    "百里": ("baili",), "东郭": ("dongguo",), "第五": ("diwu",), "闻人": ("wenren",), "公羊": ("gongyang",),
}
# Single-character surnames whose reading as a surname is not (or not only) the
# everyday one: the surname reading comes first, the dictionary's readings follow.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "曾": ("zeng",), "单": ("shan",), "仇": ("qiu",), "区": ("ou",), "解": ("xie",), "朴": ("piao",),
    "查": ("zha",), "盖": ("ge",), "覃": ("qin",), "翟": ("zhai",), "缪": ("miao",), "乐": ("yue", "le"),
    "员": ("yun",), "召": ("shao",), "种": ("chong",), "秘": ("bi",), "冼": ("xian",), "尉": ("wei", "yu"),
    "柏": ("bai",), "繁": ("po",), "句": ("gou",), "隗": ("wei",), "华": ("hua",), "藏": ("zang",),
    "长": ("chang",), "重": ("chong",), "沈": ("shen",), "祭": ("zhai",), "车": ("che",), "过": ("guo",),
}

SURNAME_READING_LIMIT = 4  # readings kept for one surname
GIVEN_CHARACTER_READING_LIMIT = 3  # readings kept for one character of a given name
NAME_READING_LIMIT = 16  # pinyin romanisations kept for one full name (before Wade-Giles forms)

_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c",
             "s", "y", "w")
_WG_INITIAL = {"b": "p", "d": "t", "g": "k", "zh": "ch", "j": "ch", "q": "ch", "x": "hs", "r": "j", "z": "ts",
               "c": "ts"}
_WG_WHOLE = {
    "zi": "tzu", "ci": "tzu", "si": "ssu", "zhi": "chih", "chi": "chih", "shi": "shih", "ri": "jih", "er": "erh",
    "yi": "i", "you": "yu", "yan": "yen", "ye": "yeh", "yong": "yung", "yue": "yueh", "e": "o", "ge": "ko",
    "ke": "ko", "he": "ho", "guo": "kuo", "kuo": "kuo", "huo": "huo", "shuo": "shuo", "gui": "kuei", "kui": "kuei",
    "lve": "lueh", "nve": "nueh", "lue": "lueh", "nue": "nueh", "lv": "lu", "nv": "nu",
}
_WG_FINAL = {"ong": "ung", "iong": "iung", "ian": "ien", "ie": "ieh", "uo": "o", "ue": "ueh", "ve": "ueh", "v": "u"}

_TO_SIMPLIFIED = OpenCC("t2s")


@cache
def pinyin_syllables() -> frozenset[str]:
    """Every toneless pinyin syllable of the dictionary (ü as `v`), without the bare nasals (m, n, ng, hm)."""
    readings = {r for value in pinyin_dict.values() for r in value.split(",")}
    syllables = set()
    for reading in readings:
        syllable = _toneless(reading)
        if syllable.isascii() and syllable.isalpha() and any(v in syllable for v in "aeiouv"):
            syllables.add(syllable)
    return frozenset(syllables | {"lv", "nv", "lve", "nve"})


def _toneless(reading: str) -> str:
    """A pinyin reading without tone marks, ü written v (lǚ → lv)."""
    text = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@cache
def wade_giles_syllable(syllable: str) -> str:
    """Wade-Giles spelling of one toneless pinyin syllable, without apostrophes or diacritics (zhang → chang)."""
    syllable = syllable.lower()
    if syllable in _WG_WHOLE:
        return _WG_WHOLE[syllable]
    initial = next((i for i in _INITIALS if syllable.startswith(i) and len(syllable) > len(i)), "")
    final = syllable[len(initial):]
    if initial in ("j", "q", "x") and final.startswith("u"):
        final = "v" + final[1:]  # ü written u after j, q, x
    final = _WG_FINAL.get(final, final.replace("v", "u"))
    return _WG_INITIAL.get(initial, initial) + final


def segment_pinyin(word: str) -> tuple[str, ...] | None:
    """Split a Latin word written in pinyin into syllables (XIAOMING → xiao, ming), or None if it is not pinyin.

    Fewest syllables win; among those, fewer syllables starting with a vowel (FANGE → fang, e is
    less likely than fan, ge). Passport spellings LYU and NYU are read as lü and nü.
    """
    word = word.lower()
    if not word or not word.isascii() or not word.isalpha():
        return None
    syllables = pinyin_syllables()
    n = len(word)
    best: list[tuple[int, tuple[str, ...]] | None] = [None] * (n + 1)
    best[0] = (0, ())
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            if best[start] is None:
                continue
            piece = word[start:end]
            if piece in ("lyu", "nyu", "lyue", "nyue"):
                piece, penalty = piece.replace("yu", "v"), 12
            elif piece in syllables:
                penalty = 10 + (piece[0] in "aeo")
            else:
                continue
            cost = best[start][0] + penalty
            if best[end] is None or cost < best[end][0]:
                best[end] = (cost, best[start][1] + (piece,))
    return best[n][1] if best[n] is not None else None


def wade_giles(word: str) -> str | None:
    """Wade-Giles spelling (upper case, no apostrophes) of a Latin word written in pinyin, or None if not pinyin."""
    syllables = segment_pinyin(word)
    if syllables is None:
        return None
    return "".join(wade_giles_syllable(s) for s in syllables).upper()


def to_simplified(names: Sequence[str]) -> list[str]:
    """Simplified-character forms of names (張偉 → 张伟), converted in one OpenCC call."""
    if not names:
        return []
    text = "\n".join(n.replace("\n", " ") for n in names)
    converted = _TO_SIMPLIFIED.convert(text).split("\n")
    if len(converted) != len(names):  # never expected: t2s maps characters one to one
        return [_TO_SIMPLIFIED.convert(n) for n in names]
    return converted


@cache
def character_readings(character: str) -> tuple[str, ...]:
    """Toneless pinyin readings of one character, most common first (ü as `v`)."""
    readings = pinyin(character, style=Style.NORMAL, heteronym=True, errors="ignore")
    return tuple(dict.fromkeys(r for r in (readings[0] if readings else ()) if r.isascii() and r.isalpha()))


def split_native_name(native: str) -> tuple[str, str]:
    """(surname, given name) of a name in simplified characters: a known compound surname, or the first character."""
    han = "".join(ch for ch in native if _is_han(ch))
    if len(han) >= 3 and han[:2] in COMPOUND_SURNAMES:
        return han[:2], han[2:]
    return han[:1], han[1:]


def split_native_names_expr(native: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """`split_native_name` as Polars expressions (surname, given name), for columns of names."""
    han = native.str.replace_all(r"[^\p{Han}]", "")
    compound = (han.str.len_chars() >= 3) & han.str.slice(0, 2).is_in(list(COMPOUND_SURNAMES))
    length = pl.when(compound).then(2).otherwise(1)
    return han.str.slice(0, length), han.str.slice(length)


@cache
def surname_readings(surname: str) -> tuple[tuple[str, ...], ...]:
    """Readings of a surname as syllable tuples: the surname reading(s) first, then every dictionary reading."""
    if surname in COMPOUND_SURNAMES:
        first = [_split_known(r, len(surname)) for r in COMPOUND_SURNAMES[surname]]
        rest = list(product(*(character_readings(ch)[:2] for ch in surname)))
        return tuple(dict.fromkeys(first + rest))[:SURNAME_READING_LIMIT]
    if not surname:
        return ((),)
    readings = SURNAME_READINGS.get(surname, ()) + character_readings(surname)
    return tuple((r,) for r in dict.fromkeys(readings))[:SURNAME_READING_LIMIT] or ((),)


@cache
def given_readings(given: str) -> tuple[tuple[str, ...], ...]:
    """Readings of a given name as syllable tuples, the most common reading of each character first."""
    per_character = [character_readings(ch)[:GIVEN_CHARACTER_READING_LIMIT] or ("",) for ch in given]
    out = []
    for combination in product(*per_character):
        out.append(tuple(s for s in combination if s))
        if len(out) >= NAME_READING_LIMIT:
            break
    return tuple(out) or ((),)


def pinyin_readings(native: str) -> list[str]:
    """Pinyin romanisations of a native name as registries write them: surname then given name, one word,
    upper case, ü written YU (passports since 2012), U and V. Expects simplified characters."""
    surname, given = split_native_name(native)
    if not surname:
        return []
    return list(dict.fromkeys(s + g for s, g in product(part_forms(surname, True)[0], part_forms(given, False)[0])))


def romanisations(native: str) -> list[str]:
    """Pinyin readings of a native name (see `pinyin_readings`) and the Wade-Giles form of each."""
    surname, given = split_native_name(native)
    if not surname:
        return []
    (sp, sw), (gp, gw) = part_forms(surname, True), part_forms(given, False)
    return list(dict.fromkeys([s + g for s, g in product(sp, gp)] + [s + g for s, g in product(sw, gw)]))


@cache
def part_forms(part: str, is_surname: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(pinyin forms, Wade-Giles forms) of a surname or a given name, upper case, one word each; a full name's
    romanisations are the surname's forms followed by the given name's, pinyin with pinyin and Wade-Giles
    with Wade-Giles (`romanisations`)."""
    readings = surname_readings(part) if is_surname else given_readings(part)
    pinyin_forms = dict.fromkeys("".join(v).upper() for r in readings for v in _umlaut_variants(r))
    wade_giles_forms = dict.fromkeys("".join(wade_giles_syllable(x) for x in r).upper() for r in readings)
    return tuple(pinyin_forms), tuple(wade_giles_forms)


def _umlaut_variants(syllables: tuple[str, ...]) -> Iterable[tuple[str, ...]]:
    if not any("v" in s for s in syllables):
        return (syllables,)
    return [tuple(s.replace("v", u) for s in syllables) for u in ("yu", "u", "v")]


def _split_known(reading: str, characters: int) -> tuple[str, ...]:
    parts = segment_pinyin(reading)
    if parts is None or len(parts) != characters:
        return (reading,)
    return parts


def _is_han(ch: str) -> bool:
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2EBEF
            or 0xF900 <= code <= 0xFAFF)


# Resident identity numbers (GB 11643-1999).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def national_id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits of a resident identity number."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def national_id_is_valid(number: str | None) -> bool:
    """An 18-character number whose last character (a digit or X) is the check character of the first 17 digits.
    15-digit numbers (issued before 1999) carry no check character and are never valid here."""
    if not number:
        return False
    number = number.strip().upper()
    return (len(number) == 18 and number[:17].isdigit() and number[17] in _ID_CHECK
            and national_id_check_character(number[:17]) == number[17])


def national_id_norm_expr(column: pl.Expr | str) -> pl.Expr:
    """Identity number upper-cased without spaces or hyphens; a 15-digit legacy number is written in its
    18-character form (century 19 inserted, check character computed) so the two forms of one number are
    equal; empty → null."""
    col = pl.col(column) if isinstance(column, str) else column
    text = col.str.to_uppercase().str.replace_all(r"[\s\-]", "")
    legacy = text.str.contains(r"^\d{15}$")
    upgraded17 = pl.concat_str([text.str.slice(0, 6), pl.lit("19"), text.str.slice(6, 9)])
    norm = pl.when(legacy).then(pl.concat_str([upgraded17, _check_character_expr(upgraded17)])).otherwise(text)
    return pl.when(norm.str.len_chars() > 0).then(norm).otherwise(None)


def national_id_valid_expr(column: pl.Expr | str) -> pl.Expr:
    """True when the number (as written, upper-cased, no spaces) is 18 characters with a right check character."""
    col = pl.col(column) if isinstance(column, str) else column
    text = col.str.to_uppercase().str.replace_all(r"[\s\-]", "")
    shaped = text.str.contains(r"^\d{17}[\dX]$")
    return (shaped & (_check_character_expr(text.str.slice(0, 17)) == text.str.slice(17, 1))).fill_null(False)


def _check_character_expr(first17: pl.Expr) -> pl.Expr:
    total = pl.sum_horizontal([
        first17.str.slice(i, 1).cast(pl.Int32, strict=False) * w for i, w in enumerate(_ID_WEIGHTS)
    ])
    return (total % 11).replace_strict(dict(enumerate(_ID_CHECK)), return_dtype=pl.String)
