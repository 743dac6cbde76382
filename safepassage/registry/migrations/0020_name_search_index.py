"""Finding people by part of a name without reading every person: trigram indexes (PostgreSQL's pg_trgm)
on the upper-cased names, the form Django's case-insensitive "contains" compares (UPPER(name) LIKE
UPPER('%…%')). Without them a search reads the whole table, about 2 ms a thousand people. PostgreSQL only:
SQLite (the demo) has no such index and searches its smaller tables as before."""

from django.db import migrations

NAME_COLUMNS = ("given_name", "family_name", "given_name_latin", "family_name_latin", "other_names")


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for column in NAME_COLUMNS:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS person_{column}_trgm ON registry_person "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in NAME_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS person_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("registry", "0019_id_number_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
