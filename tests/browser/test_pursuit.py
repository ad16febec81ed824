"""In a real browser: a pursuit officer opens a case from a MISSING alert, records the return, and the
statistics page counts one more person returned."""

import datetime
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from longarm.alerts.models import Alert
from longarm.cases.models import Case

pytestmark = pytest.mark.browser

WORLD = Path(__file__).resolve().parents[1] / "fixtures" / "world"
STATISTICS = "/reports/recoveries/?date_from=2025-01-01&date_to=2025-12-31"


@pytest.fixture
def missing_alert(transactional_db):
    """The small world imported and reconciled as of 2024-12-31: it holds one MISSING alert."""
    from longarm.alerts.reconciliation import reconcile_as_of
    from longarm.runs.imports import import_files
    from longarm.runs.services import system_user

    system = system_user()
    import_files(paths=sorted(WORLD.glob("*.csv")), actor=system)
    reconcile_as_of(as_of=datetime.date(2024, 12, 31), actor=system)
    return Alert.objects.get(code="MISSING")


def test_officer_opens_a_case_from_a_missing_alert_records_the_return_and_the_statistics_change(
        browser_page, login, make_user, missing_alert):
    page = browser_page
    login(page, make_user("pursuit_officer", missing_alert.jurisdiction))
    returned = page.get_by_test_id("figure-persons_returned").locator("dd")

    page.goto(STATISTICS)
    expect(returned).to_have_text("0")

    page.goto(f"/alerts/{missing_alert.pk}/")
    page.get_by_role("button", name="Open a case").click()
    case = Case.objects.get(source_alert=str(missing_alert.pk))
    expect(page).to_have_url(re.compile(rf"/cases/{case.pk}/$"))
    expect(page.get_by_test_id("case-status")).to_have_text("at large")

    form = page.get_by_role("form", name="Record return")
    form.get_by_label("Returned on").fill("2025-03-01")
    form.get_by_label("Returned from").fill("CAN")
    form.get_by_label("Return avenue").select_option("extradition")
    form.get_by_role("button", name="Record return").click()
    expect(page.get_by_test_id("case-status")).to_have_text("returned")
    expect(page.get_by_role("status")).to_contain_text(f"Case {case.pk} recorded as returned.")

    page.goto(STATISTICS)
    expect(returned).to_have_text("1")
    page.get_by_test_id("figure-persons_returned").get_by_role("link").click()
    expect(page.locator("table")).to_contain_text(case.pk)
