"""Travel documents of officials and the custody ledger (exchange formats: documents, custody)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from longarm.accounts.scoping import Scope, ScopedQuerySet
from longarm.registry.models import ID_LENGTH, Official


class DocType(models.TextChoices):
    PASSPORT = "passport", "passport"
    SERVICE_PASSPORT = "service_passport", "service passport"
    DIPLOMATIC_PASSPORT = "diplomatic_passport", "diplomatic passport"
    TRAVEL_PERMIT = "travel_permit", "travel permit"
    OTHER = "other", "other"


class Document(models.Model):
    """A passport or travel permit of an official, as registered by the issuing office."""

    scope = Scope(jurisdictions=("official__jurisdiction",), organization="official__organization",
                  official="official_id")

    document_id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="documents")
    doc_type = models.CharField(max_length=24, choices=DocType.choices)
    number = models.CharField(max_length=64)
    number_norm = models.CharField(max_length=64, db_index=True)
    issuing_state = models.CharField(max_length=3)
    issued_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField()
    mrz = models.CharField(max_length=120, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["official_id", "doc_type", "document_id"]
        indexes = [
            models.Index(fields=["issuing_state", "number_norm"]),
            # The daily expiry reminders look up documents by expiry date.
            models.Index(fields=["expires_on"], name="documents_expires_on_idx"),
            # Reconciliation finds officials holding two documents of one type by scanning this index alone.
            models.Index(fields=["official", "doc_type"], name="documents_official_type_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} {self.issuing_state} {self.number}"


class CustodyAction(models.TextChoices):
    DEPOSIT = "deposit", "deposited (held)"
    RELEASE = "release", "released to holder"
    LOST = "lost", "reported lost"
    CANCEL = "cancel", "cancelled"


class CustodyEvent(models.Model):
    """One entry of the custody ledger. The state at a moment is the last event at or before it."""

    scope = Scope(jurisdictions=("document__official__jurisdiction",),
                  organization="document__official__organization", official="document__official_id")

    event_id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="custody_events")
    action = models.CharField(max_length=8, choices=CustodyAction.choices)
    occurred_at = models.DateTimeField()
    # The UTC offset the record came with, in minutes: rules on "local dates"
    # use it (the local date is the date in the record's own offset).
    utc_offset = models.SmallIntegerField(default=0)
    # Events recorded in longarm say who recorded them, for which trip a
    # document went out, and why; imported events leave these empty.
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    trip = models.ForeignKey("travel.Trip", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="custody_events")
    note = models.CharField(max_length=500, blank=True, default="", db_default="")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["document_id", "occurred_at", "event_id"]
        indexes = [models.Index(fields=["document", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.document_id} {self.action} {self.occurred_at:%Y-%m-%d %H:%M}"


class ReminderKind(models.TextChoices):
    RETURN_DUE = "return_due", "document due back"
    EXPIRY = "expiry", "document expires soon"


class Reminder(models.Model):
    """An in-app reminder to one user about one document, also sent by e-mail.

    One per (user, kind, document, due date): sending reminders again for the
    same day, or every day, adds nothing.
    """

    scope = Scope(jurisdictions=("document__official__jurisdiction",),
                  organization="document__official__organization", official="document__official_id")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reminders")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="reminders")
    due_on = models.DateField(help_text="The day the document is due back, or the day it expires")
    message = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["read_at", "due_on", "id"]
        indexes = [models.Index(fields=["user", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "document", "due_on"], name="reminder_once_per_due_date",
                                    violation_error_message="this reminder was already sent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.document_id} on {self.due_on} for {self.user_id}"
