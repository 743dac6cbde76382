"""Case stage names in the reader's language: the default lifecycle's drafts, and adding them to stages
that lack them without touching a stage someone renamed."""

from __future__ import annotations

import json

import pytest
from django.utils import translation

from safepassage.cases import stages
from safepassage.cases.models import Stage
from tests.scripts import is_in_script

pytestmark = pytest.mark.django_db

LANGUAGES = ("en", "th", "lo", "km", "my", "vi", "zh-hans")


def test_every_default_stage_is_named_in_the_seven_languages():
    data = json.loads(stages.DEFAULT_FILE.read_text(encoding="utf-8"))
    for row in data["stages"]:
        label = row["label"]
        assert tuple(label) == LANGUAGES, row["code"]
        for lang in ("th", "lo", "km", "my", "zh-hans"):
            assert is_in_script(label[lang], lang), (row["code"], lang, label[lang])
        assert label["vi"] != label["en"], row["code"]


def test_stages_are_named_in_the_active_language():
    shelter = Stage.objects.get(code="shelter")
    with translation.override("my"):
        assert str(shelter) == "ဘေးကင်းရာ နေရာ"
    with translation.override("zh-hans"):
        assert shelter.name() == "庇护所"
    assert shelter.name("en") == "Shelter"


def test_translations_are_added_only_where_the_english_is_the_defaults_and_nothing_written_is_replaced():
    default = {row["code"]: row["label"] for row in json.loads(stages.DEFAULT_FILE.read_text())["stages"]}
    for stage in Stage.objects.all():
        stage.label = {"en": default[stage.code]["en"]}
        stage.save()
    Stage.objects.filter(code="shelter").update(label={"en": "Safe house"})  # renamed
    Stage.objects.filter(code="trial").update(label={"en": "Trial", "th": "ขึ้นศาล"})  # their own Thai

    changed = stages.add_translations()

    assert changed == len(default) - 1
    assert Stage.objects.get(code="shelter").label == {"en": "Safe house"}
    assert Stage.objects.get(code="trial").label == {**default["trial"], "th": "ขึ้นศาล"}
    assert Stage.objects.get(code="closed").label == default["closed"]
    assert stages.add_translations() == 0
