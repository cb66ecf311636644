from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length

from app.audit import register_model
from app.extensions import db
from app.org.services import check_deletable
from app.rules import RuleViolation
from app.steps import Refusal
from app.forms_common import coded_select
from app.org.models import Organization, OrgKind, OwnershipLevel
from app.scoped_views import ScopedModelRestApi, ScopedModelView
from app.security.roles import ORGANIZATION

LABELS = {
    "code": _l("Code"),
    "kind": _l("Kind"),
    "kind_label": _l("Kind"),
    "name_zh": _l("Name (Chinese)"),
    "name_bo": _l("Name (Tibetan)"),
    "name": _l("Name"),
    "parent": _l("Parent unit"),
    "ownership_level": _l("Ownership level"),
    "ownership_label": _l("Ownership level"),
    "supervising_dept": _l("Supervising department"),
    "location_county": _l("Location county/district"),
}


class OrganizationModelView(ScopedModelView):
    """Organizations are reference data: every role may read them, only the system administrator edits.
    Code and parent are fixed once created, because every unit's path (and so every scope) follows them."""

    datamodel = SQLAInterface(Organization)
    class_permission_name = ORGANIZATION
    route_base = "/orgs"
    list_title = _l("Organization units")
    show_title = _l("Organization unit")
    add_title = _l("Add organization unit")
    edit_title = _l("Edit organization unit")
    label_columns = LABELS
    list_columns = ["code", "name_zh", "name_bo", "kind_label", "parent", "ownership_label"]
    show_columns = ["code", "name_zh", "name_bo", "kind_label", "parent", "ownership_label",
                    "supervising_dept", "location_county"]
    search_columns = ["code", "name_zh", "name_bo", "kind", "parent", "ownership_level"]
    add_columns = ["code", "kind", "name_zh", "name_bo", "parent", "ownership_level", "supervising_dept",
                   "location_county"]
    edit_columns = ["name_zh", "name_bo", "ownership_level", "supervising_dept", "location_county"]
    base_order = ("path", "asc")
    add_form_extra_fields = {
        "kind": coded_select(_l("Kind"), OrgKind.LABELS),
        "ownership_level": coded_select(_l("Ownership level"), OwnershipLevel.LABELS, required=False),
    }
    edit_form_extra_fields = {
        "ownership_level": coded_select(_l("Ownership level"), OwnershipLevel.LABELS, required=False),
    }
    validators_columns = {
        "code": [DataRequired(), Length(max=32)],
        "name_zh": [DataRequired(), Length(max=120)],
        "name_bo": [DataRequired(), Length(max=240)],
    }

    def pre_add(self, item):
        item.ownership_level = item.ownership_level or None
        super().pre_add(item)

    def pre_update(self, item):
        item.ownership_level = item.ownership_level or None
        super().pre_update(item)

    def pre_delete(self, item):
        super().pre_delete(item)
        check_deletable(db.session, item)  # a unit in use: a clear message instead of a database error


class OrganizationApi(ScopedModelRestApi):
    datamodel = SQLAInterface(Organization)
    class_permission_name = ORGANIZATION
    resource_name = "org"
    list_columns = ["id", "code", "kind", "name_zh", "name_bo", "parent.id", "ownership_level"]
    show_columns = list_columns + ["supervising_dept.id", "location_county.id"]
    add_columns = ["code", "kind", "name_zh", "name_bo", "parent", "ownership_level"]
    edit_columns = ["name_zh", "name_bo", "ownership_level"]
    search_columns = ["code", "kind", "name_zh", "name_bo", "parent"]
    label_columns = LABELS

    def pre_delete(self, item):
        super().pre_delete(item)
        try:
            check_deletable(db.session, item)
        except Refusal as refusal:
            raise RuleViolation({"id": [refusal.message]}) from None


def register_audit_labels():
    """Let the audit pages name this stream's models, fields and codes (called from the stream's init_app)."""
    register_model(Organization, _l("Organization unit"), LABELS, {
        "kind": OrgKind.LABELS, "ownership_level": OwnershipLevel.LABELS,
    })
