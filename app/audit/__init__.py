"""Audit log: every create/update/delete of a model marked `__audited__`, written in the same transaction
as the change, plus logins, logouts, failed logins, password resets, downloads, exports, bulk reads and
refused accesses. Every entry is chained by hash (app/audit/chain.py).

The audit administrator reads who, when, which record and which fields changed, never the personal values:
`describe_changes` masks them (names, ID numbers, phones, addresses, free text) on every audit page and in
the export."""
import datetime
import json
import re

from flask import has_request_context, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import event, inspect as sa_inspect
from sqlalchemy.orm import Mapper, Session

from app.audit import chain
from app.audit.models import AuditLog

ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Updated"),
    "delete": _l("Deleted"),
    "login": _l("Logged in"),
    "logout": _l("Logged out"),
    "login_failed": _l("Failed login"),
    "download": _l("Downloaded"),
    "password_reset": _l("Password reset by an administrator"),
    "password_change": _l("Password changed"),
    "account_locked": _l("Account locked"),
    "login_throttled": _l("Login refused (too many attempts)"),
    "access_refused": _l("Access refused"),
    "export": _l("Exported"),
    "api_read": _l("Read in bulk through the API"),
    "roles_synced": _l("Roles reset from the code"),
    "audit_pruned": _l("Old audit entries removed"),
    "refused": _l("Change refused"),
}
MODEL_LABELS = {}  # model name -> label
FIELD_LABELS = {}  # model name -> {column: label}
VALUE_LABELS = {}  # model name -> {column: {code: label}}

# The request-type entries (reads, exports, refusals, throttled logins) describe themselves with these fields.
REQUEST_FIELDS = {
    "count": _l("Count this hour"),
    "path": _l("Address"),
    "status": _l("Answer"),
    "rows": _l("Rows"),
    "format": _l("Format"),
    "target": _l("Account"),
    "days": _l("Days kept"),
}
MODEL_LABELS["Request"] = _l("Request")
FIELD_LABELS["Request"] = dict(REQUEST_FIELDS)
VALUE_LABELS["Request"] = {"format": {"pdf": _l("Printable document"), "xlsx": _l("Spreadsheet"),
                                      "csv": _l("Table as text")}}


OTHER_ADDRESS = _l("Other address")


def page_label(path):
    """The page a request path belongs to, in the reader's language (the view's resource, e.g. 退休人员台账),
    with the record number when there is one. A path no labelled view answers reads "other address" (the
    path itself stays in the entry's data)."""
    from flask import current_app

    from app.security.labels import RESOURCE_LABELS, resource_label

    try:
        endpoint, args = current_app.url_map.bind("localhost").match(path, method="GET")
    except Exception:  # noqa: BLE001 — a path no route answers (a probe)
        return str(OTHER_ADDRESS)
    view = next((v for v in current_app.appbuilder.baseviews if v.endpoint == endpoint.split(".")[0]), None)
    name = getattr(view, "class_permission_name", None)
    if name not in RESOURCE_LABELS:
        return str(OTHER_ADDRESS)
    pk = args.get("pk")
    return resource_label(name) + (f" {pk}" if pk is not None else "")

# Personal values never shown on the audit pages (PIPL; the audit administrator sees no business data).
PERSON_MODELS = {"Retiree", "WorkContact", "LeadingGroupMember"}  # every value but the unit links
PERSONAL_COLUMNS = {"name_zh", "name_bo", "resident_id", "birth_date", "death_date", "gender", "ethnicity",
                    "registered_residence", "actual_residence", "name", "mobile", "office_phone", "phone",
                    "address", "first_name", "last_name", "email", "owner", "note", "comment",
                    "response", "reason", "missing_explanation", "override_reason", "return_reason"}
# Text that names units, accounts and codes, not people: shown.
PUBLIC_MODELS = {"Organization", "Request", "Role"}
PUBLIC_COLUMNS = {"username", "roles", "code", "path", "kind", "status", "state", "stream", "action",
                  "original_name"}  # a stored file's name is a document title
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}([ T][\d:.]+)?$")


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


def is_personal(model, column, value):
    """True when the audit pages must hide this value."""
    if value is None or value == "":
        return False
    if model in PERSON_MODELS and not column.endswith("_id"):
        return True
    if column in PERSONAL_COLUMNS:
        return True
    if isinstance(value, (bool, int, float, list)) or column in PUBLIC_COLUMNS or model in PUBLIC_MODELS:
        return False
    codes = VALUE_LABELS.get(model, {}).get(column)
    if codes and value in codes:
        return False
    if isinstance(value, str) and _DATE_RE.match(value):
        return False
    return isinstance(value, str)  # free text may name people


HIDDEN = _l("(hidden)")


def describe_value(model, column, value):
    from flask_babel import gettext

    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if model == "Request" and column == "path" and isinstance(value, str):
        return page_label(value)
    codes = VALUE_LABELS.get(model, {}).get(column)
    if isinstance(value, list):
        return "、".join(str(codes.get(v, v)) if codes else str(v) for v in value) or "—"
    if codes and value in codes:
        return str(codes[value])
    if column.endswith("_id") and column in FIELD_LABELS.get(model, {}) and isinstance(value, int):
        return _org_name(value)
    return str(value)


def describe_changes(model, changes, masked=True):
    """'字段: 旧 → 新; ...' for the audit pages; system columns (id, timestamps) are left out; personal
    values read "(hidden)" — the field is named, the value is not."""
    from app.tibetan import with_colon

    labels = FIELD_LABELS.get(model, {})
    parts = []
    for column, (old, new) in changes.items():
        if column not in labels:
            continue
        if masked and (is_personal(model, column, old) or is_personal(model, column, new)):
            parts.append(f"{with_colon(labels[column])}{HIDDEN}")
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


def _collection_names(values):
    return sorted(getattr(v, "name", str(v)) for v in values)


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


def _rows_for(session):
    user_id, username = _actor()
    now = datetime.datetime.utcnow()
    rows = []
    for kind, objs in (("create", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objs:
            cls = type(obj)
            if not getattr(cls, "__audited__", False):
                continue
            collections = bool(getattr(cls, "__audit_collections__", ()))
            if kind == "update" and not session.is_modified(obj, include_collections=collections):
                continue
            changes = _diff(obj, kind)
            if kind == "update" and not changes:
                continue
            pk = sa_inspect(obj).mapper.primary_key_from_instance(obj)
            rows.append({
                "at": now, "user_id": user_id, "username": username, "action": kind,
                "model": getattr(cls, "__audit_name__", cls.__name__),
                "object_id": str(pk[0]) if pk and pk[0] is not None else None,
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
    chain.insert_rows(db.session.connection(), rows)


def _keep_old_value(target, value, oldvalue, initiator):
    return value


@event.listens_for(Mapper, "mapper_configured")
def _load_old_values(mapper, cls):
    """Setting an attribute that was expired (e.g. after a commit) must still load its old value first, or
    the change would be written without an audit row (old and new both unknown to the session)."""
    if getattr(cls, "__audited__", False):
        ignored = getattr(cls, "__audit_ignore__", ())
        for prop in mapper.column_attrs:
            if prop.key not in ignored:
                event.listen(getattr(cls, prop.key), "set", _keep_old_value, active_history=True, retval=True)


@event.listens_for(Session, "after_flush")
def _record_changes(session, flush_context):
    rows = _rows_for(session)
    if rows:
        chain.insert_rows(session.connection(), rows)


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


def init_app(app):
    from app.audit import access

    access.init_app(app)
