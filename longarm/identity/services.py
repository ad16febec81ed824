"""Every change of identity resolution: the linkage model in use, a resolve run, and an analyst's decision.

A resolve run loads the officials that changed since the last run (and the
crossings the exact rule matched to nobody) in bulk, patches the officials'
feature frame kept on disk (`officials_load`), lets the engine
(`longarm.engine.identity.pipeline`) score the candidate pairs, and writes
pairs, alerts and fingerprints back in bulk, in one transaction. Decisions are respected by every later run: a pair
judged "different people" never comes back, "same person" keeps its alert.
"""

import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import polars as pl
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from longarm.alerts.models import LIVE_STATUSES, Alert, AlertCode, AlertEvent, AlertStatus
from longarm.alerts.services import alerts_apply_reconciliation
from longarm.audit.services import audit_record
from longarm.identity.errors import IdentityError
from longarm.identity.models import (
    CandidatePair, Decision, LinkageModel, OfficialFingerprint, PairDecision, PairKind, PairStatus,
)
from longarm.identity.officials_load import (
    FINGERPRINT_SCHEME, RECORD_COLUMNS, officials_features, officials_features_store, officials_load,
)
from longarm.identity.selectors import (
    crossings_unmatched_frame, official_jurisdictions, officials_record_frame, pair_may_decide, resolve_last_run,
)
from longarm.registry.changes import registry_change_mark
from longarm.runs.models import Run, RunKind
from longarm.runs.services import run_finish, run_start

BATCH_ROWS = 2_000
FINGERPRINT_BATCH_ROWS = 10_000
CODE = AlertCode.DUPLICATE_IDENTITY
SEVERITY = "high"


def _peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def _chunks(values: list, size: int = BATCH_ROWS):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def thresholds() -> tuple[float, float]:
    """(match, review) probabilities from the settings; the review threshold must lie below the match one."""
    match = float(settings.LONGARM_IDENTITY_MATCH_PROBABILITY)
    review = float(settings.LONGARM_IDENTITY_REVIEW_PROBABILITY)
    if not 0 < review <= match <= 1:
        raise IdentityError(f"LONGARM_IDENTITY_REVIEW_PROBABILITY ({review}) must be above 0 and at most "
                            f"LONGARM_IDENTITY_MATCH_PROBABILITY ({match}), which must be at most 1.")
    return match, review


# --- the linkage model ----------------------------------------------------------------------------------------


@transaction.atomic
def linkage_model_register(*, parameters, actor, activate: bool) -> LinkageModel:
    """Store one version of model parameters (refusing a version on record), optionally making it the active one."""
    if LinkageModel.objects.filter(version=parameters.version).exists():
        raise IdentityError(f"Linkage model version {parameters.version} is already on record.")
    if activate:
        LinkageModel.objects.filter(active=True).update(active=False)
    model = LinkageModel.objects.create(
        version=parameters.version, parameters=_parameters_json(parameters), trained_on=parameters.trained_on or {},
        created_at=timezone.now(), created_by=actor, created_by_name=actor.get_username(), active=activate)
    audit_record(actor=actor, action="identity.model_register", target=model,
                 detail={"version": model.version, "active": activate, "trained_on": model.trained_on})
    return model


def _parameters_json(parameters) -> dict:
    import json

    return json.loads(parameters.to_json())


def model_parameters(model: LinkageModel):
    """The engine's parameters of a stored model version."""
    import json

    from longarm.engine.identity.model import ModelParameters

    return ModelParameters.from_json(json.dumps(model.parameters), source=f"linkage model {model.version}")


@transaction.atomic
def linkage_model_active(*, actor) -> LinkageModel:
    """The active model version; on first use, the default shipped with longarm is registered and activated."""
    model = LinkageModel.objects.select_for_update().filter(active=True).first()
    if model is not None:
        return model
    from longarm.engine.identity.pipeline import load_default_parameters

    parameters = load_default_parameters()
    existing = LinkageModel.objects.filter(version=parameters.version).first()
    if existing is not None:  # the shipped default was deactivated by hand and nothing replaced it
        existing.active = True
        existing.save(update_fields=["active"])
        audit_record(actor=actor, action="identity.model_activate", target=existing,
                     detail={"version": existing.version})
        return existing
    return linkage_model_register(parameters=parameters, actor=actor, activate=True)


