"""`longarm reconcile --as-of D`: evaluate the alert rules on the data known up to D."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from longarm.alerts.reconciliation import reconcile_as_of
from longarm.runs.services import system_user


class Command(BaseCommand):
    help = "Evaluate the alert rules on all data known up to the as-of date (by local date); record the run."
    # A batch job: the system checks (URLs, every view's imports) would cost seconds at each daily run.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--as-of", required=True, type=datetime.date.fromisoformat, help="YYYY-MM-DD")
        for name in ("exit-tolerance-days", "return-grace-days", "missing-after-days", "document-return-days"):
            parser.add_argument(f"--{name}", type=int, default=None, help="override the setting for this run")
        parser.add_argument("--full", action="store_true",
                            help="read every crossing and the whole registry, not only what changed since the "
                                 "last run (the result is the same; a run after a restore, say)")

    def handle(self, *args, **options):
        overrides = {name: options[name] for name in ("exit_tolerance_days", "return_grace_days",
                                                      "missing_after_days", "document_return_days")}
        try:
            run = reconcile_as_of(as_of=options["as_of"], actor=system_user(), overrides=overrides,
                                  full=options["full"], progress=lambda phase: self.stderr.write(f"{phase} done"))
        except ValueError as error:
            raise CommandError(str(error)) from error
        counts = run.counts
        self.stdout.write(
            f"reconcile run #{run.pk} as of {options['as_of']}: {counts['alerts_found']} alerts found, "
            f"{counts['raised']} raised, {counts['withdrawn']} withdrawn, {counts['reopened']} reopened "
            f"({run.duration_seconds:.1f}s; {run.log}; {run.parameters['mode']} run"
            + (f", because: {run.parameters['full_because']}" if run.parameters["full_because"] else "") + ")"
        )
        for code, number in counts["by_code"].items():
            self.stdout.write(f"  {code}: {number}")
