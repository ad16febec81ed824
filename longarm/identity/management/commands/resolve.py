"""`longarm resolve [--full] [--train]`: score pairs of official records, raise DUPLICATE_IDENTITY, fill the
review queue."""

import sys

from django.core.management.base import BaseCommand, CommandError

from longarm.identity.errors import IdentityError
from longarm.identity.services import identity_resolve, linkage_model_train
from longarm.runs.services import system_user

PHASES = ("load", "features", "cache", "dedupe", "link", "write")


def _progress_bar(total: int, desc: str):
    """A tqdm bar over the run's phases, only when a person watches stderr."""
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit=" phase", file=sys.stderr, desc=desc)


class Command(BaseCommand):
    help = ("Score pairs of official records (and unmatched crossings against officials); raise DUPLICATE_IDENTITY "
            "alerts above the match threshold, queue the pairs between the thresholds for review; record the run.")

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true",
                            help="re-score every official (default: only those new or changed since the last run)")
        parser.add_argument("--train", action="store_true",
                            help="first train a new model version on the current registry and make it the active one")
        parser.add_argument("--model-version", default=None, help="the version name of the model --train makes")

    def handle(self, *args, **options):
        actor = system_user()
        try:
            if options["train"]:
                bar = _progress_bar(2, "train")
                try:
                    model = linkage_model_train(actor=actor, version=options["model_version"],
                                                progress=self._step(bar))
                finally:
                    if bar is not None:
                        bar.close()
                self.stdout.write(f"model {model.version} trained and active ({model.trained_on})")
            bar = _progress_bar(len(PHASES), "resolve")
            try:
                run = identity_resolve(actor=actor, full=options["full"], progress=self._step(bar))
            finally:
                if bar is not None:
                    bar.close()
        except IdentityError as error:
            raise CommandError(error.message) from error
        counts, parameters = run.counts, run.parameters
        duplicates, possible = counts["duplicates"], counts["possible_matches"]
        alerts = counts["alerts"]
        mode = parameters["mode"] + (f", {parameters['full_because']}" if parameters["full_because"] else "")
        self.stdout.write(
            f"resolve run #{run.pk} ({mode}; "
            f"model {parameters['model_version']}): {counts['officials_compared']} of {counts['officials']} officials "
            f"compared, {counts['crossings_linked']} crossings linked ({run.duration_seconds:.1f}s; {run.log})")
        read, cache = counts["officials_read"], counts["feature_cache"]
        why = f"; {read['because']}" if read["because"] else ""
        self.stdout.write(f"  officials read: {read['rows']} ({read['read']}{why}); "
                          f"feature cache {'used' if cache['used'] else 'rebuilt: ' + cache['because']}")
        self.stdout.write(f"  duplicate pairs: {duplicates['found']} found, {duplicates['new']} new, "
                          f"{duplicates['below']} fell below the review threshold")
        self.stdout.write(f"  possible matches: {possible['found']} found, {possible['new']} new")
        self.stdout.write(f"  DUPLICATE_IDENTITY alerts: {alerts['raised']} raised, {alerts['withdrawn']} withdrawn, "
                          f"{alerts['reopened']} reopened, {alerts['withdrawn_judged_different']} withdrawn as "
                          f"judged different people")

    def _step(self, bar):
        def step(phase: str) -> None:
            if bar is not None:
                bar.set_postfix_str(phase)
                bar.update(1)
            else:
                self.stderr.write(f"{phase} done")
        return step
