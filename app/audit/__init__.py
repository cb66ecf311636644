"""Audit log: every create/update/delete of a model marked `__audited__`, written in the same transaction
as the change, plus logins, logouts and failed logins."""
import datetime
import json

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect as sa_inspect
from sqlalchemy.orm import Session

from app.audit.models import AuditLog

ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Updated"),
    "delete": _l("Deleted"),
    "login": _l("Logged in"),
    "logout": _l("Logged out"),
    "login_failed": _l("Failed login"),
}
MODEL_LABELS = {
    "Retiree": _l("Retiree"),
    "Organization": _l("Organization"),
}


def model_label(name):
    return str(MODEL_LABELS.get(name, name or ""))


def _actor():
    from app.security.scope import current_user

    user = current_user()
    if user is None:
        return None, None
    return user.id, user.username


def _ip():
    return request.remote_addr if has_request_context() else None


def _plain(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _diff(obj, kind):
    state = sa_inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        key = attr.key
        hist = state.attrs[key].history
        if kind == "create":
            value = getattr(obj, key)
            if value is not None:
                changes[key] = [None, _plain(value)]
        elif kind == "delete":
            value = hist.unchanged[0] if hist.unchanged else (hist.deleted[0] if hist.deleted else None)
            if value is not None:
                changes[key] = [_plain(value), None]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new and key != "changed_on":
                changes[key] = [_plain(old), _plain(new)]
    return changes


def _rows_for(session):
    user_id, username = _actor()
    now = datetime.datetime.utcnow()
    rows = []
    for kind, objs in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            if not getattr(type(obj), "__audited__", False):
                continue
            if kind == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _diff(obj, kind)
            if kind == "update" and not changes:
                continue
            pk = sa_inspect(obj).mapper.primary_key_from_instance(obj)
            rows.append({
                "at": now, "user_id": user_id, "username": username, "action": kind,
                "model": type(obj).__name__, "object_id": str(pk[0]) if pk and pk[0] is not None else None,
                "changes": json.dumps(changes, ensure_ascii=False, default=str), "ip": _ip(),
            })
    return rows


@event.listens_for(Session, "after_flush")
def _record_changes(session, flush_context):
    rows = _rows_for(session)
    if rows:
        session.connection().execute(AuditLog.__table__.insert(), rows)


def record_event(action, user=None, username=None):
    """A login-type event, committed on its own."""
    from app.extensions import db

    db.session.add(AuditLog(
        at=datetime.datetime.utcnow(),
        user_id=getattr(user, "id", None),
        username=username or getattr(user, "username", None),
        action=action,
        ip=_ip(),
    ))
    db.session.commit()

