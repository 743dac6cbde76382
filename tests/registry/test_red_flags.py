"""Red flags: combinations of answers that set a minimum band whatever the index (PRODUCT.md, "Red flags").

An average must never hide a child about to leave with a broker: each default rule is checked through the
scorer, the single and bulk write paths, re-scoring, the API and the person's page.
"""

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from safepassage.registry import scoring, services
from safepassage.registry.bulk import BulkItem, assessments_bulk_record, catalogue_rescore
from safepassage.registry.models import Alert, Assessment, Catalogue, Person
from safepassage.registry.services import person_create
from safepassage.testing import api_client, web_client

from .conftest import DEFAULT_CATALOGUE, all_answers

pytestmark = pytest.mark.django_db
TODAY = date.today()

# The answers the field report found hidden under "low": debt to a broker, the intention to leave, an
# informal broker and no documents, everything else at 1.
BROKER_DEBT = {"BMN_DEBT": 3, "MIG_INTENT": 3, "MIG_RECRUIT": 3, "SOC_DOCS": 3}


def default_scorer() -> scoring.Scorer:
    data = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    specs = [
        scoring.IndicatorSpec(i["code"], i["domain"], i["level"], i["kind"], i.get("weight", 1.0))
        for i in data["indicators"]
        if i["level"] in "IH"
    ]
    return scoring.Scorer(specs, scoring.Parameters.from_dict(data["parameters"]))


def ones(**overrides: int) -> dict[str, int]:
    scorer = default_scorer()
    answers = dict.fromkeys(scorer.codes, 1)
    answers.update({k.replace("_", "-"): v for k, v in overrides.items()})
    return answers


def test_the_default_catalogue_ships_the_four_rules():
    rules = {f.code: f for f in default_scorer().params.red_flags}
    assert set(rules) == {"debt_recruitment", "child_leaving_alone", "broker_no_documents", "sudden_event"}
    assert rules["child_leaving_alone"].under_age == 18
    assert {f.band for f in rules.values()} == {"high", "medium"}
    # Named in every language the interface speaks.
    assert all(set(f.label) == {"en", "th", "lo", "km", "my", "vi", "zh-hans"} for f in rules.values())


@pytest.mark.parametrize(
    ("answers", "age", "flags", "band"),
    [
        ({"BMN_DEBT": 3, "MIG_RECRUIT": 3}, 30, ["debt_recruitment", "sudden_event"], "high"),
        ({"BMN_DEBT": 3, "MIG_RECRUIT": 2}, 30, ["sudden_event"], "medium"),
        ({"MIG_ALONE": 3, "MIG_INTENT": 3}, 15, ["child_leaving_alone"], "high"),
        ({"MIG_ALONE": 3, "MIG_INTENT": 3}, None, ["child_leaving_alone"], "high"),  # age not known
        ({"MIG_ALONE": 3, "MIG_INTENT": 3}, 18, [], "low"),  # an adult travelling alone
        (
            {"MIG_RECRUIT": 3, "SOC_DOCS": 3, "MIG_INTENT": 3},
            40,
            ["broker_no_documents", "sudden_event"],
            "high",
        ),
        ({"HLT_DEATH": 3}, 40, ["sudden_event"], "medium"),
        ({"EDU_SCHOOL": 3, "EDU_LANG": 3}, 12, [], "low"),  # not triggers, no combination
    ],
)
def test_each_default_rule_sets_its_band(answers, age, flags, band):
    result = default_scorer()(ones(**answers), age)
    assert sorted(result.red_flags) == sorted(flags)
    assert result.band == band


def test_the_broker_debt_answers_are_high_not_low():
    result = default_scorer()(ones(**BROKER_DEBT), 19)
    assert result.index == 16.0  # four 3s among 25 answers: 8 / 50: the index alone says "low"
    assert scoring.band_of(result.index, result.completeness, default_scorer().params) == "low"
    assert result.band == "high"
    assert set(result.red_flags) == {"debt_recruitment", "broker_no_documents", "sudden_event"}


