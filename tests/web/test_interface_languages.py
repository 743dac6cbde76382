"""The interface in six languages besides English: every string translated (as a draft, marked for a native
reader), the compiled catalogues up to date, and the error page in the reader's language."""

import re
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error

import safepassage

LOCALE = Path(safepassage.__file__).resolve().parent / "locale"
LANGUAGES = {"th": "th", "lo": "lo", "km": "km", "my": "my", "vi": "vi", "zh_Hans": "zh-hans"}


def entries(language: str) -> list[str]:
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    return [
        block
        for block in text.split("\n\n")
        if re.search(r'^msgid "(?!")', block, re.M) or 'msgid ""\n"' in block
    ]


@pytest.mark.parametrize("language", list(LANGUAGES))
def test_every_interface_string_is_translated_and_marked_as_a_draft_or_reviewed(language):
    untranslated, unmarked, fuzzy = [], [], []
    for block in entries(language):
        msgid = re.search(r'^msgid (".*"(?:\n".*")*)', block, re.M)
        assert msgid is not None
        strings = re.findall(r'^msgstr(?:\[\d\])? (".*"(?:\n".*")*)', block, re.M)
        if not strings or any(s.replace('"', "").replace("\n", "") == "" for s in strings):
            untranslated.append(msgid.group(1))
        if not re.search(r"^# (draft|reviewed):", block, re.M):
            unmarked.append(msgid.group(1))
        if re.search(r"^#,.*\bfuzzy\b", block, re.M):
            fuzzy.append(msgid.group(1))
    assert untranslated == [] and fuzzy == []
    assert unmarked == []  # "# draft: needs a native reader" until one has read it ("# reviewed: …")


@pytest.mark.parametrize(("language", "code"), list(LANGUAGES.items()))
def test_the_compiled_catalogues_hold_the_new_strings(language, code):
    with translation.override(code):
        assert translation.gettext("Red flags") != "Red flags"
        assert translation.gettext("Something went wrong") != "Something went wrong"


def test_the_error_page_speaks_the_readers_language():
    request = RequestFactory().get("/")
    with translation.override("th"):
        page = server_error(request).content.decode()
        expected = translation.gettext("Something went wrong")
    assert expected in page and "Something went wrong" not in page
    assert '<html lang="th">' in page
