"""Red flags: the default rules added to catalogue versions that have none, and a column for the flags
each assessment fired and each person's current risk fires. With them, the default answers a person's
record gives (age band from the birth date, sex), which a visit no longer asks again.

People's current risk is marked as needing a re-score (no catalogue version), so that
`safepassage catalogue rescore` — run once after this migration — applies the rules to their current
answers. Assessments keep the band of their day; only current risk moves.
"""

import json
from pathlib import Path

from django.db import migrations, models

DEFAULT = Path(__file__).resolve().parent.parent / "data" / "catalogue-default.json"


def _add_default_rules(apps, schema_editor):
    Catalogue = apps.get_model("registry", "Catalogue")
    Person = apps.get_model("registry", "Person")
    defaults = json.loads(DEFAULT.read_text(encoding="utf-8"))["parameters"]
    changed = False
    for catalogue in Catalogue.objects.all():
        if "red_flags" not in catalogue.parameters:
            catalogue.parameters = {
                **catalogue.parameters,
                "red_flags": defaults["red_flags"],
                "from_record": catalogue.parameters.get("from_record", defaults["from_record"]),
            }
            catalogue.save(update_fields=["parameters"])
            changed = True
    if changed:
        Person.objects.filter(current_assessment__isnull=False).update(current_catalogue=None)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_assessment_sheet"),
    ]

    operations = [
        migrations.AddField(
            model_name="assessment",
            name="red_flags",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
        migrations.AddField(
            model_name="person",
            name="current_red_flags",
            field=models.CharField(blank=True, default="", max_length=200),
        ),
        migrations.RunPython(_add_default_rules, migrations.RunPython.noop),
    ]
