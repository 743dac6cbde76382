"""Intake and cases for people (issue 19, item 5): a report that becomes a case keeps the reporter's account;
places and people are found by name in any script; today's date where it is today; countries from a list;
case notes, a caseworker and "my cases"; one date format."""

import re
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from safepassage.audit.models import AuditEvent
from safepassage.cases import services
from safepassage.cases.models import Case, CaseNote, IntakeReport
from safepassage.testing import api_client, directory_entry, open_case, web_client
from safepassage.workplaces.models import Workplace

pytestmark = pytest.mark.django_db

LAO = "ບ້ານປ່າສັກ"
BURMESE = "ပါဆက်ရွာ"
KHMER = "ភូមិព្រៃស"
THAI = "บ้านป่าสัก"


def name_villages(world):
    """Village 1 and 2 with names in several scripts, as the area import gives them."""
    world.village_1.name_en, world.village_1.name_th = "Ban Pa Sak", THAI
    world.village_1.names = {"lo": LAO, "my": BURMESE}
    world.village_1.save()
    world.village_2.name_en = "Ban Huai Nam"
    world.village_2.names = {"km": KHMER}
    world.village_2.save()


def a_workplace(world, name="Golden Karaoke"):
    return Workplace.objects.create(
        agency=world.agency_a, name=name, sector="entertainment", village=world.village_1
    )


def report_from_a_mother(world, **overrides):
    values = {
        "channel": "call",
        "summary": "Her daughter (15) was taken to work at a karaoke bar in town and cannot leave.",
        "area_code": world.village_1.code,
        "workplace_id": a_workplace(world).pk,
        "notifier_name": "Mother Nang",
        "notifier_contact": "081 234 5678",
        "notifier_relation": "mother",
        "child_involved": True,
        "urgency": "immediate",
        "suspected_exploitation": ["SexualExploitation", "ChildLabour"],
        "referred_to_id": directory_entry(world, world.agency_b).pk,
    }
    return services.intake_record(actor=world.caseworker_a, **(values | overrides))


# ----------------------------------------------------------------------------------------------- intake


def test_the_intake_form_asks_when_how_urgent_what_is_suspected_where_and_who_should_take_it(world):
    office_b = directory_entry(world, world.agency_b)
    workplace = a_workplace(world)
    client = web_client(world.caseworker_a)
    page = client.get(reverse("cases:intake_new")).content.decode()
    for name in (
        "received_on",
        "received_time",
        "urgency",
        "workplace_id_q",
        "workplace_name",
        "suspected_exploitation",
        "referred_to_id",
    ):
        assert f'name="{name}"' in page, name
    response = client.post(
        reverse("cases:intake_new"),
        {
            "channel": "call",
            "received_on": "2026-01-04",
            "received_time": "21:40",
            "urgency": "immediate",
            "summary": "Her daughter was taken to a karaoke bar.",
            "area_code": world.village_1.code,
            "workplace_id": workplace.pk,
            "suspected_exploitation": ["SexualExploitation"],
            "referred_to_id": office_b.pk,
            "people_involved": 1,
        },
    )
    assert response.status_code == 302
    report = IntakeReport.objects.get()
    received = timezone.localtime(report.received_at)
    assert (received.date(), received.strftime("%H:%M")) == (date(2026, 1, 4), "21:40")
    assert report.urgency == "immediate"
    assert report.workplace == workplace and report.referred_to == office_b
    assert report.suspected_exploitation == ["SexualExploitation"]
    page = client.get(reverse("cases:intake_detail", args=[report.pk])).content.decode()
    assert "Now: someone is in danger" in page and "Sexual exploitation" in page and office_b.name in page


def test_a_volunteer_names_the_workplace_in_words(world):
    client = web_client(world.volunteer_a)
    page = client.get(reverse("cases:intake_new")).content.decode()
    assert 'name="workplace_id_q"' not in page and 'name="workplace_name"' in page
    client.post(
        reverse("cases:intake_new"),
        {
            "channel": "volunteer",
            "summary": "Strangers asking for girls to work in the city.",
            "area_code": world.village_1.code,
            "workplace_name": "A van from the Sunrise noodle shop",
            "people_involved": 2,
        },
    )
    assert IntakeReport.objects.get().workplace_name == "A van from the Sunrise noodle shop"