def test_an_incomplete_assessment_takes_the_flags_band_and_stays_incomplete():
    scorer = default_scorer()
    five = {"MIG-ALONE": 3, "MIG-INTENT": 3, "EDU-SCHOOL": 3, "SOC-WORK": 3, "EDU-AWARE": 3}
    result = scorer(five, 15)
    assert result.completeness == 0.2 and not scorer.params.complete(result.index, result.completeness)
    assert (result.band, result.red_flags) == ("high", ("child_leaving_alone",))
    assert result.multiple is False  # (not judged on five answers)
    assert scorer(five, 40).band == scoring.INCOMPLETE  # an adult's five answers: no flag, no band


@pytest.mark.parametrize(
    ("on", "birth_date", "birth_year", "age"),
    [
        (date(2026, 5, 1), date(2008, 5, 2), None, 17),  # the day before the 18th birthday
        (date(2026, 5, 2), date(2008, 5, 2), None, 18),
        (date(2026, 12, 31), None, 2008, 17),  # born in 2008: may still be 17 all year
        (date(2027, 1, 1), None, 2008, 18),
        (date(2026, 1, 1), None, None, None),
    ],
)
def test_age_for_the_red_flags(on, birth_date, birth_year, age):
    assert scoring.youngest_age(on, birth_date, birth_year) == age


def test_rules_are_checked_when_a_catalogue_is_loaded():
    def rule(**fields):
        return scoring.RedFlag.from_dict({"code": "x", "band": "high", "all": {"A": 3}, **fields})

    assert rule().all == (("A", 3),)
    bad_rules: list[dict[str, object]] = [
        {"band": "severe"},
        {"all": {"A": 4}},
        {"all": {}},
        {"under_age": "18"},
        {"any": {"B": 3}},
    ]
    for bad in bad_rules:
        with pytest.raises(ValueError, match="red flag"):
            rule(**bad)


def test_a_catalogue_whose_red_flag_names_an_unknown_indicator_is_refused(world):
    data = json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))
    data["parameters"]["red_flags"].append({"code": "typo", "band": "high", "all": {"MIG-INTNET": 3}})
    with pytest.raises(ValidationError) as refused:
        services.catalogue_load(actor=None, data=data)
    assert "MIG-INTNET" in str(refused.value.message_dict["parameters.red_flags"])


# ---------------------------------------------------------------------------------------- write paths


@pytest.fixture
def teenager(world) -> Person:
    return person_create(
        actor=world.coordinator_a,
        village_code=world.village_1.code,
        given_name="Noi",
        sex="female",
        birth_year=TODAY.year - 15,
    )


@pytest.fixture
def adult(world) -> Person:
    return person_create(
        actor=world.coordinator_a,
        village_code=world.village_1.code,
        given_name="Somchai",
        sex="male",
        birth_date=date(1969, 4, 2),
    )


def test_the_api_names_the_red_flags_and_an_incomplete_visit_raises_an_alert(world, teenager):
    client = api_client(world.volunteer_a)
    five = {"MIG-ALONE": 3, "MIG-INTENT": 3, "EDU-SCHOOL": 3, "SOC-WORK": 3, "EDU-AWARE": 3}
    response = client.post(
        f"/api/v1/people/{teenager.pk}/assessments", {"assessed_on": str(TODAY), "scores": five}
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["band"], body["complete"]) == ("high", False)
    assert body["red_flags"] == [
        {"code": "child_leaving_alone", "band": "high", "label": "A child about to leave alone"}
    ]
    assert [r["rule"] for r in body["alerts"][0]["reasons"]] == ["red_flag"]
    person = client.get(f"/api/v1/people/{teenager.pk}").json()
    assert (person["band"], [f["code"] for f in person["red_flags"]]) == ("high", ["child_leaving_alone"])
    # The flags are named in the language asked for.
    thai = client.client.get(
        f"/api/v1/people/{teenager.pk}", headers={**client.headers, "Accept-Language": "th"}
    ).json()
    assert thai["red_flags"][0]["label"] == "เด็กกำลังจะเดินทางไปคนเดียว"


