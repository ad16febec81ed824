"""The recoveries report of the spec (shared/spec/exchange-formats.md, "The recoveries report").

`recoveries_report` returns exactly the spec's keys, in the spec's order.
Readings of the spec kept here:
- `countries` is a count: the number of distinct `returned_from` of the
  returned cases (a territory with its own code, such as HKG, is a country or
  region of its own); `cases_behind("countries")` lists the cases behind it.
- `amount_recovered`: each recovery is converted exactly at the latest rate on
  or before its `recovered_on`; the sum is rounded once, half up, to two
  places. A missing rate raises `MissingRateError`, never counts as zero.
Every figure can list the cases behind it with `cases_behind`.
"""

import datetime
from dataclasses import dataclass

from django.db.models import F, QuerySet

from longarm.cases.models import Case, Category, Operation, Recovery
from longarm.reports.errors import ReportError
from longarm.reports.fx import RateTable

FIGURES = ("persons_returned", "countries", "officials", "red_notice", "priority_list", "amount_recovered")
KEYS = (*FIGURES, "reporting_currency")


@dataclass(frozen=True)
class Period:
    """A closed range of dates `[date_from, date_to]`, optionally named after an operation."""

    date_from: datetime.date
    date_to: datetime.date
    operation: str = ""

    def __post_init__(self):
        if self.date_to < self.date_from:
            raise ReportError(f"The period ends ({self.date_to.isoformat()}) before it starts "
                              f"({self.date_from.isoformat()}).")


def operation_period(name: str) -> Period:
    """The period of a named operation: its statistics in one click."""
    operation = Operation.objects.filter(name=name).first()
    if operation is None:
        raise ReportError(f"No operation is named {name}.")
    return Period(operation.starts_on, operation.ends_on, operation=operation.name)


def returned_cases(*, period: Period, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """Cases with `returned_on` in the period, whatever became of them since (a returned case later closed counts)."""
    cases = Case.objects.all() if cases is None else cases
    return cases.filter(returned_on__gte=period.date_from, returned_on__lte=period.date_to)


def recoveries_in(*, period: Period, recoveries: QuerySet[Recovery] | None = None) -> QuerySet[Recovery]:
    recoveries = Recovery.objects.all() if recoveries is None else recoveries
    return recoveries.filter(recovered_on__gte=period.date_from, recovered_on__lte=period.date_to)


def cases_behind(figure: str, *, period: Period, cases: QuerySet[Case] | None = None,
                 recoveries: QuerySet[Recovery] | None = None) -> QuerySet[Case]:
    """The cases behind one figure of the report (for `amount_recovered`: the cases its recoveries belong to;
    recoveries without a case have none)."""
    returned = returned_cases(period=period, cases=cases)
    if figure in ("persons_returned", "countries"):
        return returned
    if figure == "officials":
        return returned.filter(category=Category.OFFICIAL)
    if figure == "red_notice":
        return returned.filter(red_notice_on__isnull=False, red_notice_on__lte=F("returned_on"))
    if figure == "priority_list":
        return returned.filter(priority_list=True)
    if figure == "amount_recovered":
        base = Case.objects.all() if cases is None else cases
        case_ids = recoveries_in(period=period, recoveries=recoveries).filter(case__isnull=False).values("case_id")
        return base.filter(pk__in=case_ids)
    raise ReportError(f"Unknown figure {figure}; the figures are {', '.join(FIGURES)}.")


def recoveries_report(*, period: Period, cases: QuerySet[Case] | None = None,
                      recoveries: QuerySet[Recovery] | None = None) -> dict:
    """The spec's report for `period`, over the given cases and recoveries (all of them by default;
    the API passes the caller's visible ones)."""
    returned = returned_cases(period=period, cases=cases)
    rows = list(recoveries_in(period=period, recoveries=recoveries).order_by()
                .values_list("amount", "currency", "recovered_on"))
    table = RateTable.load({currency for _, currency, _ in rows}, up_to=period.date_to)
    amount = table.total(rows)
    return {
        "persons_returned": returned.count(),
        "countries": returned.exclude(returned_from="").values("returned_from").distinct().count(),
        "officials": cases_behind("officials", period=period, cases=cases).count(),
        "red_notice": cases_behind("red_notice", period=period, cases=cases).count(),
        "priority_list": cases_behind("priority_list", period=period, cases=cases).count(),
        "amount_recovered": f"{amount:.2f}",
        "reporting_currency": table.currency,
    }
