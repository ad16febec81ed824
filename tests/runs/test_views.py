"""Batch run pages: for analysts, administrators and auditors; list with filters, detail with log."""

import pytest
from django.urls import reverse

from longarm.runs.models import RunKind
from longarm.runs.services import run_finish, run_start, system_user

LIST = reverse("runs:run-list")


@pytest.fixture
def runs(db):
    actor = system_user()
    imported = run_finish(run=run_start(kind=RunKind.IMPORT, actor=actor, parameters={"paths": ["officials.csv"]}),
                          counts={"officials": 12}, log="officials.csv: 12 rows written\n")
    failed = run_finish(run=run_start(kind=RunKind.RECONCILE, actor=actor, parameters={"as_of": "2012-10-31"}),
                        counts={}, error="crossings.csv:7: occurred_at: no UTC offset")
    return {"import": imported, "failed": failed}


def detail(run) -> str:
    return reverse("runs:run-detail", args=[run.pk])


def test_anonymous_is_sent_to_login(client, runs):
    for url in (LIST, detail(runs["import"])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["official", "border_post", "personnel_officer", "pursuit_officer"])
def test_roles_without_batch_work_get_403(client, runs, make_user, role):
    client.force_login(make_user(role, "CN-GD"))
    assert client.get(LIST).status_code == 403
    assert client.get(detail(runs["import"])).status_code == 403


@pytest.mark.parametrize(("role", "jurisdiction"), [
    ("provincial_analyst", "CN-GD"), ("provincial_analyst", "CN-BJ"), ("central_analyst", ""),
    ("administrator", ""), ("auditor", ""),
])
def test_runs_are_national_so_every_permitted_user_sees_every_run(client, runs, make_user, role, jurisdiction):
    client.force_login(make_user(role, jurisdiction))
    response = client.get(LIST)
    assert response.status_code == 200
    assert {run.pk for run in response.context["page"].object_list} == {runs["import"].pk, runs["failed"].pk}


def test_list_filters_by_kind_and_status(client, runs, make_user):
    client.force_login(make_user("central_analyst"))
    failed = client.get(LIST, {"status": "failed"}).context["page"].object_list
    assert [run.pk for run in failed] == [runs["failed"].pk]
    imports = client.get(LIST, {"kind": "import"}).context["page"].object_list
    assert [run.pk for run in imports] == [runs["import"].pk]
    bad = client.get(LIST, {"kind": "nonsense"})
    assert bad.context["page"] is None and "The filters were not applied" in bad.content.decode()


def test_detail_shows_parameters_counts_duration_and_log(client, runs, make_user):
    client.force_login(make_user("provincial_analyst", "CN-GD"))
    page = client.get(detail(runs["import"])).content.decode()
    assert "officials.csv: 12 rows written" in page and "officials" in page and "12" in page and "seconds" in page
    failed = client.get(detail(runs["failed"])).content.decode()
    assert "failed (nothing written)" in failed and "crossings.csv:7: occurred_at: no UTC offset" in failed


def test_detail_of_a_missing_run_is_404(client, runs, make_user):
    client.force_login(make_user("auditor"))
    assert client.get(reverse("runs:run-detail", args=[999_999])).status_code == 404
