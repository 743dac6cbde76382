"""No personal value reaches the audit trail, whatever path it was written through: a marker is planted in
every free-text and personal field of every write the API and the pages offer (people, assessments, intake,
cases and what hangs off them, notes, referrals, registrations, children found at sites, workplaces and
tips, imports), then no event's changes or record label may hold it. Two markers: words as people type
them, and a single lowercase word (a name typed in lowercase looks like a code; it must not pass as one)."""

import json
from datetime import date, timedelta

import pytest

from safepassage.audit.labels import has_label
from safepassage.audit.models import AuditEvent
from safepassage.registry.models import Catalogue
from safepassage.testing import api_client, directory_entry, web_client

pytestmark = pytest.mark.django_db

WORDS = "Zqmarker Nang Ploy"  # a name, a place, a story: whatever a person typed
WORD = "zqmarker"  # the same, as one word in lowercase
TODAY = date.today()


def ok(response, status=(200, 201)):
    assert response.status_code in (status if isinstance(status, tuple) else (status,)), response.content
    return response.json() if response.get("Content-Type", "").startswith("application/json") else None


def assert_no_marker_in_the_trail():
    events = list(AuditEvent.objects.values("action", "changes", "object_repr"))
    leaks = [e for e in events if "zqmarker" in (json.dumps(e["changes"]) + e["object_repr"]).lower()]
    assert not leaks, "\n".join(f"{e['action']}: {e['changes']} / {e['object_repr']!r}" for e in leaks)
    # and every action these paths wrote reads in words on the audit page
    assert sorted({e["action"] for e in events if not has_label(e["action"])}) == []


def person_fields(world, word=WORDS):
    return {
        "given_name": word,
        "family_name": word,
        "given_name_latin": "Zqmarker",
        "family_name_latin": word,
        "village_code": world.village_1.code,
        "birth_year": 2011,
        # a child's record needs a guardian's consent: the guardian's name is personal too
        "guardian_consent_by": word,
        "guardian_relation": "mother",
        "guardian_consent_on": "2026-01-05",
    }


def test_people_assessments_and_households(world):
    api = api_client(world.caseworker_a)
    household = ok(api.post("/api/v1/households", {"village_code": world.village_1.code, "label": WORDS}))
    person = ok(
        api.post(
            "/api/v1/people",
            {
                **person_fields(world),
                "household_id": household["id"],
                "national_id": WORD,
                "father_name": WORD,
                "mother_name": WORDS,
                "notes": WORDS,
            },
        )
    )
    codes = [i.code for i in Catalogue.objects.get(status="active").indicators.all() if i.level in "IH"]
    ok(
        api.post(
            f"/api/v1/people/{person['id']}/assessments",
            {"assessed_on": str(TODAY), "scores": dict.fromkeys(codes, 3) | {"SOC-SEX": 2}},
        )
    )
    alert = ok(api_client(world.coordinator_a).get("/api/v1/alerts"))["items"][0]
    ok(api_client(world.coordinator_a).post(f"/api/v1/alerts/{alert['id']}/resolve", {"note": WORDS}))
    before = AuditEvent.objects.filter(action="registry.person.create").count()
    response = web_client(world.coordinator_a).post(
        f"/risk/people/new/?village={world.village_1.code}",
        {**person_fields(world, WORD), "sex": "female", "notes": WORDS, "national_id": WORD},
    )
    assert response.status_code == 302, response.content
    assert AuditEvent.objects.filter(action="registry.person.create").count() == before + 1
    assert_no_marker_in_the_trail()


