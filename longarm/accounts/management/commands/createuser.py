"""`longarm createuser USERNAME --role R`: create a user through `user_create`, as the system actor."""

import secrets
import sys

from django.core.management import BaseCommand, CommandError

from longarm.accounts.errors import AccountError
from longarm.accounts.models import Role
from longarm.accounts.services import user_create
from longarm.registry.models import Official
from longarm.runs.services import system_user


class Command(BaseCommand):
    help = "Create a user with a role and jurisdiction. Without --password-stdin a password is generated and printed."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values)
        parser.add_argument("--jurisdiction", default="", help="ISO 3166-2 code, e.g. CN-GD")
        parser.add_argument("--organization", default="", help="for a personnel officer: the unit they keep")
        parser.add_argument("--official", default="", help="for the official role: the official_id of the login")
        parser.add_argument("--password-stdin", action="store_true", help="read the password from standard input")

    def handle(self, *args, **options):
        actor = system_user()
        official = None
        if options["official"]:
            official = Official.objects.visible_to(actor).filter(pk=options["official"]).first()
            if official is None:
                raise CommandError(f"No official with official_id {options['official']!r}.")
        generated = not options["password_stdin"]
        password = secrets.token_urlsafe(15) if generated else sys.stdin.readline().rstrip("\r\n")
        try:
            user = user_create(username=options["username"], password=password, role=options["role"],
                               jurisdiction=options["jurisdiction"], organization=options["organization"],
                               official=official, actor=actor)
        except AccountError as error:
            raise CommandError(error.message) from None
        where = f" in {user.jurisdiction}" if user.jurisdiction else ""
        self.stdout.write(f"Created {user.username} ({user.role}{where}).")
        if generated:
            self.stdout.write(f"Password: {password}")
