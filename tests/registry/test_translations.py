"""Questions and answers in seven languages: the default catalogue, the API in the language asked for, and
the migration that gives older catalogue versions the texts they lack."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps

from safepassage.registry import services
from safepassage.registry.models import Catalogue
from safepassage.testing import api_client
from tests.scripts import ILLEGAL_WORDS, is_in_script

from .conftest import DEFAULT_CATALOGUE

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "th", "lo", "km", "my", "vi", "zh-hans")
ILLEGAL = ILLEGAL_WORDS


def default_data() -> dict:
    return json.loads(DEFAULT_CATALOGUE.read_text(encoding="utf-8"))


def test_the_default_catalogue_has_every_question_and_answer_in_the_seven_languages():
    for item in default_data()["indicators"]:
        texts = [("label", item["label"])] + [(f"rubric {k}", v) for k, v in item["rubric"].items()]
        for where, by_language in texts:
            where = f"{item['code']} {where}"
            assert tuple(by_language) == LANGUAGES, where
            assert all(by_language.values()), where
            if by_language["en"] == "—":  # (SOC-SEX's 3, which is never given)
                continue
            for lang in ("th", "lo", "km", "my", "zh-hans"):
                assert is_in_script(by_language[lang], lang), f"{where}: {lang} {by_language[lang]!r}"
            assert by_language["vi"] != by_language["en"], where
            for lang, word in ILLEGAL.items():
                assert word not in by_language[lang].lower(), f"{where}: {lang} says {word!r}"


def test_the_catalogue_api_answers_in_the_language_of_accept_language(world):
    client = api_client(world.analyst_a)
    world.analyst_a.language = "th"  # the account's choice is for pages; a program's request says its own
    world.analyst_a.save(update_fields=["language"])
    response = client.client.get(
        "/api/v1/catalogues/active", headers={**client.headers, "Accept-Language": "km"}
    )
    assert response.status_code == 200
    assert response["Content-Language"] == "km"
    body = response.json()
    assert body["language"] == "km"
    by_code = {i["code"]: i for i in body["indicators"]}
    assert by_code["MIG-ALONE"]["question"] == "នឹងធ្វើដំណើរជាមួយអ្នកណា"
    assert by_code["MIG-ALONE"]["answers"]["3"] == "តែម្នាក់ឯង (កុមារគ្មានមនុស្សពេញវ័យទៅជាមួយ)"
    for indicator in body["indicators"]:
        assert is_in_script(indicator["question"], "km"), indicator["code"]
        assert set(indicator["answers"]) == {str(v) for v in range(1, indicator["max_score"] + 1)}
        for value, text in indicator["answers"].items():
            assert is_in_script(text, "km"), (indicator["code"], value, text)
        assert set(indicator["label"]) == set(LANGUAGES)  # every language's texts are still there
    assert by_code["SOC-SEX"]["answers"] == {"1": "ប្រុស", "2": "ស្រី / ផ្សេងទៀត"}


def test_the_catalogue_api_answers_in_the_language_of_lang_and_in_english_by_default(world):
    client = api_client(world.analyst_a)
    lao = client.get("/api/v1/catalogues/active", {"lang": "lo"})
    assert lao["Content-Language"] == "lo"
    body = lao.json()
    assert body["language"] == "lo"
    for indicator in body["indicators"]:
        assert is_in_script(indicator["question"], "lo"), indicator["code"]
        assert all(is_in_script(text, "lo") for text in indicator["answers"].values()), indicator["code"]
    debt = next(i for i in body["indicators"] if i["code"] == "BMN-DEBT")
    assert debt["question"] == "ໜີ້ສິນຂອງຄົວເຮືອນ"

    english = client.get("/api/v1/catalogues/active").json()
    assert english["language"] == "en"
    debt = next(i for i in english["indicators"] if i["code"] == "BMN-DEBT")
    assert (debt["question"], debt["answers"]["3"]) == (
        "Household debt",
        "informal/high-interest or owed to a broker",
    )


def english_only(data: dict) -> dict:
    """A catalogue as versions written before the translations hold it: English texts only."""
    for item in data["indicators"]:
        item["label"] = {"en": item["label"]["en"]}
        item["rubric"] = {k: {"en": v["en"]} for k, v in item["rubric"].items()}
    return data


def test_the_migration_adds_the_missing_languages_but_never_replaces_what_an_administrator_wrote(world):
    data = english_only(default_data())
    data["version"] = 0
    edited = {item["code"]: item for item in data["indicators"]}
    edited["HLT-ILL"]["label"] = {"en": "Someone at home is very ill or disabled"}  # reworded
    edited["BMN-DEBT"]["label"]["th"] = "หนี้ของบ้าน"  # their own Thai
    edited["MIG-ALONE"]["rubric"]["2"] = {"en": "with friends of the same age"}  # one answer reworded
    older = services.catalogue_load(actor=None, data=data)
    default = {item["code"]: item for item in default_data()["indicators"]}
    active = Catalogue.objects.get(status="active")
    active.indicators.filter(code="EDU-LANG").update(label={"en": "Speaks the national/destination language"})

    migration = importlib.import_module("safepassage.registry.migrations.0013_indicator_translations")
    migration._add_translations(apps, None)

    mine = {i.code: i for i in older.indicators.all()}
    assert mine["HLT-ILL"].label == {"en": "Someone at home is very ill or disabled"}
    assert mine["HLT-ILL"].rubric == default["HLT-ILL"]["rubric"]  # its answers are still the default's
    assert mine["BMN-DEBT"].label == {**default["BMN-DEBT"]["label"], "th": "หนี้ของบ้าน"}
    assert mine["MIG-ALONE"].rubric["2"] == {"en": "with friends of the same age"}
    assert mine["MIG-ALONE"].rubric["3"] == default["MIG-ALONE"]["rubric"]["3"]
    assert mine["MIG-ALONE"].label == default["MIG-ALONE"]["label"]
    untouched = set(mine) - {"HLT-ILL", "BMN-DEBT", "MIG-ALONE"}
    assert all(mine[c].label == default[c]["label"] for c in untouched)
    assert all(mine[c].rubric == default[c]["rubric"] for c in untouched)
    # The active version takes them too: labels play no part in scoring.
    assert active.indicators.get(code="EDU-LANG").label == default["EDU-LANG"]["label"]

    # Run again, nothing changes.
    before = {i.pk: (i.label, i.rubric) for i in older.indicators.all()}
    migration._add_translations(apps, None)
    assert {i.pk: (i.label, i.rubric) for i in older.indicators.all()} == before
