import pytest

from tests.api import matrix

BASE = "/api/watchlist/"


def test_watchlist_refuses_anonymous(world, client_for):
    matrix.assert_anonymous_is_refused(client_for(None), BASE, "W-GD")


@pytest.mark.parametrize("role", ["auditor", "border_post"])
def test_watchlist_refuses_roles_that_read_no_people(world, make_user, client_for, role):
    matrix.assert_refused_without_permission(client_for(make_user(role, "CN-GD")), BASE, "W-GD")


def test_watchlist_shows_own_jurisdiction_and_audits_list_and_view(world, gd_analyst, client_for):
    detail = matrix.assert_own_record_is_listed_and_its_view_audited(
        client_for(gd_analyst), gd_analyst, BASE, "W-GD", "W-BJ", "watchlist.watchlistentry")
    assert (detail["legal_basis"], detail["expires_on"]) == ("Supervision Law art. 30", "2026-09-01")


def test_watchlist_of_another_jurisdiction_answers_404_like_missing(world, gd_analyst, client_for):
    matrix.assert_other_jurisdiction_is_404_like_missing(client_for(gd_analyst), BASE, "W-BJ")


def test_watchlist_is_not_shown_to_the_official_it_restricts(world, make_user, client_for):
    client = client_for(make_user("official", "CN-GD", official=world["GD"]))
    assert client.get(BASE).json()["results"] == []
    assert client.get(f"{BASE}W-GD/").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("in_force_on=2026-05-01", ["W-BJ", "W-GD"]),
        ("in_force_on=2026-10-01", []),
        ("measure=alert_only", []),
        ("official=GD&status=active", ["W-GD"]),
    ],
)
def test_watchlist_filters_by_measure_status_and_date_in_force(world, make_user, client_for, query, expected):
    response = client_for(make_user("central_analyst")).get(f"{BASE}?{query}")
    assert [e["entry_id"] for e in response.json()["results"]] == expected
