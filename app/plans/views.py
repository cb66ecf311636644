"""Implementation-plan pages and REST API. The plan list, show and edit pages are the scoped bases; the
overview lists every enterprise (with a plan or not); every step is a POST that calls one function of
`services.py` with the acting user. Files are served only through a version of a plan the user may read."""
from flask import abort, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.validators import Length

from app.audit import register_model
from app.extensions import db
from app.plans import services
from app.plans.models import ImplementationPlan, PlanStatus, PlanVersion, VersionStatus
from app.rules import RuleViolation
from app.scoped_views import METHOD_PERMISSIONS, ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import role_codes
from app.security.roles import IMPL_PLAN
from app.security.scope import scope
from app.steps import run_step

PLAN_LABELS = {
    "id": _l("ID"),
    "enterprise": _l("Enterprise"),
    "status": _l("Status"),
    "status_label": _l("Status"),
    "approved_at": _l("Approved on"),
    "note": _l("Remarks"),
    "created_at": _l("First uploaded on"),
    "version_count": _l("Versions"),
}

VERSION_LABELS = {
    "number": _l("Version"),
    "file": _l("File"),
    "file_id": _l("File"),
    "note": _l("Note"),
    "uploaded_by": _l("Uploaded by"),
    "uploaded_at": _l("Uploaded on"),
    "status": _l("Review"),
    "reviewed_by": _l("Reviewed by"),
    "reviewed_at": _l("Reviewed on"),
    "review_comment": _l("Review comment"),
    "plan_id": _l("Implementation plan"),
}

ACTIONS = {"overview": "read", "upload": "write", "approve": "write", "return_version": "write",
           "download_version": "read"}


class ImplementationPlanModelView(ScopedModelView):
    datamodel = ScopedInterface(ImplementationPlan)
    class_permission_name = IMPL_PLAN
    method_permission_name = {**METHOD_PERMISSIONS, **ACTIONS}
    route_base = "/plans"
    list_title = _l("Implementation plans")
    show_title = _l("Implementation plan")
    edit_title = _l("Edit the remarks of the implementation plan")
    add_title = _l("Implementation plan")
    show_template = "plans/show.html"
    label_columns = PLAN_LABELS
    list_columns = ["enterprise", "status_label", "version_count", "approved_at", "created_at"]
    search_columns = ["id", "enterprise", "status", "approved_at"]
    show_columns = ["enterprise", "status_label", "approved_at", "note", "created_at"]
    edit_columns = ["note"]
    validators_columns = {"note": [Length(max=500)]}
    description_columns = {"note": _l("Anything SASAC should know about the plan (at most 500 characters).")}
    base_order = ("enterprise_id", "asc")

    def _scoped_version(self, version_id):
        version = db.session.get(PlanVersion, version_id)
        if version is None:
            abort(404)
        visible = db.session.scalar(scope(select(ImplementationPlan.id).where(
            ImplementationPlan.id == version.plan_id), ImplementationPlan))
        if visible is None:
            abort(404)  # another enterprise's file: as if it did not exist
        return version

    def add(self):
        return redirect(url_for(".overview"))  # a plan is made by its first upload

    def pre_update(self, item):
        try:
            services.edit_note(g.user, item, item.note)
        except services.Refusal as e:
            db.session.rollback()
            raise RuleViolation({"note": [e.message]})
        super().pre_update(item)

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("Implementation plans and their versions are kept.")]})

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        plan = self._scoped(pk)
        widgets = self._show(pk)
        roles = role_codes()
        can_write = self.appbuilder.sm.has_access("can_write", IMPL_PLAN)
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=widgets, related_views=[], plan=plan,
            labels=VERSION_LABELS, statuses=VersionStatus,
            can_upload=can_write and "enterprise" in roles and g.user.org_id == plan.enterprise_id,
            can_review=can_write and "sasac" in roles)

    @expose("/overview/")
    @has_access
    def overview(self):
        only = request.args.get("status") or None
        if only not in services.FILTERS:
            only = None
        rows = services.overview(g.user, only)
        roles = role_codes()
        own = None
        if "enterprise" in roles and self.appbuilder.sm.has_access("can_write", IMPL_PLAN):
            own = next((r for r in rows if r[0].id == g.user.org_id), None)
        filters = [(None, _l("All enterprises")), ("not_approved", _l("No approved plan")),
                   *[(k, v) for k, v in PlanStatus.LABELS.items()]]
        return self.render_template("plans/overview.html", title=_l("Implementation plans of the enterprises"),
                                    rows=rows, only=only, filters=filters, labels=PlanStatus.LABELS,
                                    css=PlanStatus.CSS, own=own,
                                    missing=sum(1 for r in rows if not r[3]))

    @expose("/upload", methods=["POST"])
    @has_access
    def upload(self):
        ok = run_step(services.upload_version, g.user.org_id, request.files.get("file"),
                  (request.form.get("note") or ""), success=_l("The plan was uploaded and sent to SASAC for review."))
        plan = db.session.scalar(select(ImplementationPlan).where(ImplementationPlan.enterprise_id == g.user.org_id))
        if ok and plan is not None:
            return redirect(url_for(".show", pk=plan.id))
        return redirect(request.referrer if _local(request.referrer) else url_for(".overview"))

    @expose("/version/<int:version_id>/approve", methods=["POST"])
    @has_access
    def approve(self, version_id):
        version = self._scoped_version(version_id)
        run_step(services.approve, version, success=_l("The plan was approved."))
        return redirect(url_for(".show", pk=version.plan_id))

    @expose("/version/<int:version_id>/return", methods=["POST"])
    @has_access
    def return_version(self, version_id):
        version = self._scoped_version(version_id)
        run_step(services.return_version, version, request.form.get("comment") or "",
             success=_l("The plan was returned to the enterprise."))
        return redirect(url_for(".show", pk=version.plan_id))

    @expose("/version/<int:version_id>/download")
    @has_access
    def download_version(self, version_id):
        from app.uploads import send_stored

        version = self._scoped_version(version_id)
        return send_stored(version.file, f"{version.plan.enterprise.name_zh} v{version.number}")


def _local(url):
    """Only a referrer on this site (a redirect never leaves the application)."""
    if not url:
        return False
    from urllib.parse import urlparse

    return urlparse(url).netloc in ("", request.host)


class ImplementationPlanApi(ScopedModelRestApi):
    datamodel = SQLAInterface(ImplementationPlan)
    class_permission_name = IMPL_PLAN
    resource_name = "implementationplan"
    include_route_methods = {"get", "get_list", "info", "put"}
    list_columns = ["id", "enterprise.id", "enterprise.name_zh", "status", "approved_at", "note", "created_at"]
    show_columns = list_columns
    edit_columns = ["note"]
    search_columns = ["id", "enterprise", "status"]
    label_columns = PLAN_LABELS

    def pre_update(self, item):
        try:
            services.edit_note(g.user, item, item.note)
        except services.Refusal as e:
            raise RuleViolation({"note": [e.message]})
        super().pre_update(item)


def register_audit_labels():
    """Let the audit pages name this stream's models, fields and codes (called from the stream's init_app)."""
    register_model(ImplementationPlan, _l("Implementation plan"), PLAN_LABELS, {"status": VersionStatus.LABELS})
    register_model(PlanVersion, _l("Implementation plan version"), VERSION_LABELS, {"status": VersionStatus.LABELS})