def linkage_model_train(*, actor, version: str | None = None, progress=None) -> LinkageModel:
    """Train a new model version on the current registry (unsupervised, as the engine trains) and activate it."""
    from longarm.engine.identity import pipeline

    say = progress or (lambda message: None)
    records = officials_record_frame()
    if records.height < 2:
        raise IdentityError("Training needs at least two officials in the registry.")
    version = version or timezone.now().strftime("officials-%Y%m%d-%H%M%S")
    say("load")
    parameters = pipeline.train_officials(records.select(RECORD_COLUMNS), version=version,
                                          description=f"longarm registry, {records.height} officials")
    say("train")
    return linkage_model_register(parameters=parameters, actor=actor, activate=True)


# --- one resolve run ------------------------------------------------------------------------------------------


def _full_because(*, full: bool, last: Run | None, parameters: dict) -> str:
    if full:
        return "asked for"
    if last is None:
        return "first run"
    before = last.parameters
    for name, what in (("model_version", "the model changed"), ("match_probability", "the thresholds changed"),
                       ("review_probability", "the thresholds changed"),
                       ("fingerprint_scheme", "the fingerprint scheme changed")):
        if before.get(name) != parameters[name]:
            return what
    return ""


def _contributions(frame: pl.DataFrame, params) -> list[list[dict]]:
    """Per row: each comparison's level (index and label) and log2 Bayes factor, in the model's order."""
    names = [name for name in params.comparisons if f"gamma_{name}" in frame.columns]
    labels = {name: params.comparisons[name]["levels"] for name in names}
    gammas = {name: frame[f"gamma_{name}"].to_list() for name in names}
    factors = {name: frame[f"bf_{name}"].to_list() if f"bf_{name}" in frame.columns else [0.0] * frame.height
               for name in names}
    return [
        [{"comparison": name, "gamma": int(gammas[name][i]), "level": labels[name][int(gammas[name][i])],
          "bf": round(float(factors[name][i]), 4)} for name in names]
        for i in range(frame.height)
    ]


def _pairs_on_record(kind: str) -> pl.DataFrame:
    rows = CandidatePair.objects.filter(kind=kind).values_list(
        "id", "ref", "official_a_id", "official_b_id", "crossing_id", "status", "decision")
    return pl.DataFrame(list(rows), orient="row", schema={
        "id": pl.Int64, "ref": pl.String, "official_a": pl.String, "official_b": pl.String, "crossing": pl.String,
        "status": pl.String, "decision": pl.String})


def _status(decision: str, probability: float, match: float, kind: str) -> str:
    if decision:
        return PairStatus.DECIDED
    if kind == PairKind.DUPLICATE and probability >= match:
        return PairStatus.MATCHED
    return PairStatus.REVIEW


