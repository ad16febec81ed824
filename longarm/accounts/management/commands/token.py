"""`longarm token USERNAME`: print a new API token for a user (the previous one stops working)."""

from django.core.management import BaseCommand, CommandError

from longarm.accounts.errors import AccountError
from longarm.accounts.models import User
from longarm.accounts.services import token_issue
from longarm.runs.services import system_user


class Command(BaseCommand):
    help = "Issue a new API token for USERNAME and print it; the user's previous token is revoked."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, **options):
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"No user named {options['username']!r}.")
        try:
            token = token_issue(user=user, actor=system_user())
        except AccountError as error:
            raise CommandError(error.message) from None
        self.stdout.write(token.key)
