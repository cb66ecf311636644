"""Exports that stream: any list as Excel (XLSX) or CSV, written row by row in bounded memory.

Rows are read from the database in batches (`yield_per`), each row is written and forgotten: openpyxl's
write-only mode keeps finished rows in a temporary file, and the finished workbook is sent from a temporary
file (never built in memory); CSV is sent as it is produced. Nothing is cut silently: when EXPORT_MAX_ROWS
is set (0 = no limit) and the filtered list is longer, the export is refused before it starts with a message
that says the limit and the count.

Use from a list view (an FAB ModelView, scoped as its list page is):

    from app import exports

    COLUMNS = [exports.Column(_l("Name"), lambda row: row.name_zh, width=16), ...]

    @expose("/export.xlsx")
    @has_access
    def export(self):
        return exports.export_view(self, COLUMNS, "xlsx", gettext("Party relations"))

and give the list page a link to it with the list's own query string (its filters), as the ledger does.
"""
import csv
import datetime
import io
import tempfile
from dataclasses import dataclass
from typing import Callable

from flask import Response, current_app, flash, redirect, request, send_file, stream_with_context, url_for

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BATCH = 1000


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is written as plain text (formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


@dataclass(frozen=True)
class Column:
    header: object  # a (lazy) label, or the exact header text
    value: Callable  # row -> cell value (str, number, date, bool or None)
    width: int = 14
    text: bool = False  # keep as text in Excel (ID numbers: no scientific notation, no lost digits)


class TooManyRows(Exception):
    def __init__(self, count, limit):
        super().__init__(f"{count} rows, limit {limit}")
        self.count, self.limit = count, limit


def _header_styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return Font(bold=True), PatternFill("solid", fgColor="DDEBF7"), Alignment(wrap_text=True, vertical="center")


def write_xlsx(fh, columns, rows, sheet_title="Sheet1", header_height=None):
    """Write a workbook of `rows` (any iterable) to the binary file `fh`, row by row; returns the row count."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    if header_height:
        sheet.row_dimensions[1].height = header_height
    sheet.freeze_panes = "A2"
    font, fill, alignment = _header_styles()
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font, cell.fill, cell.alignment = font, fill, alignment
        header.append(cell)
    sheet.append(header)
    text_columns = {i for i, c in enumerate(columns) if c.text}
    count = 0
    for row in rows:
        values = []
        for i, column in enumerate(columns):
            value = safe_cell(column.value(row))
            if i in text_columns and value is not None:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "@"
                value = cell
            values.append(value)
        sheet.append(values)
        count += 1
    book.save(fh)
    return count


def xlsx_response(columns, rows, filename, sheet_title="Sheet1", header_height=None):
    """The download of a workbook built into a temporary file (bounded memory), sent from that file."""
    fh = tempfile.TemporaryFile()
    try:
        write_xlsx(fh, columns, rows, sheet_title, header_height)
        fh.seek(0)
    except BaseException:
        fh.close()
        raise
    return send_file(fh, mimetype=XLSX_MIME, as_attachment=True, download_name=_with_stamp(filename, "xlsx"))


def _csv_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(safe_cell(value))


def csv_lines(columns, rows):
    """The CSV text line by line: UTF-8 with a byte-order mark (Excel on Chinese Windows reads it right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([str(c.header) for c in columns])
    yield "\ufeff" + buffer.getvalue()
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_text(c.value(row)) for c in columns])
        yield buffer.getvalue()


def csv_response(columns, rows, filename):
    """A streamed CSV download: sent while the rows are read, never held whole."""
    from urllib.parse import quote

    name = _with_stamp(filename, "csv")
    response = Response(stream_with_context(line.encode("utf-8") for line in csv_lines(columns, rows)),
                        mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _with_stamp(filename, ext):
    return f"{filename}-{datetime.date.today().isoformat()}.{ext}"


def view_rows(view, columns_only=False):
    """(count, rows) of an FAB ModelView's list as the request filters it — the view's base filters (the
    scope) included, in its base order, every row, read in batches. With `columns_only`, rows are plain
    result rows of the model's table columns (attribute access by column name, no ORM objects: faster, for
    exports whose cells read columns only)."""
    from flask_appbuilder.urltools import get_filter_args

    get_filter_args(view._filters)
    filters = view._filters.get_joined_filters(view._base_filters)
    datamodel = view.datamodel
    query = datamodel.session.query(datamodel.obj)
    count = datamodel.query_count(query, filters)
    order = getattr(view, "base_order", None) or ("", "")
    query = datamodel.apply_all(query, filters, *order)
    if columns_only:
        query = query.with_entities(*datamodel.obj.__table__.columns)
    return count, query.yield_per(BATCH)


def check_limit(count):
    limit = int(current_app.config.get("EXPORT_MAX_ROWS") or 0)
    if limit and count > limit:
        raise TooManyRows(count, limit)


def export_view(view, columns, fmt, filename, sheet_title="Sheet1", header_height=None, columns_only=False):
    """The whole filtered list of `view` as an XLSX or CSV download; over EXPORT_MAX_ROWS, a message
    instead (before anything is written)."""
    from flask_babel import gettext

    count, rows = view_rows(view, columns_only)
    try:
        check_limit(count)
    except TooManyRows as error:
        flash(gettext("The list has %(count)d rows; an export holds at most %(limit)d. Narrow the search "
                      "and export again.", count=error.count, limit=error.limit), "warning")
        # back to the same list with the same filters, where the message shows
        return redirect(url_for(f"{view.__class__.__name__}.list", **request.args))
    if fmt == "csv":
        return csv_response(columns, rows, filename)
    return xlsx_response(columns, rows, filename, sheet_title, header_height)
