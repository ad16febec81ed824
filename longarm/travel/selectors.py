"""Reading travel requests: who decides next, the approver's queue with its pre-checks, history.

Who decides (the rule `trip_approve` and `trip_reject` enforce):

- Step 1: a personnel officer whose scope covers the official: the same
  jurisdiction and, when the officer is restricted to an organization, the
  same organization.
- Step 2, for officials of rank `prefectural` and above (prefectural,
  provincial, state): "the level above", i.e. a personnel officer of the
  official's jurisdiction with no organization restriction (the provincial
  personnel department), who is not the first approver.

A request is approved when every required step has approved it; a rejection
at any step rejects it.
"""

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from longarm.accounts.models import Role
from longarm.documents.models import CustodyAction, CustodyEvent, Document
from longarm.registry.models import Official, Rank
from longarm.travel import prechecks
from longarm.travel.models import Decision, Trip, TripDecision, TripEvent, TripStatus
from longarm.watchlist.selectors import watchlist_entries_covering

try:
    from longarm.documents import mrz as mrz_module
except ImportError:  # the MRZ check is optional: without it the pre-check says it was not run
    mrz_module = None

SECOND_APPROVAL_RANKS = frozenset({Rank.STATE, Rank.PROVINCIAL, Rank.PREFECTURAL})
# Alert statuses that no longer call for attention (the alerts app names its own).
CLOSED_ALERT_STATUSES = ("resolved", "withdrawn", "closed", "dismissed")


def approvals_required(official: Official) -> int:
    """Officials of rank prefectural and above need a second approval from the level above."""
    return 2 if official.rank in SECOND_APPROVAL_RANKS else 1


def trip_next_step(trip: Trip) -> int | None:
    """The approval step a requested trip awaits (1 or 2), or None when it awaits nothing."""
    if trip.status != TripStatus.REQUESTED:
        return None
    approved = sum(1 for decision in trip.decisions.all() if decision.decision == Decision.APPROVE)
    step = approved + 1
    return step if step <= approvals_required(trip.official) else None


def trip_first_approver_id(trip: Trip) -> int | None:
    for decision in trip.decisions.all():
        if decision.step == 1 and decision.decision == Decision.APPROVE:
            return decision.decider_id
    return None


def trip_decider_refusal(*, trip: Trip, user, step: int) -> str | None:
    """Why `user` may not decide `step` of `trip` (None when they may): the rule in this module's docstring."""
    official = trip.official
    if user is None or not user.is_authenticated or user.role != Role.PERSONNEL_OFFICER:
        return "Only a personnel officer decides travel requests."
    if user.jurisdiction != official.jurisdiction:
        return "Only a personnel officer of the official's jurisdiction decides this request."
    if step == 1:
        if user.organization and user.organization != official.organization:
            return "Only a personnel officer of the official's unit decides this request."
        return None
    if user.organization:
        return (f"Officials of rank {official.rank} need a second approval from the level above: a personnel "
                "officer of the whole jurisdiction, not of one unit.")
    if user.pk == trip_first_approver_id(trip):
        return "The second approval must come from another personnel officer than the first."
    return None


def trip_progress(trip: Trip) -> str:
    """Where a request stands, in words for its official and approvers."""
    step = trip_next_step(trip)
    if step is None:
        return trip.get_status_display()
    required = approvals_required(trip.official)
    if required == 1:
        return "awaiting approval"
    return f"awaiting approval {step} of {required}"


# Pre-checks ----------------------------------------------------------------------------------------


def _custody_action_now(document: Document, now: datetime.datetime) -> str:
    last = (CustodyEvent.objects.filter(document=document, occurred_at__lte=now)
            .order_by("-occurred_at", "-event_id").values_list("action", flat=True).first())
    return last or ""


def _documents_held(official: Official, now: datetime.datetime) -> int:
    last_action = Subquery(
        CustodyEvent.objects.filter(document=OuterRef("pk"), occurred_at__lte=now)
        .order_by("-occurred_at", "-event_id").values("action")[:1]
    )
    return (Document.objects.filter(official=official).annotate(last_action=last_action)
            .filter(last_action=CustodyAction.DEPOSIT).count())


def _mrz_problems(document: Document) -> tuple[str, ...] | None:
    if mrz_module is None or not document.mrz:
        return None
    official = document.official
    parsed = mrz_module.mrz_parse(document.mrz)
    problems = tuple(parsed.problems) + tuple(mrz_module.mrz_compare(
        parsed, number=document.number, issuing_state=document.issuing_state, expires_on=document.expires_on,
        date_of_birth=official.date_of_birth, sex=official.sex, family_name=official.family_name,
        given_name=official.given_name,
    ))
    return tuple(str(problem) for problem in problems)


def _open_alerts(official: Official) -> int | None:
    try:
        alert_model = apps.get_model("alerts", "Alert")
    except LookupError:
        return None
    alerts = alert_model.objects.filter(official_id=official.pk)
    if any(f.name == "status" for f in alert_model._meta.get_fields()):
        alerts = alerts.exclude(status__in=CLOSED_ALERT_STATUSES)
    return alerts.count()


