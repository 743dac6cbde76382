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


CHUNK = 1024 * 1024
THAI_BYTES = range(0xA1, 0xFC)  # TIS-620's Thai letters, vowels, tone marks and digits
# Windows-874 adds a few punctuation marks (… ‘ ’ “ ” • – —) and the euro sign below the Thai block.
CP874_EXTRA = frozenset({0x80, 0x85, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0xA0})
UTF8_THAI = re.compile(rb"\xe0[\xb8\xb9][\x80-\xbf]")  # a Thai letter written in UTF-8


def _unreadable() -> FileProblem:
    return FileProblem(
        _(
            "The file's text encoding is not one SafePassage reads (UTF-8, UTF-16 or Thai TIS-620). "
            "Save it again as “CSV UTF-8”."
        )
    )


def _changes_at(path: Path, offset: int) -> FileProblem:
    with open_private(path) as handle:
        line = handle.read(offset).count(b"\n") + 1
    return FileProblem(
        _(
            "The file changes its text encoding at row %(row)d: the rows before are in one encoding and "
            "that row is in another (two files joined together?). Save the whole file again as “CSV UTF-8”."
        )
        % {"row": line}
    )


def _utf16_without_mark(head: bytes) -> str:
    """UTF-16 saved without its byte-order mark: every other byte of the Latin letters, digits, commas and
    line ends is zero, on the odd bytes (little-endian) or the even ones (big-endian)."""
    sample = head[: len(head) - len(head) % 2]
    if len(sample) < 4 or b"\x00" not in sample:
        return ""
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    for encoding, zeros, others in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if zeros >= half * 0.2 and others <= half * 0.01:
            try:
                text = sample.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\n" in text or "\r" in text:  # a table has rows
                return encoding
    return ""


