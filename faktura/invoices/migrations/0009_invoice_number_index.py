"""An index for listing invoices by number, last first, with drafts (no number) after them.

Ascending, the unique index on number_seq already serves `ORDER BY number_seq NULLS LAST, id`
on both databases, and on SQLite it serves the descending order too. PostgreSQL reads an
ascending index backwards as DESC NULLS FIRST, so `number_seq DESC NULLS LAST, id DESC` sorted
every invoice (82 ms at 100,000) until this index (0.06 ms). SQLite cannot declare NULLS LAST
in an index, hence PostgreSQL only, outside the model state.
"""

from typing import Any

from django.db import migrations

NAME = "invoice_number_desc"


def create_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON invoices_invoice "
            "(number_seq DESC NULLS LAST, id DESC)"
        )


def drop_index(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("invoices", "0008_freeze_issued_invoices")]

    operations = [migrations.RunPython(create_index, drop_index)]
