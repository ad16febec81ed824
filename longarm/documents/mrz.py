"""The machine readable zone of ICAO Doc 9303 (8th edition), once for the whole project.

Parses TD1 (3 x 30), TD2 (2 x 36) and TD3 (2 x 44) zones given as lines or
concatenated (90, 72, 88 characters), checks every check digit, extracts the
fields, compares them with the registry and writes valid zones.

Rules kept here:

- Check digits (Part 3, 4.9): weights 7, 3, 1 repeating; `0`-`9` count as
  themselves, `A`-`Z` as 10-35, the filler `<` as 0; the digit is the sum
  modulo 10. An optional-data / personal-number field left empty may carry
  `<` or `0` as its check digit.
- TD1 and TD2 long document numbers (Parts 5 and 6): when a number has more
  than 9 characters, its first 9 fill the number field, the check-digit
  position holds `<`, and the rest of the number followed by its check digit
  opens the (first) optional data field.
- Two-digit years. The MRZ holds YYMMDD; comparisons with the registry
  compare these six characters and never need a century. For display, a date
  of birth is the latest date with those YYMMDD that is not after the
  reference date (today unless given): nobody is born in the future, and a
  holder over 100 is read as a newborn, which the registry comparison then
  exposes. An expiry date is read in the century that puts it within 50
  years of the reference date.
- State codes: ICAO uses ISO 3166-1 alpha-3 plus its own codes (`D` for
  Germany, the British nationality classes, the United Nations, stateless
  persons and refugees ...). `ICAO_ONLY_STATE_CODES` lists them and maps each
  to an ISO country or, for the ones that are no country, to None. Both kinds
  are valid in an MRZ; an unknown code is a problem.
- Names: primary identifier `<<` secondary identifier, components separated
  by `<`. The registry's names are written in MRZ form (upper case,
  diacritics removed or transliterated as in Part 3, 6.A, spaces and hyphens
  as `<`, apostrophes dropped). A name longer than its field is truncated by
  the issuer; a truncated name is accepted when each of its components is a
  prefix of the registry's component in the same place.

Pure Python: no Django, so that the engine and the generator can use it.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import pycountry

FILLER = "<"
TD1_LENGTH, TD2_LENGTH, TD3_LENGTH = 90, 72, 88
FORMATS = {TD1_LENGTH: ("TD1", 30), TD2_LENGTH: ("TD2", 36), TD3_LENGTH: ("TD3", 44)}
NAME_WIDTH = {"TD1": 30, "TD2": 31, "TD3": 39}
# First letter of the document code by format: P passports (TD3); I, A, C
# official travel documents such as identity cards and permits (TD1, TD2).
DOCUMENT_CODE_LETTERS = {"TD1": "IAC", "TD2": "IAC", "TD3": "P"}

# ICAO Doc 9303 Part 3, 5: codes that are not ISO 3166-1 alpha-3, with the
# ISO country they stand for, or None where they name no country.
ICAO_ONLY_STATE_CODES: dict[str, str | None] = {
    "D": "DEU",  # Germany
    "GBD": "GBR",  # British Overseas Territories Citizen
    "GBN": "GBR",  # British National (Overseas)
    "GBO": "GBR",  # British Overseas Citizen
    "GBP": "GBR",  # British Protected Person
    "GBS": "GBR",  # British Subject
    "EUE": None,  # European Union
    "UNO": None,  # United Nations Organization or one of its officials
    "UNA": None,  # specialized agency of the United Nations or its official
    "UNK": None,  # resident of Kosovo with a document issued by UNMIK
    "RKS": None,  # Republic of Kosovo (no ISO 3166-1 code is assigned)
    "XBA": None,  # African Development Bank
    "XIM": None,  # African Export-Import Bank
    "XCC": None,  # Caribbean Community or one of its emissaries
    "XCE": None,  # Council of Europe
    "XCO": None,  # Common Market for Eastern and Southern Africa
    "XEC": None,  # Economic Community of West African States
    "XPO": None,  # International Criminal Police Organization (INTERPOL)
    "XOM": None,  # Sovereign Military Order of Malta
    "XDC": None,  # Southern African Development Community
    "XXA": None,  # stateless person (1954 Convention)
    "XXB": None,  # refugee (1951 Convention)
    "XXC": None,  # refugee other than under the 1951 Convention
    "XXX": None,  # unspecified nationality
    "UTO": None,  # Utopia: ICAO's fictional state of the specimen documents
}
# ISO countries whose documents carry an ICAO-only code.
ISO_TO_ICAO_STATE = {"DEU": "D"}

# Part 3, 6.A: recommended transliterations that are more than one letter.
_TRANSLITERATION = {
    "Ä": "AE", "Å": "AA", "Æ": "AE", "Ö": "OE", "Ø": "OE", "Ü": "UE", "ß": "SS",
    "Þ": "TH", "Œ": "OE", "Ĳ": "IJ", "Ð": "D", "Đ": "D", "Ł": "L", "Ħ": "H", "Ŋ": "N",
}
_MRZ_CHARACTERS = re.compile(r"^[A-Z0-9<]*$")
_DATE = re.compile(r"^\d{6}$")


@cache
def iso_country_codes() -> frozenset[str]:
    return frozenset(country.alpha_3 for country in pycountry.countries)


def state_code_to_iso(code: str) -> str | None:
    """The ISO 3166-1 alpha-3 country of an ICAO state code, None for codes that name no country."""
    code = code.strip(FILLER)
    if code in ICAO_ONLY_STATE_CODES:
        return ICAO_ONLY_STATE_CODES[code]
    return code if code in iso_country_codes() else None


def is_known_state_code(code: str) -> bool:
    code = code.strip(FILLER)
    return code in ICAO_ONLY_STATE_CODES or code in iso_country_codes()


def state_code_for_mrz(iso_code: str) -> str:
    """The code an MRZ carries for an ISO country (`DEU` is written `D`)."""
    return ISO_TO_ICAO_STATE.get(iso_code, iso_code)


def character_value(char: str) -> int:
    if char.isdigit():
        return int(char)
    if "A" <= char <= "Z":
        return ord(char) - ord("A") + 10
    return 0


def check_digit(data: str) -> str:
    """ICAO 9303 check digit of a field: weights 7, 3, 1; letters A=10 .. Z=35; `<` = 0."""
    weights = (7, 3, 1)
    return str(sum(character_value(char) * weights[i % 3] for i, char in enumerate(data)) % 10)


@dataclass(frozen=True)
class MrzProblem:
    """One thing wrong with a zone, named by the field it is in."""

    field: str
    message: str
    expected: str = ""
    found: str = ""

    def __str__(self) -> str:
        detail = []
        if self.expected:
            detail.append(f"expected {self.expected}")
        if self.found:
            detail.append(f"found {self.found}")
        return f"{self.field}: {self.message}" + (f" ({', '.join(detail)})" if detail else "")


@dataclass(frozen=True)
class Mrz:
    """A parsed zone: its fields as printed (fillers removed) and every problem found."""

    format: str = ""
    document_code: str = ""
    issuing_state: str = ""
    family_name: str = ""
    given_name: str = ""
    names_field: str = ""
    document_number: str = ""
    nationality: str = ""
    birth_date_raw: str = ""
    sex: str = ""
    expiry_date_raw: str = ""
    optional_data: str = ""
    optional_data_2: str = ""
    birth_date: datetime.date | None = None
    expiry_date: datetime.date | None = None
    problems: tuple[MrzProblem, ...] = field(default_factory=tuple)

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def issuing_country(self) -> str | None:
        return state_code_to_iso(self.issuing_state)

    @property
    def nationality_country(self) -> str | None:
        return state_code_to_iso(self.nationality)


def mrz_join(text: str | Iterable[str]) -> str:
    """One string from a zone given as lines, a multi-line text or already concatenated."""
    if not isinstance(text, str):
        text = "".join(text)
    return "".join(text.split())


def _date_from_raw(raw: str, *, birth: bool, reference: datetime.date) -> datetime.date | None:
    yy, month, day = int(raw[0:2]), int(raw[2:4]), int(raw[4:6])
    if birth:
        candidates = (2000 + yy, 1900 + yy)
    else:
        year = 2000 + yy if 2000 + yy <= reference.year + 50 else 1900 + yy
        candidates = (year,)
    for year in candidates:
        try:
            value = datetime.date(year, month, day)
        except ValueError:
            return None
        if not birth or value <= reference:
            return value
    return None


def _checked(problems: list[MrzProblem], name: str, data: str, digit: str, *, optional: bool = False) -> None:
    if optional and set(data) <= {FILLER} and digit in (FILLER, "0"):
        return
    expected = check_digit(data)
    if digit != expected:
        problems.append(MrzProblem(name, "check digit fails", expected=expected, found=digit))


def _split_long_number(number_field: str, digit: str, optional: str) -> tuple[str, str, str]:
    """(number, its check digit, remaining optional data), applying the TD1/TD2 long-number rule."""
    if digit == FILLER and optional and optional[0] != FILLER:
        overflow = optional.split(FILLER, 1)[0]
        rest = optional[len(overflow):]
        return number_field + overflow[:-1], overflow[-1:], rest
    return number_field.rstrip(FILLER), digit, optional


def _split_names(names: str) -> tuple[str, str]:
    primary, _, secondary = names.rstrip(FILLER).partition(FILLER * 2)
    return primary.replace(FILLER, " ").strip(), secondary.replace(FILLER, " ").strip()


def mrz_parse(text: str | Iterable[str], *, reference_date: datetime.date | None = None) -> Mrz:
    """Parse and check a TD1, TD2 or TD3 zone; the result lists every problem field by field."""
    reference = reference_date or datetime.date.today()
    zone = mrz_join(text)
    if len(zone) not in FORMATS:
        return Mrz(problems=(MrzProblem(
            "mrz", "length is not that of TD1 (90), TD2 (72) or TD3 (88)", found=str(len(zone))),))
    if not _MRZ_CHARACTERS.match(zone):
        bad = "".join(sorted(set(re.sub(r"[A-Z0-9<]", "", zone))))
        return Mrz(problems=(MrzProblem("mrz", "holds characters other than A-Z, 0-9 and <", found=bad),))
    kind, width = FORMATS[len(zone)]
    lines = [zone[i:i + width] for i in range(0, len(zone), width)]
    problems: list[MrzProblem] = []

    if kind == "TD1":
        top, middle, bottom = lines
        document_code, state = top[0:2], top[2:5]
        number, number_digit, optional = _split_long_number(top[5:14], top[14], top[15:30])
        birth, birth_digit, sex = middle[0:6], middle[6], middle[7]
        expiry, expiry_digit, nationality = middle[8:14], middle[14], middle[15:18]
        optional_2, composite = middle[18:29], middle[29]
        names = bottom
        composite_data = top[5:30] + middle[0:7] + middle[8:15] + middle[18:29]
    elif kind == "TD2":
        top, bottom = lines
        document_code, state, names = top[0:2], top[2:5], top[5:36]
        number, number_digit, optional = _split_long_number(bottom[0:9], bottom[9], bottom[28:35])
        nationality, birth, birth_digit, sex = bottom[10:13], bottom[13:19], bottom[19], bottom[20]
        expiry, expiry_digit, composite = bottom[21:27], bottom[27], bottom[35]
        optional_2 = ""
        composite_data = bottom[0:10] + bottom[13:20] + bottom[21:35]
    else:
        top, bottom = lines
        document_code, state, names = top[0:2], top[2:5], top[5:44]
        number, number_digit = bottom[0:9].rstrip(FILLER), bottom[9]
        nationality, birth, birth_digit, sex = bottom[10:13], bottom[13:19], bottom[19], bottom[20]
        expiry, expiry_digit = bottom[21:27], bottom[27]
        optional, optional_digit, composite = bottom[28:42], bottom[42], bottom[43]
        optional_2 = ""
        composite_data = bottom[0:10] + bottom[13:20] + bottom[21:43]

    if not document_code[0:1] or document_code[0] not in DOCUMENT_CODE_LETTERS[kind]:
        problems.append(MrzProblem(
            "document_code", f"a {kind} document code starts with one of {', '.join(DOCUMENT_CODE_LETTERS[kind])}",
            found=document_code))
    if not is_known_state_code(state):
        problems.append(MrzProblem("issuing_state", "unknown ICAO state code", found=state))
    if not number:
        problems.append(MrzProblem("document_number", "is empty"))
    _checked(problems, "document_number", number, number_digit)
    if not is_known_state_code(nationality):
        problems.append(MrzProblem("nationality", "unknown ICAO state code", found=nationality))

    birth_date = expiry_date = None
    if _DATE.match(birth):
        _checked(problems, "date_of_birth", birth, birth_digit)
        birth_date = _date_from_raw(birth, birth=True, reference=reference)
        if birth_date is None:
            problems.append(MrzProblem("date_of_birth", "is not a date", found=birth))
    elif set(birth[2:]) <= {FILLER} or set(birth[4:]) <= {FILLER}:
        _checked(problems, "date_of_birth", birth, birth_digit)  # unknown day or month: filled with <
    else:
        problems.append(MrzProblem("date_of_birth", "is not YYMMDD", found=birth))
    if _DATE.match(expiry):
        _checked(problems, "date_of_expiry", expiry, expiry_digit)
        expiry_date = _date_from_raw(expiry, birth=False, reference=reference)
        if expiry_date is None:
            problems.append(MrzProblem("date_of_expiry", "is not a date", found=expiry))
    else:
        problems.append(MrzProblem("date_of_expiry", "is not YYMMDD", found=expiry))
    if sex not in ("M", "F", FILLER):
        problems.append(MrzProblem("sex", "is not M, F or <", found=sex))
    if kind == "TD3":
        _checked(problems, "optional_data", optional, optional_digit, optional=True)
    _checked(problems, "composite", composite_data, composite)

    family_name, given_name = _split_names(names)
    if not family_name:
        problems.append(MrzProblem("names", "has no primary identifier", found=names.rstrip(FILLER)))

    return Mrz(
        format=kind, document_code=document_code.rstrip(FILLER), issuing_state=state.rstrip(FILLER),
        family_name=family_name, given_name=given_name, names_field=names.rstrip(FILLER),
        document_number=number, nationality=nationality.rstrip(FILLER), birth_date_raw=birth,
        sex="X" if sex == FILLER else sex, expiry_date_raw=expiry,
        optional_data=optional.rstrip(FILLER), optional_data_2=optional_2.rstrip(FILLER),
        birth_date=birth_date, expiry_date=expiry_date, problems=tuple(problems),
    )


# Writing names and fields --------------------------------------------------------------------


def mrz_name_simple(name: str) -> str:
    """A name in MRZ characters by the plain rule: diacritics dropped, spaces and hyphens as `<`.

    The vectorised pre-check in `longarm.engine.mrz_checks` writes names the same way.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).upper()
    text = re.sub(r"[ \-]+", FILLER, text.strip())
    return re.sub(r"[^A-Z<]", "", text)


