"""The append-only, hash-chained log of who saw and changed what."""

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One read of a person's record, or one change, or one batch run.

    Each row carries the hash of the row before it, so that removing or editing
    a row breaks the chain (`longarm audit verify`). The database refuses
    UPDATE and DELETE on this table (triggers in migration 0002).
    """

    seq = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150, help_text="Copied, so the row stays readable if the user is renamed")
    action = models.CharField(max_length=40, db_index=True)
    target_type = models.CharField(max_length=60, db_index=True)
    target_id = models.CharField(max_length=200, db_index=True)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name_plural = "audit entries"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("the audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("the audit log is append-only")

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_name} {self.action} {self.target_type}:{self.target_id}"
