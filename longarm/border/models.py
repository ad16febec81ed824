"""Exit and entry records from border control (exchange format: crossings)."""

from django.db import models

from longarm.accounts.scoping import Scope, ScopedQuerySet
from longarm.registry.models import ID_LENGTH, Official


class Direction(models.TextChoices):
    EXIT = "exit", "exit"
    ENTRY = "entry", "entry"


class Crossing(models.Model):
    """One passage of a border post. Most are about people who are not officials.

    `official` is filled by reconciliation when the crossing belongs to an
    official (by registered document, else by exact identity). A crossing is
    seen by the official's jurisdiction and by the jurisdiction of the port.
    """

    scope = Scope(jurisdictions=("official__jurisdiction", "port_jurisdiction"),
                  organization="official__organization", official="official_id")

    event_id = models.CharField(max_length=ID_LENGTH, primary_key=True)
    direction = models.CharField(max_length=5, choices=Direction.choices)
    occurred_at = models.DateTimeField()
    utc_offset = models.SmallIntegerField(default=0, help_text="minutes east of UTC, as the record came")
    local_date = models.DateField(help_text="the date of occurred_at in its own offset")
    port = models.CharField(max_length=32)
    port_jurisdiction = models.CharField(max_length=8)
    doc_type = models.CharField(max_length=24)
    doc_number = models.CharField(max_length=64)
    doc_number_norm = models.CharField(max_length=64)
    issuing_state = models.CharField(max_length=3)
    family_name = models.CharField(max_length=200)
    given_name = models.CharField(max_length=200)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1)
    nationality = models.CharField(max_length=3)
    counterpart_country = models.CharField(max_length=3, blank=True)
    official = models.ForeignKey(Official, null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="crossings", db_constraint=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_at", "event_id"]
        indexes = [
            models.Index(fields=["local_date"]),
            models.Index(fields=["official", "occurred_at"]),
            models.Index(fields=["issuing_state", "doc_number_norm"]),
            # A daily reconciliation finds the earlier crossings that an official's new or corrected date of
            # birth can now match (`longarm.alerts.snapshot`).
            models.Index(fields=["date_of_birth"], name="border_crossing_dob_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.direction} {self.port} {self.occurred_at:%Y-%m-%d %H:%M} {self.family_name} {self.given_name}"
