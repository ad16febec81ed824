"""Every change of an alert: bulk application of a reconciliation run, and the analyst's single steps.

Each change writes an `AlertEvent` and an audit row in the same transaction;
the bulk writer writes one audit row per run (not per alert) and its
`AlertEvent` rows in bulk.
"""

import datetime
import json

import polars as pl
from django.db import connection, transaction
from django.utils import timezone

from longarm.alerts.errors import AlertError
from longarm.alerts.models import LIVE_STATUSES, Alert, AlertEvent, AlertNotice, AlertStatus
from longarm.audit.services import audit_record
from longarm.engine.reconcile import CODES, REGISTRY_CODES, WITHDRAWAL_REASON
from longarm.runs.models import Run

BATCH_ROWS = 5_000
KEY = ["code", "official_id", "ref"]
EVIDENCE_LISTS = ("event_ids", "document_ids", "entry_ids", "relative_ids", "other_official_ids")
EVIDENCE_SINGLE = ("trip_id", "custody_event_id")
PAST = {"assign": "assigned", "acknowledge": "acknowledged", "escalate": "escalated", "resolve": "resolved"}


def _existing(codes) -> pl.DataFrame:
    rows = Alert.objects.filter(code__in=codes).values_list("id", "code", "official_id", "ref", "status",
                                                            "raised_on", "withdrawn_as_of")
    return pl.DataFrame(list(rows), orient="row", schema={
        "id": pl.Int64, "code": pl.String, "official_id": pl.String, "ref": pl.String, "status": pl.String,
        "raised_on": pl.Date, "withdrawn_as_of": pl.Date})


def _insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert plain rows in bulk, without model instances: COPY on PostgreSQL, executemany elsewhere.
    Values must already be what the column stores (see `_db_datetime`)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"
        for chunk in _chunks(rows):
            cursor.executemany(sql, chunk)


def _db_datetime(value: datetime.datetime):
    return value if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(value)


def _events(ids, *, actor, run, action, from_status, to_status, note, at) -> None:
    at, actor_name, run_id = _db_datetime(at), actor.get_username(), run.pk if run else None
    _insert_rows(AlertEvent, ["alert_id", "at", "actor_id", "actor_name", "run_id", "action", "from_status",
                              "to_status", "note"],
                 [(alert_id, at, actor.pk, actor_name, run_id, action, from_status, to_status, note)
                  for alert_id in ids])


def _evidence_json(values: tuple) -> str:
    """The evidence of one alert as stored: `EVIDENCE_LISTS` then `EVIDENCE_SINGLE` values, empty ones left out."""
    lists, singles = values[:len(EVIDENCE_LISTS)], values[len(EVIDENCE_LISTS):]
    evidence = {name: value.split(";") for name, value in zip(EVIDENCE_LISTS, lists) if value}
    evidence.update({name: value for name, value in zip(EVIDENCE_SINGLE, singles) if value})
    return json.dumps(evidence)


def _raise(new: pl.DataFrame, *, run: Run, now: datetime.datetime) -> list[int]:
    """Insert the new alerts, open, with their notices (the responsible jurisdiction and every other one
    notified); returns their ids."""
    stamp = _db_datetime(now)
    sources = new.select(pl.col(name) if name in new.columns else pl.lit(None, dtype=pl.String).alias(name)
                         for name in (*EVIDENCE_LISTS, *EVIDENCE_SINGLE))
    evidence = pl.Series([_evidence_json(v) for v in sources.rows()], dtype=pl.String)
    raised_on = pl.col("raised_on") if connection.vendor == "postgresql" else pl.col("raised_on").dt.to_string(
        "%Y-%m-%d")
    values = new.select(
        "code", "official_id", "ref", pl.lit(AlertStatus.OPEN.value).alias("status"), "severity",
        pl.col("jurisdiction").fill_null(""), pl.col("reported_to").fill_null(""), raised_on,
        pl.col("detail").str.slice(0, 500), evidence.alias("evidence"), pl.lit(run.pk).alias("run_id"),
    )
    _insert_rows(Alert, ["code", "official_id", "ref", "status", "severity", "jurisdiction", "reported_to",
                         "raised_on", "detail", "evidence", "run_id", "created_at", "updated_at", "withdrawn_reason"],
                 [(*row, stamp, stamp, "") for row in values.rows()])
    if new.is_empty():
        return []
    ids = pl.DataFrame(list(Alert.objects.filter(run=run, code__in=new["code"].unique().to_list()).values_list(
        "id", "code", "official_id", "ref")), orient="row",
        schema={"id": pl.Int64, "code": pl.String, "official_id": pl.String, "ref": pl.String})
    raised = new.select(*KEY, "jurisdiction", "reported_to").join(ids, on=KEY, how="inner")
    responsible = raised.select("id", pl.col("jurisdiction").fill_null(""), pl.lit(True).alias("responsible"))
    notified = (
        raised.select("id", pl.col("jurisdiction").fill_null("").alias("home"),
                      pl.col("reported_to").fill_null("").str.split(";").alias("jurisdiction"))
        .explode("jurisdiction")
        .filter((pl.col("jurisdiction") != "") & (pl.col("jurisdiction") != pl.col("home")))
        .select("id", "jurisdiction", pl.lit(False).alias("responsible"))
    )
    notices = pl.concat([responsible, notified]).unique(["id", "jurisdiction"], keep="first", maintain_order=True)
    _insert_rows(AlertNotice, ["alert_id", "jurisdiction", "responsible"], notices.rows())
    return raised["id"].to_list()


