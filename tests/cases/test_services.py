import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from longarm.cases.errors import CaseError, CasePermissionError
from longarm.cases.models import Case, CaseStatus, EventKind, Measure, MeasureStatus, Recovery
from longarm.cases.services import (
    case_close,
    case_open,
    case_open_from_alert,
    case_record_death,
    case_record_detention,
    case_record_located,
    case_record_red_notice,
    case_record_return,
    case_set_priority_list,
    measure_open,
    measure_record_answer,
    measure_record_sent,
    measure_set_deadline,
    measure_withdraw,
    operation_create,
    recovery_record,
)

D = dt.date


def events(case) -> list[str]:
    """The timeline in the order it was recorded."""
    return list(case.events.order_by("id").values_list("kind", flat=True))


# opening


def test_case_open_records_the_subject_timeline_and_audit(open_case, last_audit, officer):
    case = open_case(amount_involved=Decimal("1200000.00"), amount_currency="CNY", located_in=["USA"])
    assert case.status == CaseStatus.LOCATED and case.located_in == "USA" and case.source == "manual"
    assert events(case) == [EventKind.FLED, EventKind.OPENED]
    audit = last_audit("case.open")
    assert audit.target_id == case.pk and audit.actor == officer and audit.detail["located_in"] == ["USA"]


def test_case_open_without_location_is_at_large(open_case):
    assert open_case().status == CaseStatus.AT_LARGE


@pytest.mark.parametrize(("fields", "message"), [
    ({"offences": " "}, "offences"),
    ({"family_name": ""}, "family name"),
    ({"category": "cadre"}, "category"),
    ({"jurisdiction": "CN-XX"}, "ISO 3166-2"),
    ({"amount_involved": Decimal("10")}, "ISO 4217"),
    ({"amount_involved": 10.5, "amount_currency": "CNY"}, "never a float"),
    ({"amount_involved": Decimal("-1"), "amount_currency": "CNY"}, "at least zero"),
    ({"located_in": ["CHN"]}, "home country"),
    ({"located_in": ["XXX"]}, "alpha-3"),
    ({"fled_on": D(2999, 1, 1)}, "future"),
])
def test_case_open_refuses_bad_input_and_writes_nothing(open_case, fields, message):
    with pytest.raises(CaseError, match=message):
        open_case(**fields)
    assert not Case.objects.exists()


def test_case_open_refuses_a_second_open_case_on_the_same_official(open_case, make_official):
    official = make_official()
    first = open_case(official=official)
    with pytest.raises(CaseError, match=f"already has an open case: {first.pk}"):
        open_case(official=official)


def test_pursuit_officer_cannot_open_a_case_in_another_jurisdiction(open_case):
    with pytest.raises(CasePermissionError, match="own jurisdiction"):
        open_case(jurisdiction="CN-BJ")
    assert not Case.objects.exists()


@pytest.mark.parametrize("role", ["auditor", "personnel_officer", "official", "border_post"])
def test_roles_that_do_not_pursue_cannot_open_cases(open_case, make_user, role):
    with pytest.raises(CasePermissionError):
        open_case(actor=make_user(role, "CN-GD"))


# status changes


def test_located_then_detained_then_returned_keeps_a_timeline(open_case, officer, last_audit):
    case = open_case()
    case = case_record_located(case=case, countries=["CAN", "USA"], located_on=D(2015, 1, 1), actor=officer)
    assert case.status == CaseStatus.LOCATED and case.located_in_list == ["CAN", "USA"]
    assert last_audit("case.locate").detail["countries"] == ["CAN", "USA"]
    case = case_record_detention(case=case, country="USA", detained_on=D(2016, 5, 1), actor=officer)
    assert case.status == CaseStatus.DETAINED_ABROAD and case.located_in_list == ["USA", "CAN"]
    assert last_audit("case.detain").detail["status_before"] == "located"
    case = case_record_return(case=case, returned_on=D(2017, 11, 16), returned_from="USA",
                              return_avenue="extradition", actor=officer)
    assert (case.status, case.returned_on, case.returned_from, case.return_avenue) == (
        CaseStatus.RETURNED, D(2017, 11, 16), "USA", "extradition")
    assert last_audit("case.return").detail["returned_from"] == "USA"
    assert events(case) == ["fled", "opened", "located", "detained", "returned"]


def test_return_from_hong_kong_is_a_return_from_a_region(open_case, officer):
    case = case_record_return(case=open_case(), returned_on=D(2018, 2, 1), returned_from="HKG",
                              return_avenue="deportation", actor=officer)
    assert case.returned_from == "HKG"