def mrz_name_transliterated(name: str) -> str:
    """A name in MRZ characters with Part 3's recommended transliterations (Ä as AE, ß as SS ...)."""
    text = "".join(_TRANSLITERATION.get(ch, ch) for ch in name.upper())
    return mrz_name_simple(text)


def mrz_names_field(family_name: str, given_name: str, width: int) -> str:
    """The names field: primary `<<` secondary identifier, cut to the field and filled with `<`."""
    family = mrz_name_transliterated(family_name)
    given = mrz_name_transliterated(given_name)
    full = family + FILLER * 2 + given if given else family
    return full[:width].ljust(width, FILLER)


def _names_agree(found: str, family_name: str, given_name: str, width: int) -> bool:
    found = found.rstrip(FILLER)
    for write in (mrz_name_simple, mrz_name_transliterated):
        family, given = write(family_name), write(given_name)
        full = family + FILLER * 2 + given if given else family
        if found == full:
            return True
        if len(full) > width and _is_truncation(found, family, given):
            return True
    return False


def _is_truncation(found: str, family: str, given: str) -> bool:
    found_family, _, found_given = found.partition(FILLER * 2)
    for found_part, full_part in ((found_family, family), (found_given, given)):
        found_components = [c for c in found_part.split(FILLER)] if found_part else []
        full_components = full_part.split(FILLER) if full_part else []
        if len(found_components) > len(full_components):
            return False
        if not all(full.startswith(part) for part, full in zip(found_components, full_components)):
            return False
    return bool(found_family)


