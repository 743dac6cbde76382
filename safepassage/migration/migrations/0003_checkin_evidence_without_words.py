"""Evidence made from a check-in before this release named the registration and quoted the worker in the
observation's notes. Rewrite those notes to the plain sentence used now, and keep the worker's words only in
the protected who-informed field."""

from typing import Any

from django.db import migrations

TEXT = "Reported by a worker at a safe-migration check-in."


def scrub(apps: Any, schema_editor: Any) -> None:
    CheckIn = apps.get_model("migration", "CheckIn")
    Observation = apps.get_model("workplaces", "Observation")
    pairs = CheckIn.objects.filter(observation__isnull=False).values_list("observation_id", "notes")
    for observation_id, notes in pairs.iterator(chunk_size=2000):
        observation = Observation.objects.filter(pk=observation_id).first()
        if observation is None:
            continue
        observation.text = TEXT
        if not observation.informant and notes.strip():
            observation.informant = notes.strip()
        observation.save(update_fields=["text", "informant"])


class Migration(migrations.Migration):
    dependencies = [
        ("migration", "0002_record_keys"),
        ("workplaces", "0002_awards_attachments_interventions"),
    ]

    operations = [migrations.RunPython(scrub, migrations.RunPython.noop)]
