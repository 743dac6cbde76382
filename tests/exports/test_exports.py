"""Exports as a whole: encryption and its one-time password, purpose and audit, who may make and download
what, retention, the pages, the API and the command."""

from __future__ import annotations

import json
from datetime import date, timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from safepassage.audit.models import AuditEvent
from safepassage.exports import services
from safepassage.exports.models import Export
from safepassage.testing import api_client, web_client
from tests.exports.conftest import make_cases, member, unzip

pytestmark = pytest.mark.django_db
PURPOSE = "Case review with the MDT partners"


def make(actor: Any, kind: str = "htcds", **options: Any) -> tuple[Export, str | None]:
    return services.export_create(actor=actor, kind=kind, purpose=options.pop("purpose", PURPOSE), **options)


def download(actor: Any, export: Export) -> bytes:
    return services.export_file(actor, export).read_bytes()


def test_the_zip_opens_with_its_password_and_not_without_it(world):
    make_cases(world, 2)
    export, password = make(world.coordinator_a)
    data = download(world.coordinator_a, export)
    assert password and len(password) >= 20
    with pytest.raises(RuntimeError):
        unzip(data, None)
    with pytest.raises(RuntimeError):
        unzip(data, "not-the-password")
    files = unzip(data, password)
    assert member(files, ".csv").startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte-order mark
    import pyzipper

    with pyzipper.AESZipFile(services.export_file(world.coordinator_a, export)) as archive:
        (info,) = archive.infolist()
        assert info.flag_bits & 0x1 and info.wz_aes_vendor_id == b"AE"  # encrypted, WinZip AES
        assert info.wz_aes_strength == 3  # 3 = AES-256


def test_the_password_is_never_stored(world):
    make_cases(world, 1)
    export, password = make(world.coordinator_a)
    assert password and export.encrypted and export.sha256
    stored = json.dumps(list(Export.objects.values()), default=str)
    trail = json.dumps(list(AuditEvent.objects.values()), default=str)
    assert password not in stored and password not in trail


def test_the_file_on_disk_matches_its_checksum_and_lives_under_data_dir(world, settings):
    import hashlib

    export, _ = make(world.coordinator_a)
    path = services.export_file(world.coordinator_a, export)
    assert path.parent == settings.DATA_DIR / "exports"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == export.sha256


def test_only_an_administrator_may_make_an_unencrypted_file_and_it_is_recorded(world):
    make_cases(world, 1)
    with pytest.raises(ValidationError) as refused:
        make(world.coordinator_a, encrypt=False)
    assert "encrypt" in refused.value.message_dict
    export, password = make(world.admin_a, encrypt=False)
    assert password is None and not export.encrypted
    assert len(unzip(download(world.admin_a, export), None)) == 1
    event = AuditEvent.objects.get(action="exports.export.create")
    assert event.changes["encrypted"] is False and event.actor == world.admin_a


def test_the_purpose_is_required_and_the_error_names_it(world):
    for purpose in ("", "   ", "MDT"):
        with pytest.raises(ValidationError) as refused:
            make(world.coordinator_a, purpose=purpose)
        assert list(refused.value.message_dict) == ["purpose"]
    with pytest.raises(ValidationError) as refused:
        make(world.coordinator_a, kind="everything")
    assert "kind" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        make(world.coordinator_a, filters=services.Filters(date(2026, 2, 1), date(2026, 1, 1)))
    assert "opened_from" in refused.value.message_dict
    assert (
        not Export.objects.exists() and not AuditEvent.objects.filter(action__startswith="exports.").exists()
    )


def test_every_export_and_download_is_audited_with_purpose_kind_rows_and_filters(world):
    make_cases(world, 3)
    export, _ = make(world.coordinator_a, filters=services.Filters(date(2026, 1, 1), None))
    event = AuditEvent.objects.get(action="exports.export.create")
    assert event.actor == world.coordinator_a and event.agency == world.agency_a
    assert event.object_id == str(export.pk)
    assert event.changes["purpose"] == PURPOSE and event.changes["kind"] == "htcds"
    assert event.changes["rows"] == 3 and event.changes["filters"] == {"opened_from": "2026-01-01"}
    assert event.changes["identified"] is True
    download(world.coordinator_a, export)
    download(world.admin_a, export)
    downloads = AuditEvent.objects.filter(action="exports.export.download").order_by("pk")
    assert [e.actor for e in downloads] == [world.coordinator_a, world.admin_a]
    export.refresh_from_db()
    assert export.downloads == 2 and export.downloaded_at is not None


