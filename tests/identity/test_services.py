"""identity_resolve and pair_decide on a small hand-made registry, through the real engine and the shipped model."""

import datetime

import pytest

from longarm.alerts.models import Alert, AlertEvent, AlertNotice, AlertStatus
from longarm.audit.models import AuditEntry
from longarm.identity.errors import IdentityError
from longarm.identity.models import CandidatePair, Decision, LinkageModel, PairDecision, PairKind, PairStatus
from longarm.identity.services import identity_resolve, pair_decide
from longarm.registry.models import Official
from longarm.runs.models import Run, RunStatus
from tests.identity.conftest import DUPLICATE_REF, crossing

LI_REF = "O-SH-001;O-SH-002"


def duplicate(ref=DUPLICATE_REF) -> CandidatePair:
    return CandidatePair.objects.get(kind=PairKind.DUPLICATE, ref=ref)


def identity_alert(ref=DUPLICATE_REF) -> Alert:
    return Alert.objects.get(code="DUPLICATE_IDENTITY", ref=ref)


# --- a run ------------------------------------------------------------------------------------------------------


def test_resolve_raises_duplicate_identity_on_the_first_official_and_notifies_the_other_jurisdiction(
        registry, system):
    run = identity_resolve(actor=system)
    assert run.status == RunStatus.SUCCEEDED and run.kind == "resolve"
    pair = duplicate()
    assert pair.status == PairStatus.MATCHED and pair.match_probability >= 0.95
    assert (pair.official_a_id, pair.official_b_id) == ("O-BJ-001", "O-GD-001")
    assert pair.model == LinkageModel.objects.get(active=True) and pair.run == run and pair.scored_run == run
    assert {part["comparison"] for part in pair.contributions} >= {"name", "date_of_birth", "national_id", "sex"}
    national = next(part for part in pair.contributions if part["comparison"] == "national_id")
    assert national["bf"] > 5 and national["level"]
    alert = identity_alert()
    assert (alert.official_id, alert.jurisdiction, alert.reported_to) == ("O-BJ-001", "CN-BJ", "CN-GD")
    assert alert.status == AlertStatus.OPEN and alert.evidence == {"other_official_ids": ["O-GD-001"]}
    assert set(AlertNotice.objects.filter(alert=alert).values_list("jurisdiction", flat=True)) == {"CN-BJ", "CN-GD"}
    assert run.parameters["model_version"] == pair.model.version
    assert run.parameters["mode"] == "full" and run.parameters["full_because"] == "first run"
    assert run.counts["duplicates"]["new"] == CandidatePair.objects.filter(kind="duplicate").count()
    assert set(run.counts["phases"]) == {"load", "features", "cache", "dedupe", "link", "write"}
    assert AuditEntry.objects.filter(action="resolve.finish", target_id=str(run.pk)).exists()
    assert AuditEntry.objects.filter(action="alerts.reconcile", target_id=str(run.pk)).exists()


def test_a_namesake_born_twelve_years_later_with_another_valid_id_is_no_pair(registry, system):
    identity_resolve(actor=system)
    assert not CandidatePair.objects.filter(ref__contains="O-GD-002").exclude(status=PairStatus.BELOW).exists()
    assert not Alert.objects.filter(code="DUPLICATE_IDENTITY", ref__contains="O-GD-002").exists()


def test_the_shipped_default_model_is_registered_once_on_first_use(registry, system):
    identity_resolve(actor=system)
    identity_resolve(actor=system, full=True)
    model = LinkageModel.objects.get()
    assert model.active and model.parameters["comparisons"] and model.created_by == system
    assert AuditEntry.objects.filter(action="identity.model_register").count() == 1


def test_incremental_run_compares_only_new_or_changed_officials(registry, system, make_official):
    identity_resolve(actor=system)
    second = identity_resolve(actor=system)
    assert second.parameters["mode"] == "incremental"
    assert second.counts["officials_compared"] == 0
    Official.objects.filter(pk="O-GD-003").update(given_name="FANGFANG")
    make_official(official_id="O-GD-009", family_name="ZHAO", given_name="LEI", native_name="赵磊")
    third = identity_resolve(actor=system)
    assert third.counts["officials_compared"] == 2
    assert duplicate().status == PairStatus.MATCHED  # untouched by a run that did not compare it
    assert identity_resolve(actor=system, full=True).counts["officials_compared"] == Official.objects.count()


