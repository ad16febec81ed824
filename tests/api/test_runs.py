import pytest

from longarm.audit.models import AuditEntry
from longarm.runs.services import run_finish, run_start, system_user

BASE = "/api/runs/"


@pytest.fixture
def runs(db):
    actor = system_user()
    imported = run_finish(run=run_start(kind="import", actor=actor, parameters={"paths": ["officials.csv"]}),
                          counts={"officials": 24}, log="24 rows")
    failed = run_finish(run=run_start(kind="reconcile", actor=actor, parameters={"as_of": "2026-02-20"}),
                        counts={}, error="no data")
    return imported, failed


def test_runs_refuse_anonymous(runs, client_for):
    assert client_for(None).get(BASE).status_code == 401


@pytest.mark.parametrize(("role", "jurisdiction"), [("official", "CN-GD"), ("personnel_officer", "CN-GD"),
                                                    ("pursuit_officer", "CN-GD"), ("border_post", "CN-GD")])
def test_runs_refuse_roles_that_are_not_staff(runs, make_user, client_for, role, jurisdiction):
    imported, _ = runs
    client = client_for(make_user(role, jurisdiction))
    assert client.get(BASE).status_code == 403
    assert client.get(f"{BASE}{imported.pk}/").status_code == 403


@pytest.mark.parametrize(("role", "jurisdiction"), [("provincial_analyst", "CN-GD"), ("central_analyst", ""),
                                                    ("administrator", ""), ("auditor", "")])
def test_runs_are_read_by_analysts_administrators_and_auditors(runs, make_user, client_for, role, jurisdiction):
    imported, failed = runs
    client = client_for(make_user(role, jurisdiction))
    listing = client.get(BASE).json()["results"]
    assert [(r["id"], r["status"]) for r in listing] == [(failed.pk, "failed"), (imported.pk, "succeeded")]
    assert "log" not in listing[0]
    detail = client.get(f"{BASE}{imported.pk}/").json()
    assert (detail["counts"], detail["log"]) == ({"officials": 24}, "24 rows")


def test_runs_filter_by_kind_and_status(runs, make_user, client_for):
    client = client_for(make_user("central_analyst"))
    assert [r["kind"] for r in client.get(f"{BASE}?kind=import").json()["results"]] == ["import"]
    assert [r["kind"] for r in client.get(f"{BASE}?status=failed").json()["results"]] == ["reconcile"]


def test_runs_reads_are_not_person_reads_and_write_no_audit_row(runs, make_user, client_for):
    before = AuditEntry.objects.count()
    client_for(make_user("central_analyst")).get(BASE)
    assert AuditEntry.objects.count() == before
