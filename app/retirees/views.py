"""Ledger pages and REST API: configuration on the scoped bases, rules from `rules.py`."""
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
import datetime
import io

from flask import flash, g, redirect, request, send_file, url_for
from flask_appbuilder import expose
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget, DatePickerWidget
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.urltools import get_filter_args
from wtforms import DateField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.audit import register_model
from app.extensions import db
from app.forms_common import RuleCheck, coded_select, editing_pk
from app.retirees import idcard, rules, services
from app.dates import parse_date
from app.retirees.codes import (CORRECTABLE_FIELDS, SIDE_LABELS, Category, CorrectionStatus, EndReason, Ethnicity,
                                Gender, PensionSource)
from app.retirees.labels import CORRECTION_LABELS, LABELS
from app.retirees.models import Retiree, RetireeCorrection
from app.rules import RuleViolation
from app.security.scope import ScopeError
from app.steps import Refusal
from app import exports
from app.roster.workbook import export_columns
from app.scoped_views import ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import sees_full_resident_id
from app.security.personal import note_full_ids
from app.security.roles import RETIREE

FORM_COLUMNS = [
    "enterprise", "name_zh", "name_bo", "gender", "ethnicity", "resident_id", "birth_date",
    "retirement_date", "category", "insured_county", "registered_residence", "actual_residence",
    "receiving_county", "receiving_township", "receiving_community", "liaison_office", "is_lixiu",
    "party_member", "leader_cadre", "special_unit", "pension_source", "medical_local", "deceased",
    "death_date", "note",
]


def _id_rule(form, field):
    enterprise = getattr(getattr(form, "enterprise", None), "data", None)
    return rules.resident_id_problem(field.data) or services.duplicate_problem(
        idcard.normalize(field.data), editing_pk(), getattr(enterprise, "id", None)
    )


def _birth_rule(form, field):
    return rules.birth_date_problem(form.resident_id.data, field.data)


class BirthDateFromId:
    """The birth date is in the resident ID: an empty field is filled from a valid ID (the form's script
    does it as the ID is typed; this does it for a browser without scripts and for any other client)."""

    def __call__(self, form, field):
        raw = (field.raw_data or [""])[0] if field.raw_data is not None else ""
        if field.data is None and not (raw or "").strip():
            number = idcard.normalize(form.resident_id.data or "")
            if not rules.resident_id_problem(number):
                field.data = idcard.birth_date_of(number)
                field.errors[:] = []


def _gender_rule(form, field):
    return rules.gender_problem(form.resident_id.data, field.data)


def _retirement_rule(form, field):
    return rules.retirement_problem(form.birth_date.data, field.data)


def _death_rule(form, field):
    return rules.death_problem(form.deceased.data, field.data, form.birth_date.data)


def _form_fields():
    # resident_id replaces FAB's generated field so that FAB's generic "Already exists." does not sit beside
    # the rule's message naming the enterprise that holds the number.
    return {
        "resident_id": StringField(_l("Resident ID number"), validators=[DataRequired(), RuleCheck(_id_rule)],
                                   description=_l("18 characters; a final lower-case x is accepted."),
                                   widget=BS3TextFieldWidget()),
        # not FAB's generated field: its required check would run before the birth date is read from the ID
        "birth_date": DateField(_l("Birth date"), validators=[BirthDateFromId(), DataRequired(),
                                                              RuleCheck(_birth_rule)],
                                description=_l("Read from the resident ID number"), widget=DatePickerWidget()),
        "gender": coded_select(_l("Gender"), Gender.LABELS),
        "ethnicity": coded_select(_l("Ethnicity"), Ethnicity.LABELS),
        "category": coded_select(_l("Category"), Category.LABELS),
        "pension_source": coded_select(_l("Pension source"), PensionSource.LABELS),
    }


def _write(step, actor, item):
    """Run a write service; on any refusal the session is rolled back before the view reports it."""
    try:
        step(actor, item)
    except Exception:
        db.session.rollback()
        raise


