"""The case page on a phone: open a case from the list, record a step, see the journey; no console errors."""

from datetime import date

import pytest

from safepassage.cases import services, stages
from safepassage.cases.models import Stage
from safepassage.testing import PASSWORD, build_world, directory_entry, open_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_caseworker_moves_a_case_on_from_a_phone(phone):
    if not Stage.objects.exists():  # a data migration's rows; an earlier transactional test flushed them
        stages.load()
    world = build_world()
    case = open_case(world, given_name="Mya")
    services.event_add(
        actor=world.caseworker_a,
        case=case,
        kind="recruitment",
        occurred_on=date(2025, 11, 1),
        area_code=world.village_1.code,
    )
    services.event_add(
        actor=world.caseworker_a,
        case=case,
        kind="exploitation",
        occurred_on=date(2025, 11, 20),
        country="MY",
        place="Kuala Lumpur",
    )
    directory_entry(world, world.agency_b)
    phone.sign_in("caseworker_a", PASSWORD)
    page = phone.page
    phone.goto("/cases/")
    page.click(f"text={case.reference}")
    page.wait_for_selector("h1")
    assert "Mya" in page.inner_text("h1")
    assert "Kuala Lumpur" in page.inner_text("body")
    page.click("text=Move to the next stage")
    page.select_option("#id_stage_code", "screening")
    page.fill("#id_started_on", "2026-01-06")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector(".messages")
    assert "Screening" in page.inner_text(".badge >> nth=0")
    # The page fits a phone: nothing wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    phone.goto("/cases/referrals/")
    assert phone.errors == []


def test_a_caseworker_logs_a_call_finding_the_village_by_its_lao_name_and_makes_it_a_case(phone):
    if not Stage.objects.exists():
        stages.load()
    world = build_world()
    world.village_1.name_en, world.village_1.names = "Ban Pa Sak", {"lo": "ບ້ານປ່າສັກ"}
    world.village_1.save()
    phone.sign_in("caseworker_a", PASSWORD)
    page = phone.page
    phone.goto("/cases/intake/new/")
    page.fill("#id_summary", "Her daughter was taken to work in a bar and cannot leave.")
    page.check("input[name=urgency][value=immediate]")
    page.check("input[name=suspected_exploitation][value=SexualExploitation]")
    page.fill("#id_area_code", "ປ່າສັກ")  # typed in Lao: the picker lists the village as it is typed
    page.wait_for_selector(f"input[name=area_code][value='{world.village_1.code}']")
    page.check(f"input[name=area_code][value='{world.village_1.code}']")
    page.fill("#id_notifier_name", "Mother Nang")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector(".messages")
    assert "Ban Pa Sak" in page.inner_text("body")
    page.click("text=Make it a case")
    page.wait_for_selector("#id_opened_on")
    assert page.input_value("#id_opened_on")  # today, so the first save goes through
    page.fill("#id_given_name", "Dao")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector(".messages")
    body = page.inner_text("body")
    assert "How it came to us" in body and "cannot leave" in body and "Mother Nang" in body
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert phone.errors == []