@pytest.mark.parametrize(
    "name",
    ["caseworker_a", "volunteer_a", "partner_a", "outsider", "sysadmin", "caseworker_b", "volunteer_b"],
)
def test_other_roles_may_make_no_export(world, name):
    for kind in ("htcds", "deidentified"):
        with pytest.raises(Http404):
            make(world.users[name], kind)


def test_analysts_get_the_deidentified_dataset_only(world):
    with pytest.raises(Http404):
        make(world.analyst_a, "htcds")
    export, _ = make(world.analyst_a, "deidentified")
    assert export.agency == world.agency_a


def test_nobody_may_export_another_agencys_cases(world):
    with pytest.raises(Http404):
        make(world.coordinator_b, agency=world.agency_a)


def test_only_the_requester_and_their_agencys_administrators_may_download(world):
    export, _ = make(world.coordinator_a)
    assert download(world.admin_a, export)
    for name in ("coordinator_b", "admin_b", "analyst_a", "caseworker_a", "outsider"):
        with pytest.raises(Http404):
            services.export_file(world.users[name], export)
    assert (
        web_client(world.coordinator_b).get(reverse("exports:download", args=[export.pk])).status_code == 404
    )
    assert web_client(world.analyst_a).get(reverse("exports:detail", args=[export.pk])).status_code == 404
    assert api_client(world.admin_b).get(f"/api/v1/exports/{export.pk}").status_code == 404
    assert api_client(world.admin_a).get(f"/api/v1/exports/{export.pk}/download").status_code == 200


def test_expired_files_are_purged_and_no_longer_downloadable(world, settings):
    settings.EXPORT_KEEP_HOURS = 2
    export, _ = make(world.coordinator_a)
    assert timedelta(hours=1) < export.expires_at - timezone.now() <= timedelta(hours=2)
    path = services.export_file(world.coordinator_a, export)
    assert services.exports_purge(now=timezone.now()) == 0
    assert services.exports_purge(now=export.expires_at) == 1
    export.refresh_from_db()
    assert export.stored_as == "" and not path.exists()
    assert AuditEvent.objects.filter(action="exports.export.purge").count() == 1
    with pytest.raises(Http404):
        services.export_file(world.coordinator_a, export)


def test_a_file_past_its_time_is_refused_before_the_purge_runs(world):
    export, _ = make(world.coordinator_a)
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    export.refresh_from_db()
    with pytest.raises(Http404):
        services.export_file(world.coordinator_a, export)


def test_the_purge_command(world):
    export, _ = make(world.coordinator_a)
    Export.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    out = StringIO()
    call_command("exports", "purge", stdout=out)
    assert out.getvalue().startswith("1 ")
    assert Export.objects.get().stored_as == ""


# Pages -----------------------------------------------------------------------------------------------------


def test_the_page_shows_the_password_once_and_the_encrypt_choice_only_to_administrators(world):
    make_cases(world, 2)
    client = web_client(world.coordinator_a)
    page = client.get(reverse("exports:list")).content.decode()
    assert 'name="purpose"' in page and 'name="encrypt"' not in page
    assert 'name="encrypt"' in web_client(world.admin_a).get(reverse("exports:list")).content.decode()
    response = client.post(
        reverse("exports:list"), {"kind": "htcds", "file_format": "csv", "purpose": PURPOSE, "encrypt": ""}
    )
    assert response.status_code == 201
    export = Export.objects.get()
    password = response.context["password"]
    assert password and password in response.content.decode() and export.encrypted  # no opting out
    detail = client.get(reverse("exports:detail", args=[export.pk])).content.decode()
    assert password not in detail and PURPOSE in detail
    data = client.get(reverse("exports:download", args=[export.pk])).getvalue()
    assert len(unzip(data, password)) == 1


def test_the_page_names_the_purpose_when_it_is_missing(world):
    response = web_client(world.coordinator_a).post(
        reverse("exports:list"), {"kind": "htcds", "file_format": "csv", "purpose": "short"}
    )
    assert response.status_code == 200 and "purpose" in response.context["form"].errors
    assert not Export.objects.exists()


