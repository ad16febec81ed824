"""Reads of alerts: always from a scoped queryset, or national for the system's own exports."""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from longarm.accounts.models import Role, User
from longarm.alerts.models import LIVE_STATUSES, Alert, AlertCode, AlertEvent
from longarm.border.models import Crossing
from longarm.documents.models import CustodyEvent, Document
from longarm.documents.mrz import MrzProblem, mrz_compare, mrz_join, mrz_parse
from longarm.documents.selectors import custody_state_at, local_moment
from longarm.geo import subdivision_name
from longarm.registry.models import Official, Relative
from longarm.travel.models import Trip, TripStatus
from longarm.watchlist.models import WatchlistEntry

# The spec's export columns, in the spec's order; optional extras come after them.
EXPORT_COLUMNS = ["alert_id", "code", "official_id", "ref", "status", "severity", "jurisdiction", "reported_to",
                  "raised_on", "detail"]
EXPORT_CHUNK_ROWS = 5_000


def alerts_visible(*, user) -> QuerySet:
    """The alerts `user` may see: their jurisdiction's (responsible) and those notified to it."""
    return Alert.objects.visible_to(user)


def alerts_filtered(queryset: QuerySet, *, code: str | None = None, status: str | None = None,
                    jurisdiction: str | None = None) -> QuerySet:
    """Narrow by code, status, and jurisdiction (responsible for it, or notified of it)."""
    if code:
        queryset = queryset.filter(code=code)
    if status:
        queryset = queryset.filter(status=status)
    if jurisdiction:
        queryset = queryset.filter(notices__jurisdiction=jurisdiction)
    return queryset


def alert_export_rows(queryset: QuerySet) -> Iterator[dict]:
    """One dict per alert with the export columns, streamed in chunks, oldest id first."""
    fields = ["id", "code", "official_id", "ref", "status", "severity", "jurisdiction", "reported_to",
              "raised_on", "detail"]
    for values in queryset.order_by("id").values_list(*fields).iterator(chunk_size=EXPORT_CHUNK_ROWS):
        row = dict(zip(EXPORT_COLUMNS, values, strict=True))
        row["raised_on"] = row["raised_on"].isoformat() if row["raised_on"] else ""
        yield row


# --- the alert desk (web UI): the inbox, an alert's file, the dashboard --------------------------------------------

# Roles that change alerts; the system role is the batch actor (it has no usable password, so no web login).
DESK_ROLES_THAT_ACT = frozenset({Role.PROVINCIAL_ANALYST, Role.CENTRAL_ANALYST, Role.PURSUIT_OFFICER,
                                 Role.ADMINISTRATOR, Role.SYSTEM})

# The rule behind each code, as the spec states it, in words an analyst reads on the alert's page.
RULE_SENTENCES = {
    "UNAUTHORIZED_EXIT": "An official left the country and no approved trip of theirs covers the day of the exit.",
    "DESTINATION_MISMATCH": "An exit is covered by an approved trip, but it went to a country that no covering trip "
                            "lists.",
    "OVERDUE_RETURN": "An official left on an approved trip and no entry is on record by the trip's return date "
                      "plus the grace days.",
    "MISSING": "An official left on an approved trip and no entry is on record two weeks (or the configured days) "
               "after the trip's return date.",
    "WATCHLIST_EXIT": "An official left the country while a watch-list entry (exit ban or alert-only) was in force.",
    "CUSTODY_BREACH": "A border crossing used a registered document that, at that moment, was held in custody, "
                      "reported lost or cancelled.",
    "UNREGISTERED_DOCUMENT": "A border crossing by an official, matched by identity, used a document that is not "
                             "registered to them.",
    "IDENTITY_MISMATCH": "A border crossing used a registered document under a date of birth or name that differs "
                         "from its holder's.",
    "DOCUMENT_NOT_RETURNED": "An official came back from a trip and the trip's document was not deposited within "
                             "the days allowed.",
    "DUPLICATE_DOCUMENT": "Two registered documents share one number across officials, or one official holds two "
                          "documents of the same kind valid at the same time.",
    "INVALID_MRZ": "A document's machine-readable zone fails an ICAO 9303 check digit or disagrees with the "
                   "registry.",
    "NAKED_OFFICIAL": "The official's spouse has emigrated, or the official has no spouse and every child has "
                      "emigrated (a \"naked official\").",
    "DUPLICATE_IDENTITY": "Identity resolution found two official records that are the same person.",
}


