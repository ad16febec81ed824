import datetime

import pytest
from django.utils import timezone

from longarm.audit.models import AuditEntry
from longarm.documents.errors import CustodyError, CustodyPermissionError
from longarm.documents.models import CustodyEvent, Reminder
from longarm.documents.services import (
    document_cancel,
    document_deposit,
    document_release,
    document_report_lost,
    reminder_mark_read,
)
from longarm.documents.vault import CustodyState, custody_state_at

UTC = datetime.UTC


@pytest.fixture
def official(make_official):
    return make_official()


@pytest.fixture
def officer(make_user):
    return make_user("personnel_officer", "CN-GD", organization="Guangdong Department of Finance")


@pytest.fixture
def document(official, make_document):
    return make_document(official)


@pytest.fixture
def held(document, officer):
    document_deposit(document=document, actor=officer,
                     occurred_at=timezone.now() - datetime.timedelta(days=30))
    return document


def audit_rows(document, action):
    return list(AuditEntry.objects.filter(target_type="documents.document", target_id=document.pk, action=action))


def state(document):
    return custody_state_at(document=document)


# deposit


def test_document_deposit_on_first_registration_holds_the_document_and_is_audited(document, officer):
    event = document_deposit(document=document, actor=officer, note="registered at intake")
    assert event.event_id.startswith("C-")
    assert (event.action, event.recorded_by, event.note) == ("deposit", officer, "registered at intake")
    assert state(document) == CustodyState.HELD
    [row] = audit_rows(document, "document.deposit")
    assert row.actor == officer
    assert row.detail["event_id"] == event.event_id
    assert (row.detail["state_before"], row.detail["state_after"]) == (None, "held")


def test_document_deposit_refuses_a_document_already_held_and_writes_nothing(held, officer):
    with pytest.raises(CustodyError, match="already held"):
        document_deposit(document=held, actor=officer)
    assert CustodyEvent.objects.filter(document=held).count() == 1
    assert len(audit_rows(held, "document.deposit")) == 1


def test_document_deposit_after_return_holds_the_document_again(held, officer, make_trip, official):
    document_release(document=held, trip=make_trip(official), actor=officer)
    event = document_deposit(document=held, actor=officer)
    assert state(held) == CustodyState.HELD
    [row] = [r for r in audit_rows(held, "document.deposit") if r.detail["event_id"] == event.event_id]
    assert row.detail["state_before"] == "released"


@pytest.mark.parametrize("final", ["lost", "cancel"])
def test_document_deposit_refuses_a_lost_or_cancelled_document(held, officer, final):
    (document_report_lost if final == "lost" else document_cancel)(document=held, actor=officer, reason="gone")
    with pytest.raises(CustodyError, match="cannot be deposited again"):
        document_deposit(document=held, actor=officer)
    assert len(audit_rows(held, "document.deposit")) == 1


def test_document_deposit_records_the_utc_offset_of_the_given_time(document, officer):
    beijing = datetime.timezone(datetime.timedelta(hours=8))
    moment = datetime.datetime(2024, 3, 1, 9, 30, tzinfo=beijing)
    event = document_deposit(document=document, actor=officer, occurred_at=moment)
    event.refresh_from_db()
    assert event.occurred_at == moment
    assert event.utc_offset == 480


def test_document_deposit_refuses_a_time_without_offset_or_in_the_future(document, officer):
    with pytest.raises(CustodyError, match="UTC offset"):
        document_deposit(document=document, actor=officer, occurred_at=datetime.datetime(2024, 3, 1, 9, 30))
    with pytest.raises(CustodyError, match="future"):
        document_deposit(document=document, actor=officer, occurred_at=timezone.now() + datetime.timedelta(days=1))
    assert not CustodyEvent.objects.filter(document=document).exists()
    assert audit_rows(document, "document.deposit") == []


