"""Group commit for the audit chain: one appender per process writes the rows its threads queue, many at once.

A caller hands its row to the appender and waits; the appender thread takes
every row waiting at that moment (up to `MAX_BATCH`) and appends them in one
round trip: one transaction that takes the chain lock once, appends the rows in
queue order through `longarm_audit_append` and commits asynchronously,
followed by one synchronous transaction that waits until the WAL is flushed past
them (the same durability as `audit_record_durable`, see there). Only then are
the callers woken, so no caller goes on before its row is committed and
durable; if the batch fails, every caller of the batch gets the error and
nothing of the batch is written. Measured on the bench database, a row appended
in a batch of 8 costs about a quarter of the CPU (Python and PostgreSQL
together) of a row appended on its own.

A row may be guarded by a PostgreSQL snapshot (`fresh_as_of`, the snapshot the
border check answered from, see `longarm.watchlist.border_snapshot`): the batch
then first runs `longarm_border_assert_fresh` for it, in the same round trip,
and if a change committed that the snapshot did not see, the guarded rows are
not written and their callers get `StaleSnapshot` (they answer again from a
fresh snapshot); the batch's other rows are written at once in a batch of
their own.

Only for PostgreSQL callers outside any transaction (the border check served by
a threaded server); everything else appends directly.
"""

import json
import logging
import os
import queue
import threading

from django.db import connection

logger = logging.getLogger(__name__)

MAX_BATCH = 64
# The appender closes its connection after this long without rows, and opens one with the next row.
IDLE_SECONDS = 60
# A caller waits at most this long for its row; then it gives up with an error rather than answering.
WAIT_SECONDS = 30


class AuditAppendTimeout(RuntimeError):
    """The appender did not write the row in time (the database is down or stuck); nothing was answered."""


class StaleSnapshot(Exception):
    """The row's guard failed: a change committed that the caller's snapshot did not see; nothing was written."""


# SQLSTATE raised by longarm_border_assert_fresh (migration watchlist.0004_border_check_changes).
_STALE_SQLSTATE = "LB001"


def _is_stale(error: BaseException) -> bool:
    while error is not None:
        if getattr(error, "sqlstate", None) == _STALE_SQLSTATE:
            return True
        error = error.__cause__
    return False


class _Pending:
    __slots__ = ("params", "fresh_as_of", "done", "error")

    def __init__(self, params: list | None, fresh_as_of: str | None = None):
        self.params = params
        self.fresh_as_of = fresh_as_of
        self.done = threading.Event()
        self.error: BaseException | None = None


