"""The pursuit workflow: opening cases, following the fugitive, requests to foreign states, recoveries.

Every change appends a line to the case's timeline and writes its audit row
in the same transaction. Only pursuit staff act, and a pursuit officer only on
cases of their own jurisdiction; a case that is not theirs looks like one that
does not exist.
"""

import datetime
import uuid
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from longarm.accounts.models import Role
from longarm.audit.services import audit_record
from longarm.cases.errors import CaseError, CasePermissionError
from longarm.cases.models import (
    ANSWER_STATUSES,
    LIST_SEPARATOR,
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseSource,
    CaseStatus,
    Category,
    EventKind,
    Measure,
    MeasureKind,
    MeasureStatus,
    Operation,
    Recovery,
    RecoveryAvenue,
    ReturnAvenue,
)
from longarm.geo import country_codes, country_name, currency_codes, subdivision_codes
from longarm.registry.models import Official, Sex

# Who works fugitive cases. Everyone else reads at most.
PURSUER_ROLES = frozenset({Role.PURSUIT_OFFICER, Role.CENTRAL_ANALYST, Role.ADMINISTRATOR, Role.SYSTEM})
# An analyst who reviews an alert may turn it into a case; the pursuit then belongs to pursuers.
CASE_OPENER_ROLES = PURSUER_ROLES | {Role.PROVINCIAL_ANALYST}
# Alerts that say an official has left and may not come back.
FLIGHT_ALERT_CODES = ("MISSING", "UNAUTHORIZED_EXIT")
REASON_MAX_LENGTH = 500


def new_id(prefix: str) -> str:
    """Ids of records created in longarm: unique, and never confused with a sending system's ids."""
    return f"{prefix}-{uuid.uuid4()}"


# --- checks shared by the services -------------------------------------------------------------------------


def _check_role(actor, roles: frozenset, what: str) -> None:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise CasePermissionError(f"Sign in to {what}.")
    if actor.role not in roles and not actor.is_superuser:
        raise CasePermissionError(f"Your role ({actor.get_role_display()}) may not {what}.")


def _locked_case(*, case: Case, actor, roles: frozenset = PURSUER_ROLES, what: str = "work on fugitive cases") -> Case:
    """Lock the case row and check that `actor` may change it; 'not yours' reads as 'not found'."""
    _check_role(actor, roles, what)
    locked = Case.objects.visible_to(actor).select_for_update().filter(pk=case.pk).first()
    if locked is None:
        raise CasePermissionError(f"Case {case.pk} was not found.")
    return locked


def _check_still_visible(*, case: Case, actor) -> None:
    """After a write, the writer must still see the record (a case opened in another jurisdiction is refused)."""
    if not Case.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise CasePermissionError(f"You may only open cases in your own jurisdiction ({actor.jurisdiction}).")


def _country(code: str, field: str) -> str:
    code = (code or "").strip().upper()
    if code not in country_codes():
        raise CaseError(f"{field}: {code or 'nothing'} is not an ISO 3166-1 alpha-3 country code.")
    return code


def _foreign_country(code: str, field: str) -> str:
    code = _country(code, field)
    if code == settings.LONGARM_HOME_COUNTRY:
        raise CaseError(f"{field}: {code} is the home country, not a foreign state or region.")
    return code


def _countries(codes: Iterable[str], field: str) -> list[str]:
    result: list[str] = []
    for code in codes:
        code = _foreign_country(code, field)
        if code not in result:
            result.append(code)
    return result


def _currency(code: str, field: str) -> str:
    code = (code or "").strip().upper()
    if code not in currency_codes():
        raise CaseError(f"{field}: {code or 'nothing'} is not an ISO 4217 currency code.")
    return code


def _money(amount, field: str, *, positive: bool) -> Decimal:
    if isinstance(amount, float):
        raise CaseError(f"{field}: money is never a float; give a decimal amount.")
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise CaseError(f"{field}: {amount!r} is not a decimal amount.") from None
    if not value.is_finite() or value < 0 or (positive and value == 0):
        raise CaseError(f"{field}: the amount must be {'more than' if positive else 'at least'} zero.")
    if value.as_tuple().exponent < -4:
        raise CaseError(f"{field}: at most four decimal places.")
    return value


