"""`longarm report recoveries --from A --to B --format json|csv|xlsx|pdf [--output F] [--operation NAME]`.

Thin over `longarm.reports.recoveries`: the run is recorded (kind `report`),
and a report that cannot be computed (a missing exchange rate, say) exits
with status 2 and writes nothing.
"""

import datetime
from pathlib import Path

from django.core.management import BaseCommand, CommandError

from longarm.reports.errors import ReportError
from longarm.reports.recoveries import FIGURES, Period, cases_behind, operation_period, recoveries_report
from longarm.reports.writers import FORMATS, write_report
from longarm.runs.models import RunKind
from longarm.runs.services import run_finish, run_start, system_user

BINARY_FORMATS = ("xlsx", "pdf")


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (YYYY-MM-DD).", returncode=2) from None


class Command(BaseCommand):
    help = "Period reports. `recoveries`: fugitives returned and assets recovered in [--from, --to]."

    def add_arguments(self, parser):
        parser.add_argument("report", choices=["recoveries"])
        parser.add_argument("--from", dest="date_from", help="first day of the period, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", help="last day of the period, YYYY-MM-DD (inclusive)")
        parser.add_argument("--operation", default="", help="the period of a named operation instead of --from/--to")
        parser.add_argument("--format", default="json", choices=FORMATS)
        parser.add_argument("--output", default="", help="write to this file instead of standard output")
        parser.add_argument("--cases", default="", choices=["", *FIGURES],
                            help="list the case ids behind one figure instead of the report")

    def handle(self, *args, **options):
        if options["operation"]:
            if options["date_from"] or options["date_to"]:
                raise CommandError("Give either --operation or --from and --to, not both.", returncode=2)
            try:
                period = operation_period(options["operation"])
            except ReportError as error:
                raise CommandError(error.message, returncode=2) from None
        else:
            if not options["date_from"] or not options["date_to"]:
                raise CommandError("--from and --to are required (or --operation).", returncode=2)
            try:
                period = Period(_date(options["date_from"]), _date(options["date_to"]))
            except ReportError as error:
                raise CommandError(error.message, returncode=2) from None
        if options["cases"]:
            ids = cases_behind(options["cases"], period=period).order_by("case_id").values_list("case_id", flat=True)
            self.stdout.write("\n".join(ids))
            return
        fmt = options["format"]
        if fmt in BINARY_FORMATS and not options["output"]:
            raise CommandError(f"--format {fmt} needs --output FILE.", returncode=2)
        parameters = {"report": "recoveries", "from": period.date_from.isoformat(), "to": period.date_to.isoformat(),
                      "operation": period.operation, "format": fmt, "output": options["output"]}
        run = run_start(kind=RunKind.REPORT, actor=system_user(), parameters=parameters)
        try:
            report = recoveries_report(period=period)
        except ReportError as error:
            run_finish(run=run, counts={}, error=error.message)
            raise CommandError(error.message, returncode=2) from None
        content = write_report(report, period, fmt)
        run_finish(run=run, counts={key: report[key] for key in FIGURES})
        if options["output"]:
            Path(options["output"]).write_bytes(content)
        else:
            self.stdout.write(content.decode("utf-8"), ending="")
