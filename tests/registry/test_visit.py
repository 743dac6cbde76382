"""The volunteer's visit: who to see first, questions asked afresh, what the record already says."""

import re
from datetime import date, timedelta

import pytest

from safepassage.registry import services
from safepassage.registry.models import Assessment, Person
from safepassage.registry.services import person_create
from safepassage.testing import api_client, web_client

from .conftest import all_answers

pytestmark = pytest.mark.django_db
TODAY = date.today()


def person(world, name: str, **fields) -> Person:
    return person_create(
        actor=world.coordinator_a, village_code=world.village_1.code, given_name=name, **fields
    )


def test_a_village_lists_who_to_visit_first(world):
    """High risk overdue, never assessed, due (riskiest first), then the rest by risk — not by surname."""
    aaron = person(world, "Aaron", birth_year=2012)  # assessed recently, low
    boon = person(world, "Boon", birth_year=2012)  # assessed recently, high
    chai = person(world, "Chai", birth_year=2012)  # never assessed
    dao = person(world, "Dao", birth_year=2012)  # due: assessed 8 months ago, medium
    ek = person(world, "Ek", birth_year=2012)  # high and overdue: 13 months ago
    fah = person(world, "Fah", birth_year=2012)  # due: assessed 8 months ago, low
    for who, days, answers in (
        (aaron, 10, all_answers(1)),
        (boon, 10, all_answers(3)),
        (dao, 240, all_answers(2)),
        (ek, 400, all_answers(3)),
        (fah, 250, all_answers(1)),
    ):
        services.assessment_record(
            actor=None, person=who, assessed_on=TODAY - timedelta(days=days), scores=answers
        )
    page = web_client(world.volunteer_a).get(f"/risk/villages/{world.village_1.code}/").content.decode()
    order = sorted(
        (page.index(f"<strong>{p.given_name}"), p.given_name) for p in (aaron, boon, chai, dao, ek, fah)
    )
    assert [name for _at, name in order] == ["Ek", "Chai", "Dao", "Fah", "Boon", "Aaron"]


def test_the_last_visit_is_shown_but_never_chosen(world, child_a):
    client = web_client(world.volunteer_a)
    page = client.get(f"/risk/people/{child_a.pk}/assess/").content.decode()
    assert "the answer of the last visit" not in page  # never assessed: nothing "from the last visit"
    services.assessment_record(
        actor=None, person=child_a, assessed_on=TODAY - timedelta(days=200), scores=all_answers(2)
    )
    page = client.get(f"/risk/people/{child_a.pk}/assess/").content.decode()
    assert "the answer of the last visit" in page
    checked = re.findall(r'<input type="radio" name="score_[^"]+" value="([^"]*)"[^>]*checked>', page)
    assert checked and set(checked) == {""}  # no answer chosen for the volunteer: "Not known" until answered
    assert page.count('class="helptext last-answer"') >= 20
    # Saving without answering records nothing of last time's answers (only the record's own).
    response = client.post(
        f"/risk/people/{child_a.pk}/assess/", {"assessed_on": str(TODAY), "source": "visit"}
    )
    assert response.status_code == 302
    today = Assessment.objects.get(person=child_a, assessed_on=TODAY)
    assert today.scores == {"SOC-AGE": 2, "SOC-SEX": 2}  # a 12-year-old girl, from her record


def test_age_band_and_sex_come_from_the_record(world, child_a):
    page = web_client(world.volunteer_a).get(f"/risk/people/{child_a.pk}/assess/").content.decode()
    assert 'name="score_SOC-AGE"' not in page and 'name="score_SOC-SEX"' not in page
    assert "from the person's record" in page
    # Someone whose age is not known is asked.
    unknown = person(world, "Nok", sex="female")
    page = web_client(world.volunteer_a).get(f"/risk/people/{unknown.pk}/assess/").content.decode()
    assert 'name="score_SOC-AGE"' in page and 'name="score_SOC-SEX"' not in page


def test_born_in_a_year_that_spans_two_age_bands_is_asked(world):
    # Born 15 years ago by the year alone: 14 or 15 today, two age bands (10-14, 15-18), so it is asked.
    borderline = person(world, "Joy", sex="female", birth_year=TODAY.year - 15)
    page = web_client(world.volunteer_a).get(f"/risk/people/{borderline.pk}/assess/").content.decode()
    assert 'name="score_SOC-AGE"' in page


def test_an_answer_that_contradicts_the_record_is_warned(world):
    somchai = person(world, "Somchai", sex="male", birth_date=date(1969, 4, 2))
    client = api_client(world.volunteer_a)
    body = client.post(
        f"/api/v1/people/{somchai.pk}/assessments",
        {"assessed_on": str(TODAY), "scores": all_answers(1, SOC_AGE=3)},
    ).json()
    assert len(body["warnings"]) == 1 and "SOC-AGE" in body["warnings"][0]
    # Left out, the record's answers are filled in.
    answers = all_answers(1)
    del answers["SOC-AGE"], answers["SOC-SEX"]
    other = person(world, "Mali", sex="female", birth_date=date(2010, 1, 5))
    body = client.post(
        f"/api/v1/people/{other.pk}/assessments", {"assessed_on": str(TODAY), "scores": answers}
    ).json()
    assert (body["scores"]["SOC-AGE"], body["scores"]["SOC-SEX"], body["warnings"]) == (3, 2, [])


def test_volunteers_choose_among_field_sources_only(world, child_a):
    page = web_client(world.volunteer_a).get(f"/risk/people/{child_a.pk}/assess/").content.decode()
    assert 'value="visit"' in page and 'value="phone"' in page
    for system in ("survey", "rescore", "case"):
        assert f'value="{system}"' not in page
    refused = web_client(world.volunteer_a).post(
        f"/risk/people/{child_a.pk}/assess/", {"assessed_on": str(TODAY), "source": "survey"}
    )
    assert refused.status_code == 200 and not Assessment.objects.filter(person=child_a).exists()
    page = web_client(world.caseworker_a).get(f"/risk/people/{child_a.pk}/assess/").content.decode()
    assert 'value="case"' in page and 'value="survey"' not in page
