"""On PostgreSQL, every transaction that changes what the border check answers from leaves its id in
`longarm_border_change`, so that a server's in-memory snapshot of the active watch list and of the
border posts' tokens (`longarm.watchlist.border_snapshot`) can tell, in the same round trip as the audit
row, whether a change committed since it was read.

A statement-level trigger on the entries, documents, officials, tokens and users (their name, role and
activity) inserts the transaction's id once (`ON CONFLICT DO NOTHING`): inserts
only, so concurrent writers never wait on one another, and an import of millions of rows adds one row.
`longarm_border_assert_fresh(snapshot)` raises SQLSTATE LB001 when a transaction committed (visible to
the caller's statement) that the given snapshot did not see. SQLite needs none of it: there the border
check reads the tables on every call.
"""

from django.db import migrations

TABLES = ("watchlist_watchlistentry", "documents_document", "registry_official", "authtoken_token")

POSTGRES = [
    """
    CREATE TABLE IF NOT EXISTS longarm_border_change (
        xid xid8 PRIMARY KEY,
        at timestamptz NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE OR REPLACE FUNCTION longarm_border_changed() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO longarm_border_change (xid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION longarm_border_assert_fresh(p_snapshot pg_snapshot) RETURNS void
    LANGUAGE plpgsql STABLE AS $$
    BEGIN
        IF EXISTS (SELECT 1 FROM longarm_border_change c
                   WHERE c.xid >= pg_snapshot_xmin(p_snapshot) AND NOT pg_visible_in_snapshot(c.xid, p_snapshot))
        THEN
            RAISE EXCEPTION 'the border check snapshot is stale' USING ERRCODE = 'LB001';
        END IF;
    END
    $$
    """,
    *(f"""
    CREATE OR REPLACE TRIGGER {table}_border_change
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table}
    FOR EACH STATEMENT EXECUTE FUNCTION longarm_border_changed()
    """ for table in TABLES),
    # A login updates last_login (update_fields): that must not make every server re-read its snapshot.
    """
    CREATE OR REPLACE TRIGGER accounts_user_border_change
    AFTER INSERT OR DELETE OR TRUNCATE OR UPDATE OF username, role, is_active ON accounts_user
    FOR EACH STATEMENT EXECUTE FUNCTION longarm_border_changed()
    """,
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in (*TABLES, "accounts_user"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_border_change ON {table}")
        schema_editor.execute("DROP FUNCTION IF EXISTS longarm_border_assert_fresh(pg_snapshot)")
        schema_editor.execute("DROP FUNCTION IF EXISTS longarm_border_changed()")
        schema_editor.execute("DROP TABLE IF EXISTS longarm_border_change")


class Migration(migrations.Migration):
    dependencies = [
        ("watchlist", "0003_watchlist_workflow"),
        ("documents", "0002_custody_recorded_by_trip_note_reminders"),
        ("registry", "0002_alter_official_sensitive_post"),
        ("accounts", "0001_initial"),
        ("authtoken", "__latest__"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
