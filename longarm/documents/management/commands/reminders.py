"""`longarm reminders send [--today YYYY-MM-DD]`: store and e-mail the document reminders due today."""

import argparse
import datetime

from django.core.management import BaseCommand
from django.utils import timezone

from longarm.documents.reminders import reminders_send
from longarm.runs.services import system_user


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = ("Remind personnel officers and holders of documents due back after a trip and of documents that "
            "expire soon, in the app and by e-mail. Running it again the same day sends nothing twice.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        send = actions.add_parser("send", help="create and e-mail the reminders due today")
        send.add_argument("--today", type=iso_date, default=None, help="the day to run for (default: today)")

    def handle(self, *args, **options):
        today = options["today"] or timezone.localdate()
        counts = reminders_send(today=today, actor=system_user())
        self.stdout.write(
            f"Reminders for {today.isoformat()}: {counts['due_back']} documents due back, "
            f"{counts['expiring']} expiring; {counts['reminders_created']} new reminders, "
            f"{counts['emails_sent']} e-mails sent.")
