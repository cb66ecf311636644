"""Audit log: every create/update/delete of a model marked `__audited__`, written in the same transaction
as the change, plus logins, logouts and failed logins."""
import datetime
import json

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session

from app.audit.models import AuditLog

ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Updated"),
    "delete": _l("Deleted"),
    "login": _l("Logged in"),
    "logout": _l("Logged out"),
    "login_failed": _l("Failed login"),
    "download": _l("Downloaded"),
}
MODEL_LABELS = {}  # model name -> label
FIELD_LABELS = {}  # model name -> {column: label}
VALUE_LABELS = {}  # model name -> {column: {code: label}}


def register_model(model, label, field_labels, value_labels=None):
    """Let the audit pages speak of a model's fields and codes in the reader's language."""
    name = model.__name__
    MODEL_LABELS[name] = label
    labels = dict(field_labels)
    for rel in getattr(model, "__org_kinds__", {}):
        if rel in field_labels:
            labels[f"{rel}_id"] = field_labels[rel]
    FIELD_LABELS[name] = labels
    VALUE_LABELS[name] = value_labels or {}


def model_label(name):
    return str(MODEL_LABELS.get(name, name or ""))


def _org_name(org_id):
    from app.org.cache import org_by_id

    org = org_by_id(org_id)
    return org.name if org is not None else str(org_id)


def describe_value(model, column, value):
    from flask_babel import gettext

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    codes = VALUE_LABELS.get(model, {}).get(column)
    if codes and value in codes:
        return str(codes[value])
    if column.endswith("_id") and column in FIELD_LABELS.get(model, {}) and isinstance(value, int):
        return _org_name(value)
    return str(value)


def describe_changes(model, changes):
    """'字段: 旧 → 新; ...' for the audit pages; system columns (id, timestamps) are left out."""
    from app.tibetan import with_colon

    labels = FIELD_LABELS.get(model, {})
    parts = []
    for column, (old, new) in changes.items():
        if column not in labels:
            continue
        parts.append(f"{with_colon(labels[column])}{describe_value(model, column, old)} → "
                     f"{describe_value(model, column, new)}")
    return "; ".join(parts)


def _actor():
    from app.security.scope import current_user, system_actor

    if system_actor() is not None:
        return None, system_actor()
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
    ignored = getattr(type(obj), "__audit_ignore__", ())
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in ignored:
            continue
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


def record_bulk_create(model, created):
    """Audit rows for rows inserted in bulk (a Core INSERT bypasses the flush listener below):
    `created` is a list of (primary key, {column: value})."""
    from app.extensions import db

    user_id, username = _actor()
    now = datetime.datetime.utcnow()
    rows = [{
        "at": now, "user_id": user_id, "username": username, "action": "create", "model": model.__name__,
        "object_id": str(pk), "ip": _ip(),
        "changes": json.dumps({k: [None, _plain(v)] for k, v in values.items() if v is not None},
                              ensure_ascii=False, default=str),
    } for pk, values in created]
    if rows:
        db.session.execute(AuditLog.__table__.insert(), rows)


def _keep_old_value(target, value, oldvalue, initiator):
    return value


@event.listens_for(Mapper, "mapper_configured")
def _load_old_values(mapper, cls):
    """Setting an attribute that was expired (e.g. after a commit) must still load its old value first, or
    the change would be written without an audit row (old and new both unknown to the session)."""
    if getattr(cls, "__audited__", False):
        for prop in mapper.column_attrs:
            event.listen(getattr(cls, prop.key), "set", _keep_old_value, active_history=True, retval=True)


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



def record_download(stored_file, owner_label=None):
    """A file download, in the same transaction as nothing else: committed on its own."""
    from app.extensions import db

    user_id, username = _actor()
    db.session.add(AuditLog(
        at=datetime.datetime.utcnow(), user_id=user_id, username=username, action="download",
        model="StoredFile", object_id=str(stored_file.id), ip=_ip(),
        changes=json.dumps({"original_name": [None, stored_file.original_name],
                            **({"owner": [None, owner_label]} if owner_label else {})}, ensure_ascii=False),
    ))
    db.session.commit()