def detect_encoding(head: bytes) -> str:
    """The encoding of a CSV file from its first bytes alone (file_encoding reads the whole file): a
    byte-order mark decides; UTF-16 without one is seen by its zero bytes; else UTF-8 if the bytes are valid
    UTF-8; else Thai (Windows-874, a superset of TIS-620) when the high bytes fall in the Thai block."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if wide := _utf16_without_mark(head):
        return wide
    if b"\x00" in head:  # not text: no table is written with zero bytes in the encodings read here
        raise _unreadable()
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still UTF-8.
        if error.start >= len(head) - 3 and error.reason == "unexpected end of data":
            return "utf-8"
    high = [b for b in head if b >= 0x80]
    thai = [b for b in high if b in THAI_BYTES]
    if high and len(thai) / len(high) > 0.9:
        return "cp874"
    raise _unreadable()


def file_encoding(path: Path) -> str:
    """The encoding of a whole CSV file, read to its end: a file whose first 100 KB are plain ASCII and whose
    Thai comes later is still found to be TIS-620. A file that is UTF-8 up to some row and something else
    from there, or TIS-620 with UTF-8 Thai further on, is refused, naming that row."""
    with open_private(path) as handle:
        head = handle.read(SNIFF_BYTES)
    encoding = detect_encoding(head)
    if encoding not in ("utf-8", "cp874"):
        _whole_file_decodes(path, encoding)
        return encoding
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with open_private(path) as handle:
        while chunk := handle.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                where = offset + max(error.start, 0)
                if _utf8_text_before(path, where):
                    raise _changes_at(path, where) from None
                return _thai_throughout(path)
            offset += len(chunk)
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return _thai_throughout(path)
    return "utf-8"


def _utf8_text_before(path: Path, offset: int) -> bool:
    """Whether the bytes before `offset` hold real UTF-8 text in a script (at least three such characters),
    not a few Thai bytes that happen to form valid UTF-8."""
    with open_private(path) as handle:
        before = handle.read(offset)
    wide = [c for c in before.decode("utf-8", "ignore") if ord(c) >= 0x80]
    script = sum(0x0E00 <= ord(c) <= 0x109F or ord(c) >= 0x1780 for c in wide)
    return len(wide) >= 3 and script >= len(wide) / 2


def _thai_throughout(path: Path) -> str:
    """The whole file as Windows-874: its high bytes in the Thai block, and no UTF-8 Thai anywhere in it."""
    high = thai = 0
    offset = 0
    tail = b""
    with open_private(path) as handle:
        while chunk := handle.read(CHUNK):
            window = tail + chunk
            found = list(UTF8_THAI.finditer(window))
            if len(found) >= 3:
                raise _changes_at(path, offset - len(tail) + found[0].start())
            for byte in chunk:
                if byte >= 0x80:
                    high += 1
                    thai += byte in THAI_BYTES or byte in CP874_EXTRA
            offset += len(chunk)
            tail = chunk[-2:]
    if not high or thai / high < 0.98:
        raise _unreadable()
    _whole_file_decodes(path, "cp874")
    return "cp874"


def _whole_file_decodes(path: Path, encoding: str) -> None:
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with open_private(path) as handle:
        while chunk := handle.read(CHUNK):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                if offset == 0 and error.start == 0:
                    raise _unreadable() from None
                raise _changes_at(path, offset + max(error.start, 0)) from None
            offset += len(chunk)


def inspect(path: Path) -> FileInfo:
    """Check size and shape, find what the file is from its content (never from its name), its encoding and
    delimiter, and read the header row."""
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
    if head.startswith(b"%PDF"):
        raise FileProblem(_("This is a PDF document, not a table. Upload the CSV or Excel file instead."))
    encoding = file_encoding(path)
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
            with open_private(path) as handle:
                book = load_workbook(handle, read_only=True)
                rows = book.worksheets[0].max_row or 0
                book.close()
        except Exception:  # only an estimate: reading the rows reports what is wrong
            return 0
        return max(rows - 1, 0)
    lines = 0
    with open_private(path) as handle:
        while chunk := handle.read(1024 * 1024):
            lines += chunk.count(b"\n")
    return max(lines - 1, 0)


def _check_zip(path: Path) -> None:
    """An XLSX is a zip: refuse a zip that is not a spreadsheet (an archive of files, an OpenDocument sheet)
    and one that would unpack to far more than a spreadsheet holds (a zip bomb)."""
    try:
        with open_private(path) as handle, zipfile.ZipFile(handle) as archive:
            items = archive.infolist()
            names = {item.filename for item in items}
            mimetype = b""
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(100)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):
        raise FileProblem(_("The file looks like a spreadsheet but is damaged.")) from None
    total = sum(item.file_size for item in items)
    packed = sum(item.compress_size for item in items) or 1
    if total > max_unzipped_bytes() or total / packed > 200:
        raise FileProblem(
            _("The spreadsheet unpacks to %(size)d MB, far more than its data can be: refused as unsafe.")
            % {"size": total // 2**20}
        )
    if b"opendocument" in mimetype:
        raise FileProblem(
            _("This is an OpenDocument spreadsheet (.ods). Save it as .xlsx or CSV and try again.")
        )
    if "xl/workbook.xml" not in names:
        raise FileProblem(
            _("This is a zip archive, not a spreadsheet. Unpack it and upload the CSV or Excel file inside.")
        )


def _not_opened() -> FileProblem:
    return FileProblem(_("The file looks like a spreadsheet but cannot be opened."))


def _xlsx_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    """The first sheet's rows, streamed (openpyxl's read-only mode keeps memory flat). Formulas come as
    their text (=…), so that they are refused rather than silently taken as values. The workbook is opened
    from its content, whatever the file is called (openpyxl refuses a file name not ending in .xlsx)."""
    from openpyxl import load_workbook

    with open_private(path) as handle:
        try:
            book = load_workbook(handle, read_only=True, data_only=False)
        except Exception:  # openpyxl raises many kinds on a damaged file; each is the same answer
            raise _not_opened() from None
        try:
            sheets = book.worksheets
            if not sheets:
                raise FileProblem(_("The spreadsheet is empty."))
            yield from sheets[0].iter_rows(values_only=True)
        except FileProblem:
            raise
        except Exception:
            raise _not_opened() from None
        finally:
            book.close()
