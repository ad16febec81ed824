"""Writing alerts: the bulk reconciliation writer and the analyst's single steps, each with its audit rows."""

import datetime

import polars as pl
import pytest

from longarm.alerts.errors import AlertError
from longarm.alerts.models import Alert, AlertEvent, AlertNotice, AlertStatus
from longarm.alerts.reconciliation import reconcile_as_of
from longarm.alerts.services import (
    alert_acknowledge, alert_assign, alert_escalate, alert_resolve, alerts_apply_reconciliation,
)
from longarm.audit.models import AuditEntry
from longarm.border.models import Crossing
from longarm.runs.models import Run, RunStatus
from tests.alerts.conftest import AS_OF, load_world

D = datetime.date


def _keys(**filters):
    return set(Alert.objects.filter(**filters).values_list("code", "official_id", "ref"))


def test_reconcile_raises_the_worlds_alerts_and_records_the_run(world, system):
    run = reconcile_as_of(as_of=AS_OF, actor=system)
    assert run.status == RunStatus.SUCCEEDED
    assert run.parameters == {"as_of": "2024-12-31", "home_country": "CHN", "exit_tolerance_days": 1,
                              "return_grace_days": 1, "missing_after_days": 14, "document_return_days": 10,
                              "mode": "full", "full_because": "first run"}
    assert run.counts["inputs"]["crossings"] == 40
    assert run.counts["raised"] == Alert.objects.exclude(code="DUPLICATE_IDENTITY").count() == 20
    assert set(run.counts["phases"]) == {"load", "match", "rules", "write"}
    assert ("OVERDUE_RETURN", "O-GD-005", "T-GD-005") in _keys()
    assert ("UNREGISTERED_DOCUMENT", "O-SH-003", "X-240525-0028") in _keys()
    assert AuditEntry.objects.filter(action="alerts.reconcile", target_id=str(run.pk)).count() == 1
    assert AlertEvent.objects.filter(action="raise", run=run).count() == 20


def test_reconcile_records_owners_of_matched_crossings(world, system):
    reconcile_as_of(as_of=AS_OF, actor=system)
    assert Crossing.objects.get(pk="X-240525-0028").official_id == "O-SH-003"
    assert Crossing.objects.get(pk="X-240210-0033").official_id is None
    assert Crossing.objects.filter(official__isnull=False).count() == 32


def test_second_run_adds_nothing(world, system):
    reconcile_as_of(as_of=AS_OF, actor=system)
    before = list(Alert.objects.order_by("id").values())
    second = reconcile_as_of(as_of=AS_OF, actor=system)
    assert (second.counts["raised"], second.counts["withdrawn"]) == (0, 0)
    assert list(Alert.objects.order_by("id").values()) == before


def test_parameters_can_be_overridden_per_run(world, system):
    run = reconcile_as_of(as_of=AS_OF, actor=system, overrides={"missing_after_days": 200})
    assert run.parameters["missing_after_days"] == 200
    assert not Alert.objects.filter(code="MISSING").exists()


def test_late_entry_withdraws_the_overdue_alert_with_its_reason_and_keeps_it(world, system):
    reconcile_as_of(as_of=AS_OF, actor=system)
    overdue = Alert.objects.get(code="OVERDUE_RETURN", ref="T-GD-005")
    Crossing.objects.create(
        event_id="X-LATE", direction="entry", occurred_at=datetime.datetime(2024, 8, 16, 2, tzinfo=datetime.UTC),
        utc_offset=480, local_date=D(2024, 8, 16), port="CAN", port_jurisdiction="CN-GD", doc_type="passport",
        doc_number="E61234567", doc_number_norm="E61234567", issuing_state="CHN", family_name="X", given_name="Y",
        date_of_birth=D(1970, 1, 1), sex="F", nationality="CHN", official=None)
    document = overdue.official.documents.filter(doc_type="passport").first()
    Crossing.objects.filter(pk="X-LATE").update(doc_number=document.number, doc_number_norm=document.number_norm)
    run = reconcile_as_of(as_of=AS_OF, actor=system)
    overdue.refresh_from_db()
    assert overdue.status == AlertStatus.WITHDRAWN
    assert "entry in time" in overdue.withdrawn_reason
    assert overdue.withdrawn_run == run and overdue.withdrawn_as_of == AS_OF
    assert run.counts["withdrawn"] >= 2  # OVERDUE_RETURN and MISSING of the trip
    assert AlertEvent.objects.filter(alert=overdue, action="withdraw", to_status="withdrawn").exists()


