"""Break-glass: Agency B's caseworker (an NGO) opens Agency A's case in an emergency, found only by its
exact number or the person's exact ID; she reads her agency's receiving profile for at most 4 hours, every
read is marked in the trail, and Agency A's coordinator is told at once and accepts or reports it."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from safepassage.accounts import profiles
from safepassage.accounts.models import Membership, User
from safepassage.accounts.services import agency_create
from safepassage.audit.models import AuditEvent
from safepassage.cases import break_glass
from safepassage.cases.models import BreakGlass, CaseAlert
from safepassage.registry.models import Person
from safepassage.testing import api_client, open_case, web_client

pytestmark = pytest.mark.django_db

ID_NUMBER = "1509901234567"
REASON = "The girl is at the bus station with a broker and asks for help; her caseworker does not answer."


@pytest.fixture
def case(world):
    """Agency A's case for Mya, whose national ID is known, with a documentation status B may not read."""
    found = open_case(world, address="Room 4, Soi 7", immigration_status="undocumented")
    Person.objects.filter(pk=found.person_id).update(national_id=ID_NUMBER)
    found.refresh_from_db()
    return found


def _open(user, **body):
    return api_client(user).post("/api/v1/break-glass", {"reason": REASON, **body})


def _by_reference(user, case, **more):
    return _open(user, reference=case.reference, agency=case.agency.code, **more)


def test_a_caseworker_opens_a_case_by_its_exact_number_for_four_hours(world, case):
    response = _by_reference(world.caseworker_b, case)
    assert response.status_code == 201, response.content
    body = response.json()
    grant = BreakGlass.objects.get(pk=body["id"])
    assert body["case_id"] == case.pk and grant.reader == world.caseworker_b
    assert grant.reader_agency == world.agency_b and grant.owner_agency == world.agency_a
    assert grant.expires_at - grant.opened_at == timedelta(hours=4)
    assert grant.reason == REASON and grant.found_by == "reference"

    read = api_client(world.caseworker_b).get(f"/api/v1/cases/{case.pk}")
    assert read.status_code == 200
    assert read.json()["access"] == "break_glass"


def test_a_caseworker_opens_a_case_by_the_persons_exact_national_id(world, case):
    response = _open(world.coordinator_b, national_id=ID_NUMBER)
    assert response.status_code == 201, response.content
    assert response.json()["case_id"] == case.pk
    assert BreakGlass.objects.get().found_by == "national_id"
    assert api_client(world.coordinator_b).get(f"/api/v1/cases/{case.pk}").status_code == 200


def test_partial_unknown_and_wrong_agency_answers_are_all_the_same_not_found(world, case):
    other = open_case(world, given_name="Aye")  # exists, but is never named exactly below
    tries = [
        {"reference": case.reference[:-1], "agency": "agency-a"},  # a partial number
        {"reference": case.reference.lower(), "agency": "agency-a"},
        {"reference": "C-1999-00001", "agency": "agency-a"},  # unknown
        {"reference": case.reference, "agency": "agency-b"},  # the right number, the wrong agency
        {"reference": case.reference, "agency": "agency"},  # part of the agency's code
        {"national_id": ID_NUMBER[:-1]},  # a partial ID
        {"national_id": "9999999999999"},  # unknown
        {"national_id": ID_NUMBER, "agency": "agency-b"},
    ]
    answers = {
        (_open(world.caseworker_b, **t).status_code, _open(world.caseworker_b, **t).content) for t in tries
    }
    assert len(answers) == 1
    status, content = answers.pop()
    assert status == 404
    # what the reader's own agency already sees is not "found" either: nothing is granted for it
    own = open_case(world, given_name="Nu")
    own.agency = world.agency_b
    own.save()
    mine = _open(world.caseworker_b, reference=own.reference, agency="agency-b")
    assert (mine.status_code, mine.content) == (status, content)
    assert not BreakGlass.objects.exists() and other.pk
    assert not AuditEvent.objects.filter(action="cases.breakglass.open").exists()