def test_fingerprints_written_in_bulk_are_the_ones_an_incremental_run_compares_against(registry, system,
                                                                                      monkeypatch):
    from longarm.identity import services
    from longarm.identity.models import OfficialFingerprint

    monkeypatch.setattr(services, "FINGERPRINT_BATCH_ROWS", 2)  # PostgreSQL: the COPY path; SQLite: many batches
    first = identity_resolve(actor=system)
    assert first.counts["fingerprints_written"] == Official.objects.count() == OfficialFingerprint.objects.count()
    Official.objects.filter(pk="O-GD-003").update(given_name="FANGFANG")
    second = identity_resolve(actor=system)
    assert second.counts["officials_compared"] == 1 and second.counts["fingerprints_written"] == 1
    assert identity_resolve(actor=system).counts["officials_compared"] == 0


def test_changed_thresholds_make_the_run_full(registry, system, settings):
    identity_resolve(actor=system)
    settings.LONGARM_IDENTITY_REVIEW_PROBABILITY = 0.4
    run = identity_resolve(actor=system)
    assert run.parameters["mode"] == "full" and run.parameters["full_because"] == "the thresholds changed"


def test_a_pair_that_falls_below_the_review_threshold_is_marked_not_deleted_and_its_alert_withdrawn(
        registry, system):
    identity_resolve(actor=system)
    Official.objects.filter(pk="O-BJ-001").update(
        family_name="SUN", given_name="LI", native_name="孙丽", sex="F", date_of_birth=datetime.date(1991, 9, 30),
        national_id="", name_key="SUNLI")
    run = identity_resolve(actor=system)
    pair = duplicate()
    assert pair.status == PairStatus.BELOW and pair.scored_run == run
    assert identity_alert().status == AlertStatus.WITHDRAWN
    assert run.counts["duplicates"]["below"] == 1


def test_thresholds_in_the_wrong_order_are_refused_before_anything_is_written(registry, system, settings):
    settings.LONGARM_IDENTITY_REVIEW_PROBABILITY = 0.99
    settings.LONGARM_IDENTITY_MATCH_PROBABILITY = 0.9
    with pytest.raises(IdentityError, match="REVIEW_PROBABILITY"):
        identity_resolve(actor=system)
    assert not Run.objects.exists() and not CandidatePair.objects.exists()


def test_a_failed_run_writes_nothing_but_its_failed_run(registry, system, monkeypatch):
    from longarm.engine.identity import pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("engine down")

    monkeypatch.setattr(pipeline, "dedupe_features", broken)
    with pytest.raises(RuntimeError):
        identity_resolve(actor=system)
    run = Run.objects.get(kind="resolve")
    assert run.status == RunStatus.FAILED and "engine down" in run.error
    assert not CandidatePair.objects.exists() and not Alert.objects.exists()


# --- decisions are respected by every later run -----------------------------------------------------------------


def test_judged_different_withdraws_the_alert_at_once_and_the_pair_never_comes_back(registry, system, make_user):
    identity_resolve(actor=system)
    analyst = make_user("central_analyst")
    pair_decide(pair=duplicate(), actor=analyst, decision=Decision.DIFFERENT, note="Two cousins, checked by phone.")
    alert = identity_alert()
    assert alert.status == AlertStatus.WITHDRAWN
    assert "different people" in alert.withdrawn_reason and "Two cousins" in alert.withdrawn_reason
    assert AlertEvent.objects.filter(alert=alert, action="withdraw", actor=analyst).exists()

    for full in (False, True):
        run = identity_resolve(actor=system, full=full)
        pair = duplicate()
        assert pair.decision == Decision.DIFFERENT and pair.status == PairStatus.DECIDED
        assert identity_alert().status == AlertStatus.WITHDRAWN
        assert run.counts["alerts"]["raised"] == 0 and run.counts["alerts"]["reopened"] == 0
    assert Alert.objects.filter(code="DUPLICATE_IDENTITY", ref=DUPLICATE_REF).count() == 1


def test_a_run_withdraws_a_live_alert_of_a_pair_judged_different_with_the_decisions_reason(registry, system,
                                                                                           make_user):
    identity_resolve(actor=system)
    analyst = make_user("central_analyst")
    pair_decide(pair=duplicate(), actor=analyst, decision=Decision.DIFFERENT, note="Namesakes.")
    Alert.objects.filter(code="DUPLICATE_IDENTITY").update(status=AlertStatus.OPEN, withdrawn_reason="")
    run = identity_resolve(actor=system, full=True)
    alert = identity_alert()
    assert alert.status == AlertStatus.WITHDRAWN and "Namesakes." in alert.withdrawn_reason
    assert alert.withdrawn_run == run and run.counts["alerts"]["withdrawn_judged_different"] == 1


