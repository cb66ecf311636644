"""Supervision items, accountability, contacts and the leading-group roster: configuration on the scoped bases;
every step of an item is a POST that calls one function of `services.py` with the acting user."""
from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select
from wtforms.validators import Length, NumberRange, Optional

from app import clock
from app.audit import register_model
from app.extensions import db
from app.forms_common import coded_select
from app.org.models import Organization, OrgKind
from app.rules import RuleViolation
from app.scoped_views import METHOD_PERMISSIONS, ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import role_codes
from app.security.roles import ACCOUNTABILITY, SUPERVISION_ITEM, WORK_CONTACT
from app.security.scope import scope, user_scope
from app.supervision import rules, services
from app.supervision.models import (
    AccountabilityKind,
    AccountabilityRecord,
    GroupPost,
    ItemStatus,
    LeadingGroupMember,
    StepAction,
    SupervisionItem,
    SupervisionStep,
    WorkContact,
)
from app.uploads import UploadError, save_upload, send_stored
from app.steps import run_step

ITEM_LABELS = {
    "id": _l("ID"),
    "number": _l("Item number"),
    "unit": _l("Unit"),
    "office": _l("Supervision office"),
    "title": _l("Title"),
    "requirement": _l("Requirement"),
    "opened_on": _l("Opened on"),
    "deadline": _l("Deadline for the response"),
    "task_id": _l("Work-plan task no."),
    "report_id": _l("Monthly report no."),
    "status": _l("Status"),
    "status_label": _l("Status"),
    "colour_badge": _l("Warning"),
    "round": _l("Responses"),
    "response": _l("Latest response"),
    "return_reason": _l("Reason for sending back"),
    "opened_at": _l("Opened at"),
    "opened_by": _l("Opened by"),
    "signed_at": _l("Signed for at"),
    "signed_by": _l("Signed for by"),
    "responded_at": _l("Responded at"),
    "responded_by": _l("Responded by"),
    "responded_on": _l("Responded on"),
    "returned_at": _l("Sent back at"),
    "closed_at": _l("Closed at"),
    "closed_by": _l("Closed by"),
    "closed_on": _l("Closed on"),
}
STEP_LABELS = {"action": _l("Step"), "at": _l("Time"), "actor": _l("By"), "actor_org": _l("Unit"),
               "comment": _l("Comment")}
RECORD_LABELS = {
    "id": _l("ID"),
    "unit": _l("Unit"),
    "kind": _l("Type"),
    "kind_label": _l("Type"),
    "reason": _l("Reason"),
    "on_date": _l("Date"),
    "items": _l("Linked supervision items"),
    "item_numbers": _l("Linked supervision items"),
    "recorded_at": _l("Recorded at"),
    "recorded_by": _l("Recorded by"),
}
CONTACT_LABELS = {
    "id": _l("ID"),
    "org": _l("Unit"),
    "name": _l("Name"),
    "post": _l("Post"),
    "office_phone": _l("Office phone"),
    "mobile": _l("Mobile"),
    "changed_at": _l("Changed at"),
}
ROSTER_LABELS = {
    "id": _l("ID"),
    "name": _l("Name"),
    "group_post": _l("Post in the leading group"),
    "group_post_label": _l("Post in the leading group"),
    "org": _l("Unit"),
    "post": _l("Post"),
    "sort_order": _l("Order"),
}

ITEM_ACTIONS = {"sign": "write", "respond": "write", "close_item": "write", "send_back": "write",
                "evidence": "read"}
# Only units whose roles work on supervision items (roles.py: counties, departments, enterprises) can sign one.
ITEM_UNIT_KINDS = (OrgKind.COUNTY, OrgKind.DEPARTMENT, OrgKind.ENTERPRISE)


class UnitKindFilter(BaseFilter):
    """Units an item or a record may concern: counties, departments, enterprises."""

    name = "Unit kinds"
    arg_name = None

    def apply(self, query, value):
        return query.filter(Organization.kind.in_(ITEM_UNIT_KINDS))


UNIT_CHOICE = {"unit": [["id", UnitKindFilter, None]]}


def _refuse(problems):
    db.session.rollback()
    raise RuleViolation(problems)


