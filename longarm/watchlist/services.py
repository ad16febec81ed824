"""Changes to exit controls: propose, confirm, extend, withdraw, and record lapses.

Every restriction carries its legal basis, authority and expiry; it takes
effect only when a second analyst confirms it, and it lapses by itself after
its expiry date (see `selectors.entry_in_force_q`). Each change adds a
`WatchlistEvent` and an audit row in the same transaction.
"""

import datetime
import uuid

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from longarm.accounts.models import Role
from longarm.audit.services import audit_record
from longarm.registry.models import Official
from longarm.watchlist.errors import WatchlistError, WatchlistPermissionDenied
from longarm.watchlist.models import EntryStatus, EventKind, Measure, WatchlistEntry, WatchlistEvent

# Analysts keep the watch list: a provincial analyst for the officials of
# their jurisdiction (the scope enforces it), a central analyst for all.
ANALYST_ROLES = frozenset({Role.PROVINCIAL_ANALYST, Role.CENTRAL_ANALYST})


def _require_analyst(actor, doing: str) -> None:
    if actor is None or not actor.is_authenticated or actor.role not in ANALYST_ROLES:
        raise WatchlistPermissionDenied(f"Only a provincial or central analyst may {doing} a watch-list entry.")


def _locked_entry(*, entry: WatchlistEntry, actor) -> WatchlistEntry:
    """The entry as the actor may see it, locked for the change (404 when not theirs)."""
    return WatchlistEntry.objects.select_for_update(of=("self",)).get_visible(actor, pk=entry.pk)


def _add_event(*, entry: WatchlistEntry, kind: EventKind, actor, reason: str = "",
               previous_expires_on: datetime.date | None = None) -> WatchlistEvent:
    return WatchlistEvent.objects.create(
        entry=entry, kind=kind, at=timezone.now(), actor=actor, actor_name=actor.get_username(), reason=reason,
        previous_expires_on=previous_expires_on, expires_on=entry.expires_on,
    )


def _full_clean(entry: WatchlistEntry) -> None:
    try:
        entry.full_clean()
    except ValidationError as error:
        raise WatchlistError("; ".join(error.messages)) from None


@transaction.atomic
def watchlist_propose(*, official: Official, measure: str, legal_basis: str, authority: str, starts_on: datetime.date,
                      expires_on: datetime.date, actor, case_ref: str = "") -> WatchlistEntry:
    """An analyst proposes an exit control; it restricts nobody until a second analyst confirms it.

    No legal basis, no restriction: the legal basis, the deciding authority and
    an expiry after the start are required, and the expiry may not be past.
    """
    _require_analyst(actor, "propose")
    official = Official.objects.get_visible(actor, pk=official.pk)
    legal_basis, authority, case_ref = legal_basis.strip(), authority.strip(), case_ref.strip()
    if measure not in Measure.values:
        raise WatchlistError(f"Unknown measure {measure!r}: use one of {', '.join(Measure.values)}.")
    if not legal_basis:
        raise WatchlistError("No legal basis, no restriction: name the decision or law that permits the measure.")
    if not authority:
        raise WatchlistError("Name the authority that decided the measure.")
    if expires_on <= starts_on:
        raise WatchlistError(f"The expiry ({expires_on}) must be after the start ({starts_on}).")
    today = timezone.localdate()
    if expires_on < today:
        raise WatchlistError(f"The expiry ({expires_on}) is already past.")
    entry = WatchlistEntry(
        entry_id=f"W-{uuid.uuid4().hex}", official=official, measure=measure, legal_basis=legal_basis,
        authority=authority, case_ref=case_ref, starts_on=starts_on, expires_on=expires_on,
        status=EntryStatus.PROPOSED, status_reason="", proposed_by=actor, proposed_at=timezone.now(),
    )
    _full_clean(entry)
    entry.save(force_insert=True)
    _add_event(entry=entry, kind=EventKind.PROPOSED, actor=actor)
    audit_record(actor=actor, action="watchlist.propose", target=entry, detail={
        "official_id": official.pk, "measure": measure, "legal_basis": legal_basis, "authority": authority,
        "case_ref": case_ref, "starts_on": starts_on, "expires_on": expires_on,
    })
    return WatchlistEntry.objects.get_visible(actor, pk=entry.pk)


