"""Reads of the pursuit: a case's timeline, its money, the requests whose deadline comes up."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from longarm.cases.models import Case, CaseEvent, Measure, MeasureStatus, Recovery
from longarm.reports.fx import RateTable

# How far ahead a deadline comes up as a reminder.
REMINDER_DAYS = 14


def cases_visible_to(user) -> QuerySet[Case]:
    return Case.objects.visible_to(user)


def case_timeline(*, case: Case) -> QuerySet[CaseEvent]:
    """Every event of a case, in the order things happened (then the order they were recorded)."""
    return CaseEvent.objects.filter(case=case).select_related("recorded_by").order_by("happened_on", "id")


@dataclass(frozen=True)
class MoneyTotal:
    amount: Decimal  # rounded half up to two places
    currency: str
    count: int


def recoveries_total(*, recoveries: QuerySet[Recovery]) -> MoneyTotal:
    """The sum of recoveries in the reporting currency, each at the rate on or before its date.

    Raises `MissingRateError` (naming currency and date) rather than count an unconvertible amount as zero.
    """
    rows = list(recoveries.order_by().values_list("amount", "currency", "recovered_on"))
    table = RateTable.load({currency for _, currency, _ in rows})
    return MoneyTotal(amount=table.total(rows), currency=table.currency, count=len(rows))


def case_recovered_total(*, case: Case) -> MoneyTotal:
    return recoveries_total(recoveries=Recovery.objects.filter(case=case))


@dataclass(frozen=True)
class Reminder:
    measure: Measure
    due_on: datetime.date
    days_left: int  # negative when overdue

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def measure_reminders(*, user, as_of: datetime.date, within_days: int = REMINDER_DAYS) -> list[Reminder]:
    """Requests sent and not answered whose deadline is past or falls within `within_days` of `as_of`,
    most urgent first; only on cases the user may see."""
    horizon = as_of + datetime.timedelta(days=within_days)
    measures = (Measure.objects.visible_to(user).select_related("case")
                .filter(status__in=(MeasureStatus.PREPARING, MeasureStatus.SENT), answer_due_on__lte=horizon)
                .order_by("answer_due_on", "id"))
    return [Reminder(measure=measure, due_on=measure.answer_due_on, days_left=(measure.answer_due_on - as_of).days)
            for measure in measures]
