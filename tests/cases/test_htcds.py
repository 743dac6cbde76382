"""Our HTCDS code lists are the standard's, value for value (read from the shared standard file)."""

import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

from safepassage.cases.htcds import CODE_LISTS

SHARED = Path(__file__).resolve().parents[3] / "shared"
STANDARD = SHARED / "external" / "htcds" / "HTCDS_Field_Standards_2.0.ods"
TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"


def _standard_lists() -> dict[str, list[str]]:
    with zipfile.ZipFile(STANDARD) as archive:
        root = ET.fromstring(archive.read("content.xml"))  # noqa: S314 - the standard's own file
    lists: dict[str, list[str]] = {}
    for row in root.iter(f"{{{TABLE}}}table-row"):
        cells = []
        for cell in row.iter(f"{{{TABLE}}}table-cell"):
            repeat = min(int(cell.get(f"{{{TABLE}}}number-columns-repeated", "1")), 3)
            text = "\n".join("".join(p.itertext()) for p in cell.iter(f"{{{TEXT}}}p"))
            cells.extend([text] * repeat)
        if len(cells) > 9 and cells[6] in CODE_LISTS:
            lists[cells[6]] = [v.strip() for v in cells[9].split("\n") if v.strip()]
    return lists


def test_code_lists_match_the_standard():
    assert STANDARD.exists(), f"the HTCDS standard belongs beside the checkout: {STANDARD}"
    standard = _standard_lists()
    assert set(standard) == set(CODE_LISTS)
    for field, choices in CODE_LISTS.items():
        assert list(choices.values) == standard[field], field


def test_the_country_list_is_the_one_htcds_validates_citizenship_with():
    """safepassage/core/countries.py: ISO 3166 codes and names, as HTCDS's own validation sheet has them."""
    import openpyxl

    from safepassage.core.countries import COUNTRIES, NEARBY

    book = openpyxl.load_workbook(
        SHARED / "external" / "htcds" / "HTCDS_Excel_Spreadsheet_single_select_with_validation_v2.0.xlsx",
        read_only=True,
    )
    rows = list(book["validation"].iter_rows(values_only=True))
    header = next(row for row in rows if row and "Country Code" in row)
    code_at, name_at = header.index("Country Code"), header.index("Country")
    standard = [
        (row[code_at], str(row[name_at]).strip()) for row in rows[rows.index(header) + 1 :] if row[code_at]
    ]
    assert [(code, str(name)) for code, name in COUNTRIES] == standard
    assert set(NEARBY) <= {code for code, _name in COUNTRIES}
