import datetime as dt

import pytest

from longarm.audit.models import AuditEntry
from longarm.cases.services import case_open


@pytest.fixture
def officer(make_user):
    return make_user("pursuit_officer", "CN-GD")


@pytest.fixture
def open_case(officer):
    """A case of Guangdong on a fugitive who fled in 2014 (not a registered official)."""

    def make(**fields):
        values = {"family_name": "LI", "given_name": "HUA", "category": "official", "jurisdiction": "CN-GD",
                  "offences": "embezzlement of public funds", "fled_on": dt.date(2014, 3, 1), "actor": officer}
        values.update(fields)
        return case_open(**values)

    return make


@pytest.fixture
def last_audit():
    def last(action: str):
        return AuditEntry.objects.filter(action=action).order_by("-seq").first()

    return last
