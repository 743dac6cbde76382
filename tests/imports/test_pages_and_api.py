"""The import pages and API: upload, problems shown by row and column, apply, background progress."""

from __future__ import annotations

import io
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from safepassage.imports.models import ImportJob, MappingProfile
from safepassage.registry.models import Person
from safepassage.testing import api_client, build_world, web_client

pytestmark = pytest.mark.django_db


def people_csv(world, *rows: str) -> bytes:
    return ("Name;Village\n" + "".join(f"{r};{world.village_1.code}\n" for r in rows)).encode()


def test_upload_map_the_columns_save_the_mapping_and_apply_on_the_page(world):
    client = web_client(world.coordinator_a)
    upload = SimpleUploadedFile("list.csv", people_csv(world, "Malai", "=cmd"), content_type="text/csv")
    response = client.post(
        reverse("imports:list"), {"kind": "people", "file": upload, "source": "Tambon office"}
    )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:detail", args=[job.pk])
    # "Name" is found as the given name (an alias); "Village" too; the formula row is refused.
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "formula" in page and "Tambon office" in page and "Add only the 1 row without problems" in page
    response = client.post(
        reverse("imports:remap", args=[job.pk]),
        {"map_given_name": "Name", "map_village_code": "Village", "save_as": "Tambon office lists"},
    )
    assert response.status_code == 302
    profile = MappingProfile.objects.get()
    assert profile.columns == {"given_name": "Name", "village_code": "Village"}
    client.post(reverse("imports:apply", args=[job.pk]))  # all rows: refused, nothing added
    assert Person.objects.count() == 0
    client.post(reverse("imports:apply", args=[job.pk]), {"valid_only": "yes"})
    assert list(Person.objects.values_list("given_name", flat=True)) == ["Malai"]
    page = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'id="import-created">1<' in page
    csv_text = client.get(reverse("imports:problems_csv", args=[job.pk])).content.decode()
    assert csv_text.lstrip("\ufeff").splitlines()[1].startswith('3,"Name",')


def test_another_agency_cannot_see_or_apply_an_import(world):
    job = ImportJob.objects.create(agency=world.agency_a, kind="people", file_name="x.csv", stored_as="x.csv")
    for url in (reverse("imports:detail", args=[job.pk]), reverse("imports:problems_csv", args=[job.pk])):
        assert web_client(world.coordinator_b).get(url).status_code == 404
    assert api_client(world.coordinator_b).post(f"/api/v1/imports/{job.pk}/apply", {}).status_code == 404


def test_the_api_takes_a_multipart_upload_and_reports_problems_by_row(world):
    client = api_client(world.coordinator_a)
    data = f"given_name,village_code,birth_date\nKham,{world.village_1.code},31/02/2010\n".encode()
    response = client.client.post(
        "/api/v1/imports",
        {"kind": "people", "file": io.BytesIO(data)},
        headers=client.headers,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "problems" and body["rows_invalid"] == 1
    problems = client.get(f"/api/v1/imports/{body['id']}/problems").json()["items"]
    assert problems == [
        {
            "row": 2,
            "column": "birth_date",
            "reason": "31/02/2010 is not a date that exists.",
            "assessment_only": False,
            "person": None,
        }
    ]
    response = client.post(f"/api/v1/imports/{body['id']}/apply", {})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "apply_valid_only"
    response = client.client.post("/api/v1/imports", {"kind": "passports"}, headers=client.headers)
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"kind", "file"}


@pytest.mark.django_db(transaction=True)
def test_a_large_file_is_checked_and_applied_in_the_background_with_progress(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    settings.IMPORT_INLINE_BYTES = 0  # every file counts as large
    world = build_world()

    client = api_client(world.coordinator_a)
    rows = "".join(f"P{n},{world.village_1.code}\n" for n in range(3000))
    response = client.client.post(
        "/api/v1/imports",
        {"kind": "people", "file": io.BytesIO(("given_name,village_code\n" + rows).encode())},
        headers=client.headers,
    )
    assert response.status_code == 201
    job_id = response.json()["id"]

    def wait_for(*statuses: str) -> dict:
        for _ in range(300):
            body = client.get(f"/api/v1/imports/{job_id}").json()
            if body["status"] in statuses:
                return body
            time.sleep(0.1)
        raise AssertionError(f"import still {body['status']}")

    body = wait_for("checked", "problems", "failed")
    assert body["status"] == "checked" and body["rows_total"] == 3000 and body["rows_done"] == 3000
    response = client.post(f"/api/v1/imports/{job_id}/apply", {})
    assert response.status_code == 200
    body = wait_for("applied", "failed")
    assert body["created"] == 3000
    assert Person.objects.filter(agency=world.agency_a).count() == 3000


def test_an_interrupted_step_is_shown_as_such_and_can_be_run_again(world):
    from datetime import timedelta

    from django.utils import timezone

    from safepassage.imports import services

    data = f"given_name,village_code\nMalai,{world.village_1.code}\n".encode()
    job = services.job_create(
        actor=world.coordinator_a, kind="people", file_name="a.csv", content=io.BytesIO(data)
    )
    # The server died while checking: status "checking", no progress for longer than the limit.
    long_ago = timezone.now() - timedelta(seconds=services.stale_seconds() + 60)
    ImportJob.objects.filter(pk=job.pk).update(status="checking", updated_at=long_ago)
    body = api_client(world.coordinator_a).get(f"/api/v1/imports/{job.pk}").json()
    assert body["status"] == "uploaded" and "interrupted" in body["message"]
    assert api_client(world.coordinator_a).post(f"/api/v1/imports/{job.pk}/apply", {}).status_code == 400
    web_client(world.coordinator_a).post(reverse("imports:remap", args=[job.pk]), {})
    assert ImportJob.objects.get(pk=job.pk).status == "checked"


def test_the_progress_bar_knows_about_how_many_rows_to_expect(tmp_path):
    from safepassage.imports import reading

    target = tmp_path / "rows.csv"
    target.write_text("a\n" + "1\n" * 250)
    info = reading.inspect(target)
    assert reading.estimate_rows(target, info) == 250


def test_reading_an_imports_rows_is_audited(world):
    from safepassage.audit.models import AuditEvent

    upload = SimpleUploadedFile("list.csv", people_csv(world, "Malai"), content_type="text/csv")
    client = web_client(world.coordinator_a)
    client.post(reverse("imports:list"), {"kind": "people", "file": upload})
    job = ImportJob.objects.get()
    client.get(reverse("imports:detail", args=[job.pk]))
    api_client(world.coordinator_a).get(f"/api/v1/imports/{job.pk}")
    reads = AuditEvent.objects.filter(action="imports.importjob.view", object_id=str(job.pk))
    assert reads.count() == 2