def _write_pairs(*, kind: str, scored: pl.DataFrame, in_scope: pl.Expr | None, params, model: LinkageModel,
                 run: Run, match: float, now) -> dict:
    """Insert new pairs, re-score pairs on record, and mark the pairs in scope that were not found again.

    `scored` has `ref`, `a`, `b` (official ids, or for possible matches `a` the official and `b` the
    crossing), `match_probability`, `match_weight` and the engine's gamma/bf columns. `in_scope` picks,
    among the pairs on record, those this run could have found (None: all of them).
    """
    existing = _pairs_on_record(kind)
    contributions = _contributions(scored, params)
    scored = scored.with_row_index("_row")
    new = scored.join(existing.select("ref"), on="ref", how="anti")
    rescored = scored.join(existing.select("ref", "id", "decision"), on="ref", how="inner")
    created = []
    for row in new.iter_rows(named=True):
        is_duplicate = kind == PairKind.DUPLICATE
        created.append(CandidatePair(
            kind=kind, ref=row["ref"], official_a_id=row["a"], official_b_id=row["b"] if is_duplicate else None,
            crossing_id=None if is_duplicate else row["b"], match_probability=row["match_probability"],
            match_weight=row["match_weight"], contributions=contributions[row["_row"]],
            status=_status("", row["match_probability"], match, kind), decision="", model=model, run=run,
            scored_run=run, created_at=now, updated_at=now))
    CandidatePair.objects.bulk_create(created, batch_size=BATCH_ROWS)
    updated = []
    for row in rescored.iter_rows(named=True):
        updated.append(CandidatePair(
            pk=row["id"], match_probability=row["match_probability"], match_weight=row["match_weight"],
            contributions=contributions[row["_row"]],
            status=_status(row["decision"] or "", row["match_probability"], match, kind), model=model,
            scored_run=run, updated_at=now))
    CandidatePair.objects.bulk_update(updated, ["match_probability", "match_weight", "contributions", "status",
                                                "model", "scored_run", "updated_at"], batch_size=BATCH_ROWS)
    gone = existing.join(scored.select("ref"), on="ref", how="anti").filter(
        pl.col("status").is_in([PairStatus.REVIEW, PairStatus.MATCHED, PairStatus.DECIDED]))
    if in_scope is not None:
        gone = gone.filter(in_scope)
    below = 0
    for chunk in _chunks(gone.filter(pl.col("status") != PairStatus.DECIDED)["id"].to_list()):
        below += CandidatePair.objects.filter(id__in=chunk).update(status=PairStatus.BELOW, scored_run=run,
                                                                   updated_at=now)
    # A decided pair keeps its decision; the run only notes that it no longer reaches the review threshold.
    for chunk in _chunks(gone.filter(pl.col("status") == PairStatus.DECIDED)["id"].to_list()):
        CandidatePair.objects.filter(id__in=chunk).update(scored_run=run, scored_below=True, updated_at=now)
    if updated:
        for chunk in _chunks([pair.pk for pair in updated]):
            CandidatePair.objects.filter(id__in=chunk, scored_below=True).update(scored_below=False)
    return {"found": scored.height, "new": len(created), "rescored": len(updated), "below": below}


def _scored_duplicates(result: pl.DataFrame) -> pl.DataFrame:
    return result.with_columns(
        pl.col("record_id_l").alias("a"), pl.col("record_id_r").alias("b"),
        pl.concat_str(["record_id_l", "record_id_r"], separator=";").alias("ref"))


def _scored_possible_matches(result: pl.DataFrame) -> pl.DataFrame:
    return result.with_columns(
        pl.col("record_id_r").alias("a"), pl.col("record_id_l").alias("b"),
        pl.concat_str(["record_id_l", "record_id_r"], separator=";").alias("ref"))


def _withdraw_judged_different(*, refs: list[str], actor, run: Run | None, now) -> int:
    """Withdraw the live DUPLICATE_IDENTITY alerts of pairs judged "different people", saying who judged so."""
    withdrawn = 0
    for chunk in _chunks(refs):
        alerts = list(Alert.objects.filter(code=CODE, ref__in=chunk, status__in=LIVE_STATUSES)
                      .values_list("id", "ref", "status"))
        if not alerts:
            continue
        reasons = dict(CandidatePair.objects.filter(kind=PairKind.DUPLICATE, ref__in=[ref for _, ref, _ in alerts])
                       .values_list("ref", "id"))
        latest = {}
        for decision in PairDecision.objects.filter(pair_id__in=reasons.values()).order_by("pair_id", "at", "id"):
            latest[decision.pair_id] = decision
        events = []
        for alert_id, ref, status in alerts:
            decision = latest.get(reasons.get(ref))
            reason = (f"Judged different people by {decision.actor_name} on {decision.at:%Y-%m-%d}"
                      + (f": {decision.note}" if decision.note else ".")) if decision else "Judged different people."
            withdrawn += Alert.objects.filter(id=alert_id).update(
                status=AlertStatus.WITHDRAWN, withdrawn_reason=reason[:500], withdrawn_at=now, withdrawn_run=run,
                withdrawn_as_of=timezone.localdate(now), updated_at=now)
            events.append(AlertEvent(alert_id=alert_id, at=now, actor=actor, actor_name=actor.get_username(),
                                     run=run, action="withdraw", from_status=status, to_status=AlertStatus.WITHDRAWN,
                                     note=reason[:500]))
        AlertEvent.objects.bulk_create(events, batch_size=BATCH_ROWS)
    return withdrawn


