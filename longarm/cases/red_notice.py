"""Reading a red notice in the JSON shape of INTERPOL's public notices API.

The fields used: `entity_id` (e.g. "2019/12345"), `name` (family name),
`forename`, `date_of_birth` ("YYYY/MM/DD", or only "YYYY" when the day is
unknown), `sex_id`, `nationalities` (ISO 3166-1 alpha-2 codes) and
`arrest_warrants` (each with `issuing_country_id`, alpha-2, and `charge`).
The API does not say when a notice was published: the caller gives that date.
"""

import datetime
from dataclasses import dataclass

import pycountry

from longarm.cases.errors import CaseError


@dataclass(frozen=True)
class Warrant:
    issuing_country: str  # alpha-3
    charge: str


@dataclass(frozen=True)
class RedNotice:
    entity_id: str
    family_name: str
    given_name: str
    date_of_birth: datetime.date | None  # None when the notice gives only a year
    birth_year: int | None
    sex: str
    nationalities: tuple[str, ...]  # alpha-3
    warrants: tuple[Warrant, ...]

    def as_detail(self) -> dict:
        return {"entity_id": self.entity_id, "name": self.family_name, "forename": self.given_name,
                "date_of_birth": self.date_of_birth, "birth_year": self.birth_year, "sex": self.sex,
                "nationalities": list(self.nationalities),
                "arrest_warrants": [{"issuing_country": w.issuing_country, "charge": w.charge} for w in self.warrants]}


def _alpha3(code, field: str) -> str:
    country = pycountry.countries.get(alpha_2=str(code or "").strip().upper())
    if country is None:
        raise CaseError(f"{field}: {code!r} is not an ISO 3166-1 alpha-2 country code.")
    return country.alpha_3


def _text(notice: dict, field: str, *, required: bool) -> str:
    value = notice.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise CaseError(f"The notice has no {field}.")
        return ""
    if not isinstance(value, str):
        raise CaseError(f"{field} must be text.")
    return value.strip()


def _birth(value: str) -> tuple[datetime.date | None, int | None]:
    if not value:
        return None, None
    parts = value.replace("-", "/").split("/")
    try:
        if len(parts) == 3:
            born = datetime.date(int(parts[0]), int(parts[1]), int(parts[2]))
            return born, born.year
        if len(parts) == 1 and len(parts[0]) == 4:
            return None, int(parts[0])
    except ValueError:
        pass
    raise CaseError(f"date_of_birth: {value!r} is not YYYY/MM/DD or YYYY.")


def parse_red_notice(notice) -> RedNotice:
    """Check and read a notice; a notice that cannot be read raises `CaseError` naming the field."""
    if not isinstance(notice, dict):
        raise CaseError("A red notice is one JSON object.")
    entity_id = _text(notice, "entity_id", required=True)
    if len(entity_id) > 64:
        raise CaseError("entity_id has more than 64 characters.")
    born, year = _birth(_text(notice, "date_of_birth", required=False))
    sex = _text(notice, "sex_id", required=False).upper()
    if sex and sex not in ("M", "F", "U"):
        raise CaseError(f"sex_id: {sex!r} is not M, F or U.")
    nationalities = notice.get("nationalities") or []
    warrants = notice.get("arrest_warrants") or []
    if not isinstance(nationalities, list) or not isinstance(warrants, list):
        raise CaseError("nationalities and arrest_warrants must be lists.")
    parsed_warrants = []
    for number, warrant in enumerate(warrants, start=1):
        if not isinstance(warrant, dict):
            raise CaseError(f"arrest_warrants[{number}] must be an object.")
        parsed_warrants.append(Warrant(
            issuing_country=_alpha3(warrant.get("issuing_country_id"), f"arrest_warrants[{number}].issuing_country_id"),
            charge=_text(warrant, "charge", required=False)))
    return RedNotice(
        entity_id=entity_id, family_name=_text(notice, "name", required=True),
        given_name=_text(notice, "forename", required=True), date_of_birth=born, birth_year=year,
        sex="X" if sex == "U" else sex,
        nationalities=tuple(dict.fromkeys(_alpha3(code, "nationalities") for code in nationalities)),
        warrants=tuple(parsed_warrants),
    )
