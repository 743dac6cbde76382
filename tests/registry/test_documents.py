"""Documentation status as it is (R-052, R-044, W-24): a person's documents as a list with state and date,
civil-registration problems followed to resolution, stateless children in a protected report, and none of it
ever through an enforcement agency (PRODUCT.md rule 2)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from safepassage.accounts.models import Agency, Membership, User
from safepassage.audit.models import AuditEvent
from safepassage.registry import documents
from safepassage.registry.models import CivilProblem, Person
from safepassage.registry.services import person_create
from safepassage.reports.documentation import documentation_report
from safepassage.testing import api_client, web_client

pytestmark = pytest.mark.django_db
THIS_YEAR = date.today().year


def child(world, name: str = "Nok", *, agency_actor=None, village=None) -> Person:
    return person_create(
        actor=agency_actor or world.coordinator_a,
        village_code=(village or world.village_1).code,
        given_name=name,
        birth_year=THIS_YEAR - 9,
        guardian_consent_by="Mother",
        guardian_relation="mother",
        guardian_consent_on=date.today(),
    )


def stateless(world, person: Person, actor=None) -> None:
    documents.document_add(
        actor=actor, person=person, kind="citizenship", state="none", state_on=date(2024, 5, 1)
    )
    documents.document_add(actor=actor, person=person, kind="birth_certificate", state="has", country="TH")
    documents.document_add(actor=actor, person=person, kind="household_registration", state="none")


def test_documents_are_a_list_each_with_its_state_and_date_recorded_and_audited(world):
    nok = child(world)
    card = documents.document_add(
        actor=world.caseworker_a, person=nok, kind="id_card", state="applied", state_on="2026-01-05", note="x"
    )
    assert card.state_on == date(2026, 1, 5) and card.agency_id == nok.agency_id
    documents.document_update(actor=world.caseworker_a, document=card, state="has", state_on=date(2026, 3, 1))
    card.refresh_from_db()
    assert (card.state, card.state_on) == ("has", date(2026, 3, 1))
    actions = list(
        AuditEvent.objects.filter(object_type="registry.persondocument")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["registry.persondocument.create", "registry.persondocument.update"]
    with pytest.raises(ValidationError) as caught:
        documents.document_add(actor=world.caseworker_a, person=nok, kind="visa", state="maybe", country="XX")
    assert set(caught.value.message_dict) == {"kind", "state", "country"}
    with pytest.raises(ValidationError):
        documents.document_update(actor=world.caseworker_a, document=card, state_on=date(THIS_YEAR + 1, 1, 1))


def test_a_stateless_child_shows_on_the_person_page_and_the_documents_page(world):
    nok = child(world)
    stateless(world, nok)
    status = documents.status_for(world.caseworker_a, nok)
    assert status is not None and status.stateless
    client = web_client(world.caseworker_a)
    page = client.get(reverse("registry:person_detail", args=[nok.pk])).content.decode()
    assert 'id="documentation"' in page and "No citizenship (stateless)" in page
    page = client.get(reverse("registry:person_documents", args=[nok.pk])).content.decode()
    assert 'id="stateless"' in page and "Household registration" in page and "2024-05-01" in page


def test_citizenship_held_is_not_stateless(world):
    nok = child(world)
    stateless(world, nok)
    documents.document_add(actor=None, person=nok, kind="citizenship", state="has", country="TH")
    status = documents.status_for(world.caseworker_a, nok)
    assert status is not None and not status.stateless


def test_a_citizenship_problem_is_followed_to_resolution(world):
    nok = child(world)
    problem = documents.problem_open(
        actor=world.caseworker_a,
        person=nok,
        kind="citizenship",
        opened_on=date(2026, 2, 1),
        description="Father from Myanmar, birth never registered",
        next_step="Take the village headman's letter to the district office",
    )
    assert problem.is_open and problem.closed_on is None
    documents.problem_update(actor=world.caseworker_a, problem=problem, status="following")
    with pytest.raises(ValidationError) as caught:
        documents.problem_update(actor=world.caseworker_a, problem=problem, status="resolved")
    assert "outcome" in caught.value.message_dict
    problem.refresh_from_db()
    assert problem.status == "following"
    documents.problem_update(
        actor=world.caseworker_a, problem=problem, status="resolved", outcome="Thai citizenship granted"
    )
    problem.refresh_from_db()
    assert problem.status == "resolved" and problem.closed_on == date.today()
    documents.problem_update(actor=world.caseworker_a, problem=problem, status="open")
    problem.refresh_from_db()
    assert problem.closed_on is None
    events = (
        AuditEvent.objects.filter(object_type="registry.civilproblem")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert list(events) == ["registry.civilproblem.create"] + ["registry.civilproblem.update"] * 3
    # the free text is masked in the trail
    first = AuditEvent.objects.filter(object_type="registry.civilproblem").order_by("id").first()
    assert first is not None and "Myanmar" not in str(first.changes)


def test_the_api_lists_and_changes_documents_and_problems(world):
    nok = child(world)
    client = api_client(world.caseworker_a)
    made = client.post(
        f"/api/v1/people/{nok.pk}/documents",
        {"kind": "citizenship", "state": "none", "state_on": "2024-05-01"},
    )
    assert made.status_code == 201, made.content
    assert (
        client.request(
            "PATCH", f"/api/v1/documents/{made.json()['id']}", {"note": "checked at district"}
        ).status_code
        == 200
    )
    opened = client.post(
        f"/api/v1/people/{nok.pk}/civil-problems",
        {"kind": "birth_registration", "opened_on": "2026-02-01"},
    )
    assert opened.status_code == 201, opened.content
    closed = client.request(
        "PATCH",
        f"/api/v1/civil-problems/{opened.json()['id']}",
        {"status": "resolved", "outcome": "Registered"},
    )
    assert closed.status_code == 200 and closed.json()["closed_on"] == date.today().isoformat()
    body = client.get(f"/api/v1/people/{nok.pk}/documents").json()
    assert body["stateless"] is True
    assert [d["kind"] for d in body["documents"]] == ["citizenship"]
    assert body["problems"][0]["status"] == "resolved"


def test_volunteers_and_other_agencies_see_none_of_it(world):
    nok = child(world)
    stateless(world, nok)
    for user in (world.volunteer_a, world.caseworker_b, world.analyst_a):
        assert documents.status_for(user, nok) is None
        assert api_client(user).get(f"/api/v1/people/{nok.pk}/documents").status_code == 404
        assert web_client(user).get(reverse("registry:person_documents", args=[nok.pk])).status_code == 404
        with pytest.raises(PermissionDenied):
            documents.document_add(actor=user, person=nok, kind="passport", state="none")
    page = web_client(world.volunteer_a).get(reverse("registry:person_detail", args=[nok.pk]))
    assert page.status_code == 200 and 'id="documentation"' not in page.content.decode()


@pytest.fixture
def police(world):
    agency = Agency.objects.create(
        code="police", name="Chiang Mai Police", kind=Agency.Kind.ENFORCEMENT, country="TH", profile="police"
    )
    users = {}
    for role in ("admin", "coordinator", "caseworker", "analyst"):
        users[role] = User.objects.create_user(username=f"police_{role}", password="x" * 12)
        Membership.objects.create(user=users[role], agency=agency, role=role)
    return {"agency": agency, **users}


def test_an_enforcement_agency_never_reads_documents_even_of_its_own_people(world, police):
    """Police who record a person of their own still never see that person's documents or statelessness,
    in the page, the person page, the API or a report; nor may they record any."""
    own = child(world, "Lek", agency_actor=police["coordinator"])
    stateless(world, own)  # recorded by a server job (no actor) for the test
    for role in ("admin", "coordinator", "caseworker"):
        user = police[role]
        assert web_client(user).get(reverse("registry:person_detail", args=[own.pk])).status_code == 200
        assert (
            "stateless"
            not in web_client(user).get(reverse("registry:person_detail", args=[own.pk])).content.decode()
        )
        assert web_client(user).get(reverse("registry:person_documents", args=[own.pk])).status_code == 404
        assert api_client(user).get(f"/api/v1/people/{own.pk}/documents").status_code == 404
        assert (
            api_client(user)
            .post(f"/api/v1/people/{own.pk}/documents", {"kind": "passport", "state": "none"})
            .status_code
            == 404
        )
        assert not documents.allowed(user, own)
        with pytest.raises(PermissionDenied):
            documents.problem_open(actor=user, person=own, kind="citizenship", opened_on=date.today())
    for role in ("coordinator", "analyst"):
        assert api_client(police[role]).get("/api/v1/reports/documentation").status_code == 404
        # not even offered among the report tabs
        tabs = web_client(police[role]).get(reverse("reports:risk")).content.decode()
        assert reverse("reports:documentation") not in tabs
        assert web_client(police[role]).get(reverse("reports:documentation")).status_code == 404


def test_stateless_children_are_counted_exactly_for_case_staff_and_protected_for_analysts(world):
    for n in range(3):
        stateless(world, child(world, f"Child {n}"))
    waiting = child(world, "Waiting")
    documents.document_add(actor=None, person=waiting, kind="citizenship", state="applied")
    problem = documents.problem_open(actor=None, person=waiting, kind="citizenship", opened_on=date.today())
    assert problem.status == CivilProblem.Status.OPEN
    exact = documentation_report(viewer=world.coordinator_a)
    assert exact["perturbed"] is False
    row = next(r for r in exact["rows"] if r["district"] == world.district_1.code)
    assert (row["children"], row["stateless"], row["applied"], row["open_problems"]) == (4, 3, 1, 1)
    protected = documentation_report(viewer=world.analyst_a)
    row = next(r for r in protected["rows"] if r["district"] == world.district_1.code)
    assert protected["perturbed"] is True
    assert row["stateless"] == "<11" and row["children"] == "<11"
    assert AuditEvent.objects.filter(actor=world.analyst_a, action__startswith="reports.").exists()
    assert (
        reverse("reports:documentation")
        in web_client(world.analyst_a).get(reverse("reports:risk")).content.decode()
    )
    page = web_client(world.analyst_a).get(reverse("reports:documentation")).content.decode()
    assert "&lt;11" in page and "Stateless children" in page


def test_the_subject_access_file_lists_documents_and_erasure_removes_the_words_about_them(world):
    from safepassage.privacy import services as privacy
    from safepassage.privacy.selectors import subject_access_text

    nok = child(world)
    documents.document_add(
        actor=None, person=nok, kind="passport", state="held_by_other", note="Kept by Mr Somchai"
    )
    problem = documents.problem_open(
        actor=None,
        person=nok,
        kind="citizenship",
        opened_on=date(2026, 1, 2),
        description="Father from Shan State",
    )
    text = subject_access_text(actor=world.coordinator_a, person=nok)
    assert "Kept by someone else" in text and "Father from Shan State" in text
    privacy.erase_person(actor=world.coordinator_a, person=nok, reason="guardian_asked")
    document = nok.documents.get()
    problem.refresh_from_db()
    assert document.note == "" and problem.description == ""
    assert (document.kind, document.state) == ("passport", "held_by_other")  # the figures do not move


def test_the_demo_has_a_stateless_child_with_an_open_citizenship_problem(world):
    from safepassage.registry.demo import generate_documentation

    for n in range(4):
        child(world, f"Demo {n}")
    assert generate_documentation(agencies={"cc": world.agency_a}) == 4
    first = Person.objects.filter(agency=world.agency_a).order_by("pk").first()
    assert first is not None
    status = documents.status_for(world.coordinator_a, first)
    assert status is not None and status.stateless
    assert [p.kind for p in status.open_problems] == ["citizenship"]
    row = documentation_report(viewer=world.coordinator_a)["rows"][0]
    assert (row["stateless"], row["open_problems"]) == (1, 1)
