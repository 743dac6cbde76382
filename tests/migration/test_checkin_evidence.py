"""Evidence from a check-in names no registration and quotes no worker, also for evidence made before."""

from datetime import date, timedelta
from importlib import import_module

import pytest
from django.apps import apps

from safepassage.migration import services
from safepassage.workplaces.models import Observation
from safepassage.workplaces.services import workplace_create
from tests.migration.test_channel_services import channel_ab, register

pytestmark = pytest.mark.django_db
TODAY = date.today()
NOTES = "Nok says: two months unpaid; the boss keeps our passports."


def test_old_check_in_evidence_is_rewritten_without_the_registration_or_the_workers_words(world):
    workplace = workplace_create(actor=world.coordinator_a, name="Orchard 9", sector="agriculture")
    registration = register(world, channel_ab(world), planned_workplace_id=workplace.pk)
    services.arrival_confirm(
        actor=world.caseworker_a, registration=registration, arrived_on=TODAY - timedelta(days=18)
    )
    checkin = services.checkin_record(
        actor=world.caseworker_a,
        registration=registration,
        done_on=TODAY,
        reached=True,
        problems=["withholding_of_wages"],
        notes=NOTES,
    )
    observation = services.problem_to_observation(actor=world.coordinator_a, checkin=checkin)
    # As the earlier release wrote it: the registration number and the notes in the open text.
    Observation.objects.filter(pk=observation.pk).update(
        text=f"Reported at a safe-migration check-in (registration #{registration.pk}). {NOTES}", informant=""
    )
    import_module("safepassage.migration.migrations.0003_checkin_evidence_without_words").scrub(apps, None)
    observation.refresh_from_db()
    assert (
        "#" not in observation.text and "Nok" not in observation.text and "passports" not in observation.text
    )
    assert observation.informant == NOTES
