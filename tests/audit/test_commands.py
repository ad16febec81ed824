"""`longarm audit verify`: rows checked and OK, or the first broken seq with exit status 1."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from longarm.audit.models import AuditEntry
from longarm.audit.services import audit_view


def test_verify_reports_rows_checked_when_the_chain_is_intact(make_user, make_official, capsys):
    analyst, official = make_user("central_analyst"), make_official()
    for _ in range(3):
        audit_view(actor=analyst, target=official)
    call_command("audit", "verify")
    assert "Audit chain OK: 3 rows checked." in capsys.readouterr().out


def test_verify_of_an_empty_log_is_ok(db, capsys):
    call_command("audit", "verify")
    assert "Audit chain OK: 0 rows checked." in capsys.readouterr().out


def test_verify_names_the_first_broken_row_and_exits_with_status_1(make_user, make_official):
    analyst, official = make_user("central_analyst"), make_official()
    for _ in range(3):
        audit_view(actor=analyst, target=official)
    broken = AuditEntry.objects.order_by("seq")[1]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no deferred foreign-key checks may be pending
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_delete")
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [broken.seq])
    with pytest.raises(CommandError) as error:
        call_command("audit", "verify")
    assert error.value.returncode == 1
    assert f"broken at seq {broken.seq + 1}: prev_hash does not match the row before it" in str(error.value)


def test_the_command_needs_a_subcommand(db):
    with pytest.raises(CommandError):
        call_command("audit")
