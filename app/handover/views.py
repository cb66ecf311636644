"""Handover pages and REST API: configuration on the scoped bases; every step is a POST that calls one
function of `services.py` with the acting user."""

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.actions import action
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload
from wtforms.validators import Length

from app.audit import register_model
from app.extensions import db
from app.forms_common import coded_select
from app.handover import rules, services
from app.handover.models import (
    BatchStatus,
    HandoverBatch,
    HandoverCase,
    HandoverItem,
    HouseholdCategory,
    ItemState,
    PlaceBasis,
    Side,
    Stream,
)
from app.org.models import Organization, OrgKind
from app.handover.models import RETIREE_ROW_LABELS
from app.listsearch import CompactListMixin
from app.dates import parse_date
from app.rules import RuleViolation
from app.scoped_views import METHOD_PERMISSIONS, ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import role_codes
from app.security.roles import HANDOVER, HANDOVER_BATCH, HANDOVER_STATS
from app.steps import run_step

CASE_LABELS = {
    **RETIREE_ROW_LABELS,
    "proposed_county": _l("Proposed county/district"),
    "proposed_liaison": _l("Proposed liaison office"),
    "basis_label": _l("Basis of the proposal"),
    "proposal_basis": _l("Basis of the proposal"),
    "place_confirmed_on": _l("Receiving place confirmed on"),
    "place_confirmed_by": _l("Confirmed by"),
    "override_reason": _l("Reason for another place"),
    "household_category": _l("Household registration category"),
    "household_label": _l("Household registration category"),
    "batch": _l("Handover batch"),
    "accepted_on": _l("Accepted on"),
    "received_on": _l("Receipt confirmed on"),
    "received_by": _l("Receipt confirmed by"),
    "status_label": _l("Handover status"),
    "created_on": _l("Created on"),
}

BATCH_LABELS = {
    "id": _l("ID"),
    "number": _l("Batch number"),
    "enterprise": _l("Enterprise"),
    "receiving_county": _l("Receiving county/district"),
    "liaison_office": _l("Liaison office"),
    "status": _l("Status"),
    "status_label": _l("Status"),
    "note": _l("Note"),
    "size": _l("Retirees"),
    "created_on": _l("Created on"),
    "created_by": _l("Created by"),
    "submitted_on": _l("Submitted on"),
    "submitted_by": _l("Submitted by"),
    "accepted_on": _l("Accepted on"),
    "accepted_by": _l("Accepted by"),
    "returned_on": _l("Returned on"),
    "returned_by": _l("Returned by"),
    "return_reason": _l("Reason for return"),
}

ITEM_LABELS = {"stream": _l("Stream"), "state": _l("State"), "on_date": _l("Date"),
               "responsible": _l("Responsible side"), "note": _l("Note")}

ACTIONS = {"set_item": "write", "place": "write", "receive": "write", "confirmation_pdf": "read",
           "confirm_places": "write", "receive_selected": "write",
           "add_retirees": "write", "remove_retiree": "write", "submit": "write", "accept": "write",
           "return_batch": "write", "handover_list_pdf": "read"}


def _date(value):
    """A typed date, read by the one parser (app/dates.py: 2020-06-30, 20200630, 2020年6月30日 ...)."""
    try:
        return parse_date(value)
    except (ValueError, OverflowError):
        raise services.Refusal(_l("Not a valid date value."))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _org(value, kind):
    pk = _int(value)
    org = db.session.get(Organization, pk) if pk else None
    return org if org is not None and org.kind == kind else None


def _back_to_list():
    """The list page the bulk step came from (its search kept), only ever a path of this application."""
    from urllib.parse import urlsplit

    ref = urlsplit(request.referrer or "")
    if ref.netloc in ("", request.host) and ref.path.startswith("/handover/list"):
        return ref.path + (f"?{ref.query}" if ref.query else "")
    return url_for("HandoverCaseModelView.list")


