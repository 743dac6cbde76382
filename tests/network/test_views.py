"""The directory's pages: the search and its reasons, cards showing contacts only when allowed, forms."""

import pytest
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.network.models import Committee, Organisation, Responder
from safepassage.testing import web_client

pytestmark = pytest.mark.django_db


def test_the_search_page_ranks_and_explains(world, directory):
    page = web_client(world.volunteer_a).get(
        reverse("network:search"), {"village": "50010101", "language": "my", "expertise": "child_protection"}
    )
    html = page.content.decode()
    assert page.status_code == 200
    order = [html.index(name) for name in ("Vee Village", "Sam Subdistrict", "Dao District", "Ann Anywhere")]
    assert order == sorted(order)
    assert "Covers the subdistrict, Area 500101" in html and "Speaks Burmese" in html
    assert "Otto Elsewhere" not in html and "081 111 2222" not in html  # no contacts in the results


def test_a_village_is_picked_by_name_and_an_ambiguous_name_offers_the_choices(world, directory):
    client = web_client(world.caseworker_a)
    several = client.get(
        reverse("network:search"), {"village": "Area 500101", "language": "my"}
    ).content.decode()
    assert 'id="village-choices"' in several and "village=50010102" in several and "language=my" in several
    one = client.get(reverse("network:search"), {"village": "Area 50020101"}).content.decode()
    assert "Otto Elsewhere" in one and "Vee Village" not in one
    none = client.get(reverse("network:search"), {"village": "Atlantis"}).content.decode()
    assert "No village has this name or code." in none


def test_the_responder_card_shows_contacts_only_when_allowed_and_audits_the_look(world, directory):
    url = reverse("network:responder", args=[directory.village.pk])
    mine = web_client(world.volunteer_a).get(url).content.decode()
    assert "081 111 2222" in mine and 'href="tel:0811112222"' in mine
    assert AuditEvent.objects.filter(action="network.responder.view", actor=world.volunteer_a).count() == 1
    theirs = web_client(world.volunteer_b).get(url).content.decode()
    assert "081 111 2222" not in theirs and "053 111 000" in theirs  # the organisation's public phone instead
    assert not AuditEvent.objects.filter(action="network.responder.view", actor=world.volunteer_b).exists()
    assert web_client(world.analyst_a).get(url).status_code == 404
    assert web_client(world.partner_a).get(reverse("network:search")).status_code == 404


def test_a_shelters_address_is_never_shown_to_volunteers(world, directory):
    url = reverse("network:organisation", args=[directory.shelter.pk])
    assert "99 Hidden Lane" not in web_client(world.volunteer_a).get(url).content.decode()
    assert "99 Hidden Lane" in web_client(world.caseworker_b).get(url).content.decode()
    assert (
        AuditEvent.objects.filter(action="network.organisation.view", actor=world.caseworker_b).count() == 1
    )
    listing = web_client(world.caseworker_b).get(reverse("network:organisations")).content.decode()
    assert "Safe House North" in listing and "99 Hidden Lane" not in listing


def test_a_coordinator_adds_and_edits_a_responder_with_the_forms(world, directory):
    client = web_client(world.coordinator_b)
    form = {
        "organisation_id": directory.centre.pk,
        "name": "Khun Mon",
        "role_type": "ngo_worker",
        "phone": "082 222 3333",
        "languages": ["th", "my"],
        "expertise": ["psychosocial"],
        "area_codes": "50020101, 5002",
        "availability": "available",
    }
    response = client.post(reverse("network:responder_create"), {**form, "area_codes": "nowhere"})
    assert response.status_code == 200 and "Unknown area codes: nowhere" in response.content.decode()
    assert not Responder.objects.filter(name="Khun Mon").exists()
    response = client.post(reverse("network:responder_create"), form)
    responder = Responder.objects.get(name="Khun Mon")
    assert response.status_code == 302
    assert response["Location"] == reverse("network:responder", args=[responder.pk])
    assert responder.agency == world.agency_b
    assert sorted(a.code for a in responder.areas.all()) == ["5002", "50020101"]
    edit = reverse("network:responder_edit", args=[responder.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {**form, "availability": "away", "active": "on"})
    assert response.status_code == 302
    responder.refresh_from_db()
    assert responder.availability == "away" and responder.active
    assert web_client(world.coordinator_a).get(edit).status_code == 404  # kept by agency B
    training = reverse("network:training_add", args=[responder.pk])
    response = client.post(training, {"course": "Psychological first aid", "completed_on": "2025-03-01"})
    assert response.status_code == 302 and responder.trainings.count() == 1


def test_organisations_and_committees_are_kept_with_the_forms(world, directory):
    client = web_client(world.admin_a)
    response = client.post(
        reverse("network:organisation_create"),
        {
            "name": "District Hospital",
            "kind": "hospital",
            "country": "TH",
            "area_code": "5001",
            "services": ["health"],
        },
    )
    hospital = Organisation.objects.get(name="District Hospital")
    assert response.status_code == 302 and hospital.area is not None and hospital.area.code == "5001"
    response = client.post(reverse("network:committee_create"), {"name": "District 1 MDT", "kind": "mdt"})
    committee = Committee.objects.get()
    assert response.status_code == 302
    seat = reverse("network:committee_seat", args=[committee.pk])
    client.post(seat, {"responder_id": directory.district.pk, "seat": "chair"})
    client.post(seat, {"responder_id": directory.village.pk, "seat": "member"})
    page = client.get(reverse("network:committee", args=[committee.pk])).content.decode()
    assert page.index("Dao District") < page.index("Vee Village")
    client.post(
        reverse("network:committee_unseat", args=[committee.pk]), {"responder_id": directory.village.pk}
    )
    assert [s.responder for s in committee.seats.all()] == [directory.district]
    assert (
        web_client(world.coordinator_b).post(seat, {"responder_id": directory.village.pk}).status_code == 404
    )
    # Everyone who reads the directory sees the committee; only its keepers see the seat form.
    page = (
        web_client(world.volunteer_b).get(reverse("network:committee", args=[committee.pk])).content.decode()
    )
    assert "Dao District" in page and "committee_seat" not in page and "Save seat" not in page


def test_hotlines_are_for_everyone_signed_in(world):
    for persona in ("analyst_a", "partner_a", "outsider", "volunteer_a"):
        page = web_client(world.users[persona]).get(reverse("network:hotlines"))
        assert page.status_code == 200 and "1300" in page.content.decode()
    assert web_client(None).get(reverse("network:hotlines")).status_code == 302


def test_the_menu_offers_the_directory_to_the_people_roles_only(world):
    volunteer = web_client(world.volunteer_a).get(reverse("network:hotlines")).content.decode()
    analyst = web_client(world.analyst_a).get(reverse("network:hotlines")).content.decode()
    assert f'href="{reverse("network:search")}"' in volunteer
    assert f'href="{reverse("network:search")}"' not in analyst
    assert f'href="{reverse("network:hotlines")}" aria-current="page"' in analyst
