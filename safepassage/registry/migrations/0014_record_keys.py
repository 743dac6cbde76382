"""Record keys for disclosure control (core.disclosure, the cell-key method): every person gets a random
key, drawn once, and each report cell keeps the sum of its people's keys beside its count.

Existing people get their keys from the database's own random source, in one statement; report cells are
filled in by the next `safepassage reports rebuild` (nightly) or any write to their village.
"""

from django.db import migrations, models

import safepassage.core.disclosure


def _draw_keys(apps, schema_editor):
    Person = apps.get_model("registry", "Person")
    table = Person._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        draw = "floor(random() * 4294967296)::bigint"
    else:  # SQLite: a random 64-bit integer, its low 32 bits
        draw = "(random() & 4294967295)"
    schema_editor.execute(f"UPDATE {table} SET record_key = {draw}")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0013_indicator_translations"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="record_key",
            field=models.BigIntegerField(default=0, editable=False),
            preserve_default=False,
        ),
        migrations.RunPython(_draw_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="person",
            name="record_key",
            field=models.BigIntegerField(default=safepassage.core.disclosure.new_record_key, editable=False),
        ),
        migrations.AddField(
            model_name="riskcell",
            name="key_sum",
            field=models.BigIntegerField(default=0),
        ),
    ]
