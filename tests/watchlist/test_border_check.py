import datetime
import json

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from longarm.audit.models import AuditEntry
from longarm.documents.models import Document
from longarm.documents.mrz import mrz_td3
from longarm.watchlist.border_check import QueryKind, Traveller, border_check
from longarm.watchlist.models import WatchlistEntry

URL = "/api/border/check"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def banned(make_official, today):
    """A Beijing official with a passport and an exit ban in force."""
    official = make_official(official_id="BJ1", family_name="WANG", given_name="FANG", sex="F",
                             date_of_birth=datetime.date(1968, 2, 29), jurisdiction="CN-BJ",
                             organization="Beijing Bureau")
    Document.objects.create(document_id="DBJ1", official=official, doc_type="passport", number="E 1234-5678",
                            number_norm="E12345678", issuing_state="CHN", expires_on=datetime.date(2031, 1, 1))
    make_entry(official, "WL-7", "exit_ban", today)
    return official


def make_entry(official, entry_id, measure, today, *, starts=-10, expires=30, status="active"):
    return WatchlistEntry.objects.create(
        entry_id=entry_id, official=official, measure=measure, legal_basis="Supervision Law art. 30",
        authority="Provincial Supervision Commission", case_ref="CASE-1",
        starts_on=today + datetime.timedelta(days=starts), expires_on=today + datetime.timedelta(days=expires),
        status=status)


def client_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


@pytest.fixture
def border_post(make_user):
    """A border post in Guangdong: the check is national, it sees a Beijing official's ban too."""
    return client_for(make_user("border_post", "CN-GD"))


def checks():
    return list(AuditEntry.objects.filter(action="border_check").order_by("seq"))


# who may ask


def test_border_check_refuses_anonymous_callers(banned):
    response = APIClient().post(URL, {"document_number": "E12345678", "issuing_state": "CHN"}, format="json")
    assert response.status_code == 401
    assert checks() == []


def test_border_check_refuses_a_session_login_even_of_a_border_post(banned, make_user):
    client = APIClient()
    client.force_login(make_user("border_post", "CN-GD"))
    response = client.post(URL, {"document_number": "E12345678", "issuing_state": "CHN"}, format="json")
    assert response.status_code == 401


@pytest.mark.parametrize("role", ["provincial_analyst", "central_analyst", "personnel_officer", "official"])
def test_border_check_refuses_other_roles_and_audits_the_refusal(banned, make_user, role):
    user = make_user(role, "CN-BJ")
    response = client_for(user).post(URL, {"document_number": "E12345678", "issuing_state": "CHN"}, format="json")
    assert response.status_code == 403
    [row] = checks()
    assert row.actor == user
    assert row.detail == {"query": None, "hit": None, "refused": 403}


# the answer


def test_border_check_by_document_hits_an_exit_ban_of_another_jurisdiction(banned, border_post):
    response = border_post.post(URL, {"document_number": "e1234 5678", "issuing_state": "CHN"}, format="json")
    assert response.status_code == 200
    assert response.json() == {"hit": True, "measure": "exit_ban", "reference": "WL-7"}
    [row] = checks()
    assert row.actor.role == "border_post"
    assert (row.target_type, row.target_id) == ("watchlist.watchlistentry", "WL-7")
    assert row.detail == {"query": "document", "hit": True, "entry_id": "WL-7"}


def test_border_check_audit_row_holds_nothing_of_the_traveller(banned, border_post):
    border_post.post(URL, {"family_name": "WANG", "given_name": "FANG", "date_of_birth": "1968-02-29", "sex": "F"},
                     format="json")
    stored = json.dumps(checks()[0].detail)
    assert "WANG" not in stored and "1968" not in stored and "BJ1" not in stored


def test_border_check_answers_no_hit_for_a_traveller_who_is_no_official(banned, border_post):
    response = border_post.post(URL, {"document_number": "G00000001", "issuing_state": "CHN"}, format="json")
    assert response.json() == {"hit": False, "measure": None, "reference": None}
    [row] = checks()
    assert row.detail == {"query": "document", "hit": False, "entry_id": None}
    assert row.target_id == ""


def test_border_check_needs_the_issuing_state_to_match(banned, border_post):
    response = border_post.post(URL, {"document_number": "E12345678", "issuing_state": "HKG"}, format="json")
    assert response.json()["hit"] is False


def test_border_check_by_mrz_hits(banned, border_post):
    zone = mrz_td3(issuing_state="CHN", family_name="WANG", given_name="FANG", number="E12345678",
                   nationality="CHN", birth_date=datetime.date(1968, 2, 29), sex="F",
                   expiry_date=datetime.date(2031, 1, 1))
    response = border_post.post(URL, {"mrz": zone}, format="json")
    assert response.json() == {"hit": True, "measure": "exit_ban", "reference": "WL-7"}
    assert checks()[0].detail["query"] == "mrz"


def test_border_check_by_mrz_of_an_unregistered_passport_hits_on_identity(banned, border_post):
    zone = mrz_td3(issuing_state="CHN", family_name="WANG", given_name="FANG", number="EX9999999",
                   nationality="CHN", birth_date=datetime.date(1968, 2, 29), sex="F",
                   expiry_date=datetime.date(2031, 1, 1))
    assert border_post.post(URL, {"mrz": zone}, format="json").json()["hit"] is True