def test_same_person_raises_the_alert_on_the_next_run_even_below_the_match_threshold(registry, system, make_user,
                                                                                    wide_band):
    identity_resolve(actor=system)
    pair = duplicate(LI_REF)
    assert pair.status == PairStatus.REVIEW
    assert not Alert.objects.filter(code="DUPLICATE_IDENTITY", ref=LI_REF).exists()
    pair_decide(pair=pair, actor=make_user("provincial_analyst", "CN-SH"), decision=Decision.SAME,
                note="Same person, the second record lacks the id.")
    identity_resolve(actor=system)
    alert = identity_alert(LI_REF)
    assert alert.status == AlertStatus.OPEN and "judged the same person" in alert.detail
    identity_resolve(actor=system, full=True)
    assert identity_alert(LI_REF).status == AlertStatus.OPEN


def test_unsure_stays_in_the_queue_as_unsure(registry, system, make_user, wide_band):
    from longarm.identity.selectors import PairFilters, pairs_for_queue

    identity_resolve(actor=system)
    analyst = make_user("provincial_analyst", "CN-SH")
    pair_decide(pair=duplicate(LI_REF), actor=analyst, decision=Decision.UNSURE, note="")
    identity_resolve(actor=system, full=True)
    pair = duplicate(LI_REF)
    assert pair.decision == Decision.UNSURE and pair.status == PairStatus.DECIDED
    unsure = pairs_for_queue(user=analyst, filters=PairFilters(status="unsure"))
    assert list(unsure) == [pair]
    assert pair not in pairs_for_queue(user=analyst, filters=PairFilters(status="open"))


def test_a_decision_is_audited_and_kept_in_an_append_only_history(registry, system, make_user):
    identity_resolve(actor=system)
    analyst = make_user("central_analyst")
    first = pair_decide(pair=duplicate(), actor=analyst, decision=Decision.UNSURE, note="")
    pair_decide(pair=duplicate(), actor=analyst, decision=Decision.SAME, note="Confirmed by the id card.")
    assert [d.decision for d in PairDecision.objects.filter(pair=duplicate())] == ["same", "unsure"]
    entry = AuditEntry.objects.filter(action="identity.decide").first()
    assert entry.actor == analyst and entry.detail["from"] == "unsure" and entry.detail["to"] == "same"
    assert entry.target_type == "identity.candidatepair" and entry.target_id == str(duplicate().pk)
    first.note = "changed"
    with pytest.raises(PermissionError):
        first.save()
    with pytest.raises(PermissionError):
        first.delete()


def test_different_people_needs_a_note(registry, system, make_user):
    identity_resolve(actor=system)
    with pytest.raises(IdentityError, match="Say why"):
        pair_decide(pair=duplicate(), actor=make_user("central_analyst"), decision=Decision.DIFFERENT, note="  ")
    assert not PairDecision.objects.exists()


def test_a_pair_outside_the_jurisdiction_or_a_reading_role_cannot_be_judged(registry, system, make_user):
    identity_resolve(actor=system)
    with pytest.raises(IdentityError, match="outside your jurisdiction"):
        pair_decide(pair=duplicate(), actor=make_user("provincial_analyst", "CN-SH"), decision=Decision.SAME)
    with pytest.raises(IdentityError, match="Only analysts"):
        pair_decide(pair=duplicate(), actor=make_user("personnel_officer", "CN-GD",
                                                      organization="Guangdong Department of Finance"),
                    decision=Decision.SAME)
    assert not PairDecision.objects.exists()


# --- crossings that the exact rule matched to nobody --------------------------------------------------------------


def test_an_unmatched_crossing_like_an_official_goes_to_the_queue_as_a_possible_match_never_to_alerts(
        registry, system, wide_band):
    crossing("X-1", day=datetime.date(2024, 5, 1))
    run = identity_resolve(actor=system)
    matches = CandidatePair.objects.filter(kind=PairKind.POSSIBLE_MATCH, crossing_id="X-1")
    assert {p.official_a_id for p in matches} >= {"O-GD-001", "O-BJ-001"}
    assert all(p.status == PairStatus.REVIEW for p in matches)
    assert run.counts["crossings_linked"] == 1 and run.counts["crossings_through"] == "2024-05-01"
    assert not Alert.objects.filter(ref__contains="X-1").exists()

    crossing("X-2", day=datetime.date(2024, 4, 1))  # on a day the last run already covered
    crossing("X-3", day=datetime.date(2024, 5, 2))
    later = identity_resolve(actor=system)
    assert later.parameters["crossings_after"] == "2024-05-01" and later.counts["crossings_linked"] == 1
    assert CandidatePair.objects.filter(crossing_id="X-3").exists()
    assert not CandidatePair.objects.filter(crossing_id="X-2").exists()


def test_a_crossing_owned_by_an_official_is_not_linked_again(registry, system):
    owned = crossing("X-1", day=datetime.date(2024, 5, 1))
    owned.official_id = "O-GD-001"
    owned.save()
    run = identity_resolve(actor=system)
    assert run.counts["crossings_linked"] == 0
    assert not CandidatePair.objects.filter(kind=PairKind.POSSIBLE_MATCH).exists()
