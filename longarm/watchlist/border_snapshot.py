"""What the border check answers from, held in memory by each server process (PostgreSQL only).

The border check is asked hundreds of times a second, always of the same small
set: the active watch-list entries (one official in a thousand), the documents
and identities of their officials, and the tokens of the border posts. Each
server process reads them once into a `BorderSnapshot`, together with the
PostgreSQL snapshot (`pg_current_snapshot()`) they were read under, and answers
from memory.

Nothing goes stale unnoticed. Every transaction that changes an entry, a
document, an official, a token or a user leaves its id in
`longarm_border_change` (statement-level triggers, migration
`watchlist.0004_border_check_changes`); the audit row of every answer is
appended only if no such transaction committed that the answer's snapshot did
not see (`longarm_border_assert_fresh`, in the same round trip as the audit
row, see `longarm.audit.group_commit`). A call whose snapshot is stale writes
nothing, the snapshot is read again and the call is answered again from it: a
confirmed exit ban hits on the very next call, a withdrawn one or a revoked
token stops at once. Whether an entry is in force is decided per call on the
call's date (`starts_on <= today <= expires_on`), so an entry lapses at its
expiry without any write.
"""

import datetime
import logging
import os
import threading
import time
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import connection
from rest_framework.authtoken.models import Token

from longarm.accounts.models import Role
from longarm.documents.models import Document
from longarm.engine.normalize import document_number_key, name_key
from longarm.registry.models import Official
from longarm.watchlist.models import EntryStatus, Measure, WatchlistEntry

logger = logging.getLogger(__name__)

# Entries that expired before the day the snapshot is read less this margin are left out; entries kept
# are judged per call on the call's date, so the margin only covers a clock that steps back.
_EXPIRED_MARGIN = datetime.timedelta(days=2)


@dataclass(frozen=True, slots=True)
class BorderPost:
    """The holder of a token, as the snapshot knows it: enough to audit a call in its name."""

    pk: int
    username: str
    role: str

    def get_username(self) -> str:
        return self.username


@dataclass(frozen=True, slots=True)
class _Entry:
    rank: int  # the order of the border check's answer: exit bans first, then by entry id
    entry_id: str
    measure: str
    starts_on: datetime.date
    expires_on: datetime.date


class BorderSnapshot:
    """The active entries, their officials' documents and identities, and the active border posts' tokens, as
    they were under the PostgreSQL snapshot `pg_snapshot`; read on `read_on` in process `pid`."""

    __slots__ = ("pg_snapshot", "read_on", "pid", "tokens", "entries", "documents", "identities")

    def __init__(self, *, pg_snapshot: str, read_on: datetime.date, tokens: dict, entries: dict, documents: dict,
                 identities: dict):
        self.pg_snapshot = pg_snapshot
        self.read_on = read_on
        self.pid = os.getpid()
        self.tokens: dict[str, BorderPost] = tokens
        self.entries: dict[str, tuple[_Entry, ...]] = entries
        self.documents: dict[tuple[str, str], tuple[str, ...]] = documents
        self.identities: dict[tuple[str, datetime.date, str], tuple[str, ...]] = identities

    def covers(self, today: datetime.date) -> bool:
        """Whether calls of `today` may be answered from it (entries that lapsed before it was read are left out)."""
        return today >= self.read_on - _EXPIRED_MARGIN + datetime.timedelta(days=1)

    def answer(self, traveller, today: datetime.date):
        """The answer of `border_check` for `traveller` on `today`: the same matching (registered document;
        name key either way round, date of birth and sex) and the same order (exit ban, then entry id)."""
        from longarm.watchlist.border_check import BorderCheckAnswer

        officials = []
        if traveller.document_number and traveller.issuing_state:
            officials += self.documents.get(
                (traveller.issuing_state, document_number_key(traveller.document_number)), ())
        if traveller.family_name and traveller.date_of_birth and traveller.sex:
            for key in {name_key(traveller.family_name, traveller.given_name),
                        name_key(traveller.given_name, traveller.family_name)}:
                officials += self.identities.get((key, traveller.date_of_birth, traveller.sex), ())
        best = None
        for official_id in officials:
            for entry in self.entries.get(official_id, ()):
                if entry.starts_on <= today <= entry.expires_on and (best is None or entry.rank < best.rank):
                    best = entry
        if best is None:
            return BorderCheckAnswer(hit=False)
        return BorderCheckAnswer(hit=True, measure=best.measure, reference=best.entry_id)


