"""The volunteers' assessment as an XLSForm, for offline collection on ODK Collect or KoboCollect.

Written from a catalogue version (the active one by default), one question per person indicator with the
rubric text beside each 1/2/3 choice, in the seven languages of SafePassage: every label, hint and choice has
a `label::English (en)`, `label::Thai (th)` … `label::Chinese (zh-Hans)` column (a text the catalogue lacks
in a language is given in English there), and the settings name English the default language. Compiled with
pyxform (the XLSForm compiler ODK and KoboToolbox use) before it is handed out, so a broken form never
reaches the field.
Submissions exported from ODK Central or KoboToolbox import as assessments (`safepassage import assessments`):
the field names are the indicator codes in lower case with underscores (HLT-ILL → hlt_ill), inside one group
per domain, which the import reads with or without the group prefix."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, override
from openpyxl import Workbook

from safepassage.imports.kinds import indicator_key
from safepassage.registry.models import Catalogue, Indicator
from safepassage.registry.services import active_catalogue

NOT_KNOWN = "na"

# The form's languages: SafePassage's language code (the key of catalogue texts and of the interface's
# translations) and the name ODK shows, "Name (BCP 47 code)" as ODK Collect and KoboToolbox read it.
LANGUAGES: tuple[tuple[str, str], ...] = (
    ("en", "English (en)"),
    ("th", "Thai (th)"),
    ("lo", "Lao (lo)"),
    ("km", "Khmer (km)"),
    ("my", "Burmese (my)"),
    ("vi", "Vietnamese (vi)"),
    ("zh-hans", "Chinese (zh-Hans)"),
)
DEFAULT_LANGUAGE = "English (en)"
# pyxform checks the code in parentheses against a list of bare language subtags, so a full BCP 47 tag such
# as zh-Hans (Chinese in simplified characters, a tag in the IANA registry) always draws this warning. It is
# the one warning set aside: anything else pyxform says is kept and reported.
TAG_WARNING = "The following language declarations do not contain valid machine-readable codes: "
FULL_TAGS = frozenset({"Chinese (zh-Hans)"})


@dataclass(frozen=True)
class Form:
    """A generated form: the XLSForm workbook's bytes and the XForm XML pyxform compiled from it."""

    xlsx: bytes
    xml: str
    form_id: str
    warnings: tuple[str, ...]


def _texts(texts: dict[str, str], fallback: str = "") -> list[str]:
    """A text in each of the form's languages: the catalogue's, else its English, else `fallback`."""
    english = texts.get("en") or fallback
    return [texts.get(lang) or english for lang, _name in LANGUAGES]


def _real_warnings(warnings: list[str]) -> tuple[str, ...]:
    """pyxform's warnings without its complaint about full BCP 47 tags (see FULL_TAGS)."""
    kept = []
    for warning in warnings:
        if warning.startswith(TAG_WARNING):
            named = warning.removeprefix(TAG_WARNING).split(". Learn more")[0]
            if set(named.split(", ")) <= FULL_TAGS:
                continue
        kept.append(warning)
    return tuple(kept)


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
    names = [name for _lang, name in LANGUAGES]
    book = Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(
        [
            "type",
            "name",
            *[f"label::{name}" for name in names],
            *[f"hint::{name}" for name in names],
            "required",
            "relevant",
            "constraint",
            *[f"constraint_message::{name}" for name in names],
            "default",
        ]
    )
    no_text = [""] * len(LANGUAGES)

    def question(
        kind: str, name: str, labels: list[str], hints: list[str] | None = None, **extra: str
    ) -> None:
        message = extra.get("constraint_message", "")
        survey.append(
            [
                kind,
                name,
                *labels,
                *(hints or no_text),
                extra.get("required", ""),
                extra.get("relevant", ""),
                extra.get("constraint", ""),
                *(ui(message) if message else no_text),
                extra.get("default", ""),
            ]
        )

    def ui(text: str) -> list[str]:
        return [_ui(text, lang) for lang, _name in LANGUAGES]

    question("start", "start", no_text)
    question("end", "end", no_text)
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
    question("end_group", "", no_text)
    how_to_answer = ui(
        gettext_noop(
            "For each question, choose what fits best. 1 is the lowest risk, 3 the highest. "
            'Choose "Not known" rather than guess.'
        )
    )
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", *[f"label::{name}" for name in names]])
    domain = None
    for indicator in indicators:
        if indicator.domain != domain:
            if domain is not None:
                question("end_group", "", no_text)
            domain = indicator.domain
            with override("en"):
                domain_label = str(Indicator.Domain(domain).label)
            question("begin_group", f"d_{domain}", ui(domain_label))
        key = indicator_key(indicator.code)
        question(f"select_one r_{key}", key, _texts(indicator.label, indicator.code), how_to_answer)
        for score in range(1, indicator.max_score + 1):
            texts = _texts(indicator.rubric.get(str(score), {}))
            choices.append(
                [f"r_{key}", str(score), *[f"{score} – {text}" if text else str(score) for text in texts]]
            )
        choices.append([f"r_{key}", NOT_KNOWN, *ui(gettext_noop("Not known"))])
    if domain is not None:
        question("end_group", "", no_text)
    form_id = f"safepassage_risk_v{catalogue.version}"
    settings_sheet = book.create_sheet("settings")
    settings_sheet.append(["form_title", "form_id", "version", "default_language"])
    settings_sheet.append(
        [
            f"SafePassage risk assessment (catalogue {catalogue.version})",
            form_id,
            str(catalogue.version),
            DEFAULT_LANGUAGE,
        ]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    warnings: list[str] = []
    result: Any = convert(xlsform=buffer.getvalue(), warnings=warnings, validate=False, file_type=".xlsx")
    return Form(buffer.getvalue(), result.xform, form_id, _real_warnings(warnings))
