"""Changes to travel requests: request, approve, reject, cancel, report the return.

An official requests travel for themself; personnel officers decide it (who
decides which step: `longarm.travel.selectors`); only an approved trip
authorises travel. Each change adds a `TripEvent` and an audit row in the
same transaction.
"""

import datetime
import uuid
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from longarm.accounts.models import Role
from longarm.audit.services import audit_record
from longarm.documents.models import Document
from longarm.geo import country_codes
from longarm.registry.models import Official
from longarm.travel import prechecks
from longarm.travel.errors import TravelError, TravelPermissionDenied, TripBlocked
from longarm.travel.models import Decision, Purpose, Trip, TripDecision, TripEvent, TripEventKind, TripStatus
from longarm.travel.selectors import approvals_required, trip_decider_refusal, trip_next_step, trip_prechecks


def _add_event(*, trip: Trip, kind: TripEventKind, actor, note: str = "") -> TripEvent:
    return TripEvent.objects.create(trip=trip, kind=kind, at=timezone.now(), actor=actor,
                                    actor_name=actor.get_username(), note=note)


def _locked_trip(*, trip: Trip, actor) -> Trip:
    """The trip as the actor may see it, locked for the change (404 when not theirs)."""
    return Trip.objects.select_for_update(of=("self",)).select_related("official", "document").get_visible(
        actor, pk=trip.pk)


def _full_clean(trip: Trip) -> None:
    try:
        trip.full_clean()
    except ValidationError as error:
        raise TravelError("; ".join(error.messages)) from None


def _require_own_official(actor, doing: str) -> None:
    if actor is None or not actor.is_authenticated or actor.role != Role.OFFICIAL or actor.official_id is None:
        raise TravelPermissionDenied(f"Only the official who travels may {doing}.")


def _clean_destinations(destinations: Sequence[str]) -> list[str]:
    codes = list(dict.fromkeys(code.strip().upper() for code in destinations if code.strip()))
    if not codes:
        raise TravelError("Name at least one destination country.")
    unknown = [code for code in codes if code not in country_codes()]
    if unknown:
        raise TravelError(f"Unknown destination {', '.join(unknown)}: use ISO 3166-1 alpha-3 codes such as USA.")
    if settings.LONGARM_HOME_COUNTRY in codes:
        raise TravelError(f"{settings.LONGARM_HOME_COUNTRY} is the home country, not a destination abroad.")
    return codes


def _clean_companions(companions: Sequence[str]) -> list[str]:
    names = [name.strip() for name in companions if name.strip()]
    if any(";" in name for name in names):
        raise TravelError("A companion's name may not contain ';'; give one name per companion.")
    return names


@transaction.atomic
def trip_request(*, official: Official, purpose: str, destinations: Sequence[str], depart_on: datetime.date,
                 return_on: datetime.date, actor, companions: Sequence[str] = (),
                 document: Document | None = None) -> Trip:
    """An official requests travel abroad for themself; the request awaits its approvals.

    Departure may not be past and return not before departure; the document,
    when named, must be one of the official's own.
    """
    _require_own_official(actor, "request travel")
    official = Official.objects.get_visible(actor, pk=official.pk)
    if purpose not in Purpose.values:
        raise TravelError(f"Unknown purpose {purpose!r}: use one of {', '.join(Purpose.values)}.")
    codes = _clean_destinations(destinations)
    names = _clean_companions(companions)
    if depart_on < timezone.localdate():
        raise TravelError(f"The departure date {depart_on} is past.")
    if return_on < depart_on:
        raise TravelError(f"The return date {return_on} is before the departure date {depart_on}.")
    if document is not None:
        document = Document.objects.visible_to(actor).filter(pk=document.pk, official=official).first()
        if document is None:
            raise TravelError("The document named is not one of the official's registered documents.")
    trip = Trip(
        trip_id=f"T-{uuid.uuid4().hex}", official=official, document=document, purpose=purpose,
        destinations=";".join(codes), depart_on=depart_on, return_on=return_on, status=TripStatus.REQUESTED,
        companions=";".join(names), requested_by=actor, requested_at=timezone.now(), status_reason="",
        return_note="",
    )
    _full_clean(trip)
    trip.save(force_insert=True)
    _add_event(trip=trip, kind=TripEventKind.REQUESTED, actor=actor)
    audit_record(actor=actor, action="trip.request", target=trip, detail={
        "official_id": official.pk, "purpose": purpose, "destinations": codes, "depart_on": depart_on,
        "return_on": return_on, "companions": names, "document_id": document.pk if document else None,
        "approvals_required": approvals_required(official),
    })
    return Trip.objects.get_visible(actor, pk=trip.pk)


def _decidable(*, trip: Trip, actor) -> tuple[Trip, int]:
    """Lock the trip and return it with the step the actor decides, or refuse."""
    if actor is None or not actor.is_authenticated or actor.role != Role.PERSONNEL_OFFICER:
        raise TravelPermissionDenied("Only a personnel officer decides travel requests.")
    trip = _locked_trip(trip=trip, actor=actor)
    step = trip_next_step(trip)
    if step is None:
        raise TravelError(f"This request is {trip.get_status_display()}: there is nothing left to decide.")
    refusal = trip_decider_refusal(trip=trip, user=actor, step=step)
    if refusal:
        raise TravelPermissionDenied(refusal)
    return trip, step


