"""The one reading of a date that a person typed or a spreadsheet holds, shared by the roster reader and every
business form's date fields: 2020-06-30, 2020.6.30, 2020/06/30, 2020年6月30日, the compact 20200630 that clerks
type (and that Excel keeps as a number), datetime/date cells and Excel serial numbers."""
import datetime
import re
import unicodedata

from flask_appbuilder.fieldwidgets import DatePickerWidget
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import DateField
from wtforms.validators import StopValidation
from wtforms.widgets import html_params

EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-./年]\s*(\d{1,2})\s*[-./月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_COMPACT_MIN, _COMPACT_MAX = 1000_01_01, 9999_12_31


def parse_date(value):
    """A datetime.date, None for an empty value; ValueError when the value is no date."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if float(value).is_integer() and _COMPACT_MIN <= value <= _COMPACT_MAX:
            return parse_date(str(int(value)))  # 20180430 typed into a General cell
        if 1 <= value < 2958466:  # Excel's serial range: 1900-01-01 .. 9999-12-31
            return EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE_TEXT.match(text) or _COMPACT_DATE.match(text)
    if not match:
        raise ValueError(value)
    return datetime.date(*(int(g) for g in match.groups()))


class TypedDatePickerWidget(DatePickerWidget):
    """FAB's date picker, told not to rewrite what the user typed: bootstrap-datepicker's forceParse turns a
    text it cannot read (20180430) into today's date on blur, which then saved silently."""

    data_template = (
        '<div class="input-group date appbuilder_date"'
        ' data-provide="datepicker" data-date-force-parse="false" id="datepicker">'
        '<span class="input-group-addon"><i class="fa fa-calendar cursor-hand"></i>'
        "</span>"
        '<input class="form-control" data-format="yyyy-MM-dd" %(text)s />'
        "</div>"
    )

    def __call__(self, field, **kwargs):
        # the text as typed when it could not be read (FAB's picker shows the parsed value, i.e. nothing)
        kwargs.setdefault("id", field.id)
        kwargs.setdefault("name", field.name)
        return Markup(self.data_template % {"text": html_params(type="text", value=field._value(), **kwargs)})


class BusinessDateField(DateField):
    """A date field that reads what `parse_date` reads and shows dates as 2020-06-30."""

    widget = TypedDatePickerWidget()

    def __init__(self, label=None, validators=None, format="%Y-%m-%d", **kwargs):
        kwargs.pop("widget", None)  # FAB passes its own picker; ours keeps the typed text
        super().__init__(label, validators, format=format, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist:
            return
        text = " ".join(valuelist).strip()
        if not text:
            self.data = None
            return
        try:
            self.data = parse_date(text)
        except (ValueError, OverflowError):
            self.data = None
            raise ValueError(str(_l("Not a date (write it as 2020-06-30).")))

    def pre_validate(self, form):
        # an unreadable date says so, instead of the "required" that DataRequired would put in its place
        if self.process_errors:
            raise StopValidation()
