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
# Every hashed payload starts with the previous hash: '["' + 64 hex digits + '",'.
_PAYLOAD_HEAD = len('["' + GENESIS + '",')


def _payload(*, prev_hash: str, at, actor_name: str, action: str, target_type: str, target_id: str,
             request_id: str, detail: dict) -> str:
    return json.dumps(
        [prev_hash, at.isoformat(), actor_name, action, target_type, target_id, request_id, detail],
        sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str,
    )


def entry_hash(*, prev_hash: str, at, actor_name: str, action: str, target_type: str, target_id: str,
               request_id: str, detail: dict) -> str:
    """The hash that chains a row to the one before it; `audit_verify` recomputes it."""
    payload = _payload(prev_hash=prev_hash, at=at, actor_name=actor_name, action=action, target_type=target_type,
                       target_id=target_id, request_id=request_id, detail=detail)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def payload_tail(**fields) -> str:
    """The hashed payload after the previous hash: `'["' + previous + '",' + tail` is the payload that
    `entry_hash` hashes (a hash is 64 hex digits, so its JSON form is fixed)."""
    payload = _payload(prev_hash=GENESIS, **fields)
    assert payload.startswith('["' + GENESIS + '",')
    return payload[_PAYLOAD_HEAD:]


def target_of(obj) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def _fields(*, actor, action: str, target, target_type: str, target_id: str, detail: dict | None,
            request_id: str | None) -> dict:
    if target is not None:
        target_type, target_id = target_of(target)
    return {
        "at": timezone.now(),
        "actor_name": actor.get_username() if actor is not None else "anonymous",
        "action": action,
        "target_type": target_type,
        "target_id": str(target_id),
        "request_id": request_id if request_id is not None else current_request_id.get(),
        "detail": json.loads(json.dumps(detail or {}, default=str)),
    }


_APPEND_SQL = ("SELECT entry_seq, entry_prev_hash, entry_hash "
               "FROM longarm_audit_append(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)")


def _append_params(actor_id, fields: dict) -> list:
    return [fields["at"], actor_id, fields["actor_name"], fields["action"], fields["target_type"],
            fields["target_id"], fields["request_id"], json.dumps(fields["detail"], ensure_ascii=False),
            payload_tail(**fields), _PG_CHAIN_LOCK]


@transaction.atomic
def audit_record(*, actor, action: str, target=None, target_type: str = "", target_id: str = "",
                 detail: dict | None = None, request_id: str | None = None) -> AuditEntry:
    """Append one row to the audit chain. `actor` is required: batch jobs pass the system user.

    On PostgreSQL the row is appended by `longarm_audit_append` (migration 0003) in one round trip: it
    takes the chain lock, reads the last hash and inserts the row hashed as `entry_hash` would. The lock
    is held until the caller's transaction ends, as before; it is just no longer taken and then held
    across two more round trips to Python.
    """
    fields = _fields(actor=actor, action=action, target=target, target_type=target_type, target_id=target_id,
                     detail=detail, request_id=request_id)
    actor_id = actor.pk if actor is not None and actor.pk else None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_APPEND_SQL, _append_params(actor_id, fields))
            seq, previous, digest = cursor.fetchone()
        entry = AuditEntry(seq=seq, actor_id=actor_id, prev_hash=previous, hash=digest, **fields)
        entry._state.adding, entry._state.db = False, connection.alias
        return entry
    # Writers must append one at a time or two rows would claim the same predecessor: SQLite serialises
    # writers itself (IMMEDIATE transactions); PostgreSQL takes the chain lock in longarm_audit_append.
    previous = AuditEntry.objects.order_by("-seq").values_list("hash", flat=True).first() or GENESIS
    return AuditEntry.objects.create(actor_id=actor_id, prev_hash=previous,
                                     hash=entry_hash(prev_hash=previous, **fields), **fields)


def audit_record_durable(*, actor, action: str, target_type: str = "", target_id: str = "",
                         detail: dict | None = None, request_id: str | None = None) -> None:
    """Append one row outside any transaction and return only once it is committed and durable.

    For the hottest caller (the border check, hundreds of calls a second). On PostgreSQL the row goes
    to the process's appender (`longarm.audit.group_commit`), which writes the rows of all threads
    waiting at that moment in one round trip: a transaction that commits asynchronously
    (`synchronous_commit = off`), so the chain lock is released without waiting for the WAL flush (an
    fsync) and the next writer may append at once, then a second, synchronous transaction that writes
    a WAL record after the rows' commit and waits until the WAL is flushed up to it (a bare
    `pg_current_xact_id()` writes no WAL and would not wait; checked with `pg_stat_wal.wal_sync`).
    Concurrent flushes of several processes combine in the WAL writer too. Each caller still waits for
    its own row to be durable; the chain stays in lock order. Elsewhere (SQLite, or inside a
    transaction) it is `audit_record`.
    """
    if connection.vendor != "postgresql" or not connection.get_autocommit() or connection.in_atomic_block:
        audit_record(actor=actor, action=action, target_type=target_type, target_id=target_id, detail=detail,
                     request_id=request_id)
        return
    from longarm.audit.group_commit import append_durable

    append_durable(actor=actor, action=action, target_type=target_type, target_id=target_id, detail=detail,
                   request_id=request_id)


def audit_view(*, actor, target, detail: dict | None = None) -> AuditEntry:
    """Record that `actor` looked at a person's record."""
    return audit_record(actor=actor, action="view", target=target, detail=detail)
