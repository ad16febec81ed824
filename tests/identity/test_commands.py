"""`longarm resolve`: thin over identity_resolve; --full re-scores everyone, --train makes a new active model."""

import io

import pytest
from django.core.management import CommandError, call_command

from longarm.alerts.models import Alert
from longarm.identity.models import LinkageModel
from longarm.runs.models import Run
from tests.identity.conftest import DUPLICATE_REF


def resolve(*args) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("resolve", *args, stdout=out, stderr=err)
    return out.getvalue()


def test_resolve_reports_the_run_and_raises_the_alert(registry):
    output = resolve()
    run = Run.objects.get(kind="resolve")
    assert f"resolve run #{run.pk} (full, first run;" in output
    assert "officials read: 218 (every official; full run (first run)); feature cache rebuilt" in output
    raised = Alert.objects.filter(code="DUPLICATE_IDENTITY", run=run)
    assert raised.filter(ref=DUPLICATE_REF).exists()
    assert f"DUPLICATE_IDENTITY alerts: {raised.count()} raised" in output
    assert run.actor.username == "system"


def test_resolve_is_incremental_unless_full(registry):
    resolve()
    output = resolve()
    assert "(incremental;" in output and "0 of " in output
    assert "officials read: 0 (officials in the change log); feature cache used" in output
    assert "(full, asked for;" in resolve("--full")


def test_resolve_refuses_thresholds_in_the_wrong_order(registry, settings):
    settings.LONGARM_IDENTITY_REVIEW_PROBABILITY = 0.99
    settings.LONGARM_IDENTITY_MATCH_PROBABILITY = 0.5
    with pytest.raises(CommandError, match="LONGARM_IDENTITY_REVIEW_PROBABILITY"):
        resolve()


def test_train_makes_a_new_model_version_the_active_one_and_the_run_uses_it(registry):
    resolve()
    output = resolve("--train", "--model-version", "registry-test-1")
    model = LinkageModel.objects.get(active=True)
    assert model.version == "registry-test-1" and "model registry-test-1 trained and active" in output
    assert LinkageModel.objects.count() == 2
    run = Run.objects.filter(kind="resolve").first()
    assert run.parameters["model_version"] == "registry-test-1"
    assert run.parameters["full_because"] == "the model changed"
