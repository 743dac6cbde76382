"""The risk index in a real browser on a phone: a volunteer's visit, alerts, reports and the map."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from safepassage.geo.models import Area
from safepassage.registry import services
from safepassage.registry.models import Alert, Assessment, Person
from safepassage.testing import PASSWORD, World
from tests.registry.conftest import all_answers, risk_world

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_WIDTH = 390


def fits_the_phone(phone: Any) -> bool:
    """Nothing on the page is wider than the screen, so there is no sideways scrolling."""
    return phone.page.evaluate("document.documentElement.scrollWidth") <= PHONE_WIDTH


def answer_every_question(phone: Any, at_3: tuple[str, ...] = ()) -> int:
    """Tap a label for every question: 1 everywhere, 3 for the codes in `at_3`. Returns how many."""
    page = phone.page
    questions = page.locator("fieldset.question")
    total = questions.count()
    for n in range(total):
        question = questions.nth(n)
        code = (question.get_attribute("id") or "").removeprefix("q-")
        value = "3" if code in at_3 else "1"
        question.locator("label.choice", has=page.locator(f"input[value='{value}']")).click()
    return total


def person_in_village_1(world: World, name: str = "Ploy") -> Person:
    return services.person_create(
        actor=world.coordinator_a,
        village_code=world.village_1.code,
        given_name=name,
        family_name="Saengkham",
        sex="female",
        birth_year=2014,
    )


def test_a_volunteer_assesses_a_person_in_their_village_on_a_phone(phone):
    world = risk_world()
    person = person_in_village_1(world)
    page = phone.page
    phone.sign_in("volunteer_a", PASSWORD)

    phone.goto("/risk/villages/")
    villages = page.locator("ul.list").inner_text()
    assert world.village_1.code in villages
    assert world.village_2.code not in villages  # in the same subdistrict, but not hers
    assert world.village_3.code not in villages
    assert fits_the_phone(phone)

    page.click(f"a.row-link:has-text('{world.village_1.code}')")
    page.wait_for_url(f"**/risk/villages/{world.village_1.code}/")
    row = page.locator("ul.people a.row-link", has_text="Ploy Saengkham")
    assert row.count() == 1
    assert row.locator(".badge.due").inner_text() == "never assessed"
    assert fits_the_phone(phone)

    row.click()
    page.wait_for_url(f"**/risk/people/{person.pk}/")
    assert "Not assessed yet." in page.locator("section.panel").first.inner_text()
    page.click("a.button:has-text('Assess now')")
    page.wait_for_url(f"**/risk/people/{person.pk}/assess/")
    assert page.locator("h1").inner_text() == "Assess Ploy Saengkham"
    assert fits_the_phone(phone)

    # (HLT-ILL is a lasting condition, not a sudden event: no red flag, so the index alone sets the band)
    asked = answer_every_question(phone, at_3=("HLT-ILL",))
    # Every individual and household question is on the screen; age band and sex are not asked again
    # but shown from her record (born 2014, a girl).
    assert asked == len(all_answers()) - 2
    assert "from the person's record" in page.locator("#q-SOC-AGE").inner_text()
    assert page.locator("#q-SOC-SEX.from-record").count() == 1
    assert page.locator("fieldset.question input[type=radio]:checked").count() == asked
    assert page.locator("#q-HLT-ILL input[value='3']").is_checked()
    assert page.locator("#q-HLT-DEATH input[value='1']").is_checked()

    page.click("button:has-text('Save assessment')")
    page.wait_for_url(f"**/risk/people/{person.pk}/")

    saved = Assessment.objects.get(person=person)
    assert saved.scores == all_answers(1, HLT_ILL=3, SOC_AGE=2, SOC_SEX=2)
    assert saved.assessor == world.volunteer_a
    assert saved.band == "low"
    assert saved.index is not None
    assert f"Saved. Risk index {saved.index} (low)." in page.locator(".messages").inner_text()
    current = page.locator("section.panel").first
    assert current.locator(".badge.band-low").inner_text() == "low"
    assert current.locator("p.big strong").inner_text() == str(saved.index)
    assert "1 answers at the highest risk (3)" in current.inner_text()
    assert fits_the_phone(phone)
    assert phone.errors == []


def test_an_assessment_that_raises_an_alert_reaches_the_volunteer_who_acknowledges_it(phone):
    world = risk_world()
    person = person_in_village_1(world, name="Anong")
    baseline = timezone.localdate() - timedelta(days=30)
    services.assessment_record(
        actor=world.volunteer_a, person=person, assessed_on=baseline, scores=all_answers(1)
    )
    assert not Alert.objects.exists()
    page = phone.page
    phone.sign_in("volunteer_a", PASSWORD)

    phone.goto(f"/risk/people/{person.pk}/assess/")
    answer_every_question(phone, at_3=("HLT-DEATH",))
    page.click("button:has-text('Save assessment')")
    page.wait_for_url(f"**/risk/people/{person.pk}/")
    assert "This raised an alert for follow-up." in page.locator(".messages").inner_text()
    alert = Alert.objects.get(person=person)
    assert alert.status == Alert.Status.OPEN
    assert world.volunteer_a in alert.recipients.all()

    phone.goto("/risk/alerts/")
    item = page.locator("li.alert-item", has_text="Anong Saengkham")
    assert item.count() == 1
    assert "A sudden event reached the highest score" in item.inner_text()
    assert item.locator(".badge").first.inner_text() == "Open"
    assert fits_the_phone(phone)

    with page.expect_navigation():
        item.locator('button:has-text("I\'m on it")').click()
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACKNOWLEDGED
    assert alert.acknowledged_by == world.volunteer_a
    # Back on the inbox of open alerts, which is now empty.
    assert page.url.endswith("/risk/alerts/")
    assert "No alerts. Good." in page.locator("ul.list").inner_text()

    phone.goto("/risk/alerts/?status=acknowledged")
    item = page.locator("li.alert-item", has_text="Anong Saengkham")
    assert item.locator(".badge").first.inner_text() == "Acknowledged"
    assert item.locator("button").count() == 0  # nothing left to acknowledge
    assert phone.errors == []


def assessed_people(world: World) -> None:
    """Four assessed people of agency A: two girls and a boy in district 5001, a girl in district 5002."""
    today = timezone.localdate()
    for village, name, sex in [
        (world.village_1, "Ploy", "female"),
        (world.village_1, "Nok", "female"),
        (world.village_2, "Anan", "male"),
        (world.village_3, "Aye", "female"),
    ]:
        person = services.person_create(
            actor=world.coordinator_a, village_code=village.code, given_name=name, sex=sex, birth_year=2012
        )
        services.assessment_record(
            actor=world.coordinator_a, person=person, assessed_on=today, scores=all_answers(1)
        )


def table_rows(phone: Any) -> list[dict[str, str]]:
    """The report table's body as {data-label: text} per row."""
    return phone.page.evaluate(
        """() => Array.from(document.querySelectorAll("table.report tbody tr")).map(tr =>
            Object.fromEntries(Array.from(tr.querySelectorAll("td[data-label]")).map(
                td => [td.dataset.label, td.innerText.trim()])))"""
    )


