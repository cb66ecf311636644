"""How the audit pages speak of models, fields and codes in the reader's language: each stream registers its
labels from its init_app (register_model); the AuditLog rows describe their changes with them.

The audit administrator reads who, when, which record and which fields changed, never the personal values:
`describe_changes` masks them (names, ID numbers, phones, addresses, free text) on every audit page and in
the export."""
import re

from flask_babel import gettext, lazy_gettext as _l

from app.tibetan import with_colon

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
HIDDEN = _l("(hidden)")


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
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if model == "Request" and column == "path" and isinstance(value, str):
        return page_label(value)
    codes = VALUE_LABELS.get(model, {}).get(column)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "、".join(str(codes.get(v, v)) if codes else v for v in value) or "—"
    if codes and not isinstance(value, (list, dict)) and value in codes:
        return str(codes[value])
    if column.endswith("_id") and column in FIELD_LABELS.get(model, {}) and isinstance(value, int):
        return _org_name(value)
    return str(value)


def describe_changes(model, changes, masked=True):
    """'字段: 旧 → 新; ...' for the audit pages; system columns (id, timestamps) are left out; personal
    values read "(hidden)" — the field is named, the value is not."""
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
