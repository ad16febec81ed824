"""In a real browser: open the identity review queue, judge a pair "different people", re-run resolve, and the pair
does not come back."""

import re

import pytest
from playwright.sync_api import expect

from longarm.alerts.models import Alert, AlertStatus
from longarm.identity.models import CandidatePair, PairDecision
from tests.identity.conftest import DUPLICATE_REF, registry  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def resolved(transactional_db, registry):  # noqa: F811
    from longarm.identity.services import identity_resolve
    from longarm.runs.services import system_user

    identity_resolve(actor=system_user())
    return CandidatePair.objects.get(ref=DUPLICATE_REF)


def test_analyst_judges_a_pair_different_people_and_a_new_run_does_not_bring_it_back(browser_page, login, make_user,
                                                                                      resolved):
    from longarm.identity.services import identity_resolve
    from longarm.runs.services import system_user

    page = browser_page
    login(page, make_user("provincial_analyst", "CN-GD"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Identities").click()
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", level=1)).to_have_text("Identity review")
    row = page.locator(f'#results tr[data-ref="{DUPLICATE_REF}"]')
    expect(row).to_be_visible()

    with page.expect_response(lambda r: "kind=duplicate" in r.url and r.request.headers.get("hx-request") == "true"):
        page.get_by_label("Kind", exact=True).select_option("duplicate")
    expect(row).to_be_visible()

    row.get_by_role("link", name=f"#{resolved.pk}").click()
    expect(page).to_have_url(re.compile(rf"/identity/pairs/{resolved.pk}/$"))
    expect(page.locator("svg.waterfall")).to_be_visible()
    expect(page.locator("table.side-by-side")).to_contain_text("張曉明")

    form = page.get_by_role("form", name="Decision")
    form.get_by_label("different people").check()
    form.get_by_role("button", name="Record the judgement").click()
    expect(page.locator(".error")).to_contain_text("Say why")  # no note: refused, nothing recorded
    assert not PairDecision.objects.exists()
    form = page.get_by_role("form", name="Decision")
    form.get_by_label("different people").check()
    form.get_by_label("Note").fill("Two cousins of one village; different fathers on the household register.")
    form.get_by_role("button", name="Record the judgement").click()
    expect(page.get_by_test_id("pair-decision")).to_have_text("different people")
    assert Alert.objects.get(code="DUPLICATE_IDENTITY", ref=DUPLICATE_REF).status == AlertStatus.WITHDRAWN

    identity_resolve(actor=system_user(), full=True)

    page.goto("/identity/")
    page.wait_for_load_state("load")
    expect(page.locator("#results")).to_be_visible()
    expect(page.locator(f'#results tr[data-ref="{DUPLICATE_REF}"]')).to_have_count(0)
    assert Alert.objects.get(code="DUPLICATE_IDENTITY", ref=DUPLICATE_REF).status == AlertStatus.WITHDRAWN
    page.goto("/identity/?status=different")
    expect(page.locator(f'#results tr[data-ref="{DUPLICATE_REF}"]')).to_be_visible()
