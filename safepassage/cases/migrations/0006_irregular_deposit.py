"""The labour-rights code `illegal_deposit` becomes `irregular_deposit`: what the system says calls a person, a
deposit or a document irregular, never by the other word. Stored screenings are rewritten both ways."""

from django.db import migrations

OLD, NEW = "illegal_deposit", "irregular_deposit"


def _rewrite(apps, old: str, new: str) -> None:
    Screening = apps.get_model("cases", "Screening")
    changed = []
    for screening in Screening.objects.only("pk", "labour_issues").iterator(chunk_size=2000):
        codes = list(screening.labour_issues or [])
        if old in codes:
            screening.labour_issues = [new if code == old else code for code in codes]
            changed.append(screening)
    Screening.objects.bulk_update(changed, ["labour_issues"], batch_size=2000)


def forwards(apps, schema_editor):
    _rewrite(apps, OLD, NEW)


def backwards(apps, schema_editor):
    _rewrite(apps, NEW, OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_record_keys"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
