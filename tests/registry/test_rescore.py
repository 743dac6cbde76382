"""Re-scoring after a catalogue change: everyone's current risk moves to the new version; no assessment is
written or changed, no alert is raised, and what comes next is compared with the re-scored risk."""

import random
from datetime import date, timedelta

import pytest
from django.urls import reverse

from safepassage.audit.models import AuditEvent
from safepassage.registry import scoring, services
from safepassage.registry.bulk import BulkItem, assessments_bulk_record, catalogue_rescore
from safepassage.registry.models import Alert, Assessment, Catalogue, Person
from safepassage.reports import selectors as reports
from safepassage.testing import verify_session

from .conftest import all_answers

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def admin(django_user_model):
    return django_user_model.objects.create_superuser("root2", password="a long enough password")


def new_version(admin, *, inactive=(), weights=None, parameters=None) -> Catalogue:
    """A copy of the active version with some indicators dropped or reweighted, activated."""
    draft = services.catalogue_copy(actor=admin, source=Catalogue.objects.get(status="active"))
    for code in inactive:
        services.indicator_update(actor=admin, indicator=draft.indicators.get(code=code), active=False)
    for code, weight in (weights or {}).items():
        services.indicator_update(actor=admin, indicator=draft.indicators.get(code=code), weight=weight)
    if parameters:
        merged = {**draft.parameters, **parameters}
        services.catalogue_update_parameters(actor=admin, catalogue=draft, parameters=merged)
    return services.catalogue_activate(actor=admin, catalogue=draft)


def record(actor, person, on, answers):
    return services.assessment_record(actor=actor, person=person, assessed_on=on, scores=answers)


def test_rescoring_moves_current_risk_to_the_new_version_and_leaves_history_alone(world, child_a, admin):
    old = record(world.volunteer_a, child_a, TODAY - timedelta(days=5), all_answers(1, HLT_ILL=3, EDU_LANG=3))
    v1 = old.assessment.catalogue
    v2 = new_version(admin, inactive=["HLT-ILL"])
    stored = Assessment.objects.count()
    assert catalogue_rescore(actor=admin) == 1
    child_a.refresh_from_db()
    # 24 answers left, one at 3: 2 / 48 × 100
    assert child_a.current_index == round(2 / 48 * 100, 2)
    assert child_a.current_catalogue_id == v2.pk
    assert child_a.current_deprivation_share == round(1 / 24, 4)
    # The same assessment is still current, from the same day; nothing was written to the history.
    assert child_a.current_assessment_id == old.assessment.pk
    assert child_a.current_assessed_on == old.assessment.assessed_on
    assert Assessment.objects.count() == stored
    old.assessment.refresh_from_db()
    assert (old.assessment.index, old.assessment.catalogue_id) == (8.0, v1.pk)
    assert Alert.objects.count() == 0
    event = AuditEvent.objects.get(action="registry.catalogue.rescore")
    assert event.changes == {"version": v2.version, "rescored": 1}
    assert catalogue_rescore(actor=admin) == 0  # everyone is on v2 already