@pytest.mark.parametrize(("fields", "message"), [
    ({"returned_on": None}, "returned_on is required"),
    ({"returned_from": ""}, "returned_from"),
    ({"returned_from": "CHN"}, "home country"),
    ({"return_avenue": "kidnapping"}, "return_avenue"),
    ({"returned_on": D(2013, 1, 1)}, "before the subject fled"),
])
def test_return_needs_date_foreign_country_and_avenue(open_case, officer, fields, message):
    case = open_case()
    values = {"returned_on": D(2018, 2, 1), "returned_from": "USA", "return_avenue": "extradition", **fields}
    with pytest.raises(CaseError, match=message):
        case_record_return(case=case, actor=officer, **values)
    case.refresh_from_db()
    assert case.status == CaseStatus.AT_LARGE and not case.events.filter(kind="returned").exists()


def test_a_returned_case_cannot_be_located_returned_again_or_declared_dead(open_case, officer):
    case = case_record_return(case=open_case(), returned_on=D(2018, 2, 1), returned_from="USA",
                              return_avenue="voluntary_return", actor=officer)
    with pytest.raises(CaseError, match="is returned"):
        case_record_located(case=case, countries=["CAN"], located_on=D(2018, 3, 1), actor=officer)
    with pytest.raises(CaseError, match="is returned"):
        case_record_return(case=case, returned_on=D(2018, 3, 1), returned_from="USA", return_avenue="other",
                           actor=officer)
    with pytest.raises(CaseError, match="is returned"):
        case_record_death(case=case, died_on=D(2018, 3, 1), actor=officer)


def test_death_ends_the_pursuit_of_the_person(open_case, officer, last_audit):
    case = case_record_death(case=open_case(), died_on=D(2019, 4, 1), country="CAN", actor=officer)
    assert case.status == CaseStatus.DECEASED and case.status_on == D(2019, 4, 1)
    assert last_audit("case.death").detail["country"] == "CAN"


def test_close_needs_a_reason_and_keeps_the_return(open_case, officer, last_audit):
    case = case_record_return(case=open_case(), returned_on=D(2018, 2, 1), returned_from="USA",
                              return_avenue="extradition", actor=officer)
    with pytest.raises(CaseError, match="reason is required"):
        case_close(case=case, reason=" ", actor=officer)
    case = case_close(case=case, reason="sentenced", actor=officer)
    assert case.status == CaseStatus.CLOSED and case.returned_on == D(2018, 2, 1)
    assert last_audit("case.close").detail == {"case_id": case.pk, "happened_on": str(timezone.localdate()),
                                               "reason": "sentenced", "status_before": "returned"}
    with pytest.raises(CaseError, match="already closed"):
        case_close(case=case, reason="again", actor=officer)


def test_another_jurisdiction_cannot_change_a_case_and_sees_it_as_missing(open_case, make_user):
    case = open_case()
    with pytest.raises(CasePermissionError, match="not found"):
        case_close(case=case, reason="x", actor=make_user("pursuit_officer", "CN-BJ"))


def test_provincial_analyst_cannot_change_status(open_case, make_user):
    with pytest.raises(CasePermissionError):
        case_close(case=open_case(), reason="x", actor=make_user("provincial_analyst", "CN-GD"))


def test_central_analyst_acts_on_every_jurisdiction(open_case, make_user):
    case = case_close(case=open_case(), reason="merged", actor=make_user("central_analyst"))
    assert case.status == CaseStatus.CLOSED


def test_red_notice_keeps_the_earliest_publication(open_case, officer, last_audit):
    case = case_record_red_notice(case=open_case(), published_on=D(2015, 4, 22), reference="2015/1", actor=officer)
    case = case_record_red_notice(case=case, published_on=D(2016, 1, 1), reference="2015/1", actor=officer)
    assert case.red_notice_on == D(2015, 4, 22)
    assert last_audit("case.red_notice").detail["reference"] == "2015/1"


def test_priority_list_on_and_off_with_dates(open_case, officer, last_audit):
    case = case_set_priority_list(case=open_case(), listed=True, on=D(2015, 4, 22), actor=officer)
    assert case.priority_list and case.priority_listed_on == D(2015, 4, 22)
    with pytest.raises(CaseError, match="already"):
        case_set_priority_list(case=case, listed=True, on=D(2015, 4, 23), actor=officer)
    case = case_set_priority_list(case=case, listed=False, on=D(2018, 1, 1), actor=officer)
    assert not case.priority_list and last_audit("case.priority_list").detail["listed"] is False