def test_an_adult_travelling_alone_raises_no_flag_and_no_alert(world, adult):
    client = api_client(world.volunteer_a)
    answers = all_answers(1, MIG_ALONE=3, MIG_INTENT=3)
    body = client.post(
        f"/api/v1/people/{adult.pk}/assessments", {"assessed_on": str(TODAY), "scores": answers}
    ).json()
    assert (body["band"], body["red_flags"], body["alerts"]) == ("low", [], [])


def test_a_flag_warns_once_not_at_every_visit(world, child_a):
    first = services.assessment_record(
        actor=world.volunteer_a, person=child_a, assessed_on=TODAY - timedelta(days=30), scores=all_answers(1)
    )
    assert first.alert is None
    flagged = services.assessment_record(
        actor=world.volunteer_a,
        person=child_a,
        assessed_on=TODAY - timedelta(days=10),
        scores=all_answers(1, **BROKER_DEBT),
    )
    assert flagged.alert is not None
    red = next(r for r in flagged.alert.reasons if r["rule"] == "red_flag")
    # (sudden_event fired too, but leaves its alert to the trigger rule, which named the triggers)
    assert set(red["flags"]) == {"debt_recruitment", "broker_no_documents"}
    again = services.assessment_record(
        actor=world.volunteer_a,
        person=child_a,
        assessed_on=TODAY,
        scores=all_answers(1, **BROKER_DEBT, EDU_LANG=2),
    )
    assert again.alert is None  # still flagged, already warned
    child_a.refresh_from_db()
    assert child_a.current_band == "high"
    assert set(child_a.current_red_flags.split(",")) == {*red["flags"], "sudden_event"}


@pytest.mark.parametrize("batch_size", [5000, 1])
def test_bulk_recording_flags_exactly_like_one_at_a_time(world, teenager, adult, child_a, batch_size):
    five = {"MIG-ALONE": 3, "MIG-INTENT": 3, "EDU-SCHOOL": 3, "SOC-WORK": 3, "EDU-AWARE": 3}
    items = [
        BulkItem(teenager.pk, TODAY, five),
        BulkItem(adult.pk, TODAY - timedelta(days=40), all_answers(1)),
        BulkItem(adult.pk, TODAY, all_answers(1, **BROKER_DEBT)),
        BulkItem(child_a.pk, TODAY, all_answers(1, MIG_ALONE=3, MIG_INTENT=3)),
    ]
    result = assessments_bulk_record(actor=None, items=items, batch_size=batch_size)
    assert (result.created, result.alerts) == (4, 3)
    bulk = {a.person_id: a for a in Assessment.objects.filter(assessed_on=TODAY)}
    assert (bulk[teenager.pk].band, bulk[teenager.pk].red_flags) == ("high", "child_leaving_alone")
    assert bulk[adult.pk].band == "high"
    assert bulk[child_a.pk].red_flags == "child_leaving_alone"
    for person in (teenager, adult, child_a):
        person.refresh_from_db()
        assert person.current_red_flags == bulk[person.pk].red_flags
        assert person.current_band == bulk[person.pk].band
        # The single path gives the same result for the same person, day and answers.
        single = scoring.score(
            bulk[person.pk].scores,
            Catalogue.objects.get(status="active").specs("IH"),
            Catalogue.objects.get(status="active").params(),
            services.age_on(person, TODAY),
        )
        assert (single.band, scoring.flags_text(single.red_flags)) == (
            person.current_band,
            person.current_red_flags,
        )
    flagged = Alert.objects.filter(person=teenager).get()
    assert flagged.rules == ["red_flag"]


