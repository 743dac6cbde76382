"""Load the default 28-indicator catalogue on first migrate, so a new install can assess at once."""

import json
from pathlib import Path

from django.db import migrations

DEFAULT = Path(__file__).resolve().parent.parent / "data" / "catalogue-default.json"


def load(apps, schema_editor):
    Catalogue = apps.get_model("registry", "Catalogue")
    Indicator = apps.get_model("registry", "Indicator")
    if Catalogue.objects.exists():
        return
    data = json.loads(DEFAULT.read_text(encoding="utf-8"))
    from django.utils import timezone

    catalogue = Catalogue.objects.create(
        version=data["version"], name=data["name"], status="active", parameters=data["parameters"],
        activated_at=timezone.now(),
    )
    Indicator.objects.bulk_create(
        Indicator(
            catalogue=catalogue, code=item["code"], position=n, domain=item["domain"], level=item["level"],
            kind=item["kind"], label=item["label"], rubric=item.get("rubric", {}), weight=item.get("weight", 1.0),
            max_score=item.get("max_score", 3), active=item.get("active", True),
        )
        for n, item in enumerate(data["indicators"])
    )


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
