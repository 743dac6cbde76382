"""Load the default case lifecycle (data, editable with `safepassage cases stages load FILE`)."""

from django.db import migrations


def load(apps, schema_editor):
    from safepassage.cases import stages

    stages.load(stage_model=apps.get_model("cases", "Stage"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
