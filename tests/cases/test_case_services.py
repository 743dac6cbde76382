"""Opening a case, moving it through the lifecycle, protection and returns, alerts: rules users rely on."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from safepassage.audit.models import AuditEvent
from safepassage.cases import services
from safepassage.cases.models import Case, CaseAlert, IntakeReport, Step
from safepassage.network.models import Agreement, FocalPoint, Responder
from safepassage.registry.models import Person
from safepassage.testing import directory_entry, open_case

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user again from the database (scoping is cached on the user object)."""
    return type(user).objects.get(pk=user.pk)


def test_opening_a_case_adds_the_person_and_takes_them_off_volunteers_lists(world):
    before = Person.objects.visible_to(world.volunteer_a).count()
    case = open_case(world)
    assert case.reference == "C-2026-00001"
    assert case.stage.code == "report_received"
    assert case.person.restricted is True
    assert Person.objects.visible_to(fresh(world.volunteer_a)).count() == before
    assert Person.objects.visible_to(world.caseworker_a).filter(pk=case.person_id).exists()
    assert AuditEvent.objects.filter(action="cases.case.create", object_id=str(case.pk)).count() == 1
    assert open_case(world, given_name="Second").reference == "C-2026-00002"


def test_cases_are_for_case_staff_of_the_owning_agency_only(world):
    case = open_case(world)
    for persona in ("caseworker_a", "coordinator_a"):
        assert Case.objects.visible_to(world.users[persona]).filter(pk=case.pk).exists()
    for persona in ("admin_a", "volunteer_a", "analyst_a", "partner_a", "coordinator_b", "caseworker_b"):
        assert not Case.objects.visible_to(world.users[persona]).filter(pk=case.pk).exists(), persona


def test_a_second_case_of_the_same_person_is_linked_as_a_repeat_episode(world):
    first = open_case(world)
    second = services.case_open(actor=world.caseworker_a, opened_on=date(2026, 3, 1), person=first.person)
    assert second.previous_case == first
    assert list(first.later_cases.all()) == [second]


def test_unknown_htcds_code_names_the_field_and_stores_nothing(world):
    with pytest.raises(ValidationError) as error:
        open_case(world, control_methods=["DebtBondage", "Magic"])
    assert "control_methods" in error.value.message_dict
    assert "Magic" in error.value.message_dict["control_methods"][0]
    assert not Case.objects.exists()
    assert not Person.objects.filter(given_name="Mya").exists()


def test_dates_in_the_future_or_before_birth_are_refused(world):
    with pytest.raises(ValidationError) as error:
        open_case(world, opened_on=date.today() + timedelta(days=2))
    assert "opened_on" in error.value.message_dict
    case = open_case(world)
    with pytest.raises(ValidationError) as error:
        services.event_add(
            actor=world.caseworker_a,
            case=case,
            kind="recruitment",
            occurred_on=date(2005, 1, 1),
            country="MM",
        )
    assert "before the person was born" in error.value.message_dict["occurred_on"][0]


def test_screening_sets_the_track_and_only_suggests_a_status(world):
    child = open_case(world, birth_year=2011)
    screening = services.screening_record(
        actor=world.caseworker_a,
        case=child,
        screened_on=date(2026, 1, 6),
        age_at_exploitation=14,
        acts=["recruitment"],
        purposes=["forced_labour"],
    )
    child.refresh_from_db()
    assert screening.outcome == "trafficking"
    assert child.track == "trafficking"
    assert child.trafficking_status == "PossibleVictimOfTrafficking"
    assert child.status_decided_by is None
    services.status_decide(
        actor=world.coordinator_a, case=child, status="ActualVictimOfTrafficking", decided_by_org="Police"
    )
    child.refresh_from_db()
    assert child.status_decided_by == world.coordinator_a

    adult = open_case(world, given_name="Adult", birth_year=1990)
    services.screening_record(
        actor=world.caseworker_a,
        case=adult,
        screened_on=date(2026, 1, 6),
        acts=["recruitment"],
        purposes=["forced_labour"],
        labour_issues=["irregular_deposit"],
    )
    adult.refresh_from_db()
    assert adult.track == "labour"
    assert adult.trafficking_status == ""


def _trafficking_case(world, birth_year=2012):
    case = open_case(world, birth_year=birth_year)
    services.screening_record(
        actor=world.caseworker_a,
        case=case,
        screened_on=date(2026, 1, 6),
        age_at_exploitation=13,
        acts=["recruitment"],
        purposes=["sexual"],
    )
    case.refresh_from_db()
    return case


