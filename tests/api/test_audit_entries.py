import pytest

from longarm.audit.services import audit_record

BASE = "/api/audit-entries/"


@pytest.fixture
def entries(make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    first = audit_record(actor=analyst, action="view", target_type="registry.official", target_id="GD")
    second = audit_record(actor=analyst, action="list", target_type="registry.official", detail={"ids": ["GD"]})
    return first, second


def test_audit_entries_refuse_anonymous(entries, client_for):
    assert client_for(None).get(BASE).status_code == 401


@pytest.mark.parametrize(("role", "jurisdiction"), [("provincial_analyst", "CN-GD"), ("central_analyst", ""),
                                                    ("official", "CN-GD"), ("border_post", "CN-GD")])
def test_audit_entries_refuse_everyone_but_auditors_and_administrators(entries, make_user, client_for, role,
                                                                       jurisdiction):
    client = client_for(make_user(role, jurisdiction))
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}{entries[0].seq}/").status_code == 403


@pytest.mark.parametrize("role", ["auditor", "administrator"])
def test_audit_entries_are_read_by_auditors_and_administrators_newest_first(entries, make_user, client_for, role):
    first, second = entries
    client = client_for(make_user(role))
    assert [e["seq"] for e in client.get(BASE).json()["results"]] == [second.seq, first.seq]
    detail = client.get(f"{BASE}{first.seq}/").json()
    assert (detail["action"], detail["target_id"], detail["hash"]) == ("view", "GD", first.hash)


def test_audit_entries_filter_by_action_and_target(entries, make_user, client_for):
    first, _ = entries
    client = client_for(make_user("auditor"))
    assert [e["seq"] for e in client.get(f"{BASE}?action=view&target_id=GD").json()["results"]] == [first.seq]
    assert client.get(f"{BASE}?target_type=travel.trip").json()["results"] == []


def test_audit_entry_that_does_not_exist_answers_404(entries, make_user, client_for):
    assert client_for(make_user("auditor")).get(f"{BASE}999999/").status_code == 404