def _alert_frame(*, match: float) -> pl.DataFrame:
    """The DUPLICATE_IDENTITY alerts that should be live: pairs judged the same person, and undecided or unsure
    pairs whose latest score reaches the match threshold. Raised on the first official; the other's
    jurisdiction is notified."""
    rows = (CandidatePair.objects.filter(kind=PairKind.DUPLICATE)
            .filter(Q(decision=Decision.SAME)
                    | (Q(decision__in=("", Decision.UNSURE)) & Q(match_probability__gte=match) & Q(scored_below=False)
                       & ~Q(status=PairStatus.BELOW)))
            .values_list("official_a_id", "official_b_id", "ref", "match_probability", "decision", "model__version"))
    rows = list(rows)
    # the jurisdictions of the officials these alerts name, read from the registry, not the whole registry
    jurisdictions = official_jurisdictions(sorted({official for row in rows for official in row[:2]}))
    records = []
    for a, b, ref, probability, decision, version in rows:
        home, other = jurisdictions.get(a, ""), jurisdictions.get(b, "")
        why = ("judged the same person by an analyst" if decision == Decision.SAME
               else f"match probability {probability:.3f} by model {version}")
        records.append({
            "code": CODE, "official_id": a, "ref": ref, "severity": SEVERITY, "jurisdiction": home,
            "reported_to": other if other and other != home else "", "raised_on": None,
            "detail": f"Official records {a} and {b} are one person: {why}.", "other_official_ids": b,
        })
    return pl.DataFrame(records, schema={
        "code": pl.String, "official_id": pl.String, "ref": pl.String, "severity": pl.String,
        "jurisdiction": pl.String, "reported_to": pl.String, "raised_on": pl.Date, "detail": pl.String,
        "other_official_ids": pl.String})


def _write_fingerprints(changed: pl.DataFrame) -> int:
    """Upsert the digests of the officials this run compared, in batches of plain tuples (no model objects:
    a first run writes one row per official)."""
    table = OfficialFingerprint._meta.db_table
    rows = changed.rows()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(rows) > FINGERPRINT_BATCH_ROWS:
            # a first run writes millions: COPY into a scratch table, then one upsert
            cursor.execute("CREATE TEMPORARY TABLE resolve_fingerprint (official_id VARCHAR(64) NOT NULL, "
                           "digest BIGINT NOT NULL) ON COMMIT DROP")
            with cursor.cursor.copy("COPY resolve_fingerprint (official_id, digest) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(f"INSERT INTO {table} (official_id, digest) SELECT official_id, digest "
                           "FROM resolve_fingerprint ON CONFLICT (official_id) DO UPDATE SET digest = excluded.digest")
            return len(rows)
        sql = (f"INSERT INTO {table} (official_id, digest) VALUES (%s, %s) "
               "ON CONFLICT (official_id) DO UPDATE SET digest = excluded.digest")
        for chunk in _chunks(rows, FINGERPRINT_BATCH_ROWS):
            cursor.executemany(sql, chunk)
    return len(rows)


