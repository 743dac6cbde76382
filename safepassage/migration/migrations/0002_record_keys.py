"""Record keys for disclosure control of the safe-migration reports (core.disclosure, the cell-key method):
every registration gets a random key, drawn once.

Adding the field with its callable default would give every existing registration the same key (Django calls
the default once for the column), so existing registrations get theirs from the database's own random source,
in one statement, as registry 0014 does for people.
"""

from django.db import migrations, models

import safepassage.core.disclosure


def _draw_keys(apps, schema_editor):
    Registration = apps.get_model("migration", "Registration")
    table = schema_editor.quote_name(Registration._meta.db_table)
    if schema_editor.connection.vendor == "postgresql":
        draw = "floor(random() * 4294967296)::bigint"
    else:  # SQLite: a random 64-bit integer, its low 32 bits
        draw = "(random() & 4294967295)"
    schema_editor.execute(f"UPDATE {table} SET record_key = {draw}")


class Migration(migrations.Migration):
    dependencies = [
        ("migration", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="registration",
            name="record_key",
            field=models.BigIntegerField(default=0, editable=False),
            preserve_default=False,
        ),
        migrations.RunPython(_draw_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="registration",
            name="record_key",
            field=models.BigIntegerField(default=safepassage.core.disclosure.new_record_key, editable=False),
        ),
    ]
