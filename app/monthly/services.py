"""Steps of the monthly report as plain functions taking the acting user (the view commits, or rolls back on
`Refusal`), the reporting matrix, and what `flask supervise` and the ranking of units read: the notification
source and the overdue counter of kind "report"."""
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.deadlines import AttentionEntry, Colour
from app.extensions import db
from app.monthly import rules
from app.monthly.figures import unit_figures
from app.monthly.models import MonthlyReport, MonthlyReportEvent, ReportAction, ReportStatus
from app.notify import Notice, notify, resolve
from app.rules import RuleViolation
from app.security.access import role_codes
from app.steps import Refusal  # noqa: F401  (views catch services.Refusal)


def reporting_units():
    """The member units that report every month (rules.reporting_units over the organization tree)."""
    from app.org.cache import all_orgs
    from app.security.access import units_holding

    member_ids = units_holding(rules.member_roles())
    units = sorted(all_orgs(), key=lambda o: (0 if o.kind == "department" else 1, o.code))
    return rules.reporting_units(units, member_ids)


def report_for(org_id, month):
    return db.session.scalar(select(MonthlyReport).where(MonthlyReport.org_id == org_id,
                                                         MonthlyReport.month == month))


def _event(report, action, user, comment=None):
    report.events.append(MonthlyReportEvent(action=action, at=clock.utcnow(),
                                            by_id=getattr(user, "id", None), comment=comment))


def _check_unit(user, org_id, report=None):
    problem = rules.edit_problem(user.org_id, role_codes(user), report)
    if problem is None and org_id != user.org_id:
        problem = _l("A unit can change only its own monthly report.")
    if problem is None and user.org_id not in {u.id for u in reporting_units()}:
        problem = _l("Your unit is not one of the units that report every month.")
    if problem:
        raise Refusal(problem)


def save(user, month, values, submit=False):
    """Save the unit's report for `month` (created on first save); `submit` also submits it, freezing the
    unit's figures as they are now. Returns the report."""
    problem = rules.month_problem(month, clock.today())
    if problem:
        raise Refusal(problem)
    report = report_for(user.org_id, month)
    _check_unit(user, user.org_id, report)
    problems = rules.narrative_problems(values, submitting=submit)
    if problems:
        raise RuleViolation(problems)
    now = clock.utcnow()
    if report is None:
        report = MonthlyReport(org_id=user.org_id, month=month, status=ReportStatus.DRAFT, created_on=now,
                               created_by_id=user.id)
        db.session.add(report)
    for name in rules.NARRATIVE_FIELDS:
        setattr(report, name, (values.get(name) or "").strip() or None)
    report.changed_on = now
    if not submit:
        _event(report, ReportAction.SAVED, user)
        return report
    report.figures = json.dumps(unit_figures(user.org), ensure_ascii=False, sort_keys=True)
    report.status = ReportStatus.SUBMITTED
    report.submitted_on = now
    report.submitted_by_id = user.id
    if report.first_submitted_on is None:
        report.first_submitted_on = now
    _event(report, ReportAction.SUBMITTED, user)
    for key in notice_keys(report.org_id, month):
        resolve(key)
    return report


def return_report(user, report, comment):
    """The office returns a submitted report for correction; the unit is told in its inbox."""
    if not rules.may_return(role_codes(user), report):
        raise Refusal(_l("Only the leading-group office returns a submitted report."))
    problem = rules.return_problem(comment)
    if problem:
        raise Refusal(problem)
    report.status = ReportStatus.RETURNED
    report.returned_on = clock.utcnow()
    report.returned_by_id = user.id
    report.return_comment = comment.strip()
    _event(report, ReportAction.RETURNED, user, comment.strip())
    notify(returned_notice(report))
    return report


# ---------------------------------------------------------------------------------------------------------
# Matrix, notifications, overdue counts


def reports_by_unit_month(months, org_ids=None):
    query = select(MonthlyReport).where(MonthlyReport.month.in_(months))
    if org_ids is not None:
        query = query.where(MonthlyReport.org_id.in_(org_ids))
    return {(r.org_id, r.month): r for r in db.session.scalars(query)}


