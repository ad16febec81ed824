"""/api/reports/recoveries/ and /api/treaties/: anonymous, without permission, with permission, scope."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from longarm.cases.models import Case, Operation, Recovery
from longarm.treaties.models import Treaty

D = dt.date


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def returned(case_id, jurisdiction, on, country):
    return Case.objects.create(case_id=case_id, family_name="F", given_name="G", category="official",
                               jurisdiction=jurisdiction, offences="x", status="returned", returned_on=on,
                               returned_from=country, return_avenue="deportation")


@pytest.fixture
def cases(db):
    gd = returned("GD1", "CN-GD", D(2018, 5, 1), "USA")
    returned("BJ1", "CN-BJ", D(2018, 6, 1), "HKG")
    Recovery.objects.create(recovery_id="R1", case=gd, recovered_on=D(2018, 5, 2), amount=Decimal("10"),
                            currency="CNY", from_country="USA", avenue="voluntary")
    Recovery.objects.create(recovery_id="R2", case=None, recovered_on=D(2018, 5, 2), amount=Decimal("1"),
                            currency="CNY", from_country="USA", avenue="voluntary")


URL = "/api/reports/recoveries/?from=2018-01-01&to=2018-12-31"


def test_anonymous_and_roles_without_permission_are_refused(cases, make_user):
    assert client_for().get(URL).status_code == 401
    for role in ("auditor", "official", "border_post", "personnel_officer"):
        assert client_for(make_user(role, "CN-GD")).get(URL).status_code == 403


def test_national_role_gets_the_national_report(cases, make_user):
    report = client_for(make_user("central_analyst")).get(URL).json()
    assert (report["persons_returned"], report["countries"], report["amount_recovered"]) == (2, 2, "11.00")


def test_pursuit_officer_gets_their_jurisdictions_figures_only(cases, make_user):
    report = client_for(make_user("pursuit_officer", "CN-GD")).get(URL).json()
    assert (report["persons_returned"], report["countries"], report["amount_recovered"]) == (1, 1, "10.00")
    behind = client_for(make_user("pursuit_officer", "CN-BJ")).get(
        "/api/reports/recoveries/cases/?from=2018-01-01&to=2018-12-31&figure=countries").json()
    assert [row["case_id"] for row in behind] == ["BJ1"]


def test_operation_period_and_bad_requests(cases, make_user):
    Operation.objects.create(name="Sky Net 2018", starts_on=D(2018, 5, 1), ends_on=D(2018, 5, 31))
    client = client_for(make_user("central_analyst"))
    assert client.get("/api/reports/recoveries/?operation=Sky Net 2018").json()["persons_returned"] == 1
    assert client.get("/api/reports/recoveries/?operation=Nope").status_code == 400
    assert client.get("/api/reports/recoveries/?from=2018-01-01").status_code == 400
    assert client.get("/api/reports/recoveries/cases/?from=2018-01-01&to=2018-12-31&figure=bogus").status_code == 400
    assert [op["name"] for op in client.get("/api/reports/operations/").json()] == ["Sky Net 2018"]


def test_missing_rate_answers_400_naming_currency_and_date(cases, make_user):
    Recovery.objects.create(recovery_id="R3", case=None, recovered_on=D(2018, 7, 1), amount=Decimal("1"),
                            currency="USD", from_country="USA", avenue="voluntary")
    response = client_for(make_user("central_analyst")).get(URL)
    assert response.status_code == 400 and "USD on or before 2018-07-01" in response.json()["detail"]


def test_treaties_avenues_and_summary(db, make_user):
    Treaty.objects.create(country="FRA", kind="extradition", status="in_force")
    assert client_for().get("/api/treaties/").status_code == 401
    assert client_for(make_user("auditor")).get("/api/treaties/summary/").status_code == 403
    client = client_for(make_user("pursuit_officer", "CN-GD"))
    assert client.get("/api/treaties/").json()["results"][0]["country"] == "FRA"
    assert client.get("/api/treaties/summary/").json()["text"] == (
        "1 agreements with 1 countries; financial intelligence agreements with 0")
    assert client.get("/api/treaties/avenues/fra/").json()["opened"][0]["kind"] == "extradition"
    assert client.get("/api/treaties/avenues/NZL/").json()["none"] is True
    assert client.get("/api/treaties/avenues/XXX/").status_code == 400