def _date(value: datetime.date | None, field: str, *, required: bool = True) -> datetime.date | None:
    if value is None:
        if required:
            raise CaseError(f"{field} is required.")
        return None
    if isinstance(value, datetime.datetime) or not isinstance(value, datetime.date):
        raise CaseError(f"{field} must be a date.")
    if value > timezone.localdate():
        raise CaseError(f"{field} ({value.isoformat()}) is in the future.")
    return value


def _reason(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise CaseError(f"A reason is required to {what}.")
    if len(reason) > REASON_MAX_LENGTH:
        raise CaseError(f"The reason is longer than {REASON_MAX_LENGTH} characters.")
    return reason


def _record_event(*, case: Case, kind: EventKind, happened_on: datetime.date, summary: str, actor,
                  action: str, detail: dict | None = None, target=None) -> CaseEvent:
    """Append a timeline line and the audit row of the change, in the caller's transaction."""
    detail = detail or {}
    event = CaseEvent.objects.create(case=case, kind=kind, happened_on=happened_on, summary=summary[:500],
                                     detail=detail, recorded_by=actor)
    audit_record(actor=actor, action=action, target=target if target is not None else case,
                 detail={"case_id": case.pk, "happened_on": happened_on, **detail})
    return event


# --- opening a case ---------------------------------------------------------------------------------------


@transaction.atomic
def case_open(*, family_name: str, given_name: str, category: Category | str, jurisdiction: str, offences: str,
              actor, case_id: str | None = None, official: Official | None = None, native_name: str = "",
              date_of_birth: datetime.date | None = None, sex: str = "", amount_involved: Decimal | None = None,
              amount_currency: str = "", fled_on: datetime.date | None = None, located_in: Iterable[str] = (),
              red_notice_on: datetime.date | None = None, priority_list: bool = False,
              source: CaseSource = CaseSource.MANUAL, source_alert: str = "", opening_detail: dict | None = None) -> Case:
    """Open a case on a fugitive, at large or already located.

    One open case per registered official: a second would split the pursuit.
    A pursuit officer opens cases only in their own jurisdiction.
    """
    _check_role(actor, CASE_OPENER_ROLES, "open fugitive cases")
    family_name, given_name, offences = (family_name or "").strip(), (given_name or "").strip(), (offences or "").strip()
    if not family_name or not given_name:
        raise CaseError("The subject's family name and given name are required.")
    if not offences:
        raise CaseError("Say which offences the subject is suspected of.")
    if category not in Category.values:
        raise CaseError("category must be official or other.")
    if jurisdiction not in subdivision_codes():
        raise CaseError(f"jurisdiction: {jurisdiction or 'nothing'} is not an ISO 3166-2 subdivision code.")
    if sex and sex not in Sex.values:
        raise CaseError("sex must be M, F or X.")
    case_id = (case_id or "").strip() or new_id("CASE")
    if len(case_id) > 64:
        raise CaseError("A case id has at most 64 characters.")
    if Case.objects.filter(pk=case_id).exists():
        raise CaseError(f"Case {case_id} already exists.")
    if official is not None:
        if not Official.objects.visible_to(actor).filter(pk=official.pk).exists():
            raise CasePermissionError(f"Official {official.pk} was not found.")
        existing = Case.objects.filter(official=official, status__in=OPEN_STATUSES).first()
        if existing is not None:
            raise CaseError(f"Official {official.pk} already has an open case: {existing.pk}.")
    amount = None
    currency = ""
    if amount_involved is not None:
        amount = _money(amount_involved, "amount_involved", positive=False)
        currency = _currency(amount_currency, "amount_currency")
    elif amount_currency:
        raise CaseError("amount_currency is given without amount_involved.")
    countries = _countries(located_in, "located_in")
    fled_on = _date(fled_on, "fled_on", required=False)
    red_notice_on = _date(red_notice_on, "red_notice_on", required=False)
    date_of_birth = _date(date_of_birth, "date_of_birth", required=False)
    today = timezone.localdate()
    case = Case.objects.create(
        case_id=case_id, official=official, family_name=family_name, given_name=given_name,
        native_name=(native_name or "").strip(), date_of_birth=date_of_birth, sex=sex, category=category,
        jurisdiction=jurisdiction, offences=offences, amount_involved=amount, amount_currency=currency,
        fled_on=fled_on, located_in=LIST_SEPARATOR.join(countries), red_notice_on=red_notice_on,
        priority_list=priority_list, priority_listed_on=today if priority_list else None,
        status=CaseStatus.LOCATED if countries else CaseStatus.AT_LARGE, status_on=today,
        source=source, source_alert=source_alert, created_at=timezone.now(),
    )
    _check_still_visible(case=case, actor=actor)
    if fled_on is not None:
        CaseEvent.objects.create(case=case, kind=EventKind.FLED, happened_on=fled_on, recorded_by=actor,
                                 summary=f"{case.full_name} fled", detail={})
    _record_event(case=case, kind=EventKind.OPENED, happened_on=today, actor=actor, action="case.open",
                  summary=f"Case opened on {case.full_name}: {offences}"[:500],
                  detail={"source": source, "official_id": official.pk if official else None,
                          "status": case.status, "located_in": countries, **(opening_detail or {})})
    return case


@transaction.atomic
def case_open_from_alert(*, alert, actor, offences: str = "", jurisdiction: str = "",
                         fled_on: datetime.date | None = None, case_id: str | None = None) -> Case:
    """Open a case from a `MISSING` or `UNAUTHORIZED_EXIT` alert: the official and the evidence come over.

    Other alerts say something is wrong with a document or a trip, not that
    someone fled, and are refused. The case is pursued by the official's
    jurisdiction unless one is given.
    """
    Alert = apps.get_model("alerts", "Alert")
    _check_role(actor, CASE_OPENER_ROLES, "open fugitive cases")
    if not Alert.objects.visible_to(actor).filter(pk=alert.pk).exists():
        raise CasePermissionError(f"Alert {alert.pk} was not found.")
    if alert.code not in FLIGHT_ALERT_CODES:
        raise CaseError(f"A case is opened from a MISSING or UNAUTHORIZED_EXIT alert, not from {alert.code}.")
    if alert.status == "withdrawn":
        raise CaseError(f"Alert {alert.pk} was withdrawn: later data showed it wrong.")
    official = alert.official
    opening = {"alert_id": alert.pk, "alert_code": alert.code, "alert_ref": alert.ref,
               "evidence": alert.evidence or {}}
    return case_open(
        case_id=case_id, official=official, family_name=official.family_name, given_name=official.given_name,
        native_name=official.native_name, date_of_birth=official.date_of_birth, sex=official.sex,
        category=Category.OFFICIAL, jurisdiction=jurisdiction or official.jurisdiction,
        offences=offences or f"Left the country without authorisation ({alert.code} alert, ref {alert.ref}).",
        fled_on=fled_on or alert.raised_on, actor=actor, source=CaseSource.ALERT, source_alert=str(alert.pk),
        opening_detail=opening,
    )


# --- following the fugitive -------------------------------------------------------------------------------


def _check_open(case: Case, what: str) -> None:
    if case.status not in OPEN_STATUSES:
        raise CaseError(f"Case {case.pk} is {case.get_status_display()}: it cannot be {what}.")


def _check_not_before_flight(case: Case, on: datetime.date, field: str) -> None:
    if case.fled_on is not None and on < case.fled_on:
        raise CaseError(f"{field} ({on.isoformat()}) is before the subject fled ({case.fled_on.isoformat()}).")


@transaction.atomic
def case_record_located(*, case: Case, countries: Iterable[str], located_on: datetime.date, actor) -> Case:
    """The subject has been found in one or more countries: they become the last known countries.

    Only a case still pursued can be located; a detained subject stays detained.
    """
    case = _locked_case(case=case, actor=actor)
    _check_open(case, "located")
    countries = _countries(countries, "countries")
    if not countries:
        raise CaseError("Name at least one country where the subject was located.")
    located_on = _date(located_on, "located_on")
    _check_not_before_flight(case, located_on, "located_on")
    before = case.status
    case.located_in = LIST_SEPARATOR.join(countries)
    if case.status == CaseStatus.AT_LARGE:
        case.status, case.status_on = CaseStatus.LOCATED, located_on
    case.save(update_fields=["located_in", "status", "status_on"])
    names = ", ".join(country_name(code) for code in countries)
    _record_event(case=case, kind=EventKind.LOCATED, happened_on=located_on, actor=actor, action="case.locate",
                  summary=f"Located in {names}", detail={"countries": countries, "status_before": before})
    return case


@transaction.atomic
def case_record_detention(*, case: Case, country: str, detained_on: datetime.date, actor) -> Case:
    """The subject is held by a foreign state (pending extradition or deportation)."""
    case = _locked_case(case=case, actor=actor)
    _check_open(case, "recorded as detained")
    country = _foreign_country(country, "country")
    detained_on = _date(detained_on, "detained_on")
    _check_not_before_flight(case, detained_on, "detained_on")
    before = case.status
    countries = [country, *(code for code in case.located_in_list if code != country)]
    case.located_in = LIST_SEPARATOR.join(countries)
    case.status, case.status_on = CaseStatus.DETAINED_ABROAD, detained_on
    case.save(update_fields=["located_in", "status", "status_on"])
    _record_event(case=case, kind=EventKind.DETAINED, happened_on=detained_on, actor=actor, action="case.detain",
                  summary=f"Detained in {country_name(country)}",
                  detail={"country": country, "status_before": before})
    return case


@transaction.atomic
def case_record_return(*, case: Case, returned_on: datetime.date, returned_from: str,
                       return_avenue: ReturnAvenue | str, actor) -> Case:
    """The subject is back: the date, the country or region they came from and the avenue are all required.

    Territories with their own code (Hong Kong, Macao) count as a country or
    region of their own. The return cannot predate the flight.
    """
    case = _locked_case(case=case, actor=actor)
    _check_open(case, "recorded as returned")
    returned_on = _date(returned_on, "returned_on")
    returned_from = _foreign_country(returned_from, "returned_from")
    if return_avenue not in ReturnAvenue.values:
        raise CaseError("return_avenue must be extradition, deportation, voluntary_return or other.")
    _check_not_before_flight(case, returned_on, "returned_on")
    before = case.status
    case.status, case.status_on = CaseStatus.RETURNED, returned_on
    case.returned_on, case.returned_from, case.return_avenue = returned_on, returned_from, return_avenue
    case.save(update_fields=["status", "status_on", "returned_on", "returned_from", "return_avenue"])
    _record_event(case=case, kind=EventKind.RETURNED, happened_on=returned_on, actor=actor, action="case.return",
                  summary=f"Returned from {country_name(returned_from)} by {ReturnAvenue(return_avenue).label}",
                  detail={"returned_from": returned_from, "return_avenue": return_avenue, "status_before": before})
    return case


@transaction.atomic
def case_record_death(*, case: Case, died_on: datetime.date, actor, country: str = "") -> Case:
    """The subject has died: the pursuit of the person ends (the recovery of assets may go on)."""
    case = _locked_case(case=case, actor=actor)
    _check_open(case, "recorded as deceased")
    died_on = _date(died_on, "died_on")
    country = _country(country, "country") if country else ""
    before = case.status
    case.status, case.status_on = CaseStatus.DECEASED, died_on
    case.save(update_fields=["status", "status_on"])
    place = f" in {country_name(country)}" if country else ""
    _record_event(case=case, kind=EventKind.DECEASED, happened_on=died_on, actor=actor, action="case.death",
                  summary=f"Died{place}", detail={"country": country, "status_before": before})
    return case


@transaction.atomic
def case_close(*, case: Case, reason: str, actor) -> Case:
    """Close a case with the reason (charges dropped, tried in absentia, merged …). Nothing is deleted.

    A returned case keeps its return: the statistics still count it.
    """
    case = _locked_case(case=case, actor=actor)
    if case.status == CaseStatus.CLOSED:
        raise CaseError(f"Case {case.pk} is already closed.")
    reason = _reason(reason, "close a case")
    before = case.status
    today = timezone.localdate()
    case.status, case.status_on, case.closed_reason = CaseStatus.CLOSED, today, reason
    case.save(update_fields=["status", "status_on", "closed_reason"])
    _record_event(case=case, kind=EventKind.CLOSED, happened_on=today, actor=actor, action="case.close",
                  summary=f"Closed: {reason}", detail={"reason": reason, "status_before": before})
    return case


@transaction.atomic
def case_record_red_notice(*, case: Case, published_on: datetime.date, actor, reference: str = "") -> Case:
    """An INTERPOL red notice was published on the subject. A later notice replaces the date of an earlier one
    only if it is earlier (the report asks whether a notice stood before the return)."""
    case = _locked_case(case=case, actor=actor)
    published_on = _date(published_on, "published_on")
    if case.red_notice_on is None or published_on < case.red_notice_on:
        case.red_notice_on = published_on
    if reference:
        case.red_notice_ref = reference[:64]
    case.save(update_fields=["red_notice_on", "red_notice_ref"])
    _record_event(case=case, kind=EventKind.RED_NOTICE, happened_on=published_on, actor=actor,
                  action="case.red_notice", summary=f"Red notice published{' (' + reference + ')' if reference else ''}",
                  detail={"reference": reference, "red_notice_on": case.red_notice_on})
    return case


@transaction.atomic
def case_set_priority_list(*, case: Case, listed: bool, on: datetime.date, actor) -> Case:
    """Put the subject on the published most-wanted list, or take them off it, with the date."""
    case = _locked_case(case=case, actor=actor)
    on = _date(on, "on")
    if case.priority_list == listed:
        raise CaseError(f"Case {case.pk} is {'already' if listed else 'not'} on the most-wanted list.")
    case.priority_list = listed
    case.priority_listed_on = on
    case.save(update_fields=["priority_list", "priority_listed_on"])
    _record_event(case=case, kind=EventKind.PRIORITY_LIST, happened_on=on, actor=actor, action="case.priority_list",
                  summary="Put on the most-wanted list" if listed else "Taken off the most-wanted list",
                  detail={"listed": listed})
    return case


# --- requests to foreign states ---------------------------------------------------------------------------


def _locked_measure(*, measure: Measure, actor) -> Measure:
    _check_role(actor, PURSUER_ROLES, "work on requests to foreign states")
    locked = Measure.objects.visible_to(actor).select_for_update().filter(pk=measure.pk).first()
    if locked is None:
        raise CasePermissionError(f"Request {measure.pk} was not found.")
    return locked


def _check_due(sent_on: datetime.date | None, answer_due_on: datetime.date | None) -> None:
    if answer_due_on is not None and sent_on is not None and answer_due_on < sent_on:
        raise CaseError("The answer cannot be due before the request is sent.")


@transaction.atomic
def measure_open(*, case: Case, kind: MeasureKind | str, country: str, actor, reference: str = "",
                 sent_on: datetime.date | None = None, answer_due_on: datetime.date | None = None) -> Measure:
    """Open a request to a foreign state in a case; with `sent_on`, it is recorded as sent.

    Requests are made while the subject or their assets are pursued: not on a closed case.
    """
    case = _locked_case(case=case, actor=actor)
    if case.status == CaseStatus.CLOSED:
        raise CaseError(f"Case {case.pk} is closed: no new request can be made in it.")
    if kind not in MeasureKind.values:
        raise CaseError("kind must be extradition, mutual_legal_assistance, deportation or confiscation.")
    country = _foreign_country(country, "country")
    sent_on = _date(sent_on, "sent_on", required=False)
    _check_due(sent_on, answer_due_on)
    measure = Measure.objects.create(case=case, kind=kind, country=country, reference=(reference or "").strip()[:120],
                                     status=MeasureStatus.SENT if sent_on else MeasureStatus.PREPARING,
                                     sent_on=sent_on, answer_due_on=answer_due_on, created_at=timezone.now())
    label = f"{MeasureKind(kind).label} request to {country_name(country)}"
    _record_event(case=case, kind=EventKind.MEASURE_OPENED, happened_on=sent_on or timezone.localdate(),
                  actor=actor, action="measure.open", target=measure,
                  summary=f"{label[0].upper()}{label[1:]} {'sent' if sent_on else 'in preparation'}",
                  detail={"measure_id": measure.pk, "kind": kind, "country": country, "sent_on": sent_on,
                          "answer_due_on": answer_due_on})
    return measure


@transaction.atomic
def measure_record_sent(*, measure: Measure, sent_on: datetime.date, actor,
                        answer_due_on: datetime.date | None = None) -> Measure:
    """A request in preparation has gone out; `answer_due_on` sets the deadline that comes up as a reminder."""
    measure = _locked_measure(measure=measure, actor=actor)
    if measure.status != MeasureStatus.PREPARING:
        raise CaseError(f"This request is {measure.get_status_display()}: only a request in preparation is sent.")
    sent_on = _date(sent_on, "sent_on")
    _check_due(sent_on, answer_due_on)
    measure.status, measure.sent_on, measure.answer_due_on = MeasureStatus.SENT, sent_on, answer_due_on
    measure.save(update_fields=["status", "sent_on", "answer_due_on"])
    _record_event(case=measure.case, kind=EventKind.MEASURE_SENT, happened_on=sent_on, actor=actor,
                  action="measure.send", target=measure,
                  summary=f"{measure.get_kind_display().capitalize()} request sent to {country_name(measure.country)}",
                  detail={"measure_id": measure.pk, "answer_due_on": answer_due_on})
    return measure


@transaction.atomic
def measure_set_deadline(*, measure: Measure, answer_due_on: datetime.date, actor) -> Measure:
    """Move the deadline of a request awaiting its answer (the foreign state asked for more time, say)."""
    measure = _locked_measure(measure=measure, actor=actor)
    if measure.status not in (MeasureStatus.PREPARING, MeasureStatus.SENT):
        raise CaseError(f"This request is {measure.get_status_display()}: it has no deadline to move.")
    _check_due(measure.sent_on, answer_due_on)
    before = measure.answer_due_on
    measure.answer_due_on = answer_due_on
    measure.save(update_fields=["answer_due_on"])
    audit_record(actor=actor, action="measure.deadline", target=measure,
                 detail={"case_id": measure.case_id, "before": before, "after": answer_due_on})
    return measure


@transaction.atomic
def measure_record_answer(*, measure: Measure, answered_on: datetime.date, status: MeasureStatus | str,
                          outcome: str, actor) -> Measure:
    """The foreign state answered a request that was sent: granted, partly granted or refused, with the outcome."""
    measure = _locked_measure(measure=measure, actor=actor)
    if measure.status != MeasureStatus.SENT:
        raise CaseError(f"This request is {measure.get_status_display()}: only a request sent can be answered.")
    if status not in ANSWER_STATUSES:
        raise CaseError("The answer is granted, partly_granted or refused.")
    answered_on = _date(answered_on, "answered_on")
    if answered_on < measure.sent_on:
        raise CaseError(f"answered_on ({answered_on.isoformat()}) is before the request was sent "
                        f"({measure.sent_on.isoformat()}).")
    outcome = (outcome or "").strip()
    if not outcome:
        raise CaseError("Say what the answer was (the outcome).")
    measure.status, measure.answered_on, measure.outcome = status, answered_on, outcome[:1000]
    measure.save(update_fields=["status", "answered_on", "outcome"])
    _record_event(case=measure.case, kind=EventKind.MEASURE_ANSWERED, happened_on=answered_on, actor=actor,
                  action="measure.answer", target=measure,
                  summary=f"{country_name(measure.country)} {MeasureStatus(status).label} the "
                          f"{measure.get_kind_display()} request: {outcome}",
                  detail={"measure_id": measure.pk, "status": status, "outcome": outcome})
    return measure


@transaction.atomic
def measure_withdraw(*, measure: Measure, reason: str, actor) -> Measure:
    """Withdraw a request not yet answered, with the reason (the subject came back by another route, say)."""
    measure = _locked_measure(measure=measure, actor=actor)
    if measure.status not in (MeasureStatus.PREPARING, MeasureStatus.SENT):
        raise CaseError(f"This request is {measure.get_status_display()}: it can no longer be withdrawn.")
    reason = _reason(reason, "withdraw a request")
    measure.status, measure.outcome = MeasureStatus.WITHDRAWN, reason
    measure.save(update_fields=["status", "outcome"])
    _record_event(case=measure.case, kind=EventKind.MEASURE_WITHDRAWN, happened_on=timezone.localdate(),
                  actor=actor, action="measure.withdraw", target=measure,
                  summary=f"{measure.get_kind_display().capitalize()} request to {country_name(measure.country)} "
                          f"withdrawn: {reason}",
                  detail={"measure_id": measure.pk, "reason": reason})
    return measure


# --- recoveries and operations ----------------------------------------------------------------------------


@transaction.atomic
def recovery_record(*, recovered_on: datetime.date, amount: Decimal, currency: str, from_country: str,
                    avenue: RecoveryAvenue | str, actor, case: Case | None = None, recovery_id: str | None = None,
                    description: str = "") -> Recovery:
    """Record money or property brought back, in the currency it came in (converted only when reported).

    A recovery without a case is recorded by national roles only, since no
    jurisdiction pursues it.
    """
    if case is not None:
        case = _locked_case(case=case, actor=actor, what="record recoveries")
    else:
        _check_role(actor, PURSUER_ROLES - {Role.PURSUIT_OFFICER}, "record a recovery without a case")
    amount = _money(amount, "amount", positive=True)
    currency = _currency(currency, "currency")
    from_country = _foreign_country(from_country, "from_country")
    recovered_on = _date(recovered_on, "recovered_on")
    if avenue not in RecoveryAvenue.values:
        raise CaseError("avenue must be returned_by_foreign_state, confiscation, voluntary or other.")
    recovery_id = (recovery_id or "").strip() or new_id("REC")
    if Recovery.objects.filter(pk=recovery_id).exists():
        raise CaseError(f"Recovery {recovery_id} already exists.")
    recovery = Recovery.objects.create(recovery_id=recovery_id, case=case, recovered_on=recovered_on, amount=amount,
                                       currency=currency, from_country=from_country, avenue=avenue,
                                       description=(description or "").strip()[:500], created_at=timezone.now())
    detail = {"recovery_id": recovery_id, "amount": str(amount), "currency": currency, "from_country": from_country,
              "avenue": avenue}
    if case is not None:
        _record_event(case=case, kind=EventKind.RECOVERY, happened_on=recovered_on, actor=actor,
                      action="recovery.record", target=recovery,
                      summary=f"{amount} {currency} recovered from {country_name(from_country)}", detail=detail)
    else:
        audit_record(actor=actor, action="recovery.record", target=recovery,
                     detail={"case_id": None, "recovered_on": recovered_on, **detail})
    return recovery


@transaction.atomic
def operation_create(*, name: str, starts_on: datetime.date, ends_on: datetime.date, actor,
                     description: str = "") -> Operation:
    """Name a campaign and its period, so that its statistics are one click away."""
    _check_role(actor, PURSUER_ROLES - {Role.PURSUIT_OFFICER}, "name operations")
    name = (name or "").strip()
    if not name:
        raise CaseError("An operation needs a name.")
    if ends_on < starts_on:
        raise CaseError("An operation cannot end before it starts.")
    if Operation.objects.filter(name=name).exists():
        raise CaseError(f"An operation named {name} already exists.")
    operation = Operation.objects.create(name=name, starts_on=starts_on, ends_on=ends_on,
                                         description=(description or "").strip()[:1000])
    audit_record(actor=actor, action="operation.create", target=operation,
                 detail={"name": name, "starts_on": starts_on, "ends_on": ends_on})
    return operation


# --- a red notice from INTERPOL's public notices API ------------------------------------------------------


@transaction.atomic
def case_import_red_notice(*, case: Case, notice: dict, published_on: datetime.date, actor) -> Case:
    """Attach a red notice (INTERPOL's JSON) to a case: its date and id, and what the case did not know yet
    (date and sex of birth). A notice about someone else is refused: the name must match the subject (either
    order) and a full date of birth must agree with the case's."""
    from longarm.cases.red_notice import parse_red_notice
    from longarm.engine.normalize import name_key

    parsed = parse_red_notice(notice)
    locked = _locked_case(case=case, actor=actor)
    subject = name_key(locked.family_name, locked.given_name)
    if subject not in (name_key(parsed.family_name, parsed.given_name),
                       name_key(parsed.given_name, parsed.family_name)):
        raise CaseError(f"The notice names {parsed.family_name} {parsed.given_name}; the case's subject is "
                        f"{locked.full_name}.")
    if locked.date_of_birth and parsed.birth_year and locked.date_of_birth.year != parsed.birth_year:
        raise CaseError(f"The notice gives a birth year of {parsed.birth_year}; the case says "
                        f"{locked.date_of_birth.isoformat()}.")
    if locked.date_of_birth and parsed.date_of_birth and locked.date_of_birth != parsed.date_of_birth:
        raise CaseError(f"The notice gives a date of birth of {parsed.date_of_birth.isoformat()}; the case says "
                        f"{locked.date_of_birth.isoformat()}.")
    filled = []
    if locked.date_of_birth is None and parsed.date_of_birth is not None:
        locked.date_of_birth = parsed.date_of_birth
        filled.append("date_of_birth")
    if not locked.sex and parsed.sex:
        locked.sex = parsed.sex
        filled.append("sex")
    if filled:
        locked.save(update_fields=filled)
    case = case_record_red_notice(case=locked, published_on=published_on, reference=parsed.entity_id, actor=actor)
    audit_record(actor=actor, action="case.red_notice_import", target=case,
                 detail={"notice": parsed.as_detail(), "filled": filled, "published_on": published_on})
    return case
