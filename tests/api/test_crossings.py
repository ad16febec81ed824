import datetime

import pytest

from longarm.border.models import Crossing
from tests.api import matrix

BASE = "/api/crossings/"


def test_crossings_refuse_anonymous(world, client_for):
    matrix.assert_anonymous_is_refused(client_for(None), BASE, "X-GD")


@pytest.mark.parametrize("role", ["auditor", "border_post"])
def test_crossings_refuse_roles_that_read_no_people(world, make_user, client_for, role):
    matrix.assert_refused_without_permission(client_for(make_user(role, "CN-GD")), BASE, "X-GD")


def test_crossings_show_own_jurisdiction_and_audit_list_and_view(world, gd_analyst, client_for):
    detail = matrix.assert_own_record_is_listed_and_its_view_audited(
        client_for(gd_analyst), gd_analyst, BASE, "X-GD", "X-BJ", "border.crossing")
    assert (detail["official"], detail["occurred_at"]) == ("GD", "2026-02-03T09:00:00+08:00")


def test_crossings_of_another_jurisdiction_answer_404_like_missing(world, gd_analyst, client_for):
    matrix.assert_other_jurisdiction_is_404_like_missing(client_for(gd_analyst), BASE, "X-BJ")


def test_crossing_at_a_port_of_the_callers_province_is_visible_whoever_crossed(world, gd_analyst, client_for):
    beijing_crossing = Crossing.objects.get(pk="X-BJ")
    beijing_crossing.pk, beijing_crossing.port, beijing_crossing.port_jurisdiction = "X-BJ-AT-CAN", "CAN", "CN-GD"
    beijing_crossing.save(force_insert=True)
    assert client_for(gd_analyst).get(f"{BASE}X-BJ-AT-CAN/").json()["official"] == "BJ"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("direction=exit", ["X-BJ", "X-GD"]),
        ("direction=entry", []),
        ("local_date_after=2026-02-03&local_date_before=2026-02-03", ["X-BJ", "X-GD"]),
        ("local_date_before=2026-02-02", []),
        ("port=PGD", ["X-GD"]),
        ("port_jurisdiction=CN-BJ", ["X-BJ"]),
        ("official=BJ", ["X-BJ"]),
    ],
)
def test_crossings_filter_by_direction_local_date_and_port(world, make_user, client_for, query, expected):
    response = client_for(make_user("central_analyst")).get(f"{BASE}?{query}")
    assert [c["event_id"] for c in response.json()["results"]] == expected


def test_crossings_of_people_who_are_not_officials_are_seen_by_the_port(world, gd_analyst, client_for):
    Crossing.objects.create(
        event_id="X-VISITOR", direction="entry", occurred_at=datetime.datetime(2026, 2, 4, tzinfo=datetime.UTC),
        local_date=datetime.date(2026, 2, 4), port="PGD", port_jurisdiction="CN-GD", doc_type="passport",
        doc_number="X1", doc_number_norm="X1", issuing_state="USA", family_name="DOE", given_name="JANE",
        date_of_birth=datetime.date(1980, 1, 1), sex="F", nationality="USA",
    )
    listed = [c["event_id"] for c in client_for(gd_analyst).get(BASE).json()["results"]]
    assert listed == ["X-VISITOR", "X-GD"]
