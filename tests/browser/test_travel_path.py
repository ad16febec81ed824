"""In a real browser, the whole travel path: request, approval, release, crossings, report back, deposit,
reconciliation, and an alert desk with nothing to say about the trip."""

import datetime
import io
import time

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from longarm.alerts.models import Alert
from longarm.documents.models import CustodyEvent, Document
from longarm.documents.vault import custody_state_at
from longarm.travel.models import Trip, TripStatus

pytestmark = pytest.mark.browser

UNIT = "Guangdong Department of Finance"
CROSSING_COLUMNS = ("event_id,direction,occurred_at,port,port_jurisdiction,doc_type,doc_number,issuing_state,"
                    "family_name,given_name,date_of_birth,sex,nationality,counterpart_country")


def _switch_user(page, login, user):
    page.context.clear_cookies()
    login(page, user)


def _crossings_csv(path, document, exit_at, entry_at):
    """An exit and the entry back, as the border feed writes them."""
    official = document.official
    rows = [CROSSING_COLUMNS]
    for event_id, direction, moment in (("X-PATH-EXIT", "exit", exit_at), ("X-PATH-ENTRY", "entry", entry_at)):
        local = timezone.localtime(moment).replace(microsecond=0).isoformat()
        rows.append(f"{event_id},{direction},{local},CAN-BAIYUN,CN-GD,passport,{document.number},CHN,"
                    f"{official.family_name},{official.given_name},{official.date_of_birth},{official.sex},CHN,THA")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_trip_from_request_to_a_quiet_alert_desk(browser_page, login, make_user, make_official, tmp_path):
    from longarm.runs.imports import import_files
    from longarm.runs.services import system_user

    page = browser_page
    official = make_official(official_id="GD-PATH", rank="county", organization=UNIT)
    passport = Document.objects.create(document_id="D-PATH", official=official, doc_type="passport",
                                       number="E98765432", number_norm="E98765432", issuing_state="CHN",
                                       issued_on=datetime.date(2022, 1, 1), expires_on=datetime.date(2032, 1, 1))
    CustodyEvent.objects.create(event_id="C-PATH-0", document=passport, action="deposit",
                                occurred_at=timezone.now() - datetime.timedelta(days=60))
    traveller = make_user("official", "CN-GD", official=official)
    officer = make_user("personnel_officer", "CN-GD", organization=UNIT)
    analyst = make_user("provincial_analyst", "CN-GD")
    today = timezone.localdate()

    # The official requests travel.
    login(page, traveller)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Travel").click()
    form = page.get_by_role("form", name="Request travel")
    form.get_by_label("Destinations").fill("THA")
    form.get_by_label("Departure").fill(today.isoformat())
    form.get_by_label("Return", exact=True).fill((today + datetime.timedelta(days=5)).isoformat())
    form.get_by_label("Purpose").select_option("private")
    form.get_by_label("Document").select_option("D-PATH")
    form.get_by_role("button", name="Request travel").click()
    expect(page.get_by_role("status")).to_contain_text("sent for approval")
    trip = Trip.objects.get(official=official)
    expect(page.locator(f"#trip-{trip.pk}")).to_contain_text("awaiting approval")

    # The personnel officer approves it from the queue, the pre-checks beside it.
    _switch_user(page, login, officer)
    page.goto("/travel/pending/")
    card = page.locator(f"#trip-{trip.pk}")
    expect(card.locator("table.prechecks")).to_contain_text("document_custody")
    card.get_by_role("form", name="Approve").get_by_role("button", name="Approve").click()
    expect(page.get_by_role("status")).to_contain_text("approved")
    assert Trip.objects.get(pk=trip.pk).status == TripStatus.APPROVED

    # ... and releases the passport for it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Vault").click()
    page.get_by_role("link", name="D-PATH").click()
    release = page.get_by_role("form", name="Release for trip")
    release.get_by_label("Approved trip").select_option(trip.pk)
    release.get_by_role("button", name="Release for trip").click()
    expect(page.get_by_role("status")).to_contain_text("released")
    assert custody_state_at(document=passport) == "released"

    # The border feed brings the exit and the entry back.
    released_at = CustodyEvent.objects.filter(document=passport, action="release").get().occurred_at
    time.sleep(2.2)
    crossings = _crossings_csv(tmp_path / "crossings.csv", passport, released_at + datetime.timedelta(seconds=1),
                               released_at + datetime.timedelta(seconds=2))
    result = import_files(paths=[crossings], actor=system_user())
    assert [f.status for f in result.files] == ["imported"]

    # The official reports back.
    _switch_user(page, login, traveller)
    page.goto("/travel/")
    back = page.locator(f"#trip-{trip.pk}").get_by_role("form", name="Report back")
    back.get_by_label("Returned on").fill(today.isoformat())
    back.get_by_role("button", name="Report back").click()
    expect(page.get_by_role("status")).to_contain_text("reported back")

    # The officer takes the passport back into custody.
    _switch_user(page, login, officer)
    page.goto(f"/vault/{passport.pk}/")
    page.get_by_role("form", name="Deposit").get_by_role("button", name="Deposit").click()
    expect(page.get_by_role("status")).to_contain_text("deposited")
    assert custody_state_at(document=passport) == "held"

    # Reconciliation finds nothing to say about the trip.
    call_command("reconcile", as_of=today, stdout=io.StringIO())
    assert not Alert.objects.filter(official_id=official.pk).exists(), list(
        Alert.objects.filter(official_id=official.pk).values_list("code", "detail"))
    _switch_user(page, login, analyst)
    page.goto("/alerts/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Alerts")
    expect(page.locator("#results")).not_to_contain_text(official.pk)


def _zone_for(document):
    from longarm.documents.mrz import mrz_td3

    official = document.official
    zone = mrz_td3(issuing_state="CHN", family_name=official.family_name, given_name=official.given_name,
                   number=document.number, nationality="CHN", birth_date=official.date_of_birth, sex=official.sex,
                   expiry_date=document.expires_on)
    return zone[:44] + "\n" + zone[44:]


@pytest.fixture
def passport_and_officer(make_official, make_user):
    official = make_official(official_id="GD-MRZ", rank="county", organization=UNIT)
    passport = Document.objects.create(document_id="D-MRZ", official=official, doc_type="passport",
                                       number="E12312312", number_norm="E12312312", issuing_state="CHN",
                                       expires_on=datetime.date(2032, 1, 1))
    return passport, make_user("personnel_officer", "CN-GD", organization=UNIT)


def test_mrz_check_answers_as_the_zone_is_typed(browser_page, login, passport_and_officer):
    page = browser_page
    passport, officer = passport_and_officer
    login(page, officer)
    page.goto("/documents/mrz-check/")
    page.get_by_label("Compare with document id").fill(passport.pk)
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.get_by_label("MRZ", exact=True).fill(_zone_for(passport))
    expect(page.locator("#mrz-result")).to_contain_text("No problem found")
    expect(page.locator("#mrz-result")).to_contain_text(passport.number)
    with page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
        page.get_by_label("MRZ", exact=True).fill(_zone_for(passport).replace("ZHANG", "ZHAN<"))
    expect(page.locator(".mrz-problems")).to_be_visible()


def test_mrz_check_works_without_javascript(browser_page_without_js, login, passport_and_officer):
    page = browser_page_without_js
    passport, officer = passport_and_officer
    login(page, officer)
    page.goto("/documents/mrz-check/")
    page.get_by_label("MRZ", exact=True).fill(_zone_for(passport))
    page.get_by_role("button", name="Check").click()
    expect(page.locator("#mrz-result")).to_contain_text("No problem found")
