"""`longarm alerts export --format csv|jsonl [--output FILE]`: the alert list in the spec's columns."""

import csv
import json

from django.core.management.base import BaseCommand, CommandError

from longarm.alerts.models import Alert, AlertCode, AlertStatus
from longarm.alerts.selectors import EXPORT_COLUMNS, alert_export_rows, alerts_filtered
from longarm.audit.services import audit_record
from longarm.runs.services import system_user


class Command(BaseCommand):
    help = "Work with alerts. `export` writes one row per alert (CSV or JSON Lines), streaming."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        export = actions.add_parser("export", help="write the alerts in the spec's columns")
        export.add_argument("--format", choices=["csv", "jsonl"], required=True)
        export.add_argument("--output", help="file to write (default: standard output)")
        export.add_argument("--code", choices=AlertCode.values)
        export.add_argument("--status", choices=AlertStatus.values)
        export.add_argument("--jurisdiction", help="responsible for, or notified of, the alert (e.g. CN-GD)")

    def handle(self, *args, **options):
        if options["action"] != "export":
            raise CommandError("unknown action")
        filters = {name: options[name] for name in ("code", "status", "jurisdiction")}
        queryset = alerts_filtered(Alert.objects.all(), **filters)
        if options["output"]:
            handle = open(options["output"], "w", newline="", encoding="utf-8")
        else:
            handle = self.stdout
            handle.ending = ""  # the writers end their own lines
        written = 0
        try:
            if options["format"] == "csv":
                writer = csv.DictWriter(handle, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
                writer.writeheader()
                for row in alert_export_rows(queryset):
                    writer.writerow(row)
                    written += 1
            else:
                for row in alert_export_rows(queryset):
                    handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                    written += 1
        finally:
            if options["output"]:
                handle.close()
        audit_record(actor=system_user(), action="alerts.export", target_type="alerts.alert",
                     detail={"format": options["format"], "filters": filters, "rows": written,
                             "output": options["output"] or "stdout"})
        if options["output"]:
            self.stderr.write(f"{written} alerts written to {options['output']}")
