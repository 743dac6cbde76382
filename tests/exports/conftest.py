"""Shared for the exports tests: files under a temporary DATA_DIR, cases made with the cases services,
the HTCDS standard read from its own spreadsheet, zips opened with pyzipper."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import pyzipper

from safepassage.cases.services import event_add, status_decide
from safepassage.testing import World, open_case

STANDARD = (
    Path(__file__).resolve().parents[3] / "shared" / "external" / "htcds" / "HTCDS_Field_Standards_2.0.ods"
)
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


def standard_fields() -> dict[str, list[str]]:
    """Every HTCDS field name with its code list (empty for free fields), read from the standard's .ods."""
    with zipfile.ZipFile(STANDARD) as archive:
        root = ET.fromstring(archive.read("content.xml"))  # noqa: S314 - the standard's own file
    fields: dict[str, list[str]] = {}
    for row in root.iter(f"{{{TABLE}}}table-row"):
        cells: list[str] = []
        for cell in row.iter(f"{{{TABLE}}}table-cell"):
            repeat = min(int(cell.get(f"{{{TABLE}}}number-columns-repeated", "1")), 3)
            cells.extend(["\n".join("".join(p.itertext()) for p in cell.iter(f"{{{TEXT}}}p"))] * repeat)
        if len(cells) > 9 and cells[6].count("_") == 1 and cells[6] != "Field Name including Prefix":
            fields[cells[6]] = [v.strip() for v in cells[9].split("\n") if v.strip() and " " not in v.strip()]
    return fields


def make_cases(
    world: World,
    n: int,
    *,
    nationality: str = "MM",
    birth_year: int = 2010,
    given_name: str = "Mya",
    exploited_in: str = "",
    opened_on: date = date(2026, 1, 5),
) -> list[Any]:
    """n cases of agency A made through the cases services, decided as actual victims."""
    made = []
    for i in range(n):
        case = open_case(
            world,
            given_name=given_name if n == 1 else f"{given_name}{i}",
            birth_year=birth_year,
            opened_on=opened_on,
            nationality=nationality,
            exploitation_types=["ForcedLabour", "SexualExploitation"] if i % 2 else ["ForcedLabour"],
            control_methods=["DebtBondage", "WithholdsDocuments"],
            recruitment_methods=["ThroughFriendsOrSocialEvents"],
            labour_industry="C_Manufacturing",
        )
        if exploited_in:
            event_add(
                actor=world.caseworker_a,
                case=case,
                kind="exploitation",
                occurred_on=opened_on,
                country=exploited_in,
            )
        made.append(
            status_decide(
                actor=world.caseworker_a,
                case=case,
                status="ActualVictimOfTrafficking",
                decided_by_org="Police",
                decided_on=opened_on,
            )
        )
    return made


def unzip(data: bytes, password: str | None) -> dict[str, bytes]:
    """Every file of an export's zip (RuntimeError when the password is missing or wrong)."""
    with pyzipper.AESZipFile(io.BytesIO(data)) as archive:
        if password:
            archive.setpassword(password.encode())
        return {name: archive.read(name) for name in archive.namelist()}


def member(files: dict[str, bytes], suffix: str) -> bytes:
    (name,) = [n for n in files if n.endswith(suffix)]
    return files[name]
