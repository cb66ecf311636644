"""Personnel archive transfers: list, show, edit under the rules in rules.py, and the archives' receipt."""
import datetime

from flask import abort, flash, g, redirect, url_for
from flask_appbuilder.actions import action
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from wtforms.validators import Length, NumberRange, Optional

from app.archives.models import ArchiveTransfer, Custodian, Destination
from app.audit import register_model
from app.forms_common import coded_select
from app.scoped_views import METHOD_PERMISSIONS, ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import role_codes
from app.security.roles import ARCHIVE_TRANSFER
from app.handover.models import RETIREE_ROW_LABELS
from app.listsearch import CompactListMixin
from app.rules import RuleViolation

LABELS = {
    **RETIREE_ROW_LABELS,
    "custodian": _l("Custodian"),
    "custodian_label": _l("Custodian"),
    "destination": _l("Destination"),
    "destination_label": _l("Destination"),
    "sorted_done": _l("Sorted"),
    "volumes": _l("Volumes"),
    "missing_materials": _l("Missing materials"),
    "missing_explanation": _l("Explanation of missing materials"),
    "digitized": _l("Digitized"),
    "sent_on": _l("Sent on"),
    "received_on": _l("Received by the archives on"),
    "received_by": _l("Received by"),
    "note": _l("Note"),
    "changed_on": _l("Changed on"),
}
FORM = ["custodian", "destination", "sorted_done", "volumes", "missing_materials", "missing_explanation",
        "digitized", "sent_on", "note"]


def _sync_item(transfer):
    """The checklist's archive stream follows this transfer (handover rules: DERIVED_STREAMS)."""
    from app.handover.services import sync_derived_for

    sync_derived_for(transfer.retiree_id, g.user)


def receive_archive(actor, transfer):
    """The archives (or, for a former leader cadre's archive, the organization department) confirm receipt."""
    from app.handover.services import Refusal, _check_scope, sync_derived_for
    from app.versioning import lock

    from app.archives.rules import may, receiver_roles

    _check_scope(actor, transfer)
    if not role_codes(actor) & receiver_roles(transfer.destination):
        raise Refusal(_l("Only the archives that keep this archive confirm its receipt."))
    lock(transfer)
    if transfer.sent_on is None:
        raise Refusal(_l("An archive can only be received after it was sent."))
    if transfer.received_on is not None:
        raise Refusal(_l("Receipt of this archive is already confirmed."))
    if not may(actor, "receive", transfer):
        raise Refusal(_l("Only the archives that keep this archive confirm its receipt."))
    transfer.received_on = datetime.date.today()
    transfer.received_by_id = actor.id
    sync_derived_for(transfer.retiree_id, actor)
    return transfer


def receive_archives(actor, transfers):
    """Bulk receipt of the archives that arrived together (already received ones are left as they are)."""
    from app.handover.services import Refusal

    if not transfers:
        raise Refusal(_l("Choose at least one retiree."))
    return [receive_archive(actor, t) for t in transfers if t.received_on is None]


def _search_fields():
    from sqlalchemy import and_

    from app.listsearch import SearchField, county_field, name_field

    A = ArchiveTransfer
    states = {
        "not_sent": A.sent_on.is_(None),
        "sent": and_(A.sent_on.is_not(None), A.received_on.is_(None)),
        "received": A.received_on.is_not(None),
    }
    return [
        name_field(A),
        SearchField("state", _l("State"), lambda v: states[v], kind="choice", choices=[
            ("not_sent", _l("Not sent")), ("sent", _l("Sent, not yet received")), ("received", _l("Received"))]),
        SearchField("destination", _l("Destination"), lambda v: A.destination == v, kind="choice",
                    choices=list(Destination.LABELS.items())),
        county_field(A),
    ]


