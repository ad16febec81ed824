"""Reading exit controls: which entries are in force, which await confirmation or review.

An entry is in force on a day when it is confirmed (`active`; imported
entries count as confirmed) and the day lies in `[starts_on, expires_on]`.
So an entry lapses by itself after its expiry date, with no job having to run.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from longarm.registry.models import Official
from longarm.watchlist.models import EntryStatus, WatchlistEntry, WatchlistEvent


class EntryState(StrEnum):
    """Where an entry stands on a given day, derived from its status and dates."""

    PROPOSED = "proposed"
    SCHEDULED = "scheduled"
    IN_FORCE = "in_force"
    LAPSED = "lapsed"
    WITHDRAWN = "withdrawn"


def entry_in_force_q(day: datetime.date) -> Q:
    """The filter for entries in force on `day`."""
    return Q(status=EntryStatus.ACTIVE, starts_on__lte=day, expires_on__gte=day)


def watchlist_entry_state(entry: WatchlistEntry, *, today: datetime.date | None = None) -> EntryState:
    today = today or timezone.localdate()
    if entry.status == EntryStatus.WITHDRAWN:
        return EntryState.WITHDRAWN
    if entry.status == EntryStatus.PROPOSED:
        return EntryState.PROPOSED
    if today > entry.expires_on:
        return EntryState.LAPSED
    if today < entry.starts_on:
        return EntryState.SCHEDULED
    return EntryState.IN_FORCE


def entry_state_q(state: EntryState, day: datetime.date) -> Q:
    """The filter for entries in `state` on `day`, as `watchlist_entry_state` decides it row by row."""
    active = Q(status=EntryStatus.ACTIVE)
    return {
        EntryState.PROPOSED: Q(status=EntryStatus.PROPOSED),
        EntryState.WITHDRAWN: Q(status=EntryStatus.WITHDRAWN),
        EntryState.LAPSED: active & Q(expires_on__lt=day),
        EntryState.SCHEDULED: active & Q(starts_on__gt=day, expires_on__gte=day),
        EntryState.IN_FORCE: entry_in_force_q(day),
    }[state]


def watchlist_entries(*, user, official_id: str = "", measure: str = "", state: EntryState | None = None,
                      today: datetime.date | None = None) -> QuerySet[WatchlistEntry]:
    """The entries `user` may see, optionally of one official, one measure or one state on `today`;
    latest start first, then by id, so that pages never overlap."""
    entries = WatchlistEntry.objects.visible_to(user).select_related("official")
    if official_id:
        entries = entries.filter(official_id=official_id)
    if measure:
        entries = entries.filter(measure=measure)
    if state:
        entries = entries.filter(entry_state_q(EntryState(state), today or timezone.localdate()))
    return entries.order_by("-starts_on", "entry_id")


def watchlist_effective_on(day: datetime.date, *, user=None) -> QuerySet[WatchlistEntry]:
    """Entries in force on `day`; only those `user` may see when a user is given.

    Without a user the answer is unscoped: for checks that must see every
    restriction (the travel pre-checks, the border check), never for display.
    """
    entries = WatchlistEntry.objects.visible_to(user) if user is not None else WatchlistEntry.objects.all()
    return entries.filter(entry_in_force_q(day)).select_related("official")


def watchlist_entries_covering(*, official: Official, first_day: datetime.date,
                               last_day: datetime.date) -> QuerySet[WatchlistEntry]:
    """Confirmed entries on `official` in force on at least one day of `[first_day, last_day]` (unscoped)."""
    return WatchlistEntry.objects.filter(
        official=official, status=EntryStatus.ACTIVE, starts_on__lte=last_day, expires_on__gte=first_day,
    ).order_by("starts_on", "entry_id")


def watchlist_due_for_review(*, user, today: datetime.date | None = None,
                             days: int | None = None) -> QuerySet[WatchlistEntry]:
    """Entries in force that expire within `days` (default: the review setting), soonest first.

    These come up for review: extend them with a reason, withdraw them, or let them lapse.
    """
    today = today or timezone.localdate()
    days = settings.LONGARM_WATCHLIST_REVIEW_DAYS if days is None else days
    return (
        WatchlistEntry.objects.visible_to(user)
        .filter(status=EntryStatus.ACTIVE, expires_on__gte=today, expires_on__lte=today + datetime.timedelta(days=days))
        .select_related("official", "proposed_by", "confirmed_by")
        .order_by("expires_on", "entry_id")
    )


def watchlist_awaiting_confirmation(*, user) -> QuerySet[WatchlistEntry]:
    """Proposed entries that `user` may confirm: visible to them and proposed by someone else."""
    return (
        WatchlistEntry.objects.visible_to(user)
        .filter(status=EntryStatus.PROPOSED)
        .exclude(proposed_by=user)
        .select_related("official", "proposed_by", "confirmed_by")
        .order_by("proposed_at", "entry_id")
    )


def watchlist_entry_history(*, entry: WatchlistEntry, user) -> QuerySet[WatchlistEvent]:
    """What happened to an entry, oldest first, as far as `user` may see it."""
    return WatchlistEvent.objects.visible_to(user).filter(entry_id=entry.pk).order_by("at", "id")


@dataclass(frozen=True)
class ReviewDue:
    """An entry due for review with the days left before it lapses."""

    entry: WatchlistEntry
    days_left: int


def watchlist_review_warnings(*, user, today: datetime.date | None = None,
                              days: int | None = None) -> list[ReviewDue]:
    """The review warnings for `user`: each entry due for review with its days left."""
    today = today or timezone.localdate()
    return [ReviewDue(entry=entry, days_left=(entry.expires_on - today).days)
            for entry in watchlist_due_for_review(user=user, today=today, days=days)]
