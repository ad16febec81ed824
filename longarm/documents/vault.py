"""The vault: where each document is now, by the custody rule of the exchange formats.

The custody state of a document at a moment is set by its last event at or
before that moment (`deposit` → held, `release` → released to its holder,
`lost`, `cancel`); a document with no event has no custody state. A released
document is due back `document_return_days` after the return of the trip it
was released for.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import CharField, DateField, DateTimeField, OuterRef, QuerySet, Subquery, TextChoices
from django.db.models.functions import Coalesce, TruncDate

from longarm.documents.models import CustodyAction, CustodyEvent, Document
from longarm.travel.models import Trip, TripStatus


class CustodyState(TextChoices):
    HELD = "held", "held in custody"
    RELEASED = "released", "released to holder"
    LOST = "lost", "reported lost"
    CANCELLED = "cancelled", "cancelled"


STATE_AFTER = {
    CustodyAction.DEPOSIT: CustodyState.HELD,
    CustodyAction.RELEASE: CustodyState.RELEASED,
    CustodyAction.LOST: CustodyState.LOST,
    CustodyAction.CANCEL: CustodyState.CANCELLED,
}
ACTION_FOR_STATE = {state: action for action, state in STATE_AFTER.items()}
# Lost and cancelled documents never go back into circulation.
FINAL_STATES = frozenset({CustodyState.LOST, CustodyState.CANCELLED})


def return_days() -> int:
    return settings.LONGARM_RULES["document_return_days"]


def custody_last_event(*, document: Document, at: datetime.datetime | None = None) -> CustodyEvent | None:
    """The event that sets the document's custody state at `at` (now when not given); None when there is none.

    Two events at the same instant are ordered by event id, as in the ledger.
    """
    events = CustodyEvent.objects.filter(document=document)
    if at is not None:
        events = events.filter(occurred_at__lte=at)
    return events.order_by("-occurred_at", "-event_id").first()


def custody_state_at(*, document: Document, at: datetime.datetime | None = None) -> CustodyState | None:
    event = custody_last_event(document=document, at=at)
    return None if event is None else STATE_AFTER[event.action]


def with_custody(documents: QuerySet) -> QuerySet:
    """Annotate each document with its custody now: `custody_action`, `custody_since`,
    `custody_trip_id` (for a release) and `custody_trip_return_on`."""
    last = CustodyEvent.objects.filter(document_id=OuterRef("pk")).order_by("-occurred_at", "-event_id")
    fallback_trip = (Trip.objects.filter(document_id=OuterRef("pk"), status=TripStatus.APPROVED,
                                         return_on__gte=OuterRef("custody_since_day"))
                     .order_by("return_on", "trip_id"))
    return (
        documents
        .annotate(custody_action=Subquery(last.values("action")[:1], output_field=CharField()),
                  custody_since=Subquery(last.values("occurred_at")[:1], output_field=DateTimeField()),
                  custody_event_trip_id=Subquery(last.values("trip_id")[:1], output_field=CharField()))
        .annotate(custody_since_day=TruncDate("custody_since"))
        .annotate(custody_trip_id=Coalesce("custody_event_trip_id",
                                           Subquery(fallback_trip.values("trip_id")[:1], output_field=CharField())))
        .annotate(custody_trip_return_on=Subquery(Trip.objects.filter(pk=OuterRef("custody_trip_id"))
                                                  .values("return_on")[:1], output_field=DateField()))
    )


@dataclass(frozen=True)
class VaultRow:
    """One line of the vault: where a document is now."""

    document: Document
    state: CustodyState | None
    since: datetime.datetime | None
    trip_id: str | None
    due_back_on: datetime.date | None
    overdue: bool


def vault_documents(*, user, state: str | None = None, overdue_on: datetime.date | None = None,
                    jurisdiction: str = "", organization: str = "", official_id: str = "") -> QuerySet:
    """The documents `user` may see, each with its custody now, optionally narrowed.

    `state` is a `CustodyState` or `none` (never deposited); `overdue_on` keeps the released
    documents whose due-back day lies before that day.
    """
    documents = Document.objects.visible_to(user).select_related("official")
    if jurisdiction:
        documents = documents.filter(official__jurisdiction=jurisdiction)
    if organization:
        documents = documents.filter(official__organization=organization)
    if official_id:
        documents = documents.filter(official_id=official_id)
    documents = with_custody(documents)
    if state == "none":
        documents = documents.filter(custody_action__isnull=True)
    elif state:
        documents = documents.filter(custody_action=ACTION_FOR_STATE[CustodyState(state)])
    if overdue_on is not None:
        documents = documents.filter(custody_action=CustodyAction.RELEASE,
                                     custody_trip_return_on__lt=overdue_on - datetime.timedelta(days=return_days()))
    return documents.order_by("official_id", "document_id")


def vault_row(document: Document, *, today: datetime.date) -> VaultRow:
    """Read the annotations of `with_custody` into a `VaultRow`."""
    state = STATE_AFTER[document.custody_action] if document.custody_action else None
    due = None
    if state == CustodyState.RELEASED and document.custody_trip_return_on is not None:
        due = document.custody_trip_return_on + datetime.timedelta(days=return_days())
    return VaultRow(document=document, state=state, since=document.custody_since,
                    trip_id=document.custody_trip_id if state == CustodyState.RELEASED else None,
                    due_back_on=due, overdue=due is not None and due < today)


def custody_history(*, document: Document) -> QuerySet:
    """Every event of the document's ledger, oldest first, with who recorded it and for which trip."""
    return (CustodyEvent.objects.filter(document=document).select_related("recorded_by", "trip")
            .order_by("occurred_at", "event_id"))
