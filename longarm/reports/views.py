"""The recoveries statistics page: the spec's figures for a period (or a named operation), the cases behind
each figure, charts, the world map of returns, and the same report as CSV, XLSX, PDF or JSON.

Every figure is computed over the cases and recoveries the user may see, by
the same functions as the API and the command line (`reports.recoveries`).
"""

import datetime

from django import forms
from django.db.models import Count
from django.db.models.functions import ExtractMonth, ExtractYear
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from longarm.access import feature_required
from longarm.alerts.charts import Bar, bar_chart
from longarm.audit.services import audit_record
from longarm.cases.models import Case, Category, Operation, Recovery, ReturnAvenue
from longarm.geo import country_name
from longarm.reports.errors import ReportError
from longarm.reports.recoveries import (
    FIGURES, Period, cases_behind, operation_period, recoveries_report, returned_cases,
)
from longarm.reports.worldmap import world_map
from longarm.reports.writers import FORMATS, write_report

FEATURE = "cases"
FIGURE_LABELS = {
    "persons_returned": "Persons returned", "countries": "Countries and regions returned from",
    "officials": "Of whom officials", "red_notice": "Under a red notice when returned",
    "priority_list": "On the most-wanted list", "amount_recovered": "Amount recovered",
}
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}
DATE = forms.DateInput(attrs={"type": "date"})


class PeriodForm(forms.Form):
    date_from = forms.DateField(required=False, label="From", widget=DATE)
    date_to = forms.DateField(required=False, label="To", widget=DATE)
    operation = forms.CharField(required=False)

    def period(self) -> Period:
        """The operation's period if one is named, else from/to, else the current year to date."""
        data = self.cleaned_data
        if data["operation"]:
            return operation_period(data["operation"])
        today = timezone.localdate()
        return Period(data["date_from"] or datetime.date(today.year, 1, 1), data["date_to"] or today)


def _period(request) -> tuple[PeriodForm, Period | None, str]:
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return form, None, "Fix the dates of the period."
    try:
        return form, form.period(), ""
    except ReportError as error:
        return form, None, error.message


def _scope(user):
    return Case.objects.visible_to(user), Recovery.objects.visible_to(user)


def _period_query(period: Period) -> str:
    if period.operation:
        return f"operation={period.operation}"
    return f"date_from={period.date_from.isoformat()}&date_to={period.date_to.isoformat()}"


def _charts(returned) -> dict:
    by_year = returned.annotate(y=ExtractYear("returned_on")).values("y").annotate(n=Count("pk")).order_by("y")
    by_month = (returned.annotate(y=ExtractYear("returned_on"), m=ExtractMonth("returned_on"))
                .values("y", "m").annotate(n=Count("pk")).order_by("y", "m"))
    by_avenue = dict(returned.values_list("return_avenue").annotate(n=Count("pk")).order_by())
    by_province = returned.values_list("jurisdiction").annotate(n=Count("pk")).order_by("jurisdiction")
    by_category = dict(returned.values_list("category").annotate(n=Count("pk")).order_by())
    by_country = dict(returned.exclude(returned_from="").values_list("returned_from").annotate(n=Count("pk"))
                      .order_by())
    return {
        "year": bar_chart([Bar(str(row["y"]), row["n"], "bar-ok") for row in by_year], title="Returns per year"),
        "month": bar_chart([Bar(f"{row['y']}-{row['m']:02d}", row["n"], "bar-ok") for row in by_month],
                           title="Returns per month"),
        "avenue": bar_chart([Bar(label, by_avenue.get(value, 0), "bar-code") for value, label in ReturnAvenue.choices],
                            title="Returns by avenue"),
        "province": bar_chart([Bar(code, n, "bar-province") for code, n in by_province], title="Returns by province"),
        "category": bar_chart([Bar("officials", by_category.get(Category.OFFICIAL, 0), "bar-bad"),
                               Bar("others", by_category.get(Category.OTHER, 0), "bar-code")],
                              title="Officials and others returned"),
        "map": world_map(by_country, title="Returns by country or region returned from", unit="returned"),
        "countries": sorted(((country_name(code), code, n) for code, n in by_country.items()),
                            key=lambda row: (-row[2], row[0])),
    }


@require_GET
@feature_required(FEATURE)
def recoveries_page(request):
    """The spec's figures for the period over the cases the user may see, each linking to the cases behind it."""
    form, period, error = _period(request)
    context = {"form": form, "error": error, "operations": Operation.objects.order_by("-starts_on")}
    if period is not None:
        cases, recoveries = _scope(request.user)
        try:
            report = recoveries_report(period=period, cases=cases, recoveries=recoveries)
        except ReportError as refusal:
            context["error"] = refusal.message
        else:
            context.update(period=period, query=_period_query(period), charts=_charts(returned_cases(
                period=period, cases=cases)), currency=report["reporting_currency"], formats=FORMATS,
                figures=[(figure, FIGURE_LABELS[figure], report[figure]) for figure in FIGURES])
    return render(request, "reports/recoveries.html", context, status=400 if context["error"] else 200)


@require_GET
@feature_required(FEATURE)
def recoveries_cases(request, figure: str):
    """The cases behind one figure of the report, for the same period and scope; the list is audited."""
    if figure not in FIGURES:
        raise Http404("No such figure.")
    form, period, error = _period(request)
    behind = []
    if period is not None:
        cases, recoveries = _scope(request.user)
        behind = list(cases_behind(figure, period=period, cases=cases, recoveries=recoveries).order_by("case_id"))
        audit_record(actor=request.user, action="list", target_type="cases.case",
                     detail={"figure": figure, "from": period.date_from, "to": period.date_to,
                             "ids": [case.pk for case in behind]})
    return render(request, "reports/recoveries_cases.html", {
        "figure": FIGURE_LABELS[figure], "period": period, "error": error, "cases": behind,
        "query": _period_query(period) if period else "",
    }, status=400 if error else 200)


@require_GET
@feature_required(FEATURE)
def recoveries_export(request, fmt: str):
    """The same report as a file; one audit row per export."""
    if fmt not in FORMATS:
        raise Http404("No such format.")
    form, period, error = _period(request)
    if period is None:
        return HttpResponse(error, status=400, content_type="text/plain; charset=utf-8")
    cases, recoveries = _scope(request.user)
    try:
        report = recoveries_report(period=period, cases=cases, recoveries=recoveries)
    except ReportError as refusal:
        return HttpResponse(refusal.message, status=400, content_type="text/plain; charset=utf-8")
    audit_record(actor=request.user, action="export", target_type="reports.recoveries",
                 detail={"format": fmt, "from": period.date_from, "to": period.date_to})
    response = HttpResponse(write_report(report, period, fmt), content_type=CONTENT_TYPES[fmt])
    name = f"recoveries-{period.date_from.isoformat()}-{period.date_to.isoformat()}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
