"""The pursuit pages: the case list, a case's page with its actions, and opening a case from an alert.

Reads start from `Case.objects.visible_to(user)`; every change goes through
one service of `longarm.cases.services`, which writes the case's timeline and
the audit row. Opening a case's page is audited.
"""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from longarm.access import feature_required
from longarm.alerts.models import Alert
from longarm.audit.services import audit_record, audit_view
from longarm.cases import services
from longarm.cases.errors import CaseError
from longarm.cases.forms import ACTION_FORMS, CaseFilterForm
from longarm.cases.models import Case, Measure, Recovery
from longarm.cases.selectors import case_recovered_total, case_timeline
from longarm.registry.selectors import page_of
from longarm.reports.errors import ReportError
from longarm.treaties.selectors import avenues_for_case

FEATURE = "cases"

ACTIONS = {
    "located": lambda case, actor, d: services.case_record_located(
        case=case, countries=d["countries"], located_on=d["located_on"], actor=actor),
    "detention": lambda case, actor, d: services.case_record_detention(
        case=case, country=d["country"].strip().upper(), detained_on=d["detained_on"], actor=actor),
    "return": lambda case, actor, d: services.case_record_return(
        case=case, returned_on=d["returned_on"], returned_from=d["returned_from"].strip().upper(),
        return_avenue=d["return_avenue"], actor=actor),
    "death": lambda case, actor, d: services.case_record_death(
        case=case, died_on=d["died_on"], country=(d["country"] or "").strip().upper(), actor=actor),
    "close": lambda case, actor, d: services.case_close(case=case, reason=d["reason"], actor=actor),
}
DONE = {"located": "located", "detention": "recorded as detained", "return": "recorded as returned",
        "death": "recorded as deceased", "close": "closed"}


@require_GET
@feature_required(FEATURE)
def case_list(request):
    """The cases the user may see, filtered by status, category and jurisdiction, searched by name."""
    form = CaseFilterForm(request.GET)
    page = None
    if form.is_valid():
        data = form.cleaned_data
        cases = Case.objects.visible_to(request.user)
        if data["q"]:
            words = data["q"].split()
            for word in words:
                cases = cases.filter(Q(family_name__icontains=word) | Q(given_name__icontains=word)
                                     | Q(native_name__icontains=word) | Q(case_id__iexact=word))
        for field in ("status", "category"):
            if data[field]:
                cases = cases.filter(**{field: data[field]})
        if data["jurisdiction"]:
            cases = cases.filter(jurisdiction=data["jurisdiction"].strip().upper())
        page = page_of(cases, number=data["page"] or 1)
        audit_record(actor=request.user, action="search", target_type="cases.case",
                     detail={key: value for key, value in data.items() if value} | {"shown": len(page.rows)})
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "cases/case_list.html", {"form": form, "page": page, "query": query.urlencode()})


def _render_case(request, case: Case, *, bound=None, status: int = 200):
    audit_view(actor=request.user, target=case)
    forms = {name: bound if bound is not None and bound.prefix == name else form_class(prefix=name)
             for name, form_class in ACTION_FORMS.items()}
    recoveries = Recovery.objects.filter(case=case).order_by("recovered_on", "recovery_id")
    try:
        total, total_error = case_recovered_total(case=case), ""
    except ReportError as error:
        total, total_error = None, error.message
    return render(request, "cases/case_detail.html", {
        "case": case, "events": case_timeline(case=case),
        "measures": Measure.objects.filter(case=case).order_by("created_at", "id"),
        "recoveries": recoveries, "total": total, "total_error": total_error,
        "avenues": avenues_for_case(case), "forms": forms,
    }, status=status)


@require_GET
@feature_required(FEATURE)
def case_detail(request, case_id: str):
    """One case: the subject, what they are accused of, where they are, the timeline, measures, recoveries,
    the treaty avenues and the actions."""
    return _render_case(request, Case.objects.get_visible(request.user, pk=case_id))


@require_POST
@feature_required(FEATURE)
def case_act(request, case_id: str, action: str):
    """Record located, detention, return or death, or close the case, through its service; refusals show."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    case = Case.objects.get_visible(request.user, pk=case_id)
    form = ACTION_FORMS[action](request.POST, prefix=action)
    if form.is_valid():
        try:
            ACTIONS[action](case, request.user, form.cleaned_data)
        except CaseError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Case {case.pk} {DONE[action]}.")
            return redirect("cases:detail", case_id=case.pk)
    return _render_case(request, case, bound=form, status=400)


@require_POST
@feature_required(FEATURE)
def case_open_from_alert(request, alert_id: int):
    """Open a case from a MISSING or UNAUTHORIZED_EXIT alert, then go to the case."""
    alert = Alert.objects.get_visible(request.user, pk=alert_id)
    try:
        case = services.case_open_from_alert(alert=alert, actor=request.user)
    except CaseError as error:
        messages.error(request, error.message)
        return redirect("alerts:detail", pk=alert.pk)
    messages.success(request, f"Case {case.pk} opened from alert {alert.pk}.")
    return redirect("cases:detail", case_id=case.pk)
