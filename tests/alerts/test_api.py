"""/api/alerts/: anonymous, without permission, with permission, another jurisdiction, the port province."""

import datetime

import pytest
from rest_framework.test import APIClient

from longarm.alerts.models import Alert
from longarm.alerts.reconciliation import reconcile_as_of
from longarm.audit.models import AuditEntry
from longarm.border.models import Crossing
from tests.alerts.conftest import AS_OF


@pytest.fixture
def alerts(world, system):
    # O-GD-004 leaves through a Beijing port as well: that alert is Guangdong's, notified to Beijing.
    Crossing.objects.create(
        event_id="X-PEK-1", direction="exit", occurred_at=datetime.datetime(2024, 11, 2, 1, tzinfo=datetime.UTC),
        utc_offset=480, local_date=datetime.date(2024, 11, 2), port="PEK", port_jurisdiction="CN-BJ",
        doc_type="passport", doc_number="X", doc_number_norm="X", issuing_state="CHN", family_name="X",
        given_name="X", date_of_birth=datetime.date(1970, 1, 1), sex="M", nationality="CHN")
    document = Crossing.objects.get(pk="X-240309-0005")
    Crossing.objects.filter(pk="X-PEK-1").update(
        doc_number=document.doc_number, doc_number_norm=document.doc_number_norm, family_name=document.family_name,
        given_name=document.given_name, date_of_birth=document.date_of_birth, sex=document.sex)
    reconcile_as_of(as_of=AS_OF, actor=system)
    return Alert.objects.get(code="UNAUTHORIZED_EXIT", ref="X-PEK-1")


class _HttpsClient(APIClient):
    """Over HTTPS, so the tests hold whether or not the settings redirect plain HTTP."""

    def generic(self, method, path, *args, **kwargs):
        kwargs.setdefault("secure", True)
        return super().generic(method, path, *args, **kwargs)


def _client(user=None):
    client = _HttpsClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def test_anonymous_is_refused(alerts):
    assert _client().get("/api/alerts/").status_code == 401


def test_role_that_reads_no_people_is_refused(alerts, make_user):
    assert _client(make_user("auditor")).get("/api/alerts/").status_code == 403
    assert _client(make_user("border_post", "CN-GD")).get(f"/api/alerts/{alerts.pk}/").status_code == 403


def test_provincial_analyst_lists_their_provinces_alerts_and_the_read_is_audited(alerts, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    response = _client(analyst).get("/api/alerts/", {"page_size": 100})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {row["jurisdiction"] for row in rows} == {"CN-GD"}
    assert len(rows) == Alert.objects.filter(jurisdiction="CN-GD").count()
    assert AuditEntry.objects.filter(actor=analyst, action="list", target_type="alerts.alert").count() == 1


def test_detail_of_own_alert_shows_history_and_is_audited(alerts, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    response = _client(analyst).get(f"/api/alerts/{alerts.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["jurisdiction"], body["reported_to"]) == ("UNAUTHORIZED_EXIT", "CN-GD", ["CN-BJ"])
    assert body["evidence"] == {"event_ids": ["X-PEK-1"]}
    assert [event["action"] for event in body["events"]] == ["raise"]
    assert AuditEntry.objects.filter(actor=analyst, action="view", target_id=str(alerts.pk)).exists()


def test_another_jurisdictions_alert_is_not_found(alerts, make_user):
    shanghai = make_user("provincial_analyst", "CN-SH")
    assert _client(shanghai).get(f"/api/alerts/{alerts.pk}/").status_code == 404
    rows = _client(shanghai).get("/api/alerts/", {"page_size": 100}).json()["results"]
    assert rows and all(row["jurisdiction"] == "CN-SH" or "CN-SH" in row["reported_to"] for row in rows)
    assert alerts.pk not in {row["alert_id"] for row in rows}


def test_port_province_sees_the_alert_raised_at_its_port(alerts, make_user):
    beijing = make_user("provincial_analyst", "CN-BJ")
    assert _client(beijing).get(f"/api/alerts/{alerts.pk}/").status_code == 200
    rows = _client(beijing).get("/api/alerts/", {"jurisdiction": "CN-GD"}).json()["results"]
    assert [row["alert_id"] for row in rows] == [alerts.pk]


def test_filters_code_severity_status_and_raised_on_range(alerts, make_user):
    client = _client(make_user("central_analyst"))
    codes = {row["code"] for row in client.get("/api/alerts/", {"code": "MISSING"}).json()["results"]}
    assert codes == {"MISSING"}
    critical = client.get("/api/alerts/", {"severity": "critical", "page_size": 100}).json()["results"]
    assert {row["code"] for row in critical} == {"MISSING", "WATCHLIST_EXIT"}
    assert client.get("/api/alerts/", {"status": "withdrawn"}).json()["count"] == 0
    window = client.get("/api/alerts/", {"raised_on_after": "2024-10-01", "raised_on_before": "2024-10-31",
                                         "page_size": 100}).json()["results"]
    assert {row["ref"] for row in window} == {"X-241002-0012", "X-241006-0013", "T-BJ-006"}
