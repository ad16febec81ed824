"""The review queue of identity resolution: the pairs (filters, counts, CSV export), a pair side by side with
the waterfall of its score, and the analyst's decision.

Reads start from `CandidatePair.objects.visible_to(user)`; a decision goes
through `pair_decide`, which writes the history and the audit row. Each queue
render, export and pair view writes its own audit row.
"""


from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from longarm.access import feature_required
from longarm.alerts.models import Alert
from longarm.audit.services import audit_record, audit_view
from longarm.csv_download import csv_download
from longarm.identity.errors import IdentityError
from longarm.identity.forms import DecisionForm, PairFilterForm
from longarm.identity.models import CandidatePair, Decision
from longarm.identity.selectors import (
    EXPORT_COLUMNS, pair_counts_by_status, pair_export_rows, pair_file, pair_for_alert, pair_may_decide,
    pairs_for_queue,
)
from longarm.identity.services import pair_decide
from longarm.identity.waterfall import waterfall_steps, waterfall_svg
from longarm.registry.selectors import page_of

FEATURE = "identity"


@require_GET
@feature_required(FEATURE)
def pair_queue(request):
    """The pairs the user may see, filtered, with counts per status; htmx gets the results only."""
    form = PairFilterForm(request.GET)
    page = counts = None
    if form.is_valid():
        filters = form.filters()
        page = page_of(pairs_for_queue(user=request.user, filters=filters)
                       .select_related("official_a", "official_b", "crossing", "model"), number=form.page_number())
        counts = pair_counts_by_status(user=request.user, filters=filters)
        audit_record(actor=request.user, action="search", target_type="identity.candidatepair",
                     detail={**filters.as_detail(), "page": page.number, "shown": len(page.rows)})
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "identity/queue.html#results" if partial else "identity/queue.html", {
        "form": form, "page": page, "counts": counts,
        "match_probability": settings.LONGARM_IDENTITY_MATCH_PROBABILITY,
        "review_probability": settings.LONGARM_IDENTITY_REVIEW_PROBABILITY,
    })
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@feature_required(FEATURE)
def pair_export(request):
    """The filtered queue as CSV; one audit row per export."""
    form = PairFilterForm(request.GET)
    if not form.is_valid():
        messages.error(request, "The export was not made: fix the filters first.")
        return redirect(f"{reverse('identity:queue')}?{request.GET.urlencode()}")
    filters = form.filters()
    queryset = pairs_for_queue(user=request.user, filters=filters)
    audit_record(actor=request.user, action="export", target_type="identity.candidatepair",
                 detail={**filters.as_detail(), "format": "csv"})
    return csv_download(pair_export_rows(queryset), name="identity-pairs", fieldnames=EXPORT_COLUMNS)


def _render_pair(request, pair: CandidatePair, *, form=None, status: int = 200):
    audit_view(actor=request.user, target=pair, detail={"ref": pair.ref, "kind": pair.kind})
    file = pair_file(user=request.user, pair=pair)
    steps = waterfall_steps(prior_weight=file.prior_weight, contributions=pair.contributions,
                            match_weight=pair.match_weight)
    return render(request, "identity/pair_detail.html", {
        "file": file, "steps": steps, "chart": waterfall_svg(steps, probability=pair.match_probability),
        "form": form or DecisionForm(), "may_decide": pair_may_decide(user=request.user),
    }, status=status)


def _visible_pair(request, pk: int) -> CandidatePair:
    return CandidatePair.objects.select_related("official_a", "official_b", "crossing", "model", "run",
                                                "scored_run").get_visible(request.user, pk=pk)


@require_GET
@feature_required(FEATURE)
def pair_detail(request, pk: int):
    """One pair: both records side by side, why the model scored it so, the decisions, and the decision form."""
    return _render_pair(request, _visible_pair(request, pk))


@require_GET
@feature_required(FEATURE)
def pair_of_alert(request, alert_pk: int):
    """From a DUPLICATE_IDENTITY alert to its pair's page (404 when either is not the user's to see)."""
    alert = Alert.objects.get_visible(request.user, pk=alert_pk)
    pair = pair_for_alert(user=request.user, alert=alert)
    if pair is None:
        raise Http404("No pair of identity resolution is behind this alert.")
    return redirect("identity:detail", pk=pair.pk)


@require_POST
@feature_required(FEATURE)
def pair_decide_view(request, pk: int):
    """Record the analyst's judgement through `pair_decide`; a refusal is shown in the form."""
    pair = _visible_pair(request, pk)
    if not pair_may_decide(user=request.user):
        raise PermissionDenied("Only analysts judge pairs; you may read them.")
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            pair_decide(pair=pair, actor=request.user, decision=form.cleaned_data["decision"],
                        note=form.cleaned_data["note"])
        except IdentityError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Pair {pair.pk} judged: {Decision(form.cleaned_data['decision']).label}.")
            return redirect("identity:detail", pk=pair.pk)
    return _render_pair(request, pair, form=form, status=400)