def test_the_tip_s_workplace_name_stays_out_of_the_audit_trail(world):
    report = report_from_a_mother(world, workplace_id=None, workplace_name="Golden Karaoke, Soi 3")
    event = AuditEvent.objects.get(action="cases.intake.create", object_id=str(report.pk))
    assert "Golden Karaoke" not in str(event.changes) and "Mother Nang" not in str(event.changes)


def test_an_unknown_exploitation_code_or_urgency_is_refused_naming_the_field(world):
    with pytest.raises(ValidationError) as error:
        report_from_a_mother(world, suspected_exploitation=["Smuggling"])
    assert "suspected_exploitation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        report_from_a_mother(world, urgency="whenever")
    assert "urgency" in error.value.message_dict


# ------------------------------------------------------------------------------------------- report → case


def test_make_it_a_case_carries_the_report_over_and_the_case_links_back_to_it(world):
    report = report_from_a_mother(world)
    client = web_client(world.caseworker_a)
    form = client.get(reverse("cases:case_new") + f"?intake={report.pk}").content.decode()
    # The form shows what is carried over, and starts from the report's village and today's date.
    assert "cannot leave" in form and f'value="{world.village_1.code}" checked' in form
    assert f'value="{timezone.localdate().isoformat()}"' in form
    response = client.post(
        reverse("cases:case_new") + f"?intake={report.pk}",
        {
            "opened_on": timezone.localdate().isoformat(),
            "given_name": "Dao",
            "sex": "female",
            "birth_year": 2010,
            "village_code": world.village_1.code,
            "intake": report.pk,
        },
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("cases:case_detail", args=[case.pk])
    assert case.intake == report and case.urgency == "immediate"
    assert case.exploitation_types == ["SexualExploitation", "ChildLabour"]
    assert case.area == world.village_1
    report.refresh_from_db()
    assert report.status == "case"

    # The case page keeps the mother's account, the place, the workplace and who reported (read: audited).
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    for text in ("How it came to us", "cannot leave", "Golden Karaoke", "Mother Nang", report.reference):
        assert text in page, text
    assert AuditEvent.objects.filter(
        action="cases.intakereport.view", object_id=str(report.pk), actor=world.caseworker_a
    ).exists()
    # The report's referral target is offered when referring the case.
    assert f"?to={report.referred_to_id}" in page
    body = api_client(world.caseworker_a).get(f"/api/v1/cases/{case.pk}").json()
    assert body["intake_id"] == report.pk and body["urgency"] == "immediate"
    assert body["report"]["summary"] == report.summary and "notifier_name" not in body["report"]


def test_the_api_makes_a_case_from_a_report_the_same_way(world):
    report = report_from_a_mother(world)
    response = api_client(world.coordinator_a).post(
        f"/api/v1/intake/{report.pk}/case",
        {"opened_on": "2026-01-05", "person": {"given_name": "Dao", "village_code": world.village_1.code}},
    )
    assert response.status_code == 201
    case = Case.objects.get()
    assert case.intake == report and case.urgency == "immediate" and case.area == world.village_1


def test_a_new_persons_village_comes_from_the_report_when_none_is_given(world):
    report = report_from_a_mother(world)
    case = services.case_open(
        actor=world.caseworker_a,
        opened_on=date(2026, 1, 5),
        person_fields={"given_name": "Dao", "birth_year": 2010},
        intake=report,
    )
    assert case.person.village == world.village_1


def test_the_report_and_who_made_it_never_reach_a_receiving_agency(world):
    report = report_from_a_mother(world)
    case = services.case_open(
        actor=world.caseworker_a,
        opened_on=date(2026, 1, 5),
        person_fields={"given_name": "Dao", "birth_year": 2010, "village_code": world.village_1.code},
        intake=report,
    )
    referral = services.referral_create(
        actor=world.caseworker_a,
        case=case,
        to_organisation_id=directory_entry(world, world.agency_b).pk,
        purpose="shelter",
        consent="guardian",
        consent_on=date(2026, 1, 5),
    )
    services.referral_respond(actor=world.caseworker_b, referral=referral, accept=True)
    page = web_client(world.caseworker_b).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "Dao" in page
    for secret in ("Mother Nang", "081 234 5678", "cannot leave", "How it came to us", report.reference):
        assert secret not in page, secret
    body = api_client(world.caseworker_b).get(f"/api/v1/cases/{case.pk}").json()
    assert "report" not in body and "intake_id" not in body and "urgency" not in body
    assert (
        web_client(world.caseworker_b).get(reverse("cases:intake_detail", args=[report.pk])).status_code
        == 404
    )


# ----------------------------------------------------------------------------------------------- pickers


@pytest.mark.parametrize("typed", [LAO, BURMESE, THAI, "pa sak", "ປ່າສັກ", "50010101"])
def test_the_village_picker_finds_a_village_by_its_name_in_any_script(world, typed):
    name_villages(world)
    response = web_client(world.caseworker_a).get(
        reverse("cases:pick", args=["village"]), {"field": "village_code", "village_code_q": typed}
    )
    page = response.content.decode()
    assert f'name="village_code" value="{world.village_1.code}"' in page
    assert world.village_2.code not in page


def test_the_village_picker_finds_khmer_names_and_only_villages_a_volunteer_covers(world):
    name_villages(world)
    url = reverse("cases:pick", args=["village"])
    query = {"field": "area_code", "area_code_q": KHMER}
    assert world.village_2.code in web_client(world.caseworker_a).get(url, query).content.decode()
    # volunteer_a covers village 1 only
    assert world.village_2.code not in web_client(world.volunteer_a).get(url, query).content.decode()


def test_a_name_typed_without_choosing_picks_the_one_place_it_names(world):
    name_villages(world)
    client = web_client(world.caseworker_a)
    client.post(
        reverse("cases:intake_new"),
        {"channel": "call", "summary": "A call.", "area_code_q": LAO, "people_involved": 1},
    )
    assert IntakeReport.objects.get().area == world.village_1
    # "Ban" names both villages: the form asks to choose, and lists them.
    response = client.post(
        reverse("cases:intake_new"),
        {"channel": "call", "summary": "Another call.", "area_code_q": "Ban", "people_involved": 1},
    )
    page = response.content.decode()
    assert response.status_code == 200 and "Several match" in page
    assert world.village_1.code in page and world.village_2.code in page


def test_the_person_picker_finds_people_by_name_in_any_script_and_records_the_search(world):
    from safepassage.registry.services import person_create

    burmese = person_create(
        actor=world.caseworker_a,
        village_code=world.village_1.code,
        given_name="မြမြ",
        family_name="ဦး",
        given_name_latin="Mya Mya",
        birth_year=2009,
    )
    khmer = person_create(
        actor=world.caseworker_a, village_code=world.village_1.code, given_name="សុខា", birth_year=2011
    )
    url = reverse("cases:pick", args=["person"])
    client = web_client(world.caseworker_a)
    for typed, person in (("မြမြ", burmese), ("mya mya", burmese), ("សុខា", khmer)):
        page = client.get(url, {"field": "person_id", "person_id_q": typed}).content.decode()
        assert f'value="{person.pk}"' in page, typed
    assert "born 2009" in client.get(url, {"field": "person_id", "person_id_q": "mya"}).content.decode()
    event = AuditEvent.objects.filter(action="registry.person.search").latest("at")
    assert event.changes["people"] == [burmese.pk] and "mya" not in str(event.changes).lower()
    # People are case staff's: another agency finds none of them, a volunteer cannot search at all.
    assert (
        str(burmese.pk)
        not in web_client(world.caseworker_b)
        .get(url, {"field": "person_id", "person_id_q": "mya"})
        .content.decode()
    )
    assert (
        web_client(world.volunteer_a).get(url, {"field": "person_id", "person_id_q": "mya"}).status_code
        == 404
    )


def test_a_case_is_opened_for_a_person_found_by_name(world):
    from safepassage.registry.services import person_create

    person = person_create(
        actor=world.caseworker_a, village_code=world.village_1.code, given_name="ນາງ ແກ້ວ", birth_year=2010
    )
    client = web_client(world.caseworker_a)
    client.post(
        reverse("cases:case_new"), {"opened_on": "2026-01-05", "person_id_q": "ແກ້ວ", "sex": "unknown"}
    )
    assert Case.objects.get().person == person


def test_the_workplace_picker_finds_sin_space_workplaces_the_user_may_see(world):
    workplace = a_workplace(world, name="ร้านคาราโอเกะ ทองคำ")
    url = reverse("cases:pick", args=["workplace"])
    query = {"field": "workplace_id", "workplace_id_q": "คาราโอเกะ"}
    assert f'value="{workplace.pk}"' in web_client(world.caseworker_a).get(url, query).content.decode()
    assert f'value="{workplace.pk}"' not in web_client(world.caseworker_b).get(url, query).content.decode()


# ---------------------------------------------------------------------------------------- dates, countries


def test_opened_on_and_the_consent_date_start_at_today(world):
    case = open_case(world)
    directory_entry(world, world.agency_b)
    today = timezone.localdate().isoformat()
    client = web_client(world.caseworker_a)
    opened = client.get(reverse("cases:case_new")).content.decode()
    assert re.search(rf'name="opened_on" value="{today}"', opened)
    referral = client.get(reverse("cases:case_add", args=[case.pk, "referral"])).content.decode()
    assert re.search(rf'name="consent_on" value="{today}"', referral)


def test_nationality_is_chosen_from_the_country_list(world):
    case = open_case(world)
    page = web_client(world.caseworker_a).get(reverse("cases:case_edit", args=[case.pk])).content.decode()
    assert '<option value="MM">Myanmar</option>' in page
    assert "two letters" not in page
    services.case_update(actor=world.caseworker_a, case=case, nationality="mm")
    case.refresh_from_db()
    assert case.nationality == "MM"
    for wrong in ("Th" + "x", "XX", "Burma"):
        with pytest.raises(ValidationError) as error:
            services.case_update(actor=world.caseworker_a, case=case, nationality=wrong)
        assert "nationality" in error.value.message_dict
    assert (
        "Myanmar"
        in web_client(world.caseworker_a).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    )


def test_every_date_on_the_case_pages_is_written_one_way(world):
    report = report_from_a_mother(world)
    case = open_case(world)
    services.deadline_add(actor=world.caseworker_a, case=case, what="Hearing", due_on=date(2026, 3, 2))
    services.note_add(actor=world.caseworker_a, case=case, text="Met her at the shelter.")
    client = web_client(world.caseworker_a)
    for url in (
        reverse("cases:case_detail", args=[case.pk]),
        reverse("cases:intake_detail", args=[report.pk]),
        reverse("cases:intake_list"),
        reverse("cases:my_cases"),
    ):
        page = client.get(url).content.decode()
        months = re.findall(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d", page)
        assert months == [], url
        assert "2026-03-02" in page or url != reverse("cases:case_detail", args=[case.pk])


def test_a_return_names_its_focal_point_and_country_instead_of_numbers(world):
    from tests.cases.test_case_services import _focal_point

    responder = _focal_point(world)
    case = open_case(world)
    page = web_client(world.caseworker_a).get(reverse("cases:case_add", args=[case.pk, "repatriation"]))
    html = page.content.decode()
    assert f'<option value="{responder.pk}">Myanmar · U Focal</option>' in html
    assert "focal point number" not in html.lower() and "(e.g. my, lo, km)" not in html


def test_the_one_button_dates_take_iso_or_a_buddhist_era_date(world):
    case = open_case(world)
    shelter = directory_entry(world, world.agency_a, kind="shelter", name="Safe House")
    services.best_interests_record(
        actor=world.caseworker_a,
        case=case,
        assessed_on=date(2026, 1, 5),
        assessor="S. Social worker",
        views="Wants somewhere safe first.",
        recommendation="not_yet",
    )
    stay = services.shelter_stay_start(
        actor=world.caseworker_a, case=case, shelter_id=shelter.pk, started_on=date(2026, 1, 6)
    )
    client = web_client(world.caseworker_a)
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert f'id="on-shelter-{stay.pk}"' in page and 'type="date"' in page
    client.post(
        reverse("cases:case_mark", args=[case.pk, "shelter", stay.pk]), {"on": "", "on_be": "8/1/2569"}
    )
    stay.refresh_from_db()
    assert stay.ended_on == date(2026, 1, 8)


# ----------------------------------------------------------------------------------------------- notes


def test_case_notes_are_audited_when_written_and_read_and_never_hold_their_text(world):
    case = open_case(world)
    client = web_client(world.caseworker_a)
    response = client.post(
        reverse("cases:case_add", args=[case.pk, "note"]), {"text": "She is afraid of the broker."}
    )
    assert response.status_code == 302
    note = CaseNote.objects.get()
    assert (note.agency, note.recorded_by, note.via_referral) == (world.agency_a, world.caseworker_a, None)
    written = AuditEvent.objects.get(action="cases.note.create")
    assert "afraid" not in str(written.changes)
    page = web_client(world.coordinator_a).get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "She is afraid of the broker." in page
    read = AuditEvent.objects.get(action="cases.casenote.view", actor=world.coordinator_a)
    assert read.changes["notes"] == [note.pk] and "afraid" not in str(read.changes)
    api = api_client(world.caseworker_a).get(f"/api/v1/cases/{case.pk}/notes")
    assert [n["text"] for n in api.json()] == ["She is afraid of the broker."]
    assert AuditEvent.objects.filter(action="cases.casenote.view", actor=world.caseworker_a).count() == 1


def test_case_notes_are_not_there_for_anyone_else(world):
    case = open_case(world)
    services.note_add(actor=world.caseworker_a, case=case, text="Private.")
    for persona in ("caseworker_b", "volunteer_a", "admin_a", "analyst_a"):
        assert api_client(world.users[persona]).get(f"/api/v1/cases/{case.pk}/notes").status_code == 404
        assert not CaseNote.visible_to(world.users[persona]).exists()
        with pytest.raises(Exception):  # noqa: B017 - 404 or validation, never a note
            services.note_add(actor=world.users[persona], case=case, text="x")
    assert CaseNote.objects.count() == 1


# ----------------------------------------------------------------------------------------------- caseworkers


def test_a_coordinator_gives_a_case_to_a_caseworker_and_it_is_on_their_list(world):
    case = open_case(world)
    other = open_case(world, given_name="Other")
    services.case_assign(actor=world.coordinator_a, case=other, caseworker_id=world.coordinator_a.pk)
    client = web_client(world.coordinator_a)
    page = client.get(reverse("cases:case_add", args=[case.pk, "assign"])).content.decode()
    assert "Caseworker_A" in page
    client.post(reverse("cases:case_add", args=[case.pk, "assign"]), {"caseworker_id": world.caseworker_a.pk})
    case.refresh_from_db()
    assert case.caseworker == world.caseworker_a
    assert AuditEvent.objects.filter(action="cases.case.assign", object_id=str(case.pk)).exists()
    mine = web_client(world.caseworker_a).get(reverse("cases:my_cases")).content.decode()
    assert case.reference in mine and other.reference not in mine
    with pytest.raises(ValidationError):  # only the agency's case staff
        services.case_assign(actor=world.coordinator_a, case=case, caseworker_id=world.volunteer_a.pk)


def test_my_cases_puts_the_most_urgent_and_the_nearest_deadline_first_and_leaves_closed_ones_out(world):
    quiet = open_case(world, given_name="Quiet")
    danger = open_case(world, given_name="Danger", urgency="immediate")
    deadline = open_case(world, given_name="Deadline")
    services.deadline_add(
        actor=world.caseworker_a,
        case=deadline,
        what="Hearing",
        due_on=timezone.localdate() + timedelta(days=2),
    )
    closed = open_case(world, given_name="Closed")
    Case.objects.filter(pk=closed.pk).update(status="Closed")
    page = web_client(world.caseworker_a).get(reverse("cases:my_cases")).content.decode()
    order = [page.index(c.reference) for c in (danger, deadline, quiet)]
    assert order == sorted(order)
    assert closed.reference not in page
    assert "Now: someone is in danger" in page
    api = api_client(world.caseworker_a).get("/api/v1/cases?mine=true").json()["items"]
    assert api[0]["id"] == danger.pk