@transaction.atomic
def _trip_approve(*, trip: Trip, actor, note: str) -> Trip:
    trip, step = _decidable(trip=trip, actor=actor)
    checks = trip_prechecks(trip)
    blocks = prechecks.blocking(checks)
    if blocks:
        raise TripBlocked(" ".join(check.message for check in blocks))
    TripDecision.objects.create(
        trip=trip, step=step, decider=actor, decider_name=actor.get_username(), decision=Decision.APPROVE,
        reason=note, decided_at=timezone.now(), prechecks=[check.as_dict() for check in checks],
    )
    required = approvals_required(trip.official)
    final = step == required
    if final:
        trip.status = TripStatus.APPROVED
        trip.decided_on = timezone.localdate()
        trip.save(update_fields=["status", "decided_on"])
    _add_event(trip=trip, kind=TripEventKind.APPROVED if final else TripEventKind.APPROVED_STEP, actor=actor,
               note=note)
    audit_record(actor=actor, action="trip.approve", target=trip, detail={
        "step": step, "approvals_required": required, "final": final, "note": note,
        "warnings": [check.as_dict() for check in checks if check.severity == prechecks.Severity.WARN],
    })
    return Trip.objects.get_visible(actor, pk=trip.pk)


def trip_approve(*, trip: Trip, actor, note: str = "") -> Trip:
    """Approve the step of a request that the actor decides; the last required approval approves the trip.

    Refused while an exit ban is in force on any day of the trip. A refused
    attempt changes nothing and is itself recorded in the audit log.
    """
    try:
        return _trip_approve(trip=trip, actor=actor, note=note.strip())
    except TripBlocked as refusal:
        audit_record(actor=actor, action="trip.approve_refused", target=trip, detail={"reason": refusal.message})
        raise


@transaction.atomic
def trip_reject(*, trip: Trip, reason: str, actor) -> Trip:
    """Reject a request at the step the actor decides, with a reason; a rejection at any step is final."""
    reason = reason.strip()
    trip, step = _decidable(trip=trip, actor=actor)
    if not reason:
        raise TravelError("A rejection needs a reason.")
    checks = trip_prechecks(trip)
    TripDecision.objects.create(
        trip=trip, step=step, decider=actor, decider_name=actor.get_username(), decision=Decision.REJECT,
        reason=reason, decided_at=timezone.now(), prechecks=[check.as_dict() for check in checks],
    )
    trip.status = TripStatus.REJECTED
    trip.decided_on = timezone.localdate()
    trip.status_reason = reason[:500]
    trip.save(update_fields=["status", "decided_on", "status_reason"])
    _add_event(trip=trip, kind=TripEventKind.REJECTED, actor=actor, note=reason)
    audit_record(actor=actor, action="trip.reject", target=trip, detail={"step": step, "reason": reason})
    return Trip.objects.get_visible(actor, pk=trip.pk)


@transaction.atomic
def trip_cancel(*, trip: Trip, reason: str, actor) -> Trip:
    """The official withdraws their own request while pending, or an approved trip before departure."""
    _require_own_official(actor, "cancel a travel request")
    trip = _locked_trip(trip=trip, actor=actor)
    reason = reason.strip()
    if not reason:
        raise TravelError("Say why the request is cancelled.")
    today = timezone.localdate()
    if trip.status == TripStatus.APPROVED and trip.depart_on <= today:
        raise TravelError("An approved trip can be cancelled only before its departure date.")
    if trip.status not in (TripStatus.REQUESTED, TripStatus.APPROVED):
        raise TravelError(f"This request is {trip.get_status_display()} and cannot be cancelled.")
    previous_status = trip.status
    trip.status = TripStatus.CANCELLED
    trip.status_reason = reason[:500]
    trip.save(update_fields=["status", "status_reason"])
    _add_event(trip=trip, kind=TripEventKind.CANCELLED, actor=actor, note=reason)
    audit_record(actor=actor, action="trip.cancel", target=trip,
                 detail={"previous_status": previous_status, "reason": reason})
    return Trip.objects.get_visible(actor, pk=trip.pk)


@transaction.atomic
def trip_report_return(*, trip: Trip, returned_on: datetime.date, actor, note: str = "") -> Trip:
    """After an approved trip the official reports the day they came back, once.

    The day lies between the departure and today; the border feed, not this
    report, is what reconciliation trusts.
    """
    _require_own_official(actor, "report the return")
    trip = _locked_trip(trip=trip, actor=actor)
    note = note.strip()
    if trip.status != TripStatus.APPROVED:
        raise TravelError(f"Only an approved trip has a return to report; this one is {trip.get_status_display()}.")
    if trip.reported_back_at is not None:
        raise TravelError(f"The return from this trip was already reported on {trip.returned_on}.")
    if returned_on < trip.depart_on:
        raise TravelError(f"The return date {returned_on} is before the departure date {trip.depart_on}.")
    if returned_on > timezone.localdate():
        raise TravelError(f"The return date {returned_on} is in the future: report the return after it.")
    trip.returned_on = returned_on
    trip.return_note = note
    trip.reported_back_at = timezone.now()
    _full_clean(trip)
    trip.save(update_fields=["returned_on", "return_note", "reported_back_at"])
    _add_event(trip=trip, kind=TripEventKind.RETURN_REPORTED, actor=actor, note=note)
    audit_record(actor=actor, action="trip.report_return", target=trip, detail={
        "returned_on": returned_on, "planned_return_on": trip.return_on, "late": returned_on > trip.return_on,
        "note": note,
    })
    return Trip.objects.get_visible(actor, pk=trip.pk)