def test_the_database_reads_the_answers_the_way_the_scorer_would(world, child_a, child_a2, child_b, admin):
    """Many answer sheets (some questions unanswered), re-scored in bulk: each person's current risk is
    what scoring their answers under the new version one at a time gives."""
    rng = random.Random(3)
    people = [child_a, child_a2, child_b]
    for n in range(27):
        people.append(
            services.person_create(
                actor=world.coordinator_a, village_code=world.village_1.code, given_name=f"P{n}", sex="male"
            )
        )
    codes = list(all_answers(1))
    sheets = {}
    for person in people:
        answers = {c: rng.choice((1, 2, 3)) for c in codes if rng.random() < 0.8}
        answers["SOC-SEX"] = min(answers.get("SOC-SEX", 1), 2)
        sheets[person.pk] = answers
    assessments_bulk_record(
        actor=None, items=[BulkItem(pid, TODAY, answers) for pid, answers in sheets.items()], batch_size=7
    )
    v2 = new_version(
        admin,
        inactive=["HLT-ILL", "EDU-LANG"],
        weights={"HLT-ACCESS": 3, "BMN-DEBT": 2},
        parameters={"multiple_vulnerability_k": 0.2},
    )
    assert catalogue_rescore(actor=admin, batch_size=4) == len(people)
    specs = v2.specs("IH")
    asked = {s.code for s in specs}
    flags = set()
    for person in Person.objects.filter(pk__in=sheets):
        expected = scoring.score(
            {c: v for c, v in sheets[person.pk].items() if c in asked}, specs, v2.params()
        )
        got = (
            person.current_index,
            person.current_band,
            person.current_multiple,
            person.current_deprivation_share,
        )
        assert got == (expected.index, expected.band, expected.multiple, expected.deprivation_share)
        assert person.current_catalogue_id == v2.pk
        flags.add(expected.multiple)
    assert flags == {True, False}  # (the sample holds both kinds)


def test_what_comes_after_a_rescore_is_compared_with_the_rescored_risk(world, child_a, child_a2, admin):
    """v2 asks only what these children scored high on. Without re-scoring, their index would seem to
    jump from the v1 figure and warn; compared with the re-scored risk, the same answers warn nothing."""
    answers = all_answers(1)
    high = ["HLT-ACCESS", "EDU-SCHOOL", "BMN-DEBT"]
    answers.update(dict.fromkeys(high, 3))
    record(world.volunteer_a, child_a, TODAY - timedelta(days=60), answers)
    assessments_bulk_record(actor=None, items=[BulkItem(child_a2.pk, TODAY - timedelta(days=60), answers)])
    warned = Alert.objects.count()  # (the first visits' red flag: debt at 3 is a sudden event)
    asked = set(high) | set(list(answers)[:10])
    v2 = new_version(admin, inactive=[c for c in answers if c not in asked])
    catalogue_rescore(actor=admin)
    child_a.refresh_from_db()
    v1_index = Assessment.objects.get(person=child_a).index
    assert child_a.current_index - v1_index >= 15  # the rise the index rule would warn about
    again = {c: v for c, v in answers.items() if c in asked}
    recorded = record(world.volunteer_a, child_a, TODAY, again)
    assert recorded.assessment.catalogue_id == v2.pk and recorded.alert is None
    result = assessments_bulk_record(actor=None, items=[BulkItem(child_a2.pk, TODAY, again)])
    assert result.created == 1 and result.alerts == 0
    assert Alert.objects.count() == warned


def test_prioritisation_counts_multiple_vulnerability_as_re_scored(world, child_a, admin):
    answers = all_answers(1, HLT_ACCESS=3, EDU_SCHOOL=3)  # 2 of 25 at 3: not multiply vulnerable
    record(world.volunteer_a, child_a, TODAY, answers)

    def area_row():
        rows = reports.prioritisation(viewer=world.coordinator_a, level="province")
        return next(r for r in rows if r["n"])

    assert area_row()["H"] == 0.0
    new_version(admin, weights={"HLT-ACCESS": 8, "EDU-SCHOOL": 8})  # (8 + 8) / (16 + 23) ≥ 1/3
    catalogue_rescore(actor=admin)
    row = area_row()
    assert row["H"] == 1.0 and row["A"] == round(16 / 39, 4)


def test_the_person_page_shows_the_rescored_risk_and_says_why(world, child_a, admin, client):
    record(world.volunteer_a, child_a, TODAY - timedelta(days=5), all_answers(1, HLT_ILL=3, EDU_LANG=3))
    url = reverse("registry:person_detail", args=[child_a.pk])
    client.force_login(world.coordinator_a)
    verify_session(client, world.coordinator_a)
    page = client.get(url).content.decode()
    assert 'id="rescored"' not in page and "<strong>8.0</strong>" in page
    new_version(admin, inactive=["HLT-ILL"])
    catalogue_rescore(actor=admin)
    page = client.get(url).content.decode()
    assert f"<strong>{round(2 / 48 * 100, 2)}</strong>" in page
    assert 'id="rescored"' in page and "v2" in page


