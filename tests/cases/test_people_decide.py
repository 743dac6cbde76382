"""People decide (issue 16): screening suggests a track and a caseworker may decide another, with a reason;
a lifecycle cannot drop the best-interests step before a return; a child's shelter placement rests on a
best-interests assessment; the labour-rights code `irregular_deposit` replaced the old one in stored
records."""

import importlib
import json
from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.cases import services, stages
from safepassage.cases.models import Case, Screening, Stage
from safepassage.testing import api_client, directory_entry, open_case, web_client

pytestmark = pytest.mark.django_db

REASON = "Police found debt bondage after screening: treat as trafficking."


def _screened_labour(world) -> Case:
    case = open_case(world, given_name="Adult", birth_year=1990)
    services.screening_record(
        actor=world.caseworker_a,
        case=case,
        screened_on=date(2026, 1, 6),
        acts=["recruitment"],
        purposes=["forced_labour"],
        labour_issues=["irregular_deposit"],
    )
    case.refresh_from_db()
    assert case.track == case.screened_track == "labour"
    return case


# ------------------------------------------------------------------------------------------ track override


def test_a_caseworker_overrides_the_screened_track_with_a_reason_and_both_are_kept(world):
    case = _screened_labour(world)
    with pytest.raises(ValidationError) as error:
        services.track_override(actor=world.caseworker_a, case=case, track="trafficking", reason="  ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.track_override(actor=world.caseworker_a, case=case, track="smuggling", reason=REASON)
    assert "track" in error.value.message_dict

    services.track_override(actor=world.caseworker_a, case=case, track="trafficking", reason=REASON)
    case.refresh_from_db()
    assert (case.track, case.screened_track) == ("trafficking", "labour")
    assert case.track_override_reason == REASON and case.track_overridden_by == world.caseworker_a

    # A later screening updates the suggestion, never the person's decision.
    services.screening_record(
        actor=world.caseworker_a,
        case=case,
        screened_on=date(2026, 1, 8),
        acts=["recruitment"],
        purposes=["forced_labour"],
        labour_issues=["unpaid_wages"],
    )
    case.refresh_from_db()
    assert (case.track, case.screened_track) == ("trafficking", "labour")

    event = AuditEvent.objects.get(action="cases.track.override", object_id=str(case.pk))
    assert event.changes["track"] == {"before": "labour", "after": "trafficking"}
    assert REASON not in json.dumps(event.changes)  # the reason's words stay on the case

    # Choosing screening's track again ends the override.
    services.track_override(actor=world.caseworker_a, case=case, track="labour", reason="Re-assessed.")
    case.refresh_from_db()
    assert case.track == "labour" and case.track_override_reason == "" and case.track_overridden_by is None


def test_the_api_shows_the_screened_track_and_the_override_and_others_get_404(world):
    case = _screened_labour(world)
    client = api_client(world.caseworker_a)
    response = client.post(f"/api/v1/cases/{case.pk}/track", {"track": "trafficking", "reason": ""})
    assert response.status_code in (400, 422)
    assert "reason" in response.content.decode()
    response = client.post(f"/api/v1/cases/{case.pk}/track", {"track": "trafficking", "reason": REASON})
    assert response.status_code == 200
    body = client.get(f"/api/v1/cases/{case.pk}").json()
    assert body["track"] == "trafficking" and body["screened_track"] == "labour"
    assert body["track_override"]["reason"] == REASON
    assert body["track_override"]["by"] == world.caseworker_a.get_username()
    for persona in ("caseworker_b", "volunteer_a", "partner_a"):
        other = api_client(world.users[persona])
        answer = other.post(f"/api/v1/cases/{case.pk}/track", {"track": "labour", "reason": "x"})
        assert answer.status_code in (403, 404), persona
    case.refresh_from_db()
    assert case.track == "trafficking"


def test_the_case_page_shows_both_tracks_and_the_form_decides(world):
    case = _screened_labour(world)
    client = web_client(world.caseworker_a)
    response = client.post(
        reverse("cases:case_add", args=[case.pk, "track"]), {"track": "trafficking", "reason": REASON}
    )
    assert response.status_code == 302
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    track = page[page.index('id="track"') :].split("</p>")[0]
    assert "Trafficking" in track and "screening suggested" in track and "Labour rights" in track
    assert REASON in track and world.caseworker_a.get_username() in track
    assert reverse("cases:case_add", args=[case.pk, "track"]) in page


# --------------------------------------------------------------------------------------------- lifecycle


def _default() -> dict:
    return json.loads(stages.DEFAULT_FILE.read_text(encoding="utf-8"))


def test_the_default_lifecycle_returns_only_after_best_interests():
    rows = stages.parse(_default())
    codes = [r["code"] for r in rows]
    assert codes.index("best_interests") < codes.index("return")
    assert "best_interests" in rows[codes.index("return")]["requires"]


def test_a_lifecycle_whose_return_does_not_require_best_interests_is_refused(tmp_path):
    data = _default()
    number = next(n for n, s in enumerate(data["stages"], start=1) if s["code"] == "return")
    data["stages"][number - 1].pop("requires")
    with pytest.raises(ValidationError) as error:
        stages.parse(data)
    assert f"stages[{number}]" in error.value.message_dict
    assert "return" in error.value.message_dict[f"stages[{number}]"][0]

    before = list(Stage.objects.values_list("code", "requires", "active"))
    path = tmp_path / "no-best-interests.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(
        CommandError, match=rf"no-best-interests.json: stages\[{number}\]: .*return.*best_interests"
    ):
        call_command("cases", "stages", "load", str(path), stdout=StringIO())
    assert list(Stage.objects.values_list("code", "requires", "active")) == before