def _unit_link(org):
    if org is None:
        return ""
    return Markup('<a href="%s">%s</a>') % (url_for("AccountabilityModelView.unit_page", org_id=org.id),
                                             escape(org.name))


def _edit_problems(item):
    problems = {}
    who = rules.actor_problem("edit", role_codes(), g.user.org_id, item.unit_id) or rules.step_problem(
        "edit", item.status)
    if who:
        problems["title"] = who
    for field in ("title", "requirement"):
        message = rules.text_problem(getattr(item, field), field)
        if message:
            problems[field] = message
    message = rules.deadline_problem(item.opened_on, item.deadline)
    if message:
        problems["deadline"] = message
    return {k: [v] for k, v in problems.items()}


class SupervisionItemModelView(ScopedModelView):
    datamodel = ScopedInterface(SupervisionItem)
    class_permission_name = SUPERVISION_ITEM
    method_permission_name = {**METHOD_PERMISSIONS, **ITEM_ACTIONS}
    route_base = "/items"
    list_title = _l("Supervision items")
    show_title = _l("Supervision item")
    add_title = _l("Open a supervision item")
    edit_title = _l("Edit supervision item")
    show_template = "supervision/item_show.html"
    label_columns = ITEM_LABELS
    list_columns = ["number", "unit", "title", "deadline", "status_label", "colour_badge", "task_id", "report_id"]
    search_columns = ["id", "unit", "title", "status", "deadline"]
    show_fieldsets = [
        (_l("Supervision item"), {"fields": ["number", "unit", "title", "requirement", "opened_on", "deadline",
                                             "task_id", "report_id", "status_label", "colour_badge"]}),
        (_l("Response"), {"fields": ["response", "round", "return_reason"]}),
        (_l("Timestamps"), {"fields": ["opened_at", "opened_by", "signed_at", "signed_by", "responded_at",
                                       "responded_by", "returned_at", "closed_at", "closed_by"]}),
    ]
    add_columns = ["unit", "title", "requirement", "deadline", "task_id", "report_id"]
    edit_columns = ["title", "requirement", "deadline", "task_id", "report_id"]
    add_form_query_rel_fields = UNIT_CHOICE
    search_form_query_rel_fields = UNIT_CHOICE
    validators_columns = {"title": [Length(max=200)], "task_id": [Optional(), NumberRange(min=1)],
                          "report_id": [Optional(), NumberRange(min=1)]}
    description_columns = {
        "deadline": _l("The date by which the unit must respond; not before today."),
        "task_id": _l("Optional: the number of the work-plan task this item follows up."),
        "report_id": _l("Optional: the number of the monthly report this item follows up."),
    }
    formatters_columns = {"unit": _unit_link}
    base_order = ("id", "desc")

    def pre_add(self, item):
        problems = services.open_problems(g.user, item)
        if problems:
            _refuse({k: [v] for k, v in problems.items()})
        services.open_item(g.user, item)
        super().pre_add(item)

    def post_add(self, item):
        services.sync_notices(item)
        db.session.commit()

    def pre_update(self, item):
        problems = _edit_problems(item)
        if problems:
            _refuse(problems)
        services.record_edit(g.user, item)
        super().pre_update(item)

    def post_update(self, item):
        services.sync_notices(item)  # a new deadline may change the colour
        db.session.commit()

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("Supervision items are kept: close them instead.")]})

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        item = self._scoped(pk)
        widgets = self._show(pk)
        roles = role_codes()
        can_write = self.appbuilder.sm.has_access("can_write", SUPERVISION_ITEM)
        is_unit = can_write and rules.actor_problem("sign", roles, g.user.org_id, item.unit_id) is None
        is_office = can_write and rules.is_office(roles)
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=widgets, related_views=[], item=item,
            is_unit=is_unit, is_office=is_office, step_labels=STEP_LABELS, ItemStatus=ItemStatus)

    @expose("/<int:pk>/sign", methods=["POST"])
    @has_access
    def sign(self, pk):
        item = self._scoped(pk)
        run_step(services.sign, item, success=_l("The item was signed for."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/respond", methods=["POST"])
    @has_access
    def respond(self, pk):
        item = self._scoped(pk)
        text = (request.form.get("response") or "")[:5000]
        # The rules first, so that a refused response leaves no stored file behind.
        for message in (rules.actor_problem("respond", role_codes(), g.user.org_id, item.unit_id),
                        rules.step_problem("respond", item.status), rules.text_problem(text, "response")):
            if message:
                flash(str(message), "danger")
                return redirect(url_for(".show", pk=pk))
        files = []
        try:
            for storage in request.files.getlist("evidence"):
                if storage and storage.filename:
                    files.append(save_upload(storage, item.unit_id, g.user.id))
        except UploadError as e:
            db.session.rollback()
            flash(str(e), "danger")
            return redirect(url_for(".show", pk=pk))
        run_step(services.respond, item, text, files, success=_l("The response was sent to the supervision office."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/close", methods=["POST"])
    @has_access
    def close_item(self, pk):
        item = self._scoped(pk)
        run_step(services.close, item, (request.form.get("comment") or "")[:2000],
             success=_l("The item was closed."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/send-back", methods=["POST"])
    @has_access
    def send_back(self, pk):
        item = self._scoped(pk)
        run_step(services.send_back, item, (request.form.get("reason") or "")[:500],
             success=_l("The item was sent back to the unit."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/file/<int:file_id>")
    @has_access
    def evidence(self, pk, file_id):
        item = self._scoped(pk)  # the item's scope decides who may fetch its evidence
        stored = next((f for f in item.files() if f.id == file_id), None)
        if stored is None:
            abort(404)
        return send_stored(stored, item.number())


class AccountabilityModelView(ScopedModelView):
    datamodel = ScopedInterface(AccountabilityRecord)
    class_permission_name = ACCOUNTABILITY
    method_permission_name = {**METHOD_PERMISSIONS, "unit_page": "read"}
    route_base = "/accountability"
    list_title = _l("Accountability records")
    show_title = _l("Accountability record")
    add_title = _l("New accountability record")
    edit_title = _l("Edit accountability record")
    label_columns = RECORD_LABELS
    list_columns = ["unit", "kind_label", "on_date", "reason", "item_numbers"]
    show_columns = ["unit", "kind_label", "on_date", "reason", "item_numbers", "recorded_at", "recorded_by"]
    search_columns = ["id", "unit", "kind", "on_date"]
    add_columns = ["unit", "kind", "reason", "on_date", "items"]
    edit_columns = add_columns
    add_form_extra_fields = {"kind": coded_select(_l("Type"), AccountabilityKind.LABELS)}
    edit_form_extra_fields = add_form_extra_fields
    add_form_query_rel_fields = UNIT_CHOICE
    edit_form_query_rel_fields = UNIT_CHOICE
    search_form_query_rel_fields = UNIT_CHOICE
    formatters_columns = {"unit": _unit_link}
    base_order = ("on_date", "desc")

    def _check(self, item):
        problems = {}
        who = rules.accountability_editor_problem(role_codes())
        if who:
            problems["unit"] = who
        unit_id = item.unit.id if item.unit is not None else item.unit_id
        problems.update(rules.accountability_problems(unit_id, item.kind, item.reason, item.on_date, clock.today(),
                                                      [i.unit_id for i in item.items]))
        if problems:
            _refuse({k: [v] for k, v in problems.items()})
        item.recorded_at = clock.utcnow()
        item.recorded_by_id = g.user.id

    def pre_add(self, item):
        self._check(item)
        super().pre_add(item)

    def pre_update(self, item):
        self._check(item)
        super().pre_update(item)

    def pre_delete(self, item):
        who = rules.accountability_editor_problem(role_codes())
        if who:
            raise RuleViolation({"unit": [who]})
        super().pre_delete(item)

    @expose("/unit/<int:org_id>")
    @has_access
    def unit_page(self, org_id):
        """One unit: its contact person, its supervision items with their colours, its accountability records."""
        unit = db.session.get(Organization, org_id)
        if unit is None or not user_scope().allows_org(org_id):
            abort(404)
        records = db.session.scalars(scope(select(AccountabilityRecord).where(
            AccountabilityRecord.unit_id == org_id), AccountabilityRecord).order_by(
            AccountabilityRecord.on_date.desc())).all()
        items = db.session.scalars(scope(select(SupervisionItem).where(SupervisionItem.unit_id == org_id),
                                         SupervisionItem).order_by(SupervisionItem.id.desc())).all()
        contact = db.session.scalar(select(WorkContact).where(WorkContact.org_id == org_id))
        return self.render_template("supervision/unit.html", unit=unit, records=records, items=items,
                                    contact=contact, title=_l("Supervision and accountability of a unit"),
                                    labels={**ITEM_LABELS, **RECORD_LABELS}, contact_labels=CONTACT_LABELS)


class WorkContactModelView(ScopedModelView):
    datamodel = ScopedInterface(WorkContact)
    class_permission_name = WORK_CONTACT
    method_permission_name = {**METHOD_PERMISSIONS, "overview": "read"}
    route_base = "/contacts"
    list_title = _l("Contact persons")
    show_title = _l("Contact person")
    add_title = _l("Name your unit's contact person")
    edit_title = _l("Edit contact person")
    label_columns = CONTACT_LABELS
    list_columns = ["org", "name", "post", "office_phone", "mobile"]
    show_columns = ["org", "name", "post", "office_phone", "mobile", "changed_at"]
    search_columns = ["id", "org", "name"]
    add_columns = ["name", "post", "office_phone", "mobile"]
    edit_columns = add_columns
    validators_columns = {"name": [Length(max=60)], "post": [Length(max=120)], "office_phone": [Length(max=40)],
                          "mobile": [Length(max=20)]}
    base_order = ("org_id", "asc")

    def _check(self, item, org_id):
        problems = {}
        who = rules.contact_editor_problem(g.user.org_id, org_id)
        if who:
            problems["name"] = who
        problems.update(rules.contact_problems(item.name, item.post, item.office_phone, item.mobile))
        if problems:
            _refuse({k: [v] for k, v in problems.items()})
        item.changed_at = clock.utcnow()

    def pre_add(self, item):
        if g.user.org_id is not None and db.session.scalar(
                select(WorkContact.id).where(WorkContact.org_id == g.user.org_id)):
            _refuse({"name": [_l("Your unit has named its contact person already: edit that one.")]})
        item.org_id = g.user.org_id
        self._check(item, item.org_id)
        super().pre_add(item)

    def pre_update(self, item):
        self._check(item, item.org_id)
        super().pre_update(item)

    def pre_delete(self, item):
        who = rules.contact_editor_problem(g.user.org_id, item.org_id)
        if who:
            raise RuleViolation({"name": [who]})
        super().pre_delete(item)

    @expose("/units/")
    @has_access
    def overview(self):
        """The member units and their contact persons (missing ones flagged), and the leading-group roster."""
        from app.org.cache import all_orgs

        s = user_scope()
        units = [u for u in all_orgs() if s.allows_org(u.id)]
        rows = services.contact_overview(units)
        roster = db.session.scalars(select(LeadingGroupMember).order_by(
            LeadingGroupMember.sort_order, LeadingGroupMember.id)).all()
        own = next((c for u, c in rows if u.id == g.user.org_id), None)
        can_write = self.appbuilder.sm.has_access("can_write", WORK_CONTACT)
        return self.render_template(
            "supervision/contacts.html", rows=rows, roster=roster, own=own, title=_l("Contacts and leading group"),
            missing=sum(1 for _u, c in rows if c is None), labels=CONTACT_LABELS, roster_labels=ROSTER_LABELS,
            can_name=can_write and g.user.org_id is not None and own is None
            and any(u.id == g.user.org_id for u, _c in rows),
            can_roster=can_write and rules.roster_editor_problem(role_codes()) is None)


class LeadingGroupMemberModelView(ScopedModelView):
    datamodel = ScopedInterface(LeadingGroupMember)
    class_permission_name = WORK_CONTACT
    route_base = "/leading-group"
    list_title = _l("Leading group roster")
    show_title = _l("Member of the leading group")
    add_title = _l("Add a member of the leading group")
    edit_title = _l("Edit a member of the leading group")
    label_columns = ROSTER_LABELS
    list_columns = ["sort_order", "name", "group_post_label", "org", "post"]
    show_columns = ["sort_order", "name", "group_post_label", "org", "post"]
    search_columns = ["name", "group_post", "org"]
    add_columns = ["sort_order", "name", "group_post", "org", "post"]
    edit_columns = add_columns
    add_form_extra_fields = {"group_post": coded_select(_l("Post in the leading group"), GroupPost.LABELS)}
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {"name": [Length(max=60)], "post": [Length(max=120)]}
    base_order = ("sort_order", "asc")

    def _check(self, item):
        problems = {}
        who = rules.roster_editor_problem(role_codes())
        if who:
            problems["name"] = who
        problems.update(rules.roster_problems(item.name, item.group_post))
        if problems:
            _refuse({k: [v] for k, v in problems.items()})

    def pre_add(self, item):
        self._check(item)
        super().pre_add(item)

    def pre_update(self, item):
        self._check(item)
        super().pre_update(item)

    def pre_delete(self, item):
        who = rules.roster_editor_problem(role_codes())
        if who:
            raise RuleViolation({"name": [who]})
        super().pre_delete(item)


class SupervisionItemApi(ScopedModelRestApi):
    datamodel = SQLAInterface(SupervisionItem)
    class_permission_name = SUPERVISION_ITEM
    resource_name = "supervisionitem"
    include_route_methods = {"get", "get_list", "info", "put"}
    list_columns = ["id", "unit.id", "title", "opened_on", "deadline", "status", "round", "task_id", "report_id",
                    "signed_at", "responded_at", "closed_at"]
    show_columns = list_columns + ["requirement", "response", "return_reason"]
    edit_columns = ["title", "requirement", "deadline"]
    search_columns = ["id", "unit", "status", "deadline"]
    label_columns = ITEM_LABELS

    def pre_update(self, item):
        problems = _edit_problems(item)
        if problems:
            raise RuleViolation(problems)
        services.record_edit(g.user, item)
        super().pre_update(item)


class WorkContactApi(ScopedModelRestApi):
    datamodel = SQLAInterface(WorkContact)
    class_permission_name = WORK_CONTACT
    resource_name = "workcontact"
    include_route_methods = {"get", "get_list", "info", "put"}
    list_columns = ["id", "org.id", "name", "post", "office_phone", "mobile"]
    show_columns = list_columns
    edit_columns = ["name", "post", "office_phone", "mobile"]
    search_columns = ["id", "org", "name"]
    label_columns = CONTACT_LABELS

    def pre_update(self, item):
        problems = {}
        who = rules.contact_editor_problem(g.user.org_id, item.org_id)
        if who:
            problems["name"] = who
        problems.update(rules.contact_problems(item.name, item.post, item.office_phone, item.mobile))
        if problems:
            raise RuleViolation({k: [v] for k, v in problems.items()})
        item.changed_at = clock.utcnow()
        super().pre_update(item)


class AccountabilityApi(ScopedModelRestApi):
    datamodel = SQLAInterface(AccountabilityRecord)
    class_permission_name = ACCOUNTABILITY
    resource_name = "accountability"
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "unit.id", "kind", "reason", "on_date"]
    show_columns = list_columns
    search_columns = ["id", "unit", "kind", "on_date"]
    label_columns = RECORD_LABELS


def register_audit_labels():
    """Let the audit pages name this stream's models, fields and codes (called from the stream's init_app)."""
    register_model(SupervisionItem, _l("Supervision item"), ITEM_LABELS, {"status": ItemStatus.LABELS})
    register_model(SupervisionStep, _l("Step of a supervision item"), STEP_LABELS, {"action": StepAction.LABELS})
    register_model(AccountabilityRecord, _l("Accountability record"), RECORD_LABELS,
                   {"kind": AccountabilityKind.LABELS})
    register_model(WorkContact, _l("Contact person"), CONTACT_LABELS)
    register_model(LeadingGroupMember, _l("Member of the leading group"), ROSTER_LABELS,
                   {"group_post": GroupPost.LABELS})
