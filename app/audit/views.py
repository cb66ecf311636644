from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l

from app.audit.models import AuditLog

from app.scoped_views import METHOD_PERMISSIONS, ScopedModelView
from app.security.roles import AUDIT_LOG


# Jobs run from the command line act under a system name ("cli:import-retirees"); the pages name them in the
# reader's language.
SYSTEM_ACTORS = {
    "cli:import-retirees": _l("Roster import (command line)"),
    "cli:ensure-checklists": _l("Checklists completed (command line)"),
    "cli:seed-demo": _l("Demo data"),
    "cli:supervise": _l("Daily supervision run (command line)"),
    "cli:report-summary": _l("Summary report (command line)"),
    "cli:report-monthly": _l("Monthly report (command line)"),
}


def actor_name(username):
    if username in SYSTEM_ACTORS:
        return str(SYSTEM_ACTORS[username])
    if username and username.startswith("cli:"):
        return str(_l("Command line job"))
    return username or ""


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
    formatters_columns = {"username": actor_name}  # timestamps read in local time through the base view

    def add(self):
        from flask import abort

        abort(404)

    def edit(self, pk):
        from flask import abort

        abort(404)

    def delete(self, pk):
        from flask import abort

        abort(404)
