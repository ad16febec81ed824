"""In a real browser: sign in, find an official by native name with the live search, open the official's file."""

import re

import pytest
from playwright.sync_api import expect

from longarm.audit.models import AuditEntry

pytestmark = pytest.mark.browser


@pytest.fixture
def officials(make_official):
    return {
        "zhang": make_official(official_id="GD-1", family_name="ZHANG", given_name="XIAOMING", native_name="张晓明"),
        "li": make_official(official_id="GD-2", family_name="LI", given_name="WEI", native_name="李伟"),
        "beijing": make_official(official_id="BJ-1", family_name="ZHANG", given_name="XIAOMING",
                                 native_name="张晓明", jurisdiction="CN-BJ", organization="Beijing Bureau"),
    }


def test_analyst_finds_an_official_by_native_name_and_opens_the_file(browser_page, login, make_user, officials):
    page = browser_page
    analyst = make_user("provincial_analyst", "CN-GD")
    login(page, analyst)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Officials").click()
    page.wait_for_load_state("load")  # htmx (a deferred script) binds its triggers only once the page has loaded
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)  # the two Guangdong officials; Beijing's namesake is not in scope

    with page.expect_response(lambda r: "q=" in r.url and r.request.headers.get("hx-request") == "true") as live:
        page.get_by_label("Search").fill("张晓明")
    assert live.value.ok
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("GD-1")
    expect(page).to_have_url(re.compile(r"/officials/\?.*q=%E5%BC%A0%E6%99%93%E6%98%8E"))

    rows.first.get_by_role("link", name="ZHANG XIAOMING").click()
    expect(page).to_have_url(re.compile(r"/officials/GD-1/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("张晓明")
    assert AuditEntry.objects.filter(actor=analyst, action="view", target_id="GD-1").count() == 1
    assert AuditEntry.objects.filter(actor=analyst, action="search", detail__q="张晓明").exists()


def test_search_works_without_javascript(browser_page_without_js, login, make_user, officials):
    page = browser_page_without_js
    login(page, make_user("provincial_analyst", "CN-GD"))
    page.goto("/officials/")
    page.get_by_label("Search").fill("李伟")
    page.get_by_role("button", name="Search").click()
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("GD-2")


def test_anonymous_visitor_is_sent_to_sign_in(browser_page, officials):
    browser_page.goto("/officials/GD-1/")
    expect(browser_page).to_have_url(re.compile(r"/login/\?next=/officials/GD-1/"))
    expect(browser_page.get_by_role("heading", level=1)).to_have_text("Sign in to longarm")
