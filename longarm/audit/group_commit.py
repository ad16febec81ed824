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

Only for PostgreSQL callers outside any transaction (the border check served by
a threaded server); everything else appends directly.
"""

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


class _Pending:
    __slots__ = ("params", "done", "error")

    def __init__(self, params: list):
        self.params = params
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

    def append(self, params: list) -> None:
        """Queue one row (the parameters of `longarm_audit_append`) and wait until it is durable."""
        pending = _Pending(params)
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
            error = None
            try:
                self._write(batch)
            except BaseException as exc:  # every waiting caller must learn of it, whatever it is
                logger.exception("audit batch of %d rows not written", len(batch))
                error = exc
                connection.close()  # this thread's connection; the next batch opens a fresh one
            for pending in batch:
                pending.error = error
                pending.done.set()

    def _write(self, batch: list[_Pending]) -> None:
        from longarm.audit.services import _APPEND_SQL

        params = [value for pending in batch for value in pending.params]
        appends = "; ".join([_APPEND_SQL] * len(batch))
        with connection.cursor() as cursor:
            try:
                cursor.execute(f"BEGIN; SET LOCAL synchronous_commit = off; {appends}; COMMIT; "
                               "SELECT pg_logical_emit_message(true, 'longarm.audit', '')", params)
            except BaseException:
                try:
                    cursor.execute("ROLLBACK")
                except Exception:
                    pass
                raise
        self.batches += 1
        self.rows += len(batch)


appender = AuditAppender()
