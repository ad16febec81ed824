"""Shared fixtures. The test environment itself is set in `tests/testenv.py`."""

from importlib import import_module

import pytest


def pytest_configure(config):
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db):
    """A user of a role and jurisdiction: `make_user("provincial_analyst", "CN-GD")`."""
    from longarm.accounts.models import User

    counter = {"n": 0}

    def make(role: str, jurisdiction: str = "", **extra):
        counter["n"] += 1
        return User.objects.create_user(
            username=extra.pop("username", f"{role}-{jurisdiction or 'all'}-{counter['n']}"),
            password="correct horse battery staple", role=role, jurisdiction=jurisdiction, **extra,
        )

    return make


@pytest.fixture
def make_official(db):
    """An official with sensible defaults; override any field by keyword."""
    import datetime

    from longarm.registry.models import Official

    counter = {"n": 0}

    def make(**fields):
        counter["n"] += 1
        values = {
            "official_id": f"O{counter['n']:05d}", "family_name": "ZHANG", "given_name": "XIAOMING",
            "native_name": "张晓明", "sex": "M", "date_of_birth": datetime.date(1970, 5, 17),
            "organization": "Guangdong Department of Finance", "position": "Deputy Director",
            "rank": "prefectural", "jurisdiction": "CN-GD", "status": "active",
        }
        values.update(fields)
        values.setdefault("name_key", (values["family_name"] + values["given_name"]).upper())
        return Official.objects.create(**values)

    return make


_TRIGGERS_OFF = pytest.StashKey()


def _audit_triggers(*, enabled: bool) -> None:
    """Turn the audit log's append-only triggers off (so the test database can be emptied) or back on."""
    from django.db import connection

    append_only = import_module("longarm.audit.migrations.0002_append_only")

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE audit_auditentry {'ENABLE' if enabled else 'DISABLE'} TRIGGER USER")
        elif enabled:
            for statement in append_only.SQLITE:
                cursor.execute(statement.replace("CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS"))
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_update")
            cursor.execute("DROP TRIGGER IF EXISTS audit_entry_no_delete")


@pytest.fixture
def audit_log_flushable(request, transactional_db, django_db_blocker):
    """Let pytest-django empty the database after a live-server test although audit rows refuse DELETE.

    The live server needs committed data (`transactional_db`), which is
    emptied after each test; the audit triggers would refuse that. They are
    turned off just before, and on again just after (`pytest_runtest_teardown`
    below), so no other test runs without them.
    """
    yield
    _audit_triggers(enabled=False)
    request.node.stash[_TRIGGERS_OFF] = django_db_blocker


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    try:
        return (yield)
    finally:
        blocker = item.stash.get(_TRIGGERS_OFF, None)
        if blocker is not None and nextitem is not None:  # after the last test the database is gone
            with blocker.unblock():
                _audit_triggers(enabled=True)