class RetireeModelView(ScopedModelView):
    datamodel = ScopedInterface(Retiree)
    may_stream = "retirees"
    may_actions = {"add": "add", "edit": "edit", "delete": "delete"}
    class_permission_name = RETIREE
    route_base = "/retirees"

    list_title = _l("Retiree ledger")
    show_title = _l("Retiree")
    add_title = _l("Add retiree")
    edit_title = _l("Edit retiree")

    label_columns = LABELS
    list_columns = ["name_display", "gender_label", "resident_id_display", "enterprise", "category_label",
                    "retirement_date", "receiving_county", "party_member"]
    order_columns = ["retirement_date"]
    base_order = ("id", "asc")
    # The filters people use; every extra one costs every list page its rendered options.
    search_columns = ["name_zh", "name_bo", "resident_id", "enterprise", "category", "receiving_county",
                      "retirement_date", "party_member", "leader_cadre", "is_lixiu", "deceased"]
    show_fieldsets = [
        (_l("Person"), {"fields": ["name_zh", "name_bo", "gender_label", "ethnicity_label",
                                   "resident_id_display", "birth_date_display"]}),
        (_l("Retirement"), {"fields": ["enterprise", "retirement_date", "category_label", "pension_source_label",
                                       "insured_county", "medical_local", "is_lixiu", "party_member",
                                       "leader_cadre", "special_unit"]}),
        (_l("Residence and receiving place"), {"fields": ["registered_residence", "actual_residence",
                                                         "receiving_county", "receiving_township",
                                                         "receiving_community", "liaison_office"]}),
        (_l("Status"), {"fields": ["deceased", "death_date", "note", "created_on", "changed_on"]}),
    ]
    # the receiving county assigns township and community (rules.field_problems): a new record has neither
    add_columns = [c for c in FORM_COLUMNS if c not in ("receiving_township", "receiving_community")]
    edit_columns = FORM_COLUMNS
    add_form_extra_fields = _form_fields()
    edit_form_extra_fields = _form_fields()
    validators_columns = {
        "name_zh": [DataRequired(), Length(max=60)],
        "name_bo": [Optional(), Length(max=120)],
        "gender": [RuleCheck(_gender_rule)],
        "retirement_date": [DataRequired(), RuleCheck(_retirement_rule)],
        "death_date": [RuleCheck(_death_rule)],
        "registered_residence": [Length(max=200)],
        "actual_residence": [Length(max=200)],
        "note": [Length(max=500)],
    }
    description_columns = {
        "receiving_county": _l("By policy: the insured place first, then the enterprise's location."),
    }


    # Every write goes through the ledger's one write service (app/retirees/services.py).
    def pre_add(self, item):
        _write(services.create_retiree, g.user, item)

    def pre_update(self, item):
        _write(services.update_retiree, g.user, item)

    def pre_delete(self, item):
        _write(services.delete_retiree, g.user, item)

    def _get_search_widget(self, form=None, exclude_cols=None, widgets=None):
        widgets = super()._get_search_widget(form=form, exclude_cols=exclude_cols, widgets=widgets)
        if not sees_full_resident_id():  # not offered a filter it would be refused (security/personal.py)
            args = widgets["search"].template_args
            args["include_cols"] = [c for c in args["include_cols"] if c != "resident_id"]
        return widgets

    list_template = "retirees/list.html"
    add_template = "retirees/add.html"
    edit_template = "retirees/edit.html"
    show_template = "retirees/show.html"

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        item = self._scoped(pk)
        widgets = self._show(pk)
        # the reasons this user may end the record with (rules.end_problem): none, a death only, or all
        side = services.side_of(g.user)
        reasons = {code: label for code, label in EndReason.LABELS.items()
                   if rules.end_problem(side, code, "-", False) is None}
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=widgets,
                                    related_views=[], retiree=item, end_reasons=reasons,
                                    all_reasons=EndReason.LABELS)

    @expose("/<int:pk>/end", methods=["POST"])
    @has_access
    def end(self, pk):
        """End a record with a reason (deceased, duplicate, ...) instead of deleting it."""
        item = self._scoped(pk)
        try:
            on_date = parse_date(request.form.get("ended_on"))
        except (ValueError, OverflowError):
            flash(gettext("Not a date (write it as 2020-06-30)."), "danger")
            return redirect(url_for(".show", pk=pk))
        _run_write(services.end_record, item, request.form.get("end_reason"), on_date, request.form.get("end_note"),
                   success=_l("The record was ended."))
        return redirect(url_for(".show", pk=pk))

    method_permission_name = {**ScopedModelView.method_permission_name, "export": "read", "end": "write"}

    @expose("/export.xlsx")
    @has_access
    def export(self):
        """The whole ledger as filtered on the list page (scope included), in the roster template's columns,
        streamed row by row (app/exports.py): no row cap unless EXPORT_MAX_ROWS says so before it starts."""
        from app.roster.workbook import SHEETS, _lang

        return exports.export_view(self, export_columns(full_ids=sees_full_resident_id()), "xlsx",
                                   _l("Retiree ledger"), sheet_title=SHEETS[_lang()]["roster"], header_height=48,
                                   columns_only=True)


