"""A two-province world (Guangdong and Beijing) with one record of every kind each, and API clients."""

import datetime

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from longarm.audit.models import AuditEntry
from longarm.border.models import Crossing
from longarm.documents.models import CustodyEvent, Document
from longarm.registry.models import Relative
from longarm.travel.models import Trip
from longarm.watchlist.models import WatchlistEntry

UTC = datetime.UTC


def _records_of(official, prefix: str, port_jurisdiction: str) -> None:
    Relative.objects.create(relative_id=f"R-{prefix}", official=official, relation="spouse", family_name="LIU",
                            given_name="MEI", residence_country="USA", residence_status="citizen",
                            nationalities="USA")
    document = Document.objects.create(document_id=f"D-{prefix}", official=official, doc_type="passport",
                                       number=f"E{prefix}-123 45", number_norm=f"E{prefix}12345",
                                       issuing_state="CHN", expires_on=datetime.date(2030, 1, 1))
    CustodyEvent.objects.create(event_id=f"C-{prefix}-1", document=document, action="deposit", utc_offset=480,
                                occurred_at=datetime.datetime(2026, 1, 1, 2, tzinfo=UTC))
    CustodyEvent.objects.create(event_id=f"C-{prefix}-2", document=document, action="release", utc_offset=480,
                                occurred_at=datetime.datetime(2026, 2, 1, 2, tzinfo=UTC))
    Trip.objects.create(trip_id=f"T-{prefix}", official=official, document=document, purpose="private",
                        destinations="USA;CAN", depart_on=datetime.date(2026, 2, 3),
                        return_on=datetime.date(2026, 2, 20), status="approved")
    Crossing.objects.create(
        event_id=f"X-{prefix}", direction="exit", occurred_at=datetime.datetime(2026, 2, 3, 1, tzinfo=UTC),
        utc_offset=480, local_date=datetime.date(2026, 2, 3), port=f"P{prefix}", port_jurisdiction=port_jurisdiction,
        doc_type="passport", doc_number=document.number, doc_number_norm=document.number_norm, issuing_state="CHN",
        family_name=official.family_name, given_name=official.given_name, date_of_birth=official.date_of_birth,
        sex=official.sex, nationality="CHN", counterpart_country="USA", official=official,
    )
    WatchlistEntry.objects.create(entry_id=f"W-{prefix}", official=official, measure="exit_ban",
                                  legal_basis="Supervision Law art. 30", authority="Provincial Supervision Commission",
                                  starts_on=datetime.date(2026, 3, 1), expires_on=datetime.date(2026, 9, 1))


@pytest.fixture
def world(make_official):
    """GD official `GD` and BJ official `BJ`, each with a relative, a document with two custody events,
    a trip, a crossing at a port of their own province, and a watch-list entry (ids `R-GD`, `D-GD` …)."""
    guangdong = make_official(official_id="GD", family_name="ZHANG", given_name="XIAOMING", jurisdiction="CN-GD",
                              name_key="ZHANGXIAOMING")
    beijing = make_official(official_id="BJ", family_name="WANG", given_name="FANG", native_name="王芳", sex="F",
                            jurisdiction="CN-BJ", organization="Beijing Bureau", name_key="WANGFANG")
    _records_of(guangdong, "GD", "CN-GD")
    _records_of(beijing, "BJ", "CN-BJ")
    return {"GD": guangdong, "BJ": beijing}


class HttpsAPIClient(APIClient):
    """Requests over HTTPS, so the tests hold whether or not the settings redirect plain HTTP."""

    def generic(self, method, path, *args, **kwargs):
        kwargs.setdefault("secure", True)
        return super().generic(method, path, *args, **kwargs)


def https_client() -> APIClient:
    return HttpsAPIClient()


@pytest.fixture
def client_for():
    """An API client that authenticates as `user` with an API token, as a script would."""

    def make(user) -> APIClient:
        client = https_client()
        if user is not None:
            token, _ = Token.objects.get_or_create(user=user)
            client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def gd_analyst(make_user):
    return make_user("provincial_analyst", "CN-GD")


def audit_rows(action: str, **fields):
    return list(AuditEntry.objects.filter(action=action, **fields).order_by("seq"))
