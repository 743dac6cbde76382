"""The committee member's pages: register in a few steps, confirm arrival, check in, see who is overdue."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.migration import services
from safepassage.migration.models import Registration
from safepassage.testing import directory_entry, web_client

pytestmark = pytest.mark.django_db
TODAY = date.today()


def make_channel(world):
    return services.channel_create(
        actor=world.coordinator_a,
        name="Mae Ai – Jinghong",
        origin_area_code=world.district_1.code,
        destination_country="CN",
        destination_place="Jinghong",
        destination_organisation_id=directory_entry(world, world.agency_b).pk,
        checkin_days=[14, 90],
    )


def test_register_arrive_check_in_and_overdue_from_the_pages(world):
    channel = make_channel(world)
    client = web_client(world.volunteer_a)
    page = client.get(reverse("migration:channel", args=[channel.pk])).content.decode()
    assert "Register someone" in page
    response = client.post(
        reverse("migration:register", args=[channel.pk]),
        {
            "given_name": "Ying",
            "sex": "female",
            "birth_year": TODAY.year - 19,
            "village_code": world.village_1.code,
            "purpose": "work",
            "sector": "agriculture",
            "destination_place": "Rubber farm near Jinghong",
            "travel_date": (TODAY - timedelta(days=20)).isoformat(),
            "phone": "089 123 4567",
            "consent": "person",
            "orientation": ["rights", "hotlines"],
        },
    )
    registration = Registration.objects.get()
    assert response.status_code == 302, response.content.decode()[:2000]
    assert registration.orientation == {"rights": True, "hotlines": True}
    detail = client.get(reverse("migration:registration", args=[registration.pk])).content.decode()
    assert "089 123 4567" in detail
    assert AuditEvent.objects.filter(action="migration.registration.view").count() == 1
    # The destination end confirms arrival; check-ins are scheduled.
    b = web_client(world.caseworker_b)
    b.post(
        reverse("migration:registration_action", args=[registration.pk, "arrival"]),
        {"on": (TODAY - timedelta(days=18)).isoformat()},
    )
    registration.refresh_from_db()
    assert registration.arrived_on == TODAY - timedelta(days=18)
    overdue = b.get(reverse("migration:overdue")).content.decode()
    assert "Ying" in overdue and "check-in due" in overdue
    first = registration.checkins.filter(kind="scheduled").order_by("due_on").first()
    assert first is not None
    response = b.post(
        reverse("migration:checkin", args=[registration.pk]) + f"?checkin={first.pk}",
        {
            "done_on": TODAY.isoformat(),
            "reached": "yes",
            "how": "phone",
            "pay_ok": "no",
            "problems": ["withholding_of_wages"],
            "checkin": first.pk,
        },
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.done_on == TODAY and first.problems == ["withholding_of_wages"]
    assert "Ying" not in b.get(reverse("migration:overdue")).content.decode()


def test_a_registration_form_without_consent_says_why(world):
    channel = make_channel(world)
    response = web_client(world.caseworker_a).post(
        reverse("migration:register", args=[channel.pk]),
        {
            "given_name": "Ying",
            "village_code": world.village_1.code,
            "purpose": "work",
            "travel_date": TODAY.isoformat(),
            "sex": "female",
        },
    )
    assert response.status_code == 200
    assert "This field is required" in response.content.decode() or "consent" in response.content.decode()
    assert not Registration.objects.exists()


def test_pages_are_not_there_for_analysts_partners_and_outsiders(world):
    channel = make_channel(world)
    for persona in ("analyst_a", "partner_a", "outsider"):
        client = web_client(world.users[persona])
        assert client.get(reverse("migration:channels")).status_code == 404, persona
        assert client.get(reverse("migration:channel", args=[channel.pk])).status_code == 404, persona