def test_the_risk_report_by_district_and_sex_renders_for_a_coordinator(phone):
    world = risk_world()
    assessed_people(world)
    phone.sign_in("coordinator_a", PASSWORD)
    response = phone.goto("/reports/risk/?group_by=district&group_by=sex")
    assert response.status == 200
    page = phone.page
    headers = page.locator("table.report thead th").all_inner_texts()
    assert headers[:3] == ["District", "Sex", "People"]
    rows = table_rows(phone)
    assert [(r["District"], r["Sex"], r["People"], r["low"]) for r in rows] == [
        ("Area 5001", "female", "2", "2"),
        ("Area 5001", "male", "1", "1"),
        ("Area 5002", "female", "1", "1"),
    ]
    # A coordinator sees exact numbers: nothing is hidden.
    assert "<11" not in page.locator("table.report").inner_text()
    assert page.locator("table.report svg.bar").count() == 3
    # Both groupings stay ticked in the form.
    assert page.locator("input[name=group_by][value=district]").is_checked()
    assert page.locator("input[name=group_by][value=sex]").is_checked()
    assert not page.locator("input[name=group_by][value=village]").is_checked()
    assert phone.errors == []


SQUARE = [[98.9, 18.7], [99.0, 18.7], [99.0, 18.8], [98.9, 18.8], [98.9, 18.7]]


