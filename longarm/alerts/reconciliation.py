"""One reconciliation run: load a snapshot, match and evaluate in the engine, write back, record the run."""

import datetime
import resource
from concurrent.futures import ThreadPoolExecutor
import sys
import time

from django.conf import settings
from django.db import transaction

from longarm.alerts.services import alerts_apply_reconciliation
from longarm.alerts.snapshot import (Since, crossing_write_mark, crossings_set_owners, in_thread, load_snapshot,
                                    reads_side_by_side, snapshot_counts)
from longarm.engine.reconcile import PARAMETER_NAMES, reconcile
from longarm.identity.services import identity_resolve
from longarm.registry.changes import registry_change_count, registry_change_mark, registry_changes
from longarm.runs.models import Run, RunKind, RunStatus
from longarm.runs.services import run_finish, run_start


def _peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _phase(started: float, cpu: float) -> dict:
    """Wall seconds, CPU seconds of this process (all threads) and peak memory of a phase."""
    return {"seconds": round(time.perf_counter() - started, 3), "cpu_seconds": round(time.process_time() - cpu, 3),
            "peak_mib": _peak_mib()}


def reconcile_parameters(*, as_of: datetime.date, overrides: dict | None = None) -> dict:
    """The run's parameters: the settings (`LONGARM_RULES`), each overridable for this run."""
    params = {name: settings.LONGARM_RULES[name] for name in PARAMETER_NAMES}
    params.update({k: int(v) for k, v in (overrides or {}).items() if v is not None})
    for name in PARAMETER_NAMES:
        if params[name] < 0:
            raise ValueError(f"{name} must not be negative")
    return {"as_of": as_of, "home_country": settings.LONGARM_HOME_COUNTRY, **params}


def _daily_start(*, full: bool, marks: dict, home_country: str) -> tuple[Since | None, str]:
    """Where a daily run starts (`Since`), or None and why the run reads everything."""
    if full:
        return None, "asked for"
    last = (Run.objects.filter(kind=RunKind.RECONCILE, status=RunStatus.SUCCEEDED)
            .order_by("-started_at", "-id").first())
    if last is None:
        return None, "first run"
    before = (last.counts or {}).get("marks")
    if not before:
        return None, "the last run kept no marks"
    if last.parameters.get("home_country") != home_country:
        return None, "the home country changed"
    changed = registry_change_count(after=before["registry_changes"], upto=marks["registry_changes"])
    if changed > settings.LONGARM_RECONCILE_DAILY_MAX_CHANGES:
        return None, f"{changed:,} registry changes since the last run"
    changes = registry_changes(after=before["registry_changes"], upto=marks["registry_changes"])
    return Since(crossings_read=before["crossings"], crossings_now=marks["crossings"],
                 as_of=datetime.date.fromisoformat(last.parameters["as_of"]), changes=changes), ""


def _keys_state(marks: dict) -> dict:
    """What `alerts.registry_keys.registry_keys` needs: this run's change mark, and the tokens of the files
    the last successful run wrote."""
    last = (Run.objects.filter(kind=RunKind.RECONCILE, status=RunStatus.SUCCEEDED)
            .order_by("-started_at", "-id").first())
    tokens = ((last.counts or {}).get("registry_keys") or {}).get("tokens") if last else None
    return {"mark": marks["registry_changes"], "tokens": tokens,
            "max_changes": settings.LONGARM_RECONCILE_DAILY_MAX_CHANGES}


def reconcile_as_of(*, as_of: datetime.date, actor, overrides: dict | None = None, full: bool = False,
                    progress=None) -> Run:
    """Evaluate every alert rule (but DUPLICATE_IDENTITY) on the data known up to `as_of`, and record it.

    The run records who, when, the parameters, the input counts, the alerts
    raised, withdrawn and reopened, and the seconds (wall and CPU) and peak
    memory of each phase (load, match, rules, write). A failed run writes nothing but its
    failed `Run` row.

    A daily run: after a successful run, the next one reads only what was written since (the crossings
    written since, and the registry's change log, see `alerts.snapshot.load_snapshot`), with the same result
    as reading everything. The first run, a run after a bulk change of the registry, and a run asked
    `full` read everything. The marks of what the run read are kept in its counts for the next.
    """
    params = reconcile_parameters(as_of=as_of, overrides=overrides)
    recorded = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in params.items()}
    # taken before anything is read: what is written meanwhile is read again by the next run
    marks = {"registry_changes": registry_change_mark(), "crossings": crossing_write_mark()}
    since, because = _daily_start(full=full, marks=marks, home_country=params["home_country"])
    recorded |= {"mode": "daily" if since else "full", "full_because": because}
    run = run_start(kind=RunKind.RECONCILE, actor=actor, parameters=recorded)
    phases: dict[str, dict] = {}
    say = progress or (lambda message: None)
    try:
        started, cpu = time.perf_counter(), time.process_time()
        read: dict = {}
        # the input counts (whole tables) are counted beside the snapshot's reads when they can be
        with ThreadPoolExecutor(max_workers=1) as pool:
            counting = in_thread(pool, lambda: snapshot_counts(as_of=as_of)) if reads_side_by_side() else None
            frames = load_snapshot(as_of=as_of, home_country=params["home_country"], since=since,
                                   keys_state=_keys_state(marks), report=read)
            inputs = counting.result() if counting else snapshot_counts(as_of=as_of)
        phases["load"] = _phase(started, cpu)
        say("load")
        cpu = time.process_time()
        result = reconcile(**frames, params=params)
        # the engine times match and rules apart; the CPU seconds of both go to rules
        phases["match"] = {"seconds": round(result.seconds["match"], 3), "peak_mib": _peak_mib()}
        phases["rules"] = {"seconds": round(result.seconds["rules"], 3), "peak_mib": _peak_mib(),
                           "cpu_seconds": round(time.process_time() - cpu, 3)}
        say("rules")
        started, cpu = time.perf_counter(), time.process_time()
        with transaction.atomic():
            owned = crossings_set_owners(owners=result.owners, as_of=as_of)
            written = alerts_apply_reconciliation(frame=result.alerts, run=run, as_of=as_of, actor=actor,
                                                  registry_scope=frames.get("registry_scope"))
        phases["write"] = _phase(started, cpu)
        say("write")
    except Exception as error:
        run_finish(run=run, counts={"phases": phases}, error=f"{type(error).__name__}: {error}")
        raise
    counts = {
        "inputs": inputs,
        "loaded": {name: frame.height for name, frame in frames.items()},
        "crossings_matched": result.owners["event_id"].n_unique(),
        "crossings_owner_written": owned,
        "alerts_found": result.alerts.height,
        "by_code": dict(sorted(result.alerts.group_by("code").len().rows())),
        **written,
        "phases": phases,
        "marks": marks,
        **read,
    }
    log = " ".join(f"{name} {p['seconds']}s" for name, p in phases.items())
    run = run_finish(run=run, counts=counts, log=log)
    # Identity resolution (DUPLICATE_IDENTITY, the review queue) is one of reconcile's rules, recorded as its own
    # resolve run; incremental, so a daily reconcile only compares the officials new or changed since the last one.
    identity_resolve(actor=actor, progress=progress)
    return run
