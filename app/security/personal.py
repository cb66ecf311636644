"""Personal data shown only as far as the role needs it (issue 11, "Personal data"; PIPL).

- A role that does not see full resident ID numbers (`access.sees_full_resident_id`, i.e. not in
  `needs_full_id`) sees the masked number and the birth YEAR only: the birth date beside a masked number would
  give back exactly its hidden digits. `birth_shown()` is the one place that decides.
- Such a role can neither filter nor order by the full number or the birth date (list search and REST rison):
  a filter `resident_id = …` would answer "is this the number?" one guess at a time. `refuse_hidden_filters`
  answers 403 before the view runs; the list pages do not offer those filters to them.
- Every display of full numbers is logged, lightly: the records whose full number a page, API answer, export
  or PDF showed are noted during the request (`note_full_ids`) and written as ONE audit row per request
  (action `view_full_id`, `changes` = {"shown_ids": [null, ids]}).
"""
import datetime
import json

from flask import abort, g, has_request_context, request

HIDDEN_COLUMNS = ("resident_id", "birth_date")
AUDIT_ACTION = "view_full_id"


def sees_full(user=None):
    from app.security.access import sees_full_resident_id

    return sees_full_resident_id(user)


def birth_shown(value, user=None):
    """The birth date for a role that sees full numbers, the year alone for any other."""
    if value is None:
        return None
    return value if sees_full(user) else value.year


def resident_id_shown(number, record_id=None, model="Retiree", user=None):
    """The number as this role may see it; a full number shown is noted for the request's read log."""
    from app.retirees import idcard

    if not number:
        return number or ""
    if sees_full(user):
        note_full_ids(model, [record_id])
        return number
    return idcard.mask(number)


def note_full_ids(model, ids):
    if not has_request_context():
        return
    shown = g.setdefault("_full_ids_shown", {})
    shown.setdefault(model, set()).update(i for i in ids if i is not None)


def _hidden_filter_requested():
    for key in request.args:
        if key.startswith("_flt_") and key.split("_", 3)[-1] in HIDDEN_COLUMNS:
            return True
        if key.startswith("_oc_") and request.args.get(key) in HIDDEN_COLUMNS:
            return True
    if request.path.startswith("/api/") and "q" in request.args:
        import prison

        try:
            q = prison.loads(request.args["q"])
        except Exception:
            return False  # the input guard answers 400
        if isinstance(q, dict):
            filters = q.get("filters") or []
            if any(isinstance(f, dict) and f.get("col") in HIDDEN_COLUMNS for f in filters):
                return True
            if q.get("order_column") in HIDDEN_COLUMNS:
                return True
    return False


def refuse_hidden_filters():
    from flask_login import current_user

    if not getattr(current_user, "is_authenticated", False) and not request.headers.get("Authorization"):
        return None
    if not (request.args and _hidden_filter_requested()):
        return None
    if request.headers.get("Authorization") and not getattr(current_user, "is_authenticated", False):
        from flask_jwt_extended import verify_jwt_in_request

        try:
            verify_jwt_in_request()
        except Exception:
            return None  # FAB answers 401
        from flask_jwt_extended import get_jwt_identity

        from app.extensions import db
        from app.security.models import OrgUser

        user = db.session.get(OrgUser, int(get_jwt_identity()))
    else:
        user = current_user
    if not sees_full(user):
        abort(403)
    return None


def write_read_log(response):
    shown = g.pop("_full_ids_shown", None) if has_request_context() else None
    if not shown or response.status_code >= 400:
        return response
    from app.audit.models import AuditLog
    from app.extensions import db
    from app.security.scope import current_user

    user = current_user()
    try:
        for model, ids in shown.items():
            db.session.add(AuditLog(
                at=datetime.datetime.utcnow(), user_id=getattr(user, "id", None),
                username=getattr(user, "username", None), action=AUDIT_ACTION, model=model,
                object_id=None, ip=request.remote_addr,
                # the audit pages' shape ({field: [old, new]}): which records — no values
                changes=json.dumps({"shown_ids": [None, sorted(ids)]})))
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return response


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from app.audit import ACTION_LABELS, FIELD_LABELS

    ACTION_LABELS.setdefault(AUDIT_ACTION, _l("Full ID numbers viewed"))
    for model in ("Retiree",):
        FIELD_LABELS.setdefault(model, {}).update(
            {"shown_ids": _l("Records whose full ID number was shown")})
    app.before_request(refuse_hidden_filters)
    app.after_request(write_read_log)
