"""Trainees followed after training (R-020) and the provincial operating centre as a committee kind (R-018):
issue 22 part 8."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safepassage.audit.models import AuditEvent
from safepassage.network import services, training
from safepassage.testing import api_client, web_client
from tests.network.conftest import add_responder

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def trainee(world):
    centre = services.organisation_create(actor=world.coordinator_a, name="Provincial Centre", kind="member")
    person = add_responder(world, centre, "Kham Village Leader", area_codes=[world.village_1.code])
    old = services.training_add(
        actor=world.coordinator_a,
        responder=person,
        course="Trafficking indicators",
        completed_on=TODAY - timedelta(days=120),
    )
    recent = services.training_add(
        actor=world.coordinator_a,
        responder=person,
        course="Local data collection",
        completed_on=TODAY - timedelta(days=10),
    )
    return person, old, recent


def test_trainees_are_due_a_follow_up_after_ninety_days_until_followed_up(world, trainee):
    person, old, _recent = trainee
    assert list(training.trainees_due(viewer=world.coordinator_a)) == [old]
    assert list(training.trainees_due(viewer=world.coordinator_b)) == []  # not B's to follow
    with pytest.raises(ValidationError):
        training.training_follow_up(
            actor=world.coordinator_a, training=old, followed_up_on=old.completed_on - timedelta(days=1)
        )
    with pytest.raises(PermissionDenied):
        training.training_follow_up(actor=world.coordinator_b, training=old, followed_up_on=TODAY)
    training.training_follow_up(
        actor=world.coordinator_a,
        training=old,
        followed_up_on=TODAY,
        applying=True,
        still_active=True,
        needs="A refresher on the referral form",
    )
    assert list(training.trainees_due(viewer=world.coordinator_a)) == []
    assert AuditEvent.objects.filter(action="network.training.follow_up").count() == 1
    page = web_client(world.coordinator_a).get(f"/network/responders/{person.pk}/").content.decode()
    assert "A refresher on the referral form" in page


def test_pages_and_api(world, trainee):
    _person, old, recent = trainee
    client = web_client(world.coordinator_a)
    assert "Trafficking indicators" in client.get("/network/trainees/").content.decode()
    response = client.post(
        f"/network/trainings/{old.pk}/follow-up/",
        {"followed_up_on": TODAY.isoformat(), "applying": "no", "still_active": "yes"},
    )
    assert response.status_code == 302 and old.follow_ups.get().applying is False
    made = api_client(world.coordinator_a).post(
        f"/api/v1/trainings/{recent.pk}/follow-ups", {"followed_up_on": str(TODAY), "still_active": False}
    )
    assert made.status_code == 201
    assert (
        api_client(world.coordinator_b)
        .post(f"/api/v1/trainings/{recent.pk}/follow-ups", {"followed_up_on": str(TODAY)})
        .status_code
        == 404
    )
    assert web_client(world.caseworker_a).get("/network/trainees/").status_code == 404
    assert api_client(world.coordinator_a).get("/api/v1/trainees-due").json() == []


def test_a_provincial_operating_centre_is_a_committee_kind(world):
    committee = services.committee_create(
        actor=world.coordinator_a,
        name="Chiang Mai Provincial Operating Centre",
        kind="provincial_centre",
        area_code=world.province.code,
    )
    assert committee.get_kind_display() == "Provincial Operating Centre"


def test_the_demo_follows_up_half_the_trainees_due(world, trainee):
    from safepassage.network.demo import generate_training_follow_up

    made = generate_training_follow_up(agencies={"cc": world.agency_a})
    assert made == {"committees": 1, "follow_ups": 1}
    from safepassage.network.models import Committee

    assert Committee.objects.get(kind="provincial_centre").seats.get().seat == "chair"
    assert list(training.trainees_due(viewer=world.coordinator_a)) == []
