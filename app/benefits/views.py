"""Social-security linkage pages: one record per retiree; each department sees every field and changes only its
own (the others are shown read-only and never sent back), and an overview of where each stream stands."""
from flask import g
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from wtforms.validators import Length, NumberRange, Optional

from app.audit import register_model
from app.benefits import rules, services
from app.benefits.models import BenefitLink
from app.handover.models import RETIREE_ROW_LABELS
from app.rules import RuleViolation
from app.scoped_views import METHOD_PERMISSIONS, ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import role_codes
from app.security.roles import BENEFITS
from app.security.scope import ScopeFilter

LABELS = {
    **RETIREE_ROW_LABELS,
    "pension_confirmed_through": _l("Pension paid on time and in full through (month)"),
    "fiscal_applied_on": _l("Fiscally funded pension applied for through the original channel on"),
    "work_injury": _l("Work-injury insurance benefits"),
    "injury_level": _l("Disability level"),
    "injury_linked_on": _l("Work-injury benefits linked on"),
    "medical_from": _l("Medical insurance transferred from"),
    "medical_to": _l("Medical insurance transferred to"),
    "medical_transferred_on": _l("Medical insurance transferred on"),
    "mutual_aid": _l("Old medical mutual-aid benefits kept on their channel"),
    "mutual_aid_channel": _l("Channel of the mutual-aid benefits"),
    "note": _l("Note"),
    "changed_on": _l("Changed on"),
}
FIELDS = ["pension_confirmed_through", "work_injury", "injury_level", "injury_linked_on", "medical_from",
          "medical_to", "medical_transferred_on", "mutual_aid", "mutual_aid_channel", "fiscal_applied_on", "note"]


class BenefitLinkModelView(ScopedModelView):
    datamodel = ScopedInterface(BenefitLink)
    class_permission_name = BENEFITS
    method_permission_name = {**METHOD_PERMISSIONS, "overview": "read"}
    route_base = "/benefits"
    list_title = _l("Social-security linkage")
    show_title = _l("Social-security linkage")
    add_title = _l("Open a social-security linkage record")
    edit_title = _l("Edit the social-security linkage")
    label_columns = LABELS
    list_columns = ["retiree_name", "receiving_county", "pension_confirmed_through", "work_injury",
                    "medical_transferred_on", "fiscal_applied_on"]
    show_columns = ["retiree_name", "enterprise", "receiving_county", "receiving_community"] + FIELDS + ["changed_on"]
    add_columns = ["retiree"] + FIELDS
    edit_columns = FIELDS
    search_columns = ["id", "retiree", "receiving_county", "work_injury", "mutual_aid"]
    validators_columns = {"injury_level": [Optional(), NumberRange(1, 10)],
                          "medical_from": [Optional(), Length(max=200)], "medical_to": [Optional(), Length(max=200)],
                          "mutual_aid_channel": [Optional(), Length(max=200)], "note": [Optional(), Length(max=500)]}
    add_form_query_rel_fields = {"retiree": [["id", ScopeFilter, None]]}
    base_order = ("id", "asc")

    def _foreign_fields(self):
        """The fields another department records: shown, never written by this user's form."""
        own = rules.editable_fields(role_codes())
        return [f for f in rules.FIELD_SIDES if f not in own]

    def _readonly(self, form):
        for name in self._foreign_fields():
            if name in form:
                form[name].render_kw = {**(form[name].render_kw or {}), "disabled": True}
        return form

    def _get_add_widget(self, form, exclude_cols=None, widgets=None):
        return super()._get_add_widget(self._readonly(form), exclude_cols, widgets)

    def _get_edit_widget(self, form, exclude_cols=None, widgets=None):
        return super()._get_edit_widget(self._readonly(form), exclude_cols, widgets)

    def process_form(self, form, is_created):
        # the form still shows them (and can be shown again beside a refusal), but never writes them back
        for name in self._foreign_fields():
            if name in form:
                form[name].populate_obj = lambda obj, attr: None

    def pre_add(self, item):
        services.save(g.user, item, new=True)
        super().pre_add(item)

    def pre_update(self, item):
        services.save(g.user, item, new=False)
        super().pre_update(item)

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("Linkage records are kept.")]})

    @expose("/overview/")
    @has_access
    def overview(self):
        return self.render_template("benefits/overview.html", title=_l("Social-security linkage"),
                                    f=services.figures(), can_open=rules.may(g.user, "open")
                                    and self.appbuilder.sm.has_access("can_write", BENEFITS))


class BenefitLinkApi(ScopedModelRestApi):
    datamodel = SQLAInterface(BenefitLink)
    class_permission_name = BENEFITS
    resource_name = "benefitlink"
    # records are opened on the form (one per retiree); the API reads them and changes them via the service
    include_route_methods = {"get", "get_list", "info", "put"}
    search_columns = ["id", "retiree", "receiving_county"]
    list_columns = ["id", "retiree.id", "retiree.name_zh"] + FIELDS
    show_columns = list_columns
    add_columns = ["retiree"] + FIELDS
    edit_columns = FIELDS
    label_columns = LABELS

    def pre_update(self, item):
        services.save(g.user, item, new=False)
        super().pre_update(item)


def init_app(app, appbuilder):
    register_model(BenefitLink, _l("Social-security linkage"), dict(LABELS))
    appbuilder.add_api(BenefitLinkApi)
    appbuilder.add_view(BenefitLinkModelView, "Social-security linkage", href="/benefits/overview/",
                        icon="fa-heart", label=_l("Social-security linkage"), category="Money and people")