def test_earlier_as_of_after_a_later_one_withdraws_nothing(world, system):
    reconcile_as_of(as_of=AS_OF, actor=system)
    run = reconcile_as_of(as_of=D(2024, 3, 1), actor=system)
    assert run.counts["withdrawn"] == 0
    assert not Alert.objects.filter(status=AlertStatus.WITHDRAWN).exists()


def test_daily_runs_leave_the_same_alerts_as_one_run(db, system):
    load_world()
    day = D(2024, 1, 1)
    while day <= AS_OF:
        reconcile_as_of(as_of=day, actor=system)
        day += datetime.timedelta(days=30)
    reconcile_as_of(as_of=AS_OF, actor=system)
    daily = set(Alert.objects.exclude(code="DUPLICATE_IDENTITY")  # identity resolution's, not the rules'
                .values_list("code", "official_id", "ref", "status", "raised_on", "reported_to"))
    once = _once_in_a_fresh_table(system)
    assert daily == once


def _once_in_a_fresh_table(system):
    # "Once for D" on the same data: the engine's result for D alone, as the writer would insert it.
    from longarm.alerts.reconciliation import reconcile_parameters
    from longarm.alerts.snapshot import load_snapshot
    from longarm.engine.reconcile import reconcile

    result = reconcile(**load_snapshot(as_of=AS_OF, home_country="CHN"), params=reconcile_parameters(as_of=AS_OF)).alerts
    return {(r["code"], r["official_id"], r["ref"], "open", r["raised_on"], r["reported_to"])
            for r in result.iter_rows(named=True)}


def _frame(rows: list[dict]) -> pl.DataFrame:
    from longarm.engine.rules import ALERT_SCHEMA

    base = {name: None for name in ALERT_SCHEMA}
    schema = {**ALERT_SCHEMA, "jurisdiction": pl.String, "severity": pl.String, "reported_to": pl.String}
    return pl.DataFrame([base | {"jurisdiction": "CN-GD", "severity": "high", "reported_to": ""} | r for r in rows],
                        schema=schema)


def test_writer_notifies_the_port_province_and_keeps_the_home_responsible(make_official, system):
    make_official(official_id="O1")
    run = Run.objects.create(kind="reconcile", actor=system, actor_name="system", started_at=datetime.datetime.now(
        datetime.UTC))
    frame = _frame([{"code": "UNAUTHORIZED_EXIT", "official_id": "O1", "ref": "X1", "detail": "Exit.",
                     "raised_on": D(2024, 5, 1), "event_ids": "X1", "reported_to": "CN-BJ"}])
    counts = alerts_apply_reconciliation(frame=frame, run=run, as_of=D(2024, 5, 1), actor=system)
    assert counts["raised"] == 1
    alert = Alert.objects.get()
    assert alert.evidence == {"event_ids": ["X1"]}
    assert set(AlertNotice.objects.values_list("jurisdiction", "responsible")) == {("CN-GD", True), ("CN-BJ", False)}


def test_writer_reopens_a_withdrawn_alert_found_again_but_not_for_an_earlier_as_of(make_official, system):
    make_official(official_id="O1")
    run = Run.objects.create(kind="reconcile", actor=system, actor_name="system",
                             started_at=datetime.datetime.now(datetime.UTC))
    frame = _frame([{"code": "NAKED_OFFICIAL", "official_id": "O1", "ref": "O1", "detail": "Spouse."}])
    alerts_apply_reconciliation(frame=frame, run=run, as_of=D(2024, 5, 1), actor=system)
    alerts_apply_reconciliation(frame=frame.clear(), run=run, as_of=D(2024, 6, 1), actor=system)
    assert Alert.objects.get().status == AlertStatus.WITHDRAWN
    assert alerts_apply_reconciliation(frame=frame, run=run, as_of=D(2024, 5, 15), actor=system)["reopened"] == 0
    assert alerts_apply_reconciliation(frame=frame, run=run, as_of=D(2024, 7, 1), actor=system)["reopened"] == 1
    assert Alert.objects.get().status == AlertStatus.OPEN


def test_resolved_alert_is_never_withdrawn_by_a_run(world, system, make_user):
    reconcile_as_of(as_of=AS_OF, actor=system)
    alert = Alert.objects.get(code="NAKED_OFFICIAL", official_id="O-GD-003")
    alert_resolve(alert=alert, actor=make_user("central_analyst"), reason="Declared and approved.")
    from longarm.registry.models import Relative

    Relative.objects.filter(official_id="O-GD-003").update(residence_country="CHN")
    reconcile_as_of(as_of=AS_OF, actor=system)
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED


@pytest.fixture
def alert(world, system):
    reconcile_as_of(as_of=AS_OF, actor=system)
    return Alert.objects.get(code="WATCHLIST_EXIT")


