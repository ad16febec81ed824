"""The registry's change log (`RegistryChange`): triggers on officials, documents, relatives and custody
events write one row per id or key touched, on both backends, whoever writes the row.

PostgreSQL: statement-level triggers with transition tables, so that an import of a million rows adds its
change rows in one `INSERT … SELECT` per statement. SQLite: row-level triggers. An update logs the values
before and after (a document moved to another number or official names both); a delete, the values before.
"""

from django.db import migrations, models

# table → (kind, SQL expression over a row alias `r`), the ids and keys a change of that table touches
TRACKED: dict[str, list[tuple[str, str]]] = {
    "registry_official": [("official", "r.official_id"), ("birth", "CAST(r.date_of_birth AS TEXT)")],
    "documents_document": [("official", "r.official_id"), ("number", "r.issuing_state || '|' || r.number_norm")],
    "registry_relative": [("official", "r.official_id")],
    "documents_custodyevent": [("document", "r.document_id")],
}


def _select(items, source: str) -> str:
    return " UNION ".join(f"SELECT '{kind}', {expression} FROM {source} r" for kind, expression in items)


def _postgresql(table: str, items) -> list[str]:
    function = f"{table}_log_change"
    inserted, deleted = _select(items, "new_rows"), _select(items, "old_rows")
    statements = [f"""
        CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO registry_change (kind, key) {inserted};
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO registry_change (kind, key) {deleted};
            ELSE
                INSERT INTO registry_change (kind, key) {inserted} UNION {deleted};
            END IF;
            RETURN NULL;
        END
        $$"""]
    for event, referencing in (("INSERT", "NEW TABLE AS new_rows"), ("DELETE", "OLD TABLE AS old_rows"),
                               ("UPDATE", "NEW TABLE AS new_rows OLD TABLE AS old_rows")):
        statements.append(f"CREATE OR REPLACE TRIGGER {table}_change_{event.lower()} AFTER {event} ON {table} "
                          f"REFERENCING {referencing} FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
    return statements


def _sqlite(table: str, items) -> list[str]:
    def values(row: str) -> str:
        return ", ".join(f"('{kind}', {expression.replace('r.', row + '.')})" for kind, expression in items)

    changed_before = " ".join(
        f"INSERT INTO registry_change (kind, key) SELECT '{kind}', {expression.replace('r.', 'OLD.')} "
        f"WHERE {expression.replace('r.', 'OLD.')} IS NOT {expression.replace('r.', 'NEW.')};"
        for kind, expression in items)
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_change_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO registry_change (kind, key) VALUES {values('NEW')}; END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_change_update AFTER UPDATE ON {table} BEGIN "
        f"INSERT INTO registry_change (kind, key) VALUES {values('NEW')}; {changed_before} END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_change_delete AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO registry_change (kind, key) VALUES {values('OLD')}; END",
    ]


def forwards(apps, schema_editor):
    build = _postgresql if schema_editor.connection.vendor == "postgresql" else _sqlite
    for table, items in TRACKED.items():
        for statement in build(table, items):
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    for table in TRACKED:
        for event in ("insert", "update", "delete"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_change_{event}" + (f" ON {table}" if postgresql else ""))
        if postgresql:
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_log_change()")


class Migration(migrations.Migration):

    dependencies = [
        ("registry", "0002_alter_official_sensitive_post"),
        ("documents", "0003_official_doc_type_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="RegistryChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("kind", models.CharField(max_length=8)),
                ("key", models.CharField(max_length=200)),
            ],
            options={"db_table": "registry_change"},
        ),
        migrations.RunPython(forwards, backwards),
    ]