def _chunks(values: list, size: int = BATCH_ROWS):
    for start in range(0, len(values), size):
        yield values[start:start + size]


@transaction.atomic
def alerts_apply_reconciliation(*, frame: pl.DataFrame, run: Run, as_of: datetime.date, actor,
                                codes=tuple(CODES), registry_scope: pl.DataFrame | None = None) -> dict:
    """Bring the alerts of `codes` in line with one result for `as_of`, never deleting.

    `codes` are the rules that produced the result (by default reconcile's: every code but
    DUPLICATE_IDENTITY); alerts of other codes are left alone, and a result row of another
    code is refused.

    - an alert of the result not on record is inserted, open, with its notices;
    - an alert on record is left as it is (status, assignee, detail);
    - a live alert (open, acknowledged, escalated) that the result no longer holds is withdrawn with
      the rule's reason, but only when this run could have found it: its `raised_on` is on or before
      `as_of` (or it has none). An earlier as-of run therefore leaves later alerts alone;
    - a withdrawn alert that the result holds again is reopened, unless it was withdrawn by a run of a
      later as-of (an earlier as-of cannot overrule what later data showed).
    Resolved alerts are a person's decision and stay resolved.

    `registry_scope` (a daily run's, see `engine.reconcile.reconcile`): the result decides the alerts of the
    registry rules (`REGISTRY_CODES`) of these officials only; the others' are left as they are.
    """
    codes = tuple(codes)
    stray = sorted(set(frame["code"].unique().to_list()) - set(codes))
    if stray:
        raise ValueError(f"the result holds alerts of codes this run does not decide: {', '.join(stray)}")
    now = timezone.now()
    existing = _existing(codes)
    if registry_scope is not None:
        existing = existing.filter(~pl.col("code").is_in(REGISTRY_CODES)
                                   | pl.col("official_id").is_in(registry_scope["official_id"].implode()))
    result = frame.unique(subset=KEY, keep="first", maintain_order=True)

    new = result.join(existing.select(KEY), on=KEY, how="anti")
    raised = _raise(new, run=run, now=now)
    _events(raised, actor=actor, run=run, action="raise", from_status="", to_status=AlertStatus.OPEN, note="",
            at=now)

    gone = existing.join(result.select(KEY), on=KEY, how="anti").filter(
        pl.col("status").is_in([str(s) for s in LIVE_STATUSES])
        & (pl.col("raised_on").is_null() | (pl.col("raised_on") <= pl.lit(as_of, dtype=pl.Date)))
    )
    withdrawn = 0
    for (code, status), group in gone.group_by("code", "status"):
        ids = group["id"].to_list()
        reason = WITHDRAWAL_REASON.get(code, "The rule no longer finds it.")
        for chunk in _chunks(ids):
            withdrawn += Alert.objects.filter(id__in=chunk).update(
                status=AlertStatus.WITHDRAWN, withdrawn_reason=reason, withdrawn_at=now, withdrawn_run=run,
                withdrawn_as_of=as_of, updated_at=now)
        _events(ids, actor=actor, run=run, action="withdraw", from_status=status, to_status=AlertStatus.WITHDRAWN,
                note=reason, at=now)

    back = existing.join(result.select(KEY), on=KEY, how="semi").filter(
        (pl.col("status") == AlertStatus.WITHDRAWN)
        & (pl.col("withdrawn_as_of").is_null() | (pl.col("withdrawn_as_of") <= pl.lit(as_of, dtype=pl.Date)))
    )["id"].to_list()
    for chunk in _chunks(back):
        Alert.objects.filter(id__in=chunk).update(status=AlertStatus.OPEN, withdrawn_reason="", withdrawn_at=None,
                                                  withdrawn_run=None, withdrawn_as_of=None, updated_at=now)
    _events(back, actor=actor, run=run, action="reopen", from_status=AlertStatus.WITHDRAWN,
            to_status=AlertStatus.OPEN, note=f"found again by the run for {as_of.isoformat()}", at=now)

    counts = {"raised": len(raised), "withdrawn": withdrawn, "reopened": len(back),
              "unchanged": result.height - len(raised)}
    audit_record(actor=actor, action="alerts.reconcile", target=run,
                 detail={"run_id": run.pk, "as_of": as_of.isoformat(), **counts})
    return counts


