"""Social-security enrolment and portability on a person (issue 22 part 8, R-098): recorded as two kinds of
the person's documents, so it is scoped, audited and kept from enforcement agencies like the documents."""

from datetime import date

import pytest

from safepassage.registry import documents
from safepassage.registry.services import person_create
from safepassage.testing import api_client, web_client

pytestmark = pytest.mark.django_db


def test_enrolment_and_portability_are_recorded_and_shown(world):
    worker = person_create(
        actor=world.coordinator_a, village_code=world.village_1.code, given_name="Lek", birth_year=1995
    )
    documents.document_add(
        actor=world.caseworker_a,
        person=worker,
        kind="social_security",
        state="has",
        country="TH",
        state_on=date(2025, 2, 1),
    )
    documents.document_add(
        actor=world.caseworker_a, person=worker, kind="social_security_portable", state="none"
    )
    status = documents.status_for(world.caseworker_a, worker)
    assert status is not None
    assert {(d.kind, d.state) for d in status.documents} == {
        ("social_security", "has"),
        ("social_security_portable", "none"),
    }
    page = web_client(world.caseworker_a).get(f"/risk/people/{worker.pk}/documents/").content.decode()
    assert "Social security enrolment" in page and "Social security benefits can be taken home" in page
    listed = api_client(world.caseworker_a).get(f"/api/v1/people/{worker.pk}/documents").json()
    assert {d["kind"] for d in listed["documents"]} == {"social_security", "social_security_portable"}
    assert documents.status_for(world.caseworker_b, worker) is None  # another agency reads none of it


def test_the_demo_enrols_some_adults(world):
    from safepassage.registry.demo import generate_documentation
    from safepassage.registry.models import PersonDocument

    for n in range(3):
        person_create(
            actor=world.coordinator_a, village_code=world.village_1.code, given_name=f"A{n}", birth_year=1980
        )
    person_create(
        actor=world.coordinator_a,
        village_code=world.village_1.code,
        given_name="C",
        birth_year=2019,
        guardian_consent_by="Mother",
        guardian_relation="mother",
        guardian_consent_on=date.today(),
    )
    generate_documentation(agencies={"cc": world.agency_a})
    enrolled = PersonDocument.objects.filter(kind="social_security")
    assert enrolled.count() == 3 and enrolled.filter(state="has").count() == 2
    assert PersonDocument.objects.filter(kind="social_security_portable").count() == 2