def test_a_number_without_its_agency_or_without_a_reason_is_refused_naming_the_field(world, case):
    no_agency = _open(world.caseworker_b, reference=case.reference)
    assert no_agency.status_code == 400 and no_agency.json()["errors"][0]["field"] == "agency"
    short = _by_reference(world.caseworker_b, case, reason="urgent")
    assert short.status_code == 400 and short.json()["errors"][0]["field"] == "reason"
    neither = _open(world.caseworker_b)
    assert neither.status_code == 400 and neither.json()["errors"][0]["field"] == "reference"
    both = _by_reference(world.caseworker_b, case, national_id=ID_NUMBER)
    assert both.status_code == 400 and both.json()["errors"][0]["field"] == "national_id"
    assert not BreakGlass.objects.exists()


@pytest.fixture
def police(world):
    agency = agency_create(
        actor=None, code="cm-police", name="Chiang Mai Police", kind="enforcement", country="TH"
    )
    assert profiles.is_enforcement(agency.profile)
    oscar = User.objects.create_user(username="oscar", password="x" * 12)
    Membership.objects.create(user=oscar, agency=agency, role="caseworker")
    return oscar


def test_police_immigration_and_prosecutors_are_refused(world, case, police):
    response = _by_reference(police, case)
    assert response.status_code == 403
    assert "Police" in response.json()["detail"]
    # also a caseworker of an NGO who works for the police too
    Membership.objects.create(
        user=world.caseworker_b, agency=police.memberships.get().agency, role="caseworker"
    )
    assert _by_reference(world.caseworker_b, case).status_code == 403
    assert not BreakGlass.objects.exists()


@pytest.mark.parametrize("persona", ["volunteer_b", "analyst_a", "admin_b", "partner_a", "outsider"])
def test_roles_other_than_caseworker_and_coordinator_are_refused(world, case, persona):
    assert _by_reference(getattr(world, persona), case).status_code == 403
    page = web_client(getattr(world, persona)).get(reverse("cases:emergency"))
    assert page.status_code in (403, 404)
    assert not BreakGlass.objects.exists()


def test_the_reader_reads_only_their_own_agencys_profile_parts_and_changes_nothing(world, case):
    grant_id = _by_reference(world.caseworker_b, case).json()["id"]
    ngo = profiles.get_profile("ngo")
    assert ngo is not None
    grant = BreakGlass.objects.get(pk=grant_id)
    assert set(break_glass.describe(grant)["parts"]) == set(ngo.reads)
    reach = break_glass.selectors.access(world.caseworker_b, case)
    assert reach.break_glass and reach.grant == grant and not reach.owner and not reach.adds
    assert "documentation" not in reach.parts and "report" not in reach.parts
    body = api_client(world.caseworker_b).get(f"/api/v1/cases/{case.pk}").json()
    owner = api_client(world.caseworker_a).get(f"/api/v1/cases/{case.pk}").json()
    assert owner["immigration_status"] == "undocumented"
    assert body["immigration_status"] == "" and body["address"] == "Room 4, Soi 7"
    assert body["viewed_by"] == [] and body["referrals"] == []
    patch = api_client(world.caseworker_b).request("PATCH", f"/api/v1/cases/{case.pk}", {"urgency": "now"})
    assert patch.status_code == 404


