"""The record of every batch run: who, when, parameters, counts, log."""

from django.conf import settings
from django.db import models


class RunKind(models.TextChoices):
    IMPORT = "import", "import"
    RECONCILE = "reconcile", "reconcile"
    RESOLVE = "resolve", "identity resolution"
    SCORE = "score", "risk scoring"
    REPORT = "report", "report"


class RunStatus(models.TextChoices):
    RUNNING = "running", "running"
    SUCCEEDED = "succeeded", "succeeded"
    FAILED = "failed", "failed (nothing written)"


class Run(models.Model):
    """One batch run. A run that failed wrote nothing, and says why in `error`."""

    kind = models.CharField(max_length=16, choices=RunKind.choices)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="runs")
    actor_name = models.CharField(max_length=150)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    log = models.TextField(blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} run #{self.pk} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()
