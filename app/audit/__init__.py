"""Audit log: every create/update/delete of a model marked `__audited__`, written in the same transaction
as the change, plus logins, logouts, failed logins, password resets, downloads, exports, bulk reads and
refused accesses. Every entry is chained by hash (app/audit/chain.py); the audit pages hide personal values
(app/audit/labels.py)."""
import datetime
import json

from flask import has_request_context, request
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session

from app.audit import chain
from app.audit.models import AuditLog

from app.audit.labels import (ACTION_LABELS, FIELD_LABELS, HIDDEN, MODEL_LABELS, VALUE_LABELS,  # noqa: F401
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
    # Many-to-many links that matter (a user's roles): the names before and after.
    for key in getattr(type(obj), "__audit_collections__", ()):
        hist = state.attrs[key].history
        if kind == "create":
            if hist.added or hist.unchanged:
                changes[key] = [None, _collection_names(list(hist.added) + list(hist.unchanged))]
        elif kind == "delete":
            before = list(hist.unchanged) + list(hist.deleted)
            if before:
                changes[key] = [_collection_names(before), None]
        elif hist.added or hist.deleted:
            changes[key] = [_collection_names(list(hist.unchanged) + list(hist.deleted)),
                            _collection_names(list(hist.unchanged) + list(hist.added))]
    return changes


def _collection_names(values):
    return sorted(getattr(v, "name", str(v)) for v in values)


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
            collections = bool(getattr(type(obj), "__audit_collections__", ()))
            if kind == "update" and not session.is_modified(obj, include_collections=collections):
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
    from app.extensions import db

    for row in rows:
        for column in chain.CONTENT_COLUMNS:
            row.setdefault(column, None)
    insert_rows(AuditLog.__table__, chain.seal(db.session.connection(), rows))  # chained like every entry


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
        chain.insert_rows(session.connection(), rows)


def _keep_old_values_of(cls):
    from app.events import listen_once

    ignored = getattr(cls, "__audit_ignore__", ())
    for prop in sa_inspect(cls).column_attrs:
        if prop.key in ignored:
            continue
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
    from app.audit import access

    access.init_app(app)  # exports, bulk reads and refused accesses are audited


def record_event(action, user=None, username=None, model=None, object_id=None, changes=None, commit=True):
    """One entry of its own kind (login, password reset, export…), committed unless told otherwise.
    The actor is `user`/`username` when given, else the current user."""
    from app.extensions import db

    if user is None and username is None:
        user_id, username = _actor()
    else:
        user_id = getattr(user, "id", None)
        username = username or getattr(user, "username", None)
    db.session.add(AuditLog(
        at=datetime.datetime.utcnow(), user_id=user_id, username=username, action=action, model=model,
        object_id=None if object_id is None else str(object_id)[:64],
        changes=None if changes is None else json.dumps(
            {k: [None, v] for k, v in changes.items()}, ensure_ascii=False, default=str),
        ip=_ip(),
    ))
    if commit:
        db.session.commit()


def record_summarised(action, who, details=None, user=None, username=None):
    """Events that can come by the thousand (refused accesses, throttled logins, bulk reads) are counted
    per actor, kind and hour in the shared counters and written at the 1st, 10th, 100th… occurrence: the
    log shows each actor's activity and its size, and cannot be flooded."""
    from app.security.counters import counters

    hour = datetime.datetime.utcnow().strftime("%Y%m%d%H")
    count = counters().incr(f"audit:{action}:{who}:{hour}", 2 * 3600)
    if count == 1 or _power_of_ten(count):
        record_event(action, user=user, username=username, model="Request",
                     changes={"count": count, **(details or {})})
    return count


def _power_of_ten(n):
    while n >= 10 and n % 10 == 0:
        n //= 10
    return n == 1


def record_download(stored_file, owner_label=None):
    """A file download, in the same transaction as nothing else: committed on its own."""
    from flask import g

    if has_request_context():
        g._audited_download = True  # the after-request hook need not record it again
    changes = {"original_name": stored_file.original_name}
    if owner_label:
        changes["owner"] = owner_label
    record_event("download", model="StoredFile", object_id=stored_file.id, changes=changes)