def test_alert_acknowledge_then_escalate_then_resolve_each_audited(alert, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    alert_acknowledge(alert=alert, actor=analyst)
    alert_escalate(alert=alert, actor=analyst, reason="Exit ban broken.")
    alert = alert_resolve(alert=alert, actor=analyst, reason="Case opened.")
    assert alert.status == AlertStatus.RESOLVED
    steps = list(alert.events.values_list("action", "from_status", "to_status"))
    assert steps[1:] == [("acknowledge", "open", "acknowledged"), ("escalate", "acknowledged", "escalated"),
                         ("resolve", "escalated", "resolved")]
    assert list(AuditEntry.objects.filter(target_id=str(alert.pk), target_type="alerts.alert")
                .order_by("seq").values_list("action", flat=True)) == ["alert.acknowledge", "alert.escalate",
                                                                       "alert.resolve"]


def test_alert_assign_to_someone_who_can_see_it(alert, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    colleague = make_user("provincial_analyst", "CN-GD")
    alert = alert_assign(alert=alert, assignee=colleague, actor=analyst)
    assert alert.assigned_to == colleague
    assert AuditEntry.objects.filter(action="alert.assign", target_id=str(alert.pk)).exists()
    with pytest.raises(AlertError, match="cannot see"):
        alert_assign(alert=alert, assignee=make_user("provincial_analyst", "CN-SH"), actor=analyst)


def test_alert_services_refuse_what_the_life_cycle_forbids(alert, make_user):
    analyst = make_user("provincial_analyst", "CN-GD")
    with pytest.raises(AlertError, match="Say why"):
        alert_escalate(alert=alert, actor=analyst, reason=" ")
    alert_resolve(alert=alert, actor=analyst, reason="Done.")
    with pytest.raises(AlertError, match="resolved alert cannot be acknowledged"):
        alert_acknowledge(alert=alert, actor=analyst)
    assert not AuditEntry.objects.filter(action="alert.acknowledge").exists()


def test_alert_services_refuse_an_actor_of_another_province(alert, make_user):
    with pytest.raises(AlertError, match="outside your jurisdiction"):
        alert_acknowledge(alert=alert, actor=make_user("provincial_analyst", "CN-SH"))
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN


def test_alert_services_let_a_notified_province_read_but_not_change_the_alert(alert, make_user):
    AlertNotice.objects.get_or_create(alert=alert, jurisdiction="CN-BJ", defaults={"responsible": False})
    port_analyst = make_user("provincial_analyst", "CN-BJ")
    assert Alert.objects.visible_to(port_analyst).filter(pk=alert.pk).exists()
    with pytest.raises(AlertError, match="responsible jurisdiction"):
        alert_resolve(alert=alert, actor=port_analyst, reason="Not ours to close.")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    assert not AuditEntry.objects.filter(action="alert.resolve").exists()


def test_writer_withdraws_only_alerts_of_the_codes_it_is_given(make_official, system):
    make_official(official_id="O1")
    run = Run.objects.create(kind="reconcile", actor=system, actor_name="system",
                             started_at=datetime.datetime.now(datetime.UTC))
    duplicate = _frame([{"code": "DUPLICATE_IDENTITY", "official_id": "O1", "ref": "O2", "detail": "Same person."}])
    naked = _frame([{"code": "NAKED_OFFICIAL", "official_id": "O1", "ref": "O1", "detail": "Spouse."}])
    alerts_apply_reconciliation(frame=duplicate, run=run, as_of=D(2024, 5, 1), actor=system,
                                codes=("DUPLICATE_IDENTITY",))
    alerts_apply_reconciliation(frame=naked, run=run, as_of=D(2024, 5, 1), actor=system)
    # Reconcile's rules (the default) no longer find anything: the identity alert is not theirs to withdraw.
    assert alerts_apply_reconciliation(frame=naked.clear(), run=run, as_of=D(2024, 6, 1), actor=system)[
        "withdrawn"] == 1
    assert dict(Alert.objects.values_list("code", "status")) == {
        "DUPLICATE_IDENTITY": AlertStatus.OPEN, "NAKED_OFFICIAL": AlertStatus.WITHDRAWN}
    # And identity resolution withdraws its own alert without touching reconcile's.
    assert alerts_apply_reconciliation(frame=duplicate.clear(), run=run, as_of=D(2024, 6, 1), actor=system,
                                       codes=("DUPLICATE_IDENTITY",))["withdrawn"] == 1
    assert Alert.objects.filter(status=AlertStatus.WITHDRAWN).count() == 2
    with pytest.raises(ValueError, match="DUPLICATE_IDENTITY"):
        alerts_apply_reconciliation(frame=duplicate, run=run, as_of=D(2024, 7, 1), actor=system)
