import csv
import datetime
import io

from flask import Response, abort, request, stream_with_context
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import select

from app.audit.models import AuditLog
from app.scoped_views import METHOD_PERMISSIONS, ScopedModelView
from app.security.roles import AUDIT_LOG


def _cell(value):
    """A spreadsheet must not run what a user typed (a failed login's name may be "=HYPERLINK(…)")."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _day(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        abort(400)


# Jobs run from the command line act under a system name ("cli:import-retirees"); the pages name them in the
# reader's language.
SYSTEM_ACTORS = {
    "cli:import-retirees": _l("Roster import (command line)"),
    "cli:ensure-checklists": _l("Checklists completed (command line)"),
    "cli:seed-demo": _l("Demo data"),
    "cli:supervise": _l("Daily supervision run (command line)"),
    "cli:report-summary": _l("Summary report (command line)"),
    "cli:report-monthly": _l("Monthly report (command line)"),
    "cli:audit-prune": _l("Audit pruning (command line)"),
    "cli:sync-roles": _l("Role synchronisation (command line)"),
}


def actor_name(username):
    if username in SYSTEM_ACTORS:
        return str(SYSTEM_ACTORS[username])
    if username and username.startswith("cli:"):
        return str(_l("Command line job"))
    return username or ""


class AuditLogModelView(ScopedModelView):
    """Read and filter only: no role holds can_write on the audit log, and the routes are closed too.
    Personal values are masked on every page and in the export (AuditLog.changes_display)."""

    datamodel = SQLAInterface(AuditLog)
    class_permission_name = AUDIT_LOG
    method_permission_name = {**METHOD_PERMISSIONS, "export": "read"}  # no role holds can_write here
    base_permissions = ["can_read", "can_write"]
    route_base = "/audit"
    page_size = 50
    list_template = "audit/list.html"

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
        abort(404)

    def edit(self, pk):
        abort(404)

    def delete(self, pk):
        abort(404)

    @expose("/export/")
    @has_access
    def export(self):
        """The audit log as CSV (UTF-8 with BOM for Excel), streamed in id order, optionally between two
        days (?from=YYYY-MM-DD&to=YYYY-MM-DD, UTC); personal values masked as on the pages. The export is
        itself audited (by the after-request hook: text/csv is an export)."""
        from app.extensions import db
        from app.formatting import local_time

        start, end = _day(request.args.get("from")), _day(request.args.get("to"))
        query = select(AuditLog).order_by(AuditLog.id)
        if start:
            query = query.where(AuditLog.at >= datetime.datetime.combine(start, datetime.time()))
        if end:
            query = query.where(AuditLog.at < datetime.datetime.combine(end + datetime.timedelta(days=1),
                                                                        datetime.time()))
        header = [gettext("Number"), gettext("Time"), gettext("User"), gettext("Action"), gettext("Record type"),
                  gettext("Record number"), gettext("Changes"), gettext("IP address"), gettext("Hash")]

        def rows():
            buffer = io.StringIO()
            writer = csv.writer(buffer)
            buffer.write("\ufeff")
            writer.writerow(header)
            for entry in db.session.scalars(query.execution_options(yield_per=1000)):
                writer.writerow([entry.id, local_time(entry.at)] + [_cell(v) for v in (
                    actor_name(entry.username), entry.action_label(), entry.model_label(), entry.object_id,
                    entry.changes_display(), entry.ip)] + [entry.hash or ""])
                if buffer.tell() > 64 * 1024:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            yield buffer.getvalue()

        name = f"audit-{datetime.date.today().isoformat()}.csv"
        return Response(stream_with_context(rows()), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename={name}",
                                 "Cache-Control": "no-store"})


