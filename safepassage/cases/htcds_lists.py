"""IOM's HTCDS label lists, kept as data: which label each code of a code list is written as in IOM's Excel
template (its drop-downs write labels, listed on its sheet "validation") and in IOM's XLSForm, and the
template's own column layout (row 1 field names, row 2 labels).

`safepassage cases htcds-lists --from DIR` builds `data/htcds_lists.json` from IOM's files, so that it can be
refreshed when IOM publishes a new version; a test checks the committed file against the files beside the
checkout. Labels are matched ignoring case and spacing ("Follow up" and "Follow Up" are one label)."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).with_name("data") / "htcds_lists.json"
TEMPLATE = "HTCDS_Excel_Spreadsheet_single_select_with_validation_v2.0.xlsx"
XLSFORM = "htcds_xlsform.xlsx"
CASE_SHEET = "Case Sheet"
VALIDATION_SHEET = "validation"
# Column names IOM's own files spell differently from the standard.
MISSPELT = {"vic_TraffickinStatusDecisionMakingOrg": "vic_TraffickingStatusDecisionMakingOrg"}
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
X14 = "http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"
XM = "http://schemas.microsoft.com/office/excel/2006/main"


def key(text: Any) -> str:
    """A label reduced for matching: case and every kind of space ignored."""
    return _key(str(text or ""))


@lru_cache(maxsize=4096)
def _key(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("\xa0", " ")).casefold()


def standard_name(field: str) -> str:
    return MISSPELT.get(field, field)


def _pascal(label: str) -> str:
    return "".join(word[:1].upper() + word[1:] for word in re.split(r"[^0-9A-Za-z]+", label) if word)


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index


def _validation_ranges(template: Path) -> dict[int, tuple[int, int, int]]:
    """Case-sheet column → (validation column, first row, last row) of its drop-down list. openpyxl drops
    Excel's x14 data-validation extension, so the sheet XML is read directly."""
    with zipfile.ZipFile(template) as archive:
        book = ET.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314 - IOM's published file
        rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
        rid = next(
            s.get("{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id")
            for s in book.iter(f"{{{MAIN}}}sheet")
            if s.get("name") == CASE_SHEET
        )
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        sheet = ET.fromstring(archive.read("xl/" + str(target).lstrip("/").removeprefix("xl/")))  # noqa: S314
    ranges: dict[int, tuple[int, int, int]] = {}
    for rule in sheet.iter(f"{{{X14}}}dataValidation"):
        if rule.get("type") != "list":
            continue
        formula = rule.findtext(f"{{{X14}}}formula1/{{{XM}}}f") or ""
        found = re.fullmatch(r"validation!\$([A-Z]+)\$(\d+):\$[A-Z]+\$(\d+)", formula)
        if not found:
            continue
        source = (_column_index(found[1]), int(found[2]), int(found[3]))
        for area in (rule.findtext(f"{{{XM}}}sqref") or "").split():
            ranges[_column_index(re.match(r"[A-Z]+", area)[0])] = source  # type: ignore[index]
    return ranges


def _xlsform_lists(xlsform: Path) -> tuple[dict[str, list[tuple[str, str]]], dict[str, str]]:
    """The XLSForm's choices (list → [(code, label)]) and field → list, field names compared loosely
    (`prs_First_Name` is `prs_FirstName`)."""
    from openpyxl import load_workbook

    book = load_workbook(xlsform, read_only=True)
    choices: dict[str, list[tuple[str, str]]] = {}
    for row in book["choices"].iter_rows(min_row=2, values_only=True):
        if row[0] and row[1] is not None:
            choices.setdefault(str(row[0]), []).append((str(row[1]).strip(), str(row[2] or "")))
    fields: dict[str, str] = {}
    for row in book["survey"].iter_rows(min_row=2, values_only=True):
        kind, name = str(row[0] or ""), str(row[1] or "")
        if kind.startswith(("select_one ", "select_multiple ")):
            fields[name.replace("_", "").casefold()] = kind.split()[1]
    book.close()
    return choices, fields


