"""What a user read or was refused, beside what they changed (issue 11 §7): exports and PDFs, bulk API reads,
refused accesses (401/403/404). One after-request hook sees every answer, so no stream has to remember it;
the frequent kinds are summarised per actor, kind and hour (record_summarised) so the log cannot be flooded."""
import logging
import re

from flask import g, request

log = logging.getLogger(__name__)

EXPORT_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "text/csv": "csv",
}
API_LIST = re.compile(r"^/api/v1/(?P<resource>[a-z_]+)/$")
UNWATCHED = ("/static/", "/appbuilder/", "/favicon")


def _who():
    from app.security.scope import current_user

    user = current_user()
    if user is not None:
        return f"user:{user.id}", user
    return f"ip:{request.remote_addr}", None


def _record(response):
    from app.audit import record_event, record_summarised

    status = response.status_code
    path = request.path[:200]
    if path.startswith(UNWATCHED):
        return
    if status in (401, 403, 404):
        from app.extensions import db

        db.session.rollback()  # nothing a refused request half-did is kept
        who, user = _who()
        record_summarised("access_refused", who, {"path": path, "status": status}, user=user)
        return
    if status != 200 or getattr(g, "_audited_download", False):
        return
    kind = EXPORT_TYPES.get(response.mimetype)
    if kind:
        record_event("export", model="Request", object_id=(request.view_args or {}).get("pk"),
                     changes={"path": path, "format": kind})
        return
    match = API_LIST.match(request.path)
    if request.method == "GET" and match and response.is_json:
        who, user = _who()
        rows = None
        try:
            rows = (response.get_json(silent=True) or {}).get("count")
        except Exception:  # noqa: BLE001 — a read is recorded even when its answer is not the usual shape
            pass
        record_summarised("api_read", f"{who}:{match['resource']}", {"path": path, "rows": rows}, user=user)


def after_request(response):
    try:
        _record(response)
    except Exception:  # noqa: BLE001 — the answer goes out even when its audit entry could not be written
        log.exception("could not audit %s %s", request.method, request.path)
        from app.extensions import db

        db.session.rollback()
    return response


def init_app(app):
    app.after_request(after_request)
