"""`longarm watchlist lapse [--today YYYY-MM-DD]`: write into the history the entries that lapsed on expiry."""

import argparse
import datetime

from django.core.management import BaseCommand
from django.utils import timezone

from longarm.runs.services import system_user
from longarm.watchlist.services import watchlist_record_lapses


def iso_date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = ("Work with the watch list. `lapse` records in each entry's history that it lapsed after its expiry "
            "date (the entry stopped restricting anyone on that date by itself); run it daily, running it again "
            "records nothing twice.")

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{lapse}")
        lapse = actions.add_parser("lapse", help="record the entries that lapsed after their expiry date")
        lapse.add_argument("--today", type=iso_date, default=None, help="the day to run for (default: today)")

    def handle(self, *args, **options):
        today = options["today"] or timezone.localdate()
        lapsed = watchlist_record_lapses(today=today, actor=system_user())
        self.stdout.write(f"Watch list on {today.isoformat()}: {lapsed} "
                          f"{'entry' if lapsed == 1 else 'entries'} newly recorded as lapsed.")