def test_a_lifecycle_that_drops_the_best_interests_stage_before_the_return_is_refused(tmp_path):
    data = _default()
    data["stages"] = [s for s in data["stages"] if s["code"] != "best_interests"]
    number = next(n for n, s in enumerate(data["stages"], start=1) if s["code"] == "return")
    with pytest.raises(ValidationError) as error:
        stages.parse(data)
    assert "best_interests before it" in " ".join(error.value.message_dict[f"stages[{number}]"])

    moved = _default()
    best = next(s for s in moved["stages"] if s["code"] == "best_interests")
    moved["stages"].remove(best)
    moved["stages"].insert(len(moved["stages"]) - 1, best)  # after the return
    path = tmp_path / "late.json"
    path.write_text(json.dumps(moved), encoding="utf-8")
    with pytest.raises(CommandError, match=r"late.json: stages\[\d+\]: .*best_interests before it"):
        call_command("cases", "stages", "load", str(path), stdout=StringIO())


# --------------------------------------------------------------------------------------- shelter placement


def test_a_child_is_placed_in_a_shelter_only_after_a_best_interests_assessment(world):
    case = open_case(world, birth_year=2012)
    shelter = directory_entry(world, world.agency_a, kind="shelter", name="Safe House")
    with pytest.raises(ValidationError) as error:
        services.shelter_stay_start(
            actor=world.caseworker_a, case=case, shelter_id=shelter.pk, started_on=date(2026, 1, 10)
        )
    assert "best-interests assessment" in error.value.message_dict["best_interests"][0]
    assert not case.shelter_stays.exists()

    services.best_interests_record(
        actor=world.caseworker_a,
        case=case,
        assessed_on=date(2026, 1, 12),
        assessor="S. Social worker, PSDHS",
        views="Wants to be safe and keep going to school.",
        recommendation="not_yet",
    )
    with pytest.raises(ValidationError):  # an assessment made after the placement does not count
        services.shelter_stay_start(
            actor=world.caseworker_a, case=case, shelter_id=shelter.pk, started_on=date(2026, 1, 10)
        )
    stay = services.shelter_stay_start(
        actor=world.caseworker_a, case=case, shelter_id=shelter.pk, started_on=date(2026, 1, 12)
    )
    assert stay.pk


def test_the_api_and_the_form_refuse_a_childs_placement_naming_the_assessment(world):
    case = open_case(world, birth_year=2012)
    shelter = directory_entry(world, world.agency_a, kind="shelter", name="Safe House")
    response = api_client(world.caseworker_a).post(
        f"/api/v1/cases/{case.pk}/shelter-stays", {"shelter_id": shelter.pk, "started_on": "2026-01-10"}
    )
    assert response.status_code in (400, 422)
    assert "best_interests" in response.content.decode()
    page = web_client(world.caseworker_a).post(
        reverse("cases:case_add", args=[case.pk, "shelter"]),
        {"shelter_id": shelter.pk, "started_on": "2026-01-10"},
    )
    assert page.status_code == 200 and "best-interests assessment" in page.content.decode()
    assert not case.shelter_stays.exists()


def test_an_adult_needs_no_assessment_to_be_placed(world):
    case = open_case(world, birth_year=1990)
    shelter = directory_entry(world, world.agency_a, kind="shelter", name="Safe House")
    assert services.shelter_stay_start(
        actor=world.caseworker_a, case=case, shelter_id=shelter.pk, started_on=date(2026, 1, 10)
    ).pk


# ------------------------------------------------------------------------------------ irregular_deposit


def test_the_migration_rewrites_stored_screenings_to_irregular_deposit_and_back(world):
    case = _screened_labour(world)
    old = "illegal" + "_deposit"  # the retired code, as records made before the migration hold it
    screening = Screening.objects.get(case=case)
    Screening.objects.filter(pk=screening.pk).update(labour_issues=["unpaid_wages", old])
    other = Screening.objects.create(
        case=case, screened_on=date(2026, 1, 7), labour_issues=["no_contract"], outcome="labour_rights"
    )
    migration = importlib.import_module("safepassage.cases.migrations.0006_irregular_deposit")
    migration.forwards(apps, None)
    screening.refresh_from_db()
    other.refresh_from_db()
    assert screening.labour_issues == ["unpaid_wages", "irregular_deposit"]
    assert other.labour_issues == ["no_contract"]
    migration.backwards(apps, None)
    screening.refresh_from_db()
    assert screening.labour_issues == ["unpaid_wages", old]


def test_the_old_code_is_refused_and_the_new_one_has_its_label(world):
    from safepassage.cases.screening import LABOUR_ISSUES

    assert "irregular_deposit" in LABOUR_ISSUES and not any("illegal" in c for c in LABOUR_ISSUES)
    case = open_case(world, birth_year=1990)
    with pytest.raises(ValidationError) as error:
        services.screening_record(
            actor=world.caseworker_a,
            case=case,
            screened_on=date(2026, 1, 6),
            labour_issues=["illegal" + "_deposit"],
        )
    assert "labour_issues" in error.value.message_dict
