"""`longarm demo` prepares a country with one login per role; `longarm init` may run again."""

import pytest
from django.core.management import call_command

from longarm.accounts.models import Role, User
from longarm.alerts.models import Alert
from longarm.registry.models import Official


def test_demo_imports_a_synthetic_country_reconciles_and_creates_one_login_per_role(capsys, audit_log_flushable):
    call_command("demo", officials=150, seed=7, no_serve=True)
    out = capsys.readouterr().out
    assert Official.objects.count() >= 150
    assert Alert.objects.exists()
    roles = set(User.objects.values_list("role", flat=True))
    assert {Role.ADMINISTRATOR, Role.CENTRAL_ANALYST, Role.PROVINCIAL_ANALYST, Role.PERSONNEL_OFFICER,
            Role.PURSUIT_OFFICER, Role.AUDITOR, Role.OFFICIAL} <= roles
    official_user = User.objects.get(username="official")
    assert official_user.official is not None and official_user.official.jurisdiction == "CN-GD"
    for username in ("admin", "analyst-gd", "auditor", "official"):
        assert f"  {username} " in out
    assert "http://127.0.0.1:8000/" in out


@pytest.mark.django_db
def test_init_is_idempotent(capsys):
    call_command("init")
    call_command("init")
    assert User.objects.filter(username="system", role=Role.SYSTEM).count() == 1
    assert "Database ready" in capsys.readouterr().out
