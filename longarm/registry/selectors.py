"""Reading the registry: the officials list (search, filters, sorting, pages), the CSV export and an official's file.

Every function starts from `Model.objects.visible_to(user)`: a provincial
user never gets another province's officials from here, in a list, an
export or a search.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from longarm.accounts.models import NATIONAL_ROLES, Role
from longarm.border.models import Crossing
from longarm.documents.selectors import DocumentCustody, documents_with_custody, local_moment
from longarm.geo import provinces_of, subdivision_name
from longarm.identity.models import CandidatePair, PairStatus
from longarm.registry.models import Official, Rank, Relative
from longarm.registry.search import officials_search
from longarm.travel.models import Trip
from longarm.watchlist.models import WatchlistEntry

# Counting stops here: "more than 10,000" is all a reader needs, and an exact
# COUNT(*) over millions of rows on every keystroke is not worth its cost.
COUNT_CAP = 10_000
# An export is a file for a desk, not a copy of the registry.
EXPORT_MAX_ROWS = 100_000
# More than this many crossings of one official are cut to the latest ones.
DOSSIER_MAX_CROSSINGS = 500
DOSSIER_MAX_PAIRS = 100

_RANK_ORDER = Case(*(When(rank=value, then=Value(i)) for i, value in enumerate(Rank.values)),
                   output_field=IntegerField())

# Sort keys the list offers, each ending on the primary key so that pages never overlap.
SORTS = {
    "name": ("family_name", "given_name", "official_id"),
    "official_id": ("official_id",),
    "jurisdiction": ("jurisdiction", "family_name", "given_name", "official_id"),
    "rank": (_RANK_ORDER, "family_name", "given_name", "official_id"),
    "date_of_birth": ("date_of_birth", "official_id"),
}
DEFAULT_SORT = "name"


def sort_choices() -> list[tuple[str, str]]:
    labels = {"name": "name", "official_id": "official id", "jurisdiction": "jurisdiction",
              "rank": "rank (highest first)", "date_of_birth": "date of birth"}
    choices = []
    for key in SORTS:
        choices += [(key, labels[key]), (f"-{key}", f"{labels[key]}, reversed")]
    return choices


def _ordering(sort: str) -> list:
    descending = sort.startswith("-")
    keys = SORTS.get(sort.lstrip("-")) or SORTS[DEFAULT_SORT]
    terms = []
    for key in keys:
        if isinstance(key, str):
            terms.append(f"-{key}" if descending else key)
        else:
            terms.append(key.desc() if descending else key.asc())
    return terms


@dataclass(frozen=True)
class OfficialFilters:
    """What a user asked the officials list for; empty values mean "any"."""

    q: str = ""
    jurisdiction: str = ""
    rank: str = ""
    status: str = ""
    sensitive_post: bool | None = None
    sort: str = DEFAULT_SORT

    def as_detail(self) -> dict:
        """The filters as they are written to the audit log."""
        return {"q": self.q, "jurisdiction": self.jurisdiction, "rank": self.rank, "status": self.status,
                "sensitive_post": self.sensitive_post, "sort": self.sort}


def jurisdiction_choices_for(user) -> list[tuple[str, str]]:
    """The jurisdictions `user` may filter by: all provinces of the home country for national roles, else their own.

    A filter never offers what the scope would hide anyway.
    """
    if user.is_superuser or user.role in NATIONAL_ROLES:
        return [(code, f"{code} {name}") for code, name in provinces_of(settings.LONGARM_HOME_COUNTRY)]
    if user.role == Role.OFFICIAL and user.official_id:
        code = Official.objects.visible_to(user).values_list("jurisdiction", flat=True).first()
        return [(code, f"{code} {subdivision_name(code)}")] if code else []
    if user.jurisdiction:
        return [(user.jurisdiction, f"{user.jurisdiction} {subdivision_name(user.jurisdiction)}")]
    return []


def officials_filtered(*, user, filters: OfficialFilters) -> QuerySet:
    """The officials `user` may see that match `filters`, in the requested order.

    Search rules (romanised name either way round, native name, ids) are
    those of `longarm.registry.search.officials_search`, shared with the API.
    """
    queryset = officials_search(Official.objects.visible_to(user), filters.q)
    if filters.jurisdiction:
        queryset = queryset.filter(jurisdiction=filters.jurisdiction)
    if filters.rank:
        queryset = queryset.filter(rank=filters.rank)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.sensitive_post is not None:
        queryset = queryset.filter(sensitive_post=filters.sensitive_post)
    return queryset.order_by(*_ordering(filters.sort))


@dataclass
class Page:
    """One page of a list, with a count that stops at a cap.

    The page is read with LIMIT page_size + 1 (the extra row says whether a
    next page exists) and the total is counted over at most `cap + 1` rows
    (`SELECT COUNT(*) FROM (… LIMIT cap + 1)`), so neither costs more as the
    registry grows to millions of rows. `total` is exact when `total_capped`
    is False, otherwise "more than `cap`".
    """

    rows: list
    number: int
    size: int
    has_next: bool
    total: int
    total_capped: bool
    cap: int = COUNT_CAP

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.rows)


def capped_count(queryset: QuerySet, cap: int = COUNT_CAP) -> tuple[int, bool]:
    """How many rows `queryset` holds, counting no further than `cap`: (count, True) means more than `cap`."""
    count = queryset.order_by()[: cap + 1].count()
    return (cap, True) if count > cap else (count, False)


def page_of(queryset: QuerySet, *, number: int, size: int | None = None, cap: int = COUNT_CAP) -> Page:
    """Page `number` (from 1) of `queryset`; a page past the end comes back empty, not as an error."""
    size = size or settings.LONGARM_UI_PAGE_SIZE
    number = max(1, number)
    start = (number - 1) * size
    rows = list(queryset[start:start + size + 1])
    total, capped = capped_count(queryset, cap)
    return Page(rows=rows[:size], number=number, size=size, has_next=len(rows) > size, total=total,
                total_capped=capped, cap=cap)


EXPORT_COLUMNS = ("official_id", "family_name", "given_name", "native_name", "sex", "date_of_birth", "national_id",
                  "organization", "position", "rank", "jurisdiction", "status", "sensitive_post")


def officials_export_rows(queryset: QuerySet):
    """The rows of the CSV export, in the exchange format's `officials` columns, so the file can be re-imported.

    Rows are streamed from the database in chunks, never held all at once.
    """
    yield EXPORT_COLUMNS
    for row in queryset.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000):
        values = dict(zip(EXPORT_COLUMNS, row, strict=True))
        values["date_of_birth"] = values["date_of_birth"].isoformat()
        values["sensitive_post"] = "true" if values["sensitive_post"] else "false"
        yield tuple(values[column] for column in EXPORT_COLUMNS)


@dataclass
class TimelineMark:
    """One thing on the timeline: a bar (trip) or a point (crossing, custody event), placed in percent of the width."""

    lane: str
    kind: str
    label: str
    start: datetime.date
    end: datetime.date
    left: float = 0.0
    width: float = 0.0


@dataclass
class Timeline:
    """Trips, crossings and custody events of one official on one time axis, ready to draw (inline SVG)."""

    start: datetime.date | None = None
    end: datetime.date | None = None
    lanes: tuple[str, ...] = ("trips", "crossings", "custody")
    marks: list[TimelineMark] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)

    def marks_in(self, lane: str) -> list[TimelineMark]:
        return [mark for mark in self.marks if mark.lane == lane]


def official_timeline(*, trips, crossings, documents: list[DocumentCustody]) -> Timeline:
    """Lay out an official's trips (bars from departure to return), crossings and custody events (points).

    Dates are local dates: a crossing's and a custody event's date in the
    offset the record came with, as the rules read them. The axis spans the
    first to the last mark, padded by a few days, with a tick per year (or
    per month when the span is short).
    """
    marks = []
    for trip in trips:
        marks.append(TimelineMark("trips", f"trip-{trip.status}",
                                  f"Trip {trip.trip_id} to {', '.join(trip.destination_list)} "
                                  f"{trip.depart_on}–{trip.return_on} ({trip.status})",
                                  trip.depart_on, trip.return_on + datetime.timedelta(days=1)))
    for crossing in crossings:
        where = f" {'to' if crossing.direction == 'exit' else 'from'} {crossing.counterpart_country}" \
            if crossing.counterpart_country else ""
        marks.append(TimelineMark("crossings", f"crossing-{crossing.direction}",
                                  f"{crossing.direction.capitalize()} at {crossing.port}{where}, {crossing.local_date}",
                                  crossing.local_date, crossing.local_date))
    for item in documents:
        for event in item.events:
            day = local_moment(event.occurred_at, event.utc_offset).date()
            marks.append(TimelineMark("custody", f"custody-{event.action}",
                                      f"{item.document.number}: {event.get_action_display()}, {day}", day, day))
    timeline = Timeline(marks=marks)
    if not marks:
        return timeline
    pad = datetime.timedelta(days=7)
    timeline.start = min(mark.start for mark in marks) - pad
    timeline.end = max(mark.end for mark in marks) + pad
    span = (timeline.end - timeline.start).days

    def position(day: datetime.date) -> float:
        return round(100 * (day - timeline.start).days / span, 3)

    for mark in marks:
        mark.left = position(mark.start)
        mark.width = max(round(position(mark.end) - mark.left, 3), 0.4)
    timeline.ticks = _ticks(timeline.start, timeline.end, position)
    return timeline


def _ticks(start: datetime.date, end: datetime.date, position) -> list[tuple[float, str]]:
    if (end - start).days > 2 * 365:
        step = max(1, (end.year - start.year) // 12 + 1)
        return [(position(datetime.date(year, 1, 1)), str(year))
                for year in range(start.year + 1, end.year + 1, step)]
    ticks = []
    day = datetime.date(start.year, start.month, 1)
    while day <= end:
        if day > start:
            ticks.append((position(day), day.strftime("%Y-%m")))
        day = datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return ticks


@dataclass
class OfficialFile:
    """Everything the official's page shows, each part read through its own scope."""

    official: Official
    relatives: list[Relative]
    documents: list[DocumentCustody]
    trips: list[Trip]
    crossings: list[Crossing]
    crossings_cut: bool
    watchlist: list[WatchlistEntry]
    timeline: Timeline
    identity_pairs: list = field(default_factory=list)  # identity.CandidatePair: duplicates and possible matches

    @property
    def emigrated_relatives(self) -> int:
        return sum(1 for relative in self.relatives if relative.emigrated)


