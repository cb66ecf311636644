"""Work plan pages and REST API: configuration on the scoped bases; progress and evidence are POSTs that call
one function of `services.py` with the acting user. The ranking of units adds up every registered stream."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect
from wtforms.validators import Length

from app import clock
from app.audit import register_model
from app.extensions import db
from app.forms_common import coded_select
from app.rules import RuleViolation
from app.scoped_views import METHOD_PERMISSIONS, ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import role_codes
from app.security.roles import WORK_TASK
from app.workplan import rules, services
from app.workplan.models import Metric, WorkTask

TASK_LABELS = {
    "id": _l("ID"),
    "title": _l("Task"),
    "title_zh": _l("Title (Chinese)"),
    "title_bo": _l("Title (Tibetan)"),
    "description": _l("Description"),
    "start_on": _l("Start date"),
    "deadline": _l("Deadline"),
    "lead_org": _l("Lead unit"),
    "assisting": _l("Assisting units"),
    "assisting_names": _l("Assisting units"),
    "progress": _l("Progress (%)"),
    "progress_label": _l("Progress"),
    "done_on": _l("Done on"),
    "is_milestone": _l("Milestone of the policy"),
    "notes": _l("Notes"),
    "metric": _l("Progress computed from"),
    "metric_label": _l("Progress computed from"),
    "metric_org": _l("Figures of"),
    "colour_badge": _l("Status"),
    "created_on": _l("Created on"),
}

ACTIONS = {"update_progress": "write", "upload_evidence": "write", "evidence": "read", "ranking": "read"}


def _changed_fields(item):
    state = inspect(item)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class WorkTaskModelView(ScopedModelView):
    datamodel = ScopedInterface(WorkTask)
    class_permission_name = WORK_TASK
    method_permission_name = {**METHOD_PERMISSIONS, **ACTIONS}
    route_base = "/tasks"
    list_title = _l("Work plan")
    show_title = _l("Work plan task")
    add_title = _l("New work plan task")
    edit_title = _l("Edit work plan task")
    show_template = "workplan/task_show.html"
    list_template = "workplan/task_list.html"
    label_columns = TASK_LABELS
    list_columns = ["title", "lead_org", "start_on", "deadline", "progress_label", "colour_badge", "done_on"]
    search_columns = ["id", "title_zh", "lead_org", "deadline", "done_on", "is_milestone", "metric"]
    show_fieldsets = [
        (_l("Work plan task"), {"fields": ["title_zh", "title_bo", "description", "lead_org", "assisting_names",
                                           "start_on", "deadline", "is_milestone"]}),
        (_l("Progress"), {"fields": ["progress_label", "metric_label", "metric_org", "done_on", "notes"]}),
    ]
    add_columns = ["title_zh", "title_bo", "description", "lead_org", "assisting", "start_on", "deadline",
                   "is_milestone", "metric", "metric_org", "notes"]
    edit_columns = add_columns[:-1] + ["progress", "done_on", "notes"]
    add_form_extra_fields = {"metric": coded_select(_l("Progress computed from"), Metric.LABELS, required=False,
                                                    description=_l("Leave empty for progress typed by the lead "
                                                                   "unit."))}
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {"title_zh": [Length(max=200)], "title_bo": [Length(max=400)]}
    description_columns = {
        "metric_org": _l("A county or an enterprise; empty means the whole city."),
        "progress": _l("Typed by the lead unit; ignored when the progress is computed from figures."),
    }
    base_order = ("deadline", "asc")

    @staticmethod
    def _normalise(item):
        item.metric = item.metric or None
        item.title_bo = item.title_bo or None
        if item.progress is None:
            item.progress = 0

    def pre_add(self, item):
        self._normalise(item)
        message = rules.create_problem(role_codes())
        if message:
            db.session.rollback()
            raise RuleViolation({"title_zh": [message]})
        super().pre_add(item)

    def pre_update(self, item):
        self._normalise(item)
        for attr in ("description", "notes"):
            if getattr(item, attr) == "":
                setattr(item, attr, None)
        changed = _changed_fields(item)
        old_progress = inspect(item).attrs.progress.history.deleted
        message = rules.change_problem(role_codes(), g.user.org_id,
                                       services.previous_lead(item), changed) or \
            rules.typed_progress_problem(item.metric, item.progress,
                                         old_progress[0] if old_progress else item.progress)
        if message:
            db.session.rollback()
            raise RuleViolation({"progress": [message]})
        super().pre_update(item)

    def post_update(self, item):
        if item.done_on is not None:
            services.resolve_task_notices(item)
            db.session.commit()

    def pre_delete(self, item):
        message = rules.delete_problem(role_codes())
        if message:
            raise RuleViolation({"id": [message]})
        super().pre_delete(item)

    def _may_update(self, task):
        return self.appbuilder.sm.has_access("can_write", WORK_TASK) and \
            rules.evidence_problem(role_codes(), g.user.org_id, task.lead_org_id) is None

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        from app.workplan.metrics import metric_counts

        task = self._scoped(pk)
        widgets = self._show(pk)
        counts = metric_counts(task.metric, task.metric_org_id) if task.metric else None
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=widgets,
                                    related_views=[], task=task, counts=counts,
                                    may_update=self._may_update(task), labels=TASK_LABELS)

    @expose("/<int:pk>/progress", methods=["POST"])
    @has_access
    def update_progress(self, pk):
        task = self._scoped(pk)
        progress = None
        if not task.metric:
            progress = _int(request.form.get("progress"))
            if progress is None:
                flash(str(_l("Progress is a whole number from 0 to 100.")), "danger")
                return redirect(url_for(".show", pk=pk))
        try:
            services.update_progress(g.user, task, progress, (request.form.get("notes") or "").strip()[:4000]
                                     or None, request.form.get("done") == "1")
            db.session.commit()
            flash(str(_l("The progress was saved.")), "success")
        except services.Refusal as e:
            db.session.rollback()
            flash(e.message, "danger")
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/evidence", methods=["POST"])
    @has_access
    def upload_evidence(self, pk):
        task = self._scoped(pk)
        try:
            services.add_evidence(g.user, task, request.files.get("file"))
            db.session.commit()
            flash(str(_l("The file was added to the evidence.")), "success")
        except services.Refusal as e:
            db.session.rollback()
            flash(e.message, "danger")
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/evidence/<int:file_id>")
    @has_access
    def evidence(self, pk, file_id):
        from app.uploads import send_stored

        task = self._scoped(pk)  # whoever may read the task may read its evidence, nobody else
        stored = next((f for f in task.evidence if f.id == file_id), None)
        if stored is None:
            abort(404)
        return send_stored(stored, f"WorkTask {task.id}")

    @expose("/ranking")
    @has_access
    def ranking(self):
        from app.deadlines import OVERDUE_COUNTERS, OVERDUE_KIND_LABELS, overdue_by_unit
        from app.org.cache import org_by_id

        today = clock.today()
        totals = overdue_by_unit(today)
        kinds = sorted(OVERDUE_COUNTERS, key=lambda k: (list(OVERDUE_KIND_LABELS).index(k)
                                                        if k in OVERDUE_KIND_LABELS else 99, k))
        rows = []
        for org_id, counts in totals.items():
            org = org_by_id(org_id)
            rows.append({"org": org.name if org is not None else str(org_id), "org_id": org_id,
                         "counts": counts, "total": sum(counts.values())})
        rows.sort(key=lambda r: (-r["total"], r["org"]))
        headings = [(k, str(OVERDUE_KIND_LABELS.get(k, k))) for k in kinds]
        return self.render_template("workplan/ranking.html", rows=rows, headings=headings, today=today,
                                    title=_l("Units ranked by overdue work"))


class WorkTaskApi(ScopedModelRestApi):
    datamodel = SQLAInterface(WorkTask)
    class_permission_name = WORK_TASK
    resource_name = "worktask"
    # Tasks are made on the pages by the leading-group office; the lead unit may report progress by API.
    include_route_methods = {"get", "get_list", "info", "put"}
    edit_columns = ["progress", "notes"]
    list_columns = ["id", "title_zh", "title_bo", "lead_org.id", "start_on", "deadline", "progress", "done_on",
                    "is_milestone", "metric", "metric_org.id"]
    show_columns = list_columns + ["description", "notes"]
    search_columns = ["id", "title_zh", "lead_org", "deadline", "done_on", "is_milestone"]
    label_columns = TASK_LABELS

    def pre_update(self, item):
        old_progress = inspect(item).attrs.progress.history.deleted
        message = rules.change_problem(role_codes(), g.user.org_id, services.previous_lead(item),
                                       _changed_fields(item)) or \
            rules.typed_progress_problem(item.metric, item.progress,
                                         old_progress[0] if old_progress else item.progress)
        if message:
            raise RuleViolation({"progress": [message]})
        super().pre_update(item)


def register_audit_labels():
    """Let the audit pages name this stream's models, fields and codes (called from the stream's init_app)."""
    register_model(WorkTask, _l("Work plan task"), TASK_LABELS, {"metric": Metric.LABELS})