def test_custody_action_cannot_be_dated_before_the_last_event(held, officer):
    with pytest.raises(CustodyError, match="before the document's last custody event"):
        document_report_lost(document=held, actor=officer, reason="lost",
                             occurred_at=timezone.now() - datetime.timedelta(days=60))
    assert audit_rows(held, "document.lost") == []


# release


def test_document_release_for_an_approved_trip_releases_it_and_records_the_trip(held, officer, official, make_trip):
    trip = make_trip(official)
    event = document_release(document=held, trip=trip, actor=officer, reason="private visit")
    assert (event.action, event.trip, event.note) == ("release", trip, "private visit")
    assert state(held) == CustodyState.RELEASED
    trip.refresh_from_db()
    assert trip.document_id == held.pk
    [row] = audit_rows(held, "document.release")
    assert row.actor == officer
    assert row.detail["trip_id"] == trip.pk
    assert (row.detail["state_before"], row.detail["state_after"]) == ("held", "released")


def test_document_release_is_allowed_during_a_trip_that_has_not_ended(held, officer, official, make_trip):
    today = timezone.localdate()
    trip = make_trip(official, depart_on=today - datetime.timedelta(days=2), return_on=today)
    document_release(document=held, trip=trip, actor=officer)
    assert state(held) == CustodyState.RELEASED


@pytest.mark.parametrize("status", ["requested", "rejected", "cancelled"])
def test_document_release_refuses_a_trip_that_is_not_approved(held, officer, official, make_trip, status):
    with pytest.raises(CustodyError, match="only for an approved trip"):
        document_release(document=held, trip=make_trip(official, status=status), actor=officer)
    assert state(held) == CustodyState.HELD
    assert audit_rows(held, "document.release") == []


def test_document_release_refuses_a_trip_of_another_official(held, officer, make_official, make_trip):
    other = make_official(family_name="LI", given_name="WEI")
    with pytest.raises(CustodyError, match="its own holder"):
        document_release(document=held, trip=make_trip(other), actor=officer)
    assert audit_rows(held, "document.release") == []


def test_document_release_refuses_a_trip_that_has_ended(held, officer, official, make_trip):
    today = timezone.localdate()
    trip = make_trip(official, depart_on=today - datetime.timedelta(days=20),
                     return_on=today - datetime.timedelta(days=1))
    with pytest.raises(CustodyError, match="current or upcoming"):
        document_release(document=held, trip=trip, actor=officer)
    assert audit_rows(held, "document.release") == []


def test_document_release_refuses_a_trip_approved_with_another_document(held, officer, official, make_trip,
                                                                        make_document):
    other_document = make_document(official, doc_type="travel_permit")
    with pytest.raises(CustodyError, match="another document"):
        document_release(document=held, trip=make_trip(official, document=other_document), actor=officer)
    assert audit_rows(held, "document.release") == []


def test_document_release_refuses_a_document_never_deposited(document, officer, official, make_trip):
    with pytest.raises(CustodyError, match="never deposited"):
        document_release(document=document, trip=make_trip(official), actor=officer)
    assert audit_rows(document, "document.release") == []


def test_document_release_refuses_a_document_already_released(held, officer, official, make_trip):
    document_release(document=held, trip=make_trip(official), actor=officer)
    with pytest.raises(CustodyError, match="already with its holder"):
        document_release(document=held, trip=make_trip(official), actor=officer)
    assert len(audit_rows(held, "document.release")) == 1


@pytest.mark.parametrize("final", ["lost", "cancel"])
def test_document_release_refuses_a_lost_or_cancelled_document(held, officer, official, make_trip, final):
    (document_report_lost if final == "lost" else document_cancel)(document=held, actor=officer, reason="gone")
    with pytest.raises(CustodyError, match="can never be released"):
        document_release(document=held, trip=make_trip(official), actor=officer)
    assert audit_rows(held, "document.release") == []


# lost and cancel


