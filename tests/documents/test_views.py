"""The vault pages: the list with filters and reminders, a document's custody history and actions.

Each page is tried anonymous, with a role that may not use it (403), in the
user's own scope (200) and on another jurisdiction's document (404).
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from longarm.audit.models import AuditEntry
from longarm.documents.models import CustodyEvent, Reminder
from longarm.documents.vault import custody_state_at

VAULT = reverse("documents:vault")
PASSWORD = "correct horse battery staple"


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def page(document):
    return reverse("documents:vault-document", args=[document.pk])


def act(document, action):
    return reverse("documents:vault-act", args=[document.pk, action])


@pytest.fixture
def world(make_official, make_document, make_user, ledger):
    gd = make_official(official_id="GD-1")
    bj = make_official(official_id="BJ-1", jurisdiction="CN-BJ", organization="Beijing Bureau")
    gd_doc = make_document(gd)
    bj_doc = make_document(bj)
    ledger(gd_doc, "deposit", timezone.now() - datetime.timedelta(days=30))
    officer = make_user("personnel_officer", "CN-GD")
    return gd, gd_doc, bj_doc, officer


def test_anonymous_is_sent_to_login(client, world):
    _, gd_doc, _, _ = world
    for url in (VAULT, page(gd_doc)):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response["Location"]
    assert client.post(act(gd_doc, "lost"), {"lost-reason": "x"}).status_code == 302
    assert custody_state_at(document=gd_doc) == "held"


def test_role_without_the_vault_is_refused(client, world, make_user):
    _, gd_doc, _, _ = world
    login(client, make_user("provincial_analyst", "CN-GD"))
    assert client.get(VAULT).status_code == 403
    assert client.get(page(gd_doc)).status_code == 403
    assert client.post(act(gd_doc, "lost"), {"lost-reason": "x"}).status_code == 403


def test_officer_sees_own_documents_and_filters(client, world):
    _, gd_doc, bj_doc, officer = world
    login(client, officer)
    body = client.get(VAULT).content.decode()
    assert gd_doc.pk in body and bj_doc.pk not in body
    assert gd_doc.pk not in client.get(VAULT, {"state": "released"}).content.decode()
    assert gd_doc.pk in client.get(VAULT, {"state": "held"}).content.decode()


def test_document_page_shows_history(client, world):
    _, gd_doc, _, officer = world
    response = login(client, officer).get(page(gd_doc))
    assert response.status_code == 200
    assert "deposited (held)" in response.content.decode()
    assert AuditEntry.objects.filter(actor=officer, action="view", target_id=gd_doc.pk).exists()


def test_other_jurisdictions_document_is_not_found(client, world):
    _, _, bj_doc, officer = world
    login(client, officer)
    assert client.get(page(bj_doc)).status_code == 404
    assert client.post(act(bj_doc, "lost"), {"lost-reason": "x"}).status_code == 404


def test_release_for_approved_trip_then_deposit(client, world, make_trip):
    gd, gd_doc, _, officer = world
    trip = make_trip(gd)
    login(client, officer)
    response = client.post(act(gd_doc, "release"), {"release-trip": trip.pk, "release-reason": "trip"})
    assert response.status_code == 302
    assert custody_state_at(document=gd_doc) == "released"
    response = client.post(act(gd_doc, "deposit"), {"deposit-note": "back"})
    assert response.status_code == 302
    assert custody_state_at(document=gd_doc) == "held"
    assert CustodyEvent.objects.filter(document=gd_doc).count() == 3


def test_refusal_is_shown_in_the_form(client, world):
    _, gd_doc, _, officer = world
    response = login(client, officer).post(act(gd_doc, "deposit"), {"deposit-note": ""})
    assert response.status_code == 400
    assert "already held" in response.content.decode()


def test_lost_and_cancel_need_a_reason(client, world):
    _, gd_doc, _, officer = world
    login(client, officer)
    assert client.post(act(gd_doc, "lost"), {"lost-reason": ""}).status_code == 400
    assert client.post(act(gd_doc, "lost"), {"lost-reason": "stolen"}).status_code == 302
    assert client.post(act(gd_doc, "cancel"), {"cancel-reason": "invalidated"}).status_code == 302
    assert custody_state_at(document=gd_doc) == "cancelled"


def test_reminders_are_listed_and_marked_read(client, world):
    _, gd_doc, _, officer = world
    reminder = Reminder.objects.create(user=officer, kind="expiry", document=gd_doc,
                                       due_on=datetime.date(2030, 1, 1), message="Passport expires soon")
    login(client, officer)
    assert "Passport expires soon" in client.get(VAULT).content.decode()
    assert client.post(reverse("documents:reminder-read", args=[reminder.pk])).status_code == 302
    reminder.refresh_from_db()
    assert reminder.read_at is not None


# --- MRZ check ----------------------------------------------------------------------------------------------------

MRZ_CHECK = reverse("documents:mrz-check")


def _zone(document, **overrides):
    from longarm.documents.mrz import mrz_td3

    official = document.official
    values = {"issuing_state": "CHN", "family_name": official.family_name, "given_name": official.given_name,
              "number": document.number, "nationality": "CHN", "birth_date": official.date_of_birth,
              "sex": official.sex, "expiry_date": document.expires_on}
    values.update(overrides)
    zone = mrz_td3(**values)
    return zone[:44] + "\n" + zone[44:]


def test_mrz_check_anonymous_and_wrong_role(client, world, make_user):
    response = client.get(MRZ_CHECK)
    assert response.status_code == 302 and "/login" in response["Location"]
    login(client, make_user("auditor"))
    assert client.get(MRZ_CHECK).status_code == 403


def test_mrz_check_lists_fields_and_problems_against_a_visible_document(client, world):
    _, gd_doc, _, officer = world
    login(client, officer)
    assert client.get(MRZ_CHECK).status_code == 200
    response = client.post(MRZ_CHECK, {"mrz": _zone(gd_doc), "document": gd_doc.pk})
    body = response.content.decode()
    assert response.status_code == 200 and gd_doc.number in body and "No problem found" in body
    response = client.post(MRZ_CHECK, {"mrz": _zone(gd_doc, sex="F"), "document": gd_doc.pk})
    assert "mrz-problems" in response.content.decode()


def test_mrz_check_htmx_gets_the_result_only(client, world):
    _, gd_doc, _, officer = world
    login(client, officer)
    response = client.post(MRZ_CHECK, {"mrz": _zone(gd_doc)[:-1] + "0"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith('<section id="mrz-result"')
    assert "mrz-problems" in body


def test_mrz_check_other_jurisdictions_document_reads_as_not_there(client, world):
    _, _, bj_doc, officer = world
    login(client, officer)
    for document_id in (bj_doc.pk, "NO-SUCH"):
        response = client.post(MRZ_CHECK, {"mrz": _zone(bj_doc), "document": document_id})
        assert "No document with this id in your scope" in response.content.decode()
        assert bj_doc.official.pk not in response.content.decode()


def test_vault_pages_through_documents_keeping_the_filters(client, world, make_official, make_document, ledger,
                                                           settings):
    settings.LONGARM_UI_PAGE_SIZE = 2
    gd, gd_doc, bj_doc, officer = world
    held = [gd_doc]
    for n in range(3):
        document = make_document(make_official(official_id=f"GD-{n + 2}"))
        ledger(document, "deposit", timezone.now() - datetime.timedelta(days=5))
        held.append(document)
    never_deposited = make_document(gd)
    login(client, officer)

    first = client.get(VAULT, {"state": "held"}).content.decode()
    assert "Showing 1–2 of 4" in first and 'rel="next"' in first and 'rel="prev"' not in first
    assert [d.pk in first for d in held] == [True, True, False, False]
    assert "?state=held&amp;page=2" in first  # the next link keeps the filter
    second = client.get(VAULT, {"state": "held", "page": 2}).content.decode()
    assert "Showing 3–4 of 4" in second and 'rel="prev"' in second and 'rel="next"' not in second
    assert [d.pk in second for d in held] == [False, False, True, True]
    assert never_deposited.pk not in first + second and bj_doc.pk not in first + second
    past_the_end = client.get(VAULT, {"state": "held", "page": 9}).content.decode()
    assert "No document matches on this page" in past_the_end
    assert "Showing 1–2" in client.get(VAULT, {"state": "held", "page": "x"}).content.decode()
    rows = AuditEntry.objects.filter(actor=officer, action="search", target_type="documents.document")
    assert [(row.detail["page"], row.detail["shown"]) for row in rows.order_by("seq")] == [
        (1, 2), (2, 2), (9, 0), (1, 2)]


def test_vault_htmx_request_gets_the_results_only(client, world):
    _, gd_doc, _, officer = world
    body = login(client, officer).get(VAULT, {"state": "held"}, headers={"HX-Request": "true"}).content.decode()
    assert body.lstrip().startswith('<section id="results"') and gd_doc.pk in body
    assert "Your reminders" not in body and "<html" not in body
