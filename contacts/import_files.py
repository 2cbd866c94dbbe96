"""Reading an uploaded learner file: CSV in any common encoding and separator, or XLSX.

Pure reading (no database): ``read_table`` returns the header and the rows as
strings, or raises ImportFileError with a sentence an admin can act on. A file
that is not text (a binary renamed .csv) is refused before any decoding guess,
because Latin-1 would "decode" anything.
"""

import csv
import io
import zipfile
from dataclasses import dataclass

from django.utils.translation import gettext

MAX_COLUMNS = 100
XLSX_MAGIC = b"PK\x03\x04"
SNIFF_BYTES = 64 * 1024
DELIMITERS = ",;\t|"


class ImportFileError(Exception):
    """The file cannot be read as a table; the message says why and what to do."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]
    encoding: str
    delimiter: str


def read_table(data: bytes, *, filename: str = "") -> Table:
    """Return the file's header row and data rows (blank lines dropped); raise ImportFileError."""
    if not data.strip():
        raise ImportFileError(gettext("The file is empty."))
    if data.startswith(XLSX_MAGIC):
        return _read_xlsx(data)
    if filename.lower().endswith((".xlsx", ".xls")):
        raise ImportFileError(
            gettext("This is not an Excel .xlsx workbook: save it as .xlsx or as CSV and upload it again.")
        )
    text, encoding = _decode(data)
    delimiter = _delimiter(text[:SNIFF_BYTES])
    rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if "".join(row).strip()]
    return _table(rows, encoding=encoding, delimiter=delimiter)


def _looks_binary(data: bytes) -> bool:
    sample = data[:SNIFF_BYTES]
    controls = sum(1 for byte in sample if byte < 32 and byte not in (9, 10, 13))
    return b"\x00" in sample or controls > len(sample) // 100


def _decode(data: bytes) -> tuple[str, str]:
    if _looks_binary(data):
        raise ImportFileError(
            gettext(
                "This file is not a CSV text file (it holds binary data). "
                "Export the sheet as CSV or .xlsx and upload that."
            )
        )
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        # Not UTF-8: spreadsheets on Windows save cp1252, a superset of Latin-1's printable range.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            return data.decode("latin-1"), "latin-1"


def _delimiter(sample: str) -> str:
    first_line = sample.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(sample if "\n" in sample else first_line, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: first_line.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ImportFileError(
            gettext("This .xlsx workbook cannot be read (%(error)s).") % {"error": type(error).__name__}
        ) from None
    sheet = workbook.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        row = ["" if value is None else str(value) for value in values]
        if any(cell.strip() for cell in row):
            rows.append(row)
    workbook.close()
    return _table(rows, encoding="xlsx", delimiter="")


def _table(rows: list[list[str]], *, encoding: str, delimiter: str) -> Table:
    if not rows:
        raise ImportFileError(gettext("The file has no rows."))
    header = [cell.strip() for cell in rows[0]]
    if len(header) > MAX_COLUMNS:
        raise ImportFileError(
            gettext("The file has %(count)s columns; at most %(limit)s are read.")
            % {"count": len(header), "limit": MAX_COLUMNS}
        )
    width = len(header)
    body = [(row + [""] * width)[:width] if len(row) != width else row for row in rows[1:]]
    return Table(header=header, rows=body, encoding=encoding, delimiter=delimiter)
