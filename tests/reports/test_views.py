"""The recoveries statistics page, the cases behind each figure and the downloads."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from longarm.audit.models import AuditEntry
from longarm.cases.models import Case, Operation

D = dt.date
PERIOD = {"date_from": "2018-01-01", "date_to": "2018-12-31"}
URL = reverse("reports:recoveries")


def returned(case_id, jurisdiction="CN-GD", returned_from="CAN", category="official"):
    return Case.objects.create(case_id=case_id, family_name="F" + case_id, given_name="G", category=category,
                               jurisdiction=jurisdiction, offences="bribery", status="returned",
                               returned_on=D(2018, 6, 1), returned_from=returned_from, return_avenue="extradition")


@pytest.fixture
def world(db):
    returned("GD-1")
    returned("GD-2", returned_from="USA", category="other")
    returned("BJ-1", jurisdiction="CN-BJ")


@pytest.fixture
def officer(client, make_user):
    user = make_user("pursuit_officer", "CN-GD")
    client.force_login(user)
    return user


def test_anonymous_is_sent_to_login(client, db):
    for url in (URL, reverse("reports:recoveries-cases", args=["officials"]),
                reverse("reports:recoveries-export", args=["csv"])):
        response = client.get(url, PERIOD)
        assert response.status_code == 302 and "/login" in response["Location"]


def test_role_without_pursuit_gets_403(client, make_user):
    client.force_login(make_user("auditor"))
    assert client.get(URL, PERIOD).status_code == 403
    assert client.get(reverse("reports:recoveries-export", args=["json"]), PERIOD).status_code == 403


def test_figures_count_own_jurisdiction_only(client, officer, world):
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    assert response.context["figures"][0] == ("persons_returned", "Persons returned", 2)
    assert 'class="country ca shade-5"' in response.text and 'class="country us shade-5"' in response.text
    assert "<svg" in str(response.context["charts"]["year"])


def test_cases_behind_a_figure_leave_out_other_jurisdictions(client, officer, world):
    response = client.get(reverse("reports:recoveries-cases", args=["persons_returned"]), PERIOD)
    assert response.status_code == 200
    assert "GD-1" in response.text and "GD-2" in response.text and "BJ-1" not in response.text
    assert AuditEntry.objects.filter(action="list", actor=officer).exists()


def test_national_analyst_sees_every_jurisdiction(client, make_user, world):
    client.force_login(make_user("central_analyst"))
    assert client.get(URL, PERIOD).context["figures"][0][2] == 3


def test_operation_in_one_click(client, officer, world):
    Operation.objects.create(name="Skynet 2018", starts_on=D(2018, 5, 1), ends_on=D(2018, 5, 31))
    response = client.get(URL)
    assert "?operation=Skynet%202018" in response.text
    assert client.get(URL, {"operation": "Skynet 2018"}).context["figures"][0][2] == 0


def test_json_download_is_the_spec_object(client, officer, world):
    response = client.get(reverse("reports:recoveries-export", args=["json"]), PERIOD)
    assert response.status_code == 200 and json.loads(response.content)["persons_returned"] == 2


def test_bad_period_is_explained(client, officer, db):
    response = client.get(URL, {"date_from": "2019-01-01", "date_to": "2018-01-01"})
    assert response.status_code == 400 and "before it starts" in response.text