def test_steps_move_forward_only_and_within_the_track(world):
    case = _trafficking_case(world)
    services.step_record(
        actor=world.caseworker_a, case=case, stage_code="shelter", started_on=date(2026, 1, 7)
    )
    with pytest.raises(ValidationError) as error:
        services.step_record(
            actor=world.caseworker_a, case=case, stage_code="screening", started_on=date(2026, 1, 8)
        )
    assert "Out of order" in error.value.message_dict["stage"][0]
    with pytest.raises(ValidationError) as error:
        services.step_record(
            actor=world.caseworker_a, case=case, stage_code="mediation", started_on=date(2026, 1, 8)
        )
    assert "not part of" in error.value.message_dict["stage"][0]
    with pytest.raises(ValidationError) as error:
        services.step_record(
            actor=world.caseworker_a, case=case, stage_code="investigation", started_on=date(2026, 1, 2)
        )
    assert "started_on" in error.value.message_dict
    assert list(case.steps.values_list("stage__code", flat=True)) == ["report_received", "shelter"]


def test_a_return_cannot_happen_without_a_best_interests_assessment(world):
    case = _trafficking_case(world)
    with pytest.raises(ValidationError) as error:
        services.step_record(
            actor=world.caseworker_a, case=case, stage_code="return", started_on=date(2026, 2, 1)
        )
    assert "best-interests" in error.value.message_dict["stage"][0]
    assert not Step.objects.filter(case=case, stage__code="return").exists()
    # An assessment that does not recommend return is not enough either.
    services.best_interests_record(
        actor=world.caseworker_a,
        case=case,
        assessed_on=date(2026, 1, 20),
        assessor="S. Social worker, DSDW",
        views="Wants to go home after the school term.",
        recommendation="not_yet",
    )
    with pytest.raises(ValidationError):
        services.step_record(
            actor=world.caseworker_a, case=case, stage_code="return", started_on=date(2026, 2, 1)
        )
    services.best_interests_record(
        actor=world.caseworker_a,
        case=case,
        assessed_on=date(2026, 1, 25),
        assessor="S. Social worker, DSDW",
        views="Wants to go home; mother visited.",
        recommendation="return",
        family_traced=True,
        home_safe=True,
    )
    step = services.step_record(
        actor=world.caseworker_a, case=case, stage_code="return", started_on=date(2026, 2, 1)
    )
    assert step.stage.code == "return"


def test_recommending_return_needs_a_safe_home(world):
    case = _trafficking_case(world)
    with pytest.raises(ValidationError) as error:
        services.best_interests_record(
            actor=world.caseworker_a,
            case=case,
            assessed_on=date(2026, 1, 25),
            assessor="S.",
            views="Wants to go home.",
            recommendation="return",
        )
    assert "home_safe" in error.value.message_dict


def _focal_point(world, country="MM"):
    office = directory_entry(world, world.agency_b, kind="social_services", name="Myawaddy DSW")
    responder = Responder.objects.create(
        agency=world.agency_b, organisation=office, name="U Focal", role_type="focal_point", country=country
    )
    FocalPoint.objects.create(
        agency=world.agency_b,
        country=country,
        purpose="repatriation",
        responder=responder,
        agreement=Agreement.objects.get(code="th-mm-2009"),
    )
    return responder


def test_a_child_is_repatriated_whatever_their_victim_status(world):
    case = open_case(world, birth_year=2012, nationality="MM")
    services.status_decide(
        actor=world.coordinator_a, case=case, status="NotAVictimOfTrafficking", decided_by_org="Police"
    )
    services.best_interests_record(
        actor=world.caseworker_a,
        case=case,
        assessed_on=date(2026, 1, 25),
        assessor="S.",
        views="Wants to see her grandmother.",
        recommendation="return",
        family_traced=True,
        home_safe=True,
    )
    focal = _focal_point(world)
    repatriation = services.repatriation_prepare(
        actor=world.caseworker_a,
        case=case,
        kind="cross_border",
        destination_country="MM",
        agreement_code="th-mm-2009",
        receiving_focal_point_id=focal.pk,
        summary_language="my",
        translated_summary="(summary in Burmese)",
    )
    packet = repatriation.packet
    assert packet["given_name"] == "Mya" and packet["child"] is True
    for secret in ("address", "health", "immigration_status", "perpetrators", "notifier_name"):
        assert secret not in packet
    for to in ("sent", "acknowledged", "completed"):
        services.repatriation_advance(
            actor=world.caseworker_a, repatriation=repatriation, to=to, on=date(2026, 2, 2), by="U Focal"
        )
    case.refresh_from_db()
    assert repatriation.status == "completed"
    assert case.stage.code == "return"


def test_cross_border_return_needs_an_agreement_of_that_country_and_its_focal_point(world):
    case = open_case(world, birth_year=2012)
    services.best_interests_record(
        actor=world.caseworker_a,
        case=case,
        assessed_on=date(2026, 1, 25),
        assessor="S.",
        views="Yes.",
        recommendation="return",
        home_safe=True,
    )
    focal = _focal_point(world, country="MM")
    with pytest.raises(ValidationError) as error:
        services.repatriation_prepare(
            actor=world.caseworker_a,
            case=case,
            kind="cross_border",
            destination_country="LA",
            agreement_code="th-mm-2009",
            receiving_focal_point_id=focal.pk,
            translated_summary="x",
        )
    assert "agreement_code" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.repatriation_prepare(
            actor=world.caseworker_a,
            case=case,
            kind="cross_border",
            destination_country="LA",
            agreement_code="th-la-2005",
            receiving_focal_point_id=focal.pk,
            translated_summary="x",
        )
    assert "receiving_focal_point_id" in error.value.message_dict


