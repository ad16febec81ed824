"""The custody workflow: deposit, release for an approved trip, report lost, cancel.

Every action appends one event to the custody ledger (nothing is edited or
deleted) and writes its audit row in the same transaction. Only staff who keep
passports may act, and only on documents in their scope.
"""

import datetime
import uuid

from django.db import transaction
from django.utils import timezone

from longarm.accounts.models import Role
from longarm.audit.services import audit_record
from longarm.documents.errors import CustodyError, CustodyPermissionError
from longarm.documents.models import CustodyAction, CustodyEvent, Document, Reminder
from longarm.documents.vault import FINAL_STATES, STATE_AFTER, CustodyState, custody_last_event
from longarm.travel.models import Trip, TripStatus

# Personnel officers hold their unit's passports; an administrator corrects the
# ledger; batch jobs act as the system user.
CUSTODY_KEEPER_ROLES = frozenset({Role.PERSONNEL_OFFICER, Role.ADMINISTRATOR, Role.SYSTEM})
REASON_MAX_LENGTH = 500


def new_event_id() -> str:
    """Ids of events recorded in longarm: stable, unique, and never confused with a registry's ids."""
    return f"C-{uuid.uuid4()}"


def _check_keeper(*, document: Document, actor) -> Document:
    """Lock the document row and check that `actor` may act on it."""
    if actor is None or not actor.is_authenticated or (actor.role not in CUSTODY_KEEPER_ROLES
                                                        and not actor.is_superuser):
        raise CustodyPermissionError("Only personnel officers keep documents in custody.")
    locked = Document.objects.visible_to(actor).select_for_update().filter(pk=document.pk).first()
    if locked is None:
        raise CustodyPermissionError("This document is not in your custody scope.")
    return locked


def _moment(*, occurred_at: datetime.datetime | None, last: CustodyEvent | None) -> datetime.datetime:
    """When the action happened: now by default; never in the future, never before the last event,
    so that the ledger's order is the order in which things happened."""
    now = timezone.now()
    if occurred_at is None:
        occurred_at = now
    if timezone.is_naive(occurred_at):
        raise CustodyError("The time of a custody action needs a UTC offset.")
    if occurred_at > now + datetime.timedelta(minutes=5):
        raise CustodyError("A custody action cannot be recorded in the future.")
    if last is not None and occurred_at < last.occurred_at:
        raise CustodyError("A custody action cannot be dated before the document's last custody event "
                           f"({last.occurred_at.isoformat()}).")
    return occurred_at


def _reason(reason: str, *, required: bool, what: str) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise CustodyError(f"A reason is required to {what}.")
    if len(reason) > REASON_MAX_LENGTH:
        raise CustodyError(f"The reason is longer than {REASON_MAX_LENGTH} characters.")
    return reason


