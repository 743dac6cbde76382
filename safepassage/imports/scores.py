"""Scores in an import: the columns named after indicators, answers read as 1, 2 or 3 (or in words, by the
value tables in data/known.json), and a people file's scores recorded as each new person's first assessment.

In a people file a score problem holds back that row's assessment only: the person is added and the row is
listed with the reason (Row.held)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from itertools import chain
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from safepassage.imports import known
from safepassage.imports import values as v
from safepassage.registry.bulk import BulkItem, assessments_bulk_record
from safepassage.registry.selectors import active_catalogue_or_none
from safepassage.registry.services import active_catalogue
from safepassage.registry.validation import clean_scores

if TYPE_CHECKING:
    from safepassage.imports.kinds import Context, Kind, Row

UNANSWERED = {"", "na", "n/a", "dk", "-", "unknown", "none"}
# What a people row holds besides the person's own fields.
NOT_PERSON = frozenset({"full_name", "full_name_latin", "assessed_on", "scores"})
ASSESSMENT = "registry.assessment"


def indicator_columns(headers: Sequence[str], ctx: Context) -> dict[str, str]:
    """indicator code → column title, for the active catalogue's person indicators (HLT-ILL, hlt_ill, or
    with a form group prefix)."""
    catalogue = ctx.catalogue or active_catalogue_or_none()
    if catalogue is None:  # no catalogue active: no column is an indicator's
        return {}
    ctx.catalogue = catalogue
    codes = {known.normal(s.code): s.code for s in catalogue.specs("IH")}
    found: dict[str, str] = {}
    for header in headers:
        code = next((codes[k] for k in known.keys(header) if k in codes), None) if header else None
        if code is not None:
            found.setdefault(code, header)
    return found


def prepare(headers: Sequence[str], ctx: Context) -> None:
    ctx.indicator_columns = indicator_columns(headers, ctx)
    if ctx.catalogue is None:
        ctx.catalogue = active_catalogue()  # refused, saying no catalogue is active
    ctx.specs = ctx.catalogue.specs("IH")
    # Each indicator column with the cells that are plainly a score it allows (a million rows are read
    # through this table; anything else takes the full reading below).
    highest = {s.code: s.max_score for s in ctx.specs}
    ctx.score_cells = [
        (code, header, {k: n for n in (1, 2, 3) if n <= highest[code] for k in (n, str(n))})
        for code, header in ctx.indicator_columns.items()
    ]


def read_scores(row: Row, ctx: Context) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """The row's scores, and the problems as (column, reason). A cell is 1, 2 or 3, an answer in words the
    value tables know, or empty ("na", "dk") when not answered."""
    plain: dict[str, int] = {}
    cells = row.cells
    for code, header, allowed in ctx.score_cells:
        cell = cells.get(header)
        if cell is None:
            continue
        if cell.__class__ is str or cell.__class__ is int:
            score = allowed.get(cell)
            if score is not None:
                plain[code] = score
                continue
            if cell == "":
                continue
        break
    else:
        return plain, []
    raw: dict[str, Any] = {}
    catalogue_id = ctx.catalogue.pk if ctx.catalogue else None
    for code, header in ctx.indicator_columns.items():
        text = v.clean_text(row.cells.get(header))
        if text.casefold() in UNANSWERED:
            continue
        if not text.isdigit():
            text = str(known.answer_score(code, text, catalogue_id) or text)
        raw[code] = text
    try:
        return clean_scores(raw, ctx.specs, "person"), []
    except ValidationError as error:
        columns = ctx.indicator_columns
        return {}, [
            (columns.get(name.removeprefix("scores."), name), messages[0])
            for name, messages in error.message_dict.items()
        ]


def split_names(row: Row, mapping: dict[str, str]) -> None:
    """A full name (in its own script, or in Latin letters) split into given and family name, unless the
    file has those columns too."""
    for full, given, family in (
        ("full_name", "given_name", "family_name"),
        ("full_name_latin", "given_name_latin", "family_name_latin"),
    ):
        text = row.values.get(full)
        if full in mapping and text and given not in mapping:
            row.values[given], split = known.split_full_name(text)
            if family not in mapping:
                row.values[family] = split


def read_held(row: Row, mapping: dict[str, str], ctx: Context) -> None:
    """A people row's scores: read, or held back with the reason (the person is added all the same)."""
    date_column = mapping.get("assessed_on", "")
    # A date of assessment that cannot be read holds back the assessment, not the person.
    for problem in [p for p in row.problems if date_column and p[0] == date_column]:
        row.problems.remove(problem)
        row.held.append(problem)
    if not ctx.indicator_columns:
        return
    found, problems = read_scores(row, ctx)
    row.held.extend(problems)
    if problems or not found:
        return
    row.values["scores"] = found
    assessed_on = row.values.get("assessed_on")
    born = row.values.get("birth_date")
    if row.held:
        return
    if assessed_on is None:
        row.held.append(
            (date_column, _("The row has scores but no date of assessment: give a date column or one date."))
        )
    elif assessed_on > ctx.today:
        row.held.append((date_column, _("The date of the assessment cannot be in the future.")))
    elif born and assessed_on < born:
        row.held.append((date_column, _("The assessment date is before the person was born.")))


def write_people(
    kind: Kind, batches: Iterator[list[Row]], ctx: Context, source: str, on_created: Callable[..., None]
) -> dict[str, Any]:
    """Write the people of each batch, then (with scores in the file) their first assessments through the
    risk index's bulk path, which takes them as they are made."""
    counts = {"created": 0, "held": 0}
    first = next(batches, None)  # (reading the first batch finds the indicator columns)

    def items() -> Iterator[BulkItem]:
        for batch in chain([first] if first is not None else [], batches):
            made = kind.write(batch, ctx)
            on_created(made)
            counts["created"] += len(made)
            for row, (_number, pk) in zip(batch, made, strict=True):
                if row.held:
                    counts["held"] += 1
                elif row.values.get("scores"):
                    yield BulkItem(pk, row.values["assessed_on"], row.values["scores"], source, row.number)

    if not ctx.indicator_columns:
        for _item in items():
            pass
        return {"created": counts["created"]}
    result = assessments_bulk_record(
        actor=ctx.actor,
        items=items(),
        catalogue=ctx.catalogue,
        check=False,
        label=f"import {ctx.job_id}",
        on_created=lambda made: on_created(made, ASSESSMENT),
    )
    return {
        "created": counts["created"],
        "assessments": result.created,
        "assessments_held": counts["held"],
        "alerts": result.alerts,
    }
