"""The rules of the monthly report, as plain functions (unit-tested in tests/test_monthly_rules.py).

Interpretation of the policy (四（六）: 从7月起，各成员单位于每月10日前……报送工作推进落实情况):
the report *for month M* is due on the 10th of M (inclusive, a calendar date in Shannan, Asia/Shanghai)
and covers the work up to the end of month M-1. The first report is the one for the start month
(MONTHLY_REPORT_START, "2020-07"): due 2020-07-10, covering the work up to 30 June. A report may be written
from the 1st of its month (the month it covers is then over); before the start month nothing is due.
"""
import datetime
import re

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from app import deadlines
from app.monthly.models import ReportStatus
from app.org.models import OrgKind
from app.security.roles import MONTHLY_REPORT, ROLE_DEFINITIONS, WRITE
from app.tibetan import forms

DEFAULT_START = "2020-07"
DEFAULT_DUE_DAY = 10
DEFAULT_MAX_CHARS = 2000
DEFAULT_KINDS = (OrgKind.DEPARTMENT, OrgKind.COUNTY)
NARRATIVE_FIELDS = ("progress", "problems", "next_steps")
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def _config(name, default):
    return current_app.config.get(name, default) if has_app_context() else default


def start_month():
    return _config("MONTHLY_REPORT_START", DEFAULT_START)


def due_day():
    return int(_config("MONTHLY_REPORT_DUE_DAY", DEFAULT_DUE_DAY))


def max_chars():
    return int(_config("MONTHLY_REPORT_MAX_CHARS", DEFAULT_MAX_CHARS))


def reporting_kinds():
    kinds = _config("MONTHLY_REPORT_KINDS", DEFAULT_KINDS)
    if isinstance(kinds, str):
        kinds = tuple(k.strip() for k in kinds.split(",") if k.strip())
    return tuple(kinds)


# ---------------------------------------------------------------------------------------------------------
# Months and deadlines


def parse_month(text):
    """"2020-07" -> date(2020, 7, 1); anything else -> None."""
    match = MONTH_RE.match(text or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (1 <= month <= 12 and 2000 <= year <= 2100):
        return None
    return datetime.date(year, month, 1)


def month_of(day):
    return f"{day.year:04d}-{day.month:02d}"


def add_months(month, n):
    first = parse_month(month)
    index = first.year * 12 + first.month - 1 + n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def due_date(month, day=None):
    """The report for `month` is due on this date (inclusive)."""
    first = parse_month(month)
    return first.replace(day=day or due_day())


def covered_until(month):
    """The last day of the work the report for `month` covers: the end of the month before."""
    return parse_month(month) - datetime.timedelta(days=1)


def months_due(today, start=None):
    """Every month whose report is due or open on `today`: from the start month to today's month."""
    start = start or start_month()
    current = month_of(today)
    if current < start:
        return []
    months, month = [], start
    while month <= current:
        months.append(month)
        month = add_months(month, 1)
    return months


def month_problem(month, today, start=None):
    """Why no report for `month` can be written on `today` (None: it can)."""
    start = start or start_month()
    if parse_month(month) is None:
        return _l("Not a valid month: use the form YYYY-MM, e.g. 2020-07.")
    if month < start:
        return _l("Monthly reports start with %(start)s; none is due for %(month)s.", start=start, month=month)
    if month > month_of(today):
        return _l("The report for %(month_gen)s can be written from the first day of that month.", **forms(month=month))
    return None


def local_date(utc_naive):
    """The Shannan calendar date of a stored UTC timestamp (16:30 UTC on the 10th is the 11th in Shannan)."""
    if utc_naive is None:
        return None
    from app.clock import TZ

    return utc_naive.replace(tzinfo=datetime.timezone.utc).astimezone(TZ).date()


def report_colour(month, today, first_submitted_utc=None):
    """The one colour rule (app/deadlines.py) applied to a report: submitted by the 10th → green, submitted
    after it → yellow, missing after the 10th → red, due within the warn window → blue."""
    return deadlines.colour(due_date(month), today, done_on=local_date(first_submitted_utc))


def is_late(month, first_submitted_utc):
    return first_submitted_utc is not None and local_date(first_submitted_utc) > due_date(month)


# ---------------------------------------------------------------------------------------------------------
# Who reports


def member_roles():
    """Roles of the leading group's member units: those that may write monthly reports (app/security/roles.py).
    The supervision office (督查室) reads the reports but is not a member unit that reports: it chases the
    others (四（六）: 市政府督查室……开展专项督查), so it holds no such role."""
    return {r.code for r in ROLE_DEFINITIONS if (WRITE, MONTHLY_REPORT) in r.grants}


def reporting_units(units, member_unit_ids, kinds=None):
    """The units that report every month, in the given order.

    units            every organization unit (objects with id, kind)
    member_unit_ids  ids of the units whose users hold a member role (member_roles())
    kinds            the kinds of unit that report (config MONTHLY_REPORT_KINDS; default department, county)

    Every county reports (各县（区）人民政府 are responsible in their area); a department reports when it is a
    member unit of the leading group, i.e. holds a member role: SASAC and the bureaus do, the supervision
    office, the leading group itself and the information centre do not. Units of any other configured kind
    report when they hold a member role too.
    """
    kinds = tuple(kinds or reporting_kinds())
    chosen = []
    for unit in units:
        if unit.kind not in kinds:
            continue
        if unit.kind == OrgKind.COUNTY or unit.id in member_unit_ids:
            chosen.append(unit)
    return chosen


# ---------------------------------------------------------------------------------------------------------
# Who may do what


def may_edit(user_org_id, user_roles, report):
    """A unit edits only its own report, while it is a draft or returned for correction."""
    if report is None or user_org_id is None or report.org_id != user_org_id:
        return False
    if not set(user_roles) & member_roles():
        return False
    return report.status in ReportStatus.EDITABLE


def edit_problem(user_org_id, user_roles, report):
    if report is not None and report.org_id != user_org_id:
        return _l("A unit can change only its own monthly report.")
    if not set(user_roles) & member_roles():
        return _l("Your role does not write monthly reports.")
    if report is not None and report.status not in ReportStatus.EDITABLE:
        return _l("This report has been submitted; it can be changed only after the office returns it.")
    return None


def may_return(user_roles, report):
    """The leading-group office (SASAC) returns a submitted report for correction."""
    return "sasac" in set(user_roles) and report is not None and report.status == ReportStatus.SUBMITTED


def narrative_problems(values, submitting, limit=None):
    """{field: [message]} for the unit's narrative: every part required when submitting, each at most
    `limit` characters (MONTHLY_REPORT_MAX_CHARS)."""
    limit = limit or max_chars()
    problems = {}
    for name in NARRATIVE_FIELDS:
        text = (values.get(name) or "").strip()
        if submitting and not text:
            problems[name] = [_l("This part of the report is required.")]
        elif len(text) > limit:
            problems[name] = [_l("At most %(limit)d characters (%(count)d given).", limit=limit, count=len(text))]
    return problems


def return_problem(comment):
    text = (comment or "").strip()
    if not text:
        return _l("Say what is to be corrected.")
    if len(text) > 1000:
        return _l("At most %(limit)d characters (%(count)d given).", limit=1000, count=len(text))
    return None
