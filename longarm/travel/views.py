"""The travel pages: an official's requests (request, cancel, report back) and the approver's queue.

Thin views: each parses a form, calls one service of `longarm.travel.services`,
and shows a refusal in the form it came from.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from longarm.access import feature_required
from longarm.accounts.models import Role
from longarm.audit.services import audit_record
from longarm.travel import services
from longarm.travel.errors import TravelError
from longarm.registry.selectors import page_of
from longarm.travel.forms import NoteForm, ReasonForm, ReportReturnForm, TripFilterForm, TripRequestForm
from longarm.travel.models import Trip, TripStatus
from longarm.travel.selectors import (
    trip_history, trip_list_for, trip_pending_queryset, trip_pending_requests, trip_progress,
)

FEATURE = "travel"

# Each action: the form it reads, the service call, the page it belongs to, and the word for done.
ACTIONS = {
    "cancel": (ReasonForm, lambda trip, actor, data: services.trip_cancel(trip=trip, actor=actor,
                                                                         reason=data["reason"]), "list", "cancelled"),
    "report-return": (ReportReturnForm, lambda trip, actor, data: services.trip_report_return(
        trip=trip, actor=actor, returned_on=data["returned_on"], note=data["note"]), "list", "reported back"),
    "approve": (NoteForm, lambda trip, actor, data: services.trip_approve(trip=trip, actor=actor, note=data["note"]),
                "pending", "approved"),
    "reject": (ReasonForm, lambda trip, actor, data: services.trip_reject(trip=trip, actor=actor,
                                                                         reason=data["reason"]), "pending", "rejected"),
}


def _is_official(user) -> bool:
    return user.role == Role.OFFICIAL and user.official_id is not None


def _trip_rows(request, trips, bound=None):
    """Each trip of a page with its history and, for its own official, the forms that apply now."""
    rows = []
    for trip in trips:
        row = {"trip": trip, "progress": trip_progress(trip), "history": trip_history(trip=trip, user=request.user),
               "forms": {}}
        if _is_official(request.user):
            if trip.status in (TripStatus.REQUESTED, TripStatus.APPROVED):
                row["forms"]["cancel"] = ReasonForm(prefix=f"cancel-{trip.pk}")
            if trip.status == TripStatus.APPROVED and trip.reported_back_at is None:
                row["forms"]["report-return"] = ReportReturnForm(prefix=f"report-return-{trip.pk}")
        if bound is not None and bound[0] == trip.pk:
            row["forms"][bound[1]] = bound[2]
        rows.append(row)
    return rows


def _refusal_off_page(request, rows, bound) -> None:
    """A refused action on a trip not on the page shown (or no longer the viewer's): the refusal goes on top."""
    if bound is not None and bound[0] not in {row["trip"].pk for row in rows}:
        form = bound[2]
        for error in form.non_field_errors():
            messages.error(request, error)
        for field in form:
            for error in field.errors:
                messages.error(request, f"Trip {bound[0]}, {field.label.lower()}: {error}")


def _render_list(request, *, request_form=None, bound=None, status=200):
    """The trips a page at a time, filtered by status and official (the pager keeps the filters); htmx gets
    the results only."""
    if request_form is None and _is_official(request.user):
        request_form = TripRequestForm(user=request.user)
    filters = TripFilterForm(request.GET, auto_id="filter_%s")
    page = None
    if filters.is_valid():
        data = filters.cleaned_data
        trips = trip_list_for(user=request.user)
        if data["status"]:
            trips = trips.filter(status=data["status"])
        if data["official_id"].strip():
            trips = trips.filter(official_id=data["official_id"].strip())
        page = page_of(trips, number=filters.page_number())
        page.rows = _trip_rows(request, page.rows, bound)
        _refusal_off_page(request, page.rows, bound)
        audit_record(actor=request.user, action="search", target_type="travel.trip",
                     detail={"status": data["status"], "official_id": data["official_id"].strip(),
                             "page": page.number, "shown": len(page.rows)})
    context = {"filters": filters, "page": page, "is_official": _is_official(request.user)}
    if request.htmx and not request.htmx.history_restore_request and request.method == "GET":
        response = render(request, "travel/trip_list.html#results", context)
    else:
        response = render(request, "travel/trip_list.html", {**context, "request_form": request_form},
                          status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@feature_required(FEATURE)
def trip_list(request):
    """The trips the user may see (an official: their own) with status and history, and the request form."""
    return _render_list(request)


@require_POST
@feature_required(FEATURE)
def trip_request_view(request):
    """An official requests travel through `trip_request`; a refusal is shown in the form."""
    if not _is_official(request.user):
        raise PermissionDenied("Only an official requests travel, for themself.")
    form = TripRequestForm(request.POST, user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        try:
            trip = services.trip_request(
                official=request.user.official, purpose=data["purpose"], destinations=data["destinations"],
                depart_on=data["depart_on"], return_on=data["return_on"], companions=data["companions"],
                document=data["document"], actor=request.user)
        except TravelError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Travel request {trip.pk} sent for approval.")
            return redirect("travel:list")
    return _render_list(request, request_form=form, status=400)


def _render_pending(request, *, bound=None, status=200):
    """The queue a page at a time, departure soonest first, each request with its pre-checks."""
    number = 1
    try:
        number = min(max(int(request.GET.get("page") or 1), 1), 1_000_000)
    except ValueError:
        pass
    page = page_of(trip_pending_queryset(user=request.user), number=number)
    rows = []
    for pending in trip_pending_requests(trips=page.rows):
        pk = pending.trip.pk
        forms = {"approve": NoteForm(prefix=f"approve-{pk}"), "reject": ReasonForm(prefix=f"reject-{pk}")}
        if bound is not None and bound[0] == pk:
            forms[bound[1]] = bound[2]
        rows.append({"pending": pending, "trip": pending.trip, "forms": forms})
    page.rows = rows
    # The trip left the queue, is on another page, or was never the viewer's to decide.
    _refusal_off_page(request, rows, bound)
    audit_record(actor=request.user, action="search", target_type="travel.trip",
                 detail={"queue": "pending", "page": page.number, "shown": len(rows)})
    partial = request.htmx and not request.htmx.history_restore_request and request.method == "GET"
    response = render(request, "travel/pending.html#results" if partial else "travel/pending.html",
                      {"page": page}, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
@feature_required(FEATURE)
def trip_pending(request):
    """The personnel officer's queue: requests they may decide, with the pre-checks beside each."""
    if request.user.role != Role.PERSONNEL_OFFICER:
        raise PermissionDenied("Only personnel officers decide travel requests.")
    return _render_pending(request)


@require_POST
@feature_required(FEATURE)
def trip_act(request, trip_id: str, action: str):
    """Cancel, report back, approve or reject one trip through its service; a refusal is shown in the form."""
    if action not in ACTIONS:
        raise Http404("No such action.")
    form_class, act, page, done = ACTIONS[action]
    if page == "pending" and request.user.role != Role.PERSONNEL_OFFICER:
        raise PermissionDenied("Only personnel officers decide travel requests.")
    if page == "list" and not _is_official(request.user):
        raise PermissionDenied("Only the official who travels may do this.")
    trip = Trip.objects.get_visible(request.user, pk=trip_id)
    form = form_class(request.POST, prefix=f"{action}-{trip.pk}")
    if form.is_valid():
        try:
            act(trip, request.user, form.cleaned_data)
        except TravelError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"Trip {trip.pk} {done}.")
            return redirect(f"travel:{page}")
    bound = (trip.pk, action, form)
    if page == "pending":
        return _render_pending(request, bound=bound, status=400)
    return _render_list(request, bound=bound, status=400)
