import pytest

from tests.api import matrix

BASE = "/api/trips/"


def test_trips_refuse_anonymous(world, client_for):
    matrix.assert_anonymous_is_refused(client_for(None), BASE, "T-GD")


@pytest.mark.parametrize("role", ["auditor", "border_post"])
def test_trips_refuse_roles_that_read_no_people(world, make_user, client_for, role):
    matrix.assert_refused_without_permission(client_for(make_user(role, "CN-GD")), BASE, "T-GD")


def test_trips_show_own_jurisdiction_and_audit_list_and_view(world, gd_analyst, client_for):
    detail = matrix.assert_own_record_is_listed_and_its_view_audited(
        client_for(gd_analyst), gd_analyst, BASE, "T-GD", "T-BJ", "travel.trip")
    assert (detail["official"], detail["document"], detail["destinations"]) == ("GD", "D-GD", ["USA", "CAN"])


def test_trips_of_another_jurisdiction_answer_404_like_missing(world, gd_analyst, client_for):
    matrix.assert_other_jurisdiction_is_404_like_missing(client_for(gd_analyst), BASE, "T-BJ")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=approved", ["T-BJ", "T-GD"]),
        ("status=requested", []),
        ("depart_on_after=2026-02-01&depart_on_before=2026-02-03", ["T-BJ", "T-GD"]),
        ("depart_on_after=2026-02-04", []),
        ("return_on_before=2026-02-19", []),
        ("official=GD", ["T-GD"]),
    ],
)
def test_trips_filter_by_status_and_date_range(world, make_user, client_for, query, expected):
    response = client_for(make_user("central_analyst")).get(f"{BASE}?{query}")
    assert response.status_code == 200
    assert [t["trip_id"] for t in response.json()["results"]] == expected


def test_trips_reject_a_malformed_date_with_400(world, gd_analyst, client_for):
    assert client_for(gd_analyst).get(f"{BASE}?depart_on_after=yesterday").status_code == 400
