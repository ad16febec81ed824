import pytest

from longarm.audit.models import AuditEntry
from tests.api import matrix

BASE = "/api/officials/"


def test_officials_refuse_anonymous(world, client_for):
    matrix.assert_anonymous_is_refused(client_for(None), BASE, "GD")


@pytest.mark.parametrize("role", ["auditor", "border_post"])
def test_officials_refuse_roles_that_read_no_people(world, make_user, client_for, role):
    matrix.assert_refused_without_permission(client_for(make_user(role, "CN-GD")), BASE, "GD")


def test_officials_show_own_jurisdiction_and_audit_list_and_view(world, gd_analyst, client_for):
    detail = matrix.assert_own_record_is_listed_and_its_view_audited(
        client_for(gd_analyst), gd_analyst, BASE, "GD", "BJ", "registry.official")
    assert detail["jurisdiction"] == "CN-GD"


def test_officials_of_another_jurisdiction_answer_404_like_missing(world, gd_analyst, client_for):
    matrix.assert_other_jurisdiction_is_404_like_missing(client_for(gd_analyst), BASE, "BJ")


def test_officials_national_role_sees_every_jurisdiction(world, make_user, client_for):
    response = client_for(make_user("central_analyst")).get(BASE)
    assert [row["official_id"] for row in response.json()["results"]] == ["BJ", "GD"]  # WANG before ZHANG


def test_officials_official_role_sees_only_themselves(world, make_user, client_for):
    client = client_for(make_user("official", "CN-GD", official=world["GD"]))
    assert [row["official_id"] for row in client.get(BASE).json()["results"]] == ["GD"]
    assert client.get(f"{BASE}BJ/").status_code == 404


def test_official_detail_nests_relatives_with_emigrated_documents_and_trips(world, make_user, client_for,
                                                                             django_assert_max_num_queries):
    client = client_for(make_user("central_analyst"))
    # authentication, official, three prefetches, the audit chain: never one query per row
    with django_assert_max_num_queries(12):
        detail = client.get(f"{BASE}GD/").json()
    assert [(r["relative_id"], r["emigrated"], r["nationalities"]) for r in detail["relatives"]] == [
        ("R-GD", True, ["USA"])]
    assert [d["document_id"] for d in detail["documents"]] == ["D-GD"]
    assert [(t["trip_id"], t["destinations"]) for t in detail["trips"]] == [("T-GD", ["USA", "CAN"])]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=fang+wang", ["BJ"]),
        ("q=王芳", ["BJ"]),
        ("q=GD", ["GD"]),
        ("jurisdiction=CN-BJ", ["BJ"]),
        ("organization=Beijing+Bureau", ["BJ"]),
        ("rank=prefectural&status=active", ["BJ", "GD"]),
        ("status=retired", []),
        ("sensitive_post=true", []),
        ("ordering=-family_name", ["GD", "BJ"]),
    ],
)
def test_officials_filter_search_and_order(world, make_user, client_for, query, expected):
    response = client_for(make_user("central_analyst")).get(f"{BASE}?{query}")
    assert response.status_code == 200
    assert [row["official_id"] for row in response.json()["results"]] == expected


def test_officials_search_stays_within_the_callers_jurisdiction(world, gd_analyst, client_for):
    response = client_for(gd_analyst).get(f"{BASE}?q=WANG+FANG")
    assert response.json()["results"] == []
    assert AuditEntry.objects.get(action="list").detail == {"filters": {"q": "WANG FANG"}, "ids": []}


def test_officials_reject_an_unknown_choice_with_400(world, gd_analyst, client_for):
    assert client_for(gd_analyst).get(f"{BASE}?rank=emperor").status_code == 400


def test_officials_accept_session_authentication(world, gd_analyst):
    from tests.api.conftest import https_client

    client = https_client()
    client.force_login(gd_analyst)
    assert client.get(f"{BASE}GD/").status_code == 200