def _date_raw(value: datetime.date) -> str:
    return value.strftime("%y%m%d")


def _sex_field(sex: str) -> str:
    return sex if sex in ("M", "F") else FILLER


def _field(value: str, width: int) -> str:
    value = value.upper()
    if len(value) > width:
        raise ValueError(f"{value!r} does not fit a field of {width} characters")
    return value.ljust(width, FILLER)


def _number_fields(number: str, optional: str, optional_width: int) -> tuple[str, str]:
    """(number field with its check digit, optional data field) under the TD1/TD2 long-number rule."""
    number = number.upper()
    if len(number) <= 9:
        return _field(number, 9) + check_digit(number), _field(optional, optional_width)
    overflow = number[9:] + check_digit(number) + FILLER
    return number[:9] + FILLER, _field(overflow + optional, optional_width)


def mrz_td3(*, issuing_state: str, family_name: str, given_name: str, number: str, nationality: str,
            birth_date: datetime.date, sex: str, expiry_date: datetime.date, document_code: str = "P",
            personal_number: str = "") -> str:
    """A valid TD3 (passport) zone, its two lines of 44 concatenated. States are ISO alpha-3 codes."""
    top = _field(document_code, 2) + _field(state_code_for_mrz(issuing_state), 3) + mrz_names_field(
        family_name, given_name, NAME_WIDTH["TD3"])
    personal = _field(personal_number, 14)
    personal_digit = check_digit(personal) if personal_number else FILLER
    body = (_field(number, 9) + check_digit(number.upper()) + _field(state_code_for_mrz(nationality), 3)
            + _date_raw(birth_date) + check_digit(_date_raw(birth_date)) + _sex_field(sex)
            + _date_raw(expiry_date) + check_digit(_date_raw(expiry_date)) + personal + personal_digit)
    composite = check_digit(body[0:10] + body[13:20] + body[21:43])
    return top + body + composite


