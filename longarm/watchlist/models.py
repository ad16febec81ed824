"""Exit controls: every restriction of a person with its legal basis, authority and expiry."""

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
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} on {self.official_id} until {self.expires_on}"
