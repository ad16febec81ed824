"""The watch list: entries with status and expiry, review warnings, propose, and per entry its history
with confirm, extend and withdraw.

Thin views: reads start from `WatchlistEntry.objects.visible_to(user)`; each
change calls one service of `longarm.watchlist.services` and shows a refusal in its form.
"""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from longarm.access import feature_required
from longarm.audit.services import audit_record, audit_view
from longarm.watchlist import services
from longarm.watchlist.errors import WatchlistError
from longarm.registry.selectors import page_of
from longarm.watchlist.forms import ConfirmForm, ExtendForm, FilterForm, ProposeForm, ReasonForm
from longarm.watchlist.models import WatchlistEntry
from longarm.watchlist.selectors import (
    watchlist_awaiting_confirmation, watchlist_entries, watchlist_entry_history, watchlist_entry_state,
    watchlist_review_warnings,
)

FEATURE = "watchlist"
REVIEW_DAYS = 30

ACTIONS = {
    "confirm": (ConfirmForm, lambda entry, actor, data: services.watchlist_confirm(entry=entry, actor=actor),
                "confirmed"),
    "extend": (ExtendForm, lambda entry, actor, data: services.watchlist_extend(
        entry=entry, actor=actor, new_expires_on=data["new_expires_on"], reason=data["reason"]), "extended"),
    "withdraw": (ReasonForm, lambda entry, actor, data: services.watchlist_withdraw(
        entry=entry, actor=actor, reason=data["reason"]), "withdrawn"),
}


def _render_list(request, *, form=None, status=200):
    """The list's page: the filtered entries a page at a time (htmx gets the results only), the review
    warnings, the entries awaiting the user's confirmation and the propose form."""
    filters = FilterForm(request.GET, auto_id="filter_%s")
    page = None
    if filters.is_valid():
        data = filters.cleaned_data
        page = page_of(watchlist_entries(user=request.user, official_id=data["official_id"].strip(),
                                         measure=data["measure"], state=data["state"] or None),
                       number=filters.page_number())
        today = timezone.localdate()
        page.rows = [(entry, watchlist_entry_state(entry, today=today)) for entry in page.rows]
        audit_record(actor=request.user, action="search", target_type="watchlist.watchlistentry",
                     detail={"official_id": data["official_id"].strip(), "measure": data["measure"],
                             "state": data["state"], "page": page.number, "shown": len(page.rows)})
    context = {"filters": filters, "page": page}
    if request.htmx and not request.htmx.history_restore_request and request.method == "GET":
        response = render(request, "watchlist/list.html#results", context)
    else:
        response = render(request, "watchlist/list.html", {
            **context,
            "warnings": watchlist_review_warnings(user=request.user, days=REVIEW_DAYS),
            "awaiting": watchlist_awaiting_confirmation(user=request.user),
            "form": form or ProposeForm(user=request.user), "review_days": REVIEW_DAYS,
        }, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@feature_required(FEATURE)
def watchlist_list(request):
    """Entries with status and expiry, those due for review, those awaiting confirmation, and the propose form."""
    return _render_list(request)


@require_POST
@feature_required(FEATURE)
def watchlist_propose_view(request):
    """Propose an entry through `watchlist_propose`; a refusal is shown in the form."""
    form = ProposeForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            entry = services.watchlist_propose(
                official=data["official"], measure=data["measure"], legal_basis=data["legal_basis"],
                authority=data["authority"], case_ref=data["case_ref"], starts_on=data["starts_on"],
                expires_on=data["expires_on"], actor=request.user)
        except WatchlistError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Entry {entry.pk} proposed; another analyst must confirm it.")
            return redirect("watchlist:entry", entry_id=entry.pk)
    return _render_list(request, form=form, status=400)


def _render_entry(request, entry, *, bound=None, status=200):
    audit_view(actor=request.user, target=entry)
    forms = {action: bound if bound is not None and bound.prefix == action else form_class(prefix=action)
             for action, (form_class, _, _) in ACTIONS.items()}
    return render(request, "watchlist/entry.html", {
        "entry": entry, "state": watchlist_entry_state(entry), "forms": forms,
        "history": watchlist_entry_history(entry=entry, user=request.user),
    }, status=status)


@require_GET
@feature_required(FEATURE)
def watchlist_entry(request, entry_id: str):
    """One entry: its measure, legal basis, dates, history, and the actions."""
    entry = WatchlistEntry.objects.select_related("official").get_visible(request.user, pk=entry_id)
    return _render_entry(request, entry)


@require_POST
@feature_required(FEATURE)
def watchlist_act(request, entry_id: str, action: str):
    """Confirm, extend or withdraw an entry through its service; a refusal is shown in the form."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    entry = WatchlistEntry.objects.select_related("official").get_visible(request.user, pk=entry_id)
    form_class, act, done = ACTIONS[action]
    form = form_class(request.POST, prefix=action)
    if form.is_valid():
        try:
            act(entry, request.user, form.cleaned_data)
        except WatchlistError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Entry {entry.pk} {done}.")
            return redirect("watchlist:entry", entry_id=entry.pk)
    return _render_entry(request, entry, bound=form, status=400)
