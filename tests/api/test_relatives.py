import pytest

from tests.api import matrix

BASE = "/api/relatives/"


def test_relatives_refuse_anonymous(world, client_for):
    matrix.assert_anonymous_is_refused(client_for(None), BASE, "R-GD")


@pytest.mark.parametrize("role", ["auditor", "border_post"])
def test_relatives_refuse_roles_that_read_no_people(world, make_user, client_for, role):
    matrix.assert_refused_without_permission(client_for(make_user(role, "CN-GD")), BASE, "R-GD")


def test_relatives_show_own_jurisdiction_and_audit_list_and_view(world, gd_analyst, client_for):
    detail = matrix.assert_own_record_is_listed_and_its_view_audited(
        client_for(gd_analyst), gd_analyst, BASE, "R-GD", "R-BJ", "registry.relative")
    assert (detail["official"], detail["emigrated"], detail["nationalities"]) == ("GD", True, ["USA"])


def test_relatives_of_another_jurisdiction_answer_404_like_missing(world, gd_analyst, client_for):
    matrix.assert_other_jurisdiction_is_404_like_missing(client_for(gd_analyst), BASE, "R-BJ")


def test_relatives_filter_by_official_and_relation(world, make_user, client_for):
    client = client_for(make_user("central_analyst"))
    assert [r["relative_id"] for r in client.get(f"{BASE}?official=BJ").json()["results"]] == ["R-BJ"]
    assert client.get(f"{BASE}?relation=child").json()["results"] == []