def test_a_child_shelter_stay_past_30_days_raises_one_alert_to_the_caseworker(world):
    case = open_case(world, birth_year=2012)
    shelter = directory_entry(world, world.agency_a, kind="shelter", name="Safe House")
    today = date(2026, 3, 1)
    services.best_interests_record(
        actor=world.caseworker_a,
        case=case,
        assessed_on=today - timedelta(days=31),
        assessor="S. Social worker, PSDHS",
        views="Wants to stay somewhere safe for now.",
        recommendation="not_yet",
    )
    stay = services.shelter_stay_start(
        actor=world.caseworker_a, case=case, shelter_id=shelter.pk, started_on=today - timedelta(days=30)
    )
    assert stay.limit_days == 30
    assert services.alerts_scan(today=today)["shelter"] == 0
    assert services.alerts_scan(today=today + timedelta(days=1))["shelter"] == 1
    assert services.alerts_scan(today=today + timedelta(days=2))["shelter"] == 0
    alert = CaseAlert.objects.get(kind="shelter")
    assert set(alert.recipients.values_list("username", flat=True)) == {"caseworker_a", "coordinator_a"}
    services.shelter_stay_end(actor=world.caseworker_a, stay=stay, ended_on=today)
    alert.refresh_from_db()
    assert alert.status == "resolved"


def test_an_adult_gets_the_adult_limit(world, settings):
    settings.SHELTER_DAYS_ADULT = 45
    case = open_case(world, birth_year=1990)
    shelter = directory_entry(world, world.agency_a, kind="shelter", name="Safe House")
    stay = services.shelter_stay_start(
        actor=world.caseworker_a, case=case, shelter_id=shelter.pk, started_on=date(2026, 1, 10)
    )
    assert stay.limit_days == 45


def test_missed_legal_deadlines_and_conference_actions_alert(world):
    case = _trafficking_case(world)
    services.legal_event_add(
        actor=world.caseworker_a,
        case=case,
        kind="complaint",
        happened_on=date(2026, 1, 10),
        authority="Mueang police station",
        next_deadline=date(2026, 2, 10),
        next_deadline_what="Investigation report due",
    )
    services.conference_record(
        actor=world.caseworker_a,
        case=case,
        held_on=date(2026, 1, 12),
        learned="Recruited at a karaoke bar by an aunt's friend.",
        decisions="Ask the police to check the bar.",
        actions=[{"what": "Call the police unit", "owner_name": "Somchai", "due_on": date(2026, 1, 20)}],
    )
    raised = services.alerts_scan(today=date(2026, 2, 11))
    assert raised["deadline"] == 1 and raised["action"] == 1
    with pytest.raises(ValidationError) as error:
        services.legal_event_add(
            actor=world.caseworker_a, case=case, kind="verdict", happened_on=date(2026, 2, 1)
        )
    assert "outcome" in error.value.message_dict


def test_another_agency_cannot_write_to_the_case(world):
    case = open_case(world)
    with pytest.raises(Http404):
        services.event_add(
            actor=world.caseworker_b, case=case, kind="transit", occurred_on=date(2026, 1, 1), country="TH"
        )
    with pytest.raises(Http404):
        services.step_record(
            actor=world.volunteer_a, case=case, stage_code="screening", started_on=date(2026, 1, 6)
        )


def test_intake_protects_the_notifier_and_can_become_a_case(world):
    from safepassage.cases.selectors import may_see_notifier

    report = services.intake_record(
        actor=world.volunteer_a,
        channel="volunteer",
        summary="Two girls taken to a karaoke bar in town.",
        notifier_name="Neighbour Noi",
        notifier_contact="081 234 5678",
        area_code=world.village_1.code,
        child_involved=True,
    )
    assert may_see_notifier(world.volunteer_a, report)
    assert may_see_notifier(world.caseworker_a, report)
    assert not may_see_notifier(world.admin_a, report)
    assert not IntakeReport.objects.visible_to(world.volunteer_b).filter(pk=report.pk).exists()
    event = AuditEvent.objects.get(action="cases.intake.create")
    assert event.changes["notifier_name"] != "Neighbour Noi"
    with pytest.raises(ValidationError) as error:
        services.intake_record(
            actor=world.volunteer_a, channel="volunteer", summary="x", area_code="50020101"
        )
    assert "area_code" in error.value.message_dict
    case = services.case_open(
        actor=world.caseworker_a,
        opened_on=date(2026, 1, 5),
        intake=report,
        person_fields={"given_name": "Girl", "birth_year": 2011, "village_code": world.village_1.code},
    )
    report.refresh_from_db()
    assert report.status == "case" and case.intake == report
