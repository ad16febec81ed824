"""The border check: is this traveller an official under an exit control in force today?

A border post asks by document (number and issuing state), by machine
readable zone, or by identity (name, date of birth, sex). The traveller is
matched as in the spec's "belongs to": a registered document of an official,
or the same date of birth, sex and normalised full name (family and given
name may be swapped). Any matched official with an entry in force makes a
hit: at a border a second look costs less than a missed exit ban. The answer
says hit or not, the measure, and the entry's reference, nothing about the
person.
"""

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token

from longarm.accounts.models import Role
from longarm.audit.services import audit_record_durable
from longarm.documents.models import Document
from longarm.documents.mrz import mrz_parse
from longarm.engine.normalize import document_number_key, name_key
from longarm.registry.models import Official
from longarm.watchlist.models import EntryStatus, Measure, WatchlistEntry

AUDIT_ACTION = "border_check"

_DOCUMENTS = connection.ops.quote_name(Document._meta.db_table)
_OFFICIALS = connection.ops.quote_name(Official._meta.db_table)
_ENTRIES = connection.ops.quote_name(WatchlistEntry._meta.db_table)
User = get_user_model()
_TOKENS = connection.ops.quote_name(Token._meta.db_table)
_USERS = connection.ops.quote_name(User._meta.db_table)


class QueryKind(StrEnum):
    DOCUMENT = "document"
    MRZ = "mrz"
    IDENTITY = "identity"


class BorderCheckError(ValueError):
    """The question cannot be asked as sent (an unreadable MRZ, say); the message says why."""


@dataclass(frozen=True)
class Traveller:
    """What the border post read: a document, an identity, or both (from an MRZ)."""

    kind: QueryKind
    document_number: str = ""
    issuing_state: str = ""
    family_name: str = ""
    given_name: str = ""
    date_of_birth: datetime.date | None = None
    sex: str = ""
    mrz_problems: int = 0


@dataclass(frozen=True)
class BorderCheckAnswer:
    """Hit or not, the measure (exit ban before alert) and the entry id as the reference to quote."""

    hit: bool
    measure: str | None = None
    reference: str | None = None


def traveller_from_mrz(mrz: str) -> Traveller:
    """Read the document and identity fields of a zone. A zone whose check digits fail is still
    checked with what it says: a wrong digit must not be a way past an exit ban."""
    zone = mrz_parse(mrz)
    if not zone.format:
        raise BorderCheckError("; ".join(str(problem) for problem in zone.problems))
    return Traveller(kind=QueryKind.MRZ, document_number=zone.document_number,
                     issuing_state=zone.issuing_country or zone.issuing_state,
                     family_name=zone.family_name, given_name=zone.given_name,
                     date_of_birth=zone.birth_date, sex=zone.sex, mrz_problems=len(zone.problems))


def _match_sql(traveller: Traveller) -> tuple[str, list] | None:
    """The sub-query of officials the traveller may be, with its parameters, or None if nothing was read.

    By registered document ((issuing_state, number_norm) index on documents) and, when an identity was
    read, by name key, date of birth and sex (name_key index on officials), joined by UNION ALL so that
    an OR across tables never turns into a scan.
    """
    parts, params = [], []
    if traveller.document_number and traveller.issuing_state:
        parts.append(f"SELECT official_id FROM {_DOCUMENTS} WHERE issuing_state = %s AND number_norm = %s")
        params += [traveller.issuing_state, document_number_key(traveller.document_number)]
    if traveller.family_name and traveller.date_of_birth and traveller.sex:
        parts.append(f"SELECT official_id FROM {_OFFICIALS} WHERE name_key IN (%s, %s) AND date_of_birth = %s "
                     "AND sex = %s")
        params += [name_key(traveller.family_name, traveller.given_name),
                   name_key(traveller.given_name, traveller.family_name), traveller.date_of_birth, traveller.sex]
    if not parts:
        return None
    return " UNION ALL ".join(parts), params


def matching_official_ids(traveller: Traveller) -> list[str]:
    """Officials the traveller may be: by registered document, and by identity when one was read."""
    match = _match_sql(traveller)
    if match is None:
        return []
    sql, params = match
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return sorted({official_id for (official_id,) in cursor.fetchall()})


def _answer_sql(traveller: Traveller, today: datetime.date) -> tuple[str, list] | None:
    """The query of the answer's entry id and measure (or no row), or None if nothing was read.

    The matching officials joined to their entries in force on `today` (as `entry_in_force_q`: active,
    starts_on <= today <= expires_on), the exit ban first, then the lowest entry id, through the
    documents/officials indexes and the official_id index of the entries.
    """
    match = _match_sql(traveller)
    if match is None:
        return None
    matched, params = match
    sql = (f"SELECT e.entry_id, e.measure FROM {_ENTRIES} e WHERE e.official_id IN ({matched}) "
           "AND e.status = %s AND e.starts_on <= %s AND e.expires_on >= %s "
           "ORDER BY CASE e.measure WHEN %s THEN 0 WHEN %s THEN 1 ELSE 9 END, e.entry_id LIMIT 1")
    return sql, [*params, EntryStatus.ACTIVE.value, today, today, Measure.EXIT_BAN.value, Measure.ALERT_ONLY.value]