class AuditAppender:
    """The process's appender thread and its queue; the thread starts with the first row (again in a
    forked child, where the parent's thread does not exist)."""

    def __init__(self):
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()
        self._start = threading.Lock()
        self.batches = 0  # batches written by this process: a figure for tests and benches
        self.rows = 0

    def append(self, params: list, *, fresh_as_of: str | None = None) -> None:
        """Queue one row (the parameters of `longarm_audit_append`) and wait until it is durable.

        With `fresh_as_of` (a `pg_snapshot` as text) the row is written only if no change to what the
        border check answers from committed outside that snapshot; otherwise `StaleSnapshot` is raised
        and nothing was written."""
        pending = _Pending(params, fresh_as_of)
        if self._pid != os.getpid():
            self._forked()
        self._queue.put(pending)
        self._running()
        if not pending.done.wait(WAIT_SECONDS):
            raise AuditAppendTimeout(f"the audit row was not written within {WAIT_SECONDS} s")
        if pending.error is not None:
            raise pending.error

    def _forked(self) -> None:
        """In a forked child the parent's thread does not exist: start afresh, with an empty queue."""
        with self._start:
            if self._pid != os.getpid():
                self._queue, self._thread, self._pid = queue.SimpleQueue(), None, os.getpid()

    def _running(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="longarm-audit-appender", daemon=True)
                self._thread.start()

    def release_connection(self) -> None:
        """Close the appender's database connection now (tests, before their database is dropped)."""
        if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
            pending = _Pending(None)
            self._queue.put(pending)
            pending.done.wait(WAIT_SECONDS)

    def _run(self) -> None:
        while True:
            try:
                first = self._queue.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                connection.close()
                continue
            if first.params is None:
                connection.close()
                first.done.set()
                continue
            batch = [first]
            while len(batch) < MAX_BATCH:
                try:
                    pending = self._queue.get_nowait()
                except queue.Empty:
                    break
                if pending.params is None:  # a release asked while rows wait: after them
                    self._queue.put(pending)
                    break
                batch.append(pending)
            self._write_and_wake(batch)

    def _write_and_wake(self, batch: list[_Pending]) -> None:
        error = None
        try:
            self._write(batch)
        except BaseException as exc:  # every waiting caller must learn of it, whatever it is
            if _is_stale(exc):
                stale = [pending for pending in batch if pending.fresh_as_of is not None]
                for pending in stale:
                    pending.error = StaleSnapshot("the border check's snapshot is stale")
                    pending.done.set()
                unguarded = [pending for pending in batch if pending.fresh_as_of is None]
                if unguarded:
                    self._write_and_wake(unguarded)
                return
            logger.exception("audit batch of %d rows not written", len(batch))
            error = exc
            connection.close()  # this thread's connection; the next batch opens a fresh one
        for pending in batch:
            pending.error = error
            pending.done.set()

    def _write(self, batch: list[_Pending]) -> None:
        """One round trip: the guards, then every row through one call of `longarm_audit_append_batch`
        (audit migration 0004) in a transaction committed asynchronously, then a flushed WAL message."""
        guards = sorted({pending.fresh_as_of for pending in batch if pending.fresh_as_of is not None})
        checks = "".join("SELECT longarm_border_assert_fresh(%s::pg_snapshot); " for _ in guards)
        lock = batch[0].params[-1]
        with connection.cursor() as cursor:
            try:
                cursor.execute(f"BEGIN; SET LOCAL synchronous_commit = off; {checks}"
                               "SELECT longarm_audit_append_batch(%s::jsonb, %s); COMMIT; "
                               "SELECT pg_logical_emit_message(true, 'longarm.audit', '')",
                               [*guards, _rows_json(batch), lock])
            except BaseException:
                try:
                    cursor.execute("ROLLBACK")
                except Exception:
                    pass
                raise
        self.batches += 1
        self.rows += len(batch)


def _rows_json(batch: list[_Pending]) -> str:
    """The rows of `longarm_audit_append_batch` from the parameters of `longarm_audit_append` (see
    `longarm.audit.services._append_params`: at, actor id, actor name, action, target type, target id,
    request id, detail as JSON, payload tail, lock)."""
    rows = []
    for pending in batch:
        at, actor_id, actor_name, action, target_type, target_id, request_id, detail, tail, _ = pending.params
        rows.append(f'["{at.isoformat()}",{json.dumps(actor_id)},{json.dumps(actor_name, ensure_ascii=False)},'
                    f'{json.dumps(action)},{json.dumps(target_type)},{json.dumps(target_id)},'
                    f'{json.dumps(request_id, ensure_ascii=False)},{detail},{json.dumps(tail, ensure_ascii=False)}]')
    return "[" + ",".join(rows) + "]"


appender = AuditAppender()


def append_durable(*, actor, action: str, target_type: str = "", target_id: str = "", detail: dict | None = None,
                   request_id: str | None = None, fresh_as_of: str | None = None) -> None:
    """`audit_record_durable` through the appender, optionally guarded by a snapshot (see `AuditAppender.append`).

    For PostgreSQL callers outside any transaction only."""
    from longarm.audit.services import _append_params, _fields

    fields = _fields(actor=actor, action=action, target=None, target_type=target_type, target_id=target_id,
                     detail=detail, request_id=request_id)
    appender.append(_append_params(actor.pk if actor is not None and actor.pk else None, fields),
                    fresh_as_of=fresh_as_of)
