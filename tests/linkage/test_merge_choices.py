"""Merging lets the reviewer choose each field, keeps every name and spelling as another name (searched),
and stays undoable; romanised names are stored on every write path; the review page names the field a
"not known" is about; a dedupe of a few dozen people runs."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from safepassage.audit.models import AuditEvent
from safepassage.linkage import services
from safepassage.linkage.models import LinkageRun, MatchCandidate
from safepassage.registry.models import Person
from safepassage.registry.selectors import person_list
from safepassage.registry.services import person_create, person_update
from safepassage.testing import api_client, web_client

from .test_linkage import crowd

pytestmark = pytest.mark.django_db


def pair(world) -> tuple[Person, Person, MatchCandidate]:
    """One woman written in Thai script only by one office and in Latin letters only by another."""
    common = {"agency": world.agency_a, "village": world.village_1, "sex": "female"}
    a = Person.objects.create(
        given_name="มาลี", family_name="แสงดาว", birth_date=date(1994, 5, 20), birth_year=1994, **common
    )
    b = Person.objects.create(
        given_name="Malee",
        family_name="Sangdao",
        birth_year=1994,
        national_id="1101700207366",
        father_name="Somchai",
        **common,
    )
    candidate = MatchCandidate.objects.create(
        agency=world.agency_a,
        other_agency=world.agency_a,
        person_a_id=a.pk,
        person_b_id=b.pk,
        match_weight=9.0,
        probability=0.99,
        evidence=[
            {"field": "birth_date", "level": 3, "label": "Same year of birth", "weight": 1.0},
            {"field": "parents", "level": -1, "label": "Not known on one record", "weight": 0.0},
        ],
    )
    return a, b, candidate


def test_every_write_path_stores_the_romanised_names(world):
    created = person_create(
        actor=world.coordinator_a, village_code=world.village_1.code, given_name="สมศรี", family_name="ใจดี"
    )
    assert (created.given_name_roman, created.family_name_roman) == ("somsri", "chaidi")
    person_update(actor=world.coordinator_a, person=created, given_name="อำไพ", family_name="สุขใจ")
    created.refresh_from_db()
    assert (created.given_name_roman, created.family_name_roman) == ("amphai", "sukchai")
    Person.objects.bulk_create(
        [Person(agency=world.agency_a, village=world.village_1, given_name="ສົມພອນ", family_name="José")]
    )
    bulk = Person.objects.get(given_name="ສົມພອນ")
    assert (bulk.given_name_roman, bulk.family_name_roman) == ("somphon", "jose")


def test_the_reviewer_chooses_each_field_and_every_name_stays_findable_then_undo(world):
    a, b, candidate = pair(world)
    with pytest.raises(ValidationError) as refused:
        services.merge(actor=world.coordinator_a, candidate=candidate, choices={"notes": a.pk})
    assert "notes" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.merge(actor=world.coordinator_a, candidate=candidate, choices={"given_name": 999_999})
    assert "given_name" in refused.value.message_dict
    assert Person.objects.filter(pk__in=[a.pk, b.pk]).count() == 2  # nothing changed by a refusal

    record = services.merge(
        actor=world.coordinator_a,
        candidate=candidate,
        choices={"given_name": b.pk, "family_name": a.pk, "national_id": a.pk},
    )
    kept = Person.objects.get(pk=record.survivor_id)
    assert (kept.given_name, kept.family_name, kept.national_id) == ("Malee", "แสงดาว", "")
    assert kept.birth_date == date(1994, 5, 20) and kept.father_name == "Somchai"  # filled, as before
    assert kept.given_name_roman == "malee"  # romanised again from the name kept
    others = kept.other_names.splitlines()
    assert "มาลี แสงดาว" in others and "Malee Sangdao" in others
    found = person_list(viewer=world.coordinator_a, query="Sangdao")
    assert [p.pk for p in found] == [kept.pk]
    event = AuditEvent.objects.get(action="linkage.merge")
    assert "Malee" not in str(event.changes) and event.changes["chosen"] == [
        "family_name",
        "given_name",
        "national_id",
    ]

    services.undo(actor=world.coordinator_a, merge_record=record)
    restored = {p.pk: p for p in Person.objects.filter(pk__in=[a.pk, b.pk])}
    assert (restored[a.pk].given_name, restored[a.pk].other_names) == ("มาลี", "")
    assert restored[b.pk].national_id == "1101700207366"


def test_the_page_and_the_api_let_the_reviewer_choose_and_name_the_unknown_field(world):
    a, b, candidate = pair(world)
    page = web_client(world.coordinator_a).get(f"/linkage/pairs/{candidate.pk}/").content.decode()
    assert "Parents&#x27; names: not known on one record" in page or "Parents' names: not known" in page
    assert f'name="choose_given_name" value="{b.pk}"' in page
    shown = api_client(world.coordinator_a).get(f"/api/v1/linkage/candidates/{candidate.pk}").json()
    assert "Parents' names: not known on one record" in [e["label"] for e in shown["evidence"]]

    client = api_client(world.coordinator_a)
    refused = client.post(f"/api/v1/linkage/candidates/{candidate.pk}/merge", {"choices": {"sex": 123}})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "sex"
    web_client(world.coordinator_a).post(
        f"/linkage/pairs/{candidate.pk}/decide/",
        {"decision": "merge", "choose_given_name": str(b.pk), "choose_family_name": str(b.pk)},
    )
    kept = Person.objects.get(pk__in=[a.pk, b.pk])
    assert (kept.given_name, kept.family_name) == ("Malee", "Sangdao")
    assert "มาลี แสงดาว" in kept.other_names


def test_dedupe_of_thirty_people_runs(world):
    crowd(world, n=30)
    call_command("people", "dedupe", "--agency", world.agency_a.code)
    assert LinkageRun.objects.get().people == 30


def test_the_migration_fills_the_romanised_names_of_people_already_recorded(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("safepassage.registry.migrations.0016_romanised_names")
    person = Person.objects.create(
        agency=world.agency_a, village=world.village_1, given_name="มาลี", family_name="แสงดาว"
    )
    Person.objects.filter(pk=person.pk).update(given_name_roman="", family_name_roman="")
    migration.fill(apps, None)
    person.refresh_from_db()
    assert (person.given_name_roman, person.family_name_roman) == ("mali", "saengdao")
