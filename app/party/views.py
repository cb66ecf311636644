"""Party-relation transfers: list, show, edit (rules in rules.py), and the stalled list for the organization
department. Saving a transfer moves the checklist's party stream along."""
import datetime

from flask import current_app, g
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from wtforms.validators import Length

from app.audit import register_model
from app.party.models import PartyTransfer
from app.handover.models import RETIREE_ROW_LABELS
from app.listsearch import CompactListMixin
from app.rules import RuleViolation
from app.scoped_views import ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import role_codes
from app.security.roles import PARTY_TRANSFER

LABELS = {
    **RETIREE_ROW_LABELS,
    "dues_base_verified": _l("Party dues base verified"),
    "dues_paid_until": _l("Party dues paid up to (month)"),
    "letter_no": _l("Introduction letter number"),
    "sending_org": _l("Sending party organization"),
    "receiving_org": _l("Receiving party organization"),
    "letter_issued_on": _l("Letter issued on"),
    "received_on": _l("Date received"),
    "branch": _l("Assigned party branch"),
    "note": _l("Note"),
    "state_label": _l("State"),
    "stalled_days": _l("Days unanswered"),
    "changed_on": _l("Changed on"),
}
FORM = ["dues_base_verified", "dues_paid_until", "letter_no", "sending_org", "receiving_org", "letter_issued_on",
        "received_on", "branch", "note"]
RECEIVING_FIELDS = ("received_on", "branch")


class StalledFilter(BaseFilter):
    """Letters issued and unanswered for more than PARTY_STALL_DAYS (config)."""

    name = "Stalled"
    arg_name = None

    def apply(self, query, value):
        limit = datetime.date.today() - datetime.timedelta(days=current_app.config["PARTY_STALL_DAYS"])
        return query.filter(PartyTransfer.letter_issued_on.is_not(None), PartyTransfer.received_on.is_(None),
                            PartyTransfer.letter_issued_on < limit)


def _sync_item(transfer):
    """The checklist's party stream follows this transfer (handover rules: DERIVED_STREAMS)."""
    from app.handover.services import sync_derived_for

    sync_derived_for(transfer.retiree_id, g.user)


def _check_receiving_side(item):
    """The date received and the branch are the receiving party organisation's to set (party/rules.py)."""
    from sqlalchemy import inspect

    from app.party.rules import receipt_problem

    state = inspect(item)
    changed = any(state.attrs[f].history.has_changes() for f in RECEIVING_FIELDS)
    message = receipt_problem(role_codes()) if changed else None
    if message:
        raise RuleViolation({"received_on": [message]})


def _search_fields():
    from sqlalchemy import and_

    from app.listsearch import SearchField, county_field, name_field

    P = PartyTransfer
    states = {
        "no_letter": P.letter_issued_on.is_(None),
        "waiting": and_(P.letter_issued_on.is_not(None), P.received_on.is_(None)),
        "received": P.received_on.is_not(None),
    }
    return [
        name_field(P),
        SearchField("state", _l("State"), lambda v: states[v], kind="choice", choices=[
            ("no_letter", _l("No letter yet")), ("waiting", _l("Letter issued, not yet received")),
            ("received", _l("Received"))]),
        county_field(P),
    ]


class PartyTransferModelView(CompactListMixin, ScopedModelView):
    datamodel = ScopedInterface(PartyTransfer, load=("retiree",))  # shown on the list: no query per row
    may_stream = "party"
    may_actions = {"add": False, "delete": False, "edit": "edit"}
    compact_search = _search_fields()
    class_permission_name = PARTY_TRANSFER
    route_base = "/party"
    list_title = _l("Party relations")
    show_title = _l("Party relation transfer")
    edit_title = _l("Edit party relation transfer")
    add_title = _l("Party relation transfer")
    label_columns = LABELS
    list_columns = ["retiree_name", "enterprise", "receiving_county", "letter_no", "letter_issued_on",
                    "received_on", "branch", "state_label"]
    search_columns = ["id", "letter_no", "enterprise", "receiving_county", "receiving_community",
                      "letter_issued_on", "received_on", "dues_base_verified"]
    show_columns = ["retiree_name", "enterprise", "receiving_county", "receiving_township", "receiving_community",
                    "liaison_office"] + FORM + ["state_label", "changed_on"]
    edit_columns = FORM
    validators_columns = {f: [Length(max=200)] for f in ("letter_no", "sending_org", "receiving_org", "branch")}
    validators_columns["note"] = [Length(max=500)]
    base_order = ("id", "asc")

    def add(self):
        from flask import abort

        abort(404)  # a transfer comes with its party member

    def pre_update(self, item):
        try:
            _check_receiving_side(item)
        except RuleViolation:
            from app.extensions import db

            db.session.rollback()
            raise
        super().pre_update(item)
        _sync_item(item)

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("A party relation transfer is removed only with its retiree.")]})


class StalledPartyTransferModelView(PartyTransferModelView):
    route_base = "/party-stalled"
    list_title = _l("Stalled party transfers")
    extra_base_filters = [["id", StalledFilter, None]]
    list_columns = ["retiree_name", "enterprise", "receiving_county", "sending_org", "receiving_org", "letter_no",
                    "letter_issued_on", "stalled_days"]
    base_order = ("letter_issued_on", "asc")


class PartyTransferApi(ScopedModelRestApi):
    datamodel = SQLAInterface(PartyTransfer)
    may_stream = "party"
    may_actions = {"put": "edit"}
    class_permission_name = PARTY_TRANSFER
    resource_name = "partytransfer"
    include_route_methods = {"get", "get_list", "info", "put"}
    list_columns = ["id", "retiree.id", "retiree.name_zh", "enterprise.id", "receiving_county.id"] + FORM
    show_columns = list_columns
    edit_columns = FORM
    search_columns = ["id", "letter_no", "enterprise", "receiving_county", "received_on"]
    label_columns = LABELS

    def pre_update(self, item):
        _check_receiving_side(item)
        super().pre_update(item)
        _sync_item(item)


def register_audit_labels():
    """Let the audit pages name this stream's models, fields and codes (called from the stream's init_app)."""
    register_model(PartyTransfer, _l("Party relation transfer"), LABELS)
