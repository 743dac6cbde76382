"""A committee member's phone flow: register someone in a few steps, record a check-in, see who is overdue."""

from datetime import date, timedelta

import pytest

from safepassage.migration import services
from safepassage.migration.models import Registration
from safepassage.testing import PASSWORD, build_world, directory_entry

pytestmark = pytest.mark.django_db(transaction=True)


def test_register_check_in_and_overdue_on_a_phone(phone):
    world = build_world()
    services.channel_create(
        actor=world.coordinator_a,
        name="Village – City",
        origin_area_code=world.district_1.code,
        destination_country="CN",
        destination_place="Jinghong",
        destination_organisation_id=directory_entry(world, world.agency_b).pk,
    )
    today = date.today()
    phone.sign_in("volunteer_a", PASSWORD)
    page = phone.page
    phone.goto("/migration/")
    page.click("text=Village – City")
    page.click("text=Register someone")
    page.fill("#id_given_name", "Ying")
    page.fill("#id_birth_year", str(today.year - 19))
    page.fill("#id_village_code", world.village_1.code)
    page.select_option("#id_purpose", "work")
    page.fill("#id_travel_date", (today - timedelta(days=20)).isoformat())
    page.fill("#id_phone", "089 123 4567")
    page.select_option("#id_consent", "person")
    page.check("input[name=orientation][value=hotlines]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("form.stack button[type=submit]")
    page.wait_for_selector(".messages")
    registration = Registration.objects.get()
    # Arrival: confirmed from the page; the first check-in is then due (and, 18 days on, overdue).
    page.fill("input[name=on]", (today - timedelta(days=18)).isoformat())
    page.click("text=Arrived")
    page.wait_for_selector("text=Record the check-in")
    phone.goto("/migration/overdue/")
    assert "Ying" in page.inner_text("main")
    phone.goto(f"/migration/registrations/{registration.pk}/")
    page.click("text=Record the check-in")
    page.select_option("#id_reached", "yes")
    page.select_option("#id_pay_ok", "no")
    page.check("input[name=problems][value=withholding_of_wages]")
    page.click("form.stack button[type=submit]")
    page.wait_for_selector(".messages")
    assert "Pay withheld or unpaid" in page.inner_text("main")
    phone.goto("/migration/overdue/")
    assert "Ying" not in page.inner_text("main")
    assert phone.errors == []
