"""`longarm import PATH...`: import exchange-format files (CSV or JSON Lines).

Invalid rows are printed as `file:line: column: reason` and the command
exits with status 2; with `--partial` valid rows are written, the invalid
ones go to a rejects file, and it exits with 0.
"""

import sys

from django.core.management import BaseCommand, CommandError

from longarm.engine.formats import KINDS
from longarm.runs.imports import ImportRefused, import_files
from longarm.runs.services import system_user


class Command(BaseCommand):
    help = "Import exchange-format files (officials, relatives, documents, custody, trips, crossings, watchlist)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH")
        parser.add_argument("--kind", choices=list(KINDS), help="the kind of every file (default: from the file name)")
        parser.add_argument("--partial", action="store_true",
                            help="write the valid rows; put invalid ones in a rejects file")
        parser.add_argument("--allow-extra-columns", action="store_true",
                            help="ignore columns the format does not name instead of refusing the file")
        parser.add_argument("--rejects-dir", help="where rejects files go (default: next to each input file)")

    def handle(self, *args, **options):
        bar = _progress_bar()
        try:
            result = import_files(paths=options["paths"], actor=system_user(), kind=options["kind"],
                                  partial=options["partial"], allow_extra_columns=options["allow_extra_columns"],
                                  rejects_dir=options["rejects_dir"], progress=bar.update if bar is not None else None)
        except ImportRefused as refusal:
            raise CommandError(str(refusal), returncode=2) from refusal
        finally:
            if bar is not None:
                bar.close()
        for item in result.files:
            for error in item.errors:
                self.stderr.write(str(error))
            if item.error_count > len(item.errors):
                self.stderr.write(f"{item.path}: … and {item.error_count - len(item.errors)} more errors")
            if item.status == "imported":
                line = (f"{item.path}: {item.kind}: {item.rows} rows, {item.inserted} inserted, "
                        f"{item.updated} updated, {item.unchanged} unchanged")
                if item.rejected:
                    line += f", {item.rejected} rejected (see {item.rejects_path})"
                self.stdout.write(line)
            elif item.status == "invalid":
                self.stderr.write(f"{item.path}: {item.kind}: invalid, nothing written")
            else:
                self.stderr.write(f"{item.path}: {item.kind}: skipped, an earlier file was invalid")
        if not result.ok:
            raise CommandError("import failed: invalid input", returncode=2)


def _progress_bar():
    """A tqdm bar with rows and rate, only when a person watches stderr."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(unit=" rows", unit_scale=True, file=sys.stderr, desc="import", smoothing=0.1)
