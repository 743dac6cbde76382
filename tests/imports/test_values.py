"""Reading what partners really send: dates in several notations and calendars, encodings, Zawgyi, XLSX."""

from __future__ import annotations

import codecs
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import Workbook

from safepassage.core.dates import ValueProblem, parse_date, parse_year
from safepassage.imports import reading
from safepassage.imports.values import burmese_to_unicode, parse_int


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("2025-03-07", date(2025, 3, 7)),
        ("2568-03-07", date(2025, 3, 7)),  # Buddhist era, ISO order
        ("07/03/2025", date(2025, 3, 7)),  # day/month/year, never month first
        ("7/3/2568", date(2025, 3, 7)),  # Buddhist era, as Thai offices write it
        ("07.03.2568", date(2025, 3, 7)),
        ("45723", date(2025, 3, 7)),  # an Excel serial typed as text
        (45723, date(2025, 3, 7)),  # an Excel serial held as a number
        (45723.0, date(2025, 3, 7)),
        (datetime(2568, 3, 7, 10, 30), date(2025, 3, 7)),  # a spreadsheet cell in the Buddhist era
        (date(2025, 3, 7), date(2025, 3, 7)),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_every_notation_partners_use(cell, expected):
    assert parse_date(cell) == expected


@pytest.mark.parametrize("cell", ["31/02/2025", "2025-13-01", "tomorrow", "2025", "0", "03/2025"])
def test_impossible_dates_are_refused_with_the_value_named(cell):
    with pytest.raises(ValueProblem) as problem:
        parse_date(cell)
    assert cell in str(problem.value)


def test_years_and_numbers():
    assert parse_year("2553") == 2010 and parse_year("2010") == 2010 and parse_year(2010.0) == 2010
    assert parse_year("") is None
    with pytest.raises(ValueProblem):
        parse_year("10")
    assert parse_int("1,204") == 1204 and parse_int(12.0) == 12 and parse_int("12.0") == 12
    with pytest.raises(ValueProblem):
        parse_int("12a")


def test_zawgyi_is_converted_to_unicode_and_unicode_left_alone():
    unicode_name = "မောင်မောင်"
    zawgyi_name = "ေမာင္ေမာင္"  # the same name typed with a Zawgyi keyboard
    assert burmese_to_unicode(zawgyi_name) == (unicode_name, "converted")
    assert burmese_to_unicode(unicode_name) == (unicode_name, "")
    assert burmese_to_unicode("สมชาย ใจดี") == ("สมชาย ใจดี", "")


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def rows_of(path):
    info = reading.inspect(path)
    return info, list(reading.rows(path, info))


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_csv_with_a_byte_order_mark_and_any_delimiter(tmp_path, delimiter):
    text = delimiter.join(["given_name", "family_name"]) + "\r\n" + delimiter.join(["สมชาย", "ใจดี"]) + "\r\n"
    path = write(tmp_path, "people.csv", codecs.BOM_UTF8 + text.encode("utf-8"))
    info, rows = rows_of(path)
    assert info.encoding == "utf-8-sig" and info.delimiter == delimiter
    assert info.headers == ("given_name", "family_name")  # no BOM left on the first title
    assert rows == [(2, {"given_name": "สมชาย", "family_name": "ใจดี"})]


def test_thai_tis620_is_read_as_thai(tmp_path):
    text = "given_name,village_code\nสมหญิง,50010101\nบุญมี,50010101\n"
    path = write(tmp_path, "people.csv", text.encode("tis-620"))
    info, rows = rows_of(path)
    assert info.encoding == "cp874"
    assert [r[1]["given_name"] for r in rows] == ["สมหญิง", "บุญมี"]


def test_blank_rows_are_skipped_and_numbers_kept_as_the_spreadsheet_shows(tmp_path):
    path = write(tmp_path, "a.csv", b"a,b\n1,2\n,\n\n3,4\n")
    _, rows = rows_of(path)
    assert rows == [(2, {"a": "1", "b": "2"}), (5, {"a": "3", "b": "4"})]


def test_xlsx_is_streamed_with_formulas_kept_as_text(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["group_a/given_name", "birth_date", "score"])
    sheet.append(["Nokthong", datetime(2010, 5, 1), "=1+2"])
    path = tmp_path / "people.xlsx"
    book.save(path)
    info, rows = rows_of(path)
    assert info.kind == "xlsx"
    assert rows == [
        (2, {"group_a/given_name": "Nokthong", "birth_date": datetime(2010, 5, 1), "score": "=1+2"})
    ]
    assert reading.header_key("group_a/given_name") == "given_name"
    assert reading.header_key("grp/sub/HLT-ILL") == "hlt_ill"


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
        (b"PK\x03\x04 not really a zip", "damaged"),
        ("a,b\n".encode("utf-16-le")[:3] + b"\x81\x82\x83\x84\x85", "encoding"),
        (b"\n\n", "header"),
    ],
)
def test_unreadable_files_get_a_clear_message(tmp_path, data, words):
    path = write(tmp_path, "x.csv", data)
    with pytest.raises(reading.FileProblem) as problem:
        reading.inspect(path)
    assert words in str(problem.value)


def test_oversized_files_and_zip_bombs_are_refused(tmp_path, settings):
    settings.IMPORT_MAX_BYTES = 1000
    path = write(tmp_path, "big.csv", b"a\n" + b"1\n" * 1000)
    with pytest.raises(reading.FileProblem, match="Split it"):
        reading.inspect(path)
    settings.IMPORT_MAX_BYTES = 10**9
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 50_000_000)
    with pytest.raises(reading.FileProblem, match="unsafe"):
        reading.inspect(bomb)


def test_two_columns_with_one_title_are_refused(tmp_path):
    path = write(tmp_path, "x.csv", b"name,name\n1,2\n")
    with pytest.raises(reading.FileProblem, match="name"):
        reading.inspect(path)
