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
