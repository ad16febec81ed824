"""In a real browser: the analyst's alert desk, from the inbox to a resolved alert, and the dashboard's charts."""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from longarm.alerts.models import Alert
from longarm.audit.models import AuditEntry

pytestmark = pytest.mark.browser

WORLD = Path(__file__).resolve().parents[1] / "fixtures" / "world"


@pytest.fixture
def world_alerts(transactional_db):
    """The small world imported through the importer and reconciled as of 2024-12-31."""
    from longarm.alerts.reconciliation import reconcile_as_of
    from longarm.runs.imports import import_files
    from longarm.runs.services import system_user

    system = system_user()
    import_files(paths=sorted(WORLD.glob("*.csv")), actor=system)
    reconcile_as_of(as_of=datetime.date(2024, 12, 31), actor=system)
    assert Alert.objects.filter(code="NAKED_OFFICIAL", jurisdiction="CN-GD").count() == 2


def test_analyst_filters_the_inbox_by_code_opens_an_alert_and_resolves_it(browser_page, login, make_user,
                                                                          world_alerts):
    page = browser_page
    analyst = make_user("provincial_analyst", "CN-GD")
    login(page, analyst)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Alerts").click()
    page.wait_for_load_state("load")  # htmx (a deferred script) binds its triggers only once the page has loaded
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(Alert.objects.filter(jurisdiction="CN-GD").count())

    with page.expect_response(lambda r: "code=NAKED_OFFICIAL" in r.url
                              and r.request.headers.get("hx-request") == "true") as filtered:
        page.get_by_label("Code", exact=True).select_option("NAKED_OFFICIAL")
    assert filtered.value.ok
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"/alerts/\?.*code=NAKED_OFFICIAL"))
    expect(page.locator(".codecounts a[aria-current]")).to_contain_text("naked official 2")

    rows.filter(has_text="O-GD-003").get_by_role("link", name="naked official").click()
    alert = Alert.objects.get(code="NAKED_OFFICIAL", official_id="O-GD-003")
    expect(page).to_have_url(re.compile(rf"/alerts/{alert.pk}/$"))
    expect(page.locator(".why")).to_contain_text("The official's spouse has emigrated.")
    expect(page.locator(".evidence")).to_contain_text("emigrated")
    expect(page.locator('a[href="/officials/O-GD-003/"]')).to_be_visible()  # the official's file, one click away

    resolve = page.get_by_role("form", name="Resolve")
    reason = resolve.get_by_label("How was it resolved")
    resolve.get_by_role("button", name="Resolve").click()  # no reason: the browser holds the form back
    assert reason.evaluate("field => field.validity.valueMissing")
    expect(page.get_by_test_id("alert-status")).to_have_text("open")

    reason.fill("Spouse's emigration declared in the 2024 personal-matters report; post reviewed.")
    resolve.get_by_role("button", name="Resolve").click()
    expect(page.get_by_test_id("alert-status")).to_have_text("resolved")
    expect(page.get_by_role("status")).to_contain_text(f"Alert {alert.pk} resolved.")
    expect(page.locator(".history")).to_contain_text("post reviewed")

    assert Alert.objects.get(pk=alert.pk).status == "resolved"
    assert AuditEntry.objects.filter(actor=analyst, action="alert.resolve", target_id=str(alert.pk)).exists()
    assert AuditEntry.objects.filter(actor=analyst, action="view", target_id=str(alert.pk)).exists()


def test_inbox_filter_and_dashboard_work_without_javascript(browser_page_without_js, login, make_user, world_alerts):
    page = browser_page_without_js
    login(page, make_user("central_analyst"))
    page.goto("/alerts/")
    page.get_by_label("Code", exact=True).select_option("MISSING")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile(r"code=MISSING"))
    expect(page.locator("#results tbody tr")).to_have_count(1)

    page.goto("/alerts/dashboard/?start=2024-08-01&end=2024-08-15&as_of=2024-12-31")
    expect(page.locator("svg.chart")).to_have_count(3)
    table = page.get_by_test_id("golden-week")
    expect(table.get_by_role("row", name=re.compile("^Abroad"))).to_contain_text("2")
    expect(table.get_by_role("row", name=re.compile("^of whom missing"))).to_contain_text("1")
