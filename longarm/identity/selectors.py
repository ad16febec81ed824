"""Reads of identity resolution: the record frames a run loads in bulk, and the review queue's pages.

The queue starts from `CandidatePair.objects.visible_to(user)`: a pair is
seen by whoever may see either of its officials.
"""

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass

import polars as pl
from django.conf import settings
from django.db import connection
from django.db.models import Count, Q, QuerySet

from longarm.access import ANALYST_ROLES
from longarm.accounts.models import Role
from longarm.alerts.models import Alert, AlertCode
from longarm.alerts.snapshot import read_text, select_list, typed_frame
from longarm.engine.normalize import name_key
from longarm.identity.models import (
    CandidatePair, Decision, LinkageModel, OfficialFingerprint, PairDecision, PairKind, PairStatus,
)
from longarm.registry.models import Official
from longarm.runs.models import Run, RunKind, RunStatus

OFFICIAL_COLUMNS = {"official_id": "str", "family_name": "str", "given_name": "str", "native_name": "str?",
                    "date_of_birth": "date", "sex": "str?", "national_id": "str?", "jurisdiction": "str"}
CROSSING_COLUMNS = {"event_id": "str", "family_name": "str", "given_name": "str", "date_of_birth": "date",
                    "sex": "str?", "local_date": "date"}


# --- what a run loads ------------------------------------------------------------------------------------------


def _in_ids(column: str) -> str:
    """`column IN (the ids of a JSON array passed as one parameter)`: one statement for any number of ids."""
    if connection.vendor == "postgresql":
        return f"{column} IN (SELECT value FROM json_array_elements_text(%s::json))"
    return f"{column} IN (SELECT value FROM json_each(%s))"


def officials_record_frame(*, ids: list[str] | None = None) -> pl.DataFrame:
    """Every official (or those of `ids`) as the engine's record frame (`record_id` = official_id) plus
    `jurisdiction`, in bulk."""
    sql, params = f"SELECT {select_list(OFFICIAL_COLUMNS)} FROM registry_official", []
    if ids is not None:
        sql, params = f"{sql} WHERE {_in_ids('official_id')}", [json.dumps(ids)]
    frame = typed_frame(read_text(sql, params, list(OFFICIAL_COLUMNS)), OFFICIAL_COLUMNS)
    return frame.rename({"official_id": "record_id"}).sort("record_id")


def official_fingerprints(*, ids: list[str] | None = None) -> pl.DataFrame:
    """The stored digests (`official_id`, `digest`) of every official (or of those of `ids`)."""
    sql, params = f"SELECT official_id, CAST(digest AS TEXT) AS digest FROM {OfficialFingerprint._meta.db_table}", []
    if ids is not None:
        sql, params = f"{sql} WHERE {_in_ids('official_id')}", [json.dumps(ids)]
    frame = read_text(sql, params, ["official_id", "digest"])
    return frame.select(pl.col("official_id").cast(pl.String), pl.col("digest").cast(pl.String).cast(pl.Int64))


def official_jurisdictions(ids: list[str]) -> dict[str, str]:
    """official_id → jurisdiction of the officials of `ids` (those that still exist)."""
    frame = read_text(f"SELECT official_id, jurisdiction FROM registry_official WHERE {_in_ids('official_id')}",
                      [json.dumps(ids)], ["official_id", "jurisdiction"])
    return dict(frame.cast(pl.String).iter_rows())


def crossings_unmatched_frame(*, after: str | None) -> pl.DataFrame:
    """Crossings that the exact rule matched to nobody (no owner), with a local date after `after` (ISO date;
    None: all of them), as the engine's record frame (`record_id` = event_id, no native name nor national id)."""
    where, params = "official_id IS NULL", []
    if after:
        # The day's crossings by the date index: SQLite would otherwise walk every unmatched crossing ever
        # recorded through the owner index (unary + takes that index out of its choice).
        where = ("+" if connection.vendor == "sqlite" else "") + "official_id IS NULL AND local_date > %s"
        params.append(after)
    frame = typed_frame(read_text(f"SELECT {select_list(CROSSING_COLUMNS)} FROM border_crossing WHERE {where}", params,
                              list(CROSSING_COLUMNS)), CROSSING_COLUMNS)
    return frame.rename({"event_id": "record_id"}).with_columns(
        pl.lit(None, dtype=pl.String).alias("native_name"), pl.lit(None, dtype=pl.String).alias("national_id"),
    ).sort("record_id")