def test_intake_and_cases_with_everything_that_hangs_off_them(world):
    api = api_client(world.caseworker_a)
    report = ok(
        api.post(
            "/api/v1/intake",
            {
                "channel": "call",
                "summary": WORDS,
                "notifier_name": WORD,
                "notifier_contact": WORD,
                "notifier_relation": WORD,
                "workplace_name": WORDS,
                "area_code": world.village_1.code,
                "action_taken": WORD,
            },
        )
    )
    case = ok(
        api.post(
            f"/api/v1/intake/{report['id']}/case",
            {"opened_on": str(TODAY), "person": person_fields(world) | {"national_id": WORD}},
        )
    )
    cid = case["id"]
    ok(
        api.request(
            "PATCH",
            f"/api/v1/cases/{cid}",
            {"address": WORD, "health": WORD},
        )
    )
    ok(
        api.post(
            f"/api/v1/cases/{cid}/screenings",
            {"screened_on": str(TODAY), "acts": ["recruitment"], "notes": WORD},
        )
    )
    ok(api.post(f"/api/v1/cases/{cid}/track", {"track": "labour", "reason": WORD}), (200, 201, 400))
    ok(
        api.post(
            f"/api/v1/cases/{cid}/events",
            {"kind": "recruitment", "occurred_on": str(TODAY), "place": WORD, "notes": WORD},
        )
    )
    ok(
        api.post(
            f"/api/v1/cases/{cid}/perpetrators",
            {"roles": ["Exploiter"], "name": WORD, "notes": WORD},
        )
    )
    ok(api.post(f"/api/v1/cases/{cid}/deadlines", {"what": WORD, "due_on": str(TODAY + timedelta(days=9))}))
    ok(
        api.post(
            f"/api/v1/cases/{cid}/legal-events",
            {
                "kind": "complaint",
                "happened_on": str(TODAY),
                "authority": WORD,
                "sentence": WORD,
                "notes": WORD,
                "next_deadline": str(TODAY + timedelta(days=3)),
                "next_deadline_what": WORD,
            },
        )
    )
    ok(api.post(f"/api/v1/cases/{cid}/services", {"kind": "medical", "notes": WORD}))
    ok(
        api.post(
            f"/api/v1/cases/{cid}/best-interests",
            {
                "assessed_on": str(TODAY),
                "assessor": WORD,
                "views": WORD,
                "recommendation": "return",
                "family_traced": True,
                "home_safe": True,
                "risks": WORD,
            },
        )
    )
    ok(
        api.post(
            f"/api/v1/cases/{cid}/follow-ups",
            {
                "kind": "reintegration",
                "done_on": str(TODAY),
                "by": WORD,
                "summary": WORD,
                "wellbeing": "good",
            },
        )
    )
    ok(api.post(f"/api/v1/cases/{cid}/notes", {"text": WORD}))
    ok(
        api.post(
            f"/api/v1/cases/{cid}/conferences",
            {
                "held_on": str(TODAY),
                "other_attendees": WORD,
                "learned": WORD,
                "decisions": WORD,
                "actions": [{"what": WORD, "due_on": str(TODAY), "owner_name": WORD}],
            },
        )
    )
    ok(api.post(f"/api/v1/cases/{cid}/status", {"status": "actual", "decided_by_org": WORD}), (200, 201, 400))
    referral = ok(
        api.post(
            "/api/v1/referrals",
            {
                "case_id": cid,
                "to_organisation_id": directory_entry(world, world.agency_b).pk,
                "consent": "person",
                "consent_on": str(TODAY),
                "purpose": "shelter",
                "details": WORD,
            },
        )
    )
    ok(api_client(world.caseworker_b).post(f"/api/v1/referrals/{referral['id']}/accept", {"note": WORD}))
    ok(api_client(world.caseworker_b).post(f"/api/v1/cases/{cid}/notes", {"text": WORDS}))
    web = web_client(world.caseworker_a)
    assert web.post(f"/cases/{cid}/add/note/", {"text": WORD}).status_code == 302
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "cases.intake.create",
        "cases.case.update",
        "cases.note.create",
        "cases.referral.accept",
    } <= actions
    assert_no_marker_in_the_trail()