class ArchiveTransferModelView(CompactListMixin, ScopedModelView):
    datamodel = ScopedInterface(ArchiveTransfer, load=("retiree",))  # shown on the list: no query per row
    may_stream = "archives"
    may_actions = {"add": False, "delete": False, "edit": "edit"}
    may_steps = {"receive": "receive"}
    compact_search = _search_fields()
    bulk_buttons = [("receive_selected", _l("Confirm receipt of the archives"), "btn-success")]

    def bulk_allowed(self, action_name):
        return bool(role_codes() & {"archives", "orgdept"}) and super().bulk_allowed(action_name)

    @action("receive_selected", _l("Confirm receipt of the archives"), None, "fa-check", single=False)
    def receive_selected(self, items):
        from app.extensions import db
        from app.handover.services import Refusal

        try:
            done = receive_archives(g.user, [i for i in items if i is not None])
            db.session.commit()
            flash(str(_l("Receipt of %(n)d archives was confirmed.", n=len(done))), "success")
        except Refusal as e:
            db.session.rollback()
            flash(e.message, "danger")
        return redirect(url_for(".list"))
    class_permission_name = ARCHIVE_TRANSFER
    method_permission_name = {**METHOD_PERMISSIONS, "receive": "write", "receive_selected": "write"}
    route_base = "/archives"
    list_title = _l("Personnel archives")
    show_title = _l("Personnel archive transfer")
    edit_title = _l("Edit personnel archive transfer")
    add_title = _l("Personnel archive transfer")
    show_template = "handover/archive_show.html"
    label_columns = LABELS
    list_columns = ["retiree_name", "enterprise", "custodian_label", "destination_label", "sorted_done", "volumes",
                    "digitized", "sent_on", "received_on"]
    search_columns = ["id", "enterprise", "receiving_county", "custodian", "destination", "sorted_done",
                      "digitized", "received_on"]
    show_columns = ["retiree_name", "enterprise", "receiving_county", "custodian_label", "destination_label",
                    "sorted_done", "volumes", "missing_materials", "missing_explanation", "digitized", "sent_on",
                    "received_on", "received_by", "note", "changed_on"]
    edit_columns = FORM
    edit_form_extra_fields = {
        "custodian": coded_select(_l("Custodian"), Custodian.LABELS),
        "destination": coded_select(_l("Destination"), Destination.LABELS),
    }
    validators_columns = {"volumes": [Optional(), NumberRange(min=0, max=200)],
                          "missing_materials": [Length(max=500)], "missing_explanation": [Length(max=500)],
                          "note": [Length(max=500)]}
    base_order = ("id", "asc")

    def add(self):
        abort(404)  # an archive transfer comes with its retiree

    def pre_update(self, item):
        super().pre_update(item)
        _sync_item(item)

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("An archive transfer is removed only with its retiree.")]})

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        widgets = self._show(pk)
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=widgets,
                                    related_views=[], transfer=item, roles=role_codes())

    @expose("/<int:pk>/receive", methods=["POST"])
    @has_access
    def receive(self, pk):
        from app.steps import run_step

        item = self.datamodel.get(pk, self._base_filters)
        if item is None:
            abort(404)
        run_step(receive_archive, item, success=_l("Receipt of the archive was confirmed."))
        return redirect(url_for(".show", pk=pk))


class ArchiveTransferApi(ScopedModelRestApi):
    datamodel = SQLAInterface(ArchiveTransfer)
    may_stream = "archives"
    may_actions = {"put": "edit"}
    class_permission_name = ARCHIVE_TRANSFER
    resource_name = "archivetransfer"
    include_route_methods = {"get", "get_list", "info", "put"}
    list_columns = ["id", "retiree.id", "retiree.name_zh", "enterprise.id", "receiving_county.id"] + FORM + [
        "received_on"]
    show_columns = list_columns
    edit_columns = FORM
    search_columns = ["id", "enterprise", "receiving_county", "custodian", "destination"]
    label_columns = LABELS

    def pre_update(self, item):
        super().pre_update(item)
        _sync_item(item)


def register_audit_labels():
    """Let the audit pages name this stream's models, fields and codes (called from the stream's init_app)."""
    register_model(ArchiveTransfer, _l("Personnel archive transfer"), LABELS,
                   {"custodian": Custodian.LABELS, "destination": Destination.LABELS})
