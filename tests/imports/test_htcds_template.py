"""IOM's HTCDS Excel template, in and out, as IOM publishes it: filled through its own drop-downs (labels read
from its "validation" sheet), it imports with no mapping; the identified export in its layout imports again
into another agency and gives the same cases; a case without consent to share stays inside the agency."""

from __future__ import annotations

import io
import shutil
import warnings
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from openpyxl import load_workbook

from safepassage.audit.models import AuditEvent
from safepassage.cases import htcds_lists
from safepassage.cases.models import Case, Repatriation
from safepassage.cases.services import referral_create, transfer_packet
from safepassage.exports import services as exports
from safepassage.imports import services
from safepassage.imports.models import ImportJob
from safepassage.testing import directory_entry, open_case
from tests.exports.conftest import member, unzip

pytestmark = pytest.mark.django_db
HTCDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "external" / "htcds"
TEMPLATE = HTCDS_DIR / htcds_lists.TEMPLATE
PURPOSE = "Hand the cases to the partner shelter's own system"
# The template's fields compared after the round trip (status and consent included).
COMPARED = (
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "con_Consent",
    "vic_TraffickingStatus",
    "vic_TraffickinStatusDecisionMakingOrg",
    "vic_MethodOfRecruitment",
    "vic_MethodsOfControl",
    "vic_TypeOfExploitation",
    "vic_ForcedLabourIndustry",
    "vic_TypeOfSexExploitation",
    "cas_Status",
    "cas_IncomingReferralDate",
)


