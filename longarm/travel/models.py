"""Requests to travel abroad and their decisions (exchange format: trips)."""

from django.conf import settings
from django.db import models

from longarm.accounts.scoping import Scope, ScopedQuerySet
from longarm.documents.models import Document
from longarm.registry.models import ID_LENGTH, Official


class Purpose(models.TextChoices):
    PRIVATE = "private", "private"
    OFFICIAL = "official", "official"


class TripStatus(models.TextChoices):
    REQUESTED = "requested", "requested"
    APPROVED = "approved", "approved"
    REJECTED = "rejected", "rejected"
    CANCELLED = "cancelled", "cancelled"


class Trip(models.Model):
    """A request to travel abroad. Only an approved trip authorises an exit."""

    scope = Scope(jurisdictions=("official__jurisdiction",), organization="official__organization",
                  official="official_id")

    trip_id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="trips")
    document = models.ForeignKey(Document, null=True, blank=True, on_delete=models.PROTECT, related_name="trips")
    purpose = models.CharField(max_length=16, choices=Purpose.choices)
    destinations = models.CharField(max_length=200, help_text="ISO alpha-3 codes, ; separated")
    depart_on = models.DateField()
    return_on = models.DateField()
    status = models.CharField(max_length=16, choices=TripStatus.choices)
    decided_on = models.DateField(null=True, blank=True)
    # Fields below are kept by longarm's own workflow; imported rows leave them
    # empty, so each is nullable or has a database default.
    companions = models.CharField(max_length=500, blank=True, db_default="",
                                  help_text="People travelling with the official, ; separated")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    requested_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.CharField(max_length=500, blank=True, db_default="")
    returned_on = models.DateField(null=True, blank=True, help_text="Actual return date, as reported by the official")
    return_note = models.CharField(max_length=1000, blank=True, db_default="")
    reported_back_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-depart_on", "trip_id"]
        indexes = [models.Index(fields=["official", "depart_on"]), models.Index(fields=["status", "depart_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(return_on__gte=models.F("depart_on")),
                                   name="trip_return_not_before_departure",
                                   violation_error_message="return_on must not be before depart_on"),
            models.CheckConstraint(condition=models.Q(returned_on__isnull=True)
                                   | models.Q(returned_on__gte=models.F("depart_on")),
                                   name="trip_returned_not_before_departure",
                                   violation_error_message="the reported return must not be before depart_on"),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id}: {self.destinations} {self.depart_on}–{self.return_on} ({self.status})"

    @property
    def destination_list(self) -> list[str]:
        return [code for code in self.destinations.split(";") if code]

    @property
    def companion_list(self) -> list[str]:
        return [name for name in self.companions.split(";") if name]


class DecisionStep(models.IntegerChoices):
    FIRST = 1, "first approval"
    SECOND = 2, "second approval, from the level above"


class Decision(models.TextChoices):
    APPROVE = "approve", "approved"
    REJECT = "reject", "rejected"


class TripDecision(models.Model):
    """One approver's decision on a travel request, at one step of its approval.

    A step is decided once; a rejection always carries its reason.
    """

    scope = Scope(jurisdictions=("trip__official__jurisdiction",), organization="trip__official__organization",
                  official="trip__official_id")

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="decisions")
    step = models.PositiveSmallIntegerField(choices=DecisionStep.choices)
    decider = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decider_name = models.CharField(max_length=150, help_text="Copied, so the row stays readable if the user is renamed")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    reason = models.CharField(max_length=1000, blank=True)
    decided_at = models.DateTimeField()
    prechecks = models.JSONField(default=list, blank=True, help_text="The pre-checks the decider saw")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["trip_id", "step"]
        constraints = [
            models.UniqueConstraint(fields=["trip", "step"], name="trip_decision_one_per_step",
                                    violation_error_message="this step of the request is already decided"),
            models.CheckConstraint(condition=models.Q(decision=Decision.APPROVE) | ~models.Q(reason=""),
                                   name="trip_rejection_has_reason",
                                   violation_error_message="a rejection needs a reason"),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id} step {self.step}: {self.decision} by {self.decider_name}"


class TripEventKind(models.TextChoices):
    REQUESTED = "requested", "requested"
    APPROVED_STEP = "approved_step", "approved at one step, awaiting the next"
    APPROVED = "approved", "approved"
    REJECTED = "rejected", "rejected"
    CANCELLED = "cancelled", "cancelled"
    RETURN_REPORTED = "return_reported", "return reported"


class TripEvent(models.Model):
    """The history of a travel request as its official and approvers see it; never edited."""

    scope = Scope(jurisdictions=("trip__official__jurisdiction",), organization="trip__official__organization",
                  official="trip__official_id")

    trip = models.ForeignKey(Trip, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=TripEventKind.choices)
    at = models.DateTimeField()
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150)
    note = models.CharField(max_length=1000, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["trip_id", "at", "id"]

    def __str__(self) -> str:
        return f"{self.trip_id} {self.kind} by {self.actor_name}"
