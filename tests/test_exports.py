"""Exports stream: the ledger export holds every row of the filtered list (no silent cap), reads the rows
with a fixed number of SQL statements whatever their number (no query per row), and a configured limit is
told to the user before the export starts. The generic CSV writer neutralizes formulas and starts with a BOM.
Memory and time at 100,000 rows are measured in bench/export_bench.py (bench/RESULTS.md)."""
import io

import openpyxl
import pytest
from sqlalchemy import event, func, select

from app.exports import Column, csv_lines
from app.retirees.models import Retiree
from tests.conftest import count_rows


@pytest.fixture
def statements(app):
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    seen = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def _rows(data):
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["花名册"]
    return list(sheet.iter_rows(values_only=True))


def test_the_whole_city_is_exported_with_a_fixed_number_of_statements(app, as_user, statements):
    c = as_user("sasac")
    c.get("/retirees/list/")  # warm: the login and the first page are not the export
    statements.clear()
    response = c.get("/retirees/export.xlsx")
    assert response.status_code == 200
    data = response.get_data()
    rows = _rows(data)
    assert len(rows) - 1 == count_rows(app) >= 965  # every row, nothing cut
    # the user, roles, the organization tree, one COUNT and the rows: not one query per row (965 rows here)
    assert len(statements) <= 12, statements
    header = rows[0]
    assert header[0] == "汉文名\nརྒྱ་ཡིག་མིང་།"  # Chinese above Tibetan, as the template


def test_export_follows_the_scope_of_the_list(app, as_user):
    from tests.conftest import org_id

    rows = _rows(as_user("enterprise1").get("/retirees/export.xlsx").get_data())
    ent = org_id(app, "E-S02")
    assert len(rows) - 1 == count_rows(app, None, Retiree.enterprise_id == ent)


def test_a_limit_is_said_before_the_export_starts(app, as_user):
    app.config["EXPORT_MAX_ROWS"] = 200
    try:
        c = as_user("sasac")
        response = c.get("/retirees/export.xlsx")
        assert response.status_code == 302 and response.headers["Location"].endswith("/retirees/list/")
        page = c.get("/retirees/list/").get_data(as_text=True)
        total = count_rows(app)
        assert f"列表共有 {total} 行，每次导出最多 200 行" in page
        # a narrower search fits
        small = c.get("/retirees/export.xlsx?_flt_0_category=out_region")
        assert small.status_code == 200
        assert len(_rows(small.get_data())) - 1 == count_rows(app, None, Retiree.category == "out_region") <= 200
    finally:
        app.config["EXPORT_MAX_ROWS"] = 0


def test_csv_lines_neutralize_formulas_and_start_with_a_bom():
    columns = [Column("名称", lambda r: r[0]), Column("数", lambda r: r[1])]
    lines = list(csv_lines(columns, iter([("=SUM(A1)", 3), ("次仁", None)])))
    assert lines[0] == "\ufeff名称,数\r\n"
    assert lines[1] == "'=SUM(A1),3\r\n" and lines[2] == "次仁,\r\n"


def test_streamed_workbook_reads_back_with_types_styles_and_safe_text():
    import datetime

    from app.exports import write_xlsx

    columns = [Column("名称\nམིང་", lambda r: r[0], width=20), Column("日期", lambda r: r[1]),
               Column("身份证号", lambda r: r[2], text=True), Column("数", lambda r: r[3])]
    out = io.BytesIO()
    rows = [("a<b&c\x01", datetime.date(2020, 6, 30), "540502195804124213", 3),
            ("=HYPERLINK(\"x\")", None, None, 2.5)]
    assert write_xlsx(out, columns, iter(rows), "花名册", header_height=48) == 2
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["花名册"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("名称\nམིང་", "日期", "身份证号", "数")
    assert values[1] == ("a<b&c", datetime.datetime(2020, 6, 30), "540502195804124213", 3)
    assert values[2] == ("'=HYPERLINK(\"x\")", None, None, 2.5)
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["A"].width == 20
    assert sheet["B2"].number_format == "yyyy-mm-dd" and sheet["C2"].number_format == "@"
    assert sheet["A1"].font.b and sheet.row_dimensions[1].height == 48
