"""Opening a partner's file, whatever made it: CSV with any delimiter in UTF-8 (with or without a byte-order
mark), UTF-16 or Thai TIS-620 / Windows-874, and XLSX. Rows are streamed one at a time, so memory stays flat
however long the file is; limits keep oversized files and zip bombs out with a clear message."""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from safepassage.core.files import clear_size, open_private
from safepassage.imports import known

SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"


class FileProblem(ValueError):
    """The file as a whole cannot be read; nothing was imported."""


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 200 * 1024 * 1024))


def max_unzipped_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UNZIPPED_BYTES", 1024 * 1024 * 1024))


@dataclass(frozen=True)
class FileInfo:
    """What was found out about a file before reading its rows."""

    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    headers: tuple[str, ...] = ()


def header_key(text: str) -> str:
    """A column title reduced to compare with field names and indicator codes: ODK and KoboToolbox group
    prefixes (`group_x/field`, `grp/sub/field`) dropped, normalised as every title is (known.normal)."""
    return known.normal(str(text).strip().rsplit("/", 1)[-1])


def header_keys(text: str) -> list[str]:
    """Every name a column title may stand for, the whole title first (see known.keys)."""
    return known.keys(text)


def detect_encoding(head: bytes) -> str:
    """The encoding of a CSV file from its first bytes: a byte-order mark decides; else UTF-8 if the bytes are
    valid UTF-8; else Thai (Windows-874, a superset of TIS-620) when the high bytes fall in the Thai block."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if error.start >= len(head) - 3 and error.reason == "unexpected end of data":
            return "utf-8"
    high = [b for b in head if b >= 0x80]
    thai = [b for b in high if 0xA1 <= b <= 0xFB]
    if high and len(thai) / len(high) > 0.9:
        return "cp874"
    raise FileProblem(
        _(
            "The file's text encoding is not one SafePassage reads (UTF-8, UTF-16 or Thai TIS-620). "
            "Save it again as “CSV UTF-8”."
        )
    )


def inspect(path: Path) -> FileInfo:
    """Check size and shape, find the encoding and delimiter, and read the header row."""
    size = clear_size(path)
    if size == 0:
        raise FileProblem(_("The file is empty."))
    if size > max_bytes():
        raise FileProblem(
            _("The file is %(size)d MB; the most SafePassage takes at once is %(limit)d MB. Split it.")
            % {"size": size // 2**20, "limit": max_bytes() // 2**20}
        )
    with open_private(path) as handle:
        head = handle.read(SNIFF_BYTES)
    if head.startswith(b"PK\x03\x04"):
        _check_zip(path)
        headers = next(_xlsx_rows(path), None)
        if headers is None:
            raise FileProblem(_("The spreadsheet is empty."))
        return FileInfo("xlsx", headers=_headers(headers))
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(_("This is an old Excel file (.xls). Save it as .xlsx or CSV and try again."))
    encoding = detect_encoding(head)
    text = head.decode(encoding, errors="ignore")
    delimiter = sniff_delimiter(text)
    with _open_text(path, encoding) as stream:
        first = next(csv.reader(stream, delimiter=delimiter), None)
    if not first or not any(cell.strip() for cell in first):
        raise FileProblem(_("The file has no header row: the first row must name the columns."))
    return FileInfo("csv", encoding, delimiter, _headers(first))


def sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _headers(cells: Any) -> tuple[str, ...]:
    headers = tuple("" if c is None else str(c).strip().lstrip("\ufeff") for c in cells)
    while headers and not headers[-1]:
        headers = headers[:-1]
    seen: set[str] = set()
    for header in headers:
        if header and header in seen:
            raise FileProblem(_("Two columns are both called “%(name)s”.") % {"name": header})
        seen.add(header)
    return headers


def _open_text(path: Path, encoding: str) -> IO[str]:
    return io.TextIOWrapper(open_private(path), encoding=encoding, newline="", errors="strict")


def rows(path: Path, info: FileInfo) -> Iterator[tuple[int, dict[str, Any]]]:
    """The data rows as (row number as a spreadsheet shows it — the header is row 1 —, {header: value}).
    Rows with nothing in them are skipped, and so are rows whose only values are under columns without a title
    (IOM's HTCDS template numbers a thousand rows in its untitled column A)."""
    headers = info.headers
    width = len(headers)
    if info.kind == "xlsx":
        source: Iterator[Any] = _xlsx_rows(path)
        next(source, None)
        for number, cells in enumerate(source, start=2):
            values = list(cells[:width]) + [None] * (width - len(cells))
            if any(v not in (None, "") for h, v in zip(headers, values, strict=True) if h):
                yield number, dict(zip(headers, values, strict=True))
        return
    with _open_text(path, info.encoding) as stream:
        reader = csv.reader(stream, delimiter=info.delimiter)
        next(reader, None)
        try:
            for cells in reader:
                if not any(c.strip() for c in cells):
                    continue
                values = (cells + [""] * width)[:width]
                if not any(c.strip() for h, c in zip(headers, values, strict=True) if h):
                    continue
                yield reader.line_num, dict(zip(headers, values, strict=True))
        except UnicodeDecodeError:
            raise FileProblem(
                _("Row %(row)d is not in the file's text encoding (%(encoding)s). Save it as “CSV UTF-8”.")
                % {"row": reader.line_num + 1, "encoding": info.encoding}
            ) from None


def estimate_rows(path: Path, info: FileInfo) -> int:
    """About how many data rows a file holds, for a progress bar before it is read: the lines of a CSV (a
    cell with a line break in it makes this a little high), or the sheet's recorded size for an XLSX."""
    if info.kind == "xlsx":
        from openpyxl import load_workbook

        try:
            book = load_workbook(open_private(path), read_only=True)
            rows = book.worksheets[0].max_row or 0
            book.close()
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            return 0
        return max(rows - 1, 0)
    lines = 0
    with open_private(path) as handle:
        while chunk := handle.read(1024 * 1024):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


def _check_zip(path: Path) -> None:
    """An XLSX is a zip: refuse one that would unpack to far more than a spreadsheet holds (a zip bomb)."""
    try:
        with open_private(path) as handle, zipfile.ZipFile(handle) as archive:
            total = sum(item.file_size for item in archive.infolist())
            packed = sum(item.compress_size for item in archive.infolist()) or 1
    except zipfile.BadZipFile:
        raise FileProblem(_("The file looks like a spreadsheet but is damaged.")) from None
    if total > max_unzipped_bytes() or total / packed > 200:
        raise FileProblem(
            _("The spreadsheet unpacks to %(size)d MB, far more than its data can be: refused as unsafe.")
            % {"size": total // 2**20}
        )


def _xlsx_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows, streamed (openpyxl's read-only mode keeps memory flat). Formulas come as
    their text (=…), so that they are refused rather than silently taken as values."""
    from openpyxl import load_workbook

    try:
        book = load_workbook(open_private(path), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileProblem(_("The file looks like a spreadsheet but cannot be opened.")) from None
    try:
        sheet = book.worksheets[0]
        yield from sheet.iter_rows(values_only=True)
    finally:
        book.close()
