"""Exports: HTCDS field names and code lists, CTDC-style k-anonymity, encryption, purpose and audit."""

from __future__ import annotations

import csv
import io
import random
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import pyzipper
from django.core.exceptions import ValidationError
from django.http import Http404
from openpyxl import load_workbook

from safepassage.audit.models import AuditEvent
from safepassage.cases.services import status_decide
from safepassage.exports import datasets, services
from safepassage.exports.models import Export
from safepassage.testing import api_client, open_case, web_client

pytestmark = pytest.mark.django_db
STANDARD = (
    Path(__file__).resolve().parents[3] / "shared" / "external" / "htcds" / "HTCDS_Field_Standards_2.0.ods"
)
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def standard_fields() -> dict[str, list[str]]:
    """Every HTCDS field name with its code list (empty for free fields), read from the standard."""
    with zipfile.ZipFile(STANDARD) as archive:
        root = ET.fromstring(archive.read("content.xml"))  # noqa: S314 - the standard's own file
    fields: dict[str, list[str]] = {}
    for row in root.iter(f"{{{TABLE}}}table-row"):
        cells = []
        for cell in row.iter(f"{{{TABLE}}}table-cell"):
            repeat = min(int(cell.get(f"{{{TABLE}}}number-columns-repeated", "1")), 3)
            cells.extend(["\n".join("".join(p.itertext()) for p in cell.iter(f"{{{TEXT}}}p"))] * repeat)
        if len(cells) > 9 and cells[6] and cells[6] != "Field Name including Prefix":
            fields[cells[6]] = [v.strip() for v in cells[9].split("\n") if v.strip() and " " not in v.strip()]
    return fields


def cases(world, n: int = 3) -> list:
    made = []
    for i in range(n):
        case = open_case(
            world,
            given_name='=HYPERLINK("x")' if i == 0 else f"Mya{i}",
            nationality="MM",
            exploitation_types=["ForcedLabour", "SexualExploitation"] if i % 2 else ["ForcedLabour"],
            control_methods=["DebtBondage", "WithholdsDocuments"],
            recruitment_methods=["ThroughFriendsOrSocialEvents"],
            labour_industry="C_Manufacturing",
        )
        made.append(
            status_decide(
                actor=world.caseworker_a,
                case=case,
                status="ActualVictimOfTrafficking",
                decided_by_org="Police",
                decided_on=date(2026, 1, 6),
            )
        )
    return made


def unzip(data: bytes, password: str | None) -> dict[str, bytes]:
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        if password:
            archive.setpassword(password.encode())
        return {name: archive.read(name) for name in archive.namelist()}


def test_htcds_export_uses_the_standards_field_names_and_code_lists(world):
    cases(world)
    export, password = services.export_create(
        actor=world.coordinator_a, kind="htcds", purpose="Quarterly report to the national referral mechanism"
    )
    files = unzip(services.export_for_download(world.coordinator_a, export), password)
    (name,) = [n for n in files if n.endswith(".csv")]
    table = list(csv.reader(io.StringIO(files[name].decode("utf-8-sig"))))
    header, rows = table[0], table[1:]
    standard = standard_fields()
    assert header[0] == "sp_CaseReference"  # our one extension, marked by its prefix
    assert set(header[1:]) <= set(standard), set(header[1:]) - set(standard)
    assert len(rows) == 3 == export.rows
    for row in rows:
        for column, value in zip(header[1:], row[1:], strict=True):
            codes = standard[column]
            if codes and value and column != "prs_Citizenship":
                for part in value.split(";"):
                    assert part in codes, (column, part)
    first = dict(zip(header, rows[0], strict=True))
    assert first["prs_FirstName"] == '\'=HYPERLINK("x")'  # a formula cannot run in a spreadsheet
    assert first["vic_TypeOfExploitation"] == "ForcedLabour" and first["prs_Gender"] == "Feminine"
    assert first["vic_TraffickingStatusDecisionMakingOrg"] == "Police"


def test_the_zip_opens_with_its_password_only_and_xlsx_holds_the_same_rows(world):
    cases(world, 2)
    export, password = services.export_create(
        actor=world.coordinator_a,
        kind="htcds",
        file_format="xlsx",
        purpose="Case review with the MDT partners",
    )
    data = services.export_for_download(world.coordinator_a, export)
    with pytest.raises(RuntimeError):
        unzip(data, None)
    with pytest.raises(RuntimeError):
        unzip(data, "wrong password")
    files = unzip(data, password)
    book = load_workbook(io.BytesIO(next(v for k, v in files.items() if k.endswith(".xlsx"))), read_only=True)
    rows = list(book["data"].iter_rows(values_only=True))
    assert rows[0][0] == "sp_CaseReference" and len(rows) == 3
    assert password and Export.objects.get().sha256
    assert password not in str(Export.objects.values().get())  # the password is never stored