def build(directory: Path) -> dict[str, Any]:
    """The label lists and template layout from IOM's template and XLSForm in `directory`."""
    import warnings

    from openpyxl import load_workbook

    template = directory / TEMPLATE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Data Validation extension is not supported": read above instead
        book = load_workbook(template, read_only=True)
        sheet = book[CASE_SHEET]
        head = [list(r) for r in sheet.iter_rows(min_row=1, max_row=2, values_only=True)]
        validation = [list(r) for r in book[VALIDATION_SHEET].iter_rows(values_only=True)]
        book.close()
    names = ["" if c is None else str(c).strip() for c in head[0]]
    labels = ["" if c is None else str(c).strip() for c in head[1]]
    while names and not names[-1] and not labels[-1]:
        names.pop(), labels.pop()
    choices, form_fields = _xlsform_lists(directory / XLSFORM)

    def column(index: int, first: int, last: int) -> list[str]:
        cells = [r[index - 1] if index - 1 < len(r) else None for r in validation[first - 1 : last]]
        return [str(c) for c in cells if c not in (None, "")]

    lists: dict[str, list[list[str]]] = {}
    for index, (first, low, high) in sorted(_validation_ranges(template).items()):
        field = standard_name(names[index - 1]) if index <= len(names) else ""
        if not field:
            continue  # a template column without a field name cannot be imported
        form = choices.get(form_fields.get(field.replace("_", "").casefold(), ""), [])
        by_key: dict[str, tuple[str, str]] = {}
        for code, label in form:
            by_key.setdefault(key(label), (code, label))
            by_key.setdefault(key(code), (code, label))
        entries = []
        for label in column(first, low, high):
            code, form_label = by_key.get(key(label), (_pascal(label), ""))
            also = [form_label.strip()] if form_label.strip() not in ("", label.strip()) else []
            entries.append([code, label.strip(), *also])
        lists[field] = entries
    for field_key, list_name in sorted(form_fields.items()):
        field = next((f for f in names if f.replace("_", "").casefold() == field_key), "")
        if field and standard_name(field) not in lists:
            lists[standard_name(field)] = [[code, label.strip()] for code, label in choices[list_name]]
    title_row = next((r for r in validation if any(c not in (None, "") for c in r[1:])), [])
    return {
        "source": {"template": TEMPLATE, "xlsform": XLSFORM},
        "template": {
            "sheet": CASE_SHEET,
            "columns": [[n, lbl] for n, lbl in zip(names, labels, strict=True)],
            "validation": [
                [str(title), column(i + 1, validation.index(title_row) + 2, len(validation))]
                for i, title in enumerate(title_row)
                if title not in (None, "")
            ],
        },
        "lists": lists,
    }


def write(data: dict[str, Any], path: Path = DATA) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    """The committed lists."""
    data: dict[str, Any] = json.loads(DATA.read_text(encoding="utf-8"))
    return data


@lru_cache(maxsize=64)
def lookup(field: str) -> dict[str, str]:
    """key(label or code) → code for one HTCDS field: the template's label, the XLSForm's and the code."""
    found: dict[str, str] = {}
    for code, *labels in load()["lists"].get(field, []):
        for text in (code, *labels):
            found.setdefault(key(text), code)
    return found


def label(field: str, code: str) -> str:
    """The template's label for a code (the code itself where the list has none)."""
    for entry in load()["lists"].get(field, []):
        if entry[0] == code:
            return str(entry[1])
    return code


@lru_cache(maxsize=1)
def template_label_keys() -> dict[str, str]:
    """key(field name) → key(label) of the template's row 2, to recognise that row in a file."""
    return {key(name): key(label) for name, label in template_columns() if name}


def template_columns() -> list[tuple[str, str]]:
    """IOM's template columns as (field name, label), in its order (a name may be empty, as IOM left it)."""
    return [(str(n), str(lbl)) for n, lbl in load()["template"]["columns"]]
