"""The alert desk: the inbox (filters, counts per code, CSV export), an alert's page with its evidence and
actions, and the dashboard.

Reads start from `Alert.objects.visible_to(user)` (see selectors); every
change goes through the alert services, which write the alert's history and
the audit row. Each inbox render, export and alert view writes its own audit row.
"""


from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from longarm.access import feature_required
from longarm.alerts import services
from longarm.alerts.charts import Bar, bar_chart
from longarm.alerts.errors import AlertError
from longarm.alerts.forms import ACTION_FORMS, AlertFilterForm, PeriodForm
from longarm.alerts.models import Alert
from longarm.alerts.selectors import (
    EXPORT_COLUMNS, alert_counts_by_code, alert_export_rows, alert_file, alert_may_act, alerts_for_desk,
    alerts_live_by_code, alerts_live_by_province, golden_week,
)
from longarm.audit.services import audit_record, audit_view
from longarm.csv_download import csv_download
from longarm.registry.selectors import page_of

# The desk is for staff who work across many officials: the same roles as the officials search.
FEATURE = "officials_search"

# One service per action; each gets the alert, the actor and the form's cleaned data.
ACTIONS = {
    "assign": lambda alert, actor, data: services.alert_assign(alert=alert, actor=actor, assignee=data["assignee"]),
    "acknowledge": lambda alert, actor, data: services.alert_acknowledge(alert=alert, actor=actor),
    "escalate": lambda alert, actor, data: services.alert_escalate(alert=alert, actor=actor, reason=data["reason"]),
    "resolve": lambda alert, actor, data: services.alert_resolve(alert=alert, actor=actor, reason=data["reason"]),
}
DONE = {"assign": "assigned", "acknowledge": "acknowledged", "escalate": "escalated", "resolve": "resolved"}


@require_GET
@feature_required(FEATURE)
def alert_inbox(request):
    """The alerts the user may see, filtered, with counts per code; htmx gets the results only."""
    form = AlertFilterForm(request.GET)
    page = counts = None
    if form.is_valid():
        filters = form.filters()
        page = page_of(alerts_for_desk(user=request.user, filters=filters).select_related("official", "assigned_to"),
                       number=form.page_number())
        counts = alert_counts_by_code(user=request.user, filters=filters)
        audit_record(actor=request.user, action="search", target_type="alerts.alert",
                     detail={**filters.as_detail(), "page": page.number, "shown": len(page.rows)})
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "alerts/inbox.html#results" if partial else "alerts/inbox.html",
                      {"form": form, "page": page, "counts": counts})
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@feature_required(FEATURE)
def alert_export(request):
    """The filtered inbox as CSV in the columns of `longarm alerts export`; one audit row per export."""
    form = AlertFilterForm(request.GET)
    if not form.is_valid():
        messages.error(request, "The export was not made: fix the filters first.")
        return redirect(f"{reverse('alerts:inbox')}?{request.GET.urlencode()}")
    filters = form.filters()
    queryset = alerts_for_desk(user=request.user, filters=filters)
    audit_record(actor=request.user, action="export", target_type="alerts.alert",
                 detail={**filters.as_detail(), "format": "csv"})
    return csv_download(alert_export_rows(queryset), name="alerts", fieldnames=EXPORT_COLUMNS)


def _form_context(action: str, alert: Alert, user) -> dict:
    return {"alert": alert, "user": user} if action == "assign" else {}


def _render_alert(request, alert: Alert, *, bound=None, status: int = 200):
    """The alert's page, with each action form empty or, after a refused action, bound with its errors."""
    audit_view(actor=request.user, target=alert)
    forms = {name: bound if bound is not None and bound.prefix == name
             else form_class(prefix=name, **_form_context(name, alert, request.user))
             for name, form_class in ACTION_FORMS.items()}
    return render(request, "alerts/alert_detail.html", {
        "file": alert_file(user=request.user, alert=alert), "forms": forms,
        "may_act": alert_may_act(user=request.user, alert=alert),
    }, status=status)


@require_GET
@feature_required(FEATURE)
def alert_detail(request, pk: int):
    """One alert with its evidence, why it was raised, who is responsible, its history and its actions."""
    return _render_alert(request, Alert.objects.get_visible(request.user, pk=pk))


@require_POST
@feature_required(FEATURE)
def alert_act(request, pk: int, action: str):
    """Assign, acknowledge, escalate or resolve an alert through its service; a refusal is shown in the form."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    alert = Alert.objects.get_visible(request.user, pk=pk)
    if not alert_may_act(user=request.user, alert=alert):
        raise PermissionDenied(f"{alert.jurisdiction} is responsible for this alert; you may read it, not work it.")
    form = ACTION_FORMS[action](request.POST, prefix=action, **_form_context(action, alert, request.user))
    if form.is_valid():
        try:
            ACTIONS[action](alert, request.user, form.cleaned_data)
        except AlertError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Alert {alert.pk} {DONE[action]}.")
            return redirect("alerts:detail", pk=alert.pk)
    return _render_alert(request, alert, bound=form, status=400)


@require_GET
@feature_required(FEATURE)
def alert_dashboard(request):
    """Alerts still being worked by code and by province, and the golden-week picture, as charts and tables."""
    form = PeriodForm(request.GET)
    week = None
    if form.is_valid():
        data = form.cleaned_data
        week = golden_week(user=request.user, start=data["start"], end=data["end"],
                           as_of=data["as_of"] or timezone.localdate())
    by_code = [row for row in alerts_live_by_code(user=request.user) if row[2]]
    by_province = alerts_live_by_province(user=request.user)
    charts = {
        "code": bar_chart([Bar(label, n, "bar-code") for _, label, n in by_code], title="Alerts by code"),
        "province": bar_chart([Bar(f"{code} {name}", n, "bar-province") for code, name, n in by_province],
                              title="Alerts by province"),
    }
    if week is not None:
        charts["week"] = bar_chart([
            Bar("abroad", week.abroad, "bar-abroad"), Bar("back on time", week.back_on_time, "bar-ok"),
            Bar("overdue", week.overdue, "bar-warn"), Bar("missing", week.missing, "bar-bad"),
        ], title=f"Officials abroad {week.start:%Y-%m-%d} to {week.end:%Y-%m-%d}")
    return render(request, "alerts/dashboard.html", {
        "form": form, "week": week, "by_code": by_code, "by_province": by_province, "charts": charts,
    })