def generated_rows(n: int, seed: int = 3) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        rows.append(
            {
                "yearOfRegistration": str(rng.choice([2023, 2024, 2025])),
                "ageBroad": rng.choice(["9--17", "18--20", "21--23", "30--38"]),
                "gender": rng.choice(["Feminine", "Masculine"]),
                "citizenship": rng.choices(["MM", "LA", "KH", "VN", "CN"], weights=[60, 20, 10, 7, 3])[0],
                "countryOfExploitation": rng.choices(["TH", "MY", "CN", "JP"], weights=[80, 10, 7, 3])[0],
                "isForcedLabour": rng.randint(0, 1),
            }
        )
    return rows


@pytest.mark.parametrize("n", [30, 400, 3000])
def test_every_group_of_quasi_identifiers_holds_at_least_eleven_and_the_report_adds_up(n):
    rows = generated_rows(n)
    kept, report = datasets.deidentify(rows)
    groups = Counter(tuple(r[q] for q in datasets.QUASI_IDENTIFIERS) for r in kept)
    assert all(size >= 11 for size in groups.values())
    assert report.records_in == n and report.records_out == len(kept)
    assert report.records_in - report.records_out == report.records_dropped
    blanked = sum(r[q] == datasets.SUPPRESSED for r in kept for q in datasets.QUASI_IDENTIFIERS)
    assert blanked <= sum(report.blanked.values())
    if n >= 400:
        assert len(kept) > n * 0.8  # it generalises before it drops


def test_the_deidentified_export_has_no_identifiers_and_years_only(world):
    made = cases(world, 12)
    export, password = services.export_create(
        actor=world.analyst_a, kind="deidentified", purpose="Annual trends for the provincial committee"
    )
    files = unzip(services.export_for_download(world.analyst_a, export), password)
    text = b"".join(files.values()).decode("utf-8-sig")
    for case in made:
        assert case.person.given_name not in text and case.reference not in text
    assert "2026-01-05" not in text and "2026" in text
    (name,) = [n for n in files if n.endswith(".csv")]
    rows = list(csv.DictReader(io.StringIO(files[name].decode("utf-8-sig"))))
    assert len(rows) == 12 and export.suppression["records_out"] == 12
    assert {r["ageBroad"] for r in rows} == {"9--17"} and {r["isForcedLabour"] for r in rows} == {"1"}
    assert any(n.endswith("suppression.txt") for n in files)


def test_purpose_required_audited_and_only_admins_skip_encryption(world):
    with pytest.raises(ValidationError) as refused:
        services.export_create(actor=world.coordinator_a, kind="htcds", purpose=" ")
    assert "purpose" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.export_create(
            actor=world.coordinator_a, kind="htcds", purpose="For the MDT meeting", encrypt=False
        )
    assert "encrypt" in refused.value.message_dict
    export, _ = services.export_create(actor=world.coordinator_a, kind="htcds", purpose="For the MDT meeting")
    event = AuditEvent.objects.get(action="exports.export.create")
    assert event.changes["purpose"] == "For the MDT meeting" and event.changes["rows"] == 0
    services.export_for_download(world.coordinator_a, export)
    assert AuditEvent.objects.filter(action="exports.export.download").count() == 1


def test_who_may_export_and_download(world):
    for name in ("caseworker_a", "volunteer_a", "partner_a", "admin_a", "outsider"):
        with pytest.raises(Http404):
            services.export_create(actor=world.users[name], kind="htcds", purpose="For the MDT meeting")
    with pytest.raises(Http404):  # analysts: de-identified only
        services.export_create(actor=world.analyst_a, kind="htcds", purpose="For the MDT meeting")
    export, _ = services.export_create(actor=world.coordinator_a, kind="htcds", purpose="For the MDT meeting")
    for name in ("coordinator_b", "analyst_a"):
        with pytest.raises(Http404):
            services.export_for_download(world.users[name], export)
    assert web_client(world.coordinator_b).get(f"/exports/{export.pk}/download/").status_code == 404
    assert api_client(world.coordinator_b).get(f"/api/v1/exports/{export.pk}").status_code == 404


def test_the_api_answers_with_the_password_once(world):
    cases(world, 1)
    client = api_client(world.coordinator_a)
    response = client.post("/api/v1/exports", {"kind": "htcds", "purpose": "Referral to the shelter"})
    assert response.status_code == 201
    body = response.json()
    assert body["rows"] == 1 and body["password"]
    again = client.get(f"/api/v1/exports/{body['id']}").json()
    assert "password" not in again
    data = client.get(f"/api/v1/exports/{body['id']}/download").content
    assert len(unzip(data, body["password"])) == 1
    response = client.post("/api/v1/exports", {"kind": "htcds", "purpose": ""})
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "purpose"


def test_expired_files_are_purged_and_no_longer_downloadable(world, settings):
    export, _ = services.export_create(actor=world.coordinator_a, kind="htcds", purpose="For the MDT meeting")
    from django.utils import timezone

    assert services.exports_purge(now=timezone.now()) == 0
    assert services.exports_purge(now=export.expires_at) == 1
    export.refresh_from_db()
    assert export.stored_as == ""
    with pytest.raises(Http404):
        services.export_for_download(world.coordinator_a, export)