class RetireeApi(ScopedModelRestApi):
    datamodel = SQLAInterface(Retiree)
    may_stream = "retirees"
    may_actions = {"post": "add", "put": "edit", "delete": "delete"}
    class_permission_name = RETIREE
    resource_name = "retiree"
    allow_browser_login = True
    list_columns = ["id", "name_zh", "name_bo", "gender", "ethnicity", "resident_id", "birth_date",
                    "retirement_date", "category", "enterprise.id", "enterprise.name_zh",
                    "receiving_county.id", "receiving_county.name_zh", "party_member", "leader_cadre",
                    "is_lixiu", "deceased"]
    show_columns = ["id", "name_zh", "name_bo", "gender", "ethnicity", "resident_id", "birth_date",
                    "retirement_date", "category", "enterprise.id", "enterprise.name_zh", "insured_county.id",
                    "registered_residence", "actual_residence", "receiving_county.id",
                    "receiving_township.id", "receiving_community.id", "liaison_office.id", "is_lixiu",
                    "party_member", "leader_cadre", "special_unit", "pension_source", "medical_local",
                    "deceased", "death_date", "note"]
    add_columns = FORM_COLUMNS
    edit_columns = FORM_COLUMNS
    search_columns = ["name_zh", "name_bo", "resident_id", "enterprise", "category", "gender",
                      "receiving_county", "party_member", "leader_cadre", "is_lixiu"]
    order_columns = ["id", "name_zh", "retirement_date", "birth_date"]
    label_columns = LABELS

    def pre_add(self, item):
        _write(services.create_retiree, g.user, item)

    def pre_update(self, item):
        _write(services.update_retiree, g.user, item)

    def pre_delete(self, item):
        _write(services.delete_retiree, g.user, item)

    def _mask(self, row):
        if sees_full_resident_id():
            if row.get("resident_id"):
                note_full_ids("Retiree", [row.get("id")])
            return
        if "resident_id" in row:
            row["resident_id"] = idcard.mask(row["resident_id"])
        if row.get("birth_date"):
            row["birth_date"] = row["birth_date"][:4]  # the year alone beside a masked number

    def pre_get_list(self, data):
        for row in data.get("result", []):
            self._mask(row)

    def pre_get(self, data):
        self._mask(data.get("result", {}))


CORRECTION_FIELDS = {column: LABELS[column] for column in CORRECTABLE_FIELDS}


