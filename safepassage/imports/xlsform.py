"""The volunteers' assessment as an XLSForm, for offline collection on ODK Collect or KoboCollect.

Written from a catalogue version (the active one by default), one question per person indicator with the
rubric text beside each 1/2/3 choice, in every language the catalogue has labels for; compiled with pyxform
(the XLSForm compiler ODK and KoboToolbox use) before it is handed out, so a broken form never reaches the
field.
Submissions exported from ODK Central or KoboToolbox import as assessments (`safepassage import assessments`):
the field names are the indicator codes in lower case with underscores (HLT-ILL → hlt_ill), inside one group
per domain, which the import reads with or without the group prefix."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from openpyxl import Workbook

from safepassage.imports.kinds import indicator_key
from safepassage.registry.models import Catalogue, Indicator
from safepassage.registry.services import active_catalogue

NOT_KNOWN = "na"


@dataclass(frozen=True)
class Form:
    """A generated form: the XLSForm workbook's bytes and the XForm XML pyxform compiled from it."""

    xlsx: bytes
    xml: str
    form_id: str
    warnings: tuple[str, ...]


def _languages(indicators: list[Indicator]) -> list[str]:
    found = {lang for i in indicators for lang in i.label} | {
        lang for i in indicators for texts in i.rubric.values() for lang in texts
    }
    known = [code for code, _name in settings.LANGUAGES]
    return [code for code in known if code in found] or ["en"]


def _column(lang: str) -> str:
    names = dict(settings.LANGUAGES)
    with override("en"):
        return f"label::{names.get(lang, lang)} ({lang})"


def _ui(text: str, lang: str) -> str:
    with override(lang):
        return _(text)


def build(catalogue: Catalogue | None = None) -> Form:
    """Write and compile the XLSForm for a catalogue version's person indicators."""
    from pyxform.xls2xform import convert

    catalogue = catalogue or active_catalogue()
    indicators = [
        i for i in catalogue.indicators.order_by("position", "code") if i.level in "IH" and i.active
    ]
    langs = _languages(indicators)
    label_columns = [_column(lang) for lang in langs]
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    message_columns = [f"constraint_message::{c.removeprefix('label::')}" for c in label_columns]
    survey.append(
        ["type", "name", *label_columns, "required", "relevant", "constraint", *message_columns, "default"]
    )

    def question(kind: str, name: str, labels: dict[str, str], **extra: str) -> None:
        texts = [labels.get(lang) or labels.get("en") or name for lang in langs]
        survey.append(
            [
                kind,
                name,
                *texts,
                extra.get("required", ""),
                extra.get("relevant", ""),
                extra.get("constraint", ""),
                *[
                    _ui(extra["constraint_message"], lang) if extra.get("constraint_message") else ""
                    for lang in langs
                ],
                extra.get("default", ""),
            ]
        )

    def ui(text: str) -> dict[str, str]:
        return {lang: _ui(text, lang) for lang in langs}

    question("start", "start", {})
    question("end", "end", {})
    question("begin_group", "who", ui(gettext_noop("Who is assessed")))
    question(
        "integer",
        "person_id",
        ui(gettext_noop("Person number (on the person's page and on your village list)")),
    )
    question(
        "text",
        "national_id",
        ui(gettext_noop("ID card number (only if you do not know the person number)")),
        relevant="${person_id} = ''",
        required="yes",
    )
    question(
        "date",
        "assessed_on",
        ui(gettext_noop("Date of the visit")),
        required="yes",
        default="today()",
        constraint=". <= today()",
        constraint_message=gettext_noop("The date cannot be in the future."),
    )
    question("end_group", "", {})
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *label_columns])
    domain = None
    for indicator in indicators:
        if indicator.domain != domain:
            if domain is not None:
                question("end_group", "", {})
            domain = indicator.domain
            with override("en"):
                domain_label = str(Indicator.Domain(domain).label)
            question("begin_group", f"d_{domain}", {lang: _ui(domain_label, lang) for lang in langs})
        key = indicator_key(indicator.code)
        question(f"select_one r_{key}", key, {lang: indicator.label.get(lang, "") for lang in langs})
        for score in range(1, indicator.max_score + 1):
            texts = indicator.rubric.get(str(score), {})
            choices.append(
                [
                    f"r_{key}",
                    str(score),
                    *[f"{score} – {texts.get(lang) or texts.get('en', '')}" for lang in langs],
                ]
            )
        choices.append([f"r_{key}", NOT_KNOWN, *[_ui(gettext_noop("Not known"), lang) for lang in langs]])
    if domain is not None:
        question("end_group", "", {})
    form_id = f"safepassage_risk_v{catalogue.version}"
    settings_sheet = book.create_sheet("settings")
    settings_sheet.append(["form_title", "form_id", "version", "default_language"])
    settings_sheet.append(
        [
            f"SafePassage risk assessment (catalogue {catalogue.version})",
            form_id,
            str(catalogue.version),
            _column(langs[0]).removeprefix("label::"),
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    warnings: list[str] = []
    result: Any = convert(xlsform=buffer.getvalue(), warnings=warnings, validate=False, file_type=".xlsx")
    return Form(buffer.getvalue(), result.xform, form_id, tuple(warnings))
