"""Hotline and return-agreement texts in other languages: a `translations` field on each, filled from the
default directory's drafts for the hotlines (same country and number) and agreements (same code) whose
English text is still the default's. A text someone corrected keeps what they wrote, field by field."""

import json
from pathlib import Path

from django.db import migrations, models

DATA = Path(__file__).resolve().parent.parent / "data" / "directory.json"


def _translations(obj, row, fields):
    """The object's translations with the file's added, for each field whose English is the file's."""
    current = obj.translations if isinstance(obj.translations, dict) else {}
    merged = {name: dict(texts) for name, texts in current.items() if isinstance(texts, dict)}
    for name in fields:
        texts = row.get("translations", {}).get(name) or {}
        if not texts or getattr(obj, name) != row.get(name):
            continue
        have = merged.setdefault(name, {})
        for language, text in texts.items():
            if text and not have.get(language):
                have[language] = text
    return {name: texts for name, texts in merged.items() if texts}


def add_translations(apps, schema_editor):
    Hotline = apps.get_model("network", "Hotline")
    Agreement = apps.get_model("network", "Agreement")
    data = json.loads(DATA.read_text(encoding="utf-8"))
    for row in data.get("hotlines", []):
        for hotline in Hotline.objects.filter(country=row["country"], number=row["number"]):
            translations = _translations(hotline, row, ("name", "purpose", "hours"))
            if translations != hotline.translations:
                hotline.translations = translations
                hotline.save(update_fields=["translations"])
    for row in data.get("agreements", []):
        for agreement in Agreement.objects.filter(code=row["code"]):
            translations = _translations(agreement, row, ("name",))
            if translations != agreement.translations:
                agreement.translations = translations
                agreement.save(update_fields=["translations"])


class Migration(migrations.Migration):
    dependencies = [("network", "0002_seed_directory")]
    operations = [
        migrations.AddField(
            model_name="hotline",
            name="translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="texts in other languages"),
        ),
        migrations.AddField(
            model_name="agreement",
            name="translations",
            field=models.JSONField(blank=True, default=dict, verbose_name="texts in other languages"),
        ),
        migrations.RunPython(add_translations, migrations.RunPython.noop),
    ]
