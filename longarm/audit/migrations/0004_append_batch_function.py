"""On PostgreSQL the appender's batches (`longarm.audit.group_commit`) go through one call of one function,
instead of one statement per row: the rows arrive as one JSON array, and the function takes the chain lock
once, reads the last hash once and inserts the rows in order, each hashed as `entry_hash` would. Parsing
and planning one statement per row cost the database more than the rows themselves."""

from django.db import migrations

# Each row: [at (ISO 8601), actor id or null, actor name, action, target type, target id, request id,
# detail (a JSON object), the hashed payload after its first element]. VOLATILE, so that the last row is
# read after the lock is held (a new snapshot per statement), as in longarm_audit_append.
POSTGRES = [
    """
    CREATE OR REPLACE FUNCTION longarm_audit_append_batch(p_rows jsonb, p_lock bigint)
    RETURNS integer
    LANGUAGE plpgsql VOLATILE AS $$
    DECLARE
        v_prev text;
        v_hash text;
        v_row jsonb;
        v_count integer := 0;
    BEGIN
        PERFORM pg_advisory_xact_lock(p_lock);
        SELECT a.hash INTO v_prev FROM audit_auditentry a ORDER BY a.seq DESC LIMIT 1;
        v_prev := coalesce(v_prev, repeat('0', 64));
        FOR v_row IN SELECT value FROM jsonb_array_elements(p_rows) LOOP
            v_hash := encode(sha256(convert_to('["' || v_prev || '",' || (v_row->>8), 'UTF8')), 'hex');
            INSERT INTO audit_auditentry (at, actor_id, actor_name, action, target_type, target_id, request_id,
                                          detail, prev_hash, hash)
            VALUES ((v_row->>0)::timestamptz, (v_row->>1)::bigint, v_row->>2, v_row->>3, v_row->>4, v_row->>5,
                    v_row->>6, v_row->7, v_prev, v_hash);
            v_prev := v_hash;
            v_count := v_count + 1;
        END LOOP;
        RETURN v_count;
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
        schema_editor.execute("DROP FUNCTION IF EXISTS longarm_audit_append_batch(jsonb, bigint)")


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_append_function")]
    operations = [migrations.RunPython(forwards, backwards)]
