"""The audit log pages: only auditors and administrators, filters, pages by sequence number, the chain check."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from longarm.audit.models import AuditEntry
from longarm.audit.services import audit_record, audit_view

LOG = reverse("audit:log")
VERIFY = reverse("audit:verify")


@pytest.fixture
def entries(make_user, make_official):
    """Views by a Guangdong analyst and a search by a Beijing analyst."""
    gd, bj = make_user("provincial_analyst", "CN-GD", username="gd-analyst"), make_user("provincial_analyst", "CN-BJ")
    official = make_official(official_id="GD-1")
    audit_view(actor=gd, target=official)
    audit_view(actor=gd, target=official)
    audit_record(actor=bj, action="search", target_type="registry.official", detail={"q": "wang"})
    return official


def shown(response) -> list[str]:
    return [f"{e.actor_name}:{e.action}" for e in response.context["page"]["rows"]]


@pytest.mark.parametrize("url", [LOG, VERIFY])
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url) if url == LOG else client.post(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", ["provincial_analyst", "central_analyst", "official", "border_post"])
def test_roles_other_than_auditor_and_administrator_get_403(client, entries, make_user, role):
    client.force_login(make_user(role, "CN-GD"))
    assert client.get(LOG).status_code == 403
    assert client.post(VERIFY).status_code == 403


@pytest.mark.parametrize("role", ["auditor", "administrator"])
def test_auditor_and_administrator_read_the_whole_log_of_every_jurisdiction(client, entries, make_user, role):
    client.force_login(make_user(role))
    response = client.get(LOG)
    assert response.status_code == 200
    assert len(response.context["page"]["rows"]) == 3  # both provinces' rows: the log is not scoped by jurisdiction
    assert "registry.official:GD-1" in response.content.decode()


@pytest.mark.parametrize(("params", "expected"), [
    ({"actor": "gd-analyst"}, 2), ({"action": "search"}, 1), ({"target_type": "registry.official", "target_id": "GD-1"}, 2),
    ({"target_id": "NOPE"}, 0),
])
def test_filters_by_user_action_and_record(client, entries, make_user, params, expected):
    client.force_login(make_user("auditor"))
    assert len(client.get(LOG, params).context["page"]["rows"]) == expected


def test_date_filter_takes_whole_days_in_the_viewers_zone(client, entries, make_user):
    client.force_login(make_user("auditor"))
    today = timezone.localdate()
    assert len(client.get(LOG, {"date_from": today, "date_to": today}).context["page"]["rows"]) == 3
    yesterday = today - datetime.timedelta(days=1)
    assert client.get(LOG, {"date_to": yesterday}).context["page"]["rows"] == []
    bad = client.get(LOG, {"date_from": "not-a-date"})
    assert bad.context["page"] is None and "The filters were not applied" in bad.content.decode()


def test_pages_go_by_sequence_number_newest_first(client, entries, make_user, settings):
    settings.LONGARM_UI_PAGE_SIZE = 2
    client.force_login(make_user("auditor"))
    first = client.get(LOG).context["page"]
    seqs = list(AuditEntry.objects.order_by("-seq").values_list("seq", flat=True))
    assert [e.seq for e in first["rows"]] == seqs[:2] and first["has_older"] and not first["has_newer"]
    older = client.get(LOG, {"before": first["older"]}).context["page"]
    assert [e.seq for e in older["rows"]] == seqs[2:] and older["has_newer"] and not older["has_older"]
    newer = client.get(LOG, {"after": older["newer"]}).context["page"]
    assert [e.seq for e in newer["rows"]] == seqs[:2]


def test_verify_shows_an_intact_chain_and_records_the_check(client, entries, make_user):
    auditor = make_user("auditor")
    client.force_login(auditor)
    response = client.post(VERIFY)
    assert "Chain intact: 3 rows checked" in response.content.decode()
    check = AuditEntry.objects.get(action="audit.verify")
    assert check.actor == auditor and check.detail["ok"] is True and check.detail["rows"] == 3


def test_verify_by_htmx_returns_the_result_only(client, entries, make_user):
    client.force_login(make_user("auditor"))
    page = client.post(VERIFY, headers={"HX-Request": "true"}).content.decode()
    assert "Chain intact" in page and "<html" not in page


def test_verify_shows_the_first_broken_row(client, entries, make_user):
    middle = AuditEntry.objects.order_by("seq")[1]
    with connection.cursor() as cursor:  # tamper below the triggers, as an attacker with database access would
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred foreign-key checks may be pending
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
        cursor.execute("UPDATE audit_auditentry SET action = 'edit' WHERE seq = %s", [middle.seq])
    client.force_login(make_user("auditor"))
    page = client.post(VERIFY).content.decode()
    assert f"Chain broken at seq {middle.seq}: row content does not match its hash" in page


def test_verify_refuses_get(client, make_user):
    client.force_login(make_user("auditor"))
    assert client.get(VERIFY).status_code == 405
