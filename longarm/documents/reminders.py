"""Reminders about documents: due back after a trip, and expiring soon.

A released document is due back `document_return_days` after the return of the
trip it was released for; from the trip's last day on, its holder and the
personnel officers who keep it are reminded of that date. A document that is
neither lost nor cancelled is announced `LONGARM_DOCUMENT_EXPIRY_WARNING_DAYS`
before it expires. Each reminder is stored once per (user, kind, document, due
date) and e-mailed when it is first stored, so running the job twice, or every
day, sends nothing twice.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.db import transaction
from django.db.models import Q, Subquery

from longarm.accounts.models import Role, User
from longarm.audit.services import audit_record
from longarm.documents.models import CustodyAction, CustodyEvent, Document, Reminder, ReminderKind
from longarm.documents.vault import return_days, with_custody

CHUNK = 5_000


@dataclass(frozen=True)
class Due:
    """One document that calls for a reminder, with what the message needs."""

    kind: ReminderKind
    document_id: str
    official_id: str
    jurisdiction: str
    organization: str
    due_on: datetime.date
    message: str


def _describe(row: dict) -> str:
    return (f"{row['doc_type'].replace('_', ' ')} {row['issuing_state']} {row['number']} of "
            f"{row['official__family_name']} {row['official__given_name']} ({row['official_id']})")


_FIELDS = ("document_id", "doc_type", "number", "issuing_state", "expires_on", "official_id", "official__family_name",
           "official__given_name", "official__jurisdiction", "official__organization")


def documents_due_back(*, today: datetime.date) -> list[Due]:
    """Released documents whose trip has ended by `today`: due back `document_return_days` after it."""
    released = with_custody(Document.objects.filter(
        pk__in=Subquery(CustodyEvent.objects.filter(action=CustodyAction.RELEASE).values("document_id"))))
    rows = (released.filter(custody_action=CustodyAction.RELEASE, custody_trip_return_on__lte=today)
            .values(*_FIELDS, "custody_trip_id", "custody_trip_return_on"))
    due = []
    for row in rows.iterator(chunk_size=CHUNK):
        due_on = row["custody_trip_return_on"] + datetime.timedelta(days=return_days())
        late = " It is overdue." if due_on < today else ""
        due.append(Due(ReminderKind.RETURN_DUE, row["document_id"], row["official_id"], row["official__jurisdiction"],
                       row["official__organization"], due_on,
                       f"The {_describe(row)} is due back in custody on {due_on.isoformat()} "
                       f"(trip {row['custody_trip_id']} ended on {row['custody_trip_return_on'].isoformat()}).{late}"))
    return due


def documents_expiring(*, today: datetime.date) -> list[Due]:
    """Documents that expire within the warning period and are neither lost nor cancelled."""
    last_day = today + datetime.timedelta(days=settings.LONGARM_DOCUMENT_EXPIRY_WARNING_DAYS)
    rows = (with_custody(Document.objects.filter(expires_on__gte=today, expires_on__lte=last_day))
            .filter(Q(custody_action__isnull=True) | ~Q(custody_action__in=[CustodyAction.LOST, CustodyAction.CANCEL]))
            .values(*_FIELDS))
    return [Due(ReminderKind.EXPIRY, row["document_id"], row["official_id"], row["official__jurisdiction"],
                row["official__organization"], row["expires_on"],
                f"The {_describe(row)} expires on {row['expires_on'].isoformat()}.")
            for row in rows.iterator(chunk_size=CHUNK)]


def responsible_officers(jurisdiction: str, organization: str, officers: dict[str, list[User]]) -> list[User]:
    """Personnel officers whose scope covers an official: of the official's jurisdiction, and of its
    unit when the officer is tied to one (as `longarm.accounts.scoping` decides)."""
    return [officer for officer in officers.get(jurisdiction, [])
            if not officer.organization or officer.organization == organization]


def _recipients(dues: list[Due]) -> dict[Due, list[User]]:
    officers: dict[str, list[User]] = defaultdict(list)
    for officer in User.objects.filter(role=Role.PERSONNEL_OFFICER, is_active=True).exclude(jurisdiction=""):
        officers[officer.jurisdiction].append(officer)
    official_ids = sorted({due.official_id for due in dues})
    holders: dict[str, User] = {}
    for start in range(0, len(official_ids), CHUNK):
        for user in User.objects.filter(official_id__in=official_ids[start:start + CHUNK], is_active=True):
            holders[user.official_id] = user
    recipients = {}
    for due in dues:
        users = responsible_officers(due.jurisdiction, due.organization, officers)
        if due.official_id in holders:
            users.append(holders[due.official_id])
        recipients[due] = users
    return recipients


def _already_sent(dues: list[Due]) -> set[tuple]:
    document_ids = sorted({due.document_id for due in dues})
    sent = set()
    for start in range(0, len(document_ids), CHUNK):
        sent.update(Reminder.objects.filter(document_id__in=document_ids[start:start + CHUNK])
                    .values_list("user_id", "kind", "document_id", "due_on"))
    return sent


@transaction.atomic
def reminders_send(*, today: datetime.date, actor) -> dict[str, int]:
    """Store the reminders due on `today` that were not stored before, e-mail them (one message per user
    listing their new reminders), and audit the run with its counts.

    Mail goes out before the transaction commits: if sending fails nothing is stored and the next run
    sends again, so a reminder is never stored without its e-mail.
    """
    dues = documents_due_back(today=today) + documents_expiring(today=today)
    sent = _already_sent(dues)
    new: list[Reminder] = []
    for due, users in _recipients(dues).items():
        for user in users:
            if (user.pk, due.kind.value, due.document_id, due.due_on) not in sent:
                new.append(Reminder(user=user, kind=due.kind, document_id=due.document_id, due_on=due.due_on,
                                    message=due.message))
    Reminder.objects.bulk_create(new, batch_size=CHUNK, ignore_conflicts=True)

    by_user: dict[User, list[Reminder]] = defaultdict(list)
    for reminder in new:
        by_user[reminder.user].append(reminder)
    messages = [
        EmailMessage(subject=f"longarm: {len(reminders)} document reminder{'s' if len(reminders) > 1 else ''}",
                     body="\n".join(f"- {reminder.message}" for reminder in reminders),
                     to=[user.email])
        for user, reminders in by_user.items() if user.email
    ]
    if messages:
        with mailers.default as connection:
            connection.send_messages(messages)
    counts = {
        "due_back": sum(1 for due in dues if due.kind == ReminderKind.RETURN_DUE),
        "expiring": sum(1 for due in dues if due.kind == ReminderKind.EXPIRY),
        "reminders_created": len(new),
        "emails_sent": len(messages),
    }
    audit_record(actor=actor, action="reminders.send", target_type="documents.reminder",
                 detail={"today": today.isoformat(), "counts": counts})
    return counts
