import pytest

from tests.api import matrix

BASE = "/api/custody-events/"


def test_custody_events_refuse_anonymous(world, client_for):
    matrix.assert_anonymous_is_refused(client_for(None), BASE, "C-GD-1")


@pytest.mark.parametrize("role", ["auditor", "border_post"])
def test_custody_events_refuse_roles_that_read_no_people(world, make_user, client_for, role):
    matrix.assert_refused_without_permission(client_for(make_user(role, "CN-GD")), BASE, "C-GD-1")


def test_custody_events_show_own_jurisdiction_and_audit_list_and_view(world, gd_analyst, client_for):
    detail = matrix.assert_own_record_is_listed_and_its_view_audited(
        client_for(gd_analyst), gd_analyst, BASE, "C-GD-1", "C-BJ-1", "documents.custodyevent")
    assert (detail["document"], detail["action"]) == ("D-GD", "deposit")


def test_custody_events_of_another_jurisdiction_answer_404_like_missing(world, gd_analyst, client_for):
    matrix.assert_other_jurisdiction_is_404_like_missing(client_for(gd_analyst), BASE, "C-BJ-1")


def test_custody_events_filter_by_document_action_and_time(world, make_user, client_for):
    client = client_for(make_user("central_analyst"))
    assert [e["event_id"] for e in client.get(f"{BASE}?document=D-BJ").json()["results"]] == ["C-BJ-1", "C-BJ-2"]
    released = client.get(f"{BASE}?action=release").json()["results"]
    assert [e["event_id"] for e in released] == ["C-BJ-2", "C-GD-2"]
    january = client.get(f"{BASE}?occurred_before=2026-01-15T00:00:00Z").json()["results"]
    assert [e["event_id"] for e in january] == ["C-BJ-1", "C-GD-1"]
