"""`longarm demo`: a synthetic country on a fresh database, one login per role, and the web UI.

The CLI points the demo at its own fresh SQLite file (see `longarm.cli`), so a
demo never touches a real database.
"""

import datetime
import json
import secrets
from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError, call_command

from longarm.accounts.models import Role

# (username, role, jurisdiction, what they are for). Jurisdiction "" = national.
DEMO_USERS = [
    ("admin", Role.ADMINISTRATOR, "", "everything, all provinces"),
    ("central", Role.CENTRAL_ANALYST, "", "alerts and officials of every province"),
    ("analyst-gd", Role.PROVINCIAL_ANALYST, "CN-GD", "alerts and officials of Guangdong only"),
    ("personnel-gd", Role.PERSONNEL_OFFICER, "CN-GD", "registry, passports and travel requests of Guangdong"),
    ("pursuit-gd", Role.PURSUIT_OFFICER, "CN-GD", "fugitive cases pursued by Guangdong"),
    ("auditor", Role.AUDITOR, "", "the audit log: who saw and changed what"),
    ("border-post", Role.BORDER_POST, "", "the border check API only (use an API token)"),
]


class Command(BaseCommand):
    help = "Generate a synthetic country, import it into a fresh database, create demo users, and serve the web UI."

    def add_arguments(self, parser):
        parser.add_argument("--officials", type=int, default=3000, help="number of synthetic officials (default 3000)")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="prepare everything, then exit")

    def handle(self, *args, **options):
        from longarm.accounts.services import user_create
        from longarm.runs.imports import import_files
        from longarm.runs.services import system_user

        call_command("init", verbosity=0)
        system = system_user()
        world = Path(settings.DATA_DIR) / "demo" / "world"
        self.stdout.write(f"Generating a synthetic country of {options['officials']} officials in {world} …")
        call_command("synth", officials=options["officials"], seed=options["seed"], out=str(world), verbosity=0)
        manifest = json.loads((world / "manifest.json").read_text())

        self.stdout.write("Importing it …")
        paths = sorted(str(p) for p in world.iterdir() if p.suffix in (".csv", ".jsonl") and not p.name.startswith("truth"))
        result = import_files(paths=paths, actor=system)
        if not result.ok:
            errors = [str(error) for item in result.files for error in item.errors]
            raise CommandError("the synthetic world did not import:\n" + "\n".join(errors[:20]))

        as_of = manifest.get("as_of")
        if as_of:
            self.stdout.write(f"Reconciling border crossings as of {as_of} …")
            call_command("reconcile", as_of=datetime.date.fromisoformat(as_of), verbosity=0)

        logins = self._create_users(user_create, system, manifest)
        self._print_logins(logins, options)
        if not options["no_serve"]:
            from longarm.accounts.management.commands.serve import serve

            serve(host=options["host"], port=options["port"], threads=8, stdout=self.stdout)

    def _create_users(self, user_create, system, manifest) -> list[tuple[str, str, str]]:
        from longarm.registry.models import Official

        logins = []
        for username, role, jurisdiction, purpose in DEMO_USERS:
            password = secrets.token_urlsafe(9)
            user_create(username=username, password=password, role=role, jurisdiction=jurisdiction, actor=system)
            logins.append((username, password, purpose))
        official = Official.objects.filter(jurisdiction="CN-GD", status="active").order_by("official_id").first()
        if official is not None:
            password = secrets.token_urlsafe(9)
            user_create(username="official", password=password, role=Role.OFFICIAL, jurisdiction="CN-GD",
                        official=official, actor=system)
            logins.append(("official", password, f"self-service as {official} ({official.official_id})"))
        return logins

    def _print_logins(self, logins, options) -> None:
        url = f"http://{options['host']}:{options['port']}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"longarm demo is ready at {url}"))
        self.stdout.write("Demo logins (new passwords every run):")
        width = max(len(name) for name, _, _ in logins)
        for username, password, purpose in logins:
            self.stdout.write(f"  {username.ljust(width)}  {password}   {purpose}")
        self.stdout.write("")
