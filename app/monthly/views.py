"""Monthly report pages: the overview for the leading-group office (units × months with colours), the unit's
form (prefilled with its live figures), the report page with its history, the compiled PDF, and a read-only
REST resource. Every step calls one function of `services.py`."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l

from app import clock
from app.audit import register_model
from app.deadlines import Colour
from app.extensions import db
from app.handover.models import OverallStatus, Stream
from app.monthly import rules, services
from app.monthly.figures import unit_figures
from app.monthly.models import MonthlyReport, MonthlyReportEvent, ReportAction, ReportStatus
from app.rules import RuleViolation
from app.scoped_views import METHOD_PERMISSIONS, ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import role_codes
from app.security.roles import MONTHLY_REPORT
from app.security.scope import ScopeError, user_scope

REPORT_LABELS = {
    "id": _l("ID"),
    "org": _l("Reporting unit"),
    "month": _l("Report month"),
    "status": _l("Status"),
    "status_label": _l("Status"),
    "deadline": _l("Deadline"),
    "colour_badge": _l("Warning"),
    "progress": _l("Progress"),
    "problems": _l("Problems"),
    "next_steps": _l("Next steps"),
    "figures": _l("Figures"),
    "created_on": _l("Created on"),
    "created_by": _l("Created by"),
    "changed_on": _l("Changed on"),
    "first_submitted_on": _l("First submitted on"),
    "submitted_on": _l("Submitted on"),
    "submitted_by": _l("Submitted by"),
    "returned_on": _l("Returned on"),
    "returned_by": _l("Returned by"),
    "return_comment": _l("Comment of the office"),
}
EVENT_LABELS = {"action": _l("Action"), "at": _l("Time"), "by": _l("By"), "comment": _l("Comment")}

FIGURE_LABELS = {
    "retirees": _l("Retirees"),
    "in_flow": _l("In the handover flow"),
    OverallStatus.HANDED_OVER: _l("Handed over"),
    OverallStatus.IN_PROGRESS: _l("Handover in progress"),
    OverallStatus.NOT_HANDED_OVER: _l("Not handed over"),
    "party": _l("Party relations received by the community"),
    "archives": _l("Personnel archives received"),
}
SCOPE_LABELS = {"unit": _l("Figures of the unit's own area"), "city": _l("City-wide figures of the unit's streams")}

ACTIONS = {"fill": "write", "return_report": "write", "overview": "read", "compiled_pdf": "read"}


def figure_rows(figures):
    """[(label, value)] of a figures dict, in reading order (shared by the pages and the PDF)."""
    rows = [(FIGURE_LABELS[k], figures.get(k, 0)) for k in
            ("retirees", "in_flow", OverallStatus.HANDED_OVER, OverallStatus.IN_PROGRESS,
             OverallStatus.NOT_HANDED_OVER)]
    rows.append((FIGURE_LABELS["party"], f"{figures.get('party_transferred', 0)} / {figures.get('party_total', 0)}"))
    rows.append((FIGURE_LABELS["archives"],
                 f"{figures.get('archives_transferred', 0)} / {figures.get('archives_total', 0)}"))
    for stream in Stream.ORDER:
        s = (figures.get("streams") or {}).get(stream)
        if s is not None:
            rows.append((Stream.LABELS[stream], f"{s['done']} / {s['applicable']}"))
    return rows


class MonthlyReportModelView(ScopedModelView):
    datamodel = ScopedInterface(MonthlyReport)
    class_permission_name = MONTHLY_REPORT
    method_permission_name = {**METHOD_PERMISSIONS, **ACTIONS}
    route_base = "/monthly-reports"
    list_title = _l("List of monthly reports")
    show_title = _l("Monthly report")
    edit_title = _l("Write a monthly report")
    add_title = _l("Write a monthly report")
    show_template = "monthly/show.html"
    label_columns = REPORT_LABELS
    list_columns = ["org", "month", "status_label", "colour_badge", "first_submitted_on", "submitted_on"]
    search_columns = ["id", "org", "month", "status"]
    show_columns = ["org", "month", "status_label", "first_submitted_on", "submitted_on", "returned_on",
                    "return_comment"]
    base_order = ("month", "desc")

    def __init__(self, **kwargs):
        self.formatters_columns = {"colour_badge": lambda value: value}
        super().__init__(**kwargs)

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        # A report is opened by its month, so that there is one per unit and month.
        return redirect(url_for(".fill", month=rules.month_of(clock.today())))

    @expose("/delete/<pk>", methods=["GET", "POST"])
    @has_access
    def delete(self, pk):
        self._scoped(pk)
        flash(gettext("Monthly reports are kept: they cannot be deleted."), "danger")
        return redirect(url_for(".show", pk=pk))

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        report = self._scoped(pk)
        snapshot = report.snapshot()
        figures = snapshot if snapshot is not None else unit_figures(report.org)
        return self.render_template(
            self.show_template, title=self.show_title, report=report, figures=figure_rows(figures),
            scope_label=SCOPE_LABELS.get(figures.get("scope"), ""), frozen=snapshot is not None,
            labels=REPORT_LABELS, event_labels=EVENT_LABELS, colour=report.colour(),
            may_edit=rules.may_edit(g.user.org_id, role_codes(), report),
            may_return=rules.may_return(role_codes(), report), deadline=rules.due_date(report.month),
            covered_until=rules.covered_until(report.month))

    @expose("/edit/<pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        report = self._scoped(pk)
        return self._form(report.month, report)

    @expose("/month/<month>", methods=["GET", "POST"])
    @has_access
    def fill(self, month):
        """The current user's unit's report for `month`, created on its first save."""
        problem = rules.month_problem(month, clock.today())
        if problem:
            flash(str(problem), "danger")
            return redirect(url_for("MonthlyOverviewView.overview"))
        return self._form(month, services.report_for(g.user.org_id, month))

    def _form(self, month, report):
        if report is not None and report.org_id != g.user.org_id:
            abort(403)  # a unit writes only its own report (rules.may_edit); reading it is the show page
        problem = rules.edit_problem(g.user.org_id, role_codes(), report)
        if problem:
            flash(str(problem), "danger")
            if report is not None:  # its own report, already submitted: shown as it stands
                return self.show(report.id)
            return redirect(url_for("MonthlyOverviewView.overview"))
        errors = {}
        values = {name: getattr(report, name) or "" for name in rules.NARRATIVE_FIELDS} if report else {}
        if request.method == "POST":
            values = {name: request.form.get(name, "") for name in rules.NARRATIVE_FIELDS}
            submit = request.form.get("action") == "submit"
            try:
                saved = services.save(g.user, month, values, submit=submit)
                db.session.commit()
                flash(gettext("The monthly report was submitted.") if submit
                      else gettext("The draft was saved."), "success")
                return redirect(url_for(".show", pk=saved.id) if submit else url_for(".edit", pk=saved.id))
            except RuleViolation as e:
                db.session.rollback()
                errors = e.messages
                flash(gettext("The report was not saved: correct the marked parts."), "danger")
            except services.Refusal as e:
                db.session.rollback()
                flash(e.message, "danger")
                return redirect(url_for("MonthlyOverviewView.overview"))
        figures = unit_figures(g.user.org)
        return self.render_template(
            "monthly/form.html", title=self.edit_title, month=month, report=report, values=values, errors=errors,
            figures=figure_rows(figures), scope_label=SCOPE_LABELS.get(figures.get("scope"), ""),
            labels=REPORT_LABELS, limit=rules.max_chars(), deadline=rules.due_date(month),
            covered_until=rules.covered_until(month), unit=g.user.org,
            colour=rules.report_colour(month, clock.today(), report.first_submitted_on if report else None))

    @expose("/<int:pk>/return", methods=["POST"])
    @has_access
    def return_report(self, pk):
        report = self._scoped(pk)
        try:
            services.return_report(g.user, report, request.form.get("comment") or "")
            db.session.commit()
            flash(gettext("The report was returned to the unit for correction."), "success")
        except services.Refusal as e:
            db.session.rollback()
            flash(e.message, "danger")
        return redirect(url_for(".show", pk=pk))


class MonthlyOverviewView(BaseView):
    """Units × months for the leading-group office: who reported on time, late, not at all, or is due soon."""

    route_base = "/monthly"
    class_permission_name = MONTHLY_REPORT
    method_permission_name = ACTIONS
    base_permissions = ["can_read"]
    default_view = "overview"

    def _months(self, today):
        due = rules.months_due(today)
        first = rules.parse_month(request.args.get("from", ""))
        last = rules.parse_month(request.args.get("to", ""))
        if first or last:
            lo = rules.month_of(first) if first else (due[0] if due else "")
            hi = rules.month_of(last) if last else (due[-1] if due else "")
            return [m for m in due if lo <= m <= hi]
        return due[-6:]  # the last six months by default

    @expose("/")
    @has_access
    def overview(self):
        today = clock.today()
        scope = user_scope()
        units = [u for u in services.reporting_units() if scope.allows_org(u.id)]
        months = self._months(today)
        reports = services.reports_by_unit_month(months, [u.id for u in units])
        rows = services.matrix(units, months, today, reports)
        late, missing = services.late_and_missing(units, months, today, reports)
        own = g.user.org_id in {u.id for u in units}
        current = rules.month_of(today)
        return self.render_template(
            "monthly/overview.html", title=_l("Monthly reports"), rows=rows, months=months, late=late,
            missing=missing, colours=Colour, own_unit=g.user.org_id if own else None, labels=REPORT_LABELS,
            current=current if current in rules.months_due(today) else None, city_wide=scope.city_wide,
            can_write=self.appbuilder.sm.has_access("can_write", MONTHLY_REPORT),
            due_dates={m: rules.due_date(m) for m in months}, start=rules.start_month())

    @expose("/compiled.pdf")
    @has_access
    def compiled_pdf(self):
        from app.monthly.pdf import render_compiled
        from app.pdf import LANG_NAMES, download_name, pdf_response

        if not user_scope().city_wide:
            abort(403)
        month = request.args.get("month", "")
        problem = rules.month_problem(month, clock.today())
        if problem:
            flash(str(problem), "danger")
            return redirect(url_for(".overview"))
        lang = request.args.get("lang", "both")
        if lang not in ("zh", "bo", "both"):
            lang = "both"
        return pdf_response(render_compiled(month, lang), download_name(_l("Monthly report"), month, LANG_NAMES[lang]))


class MonthlyReportApi(ScopedModelRestApi):
    """Read access to the reports (and the narrative through PUT, under the same rules as the form)."""

    datamodel = SQLAInterface(MonthlyReport)
    class_permission_name = MONTHLY_REPORT
    resource_name = "monthlyreport"
    include_route_methods = {"get", "get_list", "info", "put"}
    list_columns = ["id", "org.id", "month", "status", "first_submitted_on", "submitted_on", "returned_on"]
    show_columns = list_columns + ["progress", "problems", "next_steps", "figures", "return_comment"]
    edit_columns = ["progress", "problems", "next_steps"]
    search_columns = ["id", "org", "month", "status"]
    label_columns = REPORT_LABELS

    def pre_update(self, item):
        problem = rules.edit_problem(g.user.org_id, role_codes(), item)
        if problem:
            raise ScopeError(problem)
        problems = rules.narrative_problems({n: getattr(item, n) for n in rules.NARRATIVE_FIELDS}, False)
        if problems:
            raise RuleViolation(problems)
        item.changed_on = clock.utcnow()
        super().pre_update(item)


def register_audit_labels():
    """Let the audit pages name this stream's models, fields and codes (called from the stream's init_app)."""
    register_model(MonthlyReport, _l("Monthly report"), REPORT_LABELS, {"status": ReportStatus.LABELS})
    register_model(MonthlyReportEvent, _l("Monthly report history"), EVENT_LABELS, {"action": ReportAction.LABELS})
