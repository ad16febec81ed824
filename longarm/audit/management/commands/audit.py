"""`longarm audit verify`: check the audit log's hash chain; exit status 1 at the first broken row."""

from django.core.management import BaseCommand, CommandError

from longarm.audit.selectors import audit_verify


class Command(BaseCommand):
    help = "Work with the audit log. `verify` recomputes the hash chain and reports the first broken row."

    def add_arguments(self, parser):
        subcommands = parser.add_subparsers(dest="subcommand", required=True, metavar="{verify}")
        subcommands.add_parser("verify", help="Recompute every row's hash in order; exit status 1 at a break.")

    def handle(self, *args, **options):
        report = audit_verify()
        if report.ok:
            self.stdout.write(self.style.SUCCESS(f"Audit chain OK: {report.rows} rows checked."))
            return
        raise CommandError(f"Audit chain broken at seq {report.first_bad_seq}: {report.reason} "
                           f"({report.rows} rows before it are intact).", returncode=1)