def identity_resolve(*, actor, full: bool = False, progress=None) -> Run:
    """Score pairs of official records (and unmatched crossings against officials) and bring pairs and
    DUPLICATE_IDENTITY alerts in line with the scores and the analysts' decisions; record the run.

    Incremental by default: the run reads the registry change log since the last run's mark and the
    officials it names; those whose identity columns changed (their digest differs from their stored
    fingerprint) or who are new are compared with everyone, and only crossings of the days since the last
    run are linked. Everyone's features come from the cache file the last run wrote, patched with the
    officials read, and are written back at this run's mark; a missing or foreign cache is rebuilt from
    every official's row. Every official is read when the run goes full (asked, the first run, the model
    or the thresholds changed), when the last run left no mark, or after a bulk change. The counts record
    the mark, how the officials were read, the cache's token and mark and whether it was used, and each
    phase's time. A failed run writes nothing but its failed `Run` row (and perhaps a cache file, which
    is then not the one the last successful run recorded: the next run rebuilds it).
    """
    from longarm.engine.identity import pipeline

    say = progress or (lambda message: None)
    match, review = thresholds()
    model = linkage_model_active(actor=actor)
    params = model_parameters(model)
    last = resolve_last_run()
    parameters = {"model_version": model.version, "match_probability": match, "review_probability": review,
                  "fingerprint_scheme": FINGERPRINT_SCHEME}
    because = _full_because(full=full, last=last, parameters=parameters)
    crossings_after = None if because else (last.counts or {}).get("crossings_through")
    parameters.update({"mode": "full" if because else "incremental", "full_because": because,
                       "crossings_after": crossings_after})
    run = run_start(kind=RunKind.RESOLVE, actor=actor, parameters=parameters)
    phases: dict[str, dict] = {}

    def phase(name: str, started: float) -> None:
        phases[name] = {"seconds": round(time.perf_counter() - started, 3), "peak_mib": _peak_mib()}
        say(name)

    try:
        started = time.perf_counter()
        mark = registry_change_mark()  # before any read: a change committed later is the next run's to read
        officials = officials_load(last=last, because=because, mark=mark)
        changed = officials.changed
        crossings = crossings_unmatched_frame(after=crossings_after)
        phase("load", started)

        started = time.perf_counter()
        # The officials' features serve both the dedupe and the crossings' linkage, and the next run's cache.
        features = officials_features(officials)
        phase("features", started)

        # The cache file is written while the pairs are scored: the one waits on the disk, the other on the CPUs.
        with ThreadPoolExecutor(max_workers=1) as writer:
            cache_written = writer.submit(officials_features_store, officials, features, mark=mark)

            started = time.perf_counter()
            dedupe_report, link_report = pipeline.ResolutionReport(), pipeline.ResolutionReport()
            comparisons = pipeline.official_comparisons()
            duplicates = None
            if features.height and (because or changed.height):
                duplicates = pipeline.dedupe_features(
                    features, params, comparisons=comparisons, rules=pipeline.OFFICIAL_BLOCKING_RULES,
                    review_threshold=review, ids=None if because else changed["official_id"], report=dedupe_report)
            phase("dedupe", started)

            started = time.perf_counter()
            links = None
            if crossings.height and features.height:
                links = pipeline.link_features(
                    pipeline.official_record_features(crossings.select(RECORD_COLUMNS)), features, params,
                    comparisons=comparisons, rules=pipeline.CROSSING_BLOCKING_RULES, review_threshold=review,
                    report=link_report)
            phase("link", started)

            started = time.perf_counter()
            feature_cache = cache_written.result()
            phase("cache", started)  # the wait for the file, if it was not written yet

        started = time.perf_counter()
        now = timezone.now()
        with transaction.atomic():
            written = {"duplicates": {"found": 0, "new": 0, "rescored": 0, "below": 0},
                       "possible_matches": {"found": 0, "new": 0, "rescored": 0, "below": 0}}
            if duplicates is not None:
                scope = None if because else (pl.col("official_a").is_in(changed["official_id"].implode())
                                              | pl.col("official_b").is_in(changed["official_id"].implode()))
                written["duplicates"] = _write_pairs(
                    kind=PairKind.DUPLICATE, scored=_scored_duplicates(duplicates), in_scope=scope, params=params,
                    model=model, run=run, match=match, now=now)
            if links is not None:
                scope = pl.col("crossing").is_in(crossings["record_id"].implode())
                written["possible_matches"] = _write_pairs(
                    kind=PairKind.POSSIBLE_MATCH, scored=_scored_possible_matches(links), in_scope=scope,
                    params=params, model=model, run=run, match=match, now=now)
            different = list(CandidatePair.objects.filter(kind=PairKind.DUPLICATE, decision=Decision.DIFFERENT)
                             .values_list("ref", flat=True))
            judged = _withdraw_judged_different(refs=different, actor=actor, run=run, now=now)
            alerts = alerts_apply_reconciliation(
                frame=_alert_frame(match=match), run=run, as_of=timezone.localdate(now), actor=actor, codes=(CODE,))
            fingerprinted = _write_fingerprints(changed)
        phase("write", started)
    except Exception as error:
        run_finish(run=run, counts={"phases": phases}, error=f"{type(error).__name__}: {error}")
        raise
    through = crossings["local_date"].max() if crossings.height else None
    counts = {
        "officials": features.height,
        "officials_compared": features.height if because else changed.height,
        "registry_mark": mark,
        "officials_read": officials.report,
        "feature_cache": feature_cache,
        "crossings_linked": crossings.height,
        "crossings_through": (through.isoformat() if through else crossings_after),
        "fingerprints_written": fingerprinted,
        "scored_pairs": {"duplicates": dedupe_report.scored_pairs, "possible_matches": link_report.scored_pairs},
        "pairs_per_second": {"duplicates": round(dedupe_report.pairs_per_second),
                             "possible_matches": round(link_report.pairs_per_second)},
        **written,
        "alerts": {**alerts, "withdrawn_judged_different": judged},
        "phases": phases,
    }
    log = " ".join(f"{name} {p['seconds']}s" for name, p in phases.items())
    return run_finish(run=run, counts=counts, log=log)