def mrz_td2(*, issuing_state: str, family_name: str, given_name: str, number: str, nationality: str,
            birth_date: datetime.date, sex: str, expiry_date: datetime.date, document_code: str = "I",
            optional_data: str = "") -> str:
    """A valid TD2 zone, its two lines of 36 concatenated."""
    top = _field(document_code, 2) + _field(state_code_for_mrz(issuing_state), 3) + mrz_names_field(
        family_name, given_name, NAME_WIDTH["TD2"])
    number_field, optional = _number_fields(number, optional_data, 7)
    body = (number_field + _field(state_code_for_mrz(nationality), 3) + _date_raw(birth_date)
            + check_digit(_date_raw(birth_date)) + _sex_field(sex) + _date_raw(expiry_date)
            + check_digit(_date_raw(expiry_date)) + optional)
    composite = check_digit(body[0:10] + body[13:20] + body[21:35])
    return top + body + composite


def mrz_td1(*, issuing_state: str, family_name: str, given_name: str, number: str, nationality: str,
            birth_date: datetime.date, sex: str, expiry_date: datetime.date, document_code: str = "I",
            optional_data: str = "", optional_data_2: str = "") -> str:
    """A valid TD1 zone (identity cards, permits), its three lines of 30 concatenated."""
    number_field, optional = _number_fields(number, optional_data, 15)
    top = _field(document_code, 2) + _field(state_code_for_mrz(issuing_state), 3) + number_field + optional
    middle = (_date_raw(birth_date) + check_digit(_date_raw(birth_date)) + _sex_field(sex)
              + _date_raw(expiry_date) + check_digit(_date_raw(expiry_date))
              + _field(state_code_for_mrz(nationality), 3) + _field(optional_data_2, 11))
    middle += check_digit(top[5:30] + middle[0:7] + middle[8:15] + middle[18:29])
    return top + middle + mrz_names_field(family_name, given_name, NAME_WIDTH["TD1"])