def test_border_check_by_mrz_with_a_wrong_check_digit_still_hits(banned, border_post):
    zone = mrz_td3(issuing_state="CHN", family_name="WANG", given_name="FANG", number="E12345678",
                   nationality="CHN", birth_date=datetime.date(1968, 2, 29), sex="F",
                   expiry_date=datetime.date(2031, 1, 1))
    broken = zone[:53] + ("0" if zone[53] != "0" else "1") + zone[54:]
    response = border_post.post(URL, {"mrz": broken}, format="json")
    assert response.json()["hit"] is True
    assert checks()[0].detail["mrz_problems"] >= 1


def test_border_check_refuses_an_unreadable_mrz_and_audits_it(banned, border_post):
    response = border_post.post(URL, {"mrz": "P<CHNWANG"}, format="json")
    assert response.status_code == 400
    assert "mrz" in response.json()
    assert checks()[0].detail == {"query": None, "hit": None, "refused": 400}


def test_border_check_by_identity_accepts_swapped_names(banned, border_post):
    response = border_post.post(URL, {"family_name": "Fang", "given_name": "Wang", "date_of_birth": "1968-02-29",
                                      "sex": "F"}, format="json")
    assert response.json() == {"hit": True, "measure": "exit_ban", "reference": "WL-7"}
    assert checks()[0].detail["query"] == "identity"


def test_border_check_by_identity_needs_the_same_sex_and_date_of_birth(banned, border_post):
    for body in ({"family_name": "WANG", "given_name": "FANG", "date_of_birth": "1968-02-29", "sex": "M"},
                 {"family_name": "WANG", "given_name": "FANG", "date_of_birth": "1968-03-01", "sex": "F"}):
        assert border_post.post(URL, body, format="json").json()["hit"] is False


@pytest.mark.parametrize("body", [
    {},
    {"document_number": "E12345678"},
    {"document_number": "E12345678", "issuing_state": "CHN", "sex": "F"},
    {"family_name": "WANG", "sex": "F"},
    {"document_number": "E12345678", "issuing_state": "china"},
])
def test_border_check_refuses_a_question_that_is_incomplete_or_mixed(banned, border_post, body):
    assert border_post.post(URL, body, format="json").status_code == 400


# which entries count


def test_border_check_answers_alert_only_and_prefers_an_exit_ban(make_official, today):
    official = make_official()
    traveller = Traveller(kind=QueryKind.IDENTITY, family_name=official.family_name, given_name=official.given_name,
                          date_of_birth=official.date_of_birth, sex=official.sex)
    make_entry(official, "WL-A", "alert_only", today)
    assert border_check(traveller=traveller, today=today).measure == "alert_only"
    make_entry(official, "WL-B", "exit_ban", today)
    answer = border_check(traveller=traveller, today=today)
    assert (answer.hit, answer.measure, answer.reference) == (True, "exit_ban", "WL-B")


@pytest.mark.parametrize(("starts", "expires", "status"), [
    (-30, -1, "active"),     # lapsed yesterday
    (1, 30, "active"),       # starts tomorrow
    (-10, 30, "withdrawn"),
    (-10, 30, "proposed"),
])
def test_border_check_ignores_entries_not_in_force_today(make_official, today, starts, expires, status):
    official = make_official()
    make_entry(official, "WL-X", "exit_ban", today, starts=starts, expires=expires, status=status)
    traveller = Traveller(kind=QueryKind.IDENTITY, family_name=official.family_name, given_name=official.given_name,
                          date_of_birth=official.date_of_birth, sex=official.sex)
    assert border_check(traveller=traveller, today=today).hit is False


def test_border_check_counts_the_first_and_last_day_of_an_entry(make_official, today):
    official = make_official()
    make_entry(official, "WL-E", "exit_ban", today, starts=0, expires=5)
    traveller = Traveller(kind=QueryKind.IDENTITY, family_name=official.family_name, given_name=official.given_name,
                          date_of_birth=official.date_of_birth, sex=official.sex)
    assert border_check(traveller=traveller, today=today).hit is True
    assert border_check(traveller=traveller, today=today + datetime.timedelta(days=5)).hit is True
    assert border_check(traveller=traveller, today=today + datetime.timedelta(days=6)).hit is False


# the audit row, committed before the answer


def test_border_check_ask_outside_a_transaction_commits_its_audit_row_in_the_chain(audit_log_flushable, banned,
                                                                                  make_user, today,
                                                                                  audit_appender):
    """Served as in production (autocommit): on PostgreSQL the audit transaction commits asynchronously and
    a flushed WAL message follows; the row is there and the chain still verifies."""
    from longarm.audit.selectors import audit_verify
    from longarm.watchlist.border_check import border_check_ask

    actor = make_user("border_post", "CN-GD")
    traveller = Traveller(kind=QueryKind.DOCUMENT, document_number="E12345678", issuing_state="CHN")
    for _ in range(3):
        answer = border_check_ask(actor=actor, traveller=traveller, today=today)
    assert (answer.hit, answer.reference) == (True, "WL-7")
    assert [row.detail for row in checks()] == [{"query": "document", "hit": True, "entry_id": "WL-7"}] * 3
    assert audit_verify().ok