@transaction.atomic
def watchlist_confirm(*, entry: WatchlistEntry, actor) -> WatchlistEntry:
    """A second analyst, never the proposer, confirms a proposed entry, which then takes effect.

    An entry whose expiry passed while it waited cannot be confirmed: it is proposed again.
    """
    _require_analyst(actor, "confirm")
    entry = _locked_entry(entry=entry, actor=actor)
    if entry.status != EntryStatus.PROPOSED:
        raise WatchlistError(f"Only a proposed entry can be confirmed; this one is {entry.get_status_display()}.")
    if entry.proposed_by_id == actor.pk:
        raise WatchlistPermissionDenied("A second analyst must confirm this entry: you proposed it.")
    if entry.expires_on < timezone.localdate():
        raise WatchlistError(f"The entry expired on {entry.expires_on} before it was confirmed; propose it again.")
    entry.status = EntryStatus.ACTIVE
    entry.confirmed_by = actor
    entry.confirmed_at = timezone.now()
    _full_clean(entry)
    entry.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    _add_event(entry=entry, kind=EventKind.CONFIRMED, actor=actor)
    audit_record(actor=actor, action="watchlist.confirm", target=entry,
                 detail={"official_id": entry.official_id, "proposed_by": entry.proposed_by_id})
    return WatchlistEntry.objects.get_visible(actor, pk=entry.pk)


@transaction.atomic
def watchlist_extend(*, entry: WatchlistEntry, new_expires_on: datetime.date, reason: str, actor) -> WatchlistEntry:
    """Move the expiry of an entry in force to a later date, only with a recorded reason.

    A lapsed entry is not revived by an extension: a new entry is proposed and
    confirmed instead. The earlier expiry stays in the entry's history.
    """
    _require_analyst(actor, "extend")
    entry = _locked_entry(entry=entry, actor=actor)
    reason = reason.strip()
    if not reason:
        raise WatchlistError("An extension needs a recorded reason.")
    if entry.status != EntryStatus.ACTIVE:
        raise WatchlistError(f"Only a confirmed entry can be extended; this one is {entry.get_status_display()}.")
    if entry.expires_on < timezone.localdate():
        raise WatchlistError(f"The entry lapsed after {entry.expires_on}; propose a new entry instead.")
    if new_expires_on <= entry.expires_on:
        raise WatchlistError(f"The new expiry ({new_expires_on}) must be after the current one ({entry.expires_on}).")
    previous = entry.expires_on
    entry.expires_on = new_expires_on
    _full_clean(entry)
    entry.save(update_fields=["expires_on"])
    _add_event(entry=entry, kind=EventKind.EXTENDED, actor=actor, reason=reason, previous_expires_on=previous)
    audit_record(actor=actor, action="watchlist.extend", target=entry,
                 detail={"previous_expires_on": previous, "expires_on": new_expires_on, "reason": reason})
    return WatchlistEntry.objects.get_visible(actor, pk=entry.pk)


@transaction.atomic
def watchlist_withdraw(*, entry: WatchlistEntry, reason: str, actor) -> WatchlistEntry:
    """Withdraw a proposed or confirmed entry with its reason; the entry and its history stay."""
    _require_analyst(actor, "withdraw")
    entry = _locked_entry(entry=entry, actor=actor)
    reason = reason.strip()
    if not reason:
        raise WatchlistError("A withdrawal needs a recorded reason.")
    if entry.status == EntryStatus.WITHDRAWN:
        raise WatchlistError("This entry is already withdrawn.")
    previous_status = entry.status
    entry.status = EntryStatus.WITHDRAWN
    entry.status_reason = reason[:500]
    entry.save(update_fields=["status", "status_reason"])
    _add_event(entry=entry, kind=EventKind.WITHDRAWN, actor=actor, reason=reason)
    audit_record(actor=actor, action="watchlist.withdraw", target=entry,
                 detail={"previous_status": previous_status, "reason": reason})
    return WatchlistEntry.objects.get_visible(actor, pk=entry.pk)


@transaction.atomic
def watchlist_record_lapses(*, today: datetime.date, actor) -> int:
    """Write into the history that confirmed entries lapsed after their expiry; return how many.

    The lapse itself needs no write (an entry is in force only up to its
    expiry date); this keeps the history readable. Each run is audited with its count
    (`watchlist.lapse_run`), as other batch work; running it again records no entry twice.
    """
    lapsed = list(
        WatchlistEntry.objects.filter(status=EntryStatus.ACTIVE, expires_on__lt=today)
        .exclude(events__kind=EventKind.LAPSED)
        .select_for_update(of=("self",))
        .order_by("entry_id")
    )
    now = timezone.now()
    WatchlistEvent.objects.bulk_create([
        WatchlistEvent(entry=entry, kind=EventKind.LAPSED, at=now, actor=actor, actor_name=actor.get_username(),
                       expires_on=entry.expires_on)
        for entry in lapsed
    ])
    for entry in lapsed:
        audit_record(actor=actor, action="watchlist.lapse", target=entry,
                     detail={"expires_on": entry.expires_on, "recorded_on": today})
    audit_record(actor=actor, action="watchlist.lapse_run", target_type="watchlist.watchlistentry",
                 detail={"today": today.isoformat(), "lapsed": len(lapsed)})
    return len(lapsed)
