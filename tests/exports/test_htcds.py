"""HTCDS 2.0 exports: the standard's field names and code lists, identity only for case staff, XLSX = CSV,
formulas neutralised, only the agency's own cases."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook

from safepassage.accounts.models import Membership
from safepassage.exports import htcds, services
from safepassage.exports.models import Export
from safepassage.testing import PASSWORD, open_case
from tests.exports.conftest import make_cases, member, standard_fields, unzip

pytestmark = pytest.mark.django_db
PURPOSE = "Quarterly report to the national referral mechanism"


def export_table(
    world: Any, actor: Any, file_format: str = "csv", **options: Any
) -> tuple[Export, list[list]]:
    """Make an HTCDS export as `actor`; its rows as lists of strings (header first)."""
    export, password = services.export_create(
        actor=actor, kind="htcds", purpose=PURPOSE, file_format=file_format, **options
    )
    files = unzip(services.export_file(actor, export).read_bytes(), password)
    if file_format == "xlsx":
        book = load_workbook(io.BytesIO(member(files, ".xlsx")), read_only=True)
        table = [
            ["" if v is None else str(v) for v in row] for row in book["data"].iter_rows(values_only=True)
        ]
        return export, table
    return export, list(csv.reader(io.StringIO(member(files, ".csv").decode("utf-8-sig"))))


def test_every_column_is_an_htcds_field_and_every_coded_value_is_in_its_code_list(world):
    make_cases(world, 3)
    open_case(world, given_name="Ko", nationality="LA", relationship_to_trafficker="Unaquainted")
    export, table = export_table(world, world.coordinator_a)
    header, rows = table[0], table[1:]
    standard = standard_fields()
    assert len(standard) > 80  # the whole standard was read, not an empty sheet
    assert set(header) <= set(standard), set(header) - set(standard)
    assert len(rows) == 4 == export.rows
    coded = 0
    for row in rows:
        for column, value in zip(header, row, strict=True):
            if column == "prs_Citizenship":  # the standard says: ISO 3166 two-letter codes
                assert re.fullmatch(r"[A-Z]{2}", value), value
            elif standard[column] and value:
                for part in value.split(htcds.MULTI):
                    assert part in standard[column], (column, part)
                    coded += 1
    assert coded >= 4 * 5  # gender, status, decision org, type of exploitation… were really checked
    by_name = {row[header.index("prs_FirstName")]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_name["Mya1"]["vic_TypeOfExploitation"] == "ForcedLabour;SexualExploitation"
    assert by_name["Mya0"]["prs_Gender"] == "Feminine"
    assert by_name["Mya0"]["vic_TraffickingStatusDecisionMakingOrg"] == "Police"
    assert by_name["Ko"]["vic_RelationshipToTrafficker"] == "Unaquainted"
    assert by_name["Mya0"]["cas_IncomingReferralDate"] == "2026-01-05"


def test_the_test_of_code_lists_would_catch_a_value_outside_the_standard():
    standard = standard_fields()
    assert "Feminine" in standard["prs_Gender"] and "female" not in standard["prs_Gender"]
    assert "Familial" in standard["vic_RelationshipToTrafficker"]
    assert "prs_FirstName" in standard and "sp_CaseReference" not in standard


def test_names_and_id_numbers_only_for_the_agencys_coordinators(world):
    (case,) = make_cases(world, 1, given_name="Nang")
    _, table = export_table(world, world.coordinator_a)
    assert {"prs_FirstName", "prs_SecondName", "prs_Birthdate", "prs_IdentityNumber"} <= set(table[0])
    assert table[1][table[0].index("prs_FirstName")] == "Nang"
    # Agency administrators manage accounts, not victims (docs/roles.md): their file has no identity.
    export, table = export_table(world, world.admin_a)
    assert not set(htcds.IDENTITY_FIELDS) & set(table[0])
    assert len(table) == 2 and not export.identified
    assert "Nang" not in str(table) and case.reference not in str(table)


def test_the_xlsx_holds_the_same_rows_as_the_csv(world):
    make_cases(world, 4, nationality="KH")
    _, as_csv = export_table(world, world.coordinator_a)
    _, as_xlsx = export_table(world, world.coordinator_a, "xlsx")
    assert len(as_csv) == 5
    assert as_xlsx == as_csv


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_cells_that_a_spreadsheet_would_run_as_formulas_are_neutralised(world, file_format):
    for i, name in enumerate(['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tTab"]):
        open_case(world, given_name=name, nationality="MM", opened_on=date(2026, 1, 1 + i))
    _, table = export_table(world, world.coordinator_a, file_format)
    names = [row[table[0].index("prs_FirstName")] for row in table[1:]]
    assert names == ['\'=HYPERLINK("http://x")', "'+1+1", "'-2", "'@SUM(A1)", "'\tTab"]


def test_only_the_agencys_own_cases_in_the_period_asked(world):
    make_cases(world, 2, opened_on=date(2025, 3, 1))
    make_cases(world, 3, opened_on=date(2026, 1, 5))
    _, table = export_table(world, world.coordinator_b)  # agency B has no cases
    assert len(table) == 1
    export, table = export_table(
        world, world.coordinator_a, filters=services.Filters(date(2026, 1, 1), date(2026, 12, 31))
    )
    assert export.rows == 3 == len(table) - 1 and export.filters == {
        "opened_from": "2026-01-01",
        "opened_to": "2026-12-31",
    }
    assert {row[table[0].index("cas_IncomingReferralDate")] for row in table[1:]} == {"2026-01-05"}


def test_the_kind_may_carry_its_format(world):
    make_cases(world, 1)
    export, _ = services.export_create(actor=world.coordinator_a, kind="htcds_xlsx", purpose=PURPOSE)
    assert (export.kind, export.file_format) == ("htcds", "xlsx")


def test_a_coordinator_limited_to_some_areas_exports_only_those_areas(world):
    make_cases(world, 2)  # in village 1
    user = get_user_model().objects.create_user(username="coordinator_d2", password=PASSWORD)
    membership = Membership.objects.create(user=user, agency=world.agency_a, role="coordinator")
    membership.areas.set([world.district_2])
    export, table = export_table(world, user)
    assert export.rows == 0 and len(table) == 1
    membership.areas.set([world.district_1])
    user = get_user_model().objects.get(pk=user.pk)  # a fresh viewer
    export, table = export_table(world, user)
    assert export.rows == 2
