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
