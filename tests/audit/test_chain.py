import pytest
from django.db import DatabaseError, connection, transaction

from longarm.audit.models import AuditEntry
from longarm.audit.selectors import audit_verify
from longarm.audit.services import audit_record, audit_view


def test_audit_rows_chain_and_verify(make_user, make_official):
    analyst = make_user("provincial_analyst", "CN-GD")
    official = make_official()
    first = audit_view(actor=analyst, target=official)
    second = audit_record(actor=analyst, action="update", target=official, detail={"field": "position"})
    assert second.prev_hash == first.hash
    assert (first.target_type, first.target_id, first.actor_name) == ("registry.official", official.pk, analyst.username)
    report = audit_verify()
    assert report.ok and report.rows == AuditEntry.objects.count()


def test_verify_detects_a_tampered_row(make_user, make_official):
    analyst = make_user("provincial_analyst", "CN-GD")
    official = make_official()
    for _ in range(3):
        audit_view(actor=analyst, target=official)
    middle = AuditEntry.objects.order_by("seq")[1]
    with connection.cursor() as cursor:  # tamper below the triggers, as an attacker with DB access would
        if connection.vendor == "postgresql":
            # Deferred FK checks of this test's own inserts must fire before ALTER TABLE may run.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
        cursor.execute("UPDATE audit_auditentry SET actor_name = 'someone-else' WHERE seq = %s", [middle.seq])
    report = audit_verify()
    assert not report.ok and report.first_bad_seq == middle.seq


def test_database_refuses_update_and_delete(make_user, make_official):
    entry = audit_view(actor=make_user("central_analyst"), target=make_official())
    for statement in ("UPDATE audit_auditentry SET action = 'x' WHERE seq = %s",
                      "DELETE FROM audit_auditentry WHERE seq = %s"):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [entry.seq])
    with pytest.raises(PermissionError):
        entry.delete()


def test_audit_rows_hash_unicode_and_nested_detail_as_verify_recomputes(make_user, make_official):
    """On PostgreSQL the database computes the hash (longarm_audit_append); it must be `entry_hash`'s."""
    from longarm.audit.services import entry_hash

    analyst = make_user("provincial_analyst", "CN-GD")
    detail = {"名": "王芳", "z": [1, 2.5, None, True], "nested": {"b": 1, "a": "é\"\\\n"}, "empty": {}}
    entry = audit_record(actor=analyst, action="update", target=make_official(), detail=detail)
    stored = AuditEntry.objects.get(seq=entry.seq)
    assert stored.hash == entry.hash and stored.prev_hash == entry.prev_hash and stored.detail == detail
    assert stored.hash == entry_hash(prev_hash=stored.prev_hash, at=stored.at, actor_name=stored.actor_name,
                                     action="update", target_type=stored.target_type, target_id=stored.target_id,
                                     request_id=stored.request_id, detail=stored.detail)
    assert stored.actor == analyst and entry.actor == analyst
    anonymous = audit_record(actor=None, action="login_failed", detail={"username": "x"})
    assert anonymous.prev_hash == entry.hash and AuditEntry.objects.get(seq=anonymous.seq).actor is None
    assert audit_verify().ok


def test_audit_record_durable_commits_outside_any_transaction(audit_log_flushable, audit_appender, make_user):
    """As the border check calls it, in autocommit: the row is committed in the chain when it returns, the
    connection is left outside any transaction, and a failed append writes nothing and leaves it usable."""
    from longarm.audit.services import audit_record_durable

    post = make_user("border_post", "CN-GD")
    audit_record(actor=post, action="before")
    for n in range(3):
        audit_record_durable(actor=post, action="border_check", detail={"n": n}, request_id=f"r{n}")
        assert connection.get_autocommit() and not connection.in_atomic_block
        if connection.vendor == "postgresql":
            from psycopg.pq import TransactionStatus

            assert connection.connection.info.transaction_status == TransactionStatus.IDLE
    rows = list(AuditEntry.objects.order_by("seq").values_list("action", "request_id", "detail"))
    assert rows[-3:] == [("border_check", f"r{n}", {"n": n}) for n in range(3)]
    assert audit_verify().ok

    class Gone:
        pk = 10**12  # no such user: the foreign key refuses the row at commit

        def get_username(self):
            return "gone"

    with pytest.raises(DatabaseError):
        audit_record_durable(actor=Gone(), action="border_check")
    assert AuditEntry.objects.count() == len(rows) and audit_verify().ok
    audit_record_durable(actor=post, action="after")
    assert AuditEntry.objects.order_by("-seq").first().action == "after" and audit_verify().ok


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the appender serves PostgreSQL only")
def test_appender_writes_the_waiting_rows_in_one_batch_or_none_of_them(audit_log_flushable, make_user):
    """Rows queued while the appender is busy go in one transaction, in queue order, each caller woken
    only after the batch is durable; a batch with a bad row writes nothing and tells every caller."""
    from longarm.audit.group_commit import AuditAppender, _Pending
    from longarm.audit.services import _append_params, _fields

    post = make_user("border_post", "CN-GD")
    audit_record(actor=post, action="before")

    def params(n, actor_id=post.pk):
        return _append_params(actor_id, _fields(actor=post, action="border_check", target=None, target_type="",
                                                target_id="", detail={"n": n}, request_id=f"r{n}"))

    appender = AuditAppender()
    try:
        waiting = [_Pending(params(n)) for n in range(5)]
        for pending in waiting:  # queued before the thread runs: the first batch takes them all
            appender._queue.put(pending)
        appender.append(params(5))
        assert all(pending.done.is_set() and pending.error is None for pending in waiting)
        assert (appender.batches, appender.rows) == (1, 6)
        assert list(AuditEntry.objects.filter(action="border_check").order_by("seq")
                    .values_list("request_id", flat=True)) == [f"r{n}" for n in range(6)]
        assert audit_verify().ok

        bad = _Pending(params(7, actor_id=10**12))  # no such user: the batch fails at commit
        appender._queue.put(_Pending(params(6)))
        appender._queue.put(bad)
        with pytest.raises(DatabaseError):
            appender.append(params(8))
        assert bad.error is not None
        assert AuditEntry.objects.filter(action="border_check").count() == 6 and audit_verify().ok
        appender.append(params(9))  # a fresh connection for the next batch
        assert AuditEntry.objects.order_by("-seq").first().request_id == "r9" and audit_verify().ok
    finally:
        appender.release_connection()
