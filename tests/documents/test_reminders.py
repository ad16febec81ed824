import datetime

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from longarm.audit.models import AuditEntry
from longarm.documents.models import Reminder
from longarm.documents.reminders import reminders_send
from longarm.documents.services import document_deposit, document_release
from longarm.runs.services import system_user

UNIT = "Guangdong Department of Finance"


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def people(make_official, make_user):
    official = make_official(official_id="GD1")
    return {
        "official": official,
        "unit_officer": make_user("personnel_officer", "CN-GD", organization=UNIT, email="unit@gd.example"),
        "province_officer": make_user("personnel_officer", "CN-GD", email="province@gd.example"),
        "other_unit_officer": make_user("personnel_officer", "CN-GD", organization="Shenzhen Customs",
                                        email="customs@gd.example"),
        "beijing_officer": make_user("personnel_officer", "CN-BJ", email="bj@bj.example"),
        "analyst": make_user("provincial_analyst", "CN-GD", email="analyst@gd.example"),
        "holder": make_user("official", "CN-GD", official=official, email="holder@gd.example"),
    }


@pytest.fixture
def released(people, make_document, make_trip, today):
    """A passport released three weeks ago for a trip that ended five days ago."""
    official, officer = people["official"], people["unit_officer"]
    document = make_document(official)
    now = timezone.now()
    document_deposit(document=document, actor=officer, occurred_at=now - datetime.timedelta(days=30))
    trip = make_trip(official, depart_on=today - datetime.timedelta(days=20), return_on=today - datetime.timedelta(days=5))
    document_release(document=document, trip=trip, actor=officer, occurred_at=now - datetime.timedelta(days=21))
    return document, trip


def recipients(document, kind):
    return set(Reminder.objects.filter(document=document, kind=kind).values_list("user__username", flat=True))


def test_reminders_send_reminds_keepers_and_holder_of_a_document_due_back(people, released, today):
    document, trip = released
    counts = reminders_send(today=today, actor=system_user())
    assert recipients(document, "return_due") == {people[name].username for name in
                                                  ("unit_officer", "province_officer", "holder")}
    reminder = Reminder.objects.filter(document=document, kind="return_due").first()
    assert reminder.due_on == trip.return_on + datetime.timedelta(days=10)
    assert reminder.due_on.isoformat() in reminder.message
    assert counts == {"due_back": 1, "expiring": 0, "reminders_created": 3, "emails_sent": 3}
    assert sorted(address for message in mail.outbox for address in message.to) == [
        "holder@gd.example", "province@gd.example", "unit@gd.example"]
    [row] = AuditEntry.objects.filter(action="reminders.send")
    assert row.actor.username == "system"
    assert row.detail == {"today": today.isoformat(), "counts": counts}


def test_reminders_send_twice_adds_nothing_and_sends_nothing(people, released, today):
    reminders_send(today=today, actor=system_user())
    mail.outbox.clear()
    counts = reminders_send(today=today, actor=system_user())
    assert counts["reminders_created"] == 0 and counts["emails_sent"] == 0
    assert mail.outbox == []
    assert Reminder.objects.count() == 3
    assert AuditEntry.objects.filter(action="reminders.send").count() == 2


def test_reminders_send_waits_for_the_end_of_the_trip(people, released, today):
    document, trip = released
    reminders_send(today=trip.return_on - datetime.timedelta(days=1), actor=system_user())
    assert recipients(document, "return_due") == set()
    reminders_send(today=trip.return_on, actor=system_user())
    assert len(recipients(document, "return_due")) == 3


def test_reminders_send_says_nothing_once_the_document_is_back(people, released, today):
    document, _ = released
    document_deposit(document=document, actor=people["unit_officer"])
    reminders_send(today=today, actor=system_user())
    assert recipients(document, "return_due") == set()


def test_reminders_send_finds_the_trip_of_an_imported_release(people, make_document, make_trip, ledger, today):
    official = people["official"]
    document = make_document(official)
    ledger(document, "deposit", timezone.now() - datetime.timedelta(days=40))
    ledger(document, "release", timezone.now() - datetime.timedelta(days=30))
    make_trip(official, document=document, depart_on=today - datetime.timedelta(days=29),
              return_on=today - datetime.timedelta(days=15))
    reminders_send(today=today, actor=system_user())
    [due_on] = set(Reminder.objects.filter(document=document).values_list("due_on", flat=True))
    assert due_on == today - datetime.timedelta(days=5)
    assert "It is overdue." in Reminder.objects.filter(document=document).first().message


def test_reminders_send_warns_before_a_document_expires(people, make_document, today):
    official = people["official"]
    soon = make_document(official, expires_on=today + datetime.timedelta(days=90))
    later = make_document(official, expires_on=today + datetime.timedelta(days=91))
    expired = make_document(official, expires_on=today - datetime.timedelta(days=1))
    counts = reminders_send(today=today, actor=system_user())
    assert counts["expiring"] == 1
    assert len(recipients(soon, "expiry")) == 3
    assert recipients(later, "expiry") == recipients(expired, "expiry") == set()
    assert Reminder.objects.get(document=soon, user=people["holder"]).due_on == soon.expires_on


@pytest.mark.parametrize("final", ["lost", "cancel"])
def test_reminders_send_does_not_warn_about_lost_or_cancelled_documents(people, make_document, ledger, today, final):
    document = make_document(people["official"], expires_on=today + datetime.timedelta(days=10))
    ledger(document, final, timezone.now() - datetime.timedelta(days=1))
    reminders_send(today=today, actor=system_user())
    assert recipients(document, "expiry") == set()


def test_reminders_send_keeps_users_without_email_in_the_app_only(make_official, make_user, make_document, today):
    official = make_official()
    officer = make_user("personnel_officer", "CN-GD")
    document = make_document(official, expires_on=today + datetime.timedelta(days=5))
    counts = reminders_send(today=today, actor=system_user())
    assert recipients(document, "expiry") == {officer.username}
    assert counts["emails_sent"] == 0 and mail.outbox == []


def test_reminders_command_prints_counts_and_takes_a_day(people, make_document, capsys, today):
    make_document(people["official"], expires_on=datetime.date(2031, 3, 1))
    call_command("reminders", "send", "--today", "2031-01-15")
    assert capsys.readouterr().out.strip() == (
        "Reminders for 2031-01-15: 0 documents due back, 1 expiring; 3 new reminders, 3 e-mails sent.")
    call_command("reminders", "send", "--today", "2031-01-15")
    assert "0 new reminders, 0 e-mails sent" in capsys.readouterr().out
