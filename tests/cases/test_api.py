"""/api/cases/ and friends: anonymous, without permission, with permission, another jurisdiction."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from longarm.audit.models import AuditEntry
from longarm.cases.models import Case, CaseStatus, Measure
from longarm.cases.services import measure_open, recovery_record
from longarm.reports.models import FxRate

D = dt.date


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def gd_case(open_case):
    return open_case(case_id="K-GD", located_in=["FRA"])


@pytest.fixture
def bj_case(make_user):
    from longarm.cases.services import case_open

    return case_open(case_id="K-BJ", family_name="WANG", given_name="BO", category="other", jurisdiction="CN-BJ",
                     offences="fraud", actor=make_user("pursuit_officer", "CN-BJ"))


def test_anonymous_is_told_to_authenticate(gd_case):
    assert client_for().get("/api/cases/").status_code == 401
    assert client_for().post(f"/api/cases/{gd_case.pk}/close/", {"reason": "x"}).status_code == 401


@pytest.mark.parametrize("role", ["auditor", "official", "personnel_officer", "border_post"])
def test_roles_without_permission_get_403(gd_case, make_user, role):
    client = client_for(make_user(role, "CN-GD"))
    assert client.get("/api/cases/").status_code == 403
    assert client.get(f"/api/cases/{gd_case.pk}/").status_code == 403
    assert client.get(f"/api/cases/{gd_case.pk}/ftm/").status_code == 403


def test_pursuit_officer_lists_and_reads_own_jurisdiction_audited(gd_case, bj_case, officer):
    client = client_for(officer)
    listed = client.get("/api/cases/").json()
    assert [row["case_id"] for row in listed["results"]] == ["K-GD"]
    detail = client.get("/api/cases/K-GD/").json()
    assert [e["kind"] for e in detail["timeline"]] == ["fled", "opened"]
    assert detail["avenues"][0]["none"] is True and "remaining routes" in detail["avenues"][0]["message"]
    assert detail["recovered_total"] == {"amount": "0.00", "currency": "CNY", "count": 0, "error": None}
    assert AuditEntry.objects.filter(action="view", target_id="K-GD", actor=officer).exists()


def test_another_jurisdictions_case_is_404_for_reads_and_changes(bj_case, officer):
    client = client_for(officer)
    assert client.get("/api/cases/K-BJ/").status_code == 404
    assert client.get("/api/cases/K-BJ/ftm/").status_code == 404
    response = client.post("/api/cases/K-BJ/return/", {"returned_on": "2018-01-01", "returned_from": "USA",
                                                         "return_avenue": "extradition"})
    assert response.status_code == 404
    bj_case.refresh_from_db()
    assert bj_case.status == CaseStatus.AT_LARGE


def test_central_analyst_reads_every_jurisdiction(gd_case, bj_case, make_user):
    listed = client_for(make_user("central_analyst")).get("/api/cases/").json()
    assert {row["case_id"] for row in listed["results"]} == {"K-GD", "K-BJ"}


def test_open_and_return_through_the_api(officer):
    client = client_for(officer)
    response = client.post("/api/cases/open/", {"case_id": "K-NEW", "family_name": "LI", "given_name": "HUA",
                                                "category": "official", "jurisdiction": "CN-GD",
                                                "offences": "bribery", "located_in": ["USA"]}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "located"
    response = client.post("/api/cases/K-NEW/return/", {"returned_on": "2018-01-01", "returned_from": "USA",
                                                          "return_avenue": "extradition"})
    assert response.status_code == 200 and response.json()["returned_from"] == "USA"
    assert AuditEntry.objects.filter(action="case.return", target_id="K-NEW").exists()


def test_refused_change_answers_400_with_the_services_message(gd_case, officer):
    response = client_for(officer).post(f"/api/cases/{gd_case.pk}/return/", {
        "returned_on": "2018-01-01", "returned_from": "CHN", "return_avenue": "extradition"})
    assert response.status_code == 400 and "home country" in response.json()["detail"]


def test_reader_who_does_not_pursue_gets_403_on_a_change(gd_case, make_user):
    response = client_for(make_user("provincial_analyst", "CN-GD")).post(
        f"/api/cases/{gd_case.pk}/close/", {"reason": "x"})
    assert response.status_code == 403
    gd_case.refresh_from_db()
    assert gd_case.status != CaseStatus.CLOSED


def test_opening_in_another_jurisdiction_is_403(officer):
    response = client_for(officer).post("/api/cases/open/", {
        "family_name": "LI", "given_name": "HUA", "category": "other", "jurisdiction": "CN-BJ",
        "offences": "x"}, format="json")
    assert response.status_code == 403 and not Case.objects.exists()


def test_measures_reminders_and_answer(gd_case, officer, make_user):
    measure = measure_open(case=gd_case, kind="extradition", country="FRA", sent_on=D(2020, 1, 1),
                           answer_due_on=D(2020, 2, 1), actor=officer)
    client = client_for(officer)
    due = client.get("/api/measures/reminders/?as_of=2020-01-25").json()
    assert [(r["measure_id"], r["days_left"], r["overdue"]) for r in due] == [(measure.pk, 7, False)]
    assert client.get("/api/measures/reminders/?as_of=2020-01-01").json() == []
    assert client_for(make_user("pursuit_officer", "CN-BJ")).get(
        "/api/measures/reminders/?as_of=2020-03-01").json() == []
    assert client_for(make_user("pursuit_officer", "CN-BJ")).post(
        f"/api/measures/{measure.pk}/answer/", {"answered_on": "2020-01-20", "status": "granted", "outcome": "ok"}).status_code == 404
    response = client.post(f"/api/measures/{measure.pk}/answer/", {"answered_on": "2020-01-20", "status": "granted",
                                                                     "outcome": "surrender granted"})
    assert response.status_code == 200 and Measure.objects.get().status == "granted"


def test_open_measure_through_the_api(gd_case, officer):
    response = client_for(officer).post(f"/api/cases/{gd_case.pk}/measures/", {
        "kind": "mutual_legal_assistance", "country": "FRA", "sent_on": "2020-01-01", "answer_due_on": "2020-04-01"})
    assert response.status_code == 201 and response.json()["status"] == "sent"


def test_recoveries_scoped_and_recorded(gd_case, bj_case, officer, make_user):
    recovery_record(case=bj_case, recovered_on=D(2018, 1, 1), amount=Decimal("5"), currency="USD",
                    from_country="USA", avenue="voluntary", actor=make_user("central_analyst"))
    client = client_for(officer)
    response = client.post("/api/recoveries/record/", {"case": gd_case.pk, "recovered_on": "2018-02-01",
                                                       "amount": "100.50", "currency": "EUR", "from_country": "FRA",
                                                       "avenue": "confiscation"})
    assert response.status_code == 201 and response.json()["amount"] == "100.5000"
    listed = client.get("/api/recoveries/").json()
    assert [row["case"] for row in listed["results"]] == ["K-GD"]
    FxRate.objects.create(currency="EUR", on=D(2018, 1, 1), rate=Decimal("7.8"))
    detail = client.get(f"/api/cases/{gd_case.pk}/").json()
    assert detail["recovered_total"]["amount"] == "783.90"


def test_ftm_export_is_json_lines_and_audited(gd_case, officer):
    response = client_for(officer).get(f"/api/cases/{gd_case.pk}/ftm/")
    assert response.status_code == 200 and response["Content-Type"] == "application/x-ndjson"
    assert b'"schema": "Person"' in response.content
    assert AuditEntry.objects.filter(action="case.export_ftm", target_id=gd_case.pk).exists()


def test_red_notice_through_the_api(gd_case, officer):
    notice = {"entity_id": "2015/1", "name": "LI", "forename": "HUA", "nationalities": ["CN"],
              "arrest_warrants": [{"issuing_country_id": "CN", "charge": "embezzlement"}]}
    response = client_for(officer).post(f"/api/cases/{gd_case.pk}/red-notice/",
                                        {"published_on": "2015-04-22", "notice": notice}, format="json")
    assert response.status_code == 200 and response.json()["red_notice_ref"] == "2015/1"
