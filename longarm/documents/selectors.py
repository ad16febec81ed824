"""Reading travel documents and their custody ledger.

The custody state of a document at a moment is set by its last custody event
at or before that moment (spec, "custody"): deposit → held, release →
released to its holder, lost → reported lost, cancel → cancelled. A document
with no event by then has no custody state.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from longarm.documents.models import CustodyEvent, Document
from longarm.documents.vault import STATE_AFTER

# The state each action leaves a document in, as the spec names it (one table, kept by the vault).
CUSTODY_STATE = STATE_AFTER


def local_moment(occurred_at: datetime.datetime, utc_offset_minutes: int) -> datetime.datetime:
    """The moment as it read where it was recorded: in the record's own UTC offset, not the viewer's zone."""
    return occurred_at.astimezone(datetime.timezone(datetime.timedelta(minutes=utc_offset_minutes)))


def custody_state_at(events, moment: datetime.datetime) -> str | None:
    """The custody state after the last of `events` at or before `moment`, or None if there is none.

    `events` may come in any order; ties on `occurred_at` are broken by
    event_id, as the ledger orders them.
    """
    last = None
    for event in events:
        if event.occurred_at <= moment and (last is None or (event.occurred_at, event.event_id)
                                            >= (last.occurred_at, last.event_id)):
            last = event
    return CUSTODY_STATE[last.action] if last is not None else None


def document_custody_state(*, document: Document, at: datetime.datetime) -> str | None:
    """The custody state of one document at a moment, read from the ledger (one indexed query)."""
    action = (CustodyEvent.objects.filter(document=document, occurred_at__lte=at)
              .order_by("-occurred_at", "-event_id").values_list("action", flat=True).first())
    return CUSTODY_STATE[action] if action is not None else None


@dataclass
class DocumentCustody:
    """A document with its custody history (oldest first, each event with its local time) and its state now."""

    document: Document
    events: list[CustodyEvent] = field(default_factory=list)
    state: str | None = None


def documents_with_custody(*, user, official, at: datetime.datetime | None = None) -> list[DocumentCustody]:
    """The documents of `official` that `user` may see, each with its custody ledger and state at `at` (now).

    Both documents and custody events are read through their own scope, so a
    user never sees a ledger entry they could not see on its own.
    """
    at = at or timezone.now()
    events = CustodyEvent.objects.visible_to(user).order_by("occurred_at", "event_id")
    documents = (Document.objects.visible_to(user).filter(official=official)
                 .prefetch_related(Prefetch("custody_events", queryset=events, to_attr="ledger"))
                 .order_by("doc_type", "expires_on", "document_id"))
    result = []
    for document in documents:
        for event in document.ledger:
            event.local_at = local_moment(event.occurred_at, event.utc_offset)
        result.append(DocumentCustody(document=document, events=document.ledger,
                                      state=custody_state_at(document.ledger, at)))
    return result
