"""The audit log pages, for auditors and administrators: the log with filters, and the chain check."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_POST

from longarm.access import feature_required
from longarm.audit.filters import AuditEntryWebFilter
from longarm.audit.selectors import audit_entries_visible_to, audit_verify
from longarm.audit.services import audit_record


def _page_by_seq(queryset, *, before: int | None, after: int | None, size: int) -> dict:
    """A page of the log, newest first, by sequence number rather than offset.

    The log only grows, so "rows before seq N" is a stable page however many
    rows are appended meanwhile, and it costs one index range scan at any depth.
    """
    if after is not None:
        rows = list(queryset.filter(seq__gt=after).order_by("seq")[: size + 1])
        has_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        has_older = bool(rows) and queryset.filter(seq__lt=rows[-1].seq).exists()
    else:
        if before is not None:
            queryset = queryset.filter(seq__lt=before)
        rows = list(queryset.order_by("-seq")[: size + 1])
        has_older = len(rows) > size
        rows = rows[:size]
        has_newer = before is not None and bool(rows)
    return {"rows": rows, "has_older": has_older, "has_newer": has_newer,
            "older": rows[-1].seq if rows else None, "newer": rows[0].seq if rows else None}


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@feature_required("audit")
def audit_log(request):
    """Who saw and changed what, newest first, filtered by user, action, record and date."""
    filterset = AuditEntryWebFilter(request.GET, queryset=audit_entries_visible_to(request.user))
    page = None
    if filterset.is_valid():
        page = _page_by_seq(filterset.qs, before=_int_or_none(request.GET.get("before")),
                            after=_int_or_none(request.GET.get("after")), size=settings.LONGARM_UI_PAGE_SIZE)
    return render(request, "audit/log.html", {"filter": filterset, "page": page})


@require_POST
@feature_required("audit")
def audit_chain_verify(request):
    """Recompute the hash chain and show the result; the check itself is written to the log."""
    report = audit_verify()
    audit_record(actor=request.user, action="audit.verify", target_type="audit.auditentry",
                 detail={"rows": report.rows, "ok": report.ok, "first_bad_seq": report.first_bad_seq,
                         "reason": report.reason})
    template = "audit/verify.html#result" if request.htmx else "audit/verify.html"
    return render(request, template, {"report": report})
