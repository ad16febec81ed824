"""The alert desk: inbox, alert page with evidence and actions, CSV export, dashboard.

Each page is tried anonymous, without permission, with permission, on another
jurisdiction's alert, and from the port province that was only notified.
"""

import csv
import datetime
import io

import pytest
from django.urls import reverse

from longarm.alerts.models import Alert, AlertEvent
from longarm.alerts.reconciliation import reconcile_as_of
from longarm.alerts.selectors import golden_week
from longarm.audit.models import AuditEntry
from longarm.border.models import Crossing
from tests.alerts.conftest import AS_OF

INBOX = reverse("alerts:inbox")
EXPORT = reverse("alerts:export")
DASHBOARD = reverse("alerts:dashboard")
PASSWORD = "correct horse battery staple"


@pytest.fixture
def alerts(world, system):
    """The world's alerts as of 2024-12-31, plus one exit of O-GD-004 through a Beijing port (notified to Beijing)."""
    seen = Crossing.objects.get(pk="X-240309-0005")
    Crossing.objects.create(
        event_id="X-PEK-1", direction="exit", occurred_at=datetime.datetime(2024, 11, 2, 1, tzinfo=datetime.UTC),
        utc_offset=480, local_date=datetime.date(2024, 11, 2), port="PEK", port_jurisdiction="CN-BJ",
        doc_type=seen.doc_type, doc_number=seen.doc_number, doc_number_norm=seen.doc_number_norm,
        issuing_state=seen.issuing_state, family_name=seen.family_name, given_name=seen.given_name,
        date_of_birth=seen.date_of_birth, sex=seen.sex, nationality="CHN")
    reconcile_as_of(as_of=AS_OF, actor=system)


@pytest.fixture
def port_alert(alerts):
    return Alert.objects.get(code="UNAUTHORIZED_EXIT", ref="X-PEK-1")


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def detail(alert) -> str:
    return reverse("alerts:detail", args=[alert.pk])


def act(alert, action) -> str:
    return reverse("alerts:act", args=[alert.pk, action])


# --- access -------------------------------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_every_page(client, port_alert):
    for url in (INBOX, EXPORT, DASHBOARD, detail(port_alert)):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    response = client.post(act(port_alert, "resolve"), {"resolve-reason": "x"})
    assert response.status_code == 302
    assert Alert.objects.get(pk=port_alert.pk).status == "open"


def test_role_without_the_desk_is_refused(client, port_alert, make_user):
    login(client, make_user("auditor"))
    for url in (INBOX, EXPORT, DASHBOARD, detail(port_alert)):
        assert client.get(url).status_code == 403


def test_inbox_lists_the_provinces_alerts_and_those_notified_to_it(client, alerts, make_user):
    login(client, make_user("provincial_analyst", "CN-BJ"))
    response = client.get(INBOX, {"status": ""})
    assert response.status_code == 200
    shown = {alert.pk for alert in response.context["page"].rows}
    expected = set(Alert.objects.filter(jurisdiction="CN-BJ").values_list("pk", flat=True))
    expected.add(Alert.objects.get(ref="X-PEK-1").pk)
    assert shown == expected
    assert b"notified" in response.content


def test_another_jurisdictions_alert_is_not_found_and_cannot_be_changed(client, port_alert, make_user):
    login(client, make_user("provincial_analyst", "CN-SH"))
    assert client.get(detail(port_alert)).status_code == 404
    assert client.post(act(port_alert, "resolve"), {"resolve-reason": "not ours"}).status_code == 404
    assert Alert.objects.get(pk=port_alert.pk).status == "open"
    assert port_alert.pk not in {a.pk for a in client.get(INBOX).context["page"].rows}


def test_port_province_reads_the_alert_but_the_home_province_is_responsible(client, port_alert, make_user):
    login(client, make_user("provincial_analyst", "CN-BJ"))
    response = client.get(detail(port_alert))
    assert response.status_code == 200
    file = response.context["file"]
    assert (file.responsible, file.notified) == ("CN-GD", ["CN-BJ"])
    assert file.official is None  # a Guangdong official's file stays with Guangdong
    assert [c.event_id for c in file.crossings] == ["X-PEK-1"]
    assert not response.context["may_act"]
    assert b"is responsible for working the alert" in response.content
    assert client.post(act(port_alert, "resolve"), {"resolve-reason": "seen"}).status_code == 403
    assert Alert.objects.get(pk=port_alert.pk).status == "open"