@dataclass(frozen=True)
class AlertFilters:
    """What a user asked the inbox for; empty values mean "any", status "live" means still being worked."""

    code: str = ""
    severity: str = ""
    status: str = "live"
    jurisdiction: str = ""
    raised_from: datetime.date | None = None
    raised_to: datetime.date | None = None
    assigned: str = ""

    def as_detail(self) -> dict:
        """The filters as they are written to the audit log."""
        return {"code": self.code, "severity": self.severity, "status": self.status,
                "jurisdiction": self.jurisdiction, "assigned": self.assigned,
                "raised_from": self.raised_from.isoformat() if self.raised_from else "",
                "raised_to": self.raised_to.isoformat() if self.raised_to else ""}


def alerts_for_desk(*, user, filters: AlertFilters, by_code: bool = True) -> QuerySet:
    """The alerts `user` may see that match `filters`, newest first (undated last).

    `jurisdiction` is the responsible one (the official's); a notified
    jurisdiction sees the alert through the scope. With `by_code=False` the
    code filter is left out, for the counts per code.
    """
    queryset = alerts_visible(user=user)
    if filters.code and by_code:
        queryset = queryset.filter(code=filters.code)
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.status == "live":
        queryset = queryset.filter(status__in=LIVE_STATUSES)
    elif filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.jurisdiction:
        queryset = queryset.filter(jurisdiction=filters.jurisdiction)
    if filters.raised_from:
        queryset = queryset.filter(raised_on__gte=filters.raised_from)
    if filters.raised_to:
        queryset = queryset.filter(raised_on__lte=filters.raised_to)
    if filters.assigned == "me":
        queryset = queryset.filter(assigned_to=user)
    elif filters.assigned == "nobody":
        queryset = queryset.filter(assigned_to__isnull=True)
    return queryset.order_by(F("raised_on").desc(nulls_last=True), "-id")


def alert_counts_by_code(*, user, filters: AlertFilters) -> list[tuple[str, str, int]]:
    """(code, label, count) for every code, under all the filters but the code itself; one GROUP BY query."""
    counts = dict(alerts_for_desk(user=user, filters=filters, by_code=False).order_by()
                  .values_list("code").annotate(n=Count("id")).values_list("code", "n"))
    return [(code, label, counts.get(code, 0)) for code, label in AlertCode.choices]


@dataclass
class DocumentEvidence:
    """A document behind an alert: its custody ledger, its state at the crossing (if any) and its MRZ checks."""

    document: Document
    events: list = field(default_factory=list)
    state_now: str | None = None
    state_at_crossing: str | None = None
    mrz_lines: list[str] = field(default_factory=list)
    mrz_problems: list[MrzProblem] = field(default_factory=list)


@dataclass
class AlertFile:
    """Everything the alert's page shows; every record behind it read through its own scope.

    `hidden` counts the records named in the evidence that `user` may not see
    (an official of another province in a duplicate pair, say).
    """

    alert: Alert
    rule: str
    official: Official | None
    responsible: str
    notified: list[str]
    crossings: list[Crossing]
    trip: Trip | None
    documents: list[DocumentEvidence]
    relatives: list[Relative]
    watchlist: list[WatchlistEntry]
    other_officials: list[Official]
    events: list[AlertEvent]
    hidden: int = 0


def _ids(evidence: dict, key: str) -> list[str]:
    value = evidence.get(key) or []
    return [value] if isinstance(value, str) else list(value)


def _mrz_evidence(document: Document, holder: Official | None) -> tuple[list[str], list[MrzProblem]]:
    parsed = mrz_parse(document.mrz)
    problems = list(parsed.problems)
    width = {"TD1": 30, "TD2": 36, "TD3": 44}.get(parsed.format)
    text = mrz_join(document.mrz)
    lines = [text[i:i + width] for i in range(0, len(text), width)] if width else [document.mrz]
    compared = {"number": document.number, "issuing_state": document.issuing_state, "expires_on": document.expires_on}
    if holder is not None:
        compared.update(date_of_birth=holder.date_of_birth, sex=holder.sex, family_name=holder.family_name,
                        given_name=holder.given_name)
    problems += [p for p in mrz_compare(parsed, **compared) if p not in problems]
    return lines, problems


