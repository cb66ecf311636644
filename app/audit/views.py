from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.audit.models import AuditLog

from app.scoped_views import METHOD_PERMISSIONS, ScopedModelView
from app.security.roles import AUDIT_LOG


class AuditLogModelView(ScopedModelView):
    """Read and filter only: no role holds can_write on the audit log, and the routes are closed too."""

    datamodel = SQLAInterface(AuditLog)
    class_permission_name = AUDIT_LOG
    method_permission_name = METHOD_PERMISSIONS  # can_write on the audit log is granted to no role
    base_permissions = ["can_read", "can_write"]
    route_base = "/audit"
    page_size = 50

    list_title = _l("Audit log")
    show_title = _l("Audit record")
    label_columns = {
        "at": _l("Time"),
        "username": _l("User"),
        "action": _l("Action"),
        "action_label": _l("Action"),
        "model": _l("Record type"),
        "model_label": _l("Record type"),
        "object_id": _l("Record number"),
        "changes": _l("Changes"),
        "changes_display": _l("Changes"),
        "changes_summary": _l("Changes"),
        "ip": _l("IP address"),
    }
    list_columns = ["at", "username", "action_label", "model_label", "object_id", "changes_summary"]
    show_columns = ["at", "username", "action_label", "model_label", "object_id", "changes_display", "ip"]
    search_columns = ["at", "username", "action", "model", "object_id"]
    base_order = ("at", "desc")
    formatters_columns = {}  # timestamps read in local time through the base view

    def add(self):
        from flask import abort

        abort(404)

    def edit(self, pk):
        from flask import abort

        abort(404)

    def delete(self, pk):
        from flask import abort

        abort(404)