def resolve_last_run() -> Run | None:
    """The latest resolve run that succeeded: an incremental run starts from what it saw."""
    return Run.objects.filter(kind=RunKind.RESOLVE, status=RunStatus.SUCCEEDED).order_by("-started_at", "-id").first()


def pair_may_decide(*, user) -> bool:
    """Analysts (and administrators) judge pairs; others who may see a pair only read it."""
    return bool(user.is_authenticated and (user.is_superuser or user.role in ANALYST_ROLES
                                           or user.role == Role.ADMINISTRATOR))


# --- the review queue ------------------------------------------------------------------------------------------

QUEUE_STATUSES = {
    "open": ("to review or matched, not yet judged", Q(status__in=(PairStatus.REVIEW, PairStatus.MATCHED))),
    "review": ("to review", Q(status=PairStatus.REVIEW)),
    "matched": ("matched (alert raised)", Q(status=PairStatus.MATCHED)),
    "unsure": ("judged unsure", Q(decision=Decision.UNSURE)),
    "same": ("judged the same person", Q(decision=Decision.SAME)),
    "different": ("judged different people", Q(decision=Decision.DIFFERENT)),
    "below": ("below the review threshold", Q(status=PairStatus.BELOW)),
}
BANDS = ("match", "review", "low")


@dataclass(frozen=True)
class PairFilters:
    kind: str = ""
    status: str = "open"
    jurisdiction: str = ""
    band: str = ""
    search: str = ""

    def as_detail(self) -> dict:
        return {name: value for name, value in self.__dict__.items() if value}


def _band_q(band: str) -> Q:
    match, review = settings.LONGARM_IDENTITY_MATCH_PROBABILITY, settings.LONGARM_IDENTITY_REVIEW_PROBABILITY
    if band == "match":
        return Q(match_probability__gte=match)
    if band == "review":
        return Q(match_probability__gte=review, match_probability__lt=match)
    if band == "low":
        return Q(match_probability__lt=review)
    return Q()


def _search_q(text: str) -> Q:
    text = text.strip()
    if not text:
        return Q()
    q = Q(official_a_id=text) | Q(official_b_id=text) | Q(crossing_id=text)
    q |= Q(official_a__native_name=text) | Q(official_b__native_name=text)
    key = name_key(text, "")
    if key:
        q |= Q(official_a__name_key__startswith=key) | Q(official_b__name_key__startswith=key)
    return q


def pairs_for_queue(*, user, filters: PairFilters, with_status: bool = True) -> QuerySet:
    """The pairs `user` may see under the filters, most probable first."""
    queryset = CandidatePair.objects.visible_to(user)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if with_status and filters.status:
        queryset = queryset.filter(QUEUE_STATUSES[filters.status][1])
    if filters.jurisdiction:
        queryset = queryset.filter(Q(official_a__jurisdiction=filters.jurisdiction)
                                   | Q(official_b__jurisdiction=filters.jurisdiction))
    if filters.band:
        queryset = queryset.filter(_band_q(filters.band))
    if filters.search:
        queryset = queryset.filter(_search_q(filters.search))
    return queryset.order_by("-match_probability", "id")


def pair_counts_by_status(*, user, filters: PairFilters) -> list[tuple[str, str, int]]:
    """(status filter, label, count) under every other filter: the counts above the queue."""
    queryset = pairs_for_queue(user=user, filters=filters, with_status=False)
    totals = queryset.aggregate(**{name: Count("id", filter=q) for name, (_, q) in QUEUE_STATUSES.items()})
    return [(name, label, totals[name]) for name, (label, _) in QUEUE_STATUSES.items()]


EXPORT_COLUMNS = ["pair_id", "kind", "ref", "official_a", "official_b", "crossing", "match_probability",
                  "match_weight", "status", "decision", "model_version", "run_id", "scored_run_id"]


