"""Questions and answers in seven languages: every catalogue version's indicators take the default
catalogue's Thai, Lao, Khmer, Burmese, Vietnamese and Chinese texts for the languages they lack.

A text is added only where the indicator's code and the English text beside it (the question, or that one
answer) are the default's, so a question or answer an administrator reworded keeps exactly what they wrote,
and no text already written in a language is replaced. Labels and rubric texts play no part in scoring:
active and retired versions take them too, and no risk changes.

One English text changes: SOC-SEX's question read "Sex (never scored 3; configurable)", a note for
administrators shown to volunteers; where it still says exactly that, it now says "Sex".
"""

import json
from pathlib import Path

from django.db import migrations

DEFAULT = Path(__file__).resolve().parent.parent / "data" / "catalogue-default.json"
RENAMED = {("SOC-SEX", "Sex (never scored 3; configurable)"): "Sex"}


def _with_missing_languages(stored, default):
    """`stored` with the default's texts in the languages it has no text for, when both say the same in
    English; otherwise `stored` as it is."""
    if not isinstance(stored, dict) or not isinstance(default, dict):
        return stored
    english = stored.get("en")
    if not english or english != default.get("en"):
        return stored
    added = {lang: text for lang, text in default.items() if text and not stored.get(lang)}
    return {**stored, **added} if added else stored


def _add_translations(apps, schema_editor):
    Indicator = apps.get_model("registry", "Indicator")
    defaults = {
        item["code"]: item for item in json.loads(DEFAULT.read_text(encoding="utf-8"))["indicators"]
    }
    changed = []
    for indicator in Indicator.objects.filter(code__in=list(defaults)).order_by("pk").iterator():
        default = defaults[indicator.code]
        label = indicator.label
        if isinstance(label, dict) and (indicator.code, label.get("en")) in RENAMED:
            label = {**label, "en": RENAMED[indicator.code, label["en"]]}
        label = _with_missing_languages(label, default["label"])
        rubric = indicator.rubric
        if isinstance(rubric, dict):
            rubric = {
                value: _with_missing_languages(texts, default.get("rubric", {}).get(value))
                for value, texts in rubric.items()
            }
        if label != indicator.label or rubric != indicator.rubric:
            indicator.label, indicator.rubric = label, rubric
            changed.append(indicator)
    Indicator.objects.bulk_update(changed, ["label", "rubric"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0012_red_flags"),
    ]

    operations = [
        migrations.RunPython(_add_translations, migrations.RunPython.noop),
    ]
