"""Reading an uploaded roster safely: XLSX or CSV, checked by content and size, zip bombs and endless empty
sheets refused, the header row found below any title rows, every cell normalized.

`read_roster(data, filename)` returns a RosterSheet (header map + rows with their spreadsheet row numbers) or
raises RosterFileError with a translatable message; nothing is written anywhere.
"""
import csv
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.roster.columns import COLUMNS

MAX_ROWS = 20_000  # a roster is per enterprise; the whole city has about a thousand retirees
EMPTY_ROWS_BEFORE_END = 200  # so many empty rows in a row end the sheet
HEADER_SEARCH_ROWS = 15
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed : compressed, per member (a real XLSX is 5–20)


class RosterFileError(ValueError):
    def __init__(self, message, **params):
        super().__init__(message)
        self.message = message
        self.params = params

    def __str__(self):
        return str(self.message) % self.params if self.params else str(self.message)


@dataclass
class RosterSheet:
    columns: dict  # Column.key -> header text as found in the file
    rows: list = field(default_factory=list)  # (spreadsheet row number, {key: raw value})
    unknown_headers: list = field(default_factory=list)


def _norm_text(value):
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", "", text)


def _header_keys():
    """Every accepted spelling of each column's header: Chinese, Tibetan, both, or the English key."""
    keys = {}
    for column in COLUMNS:
        for spelling in (column.header_in("zh"), column.header_in("bo"), column.key, *column.aliases):
            keys[_norm_text(spelling)] = column.key
    return keys


def match_header(cell, keys):
    if cell is None:
        return None
    text = _norm_text(cell)
    if text in keys:
        return keys[text]
    # the template's own "中文\nབོད་ཡིག" header, or one language of it
    for part in re.split(r"[\n/|]", unicodedata.normalize("NFKC", str(cell))):
        part = _norm_text(part)
        if part in keys:
            return keys[part]
    return None


def _limit_bytes():
    return int(current_app.config.get("ROSTER_MAX_BYTES", 5 * 1024 * 1024))


def _check_zip(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise RosterFileError(_l("The file is not a valid Excel workbook (.xlsx)."))
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if info.compress_size and info.file_size / max(info.compress_size, 1) > MAX_RATIO:
            raise RosterFileError(_l("The workbook is packed suspiciously tightly and was refused."))
    if total > MAX_UNCOMPRESSED:
        raise RosterFileError(_l("The workbook is too large once unpacked."))
    names = set(archive.namelist())
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/worksheets/") for n in names):
        raise RosterFileError(_l("The file is not a valid Excel workbook (.xlsx)."))


def _cell_value(value):
    if isinstance(value, str):
        value = unicodedata.normalize("NFKC", value).strip()
        return value or None
    return value


def _sheets_from_xlsx(data):
    """Each worksheet's rows, in the workbook's order: the header may sit on any sheet (the template's first
    sheet holds the instructions, its roster sheet comes second)."""
    import openpyxl

    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise RosterFileError(_l("The file is not a valid Excel workbook (.xlsx)."))
    try:
        for sheet in workbook.worksheets:
            yield ([_cell_value(v) for v in values[:len(COLUMNS) + 20]] for values in sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


def _rows_from_csv(data):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise RosterFileError(_l("The CSV file is neither UTF-8 nor GB18030 text."))
    if "\x00" in text:
        raise RosterFileError(_l("The file is not a CSV text file."))
    for values in csv.reader(io.StringIO(text)):
        yield [_cell_value(v) for v in values]


def detect_format(data, filename):
    if data[:4] == b"PK\x03\x04":
        return "xlsx"
    if data[:2] == b"MZ" or data[:4] in (b"\x7fELF", b"%PDF") or data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise RosterFileError(_l("Only Excel workbooks (.xlsx) and CSV files can be imported."))
    if (filename or "").lower().endswith(".csv"):
        return "csv"
    raise RosterFileError(_l("Only Excel workbooks (.xlsx) and CSV files can be imported."))


def read_roster(data, filename):
    if not data:
        raise RosterFileError(_l("The file is empty."))
    if len(data) > _limit_bytes():
        raise RosterFileError(_l("The file is larger than %(mb)s MB."), mb=_limit_bytes() // (1024 * 1024))
    sources = _sheets_from_xlsx(data) if detect_format(data, filename) == "xlsx" else [_rows_from_csv(data)]
    keys = _header_keys()
    for source in sources:
        sheet = _read_sheet(source, keys)
        if sheet is not None:
            if not sheet.rows:
                raise RosterFileError(_l("The file holds no retiree rows below the header."))
            return sheet
    raise RosterFileError(_l("No header row with the template's columns (at least the resident ID number) "
                             "was found in the first %(n)s rows."), n=HEADER_SEARCH_ROWS)


def _read_sheet(source, keys):
    """The sheet's header and rows, or None when its first rows hold no header."""
    sheet = None
    empty_run = 0
    for row_number, values in enumerate(source, start=1):
        if sheet is None:
            found = {}
            for index, cell in enumerate(values):
                key = match_header(cell, keys)
                if key and key not in found:
                    found[key] = (index, cell)
            if "resident_id" in found and len(found) >= 3:
                sheet = RosterSheet(columns={k: str(c).replace("\n", " ") for k, (i, c) in found.items()})
                positions = {k: i for k, (i, c) in found.items()}
                sheet.unknown_headers = [str(c) for i, c in enumerate(values)
                                         if c is not None and i not in positions.values()]
            elif row_number >= HEADER_SEARCH_ROWS:
                return None
            continue
        if all(v is None for v in values):
            empty_run += 1
            if empty_run >= EMPTY_ROWS_BEFORE_END:
                break
            continue
        empty_run = 0
        if len(sheet.rows) >= MAX_ROWS:
            raise RosterFileError(_l("The file holds more than %(n)s rows; split it."), n=MAX_ROWS)
        sheet.rows.append((row_number, {k: values[i] if i < len(values) else None
                                        for k, i in positions.items()}))
    return sheet
