"""Requests to travel abroad and their decisions (exchange format: trips)."""

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

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-depart_on", "trip_id"]
        indexes = [models.Index(fields=["official", "depart_on"]), models.Index(fields=["status", "depart_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(return_on__gte=models.F("depart_on")),
                                   name="trip_return_not_before_departure",
                                   violation_error_message="return_on must not be before depart_on"),
        ]

    def __str__(self) -> str:
        return f"{self.trip_id}: {self.destinations} {self.depart_on}–{self.return_on} ({self.status})"

    @property
    def destination_list(self) -> list[str]:
        return [code for code in self.destinations.split(";") if code]