def test_every_read_under_a_grant_is_marked_in_the_trail_and_the_reason_stays_out(world, case):
    grant_id = _by_reference(world.caseworker_b, case).json()["id"]
    api_client(world.caseworker_b).get(f"/api/v1/cases/{case.pk}")
    api_client(world.caseworker_b).get(f"/api/v1/cases/{case.pk}/events")
    page = web_client(world.caseworker_b).get(reverse("cases:case_detail", args=[case.pk]))
    assert page.status_code == 200
    marks = AuditEvent.objects.filter(action="cases.case.break_glass_view", object_id=str(case.pk))
    assert marks.count() == 3
    assert all(m.changes["grant"] == grant_id and m.changes["break_glass"] is True for m in marks)
    assert all(m.agency_id == world.agency_a.pk for m in marks)  # in the owning agency's trail
    # the owner's own reads carry no mark
    api_client(world.caseworker_a).get(f"/api/v1/cases/{case.pk}")
    assert marks.count() == 3
    opened = AuditEvent.objects.filter(action="cases.breakglass.open")
    assert {e.agency_id for e in opened} == {world.agency_a.pk, world.agency_b.pk}
    assert all(e.changes["grant"] == grant_id for e in opened)
    for event in AuditEvent.objects.all():
        assert "bus station" not in str(event.changes) and "broker" not in str(event.changes)


def test_the_page_read_under_a_grant_shows_a_banner_with_the_time_left(world, case):
    _by_reference(world.caseworker_b, case)
    page = web_client(world.caseworker_b).get(reverse("cases:case_detail", args=[case.pk]))
    text = page.content.decode()
    assert "break-glass" in text and "minutes left" in text
    assert "239 minutes left" in text or "240 minutes left" in text
    own = web_client(world.caseworker_a).get(reverse("cases:case_detail", args=[case.pk]))
    assert "break-glass" not in own.content.decode()


def test_access_ends_after_four_hours_whatever_the_setting_says(world, case, monkeypatch, settings):
    settings.BREAK_GLASS_HOURS = 9  # (the environment refuses more than 4; code caps it too)
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    grant = break_glass.break_glass_open(
        actor=world.caseworker_b, reference=case.reference, agency="agency-a", reason=REASON, now=start
    )
    assert grant.expires_at == start + timedelta(hours=4)
    client = api_client(world.caseworker_b)
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(hours=3, minutes=59))
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 200
    monkeypatch.setattr(timezone, "now", lambda: start + timedelta(hours=4))
    assert client.get(f"/api/v1/cases/{case.pk}").status_code == 404
    assert not break_glass.selectors.access(world.caseworker_b, case).parts


def test_the_owning_agencys_coordinators_are_told_at_once(world, case):
    grant_id = _by_reference(world.caseworker_b, case).json()["id"]
    alert = CaseAlert.objects.get(kind=CaseAlert.Kind.EMERGENCY)
    assert alert.case == case and alert.key == f"break_glass:{grant_id}"
    assert list(alert.recipients.all()) == [world.coordinator_a]
    assert "Agency B" in alert.message
    home = web_client(world.coordinator_a).get(reverse("web:dashboard")).content.decode()
    assert "Emergency access to your agency&#x27;s cases, to review" in home
    alerts = web_client(world.coordinator_a).get(reverse("cases:alerts")).content.decode()
    assert reverse("cases:emergency_reviews") in alerts
    reviews = api_client(world.coordinator_a).get("/api/v1/break-glass/reviews").json()
    assert [r["id"] for r in reviews] == [grant_id] and reviews[0]["reason"] == REASON
    # the reader's agency does not get the owner's alert, nor the review list
    assert api_client(world.coordinator_b).get("/api/v1/break-glass/reviews").json() == []
    assert not CaseAlert.visible_to(world.coordinator_b).exists()


def test_a_coordinator_accepts_an_emergency_access(world, case):
    grant_id = _by_reference(world.caseworker_b, case).json()["id"]
    client = web_client(world.coordinator_a)
    page = client.get(reverse("cases:emergency_reviews")).content.decode()
    assert REASON[:30] in page
    response = client.post(reverse("cases:emergency_review", args=[grant_id]), {"decision": "accept"})
    assert response.status_code == 302
    grant = BreakGlass.objects.get(pk=grant_id)
    assert grant.review == "accepted" and grant.reviewed_by == world.coordinator_a and grant.ended_at is None
    assert CaseAlert.objects.get(kind="emergency").status == CaseAlert.Status.RESOLVED
    assert AuditEvent.objects.filter(action="cases.breakglass.accept", object_id=str(grant_id)).count() == 1
    assert api_client(world.caseworker_b).get(f"/api/v1/cases/{case.pk}").status_code == 200
    again = api_client(world.coordinator_a).post(
        f"/api/v1/break-glass/{grant_id}/review", {"decision": "report"}
    )
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "decision"