def alert_file(*, user, alert: Alert) -> AlertFile:
    """The alert's page as `user` may see it: the evidence records, who is responsible and notified, its history.

    The caller has fetched `alert` with `get_visible`; each record named in
    the evidence is then read through its own `visible_to(user)`.
    """
    evidence = alert.evidence or {}
    wanted = 0
    official = Official.objects.visible_to(user).filter(pk=alert.official_id).first()

    event_ids = _ids(evidence, "event_ids")
    wanted += len(event_ids)
    crossings = list(Crossing.objects.visible_to(user).filter(pk__in=event_ids).order_by("occurred_at", "event_id"))
    for crossing in crossings:
        crossing.local_at = local_moment(crossing.occurred_at, crossing.utc_offset)

    trip_ids = _ids(evidence, "trip_id")
    wanted += len(trip_ids)
    trip = Trip.objects.visible_to(user).filter(pk__in=trip_ids).first()

    document_ids = _ids(evidence, "document_ids")
    wanted += len(document_ids)
    ledger = CustodyEvent.objects.visible_to(user).order_by("occurred_at", "event_id")
    documents = (Document.objects.visible_to(user).filter(pk__in=document_ids).select_related("official")
                 .prefetch_related(Prefetch("custody_events", queryset=ledger, to_attr="ledger"))
                 .order_by("document_id"))
    now = timezone.now()
    crossing_moment = crossings[0].occurred_at if crossings else None
    document_evidence = []
    for document in documents:
        for event in document.ledger:
            event.local_at = local_moment(event.occurred_at, event.utc_offset)
        item = DocumentEvidence(document=document, events=document.ledger,
                                state_now=custody_state_at(document.ledger, now),
                                state_at_crossing=custody_state_at(document.ledger, crossing_moment)
                                if crossing_moment else None)
        if document.mrz:
            item.mrz_lines, item.mrz_problems = _mrz_evidence(document, document.official)
        document_evidence.append(item)

    relative_ids = _ids(evidence, "relative_ids")
    wanted += len(relative_ids)
    relatives = list(Relative.objects.visible_to(user).filter(pk__in=relative_ids).order_by("relation", "relative_id"))

    entry_ids = _ids(evidence, "entry_ids")
    wanted += len(entry_ids)
    watchlist = list(WatchlistEntry.objects.visible_to(user).filter(pk__in=entry_ids).order_by("starts_on"))

    other_ids = _ids(evidence, "other_official_ids")
    wanted += len(other_ids)
    others = list(Official.objects.visible_to(user).filter(pk__in=other_ids).order_by("official_id"))

    found = len(crossings) + (trip is not None) + len(document_evidence) + len(relatives) + len(watchlist) + len(others)
    notices = list(alert.notices.order_by("-responsible", "jurisdiction").values_list("jurisdiction", "responsible"))
    return AlertFile(
        alert=alert, rule=RULE_SENTENCES.get(alert.code, ""), official=official, responsible=alert.jurisdiction,
        notified=[code for code, responsible in notices if not responsible],
        crossings=crossings, trip=trip, documents=document_evidence, relatives=relatives, watchlist=watchlist,
        other_officials=others, events=list(alert.events.order_by("at", "id")), hidden=wanted - found,
    )


def alert_may_act(*, user, alert: Alert) -> bool:
    """Whether `user` works this alert: an analyst-type role, and the home jurisdiction (or a national role).

    A jurisdiction only notified of an alert (the port of the crossing) reads
    it; the official's home jurisdiction is responsible for it.
    """
    if not user.is_authenticated or not (user.is_superuser or user.role in DESK_ROLES_THAT_ACT):
        return False
    return user.is_superuser or user.is_national or user.jurisdiction == alert.jurisdiction