def test_personnel_officer_reads_alerts_but_does_not_work_them(client, port_alert, make_user):
    login(client, make_user("personnel_officer", "CN-GD", organization=port_alert.official.organization))
    assert client.get(detail(port_alert)).status_code == 200
    assert client.post(act(port_alert, "acknowledge")).status_code == 403


# --- inbox --------------------------------------------------------------------------------------------------------


def test_inbox_filters_by_code_and_counts_per_code_under_the_other_filters(client, alerts, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    login(client, analyst)
    response = client.get(INBOX, {"code": "NAKED_OFFICIAL"})
    rows = response.context["page"].rows
    assert {a.official_id for a in rows} == {"O-GD-003", "O-GD-005"}
    counts = {code: n for code, _, n in response.context["counts"]}
    assert counts["NAKED_OFFICIAL"] == 2
    assert counts["UNAUTHORIZED_EXIT"] == Alert.objects.filter(code="UNAUTHORIZED_EXIT", jurisdiction="CN-GD").count()
    assert AuditEntry.objects.filter(actor=analyst, action="search", target_type="alerts.alert",
                                     detail__code="NAKED_OFFICIAL").exists()


def test_inbox_shows_live_alerts_unless_asked_for_another_status(client, port_alert, make_user, system):
    from longarm.alerts.services import alert_resolve

    alert_resolve(alert=port_alert, actor=system, reason="seen to")
    login(client, make_user("provincial_analyst", "CN-GD"))
    assert port_alert.pk not in {a.pk for a in client.get(INBOX).context["page"].rows}
    assert [a.pk for a in client.get(INBOX, {"status": "resolved"}).context["page"].rows] == [port_alert.pk]


def test_inbox_filters_by_severity_jurisdiction_and_raised_dates(client, alerts, make_user):
    login(client, make_user("central_analyst"))
    rows = client.get(INBOX, {"severity": "critical", "jurisdiction": "CN-GD"}).context["page"].rows
    assert {(a.code, a.official_id) for a in rows} == {("MISSING", "O-GD-005"), ("WATCHLIST_EXIT", "O-GD-006")}
    rows = client.get(INBOX, {"raised_from": "2024-10-01", "raised_to": "2024-10-31"}).context["page"].rows
    assert rows and all(datetime.date(2024, 10, 1) <= a.raised_on <= datetime.date(2024, 10, 31) for a in rows)


def test_inbox_refuses_a_period_that_ends_before_it_starts(client, alerts, make_user):
    login(client, make_user("central_analyst"))
    response = client.get(INBOX, {"raised_from": "2024-10-31", "raised_to": "2024-10-01"})
    assert response.context["page"] is None
    assert b"The filters were not applied" in response.content


def test_inbox_answers_htmx_with_the_results_only(client, alerts, make_user):
    login(client, make_user("central_analyst"))
    response = client.get(INBOX, {"code": "MISSING"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="results"') and "<html" not in body


def test_inbox_pages(client, alerts, make_user, settings):
    settings.LONGARM_UI_PAGE_SIZE = 5
    login(client, make_user("central_analyst"))
    first = client.get(INBOX, {"status": ""}).context["page"]
    second = client.get(INBOX, {"status": "", "page": 2}).context["page"]
    assert first.has_next and len(first.rows) == 5
    assert not {a.pk for a in first.rows} & {a.pk for a in second.rows}


def test_export_is_the_filtered_scoped_list_in_the_spec_columns_and_is_audited(client, alerts, make_user):
    analyst = make_user("provincial_analyst", "CN-SH")
    login(client, analyst)
    response = client.get(EXPORT, {"status": "", "code": "UNREGISTERED_DOCUMENT"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["ref"] for r in rows] == ["X-240518-0027", "X-240525-0028"]
    assert list(rows[0]) == ["alert_id", "code", "official_id", "ref", "status", "severity", "jurisdiction",
                             "reported_to", "raised_on", "detail"]
    other = client.get(EXPORT, {"status": "", "jurisdiction": "CN-GD"})
    assert len(b"".join(other.streaming_content).splitlines()) == 1  # the header only: not Shanghai's to see
    assert AuditEntry.objects.filter(actor=analyst, action="export", target_type="alerts.alert").count() == 2


# --- the alert's page ---------------------------------------------------------------------------------------------


def test_alert_page_says_why_links_the_official_and_audits_the_view(client, alerts, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    alert = Alert.objects.get(code="OVERDUE_RETURN", official_id="O-GD-005")
    response = login(client, analyst).get(detail(alert))
    body = response.content.decode()
    assert alert.detail in body
    assert reverse("registry:official-detail", args=["O-GD-005"]) in body
    file = response.context["file"]
    assert file.trip.trip_id == "T-GD-005" and file.trip.return_on == datetime.date(2024, 8, 15)
    assert [e.action for e in file.events] == ["raise"]
    assert AuditEntry.objects.filter(actor=analyst, action="view", target_type="alerts.alert",
                                     target_id=str(alert.pk)).exists()


def test_custody_breach_shows_the_documents_custody_timeline_and_state_at_the_crossing(client, alerts, make_user):
    alert = Alert.objects.get(code="CUSTODY_BREACH", ref="X-241002-0012")
    response = login(client, make_user("provincial_analyst", "CN-GD")).get(detail(alert))
    [document] = response.context["file"].documents
    assert document.document.document_id == "D-GD-008-P"
    assert document.state_at_crossing == "held"
    assert "C-0014" in [e.event_id for e in document.events]
    assert b"the state at the crossing" in response.content


def test_invalid_mrz_shows_the_zone_and_which_check_failed(client, alerts, make_user):
    alert = Alert.objects.get(code="INVALID_MRZ")
    response = login(client, make_user("provincial_analyst", "CN-SH")).get(detail(alert))
    [document] = response.context["file"].documents
    assert {p.field for p in document.mrz_problems} >= {"document_number"}
    assert b"check digit" in response.content
    assert document.mrz_lines and all(len(line) == 44 for line in document.mrz_lines)


def test_naked_official_shows_the_emigrated_relatives(client, alerts, make_user):
    alert = Alert.objects.get(code="NAKED_OFFICIAL", official_id="O-GD-003")
    response = login(client, make_user("provincial_analyst", "CN-GD")).get(detail(alert))
    relatives = response.context["file"].relatives
    assert [r.relative_id for r in relatives] == ["R-GD-003-1"] and relatives[0].emigrated
    assert b"emigrated" in response.content


def test_duplicate_document_hides_the_other_provinces_record_and_says_so(client, alerts, make_user):
    alert = Alert.objects.get(code="DUPLICATE_DOCUMENT", ref="D-BJ-003-P;D-SH-007-P")
    file = login(client, make_user("provincial_analyst", "CN-BJ")).get(detail(alert)).context["file"]
    assert [d.document.document_id for d in file.documents] == ["D-BJ-003-P"]
    assert file.other_officials == [] and file.hidden == 2


# --- actions ------------------------------------------------------------------------------------------------------


def test_resolve_requires_a_reason_and_shows_the_error_in_the_form(client, port_alert, make_user):
    login(client, make_user("provincial_analyst", "CN-GD"))
    response = client.post(act(port_alert, "resolve"), {"resolve-reason": "  "})
    assert response.status_code == 400
    assert b"Give the reason" in response.content
    assert Alert.objects.get(pk=port_alert.pk).status == "open"


def test_resolve_with_a_reason_closes_the_alert_with_history_and_audit(client, port_alert, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    response = login(client, analyst).post(act(port_alert, "resolve"),
                                           {"resolve-reason": "Approved trip filed late; verified."})
    assert response.status_code == 302 and response["Location"] == detail(port_alert)
    assert Alert.objects.get(pk=port_alert.pk).status == "resolved"
    event = AlertEvent.objects.filter(alert=port_alert).latest("id")
    assert (event.action, event.actor, event.note) == ("resolve", analyst, "Approved trip filed late; verified.")
    assert AuditEntry.objects.filter(actor=analyst, action="alert.resolve", target_id=str(port_alert.pk)).exists()
    page = client.get(detail(port_alert)).content
    assert b"Approved trip filed late; verified." in page and b"nothing more can be done" in page


def test_acknowledge_then_escalate_with_reason(client, port_alert, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    login(client, analyst)
    assert client.post(act(port_alert, "acknowledge")).status_code == 302
    assert Alert.objects.get(pk=port_alert.pk).status == "acknowledged"
    assert client.post(act(port_alert, "escalate"), {"escalate-reason": ""}).status_code == 400
    assert client.post(act(port_alert, "escalate"), {"escalate-reason": "Exit ban needed"}).status_code == 302
    assert Alert.objects.get(pk=port_alert.pk).status == "escalated"
    assert list(AuditEntry.objects.filter(actor=analyst, action__startswith="alert.")
                .values_list("action", flat=True).order_by("seq")) == ["alert.acknowledge", "alert.escalate"]


def test_refused_change_shows_the_services_message(client, port_alert, make_user):
    login(client, make_user("provincial_analyst", "CN-GD"))
    client.post(act(port_alert, "acknowledge"))
    response = client.post(act(port_alert, "acknowledge"))
    assert response.status_code == 400
    assert b"A acknowledged alert cannot be acknowledged." in response.content


def test_assign_offers_analysts_of_the_responsible_jurisdiction_only(client, port_alert, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    colleague = make_user("provincial_analyst", "CN-GD")
    beijing = make_user("provincial_analyst", "CN-BJ")
    login(client, analyst)
    choices = list(client.get(detail(port_alert)).context["forms"]["assign"].fields["assignee"].queryset)
    assert colleague in choices and beijing not in choices
    response = client.post(act(port_alert, "assign"), {"assign-assignee": beijing.pk})
    assert response.status_code == 400 and Alert.objects.get(pk=port_alert.pk).assigned_to is None
    assert client.post(act(port_alert, "assign"), {"assign-assignee": colleague.pk}).status_code == 302
    assert Alert.objects.get(pk=port_alert.pk).assigned_to == colleague
    assert AuditEntry.objects.filter(actor=analyst, action="alert.assign").exists()
    rows = login(client, colleague).get(INBOX, {"assigned": "me"}).context["page"].rows
    assert [a.pk for a in rows] == [port_alert.pk]


def test_unknown_action_is_not_found(client, port_alert, make_user):
    login(client, make_user("central_analyst"))
    assert client.post(act(port_alert, "delete")).status_code == 404


# --- dashboard ----------------------------------------------------------------------------------------------------


def test_dashboard_draws_charts_in_the_page_with_the_numbers_as_text(client, alerts, make_user):
    response = login(client, make_user("provincial_analyst", "CN-SH")).get(DASHBOARD)
    body = response.content.decode()
    assert body.count("<svg") == 3
    assert "http://" not in body.replace('xmlns="http://www.w3.org/2000/svg"', "") and "https://" not in body
    by_province = response.context["by_province"]
    assert [code for code, _, _ in by_province] == ["CN-SH", "CN-BJ"]  # Beijing's duplicate is notified to Shanghai
    by_code = {code: n for code, _, n in response.context["by_code"]}
    assert by_code["UNREGISTERED_DOCUMENT"] == 2
    week = response.context["week"]
    assert (week.start, week.end) == (datetime.date(2026, 10, 1), datetime.date(2026, 10, 7))


def test_dashboard_golden_week_for_a_chosen_period(client, alerts, make_user):
    login(client, make_user("central_analyst"))
    week = client.get(DASHBOARD, {"start": "2024-08-01", "end": "2024-08-15", "as_of": "2024-12-31"}).context["week"]
    # T-GD-005 left on 08-01 and never came back; T-BJ-004 (08-10..08-25) came back on time.
    assert (week.abroad, week.back_on_time, week.overdue, week.missing) == (2, 1, 1, 1)
    response = client.get(DASHBOARD, {"start": "2024-08-15", "end": "2024-08-01"})
    assert response.context["week"] is None and b"Fix this" in response.content


def test_golden_week_is_scoped_and_follows_the_day_it_is_taken(alerts, make_user):
    guangdong = make_user("provincial_analyst", "CN-GD")
    start, end = datetime.date(2024, 8, 1), datetime.date(2024, 8, 15)
    week = golden_week(user=guangdong, start=start, end=end, as_of=datetime.date(2024, 12, 31))
    assert (week.abroad, week.back_on_time, week.overdue, week.missing) == (1, 0, 1, 1)
    early = golden_week(user=guangdong, start=start, end=end, as_of=datetime.date(2024, 8, 20))
    assert (early.overdue, early.missing, early.still_away) == (1, 0, 0)
    during = golden_week(user=guangdong, start=start, end=end, as_of=datetime.date(2024, 8, 10))
    assert (during.overdue, during.still_away) == (0, 1)
