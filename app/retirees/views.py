"""Ledger pages and REST API: configuration on the scoped bases, rules from `rules.py`."""
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_babel import lazy_gettext as _l
from flask_appbuilder import expose
from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
from flask_appbuilder.security.decorators import has_access
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional

from app.audit import register_model
from app.forms_common import RuleCheck, coded_select, editing_pk
from app.retirees import idcard, rules
from app.retirees.models import Category, Ethnicity, Gender, PensionSource, Retiree
from app import exports
from app.roster.workbook import export_columns
from app.scoped_views import ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import sees_full_resident_id
from app.security.roles import RETIREE

LABELS = {
    "id": _l("ID"),
    "enterprise": _l("Enterprise"),
    "name_zh": _l("Name (Chinese)"),
    "name_bo": _l("Name (Tibetan)"),
    "name_display": _l("Name"),
    "gender": _l("Gender"),
    "gender_label": _l("Gender"),
    "ethnicity": _l("Ethnicity"),
    "ethnicity_label": _l("Ethnicity"),
    "resident_id": _l("Resident ID number"),
    "resident_id_display": _l("Resident ID number"),
    "birth_date": _l("Birth date"),
    "retirement_date": _l("Retirement date"),
    "category": _l("Category"),
    "category_label": _l("Category"),
    "insured_county": _l("Insured place"),
    "registered_residence": _l("Registered residence"),
    "actual_residence": _l("Actual residence"),
    "receiving_county": _l("Receiving county/district"),
    "receiving_township": _l("Receiving township/street"),
    "receiving_community": _l("Receiving community"),
    "liaison_office": _l("Liaison office"),
    "is_lixiu": _l("Retired before 1949 system (lixiu)"),
    "party_member": _l("Party member"),
    "leader_cadre": _l("Former leader cadre"),
    "special_unit": _l("Financial or central unit (special rules)"),
    "pension_source": _l("Pension source"),
    "pension_source_label": _l("Pension source"),
    "medical_local": _l("Medical insurance under local management"),
    "deceased": _l("Deceased"),
    "death_date": _l("Date of death"),
    "note": _l("Note"),
    "created_on": _l("Created on"),
    "changed_on": _l("Changed on"),
}

FORM_COLUMNS = [
    "enterprise", "name_zh", "name_bo", "gender", "ethnicity", "resident_id", "birth_date",
    "retirement_date", "category", "insured_county", "registered_residence", "actual_residence",
    "receiving_county", "receiving_township", "receiving_community", "liaison_office", "is_lixiu",
    "party_member", "leader_cadre", "special_unit", "pension_source", "medical_local", "deceased",
    "death_date", "note",
]


def _id_rule(form, field):
    return rules.resident_id_problem(field.data) or rules.duplicate_problem(
        idcard.normalize(field.data), editing_pk()
    )


def _birth_rule(form, field):
    return rules.birth_date_problem(form.resident_id.data, field.data)


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
        "gender": coded_select(_l("Gender"), Gender.LABELS),
        "ethnicity": coded_select(_l("Ethnicity"), Ethnicity.LABELS),
        "category": coded_select(_l("Category"), Category.LABELS),
        "pension_source": coded_select(_l("Pension source"), PensionSource.LABELS),
    }


class RetireeModelView(ScopedModelView):
    datamodel = ScopedInterface(Retiree)
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
                                   "resident_id_display", "birth_date"]}),
        (_l("Retirement"), {"fields": ["enterprise", "retirement_date", "category_label", "pension_source_label",
                                       "insured_county", "medical_local", "is_lixiu", "party_member",
                                       "leader_cadre", "special_unit"]}),
        (_l("Residence and receiving place"), {"fields": ["registered_residence", "actual_residence",
                                                         "receiving_county", "receiving_township",
                                                         "receiving_community", "liaison_office"]}),
        (_l("Status"), {"fields": ["deceased", "death_date", "note", "created_on", "changed_on"]}),
    ]
    add_columns = FORM_COLUMNS
    edit_columns = FORM_COLUMNS
    add_form_extra_fields = _form_fields()
    edit_form_extra_fields = _form_fields()
    validators_columns = {
        "name_zh": [DataRequired(), Length(max=60)],
        "name_bo": [Optional(), Length(max=120)],
        "birth_date": [DataRequired(), RuleCheck(_birth_rule)],
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


    list_template = "retirees/list.html"
    method_permission_name = {**ScopedModelView.method_permission_name, "export": "read"}

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

    def _mask(self, row):
        if "resident_id" in row and not sees_full_resident_id():
            row["resident_id"] = idcard.mask(row["resident_id"])

    def pre_get_list(self, data):
        for row in data.get("result", []):
            self._mask(row)

    def pre_get(self, data):
        self._mask(data.get("result", {}))


register_model(Retiree, _l("Retiree"), LABELS, {
    "gender": Gender.LABELS, "ethnicity": Ethnicity.LABELS, "category": Category.LABELS,
    "pension_source": PensionSource.LABELS,
})
