"""The alert list opens most urgent first (the home page's links ask for the late ones only), and the referral
inbox comes in pages, each list under its own page number. (Goes with the views wired in this change.)"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safepassage.cases import services
from safepassage.registry.models import Alert, Person
from safepassage.testing import World, directory_entry, web_client

pytestmark = pytest.mark.django_db


def test_the_alert_list_opens_most_urgent_first_and_can_show_only_the_late(world: World):
    who = Person.objects.create(agency=world.agency_a, given_name="Ploy", village=world.village_1)
    now = timezone.now()
    made = {}
    for name, hours in (("waiting", 60), ("late", -2), ("later", 30), ("latest", -40)):
        made[name] = Alert.objects.create(
            agency=world.agency_a,
            person=who,
            village=who.village,
            reasons=[],
            due_at=now + timedelta(hours=hours),
        )
    client = web_client(world.coordinator_a)
    page = client.get(reverse("registry:alert_list")).context["page"]
    assert [a.pk for a in page] == [made[n].pk for n in ("latest", "late", "later", "waiting")]
    page = client.get(reverse("registry:alert_list"), {"status": "open", "overdue": "1"}).context["page"]
    assert [a.pk for a in page] == [made["latest"].pk, made["late"].pk]
    newest = client.get(reverse("registry:alert_list"), {"order": "newest"}).context["page"]
    assert [a.pk for a in newest] == [made[n].pk for n in ("latest", "later", "late", "waiting")]


def test_the_referral_inbox_comes_in_pages(world: World):
    office = directory_entry(world, world.agency_a)
    for n in range(25):
        case = services.case_open(
            actor=world.caseworker_b,
            opened_on=date(2026, 1, 5),
            person_fields={
                "given_name": f"Aye{n}",
                "sex": "female",
                "birth_year": 2011,
                "village_code": world.village_3.code,
            },
        )
        services.referral_create(
            actor=world.caseworker_b,
            case=case,
            to_organisation_id=office.pk,
            reason="AdditionalServicesRequired",
            consent="person",
            consent_on=date(2026, 1, 6),
        )
    client = web_client(world.coordinator_a)
    first = client.get(reverse("cases:referrals"))
    assert len(first.context["incoming"]) == 20
    assert 'href="?page=2"' in first.content.decode()
    second = client.get(reverse("cases:referrals"), {"page": 2})
    assert len(second.context["incoming"]) == 5
    # The sender's own list pages on its own.
    sent = web_client(world.caseworker_b).get(reverse("cases:referrals"), {"sent": 2})
    assert len(sent.context["outgoing"]) == 5 and 'href="?sent=1"' in sent.content.decode()
