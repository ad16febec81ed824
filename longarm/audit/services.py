"""Writing to the audit log. Every service calls `audit_record` inside its own transaction."""

import hashlib
import json
from contextvars import ContextVar

from django.db import connection, transaction
from django.utils import timezone

from longarm.audit.models import AuditEntry

GENESIS = "0" * 64
current_request_id: ContextVar[str] = ContextVar("longarm_request_id", default="")
# An arbitrary constant that names the audit chain's lock in PostgreSQL.
_PG_CHAIN_LOCK = 7_431_905_118


def entry_hash(*, prev_hash: str, at, actor_name: str, action: str, target_type: str, target_id: str,
               request_id: str, detail: dict) -> str:
    """The hash that chains a row to the one before it; `audit_verify` recomputes it."""
    payload = json.dumps(
        [prev_hash, at.isoformat(), actor_name, action, target_type, target_id, request_id, detail],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock_chain() -> None:
    # Writers must append one at a time or two rows would claim the same
    # predecessor. SQLite already serialises writers (IMMEDIATE transactions).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_CHAIN_LOCK])


def target_of(obj) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


@transaction.atomic
def audit_record(*, actor, action: str, target=None, target_type: str = "", target_id: str = "",
                 detail: dict | None = None, request_id: str | None = None) -> AuditEntry:
    """Append one row to the audit chain. `actor` is required: batch jobs pass the system user."""
    if target is not None:
        target_type, target_id = target_of(target)
    _lock_chain()
    previous = AuditEntry.objects.order_by("-seq").values_list("hash", flat=True).first() or GENESIS
    fields = {
        "at": timezone.now(),
        "actor_name": actor.get_username() if actor is not None else "anonymous",
        "action": action,
        "target_type": target_type,
        "target_id": str(target_id),
        "request_id": request_id if request_id is not None else current_request_id.get(),
        "detail": json.loads(json.dumps(detail or {}, default=str)),
    }
    digest = entry_hash(prev_hash=previous, **fields)
    return AuditEntry.objects.create(actor=actor if actor is not None and actor.pk else None,
                                     prev_hash=previous, hash=digest, **fields)


def audit_view(*, actor, target, detail: dict | None = None) -> AuditEntry:
    """Record that `actor` looked at a person's record."""
    return audit_record(actor=actor, action="view", target=target, detail=detail)