def alert_assignees(*, user, alert: Alert) -> QuerySet:
    """The users an alert can be given to: active analysts and pursuit officers of the responsible jurisdiction."""
    return User.objects.filter(is_active=True, role__in=(Role.PROVINCIAL_ANALYST, Role.PURSUIT_OFFICER),
                               jurisdiction=alert.jurisdiction).order_by("username")


# --- the dashboard -------------------------------------------------------------------------------------------------


def alerts_live_by_code(*, user) -> list[tuple[str, str, int]]:
    """Alerts still being worked (open, acknowledged, escalated) that `user` sees, per code; one GROUP BY."""
    counts = dict(alerts_visible(user=user).filter(status__in=LIVE_STATUSES).order_by()
                  .values_list("code").annotate(n=Count("id")).values_list("code", "n"))
    return [(code, label, counts.get(code, 0)) for code, label in AlertCode.choices]


def alerts_live_by_province(*, user) -> list[tuple[str, str, int]]:
    """Alerts still being worked that `user` sees, per responsible province, most first; one GROUP BY."""
    rows = (alerts_visible(user=user).filter(status__in=LIVE_STATUSES).order_by()
            .values_list("jurisdiction").annotate(n=Count("id")).values_list("jurisdiction", "n"))
    return sorted(((code, subdivision_name(code) if code else "none", n) for code, n in rows),
                  key=lambda row: (-row[2], row[0]))


@dataclass(frozen=True)
class GoldenWeek:
    """Officials abroad over a holiday period and how their return went, as of a date.

    `abroad`: officials with an approved trip overlapping the period and an
    exit it covers; `back_on_time`: of them, back (an entry after the exit) by
    the return date plus the grace days; `overdue`: not back by then, and that
    day has passed (the OVERDUE_RETURN rule); `missing`: not back by the return
    date plus the missing days, and that day has passed (the MISSING rule,
    counted among the overdue too).
    """

    start: datetime.date
    end: datetime.date
    as_of: datetime.date
    abroad: int
    back_on_time: int
    overdue: int
    missing: int

    @property
    def still_away(self) -> int:
        """Abroad, not back on time, and not yet overdue: their trip (with grace) is still running."""
        return self.abroad - self.back_on_time - self.overdue


def golden_week(*, user, start: datetime.date, end: datetime.date, as_of: datetime.date) -> GoldenWeek:
    """The golden-week picture for `[start, end]` as of `as_of`, in one aggregate query over scoped trips.

    A trip's exit is the first exit of its official whose local date lies in
    `[depart_on − exit_tolerance_days, return_on]` (the spec's covering rule);
    returns are entries after that exit, by local date.
    """
    rules = settings.LONGARM_RULES
    tolerance = datetime.timedelta(days=rules["exit_tolerance_days"])
    grace = datetime.timedelta(days=rules["return_grace_days"])
    missing = datetime.timedelta(days=rules["missing_after_days"])
    crossings = Crossing.objects.visible_to(user)
    exit_at = Subquery(crossings.filter(
        official=OuterRef("official"), direction="exit", local_date__gte=OuterRef("depart_on") - tolerance,
        local_date__lte=OuterRef("return_on")).order_by("occurred_at", "event_id").values("occurred_at")[:1])

    def back_by(days: datetime.timedelta) -> Exists:
        return Exists(crossings.filter(official=OuterRef("official"), direction="entry",
                                       occurred_at__gt=OuterRef("exit_at"),
                                       local_date__lte=OuterRef("return_on") + days))

    trips = (Trip.objects.visible_to(user).filter(status=TripStatus.APPROVED, depart_on__lte=end, return_on__gte=start)
             .annotate(exit_at=exit_at).filter(exit_at__isnull=False)
             .annotate(came_back_in_grace=back_by(grace), came_back_before_missing=back_by(missing)))
    counts = trips.aggregate(
        abroad=Count("official", distinct=True),
        back_on_time=Count("official", distinct=True, filter=Q(came_back_in_grace=True)),
        overdue=Count("official", distinct=True, filter=Q(came_back_in_grace=False, return_on__lt=as_of - grace)),
        missing=Count("official", distinct=True,
                      filter=Q(came_back_before_missing=False, return_on__lt=as_of - missing)),
    )
    return GoldenWeek(start=start, end=end, as_of=as_of, **counts)
