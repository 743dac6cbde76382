"""Hotlines and return agreements in the reader's language: the default directory's drafts, the pages, the
load, and the migration that gives existing installs the texts they lack."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from safepassage.network import services
from safepassage.network.models import Agreement, Hotline
from safepassage.testing import api_client, web_client
from tests.scripts import is_in_script

pytestmark = pytest.mark.django_db

DIRECTORY = Path(services.__file__).resolve().parent / "data" / "directory.json"
OTHER_LANGUAGES = ("th", "lo", "km", "my", "vi", "zh-hans")


def default_directory() -> dict:
    return json.loads(DIRECTORY.read_text(encoding="utf-8"))


def test_every_default_hotline_and_agreement_has_its_texts_in_the_six_other_languages():
    data = default_directory()
    rows: list[tuple[dict, tuple[str, ...]]] = [
        # (a blank English text, such as hours nobody could confirm, has nothing to translate)
        (row, tuple(f for f in ("name", "purpose", "hours") if row.get(f)))
        for row in data["hotlines"]
    ]
    rows += [(row, ("name",)) for row in data["agreements"]]
    for row, fields in rows:
        assert set(row["translations"]) == set(fields), row["name"]
        for field in fields:
            texts = row["translations"][field]
            assert tuple(texts) == OTHER_LANGUAGES, (row["name"], field)
            for lang in ("th", "lo", "km", "my", "zh-hans"):
                # (names keep their Latin acronyms and numbers: COMMIT, 1300)
                assert any(is_in_script(part, lang) for part in texts[lang].split()), (
                    field,
                    lang,
                    texts[lang],
                )
            assert texts["vi"] != row[field], (row["name"], field)


def test_the_hotlines_page_speaks_the_readers_language(world):
    world.volunteer_a.language = "lo"
    world.volunteer_a.save(update_fields=["language"])
    html = web_client(world.volunteer_a).get(reverse("network:hotlines")).content.decode()
    assert "ສູນປະຊາບໍດີ 1300" in html and "ຕະຫຼອດ 24 ຊົ່ວໂມງ" in html
    assert "ການຊ່ວຍເຫຼືອທາງສັງຄົມ" in html
    assert "Prachabodi Centre 1300" not in html and "24 hours" not in html
    english = web_client(world.caseworker_a).get(reverse("network:hotlines")).content.decode()
    assert "Prachabodi Centre 1300 (Ministry of Social Development and Human Security)" in english


def test_agreements_are_named_in_the_active_language_and_in_english_where_there_is_no_text():
    commit = Agreement.objects.get(code="commit-2004")
    with translation.override("km"):
        assert commit.title.startswith("អនុស្សរណៈនៃការយោគយល់គ្នា COMMIT")
    with translation.override("zh-hans"):
        assert commit.title == "大湄公河次区域合作反对拐卖人口 COMMIT 谅解备忘录"
    commit.translations = {}
    with translation.override("km"):
        assert commit.title == commit.name


def test_the_api_lists_hotlines_with_their_texts_in_other_languages(world):
    items = api_client(world.analyst_a).get("/api/v1/hotlines").json()["items"]
    police = next(h for h in items if h["number"] == "191")
    assert police["name"] == "Police emergency"
    assert police["translations"]["name"]["my"] == "ရဲ အရေးပေါ်ဖုန်း (ထိုင်း)"


def test_a_system_administrator_corrects_a_translation_through_the_api(world):
    hotline = Hotline.objects.get(country="TH", number="191")
    client = api_client(world.sysadmin)
    response = client.request(
        "PATCH", f"/api/v1/hotlines/{hotline.pk}", {"translations": {"name": {"lo": "ຕຳຫຼວດ 191"}}}
    )
    assert response.status_code == 200, response.json()
    assert response.json()["translations"] == {"name": {"lo": "ຕຳຫຼວດ 191"}}
    refused = api_client(world.admin_a).request(
        "PATCH", f"/api/v1/hotlines/{hotline.pk}", {"translations": {"name": {"lo": "x"}}}
    )
    assert refused.status_code == 403


def test_a_load_takes_texts_in_other_languages_and_refuses_unknown_ones(world):
    services.directory_load(
        actor=None,
        data={
            "hotlines": [
                {
                    "country": "LA",
                    "number": "1362",
                    "name": "Lao Women's Union hotline",
                    "translations": {"name": {"lo": " ສາຍດ່ວນສະຫະພັນແມ່ຍິງລາວ ", "th": ""}},
                }
            ]
        },
    )
    assert Hotline.objects.get(number="1362").translations == {"name": {"lo": "ສາຍດ່ວນສະຫະພັນແມ່ຍິງລາວ"}}
    for wrong in ({"name": {"fr": "Ligne"}}, {"owner": {"lo": "x"}}, ["lo"]):
        with pytest.raises(ValidationError, match=r"hotlines\.0\.translations"):
            services.directory_load(
                actor=None,
                data={"hotlines": [{"country": "LA", "number": "1362", "name": "x", "translations": wrong}]},
            )


def test_rewording_the_english_drops_the_translations_of_the_old_words(world):
    hotline = Hotline.objects.get(country="TH", number="1506")
    services.hotline_update(actor=world.sysadmin, hotline=hotline, name="Social Security Office 1506")
    hotline.refresh_from_db()
    assert set(hotline.translations) == {"purpose", "hours"}
    with translation.override("th"):
        assert hotline.title == "Social Security Office 1506"
        assert hotline.hours_text == "ตลอด 24 ชั่วโมง"


def test_the_migration_adds_missing_texts_where_the_english_is_still_the_defaults(world):
    Hotline.objects.update(translations={})
    Agreement.objects.update(translations={})
    Hotline.objects.filter(number="1506").update(name="SSO hotline")  # reworded by an administrator
    Hotline.objects.filter(number="191").update(translations={"name": {"th": "ตำรวจ 191"}})  # their own
    migration = importlib.import_module("safepassage.network.migrations.0003_directory_translations")
    migration.add_translations(apps, None)

    default = {row["number"]: row["translations"] for row in default_directory()["hotlines"]}
    assert Hotline.objects.get(number="1300").translations == default["1300"]
    sso = Hotline.objects.get(number="1506").translations
    assert "name" not in sso and sso["purpose"] == default["1506"]["purpose"]
    police = Hotline.objects.get(number="191").translations
    assert police["name"] == {**default["191"]["name"], "th": "ตำรวจ 191"}
    agreements = {row["code"]: row["translations"] for row in default_directory()["agreements"]}
    assert {a.code: a.translations for a in Agreement.objects.all()} == agreements
