"""`longarm synth`: write a synthetic world in the exchange formats, with its ground truth."""

import datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from longarm.synth.world import DEFAULT_AS_OF, WorldParameters, progress_steps, write_world


class Command(BaseCommand):
    help = "Write a synthetic world (officials, relatives, documents, custody, trips, crossings, watch list) " \
           "with the alerts it must raise (truth.csv)."

    def add_arguments(self, parser):
        parser.add_argument("--officials", type=int, required=True, help="number of officials")
        parser.add_argument("--seed", type=int, default=1, help="same seed, same files")
        parser.add_argument("--out", required=True, help="directory to write into")
        parser.add_argument("--public-crossings", type=int, default=None,
                            help="crossings of the general public (default: 2 per 7 officials, at least 1000)")
        parser.add_argument("--as-of", default=DEFAULT_AS_OF.isoformat(),
                            help="date at which truth.csv holds (default %(default)s)")
        parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")

    def handle(self, *args, **options):
        try:
            as_of = datetime.date.fromisoformat(options["as_of"])
        except ValueError as error:
            raise CommandError(f"--as-of: {error}") from error
        parameters = WorldParameters(officials=options["officials"], seed=options["seed"], as_of=as_of,
                                     public_crossings=options["public_crossings"], file_format=options["format"])
        out = Path(options["out"])
        with tqdm(total=progress_steps(parameters), unit=" rows", disable=None, file=self.stderr._out) as bar:
            try:
                manifest = write_world(parameters, out, progress=bar.update)
            except ValueError as error:
                raise CommandError(str(error)) from error
        counts = ", ".join(f"{name} {rows}" for name, rows in manifest.counts.items())
        self.stdout.write(f"Wrote {out}: {counts}.")