def test_a_rescore_applies_a_new_rule_to_current_answers(world, child_a, django_user_model):
    admin = django_user_model.objects.create_superuser("root3", password="a long enough password")
    services.assessment_record(
        actor=None, person=child_a, assessed_on=TODAY, scores=all_answers(1, SOC_WORK=3, EDU_SCHOOL=3)
    )
    child_a.refresh_from_db()
    assert (child_a.current_band, child_a.current_red_flags) == ("low", "")
    draft = services.catalogue_copy(actor=admin, source=Catalogue.objects.get(status="active"))
    rules = [
        *draft.parameters["red_flags"],
        {"code": "child_labour", "band": "high", "all": {"SOC-WORK": 3, "EDU-SCHOOL": 3}, "under_age": 15},
    ]
    services.catalogue_update_parameters(
        actor=admin, catalogue=draft, parameters={**draft.parameters, "red_flags": rules}
    )
    services.catalogue_activate(actor=admin, catalogue=draft)
    assert catalogue_rescore(actor=admin) == 1
    child_a.refresh_from_db()
    assert (child_a.current_band, child_a.current_red_flags) == ("high", "child_labour")


def test_the_scoring_rules_form_keeps_the_red_flags(world, django_user_model):
    admin = django_user_model.objects.create_superuser("root4", password="a long enough password")
    draft = services.catalogue_copy(actor=admin, source=Catalogue.objects.get(status="active"))
    form = {
        "parameters": "1",
        "medium_from": 30,
        "high_above": 60,
        "completeness_threshold": 0.5,
        "multiple_vulnerability_k": 0.33,
        "reassess_months": 6,
        "index_rise": 15,
        "band_rise": "on",
        "trigger_newly_3": "on",
        "high_not_reassessed_months": 12,
        "acknowledge_hours": 72,
    }
    response = web_client(admin).post(f"/risk/catalogue/v{draft.version}/", form)
    assert response.status_code == 302, response.content[:500]
    draft.refresh_from_db()
    assert draft.parameters["bands"]["medium_from"] == 30
    assert [f["code"] for f in draft.parameters["red_flags"]] == [
        "debt_recruitment",
        "child_leaving_alone",
        "broker_no_documents",
        "sudden_event",
    ]


def test_the_person_page_names_the_flags_beside_the_band(world, teenager):
    five = {"MIG-ALONE": 3, "MIG-INTENT": 3, "EDU-SCHOOL": 3, "SOC-WORK": 3, "EDU-AWARE": 3}
    services.assessment_record(actor=world.volunteer_a, person=teenager, assessed_on=TODAY, scores=five)
    page = web_client(world.volunteer_a).get(f"/risk/people/{teenager.pk}/").content.decode()
    assert "A child about to leave alone" in page
    assert 'id="band-incomplete"' in page  # the band is the flag's, on too few answers
    assert "Too few answers to tell" in page
    assert "Not several serious risks at once" not in page
    assert "First assessment" in page and "?" + " →" not in page


def test_a_sudden_event_on_a_first_visit_sets_the_band_but_leaves_the_alert_to_the_trigger_rule(
    world, child_a
):
    """A baseline survey finds many households in debt: medium at least, but no flood of alerts unless the
    catalogue asks for alerts on first assessments (first_assessment_triggers)."""
    first = services.assessment_record(
        actor=world.volunteer_a, person=child_a, assessed_on=TODAY, scores=all_answers(1, BMN_DEBT=3)
    )
    assert (first.assessment.band, first.assessment.red_flags, first.alert) == (
        "medium",
        "sudden_event",
        None,
    )
    assert scoring.RedFlag.from_dict({"code": "x", "band": "high", "all": {"A": 3}}).alert is True
    with pytest.raises(ValueError, match="alert"):
        scoring.RedFlag.from_dict({"code": "x", "band": "high", "all": {"A": 3}, "alert": "no"})
