"""An assessment's answers stored as a sheet of digits beside its JSON: what survey rounds and re-scoring
read back. Every write path writes the sheet the scorer would, and the migration that added the column
fills it in from the JSON the same way."""

import importlib
import random
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection

from safepassage.registry import scoring, services
from safepassage.registry.bulk import BulkItem, assessments_bulk_record
from safepassage.registry.models import Assessment, Catalogue

from .conftest import all_answers
from .test_rescore import new_version

pytestmark = pytest.mark.django_db
TODAY = date.today()


def expected_sheet(assessment: Assessment) -> str:
    catalogue = assessment.catalogue
    levels = "V" if assessment.subject_is_village else "IH"
    codes = scoring.sheet_codes(catalogue.specs(levels))
    return "".join(str(assessment.scores.get(code, 0)) for code in codes)


def test_every_write_path_stores_the_sheet_and_the_migration_fills_in_the_same(world, child_a, child_b):
    admin = type(world.coordinator_a).objects.create_superuser("root3", password="a long enough password")
    rng = random.Random(11)
    codes = list(all_answers(1))
    services.assessment_record(
        actor=world.coordinator_a,
        person=child_a,
        assessed_on=TODAY - timedelta(days=40),
        scores=all_answers(2),
    )
    services.assessment_record(
        actor=world.coordinator_a,
        village=world.village_1,
        assessed_on=TODAY - timedelta(days=40),
        scores={"MIG-BORDER": 3, "BMN-SERVICES": 1},
    )
    # A later version asks fewer questions: its sheets are shorter, in its own order.
    new_version(admin, inactive=["HLT-ILL", "EDU-LANG"])
    items = []
    for n, person in enumerate((child_a, child_b)):
        answers = {
            c: rng.choice((1, 2)) for c in codes if c not in ("HLT-ILL", "EDU-LANG") and rng.random() < 0.7
        }
        items.append(BulkItem(person.pk, TODAY - timedelta(days=n), answers))
    assessments_bulk_record(actor=None, items=items)

    stored = dict(Assessment.objects.values_list("pk", "sheet"))
    assert len(stored) == 4 and len({len(s) for s in stored.values()}) == 3  # (two versions, a village)
    for assessment in Assessment.objects.select_related("catalogue"):
        assert assessment.sheet == expected_sheet(assessment), assessment.pk
    assert Catalogue.objects.count() == 2

    migration = importlib.import_module("safepassage.registry.migrations.0011_assessment_sheet")
    Assessment.objects.update(sheet="")
    editor = SimpleNamespace(
        connection=connection, execute=lambda sql, params: connection.cursor().execute(sql, params)
    )
    migration._fill_sheets(apps, editor)
    assert dict(Assessment.objects.values_list("pk", "sheet")) == stored