def _fetch_one(sql: str, params: list) -> tuple | None:
    """The first row of a border-check query. On PostgreSQL as a prepared statement (server-side
    binding): planning these joins takes longer than running them (~0.4 ms against ~0.1 ms on 7 million
    officials; the whole call 1.3 ms prepared against 3.8 ms planned each time on the loaded bench
    machine), and a process asks the same three shapes of question (document, identity, MRZ) over and
    over."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()
    import psycopg

    connection.ensure_connection()
    raw = connection.connection
    if raw.prepare_threshold is None:
        # Django turns psycopg's prepared statements off; a threshold that is never reached lets the
        # explicit `prepare=True` below through and leaves every other query as Django sends it.
        raw.prepare_threshold = 2**31 - 1
    with connection.wrap_database_errors, psycopg.Cursor(raw) as cursor:
        cursor.execute(sql, params, prepare=True)
        return cursor.fetchone()


def border_check(*, traveller: Traveller, today: datetime.date) -> BorderCheckAnswer:
    """The answer for one traveller on `today` (the local date at the border), in one round trip."""
    query = _answer_sql(traveller, today)
    if query is None:
        return BorderCheckAnswer(hit=False)
    row = _fetch_one(*query)
    if row is None:
        return BorderCheckAnswer(hit=False)
    entry_id, measure = row
    return BorderCheckAnswer(hit=True, measure=measure, reference=entry_id)


def border_post_and_answer(*, token_key: str, traveller: Traveller | None,
                           today: datetime.date) -> tuple[User | None, BorderCheckAnswer | None]:
    """The active user holding API token `token_key` (None: no such token) and, if that user is a border
    post and a traveller was read, the answer for the traveller, in one round trip.

    The token is looked up on every call, so a revoked token, a deactivated user or a changed role takes
    effect at once. The answer is computed only for a border post (a scalar sub-query under
    `CASE WHEN role = border_post`), so no other caller can learn it.
    """
    question = _answer_sql(traveller, today) if traveller is not None else None
    if question is None:
        answer_sql, answer_params = "NULL", []
    else:
        sql, answer_params = question
        # entry_id, a space, the measure (measures hold no space): one scalar column on SQLite too.
        answer_sql = (f"CASE WHEN u.role = %s THEN (SELECT a.entry_id || ' ' || a.measure FROM ({sql}) a) END")
        answer_params = [Role.BORDER_POST.value, *answer_params]
    row = _fetch_one(f"SELECT u.id, u.username, u.role, {answer_sql} FROM {_TOKENS} t "
                     f"JOIN {_USERS} u ON u.id = t.user_id WHERE t.key = %s AND u.is_active",
                     [*answer_params, token_key])
    if row is None:
        return None, None
    user_id, username, role, hit = row
    user = User(id=user_id, username=username, role=role, is_active=True)
    user._state.adding, user._state.db = False, connection.alias
    if role != Role.BORDER_POST or traveller is None:
        return user, None
    if hit is None:
        return user, BorderCheckAnswer(hit=False)
    entry_id, measure = hit.rsplit(" ", 1)
    return user, BorderCheckAnswer(hit=True, measure=measure, reference=entry_id)


def _audit_detail(traveller: Traveller, answer: BorderCheckAnswer) -> dict:
    detail = {"query": traveller.kind.value, "hit": answer.hit, "entry_id": answer.reference}
    if traveller.mrz_problems:
        detail["mrz_problems"] = traveller.mrz_problems
    return detail


def border_check_audit(*, actor, traveller: Traveller, answer: BorderCheckAnswer) -> None:
    """The audit row of one answer, committed and durable before the answer is given: the kind of
    question and the entry hit, never the traveller's data (see `audit_record_durable`)."""
    audit_record_durable(actor=actor, action=AUDIT_ACTION, detail=_audit_detail(traveller, answer),
                         target_type="watchlist.watchlistentry" if answer.hit else "",
                         target_id=answer.reference or "")


def border_check_from_snapshot(*, token_key: str, traveller: Traveller, today: datetime.date,
                               request_id: str) -> BorderCheckAnswer | None:
    """The answer for a border post's token from the process's snapshot (`border_snapshot`), audited and
    durable before it is returned; the audit row is written only if the snapshot was current when it was.

    None when the snapshot cannot answer: none is read yet (or it is being read again, after a change),
    or the token is not a border post's in it (unknown, another role, or issued since). The caller then asks
    the database (`border_post_and_answer`), which settles every such case as it always did. A call
    that finds its snapshot stale writes nothing, has a new one read and returns None too.
    """
    from longarm.audit.group_commit import StaleSnapshot, append_durable
    from longarm.watchlist.border_snapshot import holder

    snapshot = holder.current(today)
    if snapshot is None:
        return None
    post = snapshot.tokens.get(token_key)
    if post is None or post.role != Role.BORDER_POST:
        return None
    answer = snapshot.answer(traveller, today)
    try:
        append_durable(actor=post, action=AUDIT_ACTION, detail=_audit_detail(traveller, answer),
                       target_type="watchlist.watchlistentry" if answer.hit else "",
                       target_id=answer.reference or "", request_id=request_id, fresh_as_of=snapshot.pg_snapshot)
    except StaleSnapshot:
        holder.renew(snapshot, today)
        return None
    return answer


def border_check_ask(*, actor, traveller: Traveller, today: datetime.date) -> BorderCheckAnswer:
    """`border_check` for a border post, audited before it is answered (see `border_check_audit`)."""
    answer = border_check(traveller=traveller, today=today)
    border_check_audit(actor=actor, traveller=traveller, answer=answer)
    return answer