def test_a_rescore_leaves_alone_anyone_assessed_again_since_it_read_them(world, child_a, admin):
    """A re-score reads someone's answers, then another session records a new assessment for them and
    commits before the re-score writes: the new assessment stays current (the write checks, row by row,
    that the assessment it scored is still the current one)."""
    from safepassage.registry.bulk import _set_current

    first = record(world.volunteer_a, child_a, TODAY - timedelta(days=9), all_answers(1)).assessment
    v2 = new_version(admin, inactive=["HLT-ILL"])
    newer = record(world.volunteer_a, child_a, TODAY, all_answers(2)).assessment
    scored_then = (child_a.pk, first.pk, 0.0, "low", first.assessed_on, False, 0.0, v2.pk, "")
    _set_current([scored_then], rescore=True)
    child_a.refresh_from_db()
    assert (child_a.current_assessment_id, child_a.current_index) == (newer.pk, newer.index)
    _set_current([scored_then])  # (what a round's write does, for comparison)
    child_a.refresh_from_db()
    assert child_a.current_assessment_id == first.pk


def test_the_api_gives_the_rescored_risk_with_its_version_and_the_history_as_assessed(world, child_a, admin):
    from safepassage.testing import api_client

    old = record(world.volunteer_a, child_a, TODAY - timedelta(days=5), all_answers(1, HLT_ILL=3, EDU_LANG=3))
    client = api_client(world.coordinator_a)
    before = client.get(f"/api/v1/people/{child_a.pk}").json()
    assert (before["index"], before["catalogue_version"]) == (8.0, 1)
    new_version(admin, inactive=["HLT-ILL"])
    catalogue_rescore(actor=admin)
    after = client.get(f"/api/v1/people/{child_a.pk}").json()
    assert (after["index"], after["catalogue_version"]) == (round(2 / 48 * 100, 2), 2)
    listed = client.get("/api/v1/people", {"village_code": world.village_1.code}).json()["items"]
    assert [(p["id"], p["catalogue_version"]) for p in listed] == [(child_a.pk, 2)]
    history = client.get(f"/api/v1/people/{child_a.pk}/assessments").json()
    assert [(a["id"], a["index"], a["catalogue_version"]) for a in history] == [(old.assessment.pk, 8.0, 1)]


@pytest.mark.parametrize("asked", [["HLT-ILL"], []], ids=["one indicator left", "none left"])
def test_a_version_that_asks_one_indicator_or_none_rescores_too(world, child_a, admin, asked):
    record(world.volunteer_a, child_a, TODAY, all_answers(1, HLT_ILL=3))
    v2 = new_version(admin, inactive=[c for c in all_answers(1) if c not in asked])
    assert catalogue_rescore(actor=admin) == 1
    child_a.refresh_from_db()
    expected = (100.0, "high") if asked else (None, "incomplete")
    assert (child_a.current_index, child_a.current_band, child_a.current_catalogue_id) == (*expected, v2.pk)


def test_a_latest_assessment_from_an_older_version_becomes_current_risk_under_the_active_one(
    world, child_a, admin
):
    """What a merge of two records does with the newest assessment of either (linkage): current risk as a
    re-score would give it, not the old version's figure."""
    old = record(world.volunteer_a, child_a, TODAY, all_answers(1, HLT_ILL=3, EDU_LANG=3)).assessment
    v2 = new_version(admin, inactive=["HLT-ILL"])
    fields = services.current_risk_fields(old)
    assert fields["current_assessment"] == old and fields["current_catalogue"] == v2
    assert (fields["current_index"], fields["current_deprivation_share"]) == (
        round(2 / 48 * 100, 2),
        round(1 / 24, 4),
    )
    assert services.current_risk_fields(None)["current_band"] == ""
