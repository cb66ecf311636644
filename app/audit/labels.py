"""How the audit pages speak of models, fields and codes in the reader's language: each stream registers its
labels from its init_app (register_model); the AuditLog rows describe their changes with them."""
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
    labels = FIELD_LABELS.get(model, {})
    parts = []
    for column, (old, new) in changes.items():
        if column not in labels:
            continue
        parts.append(f"{with_colon(labels[column])}{describe_value(model, column, old)} → "
                     f"{describe_value(model, column, new)}")
    return "; ".join(parts)