def cell_colour(report, month, today):
    return rules.report_colour(month, today, report.first_submitted_on if report is not None else None)


def matrix(units, months, today, reports=None):
    """[(unit, [(month, report or None, colour)])] for the overview."""
    reports = reports if reports is not None else reports_by_unit_month(months, [u.id for u in units])
    return [(u, [(m, reports.get((u.id, m)), cell_colour(reports.get((u.id, m)), m, today)) for m in months])
            for u in units]


def late_and_missing(units, months, today, reports=None):
    """([(unit, month, report)] submitted late, [(unit, month)] missing past the 10th)."""
    late, missing = [], []
    for unit, cells in matrix(units, months, today, reports):
        for month, report, colour in cells:
            if colour == Colour.YELLOW:
                late.append((unit, month, report))
            elif colour == Colour.RED:
                missing.append((unit, month))
    return late, missing


def notice_keys(org_id, month):
    return [f"report:{what}:{org_id}:{month}" for what in ("due", "missing", "returned")]


MSG_DUE = _l("The monthly report for %(month_gen)s is due on %(deadline)s.")
MSG_MISSING = _l("The monthly report for %(month_gen)s is missing: it was due on %(deadline)s.")
MSG_RETURNED = _l("The monthly report for %(month_gen)s was returned for correction: %(comment)s")


def _link(month):
    return f"/monthly-reports/month/{month}"


def returned_notice(report):
    return Notice(key=f"report:returned:{report.org_id}:{report.month}", kind="report", message=MSG_RETURNED,
                  org_id=report.org_id, params={"month": report.month, "comment": report.return_comment or ""},
                  link=_link(report.month), colour=Colour.YELLOW)


def report_notices(today):
    """Due soon (blue) and missing (red) reports → to the unit; returned reports → to the unit. A report that
    arrives takes its entries out of the inbox (here on the next run, and at once on submission)."""
    months = rules.months_due(today)
    units = reporting_units()
    reports = reports_by_unit_month(months)
    notices = []
    for unit, cells in matrix(units, months, today, reports):
        for month, report, colour in cells:
            params = {"month": month, "deadline": rules.due_date(month).isoformat()}
            if colour == Colour.BLUE:
                notices.append(Notice(f"report:due:{unit.id}:{month}", "report", MSG_DUE, org_id=unit.id,
                                      params=params, link=_link(month), colour=colour))
            elif colour == Colour.RED:
                notices.append(Notice(f"report:missing:{unit.id}:{month}", "report", MSG_MISSING,
                                      org_id=unit.id, params=params, link=_link(month), colour=colour))
            if report is not None and report.status == ReportStatus.RETURNED:
                notices.append(returned_notice(report))
    return notices


def overdue_reports(today):
    """{org_id: months whose report is missing past the 10th}."""
    counts = {}
    _late, missing = late_and_missing(reporting_units(), rules.months_due(today), today)
    for unit, _month in missing:
        counts[unit.id] = counts.get(unit.id, 0) + 1
    return counts


def missing_reports(today):
    """Per unit the reader may see: its reports missing past their due date (one entry, dated by the oldest)."""
    from flask_babel import lazy_gettext

    from app.security.scope import user_scope
    from app.text import Bilingual

    scope_ = user_scope()
    units = [u for u in reporting_units() if scope_.allows_org(u.id)]
    _late, missing = late_and_missing(units, rules.months_due(today), today)
    by_unit = {}
    for unit, month in missing:
        by_unit.setdefault(unit.id, (unit, []))[1].append(month)
    entries = []
    for unit, months in by_unit.values():
        oldest = min(months)
        title = (lazy_gettext("Monthly report for %(month)s", month=oldest) if len(months) == 1 else
                 lazy_gettext("%(n)d monthly reports missing, the oldest for %(month)s", n=len(months), month=oldest))
        entries.append(AttentionEntry("report", title, Bilingual.of_org(unit), rules.due_date(oldest), Colour.RED,
                                      f"/monthly/?from={oldest}&to={max(months)}"))
    return entries
