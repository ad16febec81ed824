import datetime
from contextlib import contextmanager
from unittest import mock

import pytest

from longarm.documents.models import CustodyEvent, Document
from longarm.watchlist.models import WatchlistEntry

UNIT = "Guangdong Department of Finance"
TODAY = datetime.date(2026, 3, 2)


@contextmanager
def frozen(day: datetime.date):
    """Freeze `timezone.now()` at noon Beijing time on `day` (04:00 UTC)."""
    moment = datetime.datetime.combine(day, datetime.time(4, 0), tzinfo=datetime.UTC)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def clock():
    """The tests' today, frozen: 2026-03-02."""
    with frozen(TODAY):
        yield TODAY


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def people(make_official, make_user):
    """A prefectural and a county official of one unit, their logins, and the approvers around them."""

    class People:
        prefect = make_official(official_id="GD-PREF", rank="prefectural", organization=UNIT)
        clerk = make_official(official_id="GD-CLERK", rank="county", organization=UNIT, family_name="LI",
                              given_name="NA", name_key="LINA")
        beijinger = make_official(official_id="BJ-1", rank="county", jurisdiction="CN-BJ",
                                  organization="Beijing Bureau")
        prefect_login = make_user("official", "CN-GD", official=prefect)
        clerk_login = make_user("official", "CN-GD", official=clerk)
        unit_officer = make_user("personnel_officer", "CN-GD", organization=UNIT)
        other_unit_officer = make_user("personnel_officer", "CN-GD", organization="Shenzhen Customs")
        province_officer = make_user("personnel_officer", "CN-GD")
        second_province_officer = make_user("personnel_officer", "CN-GD")
        beijing_officer = make_user("personnel_officer", "CN-BJ")
        analyst = make_user("provincial_analyst", "CN-GD")

    return People


def held_passport(official, *, document_id="P1", expires_on=datetime.date(2031, 1, 1), mrz="") -> Document:
    """A passport of `official`, deposited with the personnel office a year before the tests' today."""
    document = Document.objects.create(document_id=document_id, official=official, doc_type="passport",
                                       number=f"E{document_id}", number_norm=f"E{document_id}", issuing_state="CHN",
                                       expires_on=expires_on, mrz=mrz)
    CustodyEvent.objects.create(event_id=f"C-{document_id}", document=document, action="deposit",
                                occurred_at=datetime.datetime(2025, 3, 1, 2, 0, tzinfo=datetime.UTC))
    return document


def watch(official, *, measure="exit_ban", starts_on, expires_on, status="active", entry_id="WL-1") -> WatchlistEntry:
    return WatchlistEntry.objects.create(
        entry_id=entry_id, official=official, measure=measure, legal_basis="Supervision Law art. 30",
        authority="Guangdong Supervision Commission", starts_on=starts_on, expires_on=expires_on, status=status)
