"""The treaty network page: summary sentence, table per country, world map shaded by agreements in force."""

import datetime as dt

import pytest
from django.urls import reverse

from longarm.treaties.models import Treaty

URL = reverse("treaties:network")


@pytest.fixture
def treaties(db):
    Treaty.objects.create(country="ITA", kind="extradition", status="in_force", signed_on=dt.date(2010, 10, 7),
                          in_force_on=dt.date(2015, 12, 13))
    Treaty.objects.create(country="CAN", kind="extradition", status="signed", signed_on=dt.date(2016, 9, 22))


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response["Location"]


def test_role_without_pursuit_gets_403(client, make_user):
    client.force_login(make_user("personnel_officer", "CN-GD"))
    assert client.get(URL).status_code == 403


def test_pursuit_officer_sees_summary_table_and_map(client, make_user, treaties):
    client.force_login(make_user("pursuit_officer", "CN-GD"))
    response = client.get(URL)
    assert response.status_code == 200
    assert "2 agreements with 2 countries; financial intelligence agreements with 0" in response.text
    assert "Italy" in response.text and "Canada" in response.text
    assert 'class="country it shade-5"' in response.text and 'class="country ca shade-0"' in response.text


def test_network_is_national_so_another_jurisdiction_sees_the_same(client, make_user, treaties):
    # Agreements belong to the state, not to a province: there is no record of another jurisdiction to hide.
    client.force_login(make_user("pursuit_officer", "CN-BJ"))
    assert "Italy" in client.get(URL).text
