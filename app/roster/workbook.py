"""Writing rosters: the blank template (with an instructions sheet and drop-down lists) and exports in the
same columns, so that an export re-imports cleanly."""
import io

from flask_babel import force_locale, gettext

from app.retirees import idcard
from app.roster.columns import BOOL, CHOICE, COLUMNS, DATE, ORG, RESIDENT_ID, YES_NO



def _styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return {
        "header_font": Font(bold=True),
        "header_fill": PatternFill("solid", fgColor="DDEBF7"),
        "wrap": Alignment(wrap_text=True, vertical="center"),
    }


# Sheet names: Chinese; on the Tibetan side Tibetan first, then the Chinese (a sheet name holds 31 characters).
SHEETS = {
    "zh": {"roster": "花名册", "lists": "选项", "instructions": "填表说明"},
    "bo": {"roster": "མིང་ཐོ། 花名册", "lists": "གདམ་ག 选项", "instructions": "འགེང་ཚུལ་གསལ་བཤད། 填表说明"},
}


def _lang(lang=None):
    if lang in SHEETS:
        return lang
    from flask_babel import get_locale

    try:
        locale = get_locale()
    except Exception:
        locale = None
    return "bo" if locale is not None and locale.language == "bo" else "zh"


def bilingual_value(label):
    """A drop-down value on the Tibetan side: the Tibetan, then the Chinese (the importer reads all three)."""
    with force_locale("bo"):
        bo = str(label)
    with force_locale("zh"):
        zh = str(label)
    return f"{bo} {zh}" if bo != zh else zh


def _new_book(lang="zh"):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEETS[lang]["roster"]
    styles = _styles()
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header())
        cell.font, cell.fill, cell.alignment = styles["header_font"], styles["header_fill"], styles["wrap"]
        sheet.column_dimensions[cell.column_letter].width = column.width
    sheet.row_dimensions[1].height = 48
    sheet.freeze_panes = "A2"
    return book, sheet


TEMPLATE_ROWS = 2000


def _text_id_column(sheet):
    """The resident ID column formatted as Text ('@'), on the column and on its cells (WPS reads only the
    cells): Excel and WPS would otherwise turn 18 digits into 5.40502E+17 and lose the last three."""
    index = next(i for i, c in enumerate(COLUMNS, start=1) if c.kind == RESIDENT_ID)
    letter = sheet.cell(row=1, column=index).column_letter
    sheet.column_dimensions[letter].number_format = "@"
    for row in range(2, TEMPLATE_ROWS + 2):
        sheet.cell(row=row, column=index).number_format = "@"


def _lists_sheet(book, org_names, lang="zh"):
    """A hidden sheet with the allowed values; the drop-downs point at its ranges."""
    from openpyxl.worksheet.datavalidation import DataValidation

    names = SHEETS[lang]
    lists = book.create_sheet(names["lists"])
    sheet = book[names["roster"]]
    shown = bilingual_value if lang == "bo" else str
    col = 1
    for index, column in enumerate(COLUMNS, start=1):
        if column.kind == CHOICE:
            values = [shown(label) for label in column.choices.values()]
        elif column.kind == BOOL:
            values = [shown(YES_NO[True]), shown(YES_NO[False])]
        elif column.kind == ORG:
            values = org_names.get(column.org_kind, [])
        else:
            continue
        if not values:
            continue
        letter = lists.cell(row=1, column=col).column_letter
        for row, value in enumerate(values, start=1):
            lists.cell(row=row, column=col, value=value)
        target = sheet.cell(row=2, column=index).column_letter
        validation = DataValidation(type="list", formula1=f"'{names['lists']}'!${letter}$1:${letter}${len(values)}",
                                    allow_blank=not column.required, showErrorMessage=True)
        validation.add(f"{target}2:{target}5000")
        sheet.add_data_validation(validation)
        col += 1
    lists.sheet_state = "hidden"


def _instructions(book, lang="zh"):
    sheet = book.create_sheet(SHEETS[lang]["instructions"], 0)
    lines = []
    for text_lang in ("bo", "zh") if lang == "bo" else ("zh", "bo"):
        with force_locale(text_lang):
            lines += [
                gettext("How to fill in the retiree roster"),
                gettext("One row per retiree, starting below the header row; do not change the headers."),
                gettext("Resident ID number: 18 characters; a final x may be lower case."),
                gettext("Dates: 2020-06-30 (2020.6.30, 2020/06/30 and 2020年6月30日 are also read)."),
                gettext("A date may also be typed without separators: 20200630."),
                gettext("Coded columns: choose from the drop-down list."),
                gettext("Rows whose resident ID number is already in the ledger update that retiree."),
                "",
            ]
    for row, text in enumerate(lines, start=1):
        sheet.cell(row=row, column=1, value=text)
    sheet.column_dimensions["A"].width = 100


def build_template(org_names, lang=None):
    """org_names: {kind: [name, ...]} for the unit drop-downs; lang: the reader's (default: the current one)."""
    lang = _lang(lang)
    book, sheet = _new_book(lang)
    _text_id_column(sheet)
    _instructions(book, lang)
    _lists_sheet(book, org_names, lang)
    book.active = 1
    return _save(book)


def export_columns(full_ids):
    """The roster's columns as export columns (app/exports.py): the same headers and cell values as the
    template, so an export re-imports cleanly. Labels are translated once per export, not once per cell."""
    from app.exports import Column
    from app.org.cache import all_orgs

    org_names = {org.id: org.name for org in all_orgs()}  # in the reader's language, once
    yes_no = {True: str(YES_NO[True]), False: str(YES_NO[False])}

    def getter(column):
        key = column.key
        if column.kind == ORG:
            attr = f"{key}_id"

            return lambda row: org_names.get(getattr(row, attr))
        if column.kind == RESIDENT_ID:
            if full_ids:
                return lambda row: getattr(row, key)
            return lambda row: idcard.mask(getattr(row, key)) if getattr(row, key) is not None else None
        if column.kind == CHOICE:
            labels = {code: str(label) for code, label in column.choices.items()}
            return lambda row: None if getattr(row, key) is None else labels.get(getattr(row, key), getattr(row, key))
        if column.kind == BOOL:
            return lambda row: None if getattr(row, key) is None else yes_no[bool(getattr(row, key))]
        if column.kind == DATE and key == "birth_date" and not full_ids:
            # the year only beside a masked number (the full date gives the hidden digits back)
            return lambda row: None if getattr(row, key) is None else str(getattr(row, key).year)
        return lambda row: getattr(row, key)

    return [Column(column.header(), getter(column), width=column.width, text=column.kind == RESIDENT_ID)
            for column in COLUMNS]


def write_export(fh, retirees, full_ids):
    """Write the ledger export of `retirees` (any iterable, read once) to the binary file `fh`, row by row
    (app/exports.write_xlsx): memory stays bounded whatever the number of rows. Returns the count."""
    from app.exports import write_xlsx

    return write_xlsx(fh, export_columns(full_ids), retirees, sheet_title=SHEETS[_lang()]["roster"],
                      header_height=48)


def build_export(retirees, full_ids):
    out = io.BytesIO()
    write_export(out, retirees, full_ids)
    return out.getvalue()


def _save(book):
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
