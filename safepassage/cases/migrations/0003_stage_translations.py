"""Stage names in seven languages: stages take the default lifecycle's Thai, Lao, Khmer, Burmese, Vietnamese
and Chinese names for the languages they lack, where the stage's code and English name are the default's
(a stage someone renamed keeps what they wrote)."""

from django.db import migrations


def add_translations(apps, schema_editor):
    from safepassage.cases import stages

    stages.add_translations(stage_model=apps.get_model("cases", "Stage"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_default_lifecycle")]
    operations = [migrations.RunPython(add_translations, migrations.RunPython.noop)]