def test_the_map_draws_one_shape_per_district_without_a_tile_server(phone, settings):
    world = risk_world()
    assessed_people(world)
    assert settings.MAP_TILE_URL == ""
    Area.objects.filter(code=world.district_1.code).update(
        boundary={"type": "Polygon", "coordinates": [SQUARE]}
    )
    shifted = [[x + 0.2, y] for x, y in SQUARE]
    Area.objects.filter(code=world.district_2.code).update(
        boundary={"type": "Polygon", "coordinates": [shifted]}
    )
    with_shapes = (
        Area.objects.filter(level="district")
        .exclude(boundary__isnull=True, centroid_lat__isnull=True)
        .count()
    )
    assert with_shapes == 2
    page = phone.page
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    phone.sign_in("coordinator_a", PASSWORD)

    phone.goto("/reports/map/")
    page.wait_for_selector("#map[data-features]", state="attached", timeout=10_000)
    features = int(page.get_attribute("#map", "data-features") or "-1")
    shapes = page.locator("#map path.leaflet-interactive").count()
    assert features == with_shapes
    assert shapes == features
    assert page.locator("#map .leaflet-tile").count() == 0  # no tile layer at all
    assert all(url.startswith(phone.base_url) for url in requested), "the page fetched from elsewhere"
    # A legend in the page names the bands of the fixed 0-100 scale and what an area without one means;
    # each area is filled with its band's colour (all four people answered 1 everywhere: index 0, low).
    legend = page.locator("section.legend").inner_text()
    for words in ("High risk", "Medium risk", "Low risk", "No people", "0 to 100", "low under 34"):
        assert words in legend, words
    assert "Hidden" not in legend  # a coordinator's figures are exact: nothing is hidden from her
    fills = page.eval_on_selector_all(
        "#map path.leaflet-interactive", "ps => ps.map(p => p.getAttribute('fill'))"
    )
    assert fills == ["#2b7a0b", "#2b7a0b"]
    assert fits_the_phone(phone)

    # Tapping a district opens its popup with its figures (exact for a coordinator).
    page.locator("#map path.leaflet-interactive").first.click()
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5_000)
    assert "(5001)" in popup.inner_text() or "(5002)" in popup.inner_text()
    assert "People:" in popup.inner_text()
    assert phone.errors == []


def test_an_analyst_sees_small_cells_hidden_and_gets_a_404_for_the_person_list(phone):
    world = risk_world()
    assessed_people(world)
    phone.sign_in("analyst_a", PASSWORD)
    page = phone.page

    response = phone.goto("/reports/risk/")
    assert response.status == 200
    assert "Numbers under 11 are hidden" in page.locator("p.helptext").inner_text()
    rows = table_rows(phone)
    assert [r["District"] for r in rows] == ["Area 5001", "Area 5002"]
    for row in rows:  # three people and one: far fewer than 11 in each group
        assert row["People"] == "<11"
        assert row["low"] == "<11"
        assert row["Mean index"] == "—"
    assert page.locator("table.report svg.bar").count() == 0
    assert phone.errors == []

    failed: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    response = phone.goto("/risk/people/")
    page.wait_for_load_state("networkidle")  # so that whatever the 404 page asks for has been asked for
    assert response.status == 404
    for name in ("Ploy", "Nok", "Anan", "Aye"):
        assert name not in page.content()
    # Chromium logs the page's own 404 as a console error: that one is expected, and nothing else may fail.
    assert failed == [phone.base_url + "/risk/people/"], f"failed requests: {failed}"
    phone.errors.remove(
        "console: Failed to load resource: the server responded with a status of 404 (Not Found)"
    )
    # A 404 page that names no icon makes the browser fetch /favicon.ico, which is missing as well.
    assert phone.errors == [], "the 404 page made the browser fetch something missing (/favicon.ico?)"