def _append(*, document: Document, action: CustodyAction, occurred_at: datetime.datetime, actor,
            note: str, state_before: CustodyState | None, trip: Trip | None = None) -> CustodyEvent:
    offset = occurred_at.utcoffset()
    event = CustodyEvent.objects.create(
        event_id=new_event_id(), document=document, action=action,
        occurred_at=occurred_at.astimezone(datetime.UTC),
        utc_offset=int(offset.total_seconds() // 60) if offset is not None else 0,
        recorded_by=actor, trip=trip, note=note,
    )
    audit_record(actor=actor, action=f"document.{action}", target=document, detail={
        "event_id": event.event_id, "occurred_at": occurred_at.isoformat(),
        "state_before": state_before, "state_after": STATE_AFTER[action],
        "trip_id": trip.pk if trip is not None else None, "reason": note,
    })
    return event


@transaction.atomic
def document_deposit(*, document: Document, actor, occurred_at: datetime.datetime | None = None,
                     note: str = "") -> CustodyEvent:
    """Take a document into custody: on first registration, or when its holder hands it back after a trip.

    A document already held cannot be deposited again, and a lost or cancelled one never returns.
    """
    document = _check_keeper(document=document, actor=actor)
    last = custody_last_event(document=document)
    state = STATE_AFTER[last.action] if last else None
    if state == CustodyState.HELD:
        raise CustodyError("This document is already held in custody.")
    if state in FINAL_STATES:
        raise CustodyError(f"This document was {state.label}; it cannot be deposited again.")
    return _append(document=document, action=CustodyAction.DEPOSIT, state_before=state, actor=actor,
                   occurred_at=_moment(occurred_at=occurred_at, last=last),
                   note=_reason(note, required=False, what="deposit"))


@transaction.atomic
def document_release(*, document: Document, trip: Trip, actor, reason: str = "",
                     occurred_at: datetime.datetime | None = None) -> CustodyEvent:
    """Hand a held document to its holder for one approved trip that has not ended yet.

    Only an approved trip authorises travel, so no approved trip, no release. The trip records the
    document it was released with; a trip that already names another document is refused.
    """
    document = _check_keeper(document=document, actor=actor)
    trip = Trip.objects.select_for_update().filter(pk=trip.pk).first()
    if trip is None or trip.official_id != document.official_id:
        raise CustodyError("A document is released only for a trip of its own holder.")
    if trip.status != TripStatus.APPROVED:
        raise CustodyError(f"The trip is {trip.get_status_display()}; a document is released only for an "
                           "approved trip.")
    if trip.document_id not in (None, document.pk):
        raise CustodyError(f"The trip was approved with another document ({trip.document_id}).")
    last = custody_last_event(document=document)
    state = STATE_AFTER[last.action] if last else None
    if state != CustodyState.HELD:
        if state in FINAL_STATES:
            raise CustodyError(f"This document was {state.label}; it can never be released.")
        raise CustodyError("Only a document held in custody can be released"
                           + (" (it is already with its holder)." if state else " (it was never deposited)."))
    moment = _moment(occurred_at=occurred_at, last=last)
    if trip.return_on < timezone.localdate(moment):
        raise CustodyError(f"The trip ended on {trip.return_on.isoformat()}; a document is released only for a "
                           "current or upcoming trip.")
    if trip.document_id is None:
        trip.document = document
        trip.save(update_fields=["document"])
    return _append(document=document, action=CustodyAction.RELEASE, state_before=state, actor=actor,
                   occurred_at=moment, trip=trip, note=_reason(reason, required=False, what="release"))


@transaction.atomic
def document_report_lost(*, document: Document, actor, reason: str,
                         occurred_at: datetime.datetime | None = None) -> CustodyEvent:
    """Record that a document was lost, in custody or by its holder. Lost is final: it is never
    released again (only its cancellation may follow)."""
    document = _check_keeper(document=document, actor=actor)
    reason = _reason(reason, required=True, what="report a document lost")
    last = custody_last_event(document=document)
    state = STATE_AFTER[last.action] if last else None
    if state in FINAL_STATES:
        raise CustodyError(f"This document was already {state.label}.")
    return _append(document=document, action=CustodyAction.LOST, state_before=state, actor=actor,
                   occurred_at=_moment(occurred_at=occurred_at, last=last), note=reason)


@transaction.atomic
def document_cancel(*, document: Document, actor, reason: str,
                    occurred_at: datetime.datetime | None = None) -> CustodyEvent:
    """Cancel a document for good (invalidated, replaced, or lost and then invalidated).

    Cancelled is final: the document can never be deposited or released again.
    """
    document = _check_keeper(document=document, actor=actor)
    reason = _reason(reason, required=True, what="cancel a document")
    last = custody_last_event(document=document)
    state = STATE_AFTER[last.action] if last else None
    if state == CustodyState.CANCELLED:
        raise CustodyError("This document is already cancelled.")
    return _append(document=document, action=CustodyAction.CANCEL, state_before=state, actor=actor,
                   occurred_at=_moment(occurred_at=occurred_at, last=last), note=reason)


@transaction.atomic
def reminder_mark_read(*, reminder: Reminder, actor) -> Reminder:
    """A user marks one of their own reminders read; reading it twice keeps the first time."""
    reminder = Reminder.objects.select_for_update().filter(pk=reminder.pk, user=actor).first()
    if reminder is None:
        raise CustodyPermissionError("This reminder is not yours.")
    if reminder.read_at is None:
        reminder.read_at = timezone.now()
        reminder.save(update_fields=["read_at"])
        audit_record(actor=actor, action="reminder.read", target=reminder,
                     detail={"kind": reminder.kind, "document_id": reminder.document_id})
    return reminder