def trip_precheck_facts(trip: Trip, *, now: datetime.datetime | None = None) -> prechecks.TripFacts:
    """Everything the pre-checks of `trip` look at, read unscoped: a check must see every restriction."""
    now = now or timezone.now()
    official = trip.official
    document = trip.document
    year_before = trip.depart_on - datetime.timedelta(days=365)
    return prechecks.TripFacts(
        depart_on=trip.depart_on,
        return_on=trip.return_on,
        watchlist=tuple(
            prechecks.WatchlistFact(entry_id=e.entry_id, measure=e.measure, legal_basis=e.legal_basis,
                                    authority=e.authority, starts_on=e.starts_on, expires_on=e.expires_on)
            for e in watchlist_entries_covering(official=official, first_day=trip.depart_on, last_day=trip.return_on)
        ),
        open_alerts=_open_alerts(official),
        sensitive_post=official.sensitive_post,
        relatives=tuple((r.relation, r.emigrated) for r in official.relatives.all()),
        document=None if document is None else prechecks.DocumentFact(
            document_id=document.document_id, expires_on=document.expires_on, has_mrz=bool(document.mrz),
            mrz_problems=_mrz_problems(document), custody_action=_custody_action_now(document, now),
        ),
        documents_held=_documents_held(official, now),
        trips_last_12_months=Trip.objects.filter(
            official=official, status=TripStatus.APPROVED, depart_on__gte=year_before, depart_on__lt=trip.depart_on,
        ).exclude(pk=trip.pk).count(),
        frequent_travel_threshold=settings.LONGARM_FREQUENT_TRAVEL_TRIPS_PER_YEAR,
    )


def trip_prechecks(trip: Trip, *, now: datetime.datetime | None = None) -> list[prechecks.Precheck]:
    """The pre-checks of a travel request, blocking ones first."""
    return prechecks.evaluate(trip_precheck_facts(trip, now=now))


# The approver's queue ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PendingRequest:
    """A request awaiting a decision by the viewer, with the pre-checks beside it."""

    trip: Trip
    step: int
    approvals_required: int
    decisions: tuple[TripDecision, ...]
    prechecks: tuple[prechecks.Precheck, ...]

    @property
    def blocked(self) -> bool:
        return any(check.severity == prechecks.Severity.BLOCK for check in self.prechecks)

    @property
    def warnings(self) -> int:
        return sum(1 for check in self.prechecks if check.severity == prechecks.Severity.WARN)


def trip_pending_queryset(*, user) -> QuerySet[Trip]:
    """Requests that `user` may decide now, departure soonest first (see the rule at the top)."""
    if user is None or not user.is_authenticated or user.role != Role.PERSONNEL_OFFICER:
        return Trip.objects.none()
    trips = (
        Trip.objects.visible_to(user)
        .filter(status=TripStatus.REQUESTED, official__jurisdiction=user.jurisdiction)
        .annotate(approvals=Count("decisions", filter=Q(decisions__decision=Decision.APPROVE)))
    )
    awaiting_first = Q(approvals=0)
    if user.organization:
        trips = trips.filter(awaiting_first, official__organization=user.organization)
    else:
        approved_by_user = TripDecision.objects.filter(trip=OuterRef("pk"), step=1, decider=user)
        awaiting_second = Q(approvals=1, official__rank__in=SECOND_APPROVAL_RANKS) & ~Exists(approved_by_user)
        trips = trips.filter(awaiting_first | awaiting_second)
    return (trips.select_related("official", "document")
            .prefetch_related("decisions", "official__relatives")
            .order_by("depart_on", "trip_id"))


def trip_pending_requests(*, trips, now: datetime.datetime | None = None) -> list[PendingRequest]:
    """Decorate requests (a page of `trip_pending_queryset`) with their step, decisions and pre-checks."""
    now = now or timezone.now()
    return [
        PendingRequest(trip=trip, step=trip_next_step(trip) or 0, approvals_required=approvals_required(trip.official),
                       decisions=tuple(trip.decisions.all()), prechecks=tuple(trip_prechecks(trip, now=now)))
        for trip in trips
    ]


def trip_pending_for(*, user, now: datetime.datetime | None = None) -> list[PendingRequest]:
    """The personnel officer's whole queue: pending requests they may decide, each with its pre-checks."""
    return trip_pending_requests(trips=trip_pending_queryset(user=user), now=now)


# The official's own view ---------------------------------------------------------------------------


def trip_list_for(*, user) -> QuerySet[Trip]:
    """The trips `user` may see (an official: their own), latest departure first."""
    return Trip.objects.visible_to(user).select_related("official", "document").prefetch_related("decisions")


def trip_history(*, trip: Trip, user) -> QuerySet[TripEvent]:
    """What happened to a request, oldest first, as far as `user` may see it."""
    return TripEvent.objects.visible_to(user).filter(trip_id=trip.pk).order_by("at", "id")


def trip_decisions(*, trip: Trip, user) -> QuerySet[TripDecision]:
    return TripDecision.objects.visible_to(user).filter(trip_id=trip.pk).order_by("step")