def _q(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _read(today: datetime.date) -> BorderSnapshot:
    """Read a snapshot in one read-only REPEATABLE READ transaction (all tables as of one moment)."""
    entries_sql = (f"SELECT e.official_id, e.entry_id, e.measure, e.starts_on, e.expires_on, "
                   f"row_number() OVER (ORDER BY CASE e.measure WHEN %s THEN 0 WHEN %s THEN 1 ELSE 9 END, e.entry_id) "
                   f"FROM {_q(WatchlistEntry)} e WHERE e.status = %s AND e.expires_on >= %s")
    watched = f"SELECT official_id FROM {_q(WatchlistEntry)} WHERE status = %s AND expires_on >= %s"
    since = today - _EXPIRED_MARGIN
    connection.ensure_connection()
    raw = connection.connection
    with connection.wrap_database_errors, raw.cursor() as cursor:
        cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cursor.execute("SELECT pg_current_snapshot()::text")
            (pg_snapshot,) = cursor.fetchone()
            cursor.execute(entries_sql, [Measure.EXIT_BAN.value, Measure.ALERT_ONLY.value, EntryStatus.ACTIVE.value,
                                         since])
            entries = defaultdict(list)
            for official_id, entry_id, measure, starts_on, expires_on, rank in cursor.fetchall():
                entries[official_id].append(_Entry(rank, entry_id, measure, starts_on, expires_on))
            cursor.execute(f"SELECT d.issuing_state, d.number_norm, d.official_id FROM {_q(Document)} d "
                           f"WHERE d.official_id IN ({watched})", [EntryStatus.ACTIVE.value, since])
            documents = defaultdict(set)
            for issuing_state, number_norm, official_id in cursor.fetchall():
                documents[(issuing_state, number_norm)].add(official_id)
            cursor.execute(f"SELECT o.official_id, o.name_key, o.date_of_birth, o.sex FROM {_q(Official)} o "
                           f"WHERE o.official_id IN ({watched})", [EntryStatus.ACTIVE.value, since])
            identities = defaultdict(set)
            for official_id, key, date_of_birth, sex in cursor.fetchall():
                identities[(key, date_of_birth, sex)].add(official_id)
            # only the border posts' tokens: no other role asks the border check, and no other secret is held
            cursor.execute(f"SELECT t.key, u.id, u.username, u.role FROM {_q(Token)} t "
                           f"JOIN {_q(get_user_model())} u ON u.id = t.user_id WHERE u.is_active AND u.role = %s",
                           [Role.BORDER_POST.value])
            tokens = {key: BorderPost(user_id, username, role) for key, user_id, username, role in cursor.fetchall()}
        finally:
            cursor.execute("COMMIT")
    return BorderSnapshot(pg_snapshot=pg_snapshot, read_on=today, tokens=tokens,
                          entries={key: tuple(value) for key, value in entries.items()},
                          documents={key: tuple(sorted(value)) for key, value in documents.items()},
                          identities={key: tuple(sorted(value)) for key, value in identities.items()})


class SnapshotHolder:
    """The process's current snapshot, read in a thread of its own: at the first call (again in a forked
    child), when a call finds it stale, or a border post's token that it lacks, and when the clock steps
    back before the day it was read (a later day needs none: entries are judged on each call's date).

    No call ever waits for a read (a second at 7 million officials on a cold cache): while there is no
    current snapshot, `current` returns None and the call is answered from the tables as on the Django
    path, as correct and only slower.
    """

    def __init__(self):
        self._current: BorderSnapshot | None = None
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._pid = os.getpid()
        self.reads = 0  # snapshots read by this process: a figure for tests and benches

    def current(self, today: datetime.date) -> BorderSnapshot | None:
        """The snapshot to answer `today`'s calls from, or None while one is being read."""
        snapshot = self._current
        if snapshot is not None and snapshot.pid == os.getpid() and snapshot.covers(today):
            return snapshot
        self.renew(snapshot, today)
        return None

    def renew(self, stale: BorderSnapshot | None, today: datetime.date) -> None:
        """Drop `stale` (if it is still the current one) and have a newer snapshot read, unless a read is
        already under way."""
        with self._lock:
            if self._pid != os.getpid():  # a forked child: the parent's reader thread does not exist here
                self._pid, self._current, self._reader = os.getpid(), None, None
            if self._current is stale:
                self._current = None
            if self._reader is None or not self._reader.is_alive():
                self._reader = threading.Thread(target=self._read, args=(today,), name="longarm-border-snapshot",
                                                daemon=True)
                self._reader.start()

    def _read(self, today: datetime.date) -> None:
        started = time.monotonic()
        try:
            snapshot = _read(today)
        except Exception:
            logger.exception("border check snapshot not read; calls are answered from the tables")
            return
        finally:
            connection.close()  # this short-lived thread's own connection
        with self._lock:
            self._current = snapshot
            self.reads += 1
        logger.info("border check snapshot read in %.2f s: %d officials under an entry, %d tokens",
                    time.monotonic() - started, len(snapshot.entries), len(snapshot.tokens))

    def note_border_post(self, token_key: str, role: str, today: datetime.date) -> None:
        """The database found `token_key` to be an active user's of `role` (a call answered from the tables):
        if the current snapshot says otherwise (a token issued or a role changed since), read a new one."""
        snapshot = self._current
        if snapshot is not None:
            post = snapshot.tokens.get(token_key)
            if post is None or post.role != role:
                self.renew(snapshot, today)

    def wait(self, timeout: float = 30) -> BorderSnapshot | None:
        """Wait until a read under way is done; the current snapshot (tests, benches)."""
        reader = self._reader
        if reader is not None:
            reader.join(timeout)
        return self._current

    def forget(self) -> None:
        """Drop the snapshot (tests: a new database behind the same process)."""
        self.wait()
        with self._lock:
            self._current = None


holder = SnapshotHolder()


def snapshot_usable() -> bool:
    """The snapshot serves PostgreSQL callers outside any transaction (the served endpoint); inside a
    transaction its own uncommitted changes would not be seen, and SQLite reads the tables per call."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    # Not connected (the served threads need no connection of their own): it will be in autocommit.
    return connection.connection is None or connection.get_autocommit()