@pytest.fixture(autouse=True)
def _data_dir(settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path


@pytest.fixture
def template(tmp_path: Path) -> Path:
    if not TEMPLATE.exists():
        pytest.skip(f"IOM's HTCDS files belong beside the checkout: {HTCDS_DIR}")
    copy = tmp_path / "filled.xlsx"
    shutil.copy(TEMPLATE, copy)
    return copy


def _open(path: Path) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter(
            "ignore"
        )  # openpyxl drops the drop-downs' extension; the lists stay on the sheet
        return load_workbook(path)


def drop_downs(book: Any) -> dict[str, list[str]]:
    """The template's drop-down lists as its "validation" sheet holds them: list title → labels."""
    sheet = book["validation"]
    titles = {c.column: str(c.value) for c in sheet[3] if c.value}
    lists: dict[str, list[str]] = {title: [] for title in titles.values()}
    for row in sheet.iter_rows(min_row=4):
        for cell in row:
            if cell.column in titles and cell.value not in (None, ""):
                lists[titles[cell.column]].append(cell.value)
    return lists


def fill(path: Path, count: int) -> list[dict[str, Any]]:
    """Fill `count` varied cases into the template copy, each drop-down cell with a label of its own list, as
    Excel writes it; the rows as {field name: value written}."""
    book = _open(path)
    lists = drop_downs(book)
    sheet = book["Case Sheet"]
    names = {c.value: c.column for c in sheet[1] if c.value}
    pick = {
        "prs_Gender": lists["Gender"],
        "prs_Citizenship": lists["Country"],
        "vic_TraffickingStatus": lists["Trafficking Status"],
        "vic_TraffickinStatusDecisionMakingOrg": lists["Trafficking Status Decision Making Organization"],
        "vic_MethodOfRecruitment": lists["Method of Recruitment"],
        "vic_MethodsOfControl": lists["Methods of Control"],
        "vic_TypeOfExploitation": lists["Type of Exploitation"],
        "vic_ForcedLabourIndustry": lists["Forced Labour Industry"],
        "vic_TypeOfSexExploitation": lists["Type of Sex Exploitation"],
        "cas_Status": lists["Status"],
    }
    written = []
    for i in range(count):
        values: dict[str, Any] = {
            "prs_FirstName": f"Case{i:02d} ນາງ",
            "prs_SecondName": ["Aung", "Saengdao", "Nguyen", "ស្រី"][i % 4],
            "prs_Birthdate": datetime(1985 + i % 25, 1 + i % 12, 1 + i % 28),
            "con_Consent": "No" if i % 3 == 0 else "Yes",
            "cas_IncomingReferralDate": datetime(2025, 1 + i % 12, 2 + i % 27),
        }
        for field, labels in pick.items():
            values[field] = labels[(i * 7 + len(field)) % len(labels)]
        for field, value in values.items():
            sheet.cell(row=3 + i, column=names[field], value=value)
        written.append(values)
    book.save(path)
    return written


def upload(actor: Any, path: Path, village: str) -> ImportJob:
    job = services.job_create(
        actor=actor,
        kind="cases",
        file_name=path.name,
        content=io.BytesIO(path.read_bytes()),
        defaults={"village_code": village},
    )
    return services.job_check(job)


def as_template(case: Case) -> dict[str, Any]:
    """A case on the template's fields, as the template's labels."""
    from safepassage.exports import htcds

    out = htcds.template_row(case, identity=True)
    out["vic_TraffickinStatusDecisionMakingOrg"] = out.pop("vic_TraffickingStatusDecisionMakingOrg")
    return {k: out.get(k, "") for k in COMPARED}


def test_the_committed_label_lists_are_iom_s_own():
    if not TEMPLATE.exists():
        pytest.skip(f"IOM's HTCDS files belong beside the checkout: {HTCDS_DIR}")
    assert htcds_lists.build(HTCDS_DIR) == htcds_lists.load()
    status = htcds_lists.lookup("cas_Status")
    # The template writes "Follow up", IOM's XLSForm "Follow Up": one code.
    assert status[htcds_lists.key("Follow up")] == status[htcds_lists.key("Follow Up")] == "FollowUp"


def test_iom_s_template_filled_through_its_drop_downs_imports_and_goes_back_out_the_same(world, template):
    written = fill(template, 60)
    job = upload(world.coordinator_a, template, world.village_1.code)
    assert job.status == ImportJob.Status.CHECKED, list(job.problems.values_list("row", "column", "reason"))
    assert job.rows_total == 60  # the label row and the thousand numbered rows are not cases
    job = services.job_apply(actor=world.coordinator_a, job=job)
    assert job.status == ImportJob.Status.APPLIED and job.created == 60
    # Written in bulk: one audit event for the import's cases, holding their ids and no personal values.
    (event,) = AuditEvent.objects.filter(action="cases.case.bulk_open")
    assert len(event.changes["cases"]) == 60 and "Case00" not in str(event.changes)
    cases = {c.person.given_name: c for c in Case.objects.filter(agency=world.agency_a)}
    assert len(cases) == 60
    for values in written:
        case = cases[values["prs_FirstName"]]
        got = as_template(case)
        for field, value in values.items():
            expected = value.date() if isinstance(value, datetime) else value
            if field == "vic_TraffickinStatusDecisionMakingOrg" and not values["vic_TraffickingStatus"]:
                continue
            assert htcds_lists.key(got[field]) == htcds_lists.key(expected), (field, got[field], expected)
    statuses = {c.status for c in cases.values()}
    assert statuses == {"Active", "FollowUp", "Closed", "ClosedReferred"}
    assert sum(not c.consent_to_share for c in cases.values()) == 20
    trans = [c for c in cases.values() if c.gender.startswith("Transgender")]
    assert trans and {c.person.sex for c in trans} == {"other"}  # sex unchanged in kind, reports count other

    # A coordinator's identified export in the template's layout, into an empty agency.
    export, password = exports.export_create(
        actor=world.coordinator_a, kind="htcds", purpose=PURPOSE, file_format="iom"
    )
    files = unzip(exports.export_file(world.coordinator_a, export).read_bytes(), password)
    out = Path(template.parent / "export.xlsx")
    out.write_bytes(member(files, ".xlsx"))
    book = _open(out)
    assert book.sheetnames == ["Case Sheet", "about", "validation"]
    original = _open(TEMPLATE)["Case Sheet"]
    for row in (1, 2):
        assert [c.value for c in book["Case Sheet"][row]] == [c.value for c in original[row]][
            : len(book["Case Sheet"][row])
        ]
    assert export.rows == 40  # the 20 without consent stay inside the agency

    assert not Case.objects.filter(agency=world.agency_b).exists()
    again = upload(world.coordinator_b, out, world.village_3.code)
    assert again.status == ImportJob.Status.CHECKED, list(
        again.problems.values_list("row", "column", "reason")
    )
    assert again.rows_total == 40
    services.job_apply(actor=world.coordinator_b, job=again)
    copies = {c.person.given_name: c for c in Case.objects.filter(agency=world.agency_b)}
    assert len(copies) == 40
    for name, copy in copies.items():
        assert as_template(copy) == as_template(cases[name]), name


def test_every_problem_of_a_template_row_is_reported_at_once_naming_the_file_s_column(world, template):
    fill(template, 2)
    book = _open(template)
    sheet = book["Case Sheet"]
    names = {c.value: c.column for c in sheet[1] if c.value}
    sheet.cell(row=4, column=names["prs_Gender"], value="Feminin")
    sheet.cell(row=4, column=names["cas_Status"], value="Finished")
    sheet.cell(row=4, column=names["vic_TraffickinStatusDecisionMakingOrg"], value="Army")
    sheet.cell(row=4, column=names["con_Consent"], value="Maybe")
    book.save(template)
    job = upload(world.coordinator_a, template, world.village_1.code)
    found = {(p.row, p.column): p.reason for p in job.problems.all()}
    assert set(found) == {
        (4, "prs_Gender"),
        (4, "cas_Status"),
        (4, "vic_TraffickinStatusDecisionMakingOrg"),
        (4, "con_Consent"),
    }
    assert "Finished" in found[(4, "cas_Status")] and "Follow up" in found[(4, "cas_Status")]
    assert "Army" in found[(4, "vic_TraffickinStatusDecisionMakingOrg")]
    assert job.rows_total == 2 and job.rows_invalid == 1


def test_a_case_without_consent_is_not_referred_nor_sent_across_a_border_and_counts_in_the_aggregates(world):
    shared = open_case(world, given_name="Agreed", nationality="MM")
    private = open_case(world, given_name="Private", nationality="MM", consent_to_share=False)
    office_b = directory_entry(world, world.agency_b)
    refer = {
        "to_organisation_id": office_b.pk,
        "reason": "AdditionalServicesRequired",
        "services": ["legal_aid"],
        "consent": "person",
        "consent_on": date(2026, 1, 6),
    }
    with pytest.raises(ValidationError) as refused:
        referral_create(actor=world.caseworker_a, case=private, **refer)
    assert "not agreed" in str(refused.value.message_dict["consent"])
    assert referral_create(actor=world.caseworker_a, case=shared, **refer).pk
    with pytest.raises(ValidationError) as refused:
        transfer_packet(private, Repatriation(case=private))
    assert "consent_to_share" in refused.value.message_dict

    export, password = exports.export_create(actor=world.coordinator_a, kind="htcds", purpose=PURPOSE)
    text = member(unzip(exports.export_file(world.coordinator_a, export).read_bytes(), password), ".csv")
    assert b"Agreed" in text and b"Private" not in text and export.rows == 1
    counted, _password = exports.export_create(
        actor=world.coordinator_a, kind="deidentified", purpose=PURPOSE
    )
    assert counted.suppression["records_in"] == 2  # the private case is counted, without a name