def _case_search_fields():
    from sqlalchemy import and_

    from app.handover.models import OverallStatus
    from app.listsearch import SearchField, county_field, name_field

    C = HandoverCase

    def _pk(value):
        pk = _int(value)
        return pk if pk is not None else -1

    return [
        name_field(C),
        SearchField("status", _l("Handover status"), lambda v: C.summary_status == v, kind="choice",
                    choices=list(OverallStatus.LABELS.items())),
        SearchField("place", _l("Receiving place"), lambda v: (
            C.place_confirmed_on.is_(None) if v == "unconfirmed" else C.place_confirmed_on.is_not(None)),
            kind="choice", choices=[("unconfirmed", _l("Place not confirmed")),
                                    ("confirmed", _l("Place confirmed"))]),
        SearchField("receipt", _l("Receipt"), lambda v: (
            and_(C.accepted_on.is_not(None), C.received_on.is_(None)) if v == "pending"
            else C.received_on.is_not(None)),
            kind="choice", choices=[("pending", _l("Waiting for receipt")), ("received", _l("Received"))]),
        county_field(C),
        SearchField("batch", _l("Handover batch"), lambda v: C.batch_id == _pk(v), kind="hidden"),
        SearchField("community", _l("Receiving community"), lambda v: C.receiving_community_id == _pk(v),
                    kind="hidden"),
        SearchField("township", _l("Receiving township/street"), lambda v: C.receiving_township_id == _pk(v),
                    kind="hidden"),
    ]


