"""The border check served as in production (autocommit, `longarm.wsgi.application`): on PostgreSQL from
each process's in-memory snapshot of the active watch list and the tokens, which must never answer from
a state older than the last committed change; on SQLite from the tables on every call. Each test runs on
both databases and states what a border post sees right after a change."""

import datetime
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.authtoken.models import Token

from longarm.audit.models import AuditEntry
from longarm.audit.selectors import audit_verify
from longarm.documents.models import Document
from longarm.watchlist.border_snapshot import holder
from longarm.watchlist.services import watchlist_confirm, watchlist_propose, watchlist_withdraw
from tests.watchlist.test_border_check import banned, checks, make_entry, today  # noqa: F401 (fixtures)
from tests.watchlist.test_border_check_wsgi import call

BY_DOCUMENT = {"document_number": "E12345678", "issuing_state": "CHN"}
POSTGRESQL = connection.vendor == "postgresql"


@pytest.fixture
def served(audit_log_flushable, audit_appender):
    """Committed data, as a server sees it, and a process with no snapshot read yet."""
    holder.forget()
    yield holder
    holder.forget()


@pytest.fixture
def post_token(served, make_user):
    return Token.objects.create(user=make_user("border_post", "CN-GD"))


def reads_since(before: int) -> int:
    return holder.reads - before


def answer(token, body=BY_DOCUMENT, **options):
    status, _, content = call(body, token=token.key, **options)
    assert status == 200, content
    return content


def test_served_answer_comes_from_one_snapshot_read_and_is_audited_with_the_request_id(banned, post_token):
    before = holder.reads
    for n in range(3):
        assert answer(post_token, headers={"X-Request-Id": f"gate-{n}"}) == {
            "hit": True, "measure": "exit_ban", "reference": "WL-7"}
    assert answer(post_token, {"family_name": "FANG", "given_name": "WANG", "date_of_birth": "1968-02-29",
                               "sex": "F"})["reference"] == "WL-7"
    assert answer(post_token, {"document_number": "G00000000", "issuing_state": "CHN"})["hit"] is False
    assert reads_since(before) == (1 if POSTGRESQL else 0)
    rows = checks()
    assert [row.request_id for row in rows[:3]] == ["gate-0", "gate-1", "gate-2"]
    assert [(row.actor_id, row.detail) for row in rows] == [
        *[(post_token.user_id, {"query": "document", "hit": True, "entry_id": "WL-7"})] * 3,
        (post_token.user_id, {"query": "identity", "hit": True, "entry_id": "WL-7"}),
        (post_token.user_id, {"query": "document", "hit": False, "entry_id": None})]
    assert rows[0].target_type == "watchlist.watchlistentry" and rows[0].target_id == "WL-7"
    assert audit_verify().ok


def test_served_answer_has_the_headers_of_the_django_path(banned, post_token):
    """The same security headers and request id as the Django path gives (which a GET goes through)."""
    _, fast, _ = call(token=post_token.key)
    _, django, _ = call(token=post_token.key, method="GET", body=None)
    assert set(fast) - {"content-length"} == set(django) - {"content-length", "allow"}
    for name in ("content-type", "x-content-type-options", "referrer-policy", "cross-origin-opener-policy"):
        assert fast[name] == django[name]


def test_confirmed_ban_hits_on_the_very_next_call(make_official, make_user, post_token, today):
    official = make_official(official_id="GD-9", family_name="LI", given_name="MING")
    Document.objects.create(document_id="DGD9", official=official, doc_type="passport", number="E99990000",
                            number_norm="E99990000", issuing_state="CHN", expires_on=datetime.date(2031, 1, 1))
    question = {"document_number": "E99990000", "issuing_state": "CHN"}
    assert answer(post_token, question)["hit"] is False  # the snapshot is read now, without the entry
    proposer, confirmer = make_user("provincial_analyst", "CN-GD"), make_user("central_analyst")
    entry = watchlist_propose(official=official, measure="exit_ban", legal_basis="Supervision Law art. 30",
                              authority="Guangdong Supervision Commission", starts_on=today,
                              expires_on=today + datetime.timedelta(days=30), actor=proposer)
    assert answer(post_token, question)["hit"] is False  # proposed only
    watchlist_confirm(entry=entry, actor=confirmer)
    assert answer(post_token, question) == {"hit": True, "measure": "exit_ban", "reference": entry.entry_id}
    # The stale answer was never given, so it was never audited: one row per answer, each as answered.
    assert [row.detail["hit"] for row in checks()] == [False, False, True]
    assert audit_verify().ok


