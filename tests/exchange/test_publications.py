"""Publications, anonymised case stories and cross-agency reports (issue #22 part 7; R-087, R-085, W-20):
drafted by one person, approved by a coordinator who is not the author, only then downloadable; a story
naming the case's person or giving their ID number is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from safepassage.audit.models import AuditEvent
from safepassage.exchange import publications
from safepassage.exchange.models import Publication
from safepassage.registry.models import Person
from safepassage.testing import api_client, open_case, web_client

pytestmark = pytest.mark.django_db


def test_the_author_cannot_approve_and_nothing_downloads_before_approval(world):
    report = publications.draft(
        actor=world.coordinator_a,
        agency=world.agency_a,
        kind="report",
        title="Border villages 2026",
        text="With Agency B in Mae Sai district.",
        reviewer_agency=world.agency_b,
    )
    with pytest.raises(ValidationError):  # the author, though a coordinator
        publications.approve(actor=world.coordinator_a, publication=report)
    with pytest.raises(Http404):  # a caseworker does not approve
        publications.approve(actor=world.caseworker_a, publication=report)
    with pytest.raises(Http404):
        publications.download(actor=world.coordinator_a, pk=report.pk)
    page = web_client(world.coordinator_a).get(f"/exchange/publications/{report.pk}/?download=1")
    assert page.status_code == 404
    # The partner it names approves it: then it downloads.
    publications.approve(actor=world.coordinator_b, publication=report)
    report.refresh_from_db()
    assert report.status == "approved" and report.approved_by == world.coordinator_b
    page = web_client(world.coordinator_a).get(f"/exchange/publications/{report.pk}/?download=1")
    assert page.status_code == 200 and b"Mae Sai" in page.content
    with pytest.raises(ValidationError):  # once
        publications.approve(actor=world.coordinator_b, publication=report)
    actions = set(AuditEvent.objects.filter(object_id=str(report.pk)).values_list("action", flat=True))
    assert {
        "exchange.publication.draft",
        "exchange.publication.approve",
        "exchange.publication.download",
    } <= actions


def test_a_caseworkers_story_is_approved_by_a_coordinator_of_the_agency(world):
    case = open_case(world, given_name="Mya")
    story = publications.draft(
        actor=world.caseworker_a,
        agency=world.agency_a,
        kind="story",
        title="Home again",
        text="A girl from Myanmar went home to her grandmother.",  # "Myanmar" is not "Mya"
        case=case,
    )
    with pytest.raises(Http404):  # agency B was not asked
        publications.approve(actor=world.coordinator_b, publication=story)
    publications.approve(actor=world.coordinator_a, publication=story)
    assert Publication.objects.get(pk=story.pk).status == "approved"


@pytest.mark.parametrize(
    "text",
    ["Mya went home.", "mya and her mother", "Miss Test was moved.", "Her ID 1-2345-67890-12-3 was kept."],
)
def test_a_story_naming_the_cases_person_is_refused(world, text):
    case = open_case(world, given_name="Mya")
    Person.objects.filter(pk=case.person_id).update(national_id="1234567890123")
    case.refresh_from_db()
    with pytest.raises(ValidationError):
        publications.draft(
            actor=world.caseworker_a,
            agency=world.agency_a,
            kind="story",
            title="A story",
            text=text,
            case=case,
        )
    assert not Publication.objects.exists()


def test_a_story_must_say_its_case(world):
    with pytest.raises(ValidationError):
        publications.draft(
            actor=world.caseworker_a, agency=world.agency_a, kind="story", title="A story", text="Someone."
        )
    page = web_client(world.caseworker_a).get("/exchange/publications/")
    assert page.status_code == 200
    assert web_client(world.outsider).get("/exchange/publications/").status_code == 404


def test_the_api_drafts_refuses_a_named_story_and_downloads_only_once_approved(world):
    case = open_case(world, given_name="Mya")
    named = api_client(world.caseworker_a).post(
        "/api/v1/exchange/publications",
        {
            "agency_id": world.agency_a.pk,
            "kind": "story",
            "title": "S",
            "text": "Mya is home.",
            "case_id": case.pk,
        },
    )
    assert named.status_code == 400
    made = api_client(world.caseworker_a).post(
        "/api/v1/exchange/publications",
        {
            "agency_id": world.agency_a.pk,
            "kind": "story",
            "title": "S",
            "text": "She is home.",
            "case_id": case.pk,
        },
    )
    assert made.status_code == 201 and made.json()["status"] == "draft"
    pk = made.json()["id"]
    assert (
        api_client(world.caseworker_a).get(f"/api/v1/exchange/publications/{pk}/download").status_code == 404
    )
    mine = api_client(world.caseworker_a).post(f"/api/v1/exchange/publications/{pk}/approve")
    assert mine.status_code == 404  # a caseworker never approves, the author least of all
    assert (
        api_client(world.coordinator_a).post(f"/api/v1/exchange/publications/{pk}/approve").status_code == 200
    )
    text = api_client(world.caseworker_a).get(f"/api/v1/exchange/publications/{pk}/download").json()["text"]
    assert text == "She is home."