# --- one alert at a time -----------------------------------------------------------------------------------------


def _change(*, alert: Alert, actor, action: str, to_status: str, note: str = "", allowed_from, **fields) -> Alert:
    alert = Alert.objects.select_for_update().get(pk=alert.pk)
    if alert.status not in allowed_from:
        raise AlertError(f"A {alert.status} alert cannot be {PAST[action]}.")
    # The official's home jurisdiction works the alert; a province only notified of it (the port) reads it.
    from longarm.alerts.selectors import alert_may_act

    if not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
        raise AlertError("You cannot change an alert outside your jurisdiction.")
    if not alert_may_act(user=actor, alert=alert):
        raise AlertError("Only analysts of the responsible jurisdiction (or central analysts) can change this alert.")
    before = alert.status
    now = timezone.now()
    alert.status = to_status
    alert.updated_at = now
    for name, value in fields.items():
        setattr(alert, name, value)
    alert.save(update_fields=["status", "updated_at", *fields])
    AlertEvent.objects.create(alert=alert, at=now, actor=actor, actor_name=actor.get_username(), action=action,
                              from_status=before, to_status=to_status, note=note[:500])
    audit_record(actor=actor, action=f"alert.{action}", target=alert,
                 detail={"from": before, "to": to_status, "note": note, **{k: str(v) for k, v in fields.items()}})
    return alert


@transaction.atomic
def alert_assign(*, alert: Alert, assignee, actor) -> Alert:
    """Give a live alert to an analyst who can see it; its status does not change."""
    if not Alert.objects.visible_to(assignee).filter(pk=alert.pk).exists():
        raise AlertError(f"{assignee.get_username()} cannot see this alert, so it cannot be assigned to them.")
    return _change(alert=alert, actor=actor, action="assign", to_status=alert.status, allowed_from=LIVE_STATUSES,
                   note=f"assigned to {assignee.get_username()}", assigned_to=assignee)


@transaction.atomic
def alert_acknowledge(*, alert: Alert, actor) -> Alert:
    """An analyst has seen an open alert and is working it."""
    return _change(alert=alert, actor=actor, action="acknowledge", to_status=AlertStatus.ACKNOWLEDGED,
                   allowed_from=(AlertStatus.OPEN,))


@transaction.atomic
def alert_escalate(*, alert: Alert, actor, reason: str) -> Alert:
    """Pass a live alert up (to the central level, or to a pursuit officer), saying why."""
    if not reason.strip():
        raise AlertError("Say why the alert is escalated.")
    return _change(alert=alert, actor=actor, action="escalate", to_status=AlertStatus.ESCALATED, note=reason,
                   allowed_from=(AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED))


@transaction.atomic
def alert_resolve(*, alert: Alert, actor, reason: str) -> Alert:
    """Close a live alert with the analyst's reason; a resolved alert is never reopened by a run."""
    if not reason.strip():
        raise AlertError("Say how the alert was resolved.")
    return _change(alert=alert, actor=actor, action="resolve", to_status=AlertStatus.RESOLVED, note=reason,
                   allowed_from=LIVE_STATUSES)
