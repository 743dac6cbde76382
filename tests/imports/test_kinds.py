"""Every module imports: households, observations, responders, and cases from IOM's HTCDS XLSForm."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert

from safepassage.cases.models import Case
from safepassage.imports import services
from safepassage.imports.models import ImportJob, Provenance
from safepassage.network.models import Responder
from safepassage.network.services import organisation_create
from safepassage.registry.models import Household
from safepassage.workplaces.models import Observation
from safepassage.workplaces.services import workplace_create

pytestmark = pytest.mark.django_db
HTCDS_FORM = "../shared/external/htcds/htcds_xlsform.xlsx"


def run(world: Any, kind: str, header: list[str], rows: list[list[Any]], **options: Any) -> ImportJob:
    out = io.StringIO()
    csv.writer(out).writerows([header, *rows])
    job = services.job_create(
        actor=world.coordinator_a,
        kind=kind,
        file_name=f"{kind}.csv",
        content=io.BytesIO(out.getvalue().encode()),
        **options,
    )
    job = services.job_check(job)
    if job.status == ImportJob.Status.CHECKED:
        job = services.job_apply(actor=world.coordinator_a, job=job)
    return job


def test_households_observations_and_responders(world):
    job = run(
        world, "households", ["village", "label"], [[world.village_1.code, "House 12"], ["50019999", "X"]]
    )
    assert [(p.row, p.column) for p in job.problems.all()] == [(3, "village")]
    job = run(world, "households", ["village", "label"], [[world.village_1.code, "House 12"]])
    assert job.status == "applied" and Household.objects.get().label == "House 12"

    site = workplace_create(actor=world.coordinator_a, name="Pier 4", sector="fishing", lat=13.5, lon=100.2)
    header = ["workplace", "date", "source", "reliability", "indicators", "notes"]
    job = run(
        world,
        "observations",
        header,
        [[site.pk, "02/01/2568", "visit", "B", "deception withholding_of_wages", ""]],
    )
    assert job.status == "applied", list(job.problems.all())
    seen = Observation.objects.get()
    assert seen.observed_on == date(2025, 1, 2) and seen.indicators == ["deception", "withholding_of_wages"]
    job = run(world, "observations", header, [[site.pk, "2025-01-03", "visit", "Z", "nonsense", ""]])
    assert {(p.row, p.column) for p in job.problems.all()} == {(2, "reliability"), (2, "indicators")}

    office = organisation_create(actor=world.coordinator_a, name="District office", kind="member")
    header = ["organisation", "name", "role", "languages", "areas"]
    job = run(world, "responders", header, [[office.pk, "Somchai", "police", "th my", world.village_1.code]])
    assert job.status == "applied", list(job.problems.all())
    responder = Responder.objects.get()
    assert responder.languages == ["th", "my"] and list(responder.areas.values_list("code", flat=True)) == [
        world.village_1.code
    ]
    assert Provenance.objects.filter(object_type="network.responder", object_id=responder.pk).exists()


def htcds_form_fields() -> tuple[list[str], dict[str, list[str]]]:
    book = load_workbook(HTCDS_FORM, read_only=True)
    fields = [r[1] for r in book["survey"].iter_rows(min_row=2, values_only=True) if r[0] and r[1]]
    choices: dict[str, list[str]] = {}
    for row in book["choices"].iter_rows(min_row=2, values_only=True):
        if row[0]:
            choices.setdefault(row[0], []).append(str(row[1]).strip())
    return fields, choices


def test_submissions_of_iom_htcds_xlsform_import_as_cases(world):
    warnings: list[str] = []
    convert(xlsform=HTCDS_FORM, warnings=warnings, validate=False)  # the real form, compiled
    fields, choices = htcds_form_fields()
    assert "vic_TraffickingStatus" in fields and "prs_First_Name" in fields
    answers = {
        "con_Consent": "TRUE",
        "prs_First_Name": "ມາລີ",
        "prs_Second_Name": "ແສງດາວ",
        "prs_Birthdate": "2009-04-02",
        "prs_Gender": "Feminine",
        "prs_Citizenship": "LA",
        "vic_MethodOfRecruitment": "ThroughFriendsOrSocialEvents ThroughOnlineSocialNetworks",
        "vic_TraffickingStatus": "ActualVictimOfTrafficking",
        "vic_TraffickingStatusDecisionMakingOrg": "Police",
        "vic_Methods_of_Control": "DebtBondage FalsePromises",
        "vic_TypeOfExploitation": "ForcedLabour",
        "vic_ForcedLabourIndustry": "C_Manufacturing",
        "cas_Status": "Active",
        "cas_IncomingReferralDate": "2025-06-01",
    }
    assert set(answers) <= set(fields)
    for value in answers["vic_Methods_of_Control"].split():
        assert value in choices["methodsofcontrol"]
    # A KoboToolbox export: the form's field names as headers, plus Kobo's own columns.
    header = [*fields, "_id", "_uuid", "_submission_time"]
    row = [answers.get(name, "") for name in fields] + ["1", "u-1", "2025-06-02T10:00:00"]
    job = run(world, "cases", header, [row], defaults={"village_code": world.village_1.code})
    assert job.status == "applied", list(job.problems.all())
    case = Case.objects.get()
    assert (case.person.given_name, case.person.family_name, case.person.sex) == ("ມາລີ", "ແສງດາວ", "female")
    assert case.person.birth_date == date(2009, 4, 2) and case.nationality == "LA"
    assert case.opened_on == date(2025, 6, 1)
    assert case.recruitment_methods == ["ThroughFriendsOrSocialEvents", "ThroughOnlineSocialNetworks"]
    assert case.control_methods == ["DebtBondage", "FalsePromises"]
    assert case.exploitation_types == ["ForcedLabour"] and case.labour_industry == "C_Manufacturing"
    assert (case.trafficking_status, case.status_decided_by_org) == ("ActualVictimOfTrafficking", "Police")


def test_a_case_row_with_unknown_codes_is_refused_with_the_column_named(world):
    header = ["prs_First_Name", "vic_TypeOfExploitation", "vic_TraffickingStatus"]
    job = run(world, "cases", header, [["Mya", "Slavery", "ActualVictimOfTrafficking"]])
    assert job.status == "problems"
    found = {(p.row, p.column) for p in job.problems.all()}
    # No village column and no default; an unknown exploitation code; a status without who decided it.
    assert (1, "Village code") in found
    job = run(
        world,
        "cases",
        header,
        [["Mya", "Slavery", "ActualVictimOfTrafficking"]],
        defaults={"village_code": world.village_1.code},
    )
    assert [(p.row, p.column) for p in job.problems.all()] == [(2, "vic_TypeOfExploitation")]
    assert "Slavery" in job.problems.get().reason
    job = run(
        world,
        "cases",
        header,
        [["Mya", "ForcedBegging", "ActualVictimOfTrafficking"]],
        defaults={"village_code": world.village_1.code},
    )
    # Named by what the user sees (the file has no such column), never by an internal field name.
    assert [(p.row, p.column) for p in job.problems.all()] == [(2, "Who decided the status")]
    assert Case.objects.count() == 0


def test_a_row_its_service_refuses_at_apply_fails_the_import_or_is_skipped_when_asked(world):
    first = workplace_create(actor=world.coordinator_a, name="Pier 4", sector="fishing", lat=13.5, lon=100.2)
    second = workplace_create(actor=world.coordinator_a, name="Pier 5", sector="fishing", lat=13.6, lon=100.2)
    out = io.StringIO()
    csv.writer(out).writerows(
        [
            ["workplace", "date", "source", "reliability"],
            [first.pk, "2025-01-02", "visit", "B"],
            [second.pk, "2025-01-02", "visit", "B"],
        ]
    )
    job = services.job_check(
        services.job_create(
            actor=world.coordinator_a,
            kind="observations",
            file_name="o.csv",
            content=io.BytesIO(out.getvalue().encode()),
        )
    )
    assert job.status == "checked"
    # Between the check and the apply, someone else's change makes row 3 refused by the service.
    type(second).objects.filter(pk=second.pk).update(agency=world.agency_b)
    failed = services.job_apply(actor=world.coordinator_a, job=job)
    assert failed.status == "failed" and "Row 3" in failed.message
    assert Observation.objects.count() == 0  # nothing in part
    applied = services.job_apply(actor=world.coordinator_a, job=failed, valid_only=True)
    assert applied.status == "applied" and applied.created == 1
    assert list(Observation.objects.values_list("workplace_id", flat=True)) == [first.pk]