def pair_export_rows(queryset: QuerySet) -> Iterator[dict]:
    """One dict per pair with the export columns, streamed in chunks."""
    fields = ["id", "kind", "ref", "official_a_id", "official_b_id", "crossing_id", "match_probability",
              "match_weight", "status", "decision", "model__version", "run_id", "scored_run_id"]
    for values in queryset.values_list(*fields).iterator(chunk_size=2_000):
        row = dict(zip(EXPORT_COLUMNS, values, strict=True))
        row["match_probability"] = f"{row['match_probability']:.6f}"
        row["match_weight"] = f"{row['match_weight']:.4f}"
        yield row


# --- one pair, side by side ------------------------------------------------------------------------------------


def _masked(number: str) -> str:
    return "•" * max(0, len(number) - 4) + number[-4:] if number else ""


@dataclass
class Side:
    """One record of a pair as the page shows it."""

    kind: str                 # "official" or "crossing"
    record_id: str
    family_name: str
    given_name: str
    native_name: str
    pinyin: list[str]
    date_of_birth: datetime.date | None
    sex: str
    national_id: str
    national_id_masked: bool
    jurisdiction: str
    organization: str
    position: str
    openable: bool            # the user may open the official's file
    extra: str = ""


def _pinyin(native: str) -> list[str]:
    if not native:
        return []
    from longarm.engine.identity.chinese import pinyin_readings

    return list(dict.fromkeys(pinyin_readings(native)))[:8]


def _official_side(official: Official, openable: bool) -> Side:
    return Side(kind="official", record_id=official.pk, family_name=official.family_name,
                given_name=official.given_name, native_name=official.native_name, pinyin=_pinyin(official.native_name),
                date_of_birth=official.date_of_birth, sex=official.sex,
                national_id=official.national_id if openable else _masked(official.national_id),
                national_id_masked=not openable and bool(official.national_id), jurisdiction=official.jurisdiction,
                organization=official.organization, position=official.position, openable=openable)


@dataclass
class PairFile:
    pair: CandidatePair
    sides: list[Side]
    model: LinkageModel
    prior_weight: float
    decisions: list[PairDecision]
    alert: Alert | None
    match_probability: float
    review_probability: float


def pair_file(*, user, pair: CandidatePair) -> PairFile:
    """Everything the pair's page shows: both records, the score's parts, the decisions and the alert."""
    visible = set(Official.objects.visible_to(user).filter(
        pk__in=[pk for pk in (pair.official_a_id, pair.official_b_id) if pk]).values_list("pk", flat=True))
    if pair.kind == PairKind.DUPLICATE:
        sides = [_official_side(pair.official_a, pair.official_a_id in visible),
                 _official_side(pair.official_b, pair.official_b_id in visible)]
    else:
        crossing = pair.crossing
        sides = [Side(kind="crossing", record_id=crossing.event_id, family_name=crossing.family_name,
                      given_name=crossing.given_name, native_name="", pinyin=[],
                      date_of_birth=crossing.date_of_birth, sex=crossing.sex, national_id="", national_id_masked=False,
                      jurisdiction=crossing.port_jurisdiction, organization="", position="", openable=False,
                      extra=f"{crossing.get_direction_display()} at {crossing.port} on {crossing.local_date:%Y-%m-%d}, "
                            f"{crossing.issuing_state} {crossing.doc_type} {crossing.doc_number}"),
                 _official_side(pair.official_a, pair.official_a_id in visible)]
    alert = None
    if pair.kind == PairKind.DUPLICATE:
        alert = Alert.objects.visible_to(user).filter(code=AlertCode.DUPLICATE_IDENTITY, official_id=pair.official_a_id,
                                                      ref=pair.ref).first()
    prior = pair.match_weight - sum(part["bf"] for part in pair.contributions)
    return PairFile(pair=pair, sides=sides, model=pair.model, prior_weight=prior,
                    decisions=list(pair.decisions.order_by("-at", "-id")), alert=alert,
                    match_probability=settings.LONGARM_IDENTITY_MATCH_PROBABILITY,
                    review_probability=settings.LONGARM_IDENTITY_REVIEW_PROBABILITY)


def pair_for_alert(*, user, alert: Alert) -> CandidatePair | None:
    """The pair behind a DUPLICATE_IDENTITY alert, if the user may see it."""
    if alert.code != AlertCode.DUPLICATE_IDENTITY:
        return None
    return CandidatePair.objects.visible_to(user).filter(kind=PairKind.DUPLICATE, ref=alert.ref).first()
