"""Batch runs in the web UI: the list and one run with its parameters, counts and log.

Runs hold no person's record (parameters, counts and a log), so they are not
scoped by jurisdiction: every analyst, administrator and auditor sees them all.
"""

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from longarm.access import feature_required
from longarm.runs.models import Run, RunKind, RunStatus

PAGE_SIZE = 50


class RunFilterForm(forms.Form):
    kind = forms.ChoiceField(required=False, choices=[("", "any")] + RunKind.choices)
    status = forms.ChoiceField(required=False, choices=[("", "any")] + RunStatus.choices)


@feature_required("runs")
def run_list(request):
    """Runs newest first, filtered by kind and status. The table stays small (one row per run), so pages count."""
    form = RunFilterForm(request.GET)
    page = None
    if form.is_valid():
        runs = Run.objects.all()
        if form.cleaned_data["kind"]:
            runs = runs.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["status"]:
            runs = runs.filter(status=form.cleaned_data["status"])
        page = Paginator(runs.defer("log"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "runs/run_list.html", {"form": form, "page": page})


@feature_required("runs")
def run_detail(request, run_id: int):
    """One run: who started it, parameters, counts, duration, status, error and the full log."""
    return render(request, "runs/run_detail.html", {"run": get_object_or_404(Run, pk=run_id)})
