"""`longarm init`: create or upgrade the database. Safe to run again."""

from django.core.management import BaseCommand, call_command

from longarm.runs.services import system_user


class Command(BaseCommand):
    help = "Create or upgrade the database named by LONGARM_DATABASE_URL (idempotent)."

    def handle(self, *args, **options):
        from django.db import connection

        call_command("migrate", interactive=False, verbosity=options["verbosity"] - 1 if options["verbosity"] else 0)
        system_user()
        settings_dict = connection.settings_dict
        where = settings_dict["NAME"] if connection.vendor == "sqlite" else f"{settings_dict['HOST']}/{settings_dict['NAME']}"
        self.stdout.write(self.style.SUCCESS(f"Database ready ({connection.vendor}: {where})."))
