"""Shared fixtures. The test environment itself is set in `tests/testenv.py`."""

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