def test_the_page_shows_the_suppression_report(world):
    make_cases(world, 12)
    make_cases(world, 1, nationality="VN", given_name="Lan")
    export, _ = make(world.coordinator_a, "deidentified")
    page = web_client(world.coordinator_a).get(reverse("exports:detail", args=[export.pk])).content.decode()
    assert 'id="suppression"' in page and "13 cases in, 12 in the file, 1 left out" in page


# API --------------------------------------------------------------------------------------------------------


def test_the_api_answers_with_the_password_once(world):
    make_cases(world, 11)
    client = api_client(world.analyst_a)
    response = client.post(
        "/api/v1/exports", {"kind": "deidentified_xlsx", "purpose": "Trends for the committee"}
    )
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["rows"] == 11 and body["password"] and body["id"] and body["file_format"] == "xlsx"
    assert body["suppression"]["k"] == 11 and body["suppression"]["records_out"] == 11
    again = client.get(f"/api/v1/exports/{body['id']}").json()
    assert "password" not in again and again["rows"] == 11
    listed = client.get("/api/v1/exports").json()
    assert [e["id"] for e in listed["items"]] == [body["id"]] and listed["count"] == 1
    data = client.get(f"/api/v1/exports/{body['id']}/download").getvalue()
    assert len(unzip(data, body["password"])) == 2  # the data and the suppression report


def test_the_api_names_the_purpose_when_it_is_missing(world):
    client = api_client(world.coordinator_a)
    for payload in ({"kind": "htcds", "purpose": ""}, {"kind": "htcds"}):
        response = client.post("/api/v1/exports", payload)
        assert response.status_code == 400
        assert [e["field"] for e in response.json()["errors"]] == ["purpose"]


def test_the_api_refuses_an_unencrypted_file_to_a_coordinator(world):
    response = api_client(world.coordinator_a).post(
        "/api/v1/exports", {"kind": "htcds", "purpose": PURPOSE, "encrypt": False}
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "encrypt"


# Command ----------------------------------------------------------------------------------------------------


def test_the_command_writes_an_encrypted_zip_and_prints_the_password(world, tmp_path):
    make_cases(world, 2, given_name="Hla")
    out = StringIO()
    target = tmp_path / "cases.zip"
    call_command(
        "export", "htcds", "--agency", "agency-a", "--purpose", PURPOSE, "--out", str(target), stdout=out
    )
    password = out.getvalue().rsplit(" ", 1)[1].strip()
    csv_text = member(unzip(target.read_bytes(), password), ".csv").decode("utf-8-sig")
    assert "Hla0" in csv_text and "prs_FirstName" in csv_text
    event = AuditEvent.objects.get(action="exports.export.create")
    assert event.actor is None and event.changes["via"] == "command line" and event.agency == world.agency_a


def test_the_command_names_what_is_missing(world, tmp_path):
    target = str(tmp_path / "x.zip")
    with pytest.raises(CommandError, match="--purpose"):
        call_command("export", "htcds", "--agency", "agency-a", "--out", target)
    with pytest.raises(CommandError, match="--agency"):
        call_command("export", "htcds", "--agency", "nope", "--purpose", PURPOSE, "--out", target)
    with pytest.raises(CommandError, match="--out"):
        call_command("export", "htcds", "--agency", "agency-a", "--purpose", PURPOSE)


def test_the_command_as_a_user_keeps_that_users_limits(world, tmp_path):
    make_cases(world, 11)
    target = tmp_path / "trends.zip"
    out = StringIO()
    call_command(
        "export",
        "deidentified",
        "--user",
        "analyst_a",
        "--purpose",
        PURPOSE,
        "--out",
        str(target),
        stdout=out,
    )
    password = out.getvalue().rsplit(" ", 1)[1].strip()
    assert "Mya" not in member(unzip(target.read_bytes(), password), ".csv").decode("utf-8-sig")
    assert Export.objects.get().requested_by == world.analyst_a
    with pytest.raises(CommandError, match="may not"):
        call_command("export", "htcds", "--user", "analyst_a", "--purpose", PURPOSE, "--out", str(target))