# Comparing with the registry -------------------------------------------------------------------


def mrz_number(number: str) -> str:
    """A registry document number as an MRZ writes it: the spec's key, other characters as `<`."""
    key = number.upper().replace(" ", "").replace("-", "")
    return re.sub(r"[^A-Z0-9]", FILLER, key)


def mrz_compare(mrz: Mrz, *, number: str | None = None, issuing_state: str | None = None,
                expires_on: datetime.date | None = None, date_of_birth: datetime.date | None = None,
                sex: str | None = None, family_name: str | None = None,
                given_name: str | None = None) -> tuple[MrzProblem, ...]:
    """Where a parsed zone disagrees with the registry; values not given are not compared.

    Dates compare as the YYMMDD the zone holds, names in MRZ transliteration
    (a name the issuer truncated to its field agrees with the full name).
    """
    if not mrz.format:
        return ()
    problems = []
    if number is not None and mrz.document_number != mrz_number(number):
        problems.append(MrzProblem("document_number", "differs from the registry",
                                   expected=mrz_number(number), found=mrz.document_number))
    if issuing_state is not None and issuing_state not in (mrz.issuing_state, mrz.issuing_country):
        problems.append(MrzProblem("issuing_state", "differs from the registry",
                                   expected=issuing_state, found=mrz.issuing_state))
    if expires_on is not None and mrz.expiry_date_raw != _date_raw(expires_on):
        problems.append(MrzProblem("date_of_expiry", "differs from the registry",
                                   expected=_date_raw(expires_on), found=mrz.expiry_date_raw))
    if date_of_birth is not None and mrz.birth_date_raw != _date_raw(date_of_birth):
        problems.append(MrzProblem("date_of_birth", "differs from the holder's",
                                   expected=_date_raw(date_of_birth), found=mrz.birth_date_raw))
    if sex is not None and mrz.sex != (sex if sex in ("M", "F") else "X"):
        problems.append(MrzProblem("sex", "differs from the holder's", expected=sex, found=mrz.sex))
    if family_name is not None and not _names_agree(mrz.names_field, family_name, given_name or "",
                                                    NAME_WIDTH[mrz.format]):
        expected = mrz_names_field(family_name, given_name or "", NAME_WIDTH[mrz.format]).rstrip(FILLER)
        problems.append(MrzProblem("names", "differ from the holder's", expected=expected, found=mrz.names_field))
    return tuple(problems)
