"""SASAC's list of duplicate resident ID claims: who claims, who holds, resolved or not, with a note."""
from flask import abort
from flask_babel import lazy_gettext as _l
from wtforms.validators import Length

from app.audit import register_model
from app.duplicates.models import DuplicateIdReport
from app.scoped_views import ScopedInterface, ScopedModelView
from app.security.roles import DUPLICATE_ID

LABELS = {
    "resident_id": _l("Resident ID number"),
    "claimant": _l("Enterprise entering the number"),
    "holder": _l("Enterprise holding the number"),
    "source": _l("Found by"),
    "source_label": _l("Found by"),
    "reported_by": _l("Entered by"),
    "reported_at": _l("Found on"),
    "resolved": _l("Resolved"),
    "resolution": _l("Resolution"),
    "changed_on": _l("Changed on"),
}


class DuplicateIdReportModelView(ScopedModelView):
    datamodel = ScopedInterface(DuplicateIdReport)
    class_permission_name = DUPLICATE_ID
    route_base = "/duplicate-ids"
    list_title = _l("Duplicate resident ID numbers")
    show_title = _l("Duplicate resident ID number")
    edit_title = _l("Resolve a duplicate resident ID number")
    add_title = _l("Duplicate resident ID number")
    label_columns = LABELS
    list_columns = ["resident_id", "claimant", "holder", "source_label", "reported_at", "resolved"]
    show_columns = ["resident_id", "claimant", "holder", "source_label", "reported_by", "reported_at", "resolved",
                    "resolution", "changed_on"]
    search_columns = ["resident_id", "claimant", "holder", "resolved"]
    edit_columns = ["resolved", "resolution"]
    validators_columns = {"resolution": [Length(max=500)]}
    base_order = ("reported_at", "desc")

    def add(self):
        abort(404)  # a report is made by the ledger's duplicate check, never typed

    def delete(self, pk):
        abort(404)  # resolved, not deleted: the record of the claim stays


def register(appbuilder):
    appbuilder.add_view(DuplicateIdReportModelView, "Duplicate resident ID numbers", icon="fa-clone",
                        label=_l("Duplicate resident ID numbers"), category="Retirees")


register_model(DuplicateIdReport, _l("Duplicate resident ID number"), LABELS)
