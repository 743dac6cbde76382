"""Sin space: recording, evidence, overrides, partner employers and informants."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from safepassage.audit.models import AuditEvent
from safepassage.testing import api_client
from safepassage.workplaces import services
from safepassage.workplaces.models import Observation, RatingChange, Workplace

pytestmark = pytest.mark.django_db
TODAY = date.today()


def test_coordinates_are_checked_and_swaps_named(world):
    with pytest.raises(ValidationError) as caught:
        services.workplace_create(actor=world.coordinator_a, name="X", sector="fishing", lat=100.5, lon=13.7)
    assert "lat" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.workplace_create(actor=world.coordinator_a, name="X", sector="fishing", lat=99.0, lon=18.8)
    assert "swapped" in caught.value.message_dict["lat"][0]
    with pytest.raises(ValidationError) as caught:
        services.workplace_create(actor=world.coordinator_a, name="X", sector="fishing", lat=48.8, lon=2.3)
    assert "outside TH" in caught.value.message_dict["lat"][0]
    with pytest.raises(ValidationError) as caught:
        services.workplace_create(actor=world.coordinator_a, name="X", sector="casino", lat=18.8, lon=99.0)
    assert "sector" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.workplace_create(
            actor=world.coordinator_a, name="X", sector="fishing", last_verified=TODAY + timedelta(days=1)
        )
    assert "last_verified" in caught.value.message_dict
    assert Workplace.objects.count() == 0


def test_evidence_rates_the_workplace_and_keeps_history(employer_world):
    world, mine, _ = employer_world
    assert (mine.risk_score, mine.risk_band) == (0.6, "low")
    services.observation_record(
        actor=world.caseworker_a,
        workplace=mine,
        observed_on=TODAY,
        source="inspection",
        reliability="A",
        indicators=["debt_bondage", "retention_of_documents"],
    )
    mine.refresh_from_db()
    assert (mine.risk_score, mine.risk_band) == (6.6, "medium")
    assert mine.last_verified == TODAY  # an inspection verifies
    assert RatingChange.objects.filter(workplace=mine).count() == 2
    with pytest.raises(ValidationError) as caught:
        services.observation_record(
            actor=world.caseworker_a,
            workplace=mine,
            observed_on=TODAY,
            source="rumour",
            reliability="Z",
            indicators=["bad"],
        )
    assert set(caught.value.message_dict) == {"source", "reliability", "indicators"}


def test_an_override_keeps_its_reason_and_history(employer_world):
    world, mine, _ = employer_world
    with pytest.raises(ValidationError):
        services.rating_override(actor=world.coordinator_a, workplace=mine, band="high", reason=" ")
    with pytest.raises(PermissionDenied):
        services.rating_override(actor=world.caseworker_a, workplace=mine, band="high", reason="x")
    services.rating_override(
        actor=world.coordinator_a,
        workplace=mine,
        band="high",
        reason="Children seen on the night shift by two visits",
    )
    mine.refresh_from_db()
    assert (mine.band, mine.risk_band, mine.override_reason) == (
        "high",
        "low",
        "Children seen on the night shift by two visits",
    )
    change = RatingChange.objects.filter(workplace=mine).first()
    assert change is not None and change.override_band == "high" and change.by == world.coordinator_a
    assert AuditEvent.objects.filter(action="workplaces.rating.override").count() == 1


def test_a_partner_employer_sees_only_its_own_workplaces_never_evidence_or_informants(employer_world):
    world, mine, other = employer_world
    client = api_client(world.users["employer_user"])
    listed = client.get("/api/v1/workplaces").json()["items"]
    assert [w["id"] for w in listed] == [mine.pk]
    assert client.get(f"/api/v1/workplaces/{other.pk}").status_code == 404
    assert client.get(f"/api/v1/workplaces/{mine.pk}/observations").status_code == 404
    assert client.request("PATCH", f"/api/v1/workplaces/{mine.pk}", {"name": "renamed"}).status_code == 404
    employer = client.get("/api/v1/employers").json()["items"]
    assert len(employer) == 1 and "contacts" not in employer[0]


def test_the_informant_is_shown_only_to_the_recording_agencys_coordinators(employer_world):
    world, mine, _ = employer_world
    coordinator = api_client(world.coordinator_a).get(f"/api/v1/workplaces/{mine.pk}/observations").json()
    caseworker = api_client(world.caseworker_a).get(f"/api/v1/workplaces/{mine.pk}/observations").json()
    assert coordinator[0]["informant"] == "Mrs K at the noodle stall"
    assert caseworker[0]["informant"] is None
    assert (
        api_client(world.coordinator_b).get(f"/api/v1/workplaces/{mine.pk}/observations").status_code == 404
    )
    event = AuditEvent.objects.get(action="workplaces.observation.record")
    assert "noodle" not in str(event.changes)


def test_employer_submissions_are_counts_from_the_employer_only(employer_world):
    world, mine, _ = employer_world
    boss = world.users["employer_user"]
    with pytest.raises(ValidationError) as caught:
        services.submission_create(
            actor=boss,
            workplace=mine,
            period="2026-Q3",
            vacancies={"packer": 5},
            workforce={"names": {"Somchai": 1}},
        )
    assert "workforce.names" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        services.submission_create(
            actor=world.coordinator_a, workplace=mine, period="2026-Q3", vacancies={}, workforce={}
        )
    response = api_client(boss).post(
        f"/api/v1/workplaces/{mine.pk}/submissions",
        {
            "period": "2026-Q3",
            "vacancies": {"packer": 5},
            "weekly_hours": 48,
            "workforce": {"sex": {"female": 30, "male": 12}, "documented": {"yes": 35, "no": 7}},
        },
    )
    assert response.status_code == 201, response.json()
    seen = api_client(world.coordinator_a).get(f"/api/v1/workplaces/{mine.pk}/submissions").json()
    assert seen[0]["workforce"]["sex"] == {"female": 30, "male": 12}


def test_the_geojson_export_validates_and_holds_only_what_the_user_may_see(employer_world):
    world, mine, other = employer_world
    data = api_client(world.users["employer_user"]).get("/api/v1/workplaces.geojson").json()
    assert data["type"] == "FeatureCollection"
    assert [f["properties"]["id"] for f in data["features"]] == [mine.pk]
    feature = data["features"][0]
    assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
    lon, lat = feature["geometry"]["coordinates"]
    assert (lat, lon) == (13.5, 100.3)
    full = (
        api_client(world.coordinator_a)
        .get("/api/v1/workplaces.geojson", {"bbox": "98.5,18.5,99.5,19.0"})
        .json()
    )
    assert [f["properties"]["id"] for f in full["features"]] == [other.pk]
    bad = api_client(world.coordinator_a).get("/api/v1/workplaces.geojson", {"bbox": "99.5,18.5,98.5,19"})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "bbox"


def test_recruiters_are_registered_and_screened(world):
    client = api_client(world.caseworker_a)
    response = client.post(
        "/api/v1/recruiters",
        {
            "name": "Broker Lek",
            "licence_status": "unlicensed",
            "village_codes": [world.village_1.code],
            "registered_on": str(TODAY),
            "registration_office": "Tambon office",
        },
    )
    assert response.status_code == 201
    rid = response.json()["id"]
    screened = client.post(
        f"/api/v1/recruiters/{rid}/screening",
        {"screening": "concerns", "red_flags": ["deposit_demanded", "holds_documents"]},
    )
    assert screened.json()["screening"] == "concerns"
    assert api_client(world.caseworker_b).get("/api/v1/recruiters").json()["items"] == []
    bad = client.post("/api/v1/recruiters", {"name": "X", "village_codes": ["nope"]})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "village_codes"


def test_observations_never_reach_volunteers_or_analysts(employer_world):
    world, mine, _ = employer_world
    for persona in ("volunteer_a", "analyst_a"):
        assert api_client(world.users[persona]).get(f"/api/v1/workplaces/{mine.pk}").status_code == 404
    assert Observation.objects.count() == 1


def test_attachments_are_private_checked_and_audited(employer_world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safepassage.testing import web_client

    settings.MEDIA_ROOT = tmp_path
    world, mine, _ = employer_world
    observation = Observation.objects.get(workplace=mine)
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(
            actor=world.coordinator_a,
            observation=observation,
            upload=SimpleUploadedFile("x.pdf", b"MZ not a pdf", content_type="application/pdf"),
        )
    assert "file" in caught.value.message_dict
    with pytest.raises(ValidationError):
        services.attachment_add(
            actor=world.coordinator_a,
            observation=observation,
            upload=SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload"),
        )
    photo = services.attachment_add(
        actor=world.coordinator_a,
        observation=observation,
        upload=SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png"),
    )
    url = f"/workplaces/attachments/{photo.pk}/"
    response = web_client(world.caseworker_a).get(url)
    assert response.status_code == 200 and response.getvalue().startswith(b"\x89PNG")
    assert (
        AuditEvent.objects.filter(action="workplaces.observation.view", actor=world.caseworker_a).count() == 1
    )
    for outsider in ("employer_user", "coordinator_b", "volunteer_a"):
        assert web_client(world.users[outsider]).get(url).status_code == 404
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))


def test_interventions_are_logged(employer_world):
    world, mine, _ = employer_world
    response = api_client(world.caseworker_a).post(
        f"/api/v1/workplaces/{mine.pk}/interventions",
        {
            "happened_on": str(TODAY),
            "kind": "interception",
            "people_assisted": 3,
            "notes": "Three girls taken to shelter",
        },
    )
    assert response.status_code == 201
    bad = api_client(world.caseworker_a).post(
        f"/api/v1/workplaces/{mine.pk}/interventions",
        {"happened_on": str(TODAY + timedelta(days=2)), "kind": "raid"},
    )
    assert bad.status_code == 400
    assert {e["field"] for e in bad.json()["errors"]} == {"happened_on", "kind"}


def test_the_partner_employer_reports_conditions_in_the_ui(employer_world):
    from safepassage.testing import web_client

    world, mine, _ = employer_world
    client = web_client(world.users["employer_user"])
    page = client.get(f"/workplaces/{mine.pk}/")
    assert "Report conditions" in page.content.decode() and "noodle" not in page.content.decode()
    response = client.post(
        f"/workplaces/{mine.pk}/report/",
        {
            "period": "2026-Q4",
            "vacancies": "packer = 5\ndriver = 1",
            "weekly_hours": "48",
            "women": "20",
            "men": "10",
            "under_18": "0",
            "adults": "30",
            "nationalities": "Thai = 18\nMyanmar = 12",
            "documented": "25",
            "undocumented": "5",
            "health_cover": "22",
        },
    )
    assert response.status_code == 302
    submission = mine.submissions.get()
    assert submission.vacancies == {"packer": 5, "driver": 1}
    assert submission.workforce["documents"] == {"with": 25, "without": 5}
    assert submission.workforce["nationality"] == {"Thai": 18, "Myanmar": 12}


def test_recruiters_link_to_workplaces_and_the_people_they_placed(employer_world):
    from safepassage.registry.services import person_create

    world, mine, _ = employer_world
    recruiter = services.recruiter_create(actor=world.coordinator_a, name="Broker Dang")
    child = person_create(actor=world.coordinator_a, village_code=world.village_1.code, given_name="Mai")
    theirs = person_create(actor=world.coordinator_b, village_code=world.village_3.code, given_name="Other")
    response = api_client(world.coordinator_a).post(
        f"/api/v1/recruiters/{recruiter.pk}/links",
        {"workplace_ids": [mine.pk], "person_ids": [child.pk, theirs.pk]},
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "person_ids"
    assert recruiter.placed_people.count() == 0
    services.recruiter_link(
        actor=world.coordinator_a, recruiter=recruiter, workplace_ids=[mine.pk], person_ids=[child.pk]
    )
    assert list(recruiter.workplaces.all()) == [mine] and list(recruiter.placed_people.all()) == [child]


def test_the_visit_plan_prints_with_a_map(employer_world):
    from safepassage.testing import web_client

    world, mine, _ = employer_world
    services.workplace_update(
        actor=world.coordinator_a, workplace=mine, watch_listed=True, watch_reason="tips"
    )
    page = web_client(world.coordinator_a).get("/workplaces/watch/?print=1").content.decode()
    assert "Pier 4 processing" in page and 'class="plan-map"' in page


def test_rerating_ages_the_evidence(employer_world):
    from django.core.management import call_command

    _world, mine, _ = employer_world
    Observation.objects.filter(workplace=mine).update(observed_on=TODAY - timedelta(days=365))
    call_command("workplaces", "rerate")
    mine.refresh_from_db()
    assert mine.risk_score == 0.3  # 0.6 halved after a year


def test_a_partner_never_reads_the_breakdown_or_the_reasons(employer_world):
    world, mine, _ = employer_world
    services.workplace_update(
        actor=world.coordinator_a,
        workplace=mine,
        watch_listed=True,
        watch_reason="Tip: children on night shift",
    )
    services.rating_override(
        actor=world.coordinator_a, workplace=mine, band="high", reason="Two visits saw minors"
    )
    body = api_client(world.users["employer_user"]).get(f"/api/v1/workplaces/{mine.pk}").json()
    assert not {"risk_breakdown", "watch_reason", "override_reason"} & set(body)
    listed = api_client(world.users["employer_user"]).get("/api/v1/workplaces").json()["items"][0]
    assert not {"watch_reason", "override_reason"} & set(listed)
    staff = api_client(world.coordinator_a).get(f"/api/v1/workplaces/{mine.pk}").json()
    assert staff["risk_breakdown"] and staff["watch_reason"] == "Tip: children on night shift"
    from safepassage.testing import web_client

    page = web_client(world.users["employer_user"]).get(f"/workplaces/{mine.pk}/").content.decode()
    assert "children on night shift" not in page and "Two visits" not in page


def test_logging_an_intervention_and_attaching_a_photo_in_the_ui(employer_world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from safepassage.testing import web_client

    settings.MEDIA_ROOT = tmp_path
    world, mine, _ = employer_world
    client = web_client(world.caseworker_a)
    response = client.post(
        f"/workplaces/{mine.pk}/",
        {"action": "intervention", "happened_on": str(TODAY), "kind": "interception", "people_assisted": "2"},
    )
    assert response.status_code == 302 and mine.interventions.count() == 1
    photo = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n....", content_type="image/png")
    response = client.post(
        f"/workplaces/{mine.pk}/",
        {
            "action": "observe",
            "observed_on": str(TODAY),
            "source": "visit",
            "reliability": "B",
            "indicators": ["no_contract"],
            "attachment": photo,
        },
    )
    assert response.status_code == 302
    assert Observation.objects.filter(workplace=mine, attachments__isnull=False).count() == 1


def test_commitments_awards_and_violations_are_recorded(employer_world):
    world, mine, _ = employer_world
    employer = mine.employer
    client = api_client(world.coordinator_a)
    assert (
        client.post(
            f"/api/v1/employers/{employer.pk}/commitments",
            {"signed_on": str(TODAY), "text": "Pay on time", "signatories": ["Owner"]},
        ).status_code
        == 201
    )
    assert (
        client.post(
            f"/api/v1/employers/{employer.pk}/awards",
            {"awarded_on": str(TODAY), "name": "Provincial good employer"},
        ).status_code
        == 201
    )
    body = client.post(
        f"/api/v1/employers/{employer.pk}/violations",
        {"found_on": str(TODAY), "law": "Minimum wage", "outcome": "paid back"},
    ).json()
    assert body["awards"] == [{"awarded_on": str(TODAY), "name": "Provincial good employer"}]
    assert body["violations"][0]["law"] == "Minimum wage"
    late = client.post(
        f"/api/v1/employers/{employer.pk}/awards", {"awarded_on": str(TODAY + timedelta(days=3)), "name": "x"}
    )
    assert late.status_code == 400 and late.json()["errors"][0]["field"] == "awarded_on"
    # The partner employer reads its own record but cannot add to it.
    partner = api_client(world.users["employer_user"])
    assert (
        partner.post(
            f"/api/v1/employers/{employer.pk}/awards", {"awarded_on": str(TODAY), "name": "Self-awarded"}
        ).status_code
        == 404
    )
