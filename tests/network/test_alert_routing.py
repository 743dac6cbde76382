"""An alert about a village also reaches the directory's responders who cover it and can open it."""

from datetime import date, timedelta

import pytest

from safepassage.accounts.models import Membership, User
from safepassage.network import services
from safepassage.network.selectors import alert_recipients
from safepassage.registry import services as registry
from safepassage.registry.services import RECIPIENT_SOURCES, recipients_for
from tests.registry.conftest import all_answers

pytestmark = pytest.mark.django_db
TODAY = date.today()


def responder_account(world, directory, username, *, agency, area_codes, availability="available"):
    """A SafePassage user (a caseworker of `agency`) with a responder profile covering `area_codes`."""
    user = User.objects.create_user(username=username, password="x-long-password")
    Membership.objects.create(user=user, agency=agency, role="caseworker")
    services.responder_create(
        actor=world.coordinator_a,
        organisation_id=directory.centre.pk,
        name=username.title(),
        role_type="police",
        area_codes=area_codes,
        availability=availability,
        username=username,
    )
    return user


def raise_alert(world):
    person = registry.person_create(
        actor=world.coordinator_a, village_code=world.village_1.code, given_name="Ploy", birth_year=2013
    )
    registry.assessment_record(
        actor=world.coordinator_a,
        person=person,
        assessed_on=TODAY - timedelta(days=30),
        scores=all_answers(1),
    )
    alert = registry.assessment_record(
        actor=world.coordinator_a, person=person, assessed_on=TODAY, scores=all_answers(1, HLT_DEATH=3)
    ).alert
    assert alert is not None
    return alert


def test_the_network_registers_its_source_once():
    assert RECIPIENT_SOURCES.count(alert_recipients) == 1


def test_an_alert_reaches_the_responders_who_cover_the_village_and_not_the_others(world, directory):
    responder_account(world, directory, "officer_near", agency=world.agency_a, area_codes=["5001"])
    responder_account(world, directory, "officer_far", agency=world.agency_a, area_codes=["50020101"])
    responder_account(
        world, directory, "officer_away", agency=world.agency_a, area_codes=["50010101"], availability="away"
    )
    # Covers the village, but works for agency B: could not open agency A's alert.
    responder_account(
        world, directory, "officer_other_agency", agency=world.agency_b, area_codes=["50010101"]
    )
    # Covers the village, but the account no longer works for agency A.
    gone = responder_account(world, directory, "officer_left", agency=world.agency_a, area_codes=["50010101"])
    Membership.objects.filter(user=gone).update(active=False)

    alert = raise_alert(world)
    recipients = set(alert.recipients.values_list("username", flat=True))
    assert recipients == {"volunteer_a", "coordinator_a", "officer_near"}


def test_a_routed_responder_can_open_the_alert(world, directory):
    from safepassage.testing import api_client

    responder_account(world, directory, "officer_near", agency=world.agency_a, area_codes=["50010101"])
    alert = raise_alert(world)
    officer = User.objects.get(username="officer_near")
    assert officer in alert.recipients.all()
    mine = api_client(officer).get("/api/v1/alerts", {"mine": "true"}).json()["items"]
    assert [a["id"] for a in mine] == [alert.pk]


def test_inactive_responders_and_responders_without_an_area_get_nothing(world, directory):
    user = responder_account(world, directory, "officer_anywhere", agency=world.agency_a, area_codes=[])
    retired = responder_account(
        world, directory, "officer_retired", agency=world.agency_a, area_codes=["5001"]
    )
    services.responder_update(
        actor=world.coordinator_a, responder=retired.responder_profiles.get(), active=False
    )
    found = recipients_for(world.agency_a.pk, world.village_1)
    assert user.pk not in found and retired.pk not in found
