import datetime as dt
from decimal import Decimal

import pytest
from django.test import override_settings

from longarm.reports.errors import MissingRateError
from longarm.reports.fx import RateTable, convert, round_money
from longarm.reports.models import FxRate

D = dt.date


@pytest.fixture
def rates(db):
    FxRate.objects.create(currency="USD", on=D(2020, 1, 1), rate=Decimal("7.0"))
    FxRate.objects.create(currency="USD", on=D(2020, 2, 1), rate=Decimal("6.9"))


def test_convert_uses_the_latest_rate_on_or_before_the_date(rates):
    assert convert(amount=Decimal("10"), currency="USD", on=D(2020, 1, 31)) == Decimal("70.0")
    assert convert(amount=Decimal("10"), currency="USD", on=D(2020, 2, 1)) == Decimal("69.0")


def test_convert_before_the_first_rate_is_an_error_not_zero(rates):
    with pytest.raises(MissingRateError, match="USD on or before 2019-12-31"):
        convert(amount=Decimal("10"), currency="USD", on=D(2019, 12, 31))


def test_reporting_currency_converts_at_one_without_a_rate(db):
    assert convert(amount=Decimal("12.34"), currency="CNY", on=D(2000, 1, 1)) == Decimal("12.34")


@override_settings(LONGARM_REPORTING_CURRENCY="EUR")
def test_reporting_currency_is_a_setting(db):
    with pytest.raises(MissingRateError, match="CNY"):
        convert(amount=Decimal("1"), currency="CNY", on=D(2000, 1, 1))


def test_total_converts_exactly_and_rounds_the_sum_half_up_once(db):
    FxRate.objects.create(currency="JPY", on=D(2020, 1, 1), rate=Decimal("0.0635"))
    table = RateTable.load(["JPY"])
    # each 1 JPY is 0.0635 exactly; rounding each first would give 0.06 × 3 = 0.18
    rows = [(Decimal("1"), "JPY", D(2020, 1, 1))] * 3
    assert table.total(rows) == Decimal("0.19")  # 0.1905 → 0.19
    assert round_money(Decimal("0.125")) == Decimal("0.13") and round_money(Decimal("-0.125")) == Decimal("-0.13")


def test_rate_must_be_positive_in_the_database(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        FxRate.objects.create(currency="USD", on=D(2020, 1, 1), rate=Decimal("0"))