@pytest.mark.parametrize("language", ["th", "zh-hans"])
def test_a_volunteer_in_thai_or_chinese_saves_an_assessment_on_a_phone(phone, language):
    """The date field carries an ISO value in every language (a localised one left it empty and the
    browser blocked Save)."""
    world = risk_world()
    world.volunteer_a.language = language
    world.volunteer_a.save(update_fields=["language"])
    person = person_in_village_1(world, name="Malee")
    page = phone.page
    phone.sign_in("volunteer_a", PASSWORD)
    phone.goto(f"/risk/people/{person.pk}/assess/")
    today = timezone.localdate()
    assert page.locator("input[name=assessed_on]").input_value() == today.isoformat()
    answer_every_question(phone)
    page.click("form.assess button[type=submit]")
    page.wait_for_url(f"**/risk/people/{person.pk}/")
    saved = Assessment.objects.get(person=person)
    assert saved.assessed_on == today
    assert fits_the_phone(phone)
    assert phone.errors == []


def test_a_thai_volunteer_may_give_the_date_in_the_buddhist_era(phone):
    world = risk_world()
    world.volunteer_a.language = "th"
    world.volunteer_a.save(update_fields=["language"])
    person = person_in_village_1(world, name="Dao")
    page = phone.page
    phone.sign_in("volunteer_a", PASSWORD)
    phone.goto(f"/risk/people/{person.pk}/assess/")
    visited = timezone.localdate() - timedelta(days=3)
    page.fill("input[name=assessed_on]", "")  # (the picker emptied: the BE entry is what counts)
    page.fill("input[name=assessed_on_be]", f"{visited.day}/{visited.month}/{visited.year + 543}")
    answer_every_question(phone)
    page.click("form.assess button[type=submit]")
    page.wait_for_url(f"**/risk/people/{person.pk}/")
    assert Assessment.objects.get(person=person).assessed_on == visited
    assert phone.errors == []


def test_a_child_about_to_leave_alone_shows_high_with_its_red_flag_on_an_incomplete_visit(phone):
    world = risk_world()
    person = services.person_create(
        actor=world.coordinator_a,
        village_code=world.village_1.code,
        given_name="Fon",
        sex="female",
        birth_year=timezone.localdate().year - 15,
    )
    page = phone.page
    phone.sign_in("volunteer_a", PASSWORD)
    phone.goto(f"/risk/people/{person.pk}/assess/")
    for code in ("MIG-ALONE", "MIG-INTENT", "EDU-SCHOOL", "SOC-WORK", "EDU-AWARE"):
        page.locator(f"#q-{code} label.choice", has=page.locator("input[value='3']")).click()
    page.click("button:has-text('Save assessment')")
    page.wait_for_url(f"**/risk/people/{person.pk}/")
    assert "Red flag: A child about to leave alone" in page.locator(".messages").inner_text()
    assert "This raised an alert for follow-up." in page.locator(".messages").inner_text()
    current = page.locator("section.panel").first
    assert current.locator(".badge.band-high").first.inner_text() == "high"
    assert current.locator("#band-incomplete").inner_text() == "incomplete"
    assert "A child about to leave alone" in current.locator("#red-flags").inner_text()
    assert Alert.objects.get(person=person).rules == ["red_flag"]
    assert fits_the_phone(phone)
    assert phone.errors == []
