"""Real roster files for the tests, built with openpyxl (and patched at the XML level where openpyxl cannot
write what Excel writes, such as a formula's cached value)."""
import datetime
import io
import re
import zipfile

import openpyxl

from app.retirees import idcard

HEADERS_ZH = {
    "name_zh": "姓名（汉文）", "name_bo": "姓名（藏文）", "resident_id": "身份证号", "gender": "性别",
    "ethnicity": "民族", "birth_date": "出生日期", "retirement_date": "退休日期", "category": "安置类别",
    "pension_source": "养老金来源",
}


def person(seq, born=datetime.date(1956, 3, 14), male=True, region="540502", **over):
    number = idcard.make(region, born, (seq * 2 + int(male)) % 1000, male)  # distinct for seq < 500
    row = {"name_zh": f"导入测试{seq}", "name_bo": "བཀྲ་ཤིས་རྡོ་རྗེ", "resident_id": number,
           "gender": "男" if male else "女", "ethnicity": "藏族", "birth_date": born,
           "retirement_date": datetime.date(born.year + 60, 4, 1), "category": "区内",
           "pension_source": "基本养老保险"}
    row.update(over)
    return row


def workbook(rows, headers=None, title_rows=0, trailing_empty=0, header_override=None):
    """An XLSX with optional title rows (merged) above the header and empty rows after the data."""
    headers = headers or list(HEADERS_ZH)
    labels = header_override or HEADERS_ZH
    book = openpyxl.Workbook()
    sheet = book.active
    for t in range(title_rows):
        sheet.cell(row=t + 1, column=1, value="山南市国有企业退休人员花名册" if t == 0 else "填报单位：测试")
        sheet.merge_cells(start_row=t + 1, start_column=1, end_row=t + 1, end_column=len(headers))
    top = title_rows + 1
    for index, key in enumerate(headers, start=1):
        sheet.cell(row=top, column=index, value=labels.get(key, key))
    for r, row in enumerate(rows, start=top + 1):
        for index, key in enumerate(headers, start=1):
            sheet.cell(row=r, column=index, value=row.get(key))
    for extra in range(trailing_empty):
        sheet.cell(row=top + len(rows) + 1 + extra, column=1, value=None)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_cached_formula_values(data, values):
    """Give formula cells a cached result, as Excel saves them ({'C3': '540502...'})."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                for ref, value in values.items():
                    text = re.sub(rf'(<c r="{ref}"[^>]*?)(?: t="\w+")?>(<f>.*?</f>)<v\s*/?>(?:</v>)?',
                                  rf'\1 t="str">\2<v>{value}</v>', text)
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()


def zip_bomb():
    out = io.BytesIO()
    base = zipfile.ZipFile(io.BytesIO(workbook([person(1)])))
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in base.infolist():
            target.writestr(item, base.read(item.filename))
        target.writestr("xl/worksheets/sheet9.xml", b"\0" * (60 * 1024 * 1024))
    return out.getvalue()


def million_empty_rows(with_header=True):
    """A sheet whose dimension claims 1,000,000 rows and that holds nothing but (maybe) a header."""
    data = workbook([], headers=list(HEADERS_ZH)) if with_header else workbook([], headers=[])
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = content.decode()
                text = re.sub(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:I1000000"/>', text)
                rows = "".join(f'<row r="{n}"/>' for n in range(2, 1_000_001, 1))
                text = text.replace("</sheetData>", rows + "</sheetData>") if "</sheetData>" in text else \
                    text.replace("<sheetData/>", f"<sheetData>{rows}</sheetData>")
                content = text.encode()
            target.writestr(item, content)
    return out.getvalue()
