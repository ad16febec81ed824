"""Alerts raised by reconciliation, their life cycle and their routing between jurisdictions."""

from django.conf import settings
from django.db import models

from longarm.accounts.scoping import Scope, ScopedQuerySet
from longarm.registry.models import ID_LENGTH, Official


class AlertCode(models.TextChoices):
    UNAUTHORIZED_EXIT = "UNAUTHORIZED_EXIT", "unauthorized exit"
    DESTINATION_MISMATCH = "DESTINATION_MISMATCH", "destination mismatch"
    OVERDUE_RETURN = "OVERDUE_RETURN", "overdue return"
    MISSING = "MISSING", "missing"
    WATCHLIST_EXIT = "WATCHLIST_EXIT", "exit while on the watch list"
    CUSTODY_BREACH = "CUSTODY_BREACH", "custody breach"
    UNREGISTERED_DOCUMENT = "UNREGISTERED_DOCUMENT", "unregistered document"
    IDENTITY_MISMATCH = "IDENTITY_MISMATCH", "identity mismatch"
    DOCUMENT_NOT_RETURNED = "DOCUMENT_NOT_RETURNED", "document not returned"
    DUPLICATE_DOCUMENT = "DUPLICATE_DOCUMENT", "duplicate document"
    INVALID_MRZ = "INVALID_MRZ", "invalid MRZ"
    NAKED_OFFICIAL = "NAKED_OFFICIAL", "naked official"
    DUPLICATE_IDENTITY = "DUPLICATE_IDENTITY", "duplicate identity"


class AlertStatus(models.TextChoices):
    OPEN = "open", "open"
    ACKNOWLEDGED = "acknowledged", "acknowledged"
    ESCALATED = "escalated", "escalated"
    RESOLVED = "resolved", "resolved"
    WITHDRAWN = "withdrawn", "withdrawn (later data showed it wrong)"


# Statuses in which an alert is still being worked, and so can be withdrawn by a later run.
LIVE_STATUSES = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED, AlertStatus.ESCALATED)


class Severity(models.TextChoices):
    CRITICAL = "critical", "critical"
    HIGH = "high", "high"
    MEDIUM = "medium", "medium"
    LOW = "low", "low"


class Alert(models.Model):
    """One finding of a rule about one official, identified by `(code, official, ref)`.

    Never deleted: when later data contradicts it, reconciliation withdraws it
    with the reason. `jurisdiction` (the official's) is responsible; the
    jurisdictions in `reported_to` (where the crossings happened) are notified,
    and both see it through `notices`.
    """

    scope = Scope(jurisdictions=("notices__jurisdiction",), organization="official__organization", official=None)

    code = models.CharField(max_length=32, choices=AlertCode.choices)
    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="alerts")
    ref = models.CharField(max_length=2 * ID_LENGTH + 1, help_text="event_id, trip_id, document ids … per code")
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    jurisdiction = models.CharField(max_length=8, help_text="the official's jurisdiction, responsible for the alert")
    reported_to = models.CharField(max_length=200, blank=True,
                                   help_text="other jurisdictions notified (where the crossings happened), ; separated")
    raised_on = models.DateField(null=True, blank=True,
                                 help_text="the first as-of date on which the data behind the alert was on record; "
                                           "empty for rules that no dated record decides")
    detail = models.CharField(max_length=500)
    evidence = models.JSONField(default=dict, blank=True, help_text="ids of the records behind the alert")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="assigned_alerts")
    run = models.ForeignKey("runs.Run", on_delete=models.PROTECT, related_name="raised_alerts")
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    withdrawn_reason = models.CharField(max_length=500, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_as_of = models.DateField(null=True, blank=True)
    withdrawn_run = models.ForeignKey("runs.Run", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="withdrawn_alerts")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["code", "official", "ref"], name="alert_identity_unique",
                                    violation_error_message="an alert with this code, official and ref exists"),
            models.CheckConstraint(condition=models.Q(status__in=AlertStatus.values), name="alert_status_valid",
                                   violation_error_message="unknown alert status"),
        ]
        indexes = [
            models.Index(fields=["status", "code"]),
            models.Index(fields=["jurisdiction", "status"]),
            models.Index(fields=["raised_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.official_id} {self.ref} ({self.status})"


class AlertNotice(models.Model):
    """A jurisdiction that sees an alert: the responsible one (the official's) and every one notified."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="notices")
    jurisdiction = models.CharField(max_length=8)
    responsible = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "jurisdiction"], name="alert_notice_unique")]
        indexes = [models.Index(fields=["jurisdiction", "alert"])]

    def __str__(self) -> str:
        return f"{self.alert_id} → {self.jurisdiction}"


class AlertEvent(models.Model):
    """One change of an alert's status or assignment, with who, when, and why: the alert's history."""

    alert = models.ForeignKey(Alert, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="alert_events")
    actor_name = models.CharField(max_length=150)
    run = models.ForeignKey("runs.Run", null=True, blank=True, on_delete=models.PROTECT, related_name="alert_events")
    action = models.CharField(max_length=16)
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["alert_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.alert_id} {self.action} {self.from_status}→{self.to_status}"


class OwnedCrossing(models.Model):
    """A crossing that belonged to at least one official in some reconciliation run (the crossing's `official`
    names the owner only when there is exactly one). A daily run reads these again with the day's new
    crossings instead of filtering every crossing on record; bookkeeping of the run, holding only ids."""

    event_id = models.CharField(max_length=ID_LENGTH, primary_key=True)

    def __str__(self) -> str:
        return self.event_id
