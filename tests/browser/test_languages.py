"""The assessment page in a volunteer's own language: questions and answers in Lao, Khmer and Burmese
script on a phone, not English."""

from __future__ import annotations

import pytest

from safepassage.registry import services
from safepassage.testing import PASSWORD
from tests.registry.conftest import risk_world
from tests.scripts import is_in_script

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("language", ["lo", "km", "my"])
def test_the_assessment_page_asks_the_questions_in_the_volunteers_script(phone, language):
    world = risk_world()
    world.volunteer_a.language = language
    world.volunteer_a.save(update_fields=["language"])
    person = services.person_create(
        actor=world.coordinator_a,
        village_code=world.village_1.code,
        given_name="Noy",
        sex="female",
        birth_year=2011,
    )
    page = phone.page
    phone.sign_in("volunteer_a", PASSWORD)
    phone.goto(f"/risk/people/{person.pk}/assess/")
    assert page.locator("html").get_attribute("lang") == language

    questions = page.locator("fieldset.question")
    assert questions.count() >= 20  # (the person indicators, less those answered from the record)
    legends = questions.locator("legend").all_inner_texts()
    assert len(legends) == questions.count()
    wrong = [text for text in legends if not is_in_script(text, language)]
    assert not wrong, f"questions not in {language}: {wrong}"

    answers = questions.locator("label.choice").all_inner_texts()
    assert len(answers) >= 3 * questions.count()
    wrong = [text for text in answers if not is_in_script(text, language)]
    assert not wrong, f"answers not in {language}: {wrong}"

    # Questions answered from the person's record (age band, sex) are named in the same script.
    from_record = page.locator(".question.from-record strong").all_inner_texts()
    assert all(is_in_script(text, language) for text in from_record), from_record
    assert phone.errors == []
