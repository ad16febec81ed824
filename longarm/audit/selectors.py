"""Reading and checking the audit log."""

from dataclasses import dataclass

from longarm.audit.models import AuditEntry
from longarm.audit.services import GENESIS, entry_hash


@dataclass
class ChainReport:
    rows: int
    ok: bool
    first_bad_seq: int | None = None
    reason: str = ""


def audit_verify(*, chunk: int = 10_000) -> ChainReport:
    """Walk the chain in order and recompute every hash; report the first break."""
    previous = GENESIS
    rows = 0
    last_seq = 0
    while True:
        batch = list(
            AuditEntry.objects.filter(seq__gt=last_seq).order_by("seq").values(
                "seq", "at", "actor_name", "action", "target_type", "target_id", "request_id", "detail",
                "prev_hash", "hash",
            )[:chunk]
        )
        if not batch:
            return ChainReport(rows=rows, ok=True)
        for row in batch:
            if row["prev_hash"] != previous:
                return ChainReport(rows, False, row["seq"], "prev_hash does not match the row before it")
            expected = entry_hash(
                prev_hash=row["prev_hash"], at=row["at"], actor_name=row["actor_name"], action=row["action"],
                target_type=row["target_type"], target_id=row["target_id"], request_id=row["request_id"],
                detail=row["detail"],
            )
            if expected != row["hash"]:
                return ChainReport(rows, False, row["seq"], "row content does not match its hash")
            previous = row["hash"]
            rows += 1
            last_seq = row["seq"]


def audit_entries_visible_to(user):
    """Auditors and administrators read the whole log; everyone else reads their own actions."""
    from longarm.accounts.models import Role

    if user.is_authenticated and (user.role in (Role.AUDITOR, Role.ADMINISTRATOR) or user.is_superuser):
        return AuditEntry.objects.all()
    if user.is_authenticated:
        return AuditEntry.objects.filter(actor=user)
    return AuditEntry.objects.none()
