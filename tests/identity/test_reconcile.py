"""`longarm reconcile` runs identity resolution as one of its rules, incrementally, as its own recorded run."""

import datetime

from longarm.alerts.models import Alert
from longarm.alerts.reconciliation import reconcile_as_of
from longarm.runs.models import Run, RunStatus
from tests.identity.conftest import DUPLICATE_REF


def test_reconcile_runs_resolve_and_raises_duplicate_identity(registry, system):
    first = reconcile_as_of(as_of=datetime.date(2024, 12, 31), actor=system)
    resolve = Run.objects.get(kind="resolve")
    assert first.kind == "reconcile" and resolve.status == RunStatus.SUCCEEDED
    assert Alert.objects.get(code="DUPLICATE_IDENTITY", ref=DUPLICATE_REF).run == resolve
    reconcile_as_of(as_of=datetime.date(2025, 1, 1), actor=system)
    later = Run.objects.filter(kind="resolve").first()
    assert later.parameters["mode"] == "incremental" and later.counts["officials_compared"] == 0
    assert Alert.objects.get(code="DUPLICATE_IDENTITY", ref=DUPLICATE_REF).status == "open"