class HandoverCaseModelView(CompactListMixin, ScopedModelView):
    datamodel = ScopedInterface(HandoverCase, load=("retiree",))  # shown on the list: no query per row
    may_stream = "handover"
    may_actions = {"add": False, "delete": False, "edit": "edit_case"}
    may_steps = {"set_item": "set_item", "place": "place", "receive": "receive"}

    def may_step_row(self, method, args):
        case = super().may_step_row(method, args)
        return case.item(args.get("stream")) if method == "set_item" and case is not None else case
    compact_search = _case_search_fields()
    bulk_buttons = [("confirm_places", _l("Confirm the proposed receiving places"), "btn-primary"),
                    ("receive_selected", _l("Confirm receipt"), "btn-success")]
    BULK_ROLES = {"confirm_places": {"enterprise"}, "receive_selected": {"community", "township"}}

    def bulk_allowed(self, action_name):
        return bool(role_codes() & self.BULK_ROLES.get(action_name, set())) and super().bulk_allowed(action_name)

    @action("confirm_places", _l("Confirm the proposed receiving places"), None, "fa-check", single=False)
    def confirm_places(self, items):
        try:
            confirmed, skipped = services.confirm_proposed_places(g.user, [i for i in items if i is not None])
            db.session.commit()
            flash(str(_l("%(n)d receiving places were confirmed.", n=len(confirmed))), "success")
            if skipped:
                flash(str(_l("%(n)d retirees have no proposed place: choose their place on their own page.",
                             n=len(skipped))), "warning")
        except services.Refusal as e:
            db.session.rollback()
            flash(e.message, "danger")
        return redirect(_back_to_list())

    @action("receive_selected", _l("Confirm receipt"), None, "fa-check", single=False)
    def receive_selected(self, items):
        try:
            done = services.confirm_receipts(g.user, [i for i in items if i is not None])
            db.session.commit()
            flash(str(_l("Receipt of %(n)d retirees was confirmed.", n=len(done))), "success")
        except services.Refusal as e:
            db.session.rollback()
            flash(e.message, "danger")
        return redirect(_back_to_list())

    class_permission_name = HANDOVER
    method_permission_name = {**METHOD_PERMISSIONS, **ACTIONS}
    route_base = "/handover"
    list_title = _l("Handover checklists")
    show_title = _l("Handover checklist")
    edit_title = _l("Edit handover checklist")
    add_title = _l("Handover checklist")
    show_template = "handover/case_show.html"
    label_columns = CASE_LABELS
    list_columns = ["retiree_name", "enterprise", "receiving_county", "receiving_community", "liaison_office",
                    "batch", "status_label"]
    search_columns = ["id", "enterprise", "receiving_county", "receiving_township", "receiving_community",
                      "liaison_office", "batch", "received_on"]
    show_fieldsets = [
        (_l("Receiving place"), {"fields": ["retiree_name", "enterprise", "proposed_county", "proposed_liaison",
                                            "basis_label", "receiving_county", "receiving_township",
                                            "receiving_community", "liaison_office", "place_confirmed_on",
                                            "override_reason"]}),
        (_l("Handover"), {"fields": ["batch", "accepted_on", "received_on", "household_label",
                                     "status_label"]}),
    ]
    edit_columns = ["household_category"]
    edit_form_extra_fields = {"household_category": coded_select(
        _l("Household registration category"), HouseholdCategory.LABELS, required=False)}
    base_order = ("id", "asc")

    def add(self):
        abort(404)  # a case comes with its retiree

    def pre_update(self, item):
        item.household_category = item.household_category or None
        try:
            from app.handover import rules

            message = rules.stream_editor_problem(role_codes(), Stream.HOUSEHOLD, item.accepted_on is not None)
            if message:
                raise RuleViolation({"household_category": [message]})
        except RuleViolation:
            db.session.rollback()
            raise
        super().pre_update(item)

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("A handover checklist is removed only with its retiree.")]})

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        case = self._scoped(pk)
        widgets = self._show(pk)
        counties = [o for o in _all_orgs() if o.kind == OrgKind.COUNTY]
        liaisons = [o for o in _all_orgs() if o.kind == OrgKind.LIAISON]
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=widgets, related_views=[], case=case,
            states=ItemState.LABELS, households=HouseholdCategory.LABELS, counties=counties, liaisons=liaisons,
            roles=role_codes(), item_labels=ITEM_LABELS, derived=rules.DERIVED_STREAMS,
            choices=lambda item: rules.item_choices(role_codes(), item))

    @expose("/<int:pk>/item/<stream>", methods=["POST"])
    @has_access
    def set_item(self, pk, stream):
        case = self._scoped(pk)
        try:
            on_date = _date(request.form.get("on_date"))
        except services.Refusal as e:
            flash(e.message, "danger")
            return redirect(url_for(".show", pk=pk))
        run_step(services.set_item, case, stream, request.form.get("state", ""), on_date,
             (request.form.get("note") or "")[:500], request.form.get("household_category") or None,
             success=_l("The checklist was updated."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/place", methods=["POST"])
    @has_access
    def place(self, pk):
        case = self._scoped(pk)
        county = _org(request.form.get("county"), OrgKind.COUNTY)
        liaison = _org(request.form.get("liaison"), OrgKind.LIAISON)
        run_step(services.confirm_place, case, county, liaison, (request.form.get("reason") or "")[:500],
             success=_l("The receiving place was confirmed."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/receive", methods=["POST"])
    @has_access
    def receive(self, pk):
        case = self._scoped(pk)
        run_step(services.confirm_receipt, case, success=_l("Receipt was confirmed."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/confirmation.pdf")
    @has_access
    def confirmation_pdf(self, pk):
        from app.handover.pdf import TEXT, confirmation_form
        from app.text import Bilingual
        from app.pdf import download_name, pdf_response

        case = self._scoped(pk)
        return pdf_response(confirmation_form(case), download_name(TEXT["form_title"], Bilingual(case.retiree.name_zh, case.retiree.name_bo)))


def _all_orgs():
    from app.org.cache import all_orgs

    return all_orgs()


def _batch_search_fields():
    import re

    from sqlalchemy import or_, select

    from app.listsearch import SearchField, county_choices, retiree_name_clause

    B = HandoverBatch

    def text(value):
        number = re.fullmatch(r"(?:YJ-\d{4}-)?0*(\d+)", value.strip(), re.IGNORECASE)
        members = B.id.in_(select(HandoverCase.batch_id).where(retiree_name_clause(HandoverCase)(value)))
        return or_(B.id == int(number.group(1)), members) if number else members

    def county(value):
        pk = int(value)
        return or_(B.receiving_county_id == pk, B.liaison_office_id == pk)

    return [
        SearchField("q", _l("Batch number or retiree's name"), text, placeholder=_l("Batch number or retiree's name")),
        SearchField("status", _l("Status"), lambda v: B.status == v, kind="choice",
                    choices=list(BatchStatus.LABELS.items())),
        SearchField("county", _l("Receiving county/district"), county, kind="choice", choices=county_choices),
    ]


class HandoverBatchModelView(CompactListMixin, ScopedModelView):
    datamodel = ScopedInterface(HandoverBatch, load=(selectinload(HandoverBatch.cases).lazyload(HandoverCase.items),))
    may_stream = "handover"
    may_actions = {"add": "add_batch", "edit": "edit_batch", "delete": "delete_batch"}
    may_steps = {"add_retirees": "add_retirees", "remove_retiree": "remove_retiree", "submit": "submit",
                 "accept": "accept", "return_batch": "return"}
    compact_search = _batch_search_fields()
    class_permission_name = HANDOVER_BATCH
    method_permission_name = {**METHOD_PERMISSIONS, **ACTIONS}
    route_base = "/batches"
    list_title = _l("Handover batches")
    show_title = _l("Handover batch")
    add_title = _l("New handover batch")
    edit_title = _l("Edit handover batch")
    show_template = "handover/batch_show.html"
    label_columns = BATCH_LABELS
    list_columns = ["number", "enterprise", "receiving_county", "liaison_office", "status_label", "size",
                    "submitted_on", "accepted_on"]
    search_columns = ["id", "enterprise", "receiving_county", "liaison_office", "status"]
    show_fieldsets = [
        (_l("Handover batch"), {"fields": ["number", "enterprise", "receiving_county", "liaison_office",
                                           "status_label", "note"]}),
        (_l("Signatures"), {"fields": ["created_on", "created_by", "submitted_on", "submitted_by", "accepted_on",
                                       "accepted_by", "returned_on", "returned_by", "return_reason"]}),
    ]
    add_columns = ["receiving_county", "liaison_office", "note"]
    edit_columns = ["note"]
    validators_columns = {"note": [Length(max=500)]}
    description_columns = {
        "receiving_county": _l("A batch goes to one receiving county/district, or to one liaison office for "
                               "retirees settled out of region."),
    }
    base_order = ("id", "desc")

    def pre_add(self, item):
        try:
            services.create_batch(g.user, item)
        except services.Refusal as e:
            db.session.rollback()
            raise RuleViolation({"receiving_county": [e.message]})
        super().pre_add(item)

    def _get_show_widget(self, pk, item, widgets=None, actions=None, show_fieldsets=None):
        # the signature block lists the steps already signed, not a column of empty lines
        fieldsets = []
        for title, spec in show_fieldsets or self.show_fieldsets:
            fields = [f for f in spec["fields"] if title != self.show_fieldsets[1][0]
                      or getattr(item, f, None) not in (None, "")]
            if fields:
                fieldsets.append((title, {**spec, "fields": fields}))
        return super()._get_show_widget(pk, item, widgets=widgets, actions=actions, show_fieldsets=fieldsets)

    def post_add(self, item):
        g.new_batch_id = item.id
        super().post_add(item)

    def post_add_redirect(self):
        # after saving a new batch the enterprise lands in it, where the people are added
        if g.get("new_batch_id"):
            return redirect(url_for(".show", pk=g.new_batch_id))
        return super().post_add_redirect()

    def pre_update(self, item):
        from app.handover import rules

        message = rules.batch_action_problem(item.status, "edit")
        if message or "enterprise" not in role_codes():
            db.session.rollback()
            raise RuleViolation({"note": [message or _l("Only the enterprise that made the batch can do this.")]})
        super().pre_update(item)

    def pre_delete(self, item):
        if item.status != BatchStatus.DRAFT or "enterprise" not in role_codes():
            raise RuleViolation({"status": [_l("Only a draft batch can be deleted, by its enterprise.")]})
        super().pre_delete(item)

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        batch = self._scoped(pk)
        widgets = self._show(pk)
        roles = role_codes()
        is_enterprise = "enterprise" in roles and g.user.org_id == batch.enterprise_id
        is_receiver = services.is_batch_receiver(g.user, batch)
        communities = []
        if is_receiver and batch.receiving_county_id:
            county = batch.receiving_county
            towns = {o.id for o in _all_orgs() if o.parent_id == county.id}
            communities = [o for o in _all_orgs() if o.kind == OrgKind.COMMUNITY and o.parent_id in towns]
        editable = batch.status in (BatchStatus.DRAFT, BatchStatus.RETURNED)
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=widgets, related_views=[], batch=batch,
            is_enterprise=is_enterprise and self.appbuilder.sm.has_access("can_write", HANDOVER_BATCH),
            is_receiver=is_receiver, editable=editable, communities=communities,
            eligible=services.eligible_cases(batch) if is_enterprise and editable else [])

    @expose("/<int:pk>/add-retirees", methods=["POST"])
    @has_access
    def add_retirees(self, pk):
        batch = self._scoped(pk)
        ids = [i for i in (_int(v) for v in request.form.getlist("retiree")) if i is not None]
        run_step(services.add_to_batch, batch, ids, success=_l("The retirees were added to the batch."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/remove/<int:case_id>", methods=["POST"])
    @has_access
    def remove_retiree(self, pk, case_id):
        batch = self._scoped(pk)
        case = db.session.get(HandoverCase, case_id)
        if case is None:
            abort(404)
        run_step(services.remove_from_batch, batch, case, success=_l("The retiree was taken out of the batch."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/submit", methods=["POST"])
    @has_access
    def submit(self, pk):
        batch = self._scoped(pk)
        run_step(services.submit_batch, batch, success=_l("The batch was submitted."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/accept", methods=["POST"])
    @has_access
    def accept(self, pk):
        batch = self._scoped(pk)
        chosen = {}
        for case in batch.cases:
            org = _org(request.form.get(f"community_{case.id}"), OrgKind.COMMUNITY)
            if org is not None:
                chosen[case.id] = org
        run_step(services.accept_batch, batch, chosen, success=_l("The batch was accepted."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/return", methods=["POST"])
    @has_access
    def return_batch(self, pk):
        batch = self._scoped(pk)
        run_step(services.return_batch, batch, (request.form.get("reason") or "")[:500],
             success=_l("The batch was returned to the enterprise."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/handover-list.pdf")
    @has_access
    def handover_list_pdf(self, pk):
        from app.handover.pdf import TEXT, handover_list
        from app.pdf import download_name, pdf_response

        batch = self._scoped(pk)
        return pdf_response(handover_list(batch), download_name(TEXT["list_title"], batch.number()))


class HandoverStatsView(BaseView):
    """Figures per county, enterprise and ownership level, aggregated in SQL within the user's scope."""

    route_base = "/handover-figures"
    class_permission_name = HANDOVER_STATS
    method_permission_name = {"index": "read", "data": "read"}
    base_permissions = ["can_read"]
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        from app.handover.stats import GROUPINGS, all_figures

        figures = all_figures()
        tables = [(key, label, figures[key]) for key, label in GROUPINGS]
        return self.render_template("handover/stats.html", tables=tables, title=_l("Handover figures"),
                                    streams=Stream.LABELS)

    @expose("/data.json")
    @has_access
    def data(self):
        from app.handover.stats import GROUPINGS, all_figures

        figures = all_figures()
        return {key: figures[key] for key, _label in GROUPINGS}


class HandoverCaseApi(ScopedModelRestApi):
    datamodel = SQLAInterface(HandoverCase)
    may_stream = "handover"
    may_actions = {"put": "edit_case"}
    class_permission_name = HANDOVER
    resource_name = "handover"
    include_route_methods = {"get", "get_list", "info", "put"}
    list_columns = ["id", "retiree.id", "retiree.name_zh", "enterprise.id", "receiving_county.id",
                    "receiving_community.id", "liaison_office.id", "batch.id", "accepted_on", "received_on"]
    show_columns = list_columns + ["proposed_county.id", "proposed_liaison.id", "proposal_basis",
                                   "household_category", "place_confirmed_on", "override_reason"]
    edit_columns = ["household_category"]
    search_columns = ["id", "enterprise", "receiving_county", "batch"]
    label_columns = CASE_LABELS

    def pre_update(self, item):
        from app.handover import rules

        if item.household_category and item.household_category not in HouseholdCategory.LABELS:
            raise RuleViolation({"household_category": [_l("Not a valid choice.")]})
        message = rules.stream_editor_problem(role_codes(), Stream.HOUSEHOLD, item.accepted_on is not None)
        if message:
            raise RuleViolation({"household_category": [message]})
        super().pre_update(item)


class HandoverBatchApi(ScopedModelRestApi):
    datamodel = SQLAInterface(HandoverBatch)
    may_stream = "handover"
    may_actions = {"post": "add_batch", "put": "edit_batch"}
    class_permission_name = HANDOVER_BATCH
    resource_name = "handoverbatch"
    include_route_methods = {"get", "get_list", "info", "post", "put"}
    list_columns = ["id", "enterprise.id", "receiving_county.id", "liaison_office.id", "status", "submitted_on",
                    "accepted_on", "returned_on", "return_reason", "note"]
    show_columns = list_columns
    add_columns = ["enterprise", "receiving_county", "liaison_office", "note"]
    edit_columns = ["note"]
    search_columns = ["id", "enterprise", "receiving_county", "liaison_office", "status"]
    label_columns = BATCH_LABELS

    def pre_add(self, item):
        from app.security.scope import ScopeError

        if "enterprise" not in role_codes():
            raise ScopeError(_l("Only an enterprise makes handover batches."))
        check_enterprise = getattr(item.enterprise, "id", item.enterprise_id)
        if check_enterprise != g.user.org_id:
            raise ScopeError()
        try:
            services.create_batch(g.user, item)
        except services.Refusal as e:
            raise RuleViolation({"receiving_county": [e.message]})
        super().pre_add(item)

    def pre_update(self, item):
        from app.handover import rules

        message = rules.batch_action_problem(item.status, "edit")
        if message or "enterprise" not in role_codes():
            raise RuleViolation({"note": [message or _l("Only the enterprise that made the batch can do this.")]})
        super().pre_update(item)


def register_audit_labels():
    """Let the audit pages name this stream's models, fields and codes (called from the stream's init_app)."""
    register_model(HandoverCase, _l("Handover checklist"), CASE_LABELS, {
        "household_category": HouseholdCategory.LABELS, "proposal_basis": PlaceBasis.LABELS})
    register_model(HandoverItem, _l("Checklist item"), ITEM_LABELS, {
        "stream": Stream.LABELS, "state": ItemState.LABELS, "responsible": Side.LABELS})
    register_model(HandoverBatch, _l("Handover batch"), BATCH_LABELS, {"status": BatchStatus.LABELS})