def test_registrations_check_ins_and_children_found_at_sites(world):
    coordinator = api_client(world.coordinator_a)
    channel = ok(
        coordinator.post(
            "/api/v1/migration/channels",
            {
                "name": "Mae Ai to Bangkok",
                "origin_area_code": world.district_1.code,
                "destination_country": "TH",
                "destination_place": WORD,
                "destination_organisation_id": directory_entry(world, world.agency_b).pk,
            },
        )
    )
    api = api_client(world.caseworker_a)
    registration = ok(
        api.post(
            "/api/v1/migration/registrations",
            {
                "channel_id": channel["id"],
                "purpose": "work",
                "travel_date": str(TODAY),
                "consent": "person",
                "consent_on": str(TODAY),
                "person": person_fields(world, WORD) | {"birth_year": 1998},
                "destination_place": WORD,
                "phone": WORD,
                "messaging": WORD,
                "family_contact": WORD,
                "documents": [{"kind": "passport", "number": WORD}],
                "orientation": {"rights": True, "hotlines": True, "fees": True},
            },
        )
    )
    rid = registration["id"]
    ok(api.post(f"/api/v1/migration/registrations/{rid}/arrival", {"arrived_on": str(TODAY), "notes": WORD}))
    ok(
        api.post(
            f"/api/v1/migration/registrations/{rid}/checkins",
            {"done_on": str(TODAY), "reached": True, "how": WORD, "notes": WORD},
        )
    )
    ok(api.post(f"/api/v1/migration/registrations/{rid}/counselling", {"advice": WORD, "outcome": WORD}))
    ok(api.post(f"/api/v1/migration/registrations/{rid}/withdraw", {"reason": WORD}))
    site = ok(
        api.post(
            "/api/v1/migration/sites",
            {
                "site_kind": "market",
                "site_name": WORD,
                "site_area_code": world.village_1.code,
                "found_on": str(TODAY),
                "person": person_fields(world),
                "employer": WORD,
                "work": WORD,
                "origin_place": WORD,
                "family_contact": WORD,
            },
        )
    )
    ok(
        api.post(
            f"/api/v1/migration/sites/{site['id']}/tracing",
            {"done_on": str(TODAY), "action": WORD, "result": WORD},
        )
    )
    assert {"migration.registration.create", "migration.site.create"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    assert_no_marker_in_the_trail()


def test_workplaces_tips_employers_and_recruiters(world):
    api = api_client(world.coordinator_a)
    employer = ok(
        api.post("/api/v1/employers", {"legal_name": WORD, "owner_name": WORD, "registration_number": WORD})
    )
    workplace = ok(
        api.post(
            "/api/v1/workplaces",
            {
                "name": WORD,
                "sector": "construction",
                "aliases": [WORD],
                "address": WORD,
                "village_code": world.village_1.code,
                "employer_id": employer["id"],
                "registration_number": WORD,
                "licence_number": WORD,
                "watch_reason": WORD,
            },
        )
    )
    wid = workplace["id"]
    ok(api.request("PATCH", f"/api/v1/workplaces/{wid}", {"name": WORDS, "address": WORDS}))
    ok(
        api.post(
            f"/api/v1/workplaces/{wid}/observations",
            {
                "observed_on": str(TODAY),
                "source": "tip",
                "reliability": "C",
                "indicators": ["deception"],
                "text": WORD,
                "informant": WORD,
            },
        )
    )
    ok(
        api.post(f"/api/v1/workplaces/{wid}/rating-override", {"band": "high", "reason": WORD}),
        (200, 201, 400),
    )
    ok(
        api.post(
            f"/api/v1/workplaces/{wid}/interventions",
            {"happened_on": str(TODAY), "kind": "inspection", "notes": WORD},
        )
    )
    recruiter = ok(
        api.post(
            "/api/v1/recruiters",
            {"name": WORD, "licence_number": WORD, "licence_authority": WORD, "registration_office": WORD},
        )
    )
    ok(
        api.post(
            f"/api/v1/employers/{employer['id']}/commitments",
            {"signed_on": str(TODAY), "text": WORD, "signatories": [WORD]},
        )
    )
    ok(api.post(f"/api/v1/employers/{employer['id']}/awards", {"awarded_on": str(TODAY), "name": WORD}))
    ok(
        api.post(
            f"/api/v1/employers/{employer['id']}/violations",
            {"found_on": str(TODAY), "law": WORD, "outcome": WORD},
        )
    )
    assert recruiter["id"]
    assert {"workplaces.workplace.create", "workplaces.observation.record"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )
    assert_no_marker_in_the_trail()


def test_an_import_of_people(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    rows = "given_name,family_name,village_code,birth_year,national_id,notes\n"
    rows += f"{WORD},{WORD},{world.village_1.code},2010,{WORD},{WORDS}\n"
    web = web_client(world.coordinator_a)
    response = web.post(
        "/imports/",
        {
            "kind": "people",
            "agency": world.agency_a.pk,
            "source": WORDS,
            "file": SimpleUploadedFile("people zqmarker.csv", rows.encode(), "text/csv"),
        },
    )
    assert response.status_code in (200, 302), response.content
    assert AuditEvent.objects.filter(action__startswith="imports.").exists()
    assert_no_marker_in_the_trail()
