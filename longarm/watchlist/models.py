"""Exit controls: every restriction of a person with its legal basis, authority and expiry."""

from django.conf import settings
from django.db import models

from longarm.accounts.scoping import Scope, ScopedQuerySet
from longarm.registry.models import ID_LENGTH, Official


class Measure(models.TextChoices):
    EXIT_BAN = "exit_ban", "exit ban"
    ALERT_ONLY = "alert_only", "alert only"


class EntryStatus(models.TextChoices):
    PROPOSED = "proposed", "proposed, awaiting confirmation"
    ACTIVE = "active", "active"
    WITHDRAWN = "withdrawn", "withdrawn"


class WatchlistEntry(models.Model):
    """An exit control on an official. No legal basis, authority and expiry, no entry.

    Entries are never deleted: they lapse at `expires_on` or are withdrawn
    with a reason, and the history stays.
    """

    scope = Scope(jurisdictions=("official__jurisdiction",), organization="official__organization",
                  official=None)

    entry_id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="watchlist_entries")
    measure = models.CharField(max_length=16, choices=Measure.choices)
    legal_basis = models.CharField(max_length=500)
    authority = models.CharField(max_length=300)
    case_ref = models.CharField(max_length=120, blank=True)
    starts_on = models.DateField()
    expires_on = models.DateField()
    status = models.CharField(max_length=16, choices=EntryStatus.choices, db_default=EntryStatus.ACTIVE)
    status_reason = models.CharField(max_length=500, blank=True, db_default="")
    # Kept by longarm's own workflow. Imported entries leave them empty and
    # count as confirmed by the sending authority.
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    proposed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "entry_id"]
        verbose_name_plural = "watch-list entries"
        constraints = [
            models.CheckConstraint(condition=models.Q(expires_on__gt=models.F("starts_on")),
                                   name="watchlist_expires_after_start",
                                   violation_error_message="expires_on must be after starts_on"),
            models.CheckConstraint(condition=~models.Q(legal_basis="") & ~models.Q(authority=""),
                                   name="watchlist_has_legal_basis_and_authority",
                                   violation_error_message="a watch-list entry needs a legal basis and an authority"),
            models.CheckConstraint(condition=models.Q(confirmed_by__isnull=True) | models.Q(proposed_by__isnull=True)
                                   | ~models.Q(confirmed_by=models.F("proposed_by")),
                                   name="watchlist_confirmed_by_second_analyst",
                                   violation_error_message="an entry must be confirmed by another analyst than its proposer"),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} on {self.official_id} until {self.expires_on}"


class EventKind(models.TextChoices):
    PROPOSED = "proposed", "proposed"
    CONFIRMED = "confirmed", "confirmed, in force"
    EXTENDED = "extended", "extended"
    WITHDRAWN = "withdrawn", "withdrawn"
    LAPSED = "lapsed", "lapsed at its expiry"


class WatchlistEvent(models.Model):
    """The history of a watch-list entry: who proposed, confirmed, extended or withdrew it, and why.

    Rows are only added, so an entry's earlier expiry dates and reasons stay on record.
    """

    scope = Scope(jurisdictions=("entry__official__jurisdiction",), organization="entry__official__organization",
                  official=None)

    entry = models.ForeignKey(WatchlistEntry, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150)
    reason = models.CharField(max_length=1000, blank=True)
    previous_expires_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["entry_id", "at", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(kind__in=["extended", "withdrawn"]) | ~models.Q(reason=""),
                                   name="watchlist_event_change_has_reason",
                                   violation_error_message="an extension or withdrawal needs a reason"),
            models.UniqueConstraint(fields=["entry"], condition=models.Q(kind="lapsed"),
                                    name="watchlist_event_lapses_once"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.kind} by {self.actor_name}"
