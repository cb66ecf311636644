"""Exports that stream: any list as Excel (XLSX) or CSV, written row by row in bounded memory.

Rows are read from the database in batches (`yield_per`), each row is written and forgotten: the XLSX
sheet's XML is written row by row straight into the ZIP (a small writer here: openpyxl's write-only mode
took 8 s per 5,000 rows on this machine, building an object per cell), the finished workbook is sent from
a temporary file (never built in memory); CSV is sent as it is produced. Nothing is cut silently: when EXPORT_MAX_ROWS
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
import re
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


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
# cell styles (xl/styles.xml): 0 plain, 1 header (bold, fill, wrapped), 2 date yyyy-mm-dd, 3 text (@)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="00DDEBF7"/><bgColor indexed="64"/></patternFill></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1">'
    '<alignment vertical="center" wrapText="1"/></xf>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>')
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/></Relationships>')


def _esc(text):
    return _XML_BAD.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _column_letter(index):
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _cell(ref, value, text=False):
    """One <c> element: text inline, numbers and dates as numbers (dates styled yyyy-mm-dd)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime.datetime):
        delta = value - datetime.datetime(1899, 12, 30)
        return f'<c r="{ref}" s="2"><v>{delta.days + delta.seconds / 86400}</v></c>'
    if isinstance(value, datetime.date):
        return f'<c r="{ref}" s="2"><v>{(value - _EXCEL_EPOCH).days}</v></c>'
    if isinstance(value, (int, float)) and not text:
        return f'<c r="{ref}"><v>{value}</v></c>'
    style = ' s="3"' if text else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t xml:space="preserve">{_esc(str(value))}</t></is></c>'


def write_xlsx(fh, columns, rows, sheet_title="Sheet1", header_height=None):
    """Write a workbook of `rows` (any iterable, read once) to the binary file `fh`, row by row; returns the
    row count. The sheet's XML is produced one row at a time straight into the ZIP stream (nothing is held
    but the current row): far faster than building cell objects, and memory stays flat whatever the count.
    Header row styled and frozen, column widths, dates as dates, ID numbers as text."""
    import zipfile

    letters = [_column_letter(i) for i in range(1, len(columns) + 1)]
    text_columns = [c.text for c in columns]
    getters = [c.value for c in columns]
    count = 0
    with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as book:
        book.writestr("[Content_Types].xml", _CONTENT_TYPES)
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        book.writestr("xl/styles.xml", _STYLES)
        book.writestr("xl/workbook.xml", (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            f'<sheets><sheet name="{_esc(sheet_title)}" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        with book.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as raw:
            out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            out.write('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                      '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                      '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
                      'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><cols>')
            out.write("".join(f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>'
                              for i, c in enumerate(columns, start=1)))
            out.write("</cols><sheetData>")
            height = f' ht="{header_height}" customHeight="1"' if header_height else ""
            header = "".join(f'<c r="{letter}1" s="1" t="inlineStr"><is><t xml:space="preserve">'
                             f'{_esc(str(c.header))}</t></is></c>' for letter, c in zip(letters, columns))
            out.write(f'<row r="1"{height}>{header}</row>')
            number = 1
            for row in rows:
                number += 1
                cells = "".join(_cell(f"{letter}{number}", safe_cell(get(row)), text)
                                for letter, get, text in zip(letters, getters, text_columns))
                out.write(f'<row r="{number}">{cells}</row>')
                count += 1
            out.write("</sheetData></worksheet>")
            out.flush()
            out.detach()
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


def _with_stamp(title, ext):
    """The download's name in the reader's language with today's date (app/pdf.download_name)."""
    from app.pdf import download_name

    return download_name(title, datetime.date.today().isoformat(), ext=ext)


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