def test_withdrawn_ban_stops_hitting_at_once(banned, make_user, post_token):
    assert answer(post_token)["hit"] is True
    watchlist_withdraw(entry=banned.watchlist_entries.get(), reason="Court lifted the measure",
                       actor=make_user("central_analyst"))
    assert answer(post_token) == {"hit": False, "measure": None, "reference": None}
    assert [row.detail["hit"] for row in checks()] == [True, False]


def test_entry_lapses_after_its_expiry_date_without_any_write(make_official, post_token, today):
    official = make_official(official_id="GD-5", family_name="ZHAO", given_name="LEI", sex="M",
                             date_of_birth=datetime.date(1971, 4, 4))
    make_entry(official, "WL-L", "alert_only", today, starts=-5, expires=0)
    question = {"family_name": "ZHAO", "given_name": "LEI", "date_of_birth": "1971-04-04", "sex": "M"}
    assert answer(post_token, question) == {"hit": True, "measure": "alert_only", "reference": "WL-L"}
    before = holder.reads
    tomorrow = datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time(12),
                                         tzinfo=timezone.get_current_timezone())
    with mock.patch("django.utils.timezone.now", return_value=tomorrow):
        assert answer(post_token, question)["hit"] is False
    assert reads_since(before) == 0  # decided on the call's date, from the same snapshot


def test_new_document_of_a_watched_official_hits_at_once(banned, post_token):
    question = {"document_number": "G55554444", "issuing_state": "CHN"}
    assert answer(post_token, question)["hit"] is False
    Document.objects.create(document_id="DBJ2", official=banned, doc_type="passport", number="G55554444",
                            number_norm="G55554444", issuing_state="CHN", expires_on=datetime.date(2033, 1, 1))
    assert answer(post_token, question)["reference"] == "WL-7"


def test_revoked_token_or_deactivated_user_is_refused_at_once(banned, post_token):
    assert answer(post_token)["hit"] is True
    user = post_token.user
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert call(token=post_token.key)[0] == 401
    user.is_active = True
    user.save(update_fields=["is_active"])
    assert answer(post_token)["hit"] is True
    user.role = "provincial_analyst"
    user.save(update_fields=["role"])
    assert call(token=post_token.key)[0] == 403
    user.role = "border_post"
    user.save(update_fields=["role"])
    key = post_token.key
    post_token.delete()
    assert call(token=key)[0] == 401
    assert [row.detail.get("refused") for row in checks()] == [None, None, 403]


def test_token_issued_after_the_snapshot_works_at_once(banned, post_token, make_user):
    assert answer(post_token)["hit"] is True
    newcomer = Token.objects.create(user=make_user("border_post", "CN-SH"))
    assert answer(newcomer)["hit"] is True
    assert checks()[-1].actor_id == newcomer.user_id


@pytest.mark.skipif(not POSTGRESQL, reason="the snapshot serves PostgreSQL only")
def test_stale_snapshot_writes_no_audit_row_for_its_answer(banned, post_token, today):
    """The guard itself: an audit row guarded by a snapshot older than a committed change is refused."""
    from longarm.audit.group_commit import StaleSnapshot, append_durable

    snapshot = holder.current(today)
    Document.objects.filter(pk="DBJ1").update(number="E 1234-5678")  # any committed change of the tables
    before = AuditEntry.objects.count()
    with pytest.raises(StaleSnapshot):
        append_durable(actor=snapshot.tokens[post_token.key], action="border_check", detail={"hit": True},
                       fresh_as_of=snapshot.pg_snapshot)
    append_durable(actor=snapshot.tokens[post_token.key], action="border_check", detail={"unguarded": True})
    assert AuditEntry.objects.count() == before + 1 and checks()[-1].detail == {"unguarded": True}
    fresh = holder.renew(snapshot, today)
    append_durable(actor=fresh.tokens[post_token.key], action="border_check", detail={"hit": True},
                   fresh_as_of=fresh.pg_snapshot)
    assert AuditEntry.objects.count() == before + 2 and audit_verify().ok


@pytest.mark.skipif(not POSTGRESQL, reason="the snapshot serves PostgreSQL only")
def test_a_login_does_not_make_the_snapshot_stale(banned, post_token, today):
    """Only what the check answers from counts as a change: a user's last login is not."""
    snapshot = holder.current(today)
    user = post_token.user
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT longarm_border_assert_fresh(%s::pg_snapshot)", [snapshot.pg_snapshot])
