"""Converting money into the reporting currency with the spec's rule.

An amount is converted at the latest rate on or before its date; a missing
rate raises `MissingRateError` naming the currency and the date, never a
silent zero. Each amount is converted exactly (no rounding); a total is
rounded once, half up, to two places (`round_money`).
"""

import bisect
import datetime
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.conf import settings

from longarm.reports.errors import MissingRateError
from longarm.reports.models import FxRate

CENT = Decimal("0.01")
# Enough digits that the product of a 24-digit amount and a 24-digit rate, and
# any sum of them, is exact.
EXACT_PRECISION = 80


def reporting_currency() -> str:
    return settings.LONGARM_REPORTING_CURRENCY


def round_money(value: Decimal) -> Decimal:
    """Two places, half up: the rounding of every total longarm reports."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class RateTable:
    """The rates of some currencies, loaded with one query, so that converting costs no query per amount."""

    def __init__(self, rates: dict[str, list[tuple[datetime.date, Decimal]]], currency: str):
        self.currency = currency
        self._dates = {code: [on for on, _ in rows] for code, rows in rates.items()}
        self._rates = {code: [rate for _, rate in rows] for code, rows in rates.items()}

    @classmethod
    def load(cls, currencies: Iterable[str], up_to: datetime.date | None = None) -> "RateTable":
        target = reporting_currency()
        wanted = sorted(set(currencies) - {target})
        rates: dict[str, list[tuple[datetime.date, Decimal]]] = {code: [] for code in wanted}
        queryset = FxRate.objects.filter(currency__in=wanted)
        if up_to is not None:
            queryset = queryset.filter(on__lte=up_to)
        for code, on, rate in queryset.order_by("currency", "on").values_list("currency", "on", "rate"):
            rates[code].append((on, rate))
        return cls(rates, target)

    def rate(self, currency: str, on: datetime.date) -> Decimal:
        """The latest rate of `currency` on or before `on`; 1 for the reporting currency itself."""
        if currency == self.currency:
            return Decimal(1)
        dates = self._dates.get(currency, [])
        position = bisect.bisect_right(dates, on)
        if position == 0:
            raise MissingRateError(currency, on)
        return self._rates[currency][position - 1]

    def convert(self, amount: Decimal, currency: str, on: datetime.date) -> Decimal:
        """`amount` in the reporting currency, exactly (not rounded)."""
        with localcontext() as context:
            context.prec = EXACT_PRECISION
            return amount * self.rate(currency, on)

    def total(self, rows: Iterable[tuple[Decimal, str, datetime.date]]) -> Decimal:
        """The sum of (amount, currency, date) rows in the reporting currency, each converted exactly,
        the sum rounded half up to two places."""
        with localcontext() as context:
            context.prec = EXACT_PRECISION
            exact = sum((self.convert(amount, currency, on) for amount, currency, on in rows), Decimal(0))
        return round_money(exact)


def convert(*, amount: Decimal, currency: str, on: datetime.date) -> Decimal:
    """One amount in the reporting currency, exactly; `MissingRateError` when no rate is on record."""
    return RateTable.load([currency], up_to=on).convert(amount, currency, on)