class RetireeCorrectionModelView(ScopedModelView):
    """Correction requests of locked records: asked by one side, decided by the other (services)."""

    datamodel = ScopedInterface(RetireeCorrection)
    class_permission_name = RETIREE
    route_base = "/retiree-corrections"
    list_title = _l("Correction requests")
    show_title = _l("Correction request")
    add_title = _l("Ask for a correction")
    label_columns = CORRECTION_LABELS
    list_columns = ["retiree_name", "field_label", "old_value", "new_value", "requested_side_label", "requested_on",
                    "status_label"]
    show_columns = ["retiree_name", "enterprise", "receiving_county", "field_label", "old_value", "new_value",
                    "reason", "requested_side_label", "requested_by", "requested_on", "status_label", "decided_by",
                    "decided_on", "decision_note"]
    search_columns = ["id", "status", "enterprise", "receiving_county"]
    add_columns = ["retiree", "field", "new_value", "reason"]
    edit_columns = ["reason"]
    add_form_extra_fields = {
        "field": coded_select(_l("Field"), CORRECTION_FIELDS),
        "new_value": StringField(_l("Corrected value"), validators=[DataRequired(), Length(max=200)],
                                 description=_l("Dates as 2020-06-30; yes/no as 是 or 否."),
                                 widget=BS3TextFieldWidget()),
    }
    validators_columns = {"reason": [DataRequired(), Length(max=500)]}
    base_order = ("id", "desc")
    show_template = "retirees/correction_show.html"
    method_permission_name = {**ScopedModelView.method_permission_name, "accept": "write", "reject": "write"}

    def pre_add(self, item):
        _write(services.request_correction, g.user, item)

    def pre_update(self, item):
        db.session.rollback()
        raise RuleViolation({"reason": [_l("A correction request is decided, not edited.")]})

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("Correction requests are kept.")]})

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        item = self._scoped(pk)
        widgets = self._show(pk)
        side = services.side_of(g.user)
        decidable = rules.correction_decision_problem(side, item.requested_side, item.status) is None
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=widgets,
                                    related_views=[], correction=item, decidable=decidable)

    @expose("/<int:pk>/accept", methods=["POST"])
    @has_access
    def accept(self, pk):
        item = self._scoped(pk)
        _run_write(services.decide_correction, item, True, request.form.get("note"),
                   success=_l("The correction was accepted and applied."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/reject", methods=["POST"])
    @has_access
    def reject(self, pk):
        item = self._scoped(pk)
        _run_write(services.decide_correction, item, False, request.form.get("note"),
                   success=_l("The correction was rejected."))
        return redirect(url_for(".show", pk=pk))


class RetireeCorrectionApi(ScopedModelRestApi):
    """Correction requests, read-only over REST (asked and decided on the pages, through the service)."""

    datamodel = SQLAInterface(RetireeCorrection)
    class_permission_name = RETIREE
    resource_name = "retireecorrection"
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "retiree.id", "enterprise.id", "receiving_county.id", "field", "old_value", "new_value",
                    "reason", "requested_side", "requested_on", "status", "decided_on", "decision_note"]
    show_columns = list_columns
    search_columns = ["id", "status", "enterprise", "receiving_county"]
    label_columns = CORRECTION_LABELS


def _run_write(step, *args, success):
    """run_step for the ledger's services, whose field refusals are RuleViolations."""
    try:
        step(g.user, *args)
        db.session.commit()
        flash(str(success), "success")
        return True
    except (Refusal, RuleViolation, ScopeError) as e:
        db.session.rollback()
        flash(getattr(e, "message", None) if isinstance(e, Refusal) else str(e), "danger")
        return False


def register_audit_labels():
    """Let the audit pages name this stream's models, fields and codes (called from the stream's init_app)."""
    register_model(Retiree, _l("Retiree"), LABELS, {
        "gender": Gender.LABELS, "ethnicity": Ethnicity.LABELS, "category": Category.LABELS,
        "pension_source": PensionSource.LABELS, "end_reason": EndReason.LABELS,
    })
    register_model(RetireeCorrection, _l("Correction request"), CORRECTION_LABELS, {
        "status": CorrectionStatus.LABELS, "requested_side": SIDE_LABELS, "field": CORRECTION_FIELDS})