def official_file(*, user, official: Official) -> OfficialFile:
    """The official's file as `user` may see it: relatives, documents with custody, trips, crossings, timeline.

    The caller has already fetched `official` with `get_visible`; related rows
    still go through their own `visible_to`, so no part of the page is wider
    than the user's scope.
    """
    relatives = list(Relative.objects.visible_to(user).filter(official=official)
                     .order_by("relation", "family_name", "given_name", "relative_id"))
    documents = documents_with_custody(user=user, official=official)
    trips = list(Trip.objects.visible_to(user).filter(official=official).order_by("-depart_on", "trip_id"))
    crossings = list(Crossing.objects.visible_to(user).filter(official=official)
                     .order_by("-occurred_at", "event_id")[: DOSSIER_MAX_CROSSINGS + 1])
    crossings_cut = len(crossings) > DOSSIER_MAX_CROSSINGS
    crossings = crossings[:DOSSIER_MAX_CROSSINGS]
    for crossing in crossings:
        crossing.local_at = local_moment(crossing.occurred_at, crossing.utc_offset)
    watchlist = list(WatchlistEntry.objects.visible_to(user).filter(official=official).order_by("-starts_on"))
    return OfficialFile(official=official, relatives=relatives, documents=documents, trips=trips,
                        crossings=crossings, crossings_cut=crossings_cut, watchlist=watchlist,
                        timeline=official_timeline(trips=trips, crossings=crossings, documents=documents),
                        identity_pairs=official_identity_pairs(user=user, official=official))


def official_identity_pairs(*, user, official: Official) -> list:
    """Identity resolution's pairs that name the official and still count: other records of the same person
    (duplicates) and crossings that resemble them (possible matches), to review, matched or decided, the
    analysts' judgements included (a crossing judged "same person" is attributed here, not by the spec's
    exact rule, so it raises no rule alert). Best scores first."""
    pairs = (CandidatePair.objects.visible_to(user)
             .filter(Q(official_a=official) | Q(official_b=official)).exclude(status=PairStatus.BELOW)
             .select_related("crossing").order_by("-match_probability", "id"))
    pairs = list(pairs[:DOSSIER_MAX_PAIRS])
    for pair in pairs:
        pair.other_official_id = pair.official_b_id if pair.official_a_id == official.pk else pair.official_a_id
    return pairs
