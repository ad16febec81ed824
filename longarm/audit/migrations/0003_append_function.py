"""On PostgreSQL the chain is appended to by one server-side function, so that the chain lock is held for
microseconds of the database's own work, never across a round trip to Python (see `audit_record`)."""

from django.db import migrations

# The function takes the row's fields and the hashed payload after its first element (the previous
# hash); under the chain lock it reads the last hash, hashes '["<previous>",' + tail exactly as
# `entry_hash` does, and inserts the row. A VOLATILE function takes a new snapshot per statement, so
# the last row is read after the lock is held.
POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION longarm_audit_append(
        p_at timestamptz, p_actor_id bigint, p_actor_name text, p_action text, p_target_type text,
        p_target_id text, p_request_id text, p_detail jsonb, p_payload_tail text, p_lock bigint)
    RETURNS TABLE (entry_seq bigint, entry_prev_hash text, entry_hash text)
    LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
        v_prev text;
        v_hash text;
        v_seq bigint;
    BEGIN
        PERFORM pg_advisory_xact_lock(p_lock);
        SELECT a.hash INTO v_prev FROM audit_auditentry a ORDER BY a.seq DESC LIMIT 1;
        v_prev := coalesce(v_prev, repeat('0', 64));
        v_hash := encode(sha256(convert_to('["' || v_prev || '",' || p_payload_tail, 'UTF8')), 'hex');
        INSERT INTO audit_auditentry (at, actor_id, actor_name, action, target_type, target_id, request_id,
                                      detail, prev_hash, hash)
        VALUES (p_at, p_actor_id, p_actor_name, p_action, p_target_type, p_target_id, p_request_id, p_detail,
                v_prev, v_hash)
        RETURNING audit_auditentry.seq INTO v_seq;
        RETURN QUERY SELECT v_seq, v_prev, v_hash;
    END
    $$
    """,
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS longarm_audit_append(timestamptz, bigint, text, text, text, "
                              "text, text, jsonb, text, bigint)")


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
