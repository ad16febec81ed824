"""Countries (ISO 3166-1 alpha-3), subdivisions (ISO 3166-2) and currencies (ISO 4217)."""

from functools import cache

import pycountry
from django.core.exceptions import ValidationError


@cache
def country_codes() -> frozenset[str]:
    return frozenset(country.alpha_3 for country in pycountry.countries)


@cache
def subdivision_codes() -> frozenset[str]:
    return frozenset(subdivision.code for subdivision in pycountry.subdivisions)


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(currency.alpha_3 for currency in pycountry.currencies)


@cache
def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code)
    return country.name if country else code


@cache
def subdivision_name(code: str) -> str:
    subdivision = pycountry.subdivisions.get(code=code)
    return subdivision.name if subdivision else code


@cache
def provinces_of(country_alpha_3: str) -> tuple[tuple[str, str], ...]:
    """Top-level subdivisions of a country as (code, name), sorted by code."""
    country = pycountry.countries.get(alpha_3=country_alpha_3)
    if country is None:
        return ()
    rows = [s for s in pycountry.subdivisions.get(country_code=country.alpha_2) or () if s.parent_code is None]
    return tuple(sorted((s.code, s.name) for s in rows))


def validate_country(value: str) -> None:
    if value not in country_codes():
        raise ValidationError("%(value)s is not an ISO 3166-1 alpha-3 country code", params={"value": value})


def validate_subdivision(value: str) -> None:
    if value and value not in subdivision_codes():
        raise ValidationError("%(value)s is not an ISO 3166-2 subdivision code", params={"value": value})


def validate_currency(value: str) -> None:
    if value not in currency_codes():
        raise ValidationError("%(value)s is not an ISO 4217 currency code", params={"value": value})