def test_a_reported_access_ends_at_once_and_the_readers_agency_is_told(world, case):
    grant_id = _by_reference(world.caseworker_b, case).json()["id"]
    response = api_client(world.coordinator_a).post(
        f"/api/v1/break-glass/{grant_id}/review", {"decision": "report", "note": "No emergency was reported."}
    )
    assert response.status_code == 200 and response.json()["live"] is False
    grant = BreakGlass.objects.get(pk=grant_id)
    assert grant.review == "reported" and grant.ended_at is not None
    assert api_client(world.caseworker_b).get(f"/api/v1/cases/{case.pk}").status_code == 404
    reported = AuditEvent.objects.filter(action="cases.breakglass.report")
    assert {e.agency_id for e in reported} == {world.agency_a.pk, world.agency_b.pk}
    assert all("No emergency" not in str(e.changes) for e in reported)
    home = web_client(world.admin_b).get(reverse("web:dashboard")).content.decode()
    assert "Emergency access by your staff reported as misuse" in home
    admin_page = web_client(world.admin_b).get(reverse("cases:emergency_reviews")).content.decode()
    assert case.reference in admin_page and REASON[:30] not in admin_page


def test_only_the_owning_agencys_coordinators_review(world, case):
    grant_id = _by_reference(world.caseworker_b, case).json()["id"]
    for persona in ("coordinator_b", "caseworker_a", "caseworker_b", "admin_a"):
        client = api_client(getattr(world, persona))
        assert (
            client.post(f"/api/v1/break-glass/{grant_id}/review", {"decision": "report"}).status_code == 404
        )
    assert BreakGlass.objects.get(pk=grant_id).review == "pending"
    wrong = api_client(world.coordinator_a).post(
        f"/api/v1/break-glass/{grant_id}/review", {"decision": "maybe"}
    )
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "decision"


def test_a_granted_case_is_never_found_by_search_and_opens_no_other_case(world, case):
    other = open_case(world, given_name="Mya")  # the same name, another case of Agency A
    _by_reference(world.caseworker_b, case)
    client = api_client(world.caseworker_b)
    listed = client.get("/api/v1/cases", {"q": "Mya"}).json()
    assert [c["id"] for c in listed["items"]] == []
    listed = client.get("/api/v1/cases", {"q": case.reference}).json()
    assert listed["items"] == []
    for words in (case.reference, "Mya"):
        page = web_client(world.caseworker_b).get(reverse("cases:case_list"), {"q": words})
        assert page.status_code == 200
        assert reverse("cases:case_detail", args=[case.pk]) not in page.content.decode()
    assert client.get(f"/api/v1/cases/{other.pk}").status_code == 404


def test_the_emergency_access_page_needs_the_confirmation(world, case):
    client = web_client(world.caseworker_b)
    assert client.get(reverse("cases:emergency")).status_code == 200
    data = {"reference": case.reference, "agency": "agency-a", "reason": REASON}
    refused = client.post(reverse("cases:emergency"), data)
    assert refused.status_code == 400 and not BreakGlass.objects.exists()
    missing = client.post(reverse("cases:emergency"), {**data, "reference": "C-1", "confirm": "on"})
    assert missing.status_code == 404 and "No case matches exactly" in missing.content.decode()
    opened = client.post(reverse("cases:emergency"), {**data, "confirm": "on"})
    assert opened.status_code == 302 and opened["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert BreakGlass.objects.get().reader == world.caseworker_b
