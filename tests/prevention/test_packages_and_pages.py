"""Who received what, through the pages, the API, the import and the volunteer's village page; the package
check on person, household and area views; findings with sealed attachments; scope and audit."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from safepassage.audit.models import AuditEvent
from safepassage.imports import services as imports
from safepassage.imports.models import ImportJob
from safepassage.prevention import package, services
from safepassage.prevention.models import Delivery, FindingAttachment
from safepassage.registry.services import household_create, person_create
from safepassage.testing import api_client, web_client

pytestmark = pytest.mark.django_db
DAY = date(2025, 5, 1)


def person(world, name="Noi", village=None, household=None):
    return person_create(
        actor=world.coordinator_a,
        village_code=(village or world.village_1).code,
        given_name=name,
        birth_year=2009,
        **({"household_id": household.pk} if household else {}),
    )


def give(world, code, **target):
    return services.delivery_record(actor=world.coordinator_a, intervention=code, started_on=DAY, **target)


def codes(found):
    return sorted(r.code for r in found.drifts)


def test_micro_finance_alone_drifts_until_information_is_added(world):
    noi = person(world)
    give(world, "micro_finance", person=noi)
    assert codes(package.person_package(noi)) == ["finance_without_information", "income_alone"]
    give(world, "vocational_training", person=noi)
    assert codes(package.person_package(noi)) == ["finance_without_information"]
    # a safe-migration session for the whole village counts for each of its people
    give(world, "safe_migration_info", village=world.village_1)
    assert codes(package.person_package(noi)) == []
    assert package.person_package(person(world, "Other")).drifts == []  # nothing received, nothing flagged


def test_the_flag_shows_on_the_person_household_and_village_pages(world):
    home = household_create(actor=world.coordinator_a, village_code=world.village_1.code, label="12")
    noi = person(world, household=home)
    give(world, "village_fund", household=home)
    page = web_client(world.caseworker_a).get(f"/risk/people/{noi.pk}/").content.decode()
    assert 'id="package-drift"' in page and "Micro-finance or a village fund without" in page
    page = web_client(world.caseworker_a).get(f"/prevention/households/{home.pk}/").content.decode()
    assert 'id="drifting"' in page
    page = web_client(world.volunteer_a).get(f"/prevention/villages/{world.village_1.code}/").content.decode()
    assert f'href="/prevention/people/{noi.pk}/"' in page and "package-drift" in page
    report = api_client(world.coordinator_a).get(f"/api/v1/prevention/packages?area={world.district_1.code}")
    assert report.json()["rows"] == [
        {"village": world.village_1.code, "village_name": world.village_1.name, "reached": 1, "drifting": 1}
    ]
    analyst = api_client(world.analyst_a).get(f"/api/v1/prevention/packages?area={world.district_1.code}")
    assert analyst.json()["rows"][0]["reached"] == "<11"


def test_package_rules_are_data(world):
    noi = person(world)
    give(world, "scholarship", person=noi)
    assert package.person_package(noi).drifts == []
    services.rule_save(
        actor=world.sysadmin,
        code="school_without_family",
        label={"en": "A scholarship without family support"},
        when_any=["scholarship"],
        unless_any=["group:support"],
    )
    assert codes(package.person_package(noi)) == ["school_without_family"]
    with pytest.raises(Exception, match="neither"):
        services.rule_save(
            actor=world.sysadmin, code="bad", label={"en": "x"}, when_any=["nothing"], unless_any=[]
        )
    with pytest.raises(Exception):  # noqa: B017 - only a system administrator changes the catalogue
        services.rule_save(
            actor=world.coordinator_a, code="x", label={"en": "x"}, when_any=["scholarship"], unless_any=[]
        )


def test_volunteer_records_help_for_several_people_of_their_village(world):
    a, b, c = person(world, "A"), person(world, "B"), person(world, "C", village=world.village_2)
    client = web_client(world.volunteer_a)
    url = f"/prevention/villages/{world.village_1.code}/"
    answer = client.post(
        url,
        {
            "what": "people",
            "many-intervention": "life_skills",
            "many-started_on": "2025-05-01",
            "person": [a.pk, b.pk, c.pk],
        },
    )
    assert answer.status_code == 302
    got = Delivery.objects.filter(intervention__code="life_skills")
    assert sorted(got.values_list("person_id", flat=True)) == [a.pk, b.pk]  # C lives elsewhere
    assert set(got.values_list("agency_id", flat=True)) == {world.agency_a.pk}
    assert (
        AuditEvent.objects.filter(actor=world.volunteer_a, action="prevention.delivery.create").count() == 2
    )
    assert (
        web_client(world.volunteer_a).get(f"/prevention/villages/{world.village_3.code}/").status_code == 404
    )
    assert web_client(world.volunteer_b).get(url).status_code == 404


def test_api_records_and_reads_and_another_agency_gets_404(world):
    noi = person(world)
    api = api_client(world.caseworker_a)
    made = api.post(
        "/api/v1/prevention/deliveries",
        {"intervention": "micro_finance", "started_on": "2025-05-01", "person_id": noi.pk},
    )
    assert made.status_code == 201 and made.json()["level"] == "person"
    bad = api.post(
        "/api/v1/prevention/deliveries",
        {"intervention": "nothing", "started_on": "2030-01-01", "person_id": noi.pk},
    )
    assert bad.status_code in (400, 422)
    body = api.get(f"/api/v1/prevention/people/{noi.pk}/package").json()
    assert body["drifting"] and body["deliveries"][0]["intervention"] == "micro_finance"
    assert AuditEvent.objects.filter(action="registry.person.view", object_id=str(noi.pk)).exists()
    assert (
        api_client(world.coordinator_b).get(f"/api/v1/prevention/people/{noi.pk}/package").status_code == 404
    )
    assert (
        api_client(world.coordinator_b)
        .post(
            "/api/v1/prevention/deliveries",
            {"intervention": "scholarship", "started_on": "2025-05-01", "person_id": noi.pk},
        )
        .status_code
        == 404
    )
    assert web_client(world.coordinator_b).get(f"/prevention/people/{noi.pk}/").status_code == 404


def test_import_of_peoples_interventions_names_row_column_and_reason(world, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    noi = person(world)
    other_agency = person_create(
        actor=world.coordinator_b, village_code=world.village_3.code, given_name="B", birth_year=2000
    )

    def run(rows):
        out = io.StringIO()
        csv.writer(out).writerows([["person", "intervention", "start", "end"], *rows])
        job = imports.job_create(
            actor=world.coordinator_a,
            kind="interventions",
            file_name="help.csv",
            content=io.BytesIO(out.getvalue().encode()),
        )
        job = imports.job_check(job)
        if job.status == ImportJob.Status.CHECKED:
            job = imports.job_apply(actor=world.coordinator_a, job=job)
        return job

    job = run(
        [
            [noi.pk, "scholarship", "2025-01-05", ""],
            [other_agency.pk, "scholarship", "2025-01-05", ""],
            [noi.pk, "flying lessons", "2025-01-05", ""],
            [noi.pk, "scholarship", "2025-03-01", "2025-02-01"],
        ]
    )
    problems = sorted((p.row, p.column) for p in job.problems.all())
    assert problems == [(3, "person"), (4, "intervention"), (5, "end")]
    assert all(p.reason for p in job.problems.all())
    assert not Delivery.objects.exists()
    job = run(
        [[noi.pk, "Safe-migration information", "05/01/2568", ""]]
    )  # by English name, Buddhist-era date
    assert job.status == "applied", list(job.problems.all())
    delivery = Delivery.objects.get()
    assert delivery.intervention.code == "safe_migration_info" and delivery.started_on == date(2025, 1, 5)


def test_findings_with_a_sealed_attachment_beside_the_village_risk(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = web_client(world.coordinator_a)
    url = f"/prevention/villages/{world.village_1.code}/"
    png = b"\x89PNG\r\n\x1a\n" + b"village map" * 20
    answer = client.post(
        url,
        {
            "what": "finding",
            "finding-kind": "participatory",
            "finding-held_on": "2025-04-02",
            "finding-title": "Young people's map of risks",
            "finding-findings": "Brokers come after the harvest.",
            "finding-participants": "14 young people, 3 mothers",
            "finding-file": SimpleUploadedFile("map.png", png, content_type="image/png"),
        },
    )
    assert answer.status_code == 302
    page = client.get(url).content.decode()
    assert (
        'id="village-risk"' in page
        and "Brokers come after the harvest." in page
        and "14 young people" in page
    )
    attachment = FindingAttachment.objects.get()
    stored = (tmp_path / attachment.file.name).read_bytes()
    assert b"village map" not in stored  # sealed on disk
    download = client.get(f"/prevention/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == png  # type: ignore[attr-defined]
    assert web_client(world.coordinator_b).get(f"/prevention/attachments/{attachment.pk}/").status_code == 404
    event = AuditEvent.objects.get(action="prevention.finding.create")
    assert "Brokers" not in str(event.changes)  # the findings are masked in the trail


def test_the_subject_access_file_lists_help_and_erasure_keeps_it_without_the_note(world):
    from safepassage.privacy.models import ErasureReason
    from safepassage.privacy.selectors import subject_access_text
    from safepassage.privacy.services import erase_person

    noi = person(world)
    services.delivery_record(
        actor=world.coordinator_a,
        intervention="scholarship",
        started_on=DAY,
        person=noi,
        note="Noi's school fees",
    )
    text = subject_access_text(actor=world.coordinator_a, person=noi)
    assert "Scholarship or education subsidy" in text and "Noi's school fees" in text
    erase_person(actor=world.coordinator_a, person=noi, reason=ErasureReason.PERSON_ASKED)
    kept = Delivery.objects.get()
    assert kept.note == "" and kept.intervention.code == "scholarship" and kept.started_on == DAY
