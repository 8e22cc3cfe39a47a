"""Refuse UPDATE on history rows in the database itself, also for writes that bypass the ORM.

DELETE is refused by the model and queryset; a database-level DELETE trigger would also block
the test runner's table flush, so it is left to the ORM.
"""

from django.db import migrations


def create_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            "CREATE TRIGGER history_entry_append_only BEFORE UPDATE ON history_entry "
            "BEGIN SELECT RAISE(ABORT, 'history entries are append-only'); END;"
        )
    elif vendor == "postgresql":
        schema_editor.execute(
            "CREATE FUNCTION history_entry_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'history entries are append-only'; END; $$ LANGUAGE plpgsql;"
        )
        schema_editor.execute(
            "CREATE TRIGGER history_entry_append_only BEFORE UPDATE ON history_entry "
            "FOR EACH ROW EXECUTE FUNCTION history_entry_append_only();"
        )


def drop_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    schema_editor.execute("DROP TRIGGER IF EXISTS history_entry_append_only ON history_entry"
                          if schema_editor.connection.vendor == "postgresql"
                          else "DROP TRIGGER IF EXISTS history_entry_append_only")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS history_entry_append_only()")


class Migration(migrations.Migration):
    dependencies = [("history", "0001_initial")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