# measures


def test_measure_life_cycle_sent_answered(open_case, officer, last_audit):
    case = open_case()
    measure = measure_open(case=case, kind="extradition", country="USA", actor=officer)
    assert measure.status == MeasureStatus.PREPARING and last_audit("measure.open").target_id == str(measure.pk)
    measure = measure_record_sent(measure=measure, sent_on=D(2016, 1, 4), answer_due_on=D(2016, 4, 4), actor=officer)
    assert measure.status == MeasureStatus.SENT and last_audit("measure.send").detail["answer_due_on"] == "2016-04-04"
    measure = measure_set_deadline(measure=measure, answer_due_on=D(2016, 6, 4), actor=officer)
    assert last_audit("measure.deadline").detail["before"] == "2016-04-04"
    with pytest.raises(CaseError, match="before the request was sent"):
        measure_record_answer(measure=measure, answered_on=D(2015, 1, 1), status="granted", outcome="x", actor=officer)
    with pytest.raises(CaseError, match="granted, partly_granted or refused"):
        measure_record_answer(measure=measure, answered_on=D(2016, 5, 1), status="sent", outcome="x", actor=officer)
    measure = measure_record_answer(measure=measure, answered_on=D(2016, 5, 1), status="granted",
                                    outcome="surrendered", actor=officer)
    assert (measure.status, measure.answered_on) == (MeasureStatus.GRANTED, D(2016, 5, 1))
    assert last_audit("measure.answer").detail["outcome"] == "surrendered"
    assert events(case) == ["fled", "opened", "measure_opened", "measure_sent", "measure_answered"]
    with pytest.raises(CaseError, match="can no longer be withdrawn"):
        measure_withdraw(measure=measure, reason="x", actor=officer)


def test_measure_unsent_cannot_be_answered_and_can_be_withdrawn(open_case, officer, last_audit):
    measure = measure_open(case=open_case(), kind="confiscation", country="CAN", actor=officer)
    with pytest.raises(CaseError, match="only a request sent"):
        measure_record_answer(measure=measure, answered_on=D(2016, 5, 1), status="refused", outcome="x",
                              actor=officer)
    measure = measure_withdraw(measure=measure, reason="returned voluntarily", actor=officer)
    assert measure.status == MeasureStatus.WITHDRAWN and last_audit("measure.withdraw").detail["reason"]


def test_measure_refuses_due_before_sent_home_country_and_closed_case(open_case, officer):
    case = open_case()
    with pytest.raises(CaseError, match="due before"):
        measure_open(case=case, kind="extradition", country="USA", sent_on=D(2016, 1, 4),
                     answer_due_on=D(2016, 1, 1), actor=officer)
    with pytest.raises(CaseError, match="home country"):
        measure_open(case=case, kind="extradition", country="CHN", actor=officer)
    case_close(case=case, reason="dropped", actor=officer)
    with pytest.raises(CaseError, match="closed"):
        measure_open(case=case, kind="extradition", country="USA", actor=officer)
    assert not Measure.objects.exists()


def test_measure_of_another_jurisdiction_is_not_found(open_case, officer, make_user):
    measure = measure_open(case=open_case(), kind="deportation", country="USA", actor=officer)
    with pytest.raises(CasePermissionError, match="not found"):
        measure_withdraw(measure=measure, reason="x", actor=make_user("pursuit_officer", "CN-BJ"))


# recoveries and operations


def test_recovery_on_a_case_goes_on_its_timeline(open_case, officer, last_audit):
    case = open_case()
    recovery = recovery_record(case=case, recovered_on=D(2018, 1, 10), amount=Decimal("250000.00"), currency="usd",
                               from_country="USA", avenue="returned_by_foreign_state", actor=officer)
    assert recovery.currency == "USD" and recovery.case == case
    assert events(case)[-1] == "recovery"
    assert last_audit("recovery.record").detail["amount"] == "250000.00"


@pytest.mark.parametrize(("fields", "message"), [
    ({"amount": Decimal("0")}, "more than zero"),
    ({"amount": 12.5}, "never a float"),
    ({"amount": Decimal("1.00001")}, "four decimal places"),
    ({"currency": "ABC"}, "ISO 4217"),
    ({"from_country": "CHN"}, "home country"),
    ({"avenue": "gift"}, "avenue"),
])
def test_recovery_refuses_bad_money_and_places(open_case, officer, fields, message):
    values = {"recovered_on": D(2018, 1, 10), "amount": Decimal("10"), "currency": "USD", "from_country": "USA",
              "avenue": "voluntary", "case": open_case(), **fields}
    with pytest.raises(CaseError, match=message):
        recovery_record(actor=officer, **values)
    assert not Recovery.objects.exists()


