"""Audit log: every create/update/delete of a model marked `__audited__`, written in the same transaction
as the change, plus logins, logouts and failed logins."""
import datetime
import json

from flask import has_request_context, request
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session

from app.audit.models import AuditLog

from app.audit.labels import (ACTION_LABELS, FIELD_LABELS, MODEL_LABELS, VALUE_LABELS,  # noqa: F401
                              describe_changes, describe_value, model_label, register_model)


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


def created_with(model, row):
    """What the audit row of a parent created together with this child says of it (`__audit_created_with__`:
    (parent relationship, key in the parent's row, the child's fields))."""
    _parent, _key, fields = model.__audit_created_with__
    return {f: _plain(row[f] if isinstance(row, dict) else getattr(row, f)) for f in fields}


def _children_created_with_parents(session):
    """Rows created in the same flush as their parent (a checklist's items with the checklist): recorded inside
    the parent's audit row, one row per record the user made instead of one per item."""
    inside = {}
    for obj in session.new:
        spec = getattr(type(obj), "__audit_created_with__", None)
        if spec is not None:
            parent = getattr(obj, spec[0], None)
            if parent is not None and parent in session.new:
                inside.setdefault(id(parent), (spec[1], []))[1].append(obj)
    return inside


def _rows_for(session):
    user_id, username = _actor()
    now = datetime.datetime.utcnow()
    rows = []
    inside = _children_created_with_parents(session)
    skip = {id(child) for _key, children in inside.values() for child in children}
    for kind, objs in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            if not getattr(type(obj), "__audited__", False):
                continue
            if kind == "create" and id(obj) in skip:
                continue
            if kind == "update" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _diff(obj, kind)
            if kind == "create" and id(obj) in inside:
                key, children = inside[id(obj)]
                children.sort(key=lambda c: c.id)
                changes[key] = [None, [created_with(type(c), c) for c in children]]
            if kind == "update" and not changes:
                continue
            pk = sa_inspect(obj).mapper.primary_key_from_instance(obj)
            rows.append({
                "at": now, "user_id": user_id, "username": username, "action": kind,
                "model": type(obj).__name__, "object_id": str(pk[0]) if pk and pk[0] is not None else None,
                "changes": json.dumps(changes, ensure_ascii=False, default=str), "ip": _ip(),
            })
    return rows


def record_bulk_create(model, created, inside=None):
    """Audit rows for rows inserted in bulk (a Core INSERT bypasses the flush listener below):
    `created` is a list of (primary key, {column: value}); `inside`: {primary key: {key: [child summaries]}}
    for children created with the row (see `_children_created_with_parents`)."""
    user_id, username = _actor()
    now = datetime.datetime.utcnow()
    ip = _ip()
    name = model.__name__
    ignored = set(getattr(model, "__audit_ignore__", ()))
    # "version" (a row version for concurrency) is no business change, as in the flush listener's rows
    keys = [c.key for c in model.__table__.columns if c.key not in ignored and c.key not in ("id", "version")]
    dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode
    rows = []
    for pk, values in created:
        # the same fields as the flush listener records for one created row: every column that holds a value
        changes = {"id": [None, pk]}
        for k in keys:
            v = values.get(k)
            if v is not None:
                changes[k] = [None, v.isoformat() if isinstance(v, (datetime.date, datetime.datetime)) else v]
        for key, children in (inside or {}).get(pk, {}).items():
            changes[key] = [None, children]
        rows.append({"at": now, "user_id": user_id, "username": username, "action": "create", "model": name,
                     "object_id": str(pk), "ip": ip, "changes": dumps(changes)})
    from app.bulk import insert_rows

    insert_rows(AuditLog.__table__, rows)


def _keep_old_value(target, value, oldvalue, initiator):
    return value


def _load_old_values(mapper, cls):
    """Setting an attribute that was expired (e.g. after a commit) must still load its old value first, or
    the change would be written without an audit row (old and new both unknown to the session)."""
    if getattr(cls, "__audited__", False):
        _keep_old_values_of(cls)


def _record_changes(session, flush_context):
    rows = _rows_for(session)
    if rows:
        session.connection().execute(AuditLog.__table__.insert(), rows)


def _keep_old_values_of(cls):
    from app.events import listen_once

    for prop in sa_inspect(cls).column_attrs:
        listen_once(getattr(cls, prop.key), "set", _keep_old_value, active_history=True, retval=True)


def init_app(app, appbuilder):
    """Audit every flush of audited models, and the audit log's page. Mappers configured before this call (FAB
    configures them at start) get their old-value listeners here, later ones through `mapper_configured`."""
    from flask_appbuilder import Model
    from flask_babel import lazy_gettext as _l

    from app.audit.views import AuditLogModelView
    from app.events import listen_once

    listen_once(Mapper, "mapper_configured", _load_old_values)
    listen_once(Session, "after_flush", _record_changes)
    for mapper in Model.registry.mappers:
        if mapper.configured and getattr(mapper.class_, "__audited__", False):
            _keep_old_values_of(mapper.class_)
    appbuilder.add_view(AuditLogModelView, "Audit log", icon="fa-history", label=_l("Audit log"),
                        category="Audit", category_label=_l("Audit"), category_icon="fa-eye")


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