@pytest.mark.parametrize("service", [document_report_lost, document_cancel])
def test_lost_and_cancel_require_a_reason(held, officer, service):
    with pytest.raises(CustodyError, match="reason is required"):
        service(document=held, actor=officer, reason="  ")
    assert state(held) == CustodyState.HELD


def test_document_report_lost_of_a_released_document_is_final_and_audited(held, officer, official, make_trip):
    document_release(document=held, trip=make_trip(official), actor=officer)
    event = document_report_lost(document=held, actor=officer, reason="stolen in Bangkok")
    assert (event.action, event.note) == ("lost", "stolen in Bangkok")
    assert state(held) == CustodyState.LOST
    [row] = audit_rows(held, "document.lost")
    assert row.detail["reason"] == "stolen in Bangkok"
    assert (row.detail["state_before"], row.detail["state_after"]) == ("released", "lost")
    with pytest.raises(CustodyError, match="already reported lost"):
        document_report_lost(document=held, actor=officer, reason="again")


def test_document_cancel_of_a_lost_document_is_allowed_and_then_final(held, officer):
    document_report_lost(document=held, actor=officer, reason="lost")
    document_cancel(document=held, actor=officer, reason="invalidated by the issuing office")
    assert state(held) == CustodyState.CANCELLED
    [row] = audit_rows(held, "document.cancel")
    assert (row.detail["state_before"], row.detail["state_after"]) == ("lost", "cancelled")
    with pytest.raises(CustodyError, match="already cancelled"):
        document_cancel(document=held, actor=officer, reason="again")
    assert len(audit_rows(held, "document.cancel")) == 1


# who may act


@pytest.mark.parametrize(("role", "jurisdiction", "organization"), [
    ("official", "CN-GD", ""),
    ("provincial_analyst", "CN-GD", ""),
    ("border_post", "CN-GD", ""),
    ("personnel_officer", "CN-BJ", ""),
    ("personnel_officer", "CN-GD", "Shenzhen Customs"),
])
def test_custody_actions_refuse_actors_who_do_not_keep_this_document(document, make_user, role, jurisdiction,
                                                                     organization):
    actor = make_user(role, jurisdiction, organization=organization)
    with pytest.raises(CustodyPermissionError):
        document_deposit(document=document, actor=actor)
    assert state(document) is None
    assert audit_rows(document, "document.deposit") == []


def test_personnel_officer_of_the_whole_jurisdiction_may_act(document, make_user):
    document_deposit(document=document, actor=make_user("personnel_officer", "CN-GD"))
    assert state(document) == CustodyState.HELD


# the custody rule


def test_custody_state_at_a_moment_is_set_by_the_last_event_at_or_before_it(document, ledger):
    t = datetime.datetime(2024, 1, 1, tzinfo=UTC)
    ledger(document, "deposit", t)
    ledger(document, "release", t + datetime.timedelta(days=5))
    assert custody_state_at(document=document, at=t - datetime.timedelta(seconds=1)) is None
    assert custody_state_at(document=document, at=t) == CustodyState.HELD
    assert custody_state_at(document=document, at=t + datetime.timedelta(days=5)) == CustodyState.RELEASED
    assert custody_state_at(document=document, at=t + datetime.timedelta(days=4)) == CustodyState.HELD


# reminders


def test_reminder_mark_read_marks_own_reminder_once_and_is_audited(document, officer, make_user):
    reminder = Reminder.objects.create(user=officer, kind="expiry", document=document,
                                       due_on=datetime.date(2030, 1, 1), message="expires")
    reminder_mark_read(reminder=reminder, actor=officer)
    first = Reminder.objects.get(pk=reminder.pk).read_at
    assert first is not None
    reminder_mark_read(reminder=reminder, actor=officer)
    assert Reminder.objects.get(pk=reminder.pk).read_at == first
    assert AuditEntry.objects.filter(action="reminder.read", target_id=str(reminder.pk)).count() == 1
    with pytest.raises(CustodyPermissionError):
        reminder_mark_read(reminder=reminder, actor=make_user("personnel_officer", "CN-GD"))