# --- an analyst's decision ------------------------------------------------------------------------------------


@transaction.atomic
def pair_decide(*, pair: CandidatePair, actor, decision: str, note: str = "") -> PairDecision:
    """Record an analyst's judgement on a pair, audited; every later run respects it.

    "Different people" needs a note (it silences the pair for good) and withdraws the pair's live
    DUPLICATE_IDENTITY alert at once, with the reason; "same person" keeps the alert (the next run
    raises it if there is none); "unsure" keeps the pair in the queue, marked unsure.
    """
    if decision not in Decision.values:
        raise IdentityError(f"Unknown decision {decision!r}: choose same person, different people or unsure.")
    note = (note or "").strip()
    if decision == Decision.DIFFERENT and not note:
        raise IdentityError("Say why these are different people: the pair will not come back.")
    if len(note) > 1000:
        raise IdentityError("The note is at most 1000 characters long.")
    pair = CandidatePair.objects.select_for_update().get(pk=pair.pk)
    if not CandidatePair.objects.visible_to(actor).filter(pk=pair.pk).exists():
        raise IdentityError("You cannot judge a pair outside your jurisdiction.")
    if not pair_may_decide(user=actor):
        raise IdentityError("Only analysts judge pairs.")
    now = timezone.now()
    before = pair.decision
    record = PairDecision.objects.create(pair=pair, decision=decision, note=note, actor=actor,
                                         actor_name=actor.get_username(), at=now)
    pair.decision = decision
    pair.status = PairStatus.DECIDED
    pair.updated_at = now
    pair.save(update_fields=["decision", "status", "updated_at"])
    withdrawn = 0
    if decision == Decision.DIFFERENT and pair.kind == PairKind.DUPLICATE:
        withdrawn = _withdraw_judged_different(refs=[pair.ref], actor=actor, run=None, now=now)
    audit_record(actor=actor, action="identity.decide", target=pair,
                 detail={"ref": pair.ref, "kind": pair.kind, "from": before, "to": decision, "note": note,
                         "alerts_withdrawn": withdrawn})
    return record

