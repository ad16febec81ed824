"""Opening and closing batch runs, each with its audit row."""

from django.db import transaction
from django.utils import timezone

from longarm.audit.services import audit_record
from longarm.runs.models import Run, RunKind, RunStatus


def system_user():
    """The actor of batch jobs started without a person (cron, `longarm demo`)."""
    from longarm.accounts.models import Role, User

    user, _ = User.objects.get_or_create(
        username="system", defaults={"role": Role.SYSTEM, "is_active": True, "first_name": "longarm"}
    )
    if user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def run_start(*, kind: RunKind, actor, parameters: dict) -> Run:
    run = Run.objects.create(kind=kind, actor=actor, actor_name=actor.get_username(),
                             started_at=timezone.now(), parameters=parameters)
    audit_record(actor=actor, action=f"{kind}.start", target=run, detail={"parameters": parameters})
    return run


@transaction.atomic
def run_finish(*, run: Run, counts: dict, log: str = "", error: str = "") -> Run:
    """Close a run. A run with an error is marked failed: the caller guarantees it wrote nothing."""
    run.finished_at = timezone.now()
    run.counts = counts
    run.log = log
    run.error = error
    run.status = RunStatus.FAILED if error else RunStatus.SUCCEEDED
    run.save(update_fields=["finished_at", "counts", "log", "error", "status"])
    audit_record(actor=run.actor, action=f"{run.kind}.finish", target=run,
                 detail={"status": run.status, "counts": counts, "error": error[:2000]})
    return run
