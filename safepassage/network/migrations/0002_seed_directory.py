"""Load the default hotlines and return agreements (data, editable afterwards)."""

import json
from datetime import date
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data" / "directory.json"


def load(apps, schema_editor):
    Hotline = apps.get_model("network", "Hotline")
    Agreement = apps.get_model("network", "Agreement")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    # (Texts in other languages came later, with their field: 0003_directory_translations adds them.)
    for row in data["hotlines"]:
        row = {k: v for k, v in row.items() if k != "translations"}
        Hotline.objects.get_or_create(country=row["country"], number=row["number"], defaults=row)
    for row in data["agreements"]:
        row = {k: v for k, v in row.items() if k != "translations"}
        values = dict(row, signed_on=date.fromisoformat(row["signed_on"]) if row.get("signed_on") else None)
        Agreement.objects.get_or_create(code=row["code"], defaults=values)


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