def test_recovery_without_a_case_is_for_national_roles(officer, make_user, last_audit):
    values = {"recovered_on": D(2018, 1, 10), "amount": Decimal("10"), "currency": "USD", "from_country": "USA",
              "avenue": "confiscation"}
    with pytest.raises(CasePermissionError):
        recovery_record(actor=officer, **values)
    recovery = recovery_record(actor=make_user("central_analyst"), **values)
    assert recovery.case is None and last_audit("recovery.record").detail["case_id"] is None


def test_operation_names_a_period(make_user, last_audit):
    actor = make_user("central_analyst")
    operation = operation_create(name="Sky Net 2018", starts_on=D(2018, 3, 1), ends_on=D(2018, 12, 31), actor=actor)
    assert last_audit("operation.create").target_id == str(operation.pk)
    with pytest.raises(CaseError, match="already exists"):
        operation_create(name="Sky Net 2018", starts_on=D(2018, 3, 1), ends_on=D(2018, 12, 31), actor=actor)
    with pytest.raises(CaseError, match="end before"):
        operation_create(name="Backwards", starts_on=D(2018, 3, 1), ends_on=D(2018, 1, 1), actor=actor)


# opening from an alert


@pytest.fixture
def make_alert(db):
    from longarm.alerts.models import Alert, AlertNotice
    from longarm.runs.models import RunKind
    from longarm.runs.services import run_start, system_user

    run = run_start(kind=RunKind.RECONCILE, actor=system_user(), parameters={})

    def make(official, code="MISSING", status="open", **fields):
        now = timezone.now()
        alert = Alert.objects.create(code=code, official=official, ref=fields.pop("ref", "T1"), status=status,
                                     severity="critical", jurisdiction=official.jurisdiction, raised_on=D(2014, 3, 16),
                                     detail="did not come back", evidence={"trip_id": "T1", "exit": "E9"}, run=run,
                                     created_at=now, updated_at=now, **fields)
        AlertNotice.objects.create(alert=alert, jurisdiction=official.jurisdiction, responsible=True)
        return alert

    return make


@pytest.mark.parametrize("code", ["MISSING", "UNAUTHORIZED_EXIT"])
def test_case_open_from_alert_carries_official_and_evidence(make_official, make_alert, officer, last_audit, code):
    official = make_official()
    alert = make_alert(official, code=code)
    case = case_open_from_alert(alert=alert, actor=officer)
    assert (case.official, case.family_name, case.date_of_birth, case.category) == (
        official, official.family_name, official.date_of_birth, "official")
    assert (case.source, case.source_alert, case.fled_on, case.jurisdiction) == (
        "alert", str(alert.pk), D(2014, 3, 16), "CN-GD")
    opened = case.events.get(kind="opened")
    assert opened.detail["evidence"] == {"trip_id": "T1", "exit": "E9"} and opened.detail["alert_code"] == code
    assert last_audit("case.open").detail["alert_id"] == alert.pk


def test_case_open_from_another_kind_of_alert_is_refused(make_official, make_alert, officer):
    alert = make_alert(make_official(), code="INVALID_MRZ", ref="D1")
    with pytest.raises(CaseError, match="not from INVALID_MRZ"):
        case_open_from_alert(alert=alert, actor=officer)
    assert not Case.objects.exists()


def test_case_open_from_a_withdrawn_alert_is_refused(make_official, make_alert, officer):
    with pytest.raises(CaseError, match="withdrawn"):
        case_open_from_alert(alert=make_alert(make_official(), status="withdrawn"), actor=officer)


def test_case_open_from_an_alert_of_another_jurisdiction_is_not_found(make_official, make_alert, make_user):
    alert = make_alert(make_official(jurisdiction="CN-BJ"))
    with pytest.raises(CasePermissionError, match="not found"):
        case_open_from_alert(alert=alert, actor=make_user("pursuit_officer", "CN-GD"))


def test_provincial_analyst_may_turn_an_alert_into_a_case(make_official, make_alert, make_user):
    case = case_open_from_alert(alert=make_alert(make_official()), actor=make_user("provincial_analyst", "CN-GD"))
    assert case.status == CaseStatus.AT_LARGE
