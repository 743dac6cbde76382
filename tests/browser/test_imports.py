"""A coordinator on a phone uploads a partner's list, sees the problem row, and adds only the good rows."""

import pytest

from safepassage.registry.models import Person
from safepassage.testing import PASSWORD, build_world

pytestmark = pytest.mark.django_db(transaction=True)


def test_upload_see_the_problem_and_add_the_valid_rows(phone, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    world = build_world()
    phone.sign_in("coordinator_a", PASSWORD)
    page = phone.page
    phone.goto("/imports/")
    page.select_option("#id_kind", "people")
    csv = f"ชื่อ,village_code,birth_date\nสมหญิง,{world.village_1.code},07/03/2553\nKham,nowhere,\n"
    page.set_input_files(
        "#id_file", files=[{"name": "list.csv", "mimeType": "text/csv", "buffer": csv.encode("tis-620")}]
    )
    page.fill("#id_source", "Tambon office")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("#import-upload button[type=submit]")
    page.wait_for_selector("#import-problems")
    problems = page.inner_text("#import-problems")
    assert "3" in problems and "village_code" in problems and "nowhere" in problems
    assert Person.objects.count() == 0
    page.click("text=Add only the 1 row without problems")
    page.wait_for_selector("#import-created")
    assert page.inner_text("#import-created") == "1"
    person = Person.objects.get()
    assert person.given_name == "สมหญิง" and str(person.birth_date) == "2010-03-07"
    assert phone.errors == []
