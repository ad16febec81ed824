"""Reads of alerts: always from a scoped queryset, or national for the system's own exports."""

from collections.abc import Iterator

from django.db.models import QuerySet

from longarm.alerts.models import Alert

# The spec's export columns, in the spec's order; optional extras come after them.
EXPORT_COLUMNS = ["alert_id", "code", "official_id", "ref", "status", "severity", "jurisdiction", "reported_to",
                  "raised_on", "detail"]
EXPORT_CHUNK_ROWS = 5_000


def alerts_visible(*, user) -> QuerySet:
    """The alerts `user` may see: their jurisdiction's (responsible) and those notified to it."""
    return Alert.objects.visible_to(user)


def alerts_filtered(queryset: QuerySet, *, code: str | None = None, status: str | None = None,
                    jurisdiction: str | None = None) -> QuerySet:
    """Narrow by code, status, and jurisdiction (responsible for it, or notified of it)."""
    if code:
        queryset = queryset.filter(code=code)
    if status:
        queryset = queryset.filter(status=status)
    if jurisdiction:
        queryset = queryset.filter(notices__jurisdiction=jurisdiction)
    return queryset


def alert_export_rows(queryset: QuerySet) -> Iterator[dict]:
    """One dict per alert with the export columns, streamed in chunks, oldest id first."""
    fields = ["id", "code", "official_id", "ref", "status", "severity", "jurisdiction", "reported_to",
              "raised_on", "detail"]
    for values in queryset.order_by("id").values_list(*fields).iterator(chunk_size=EXPORT_CHUNK_ROWS):
        row = dict(zip(EXPORT_COLUMNS, values, strict=True))
        row["raised_on"] = row["raised_on"].isoformat() if row["raised_on"] else ""
        yield row
