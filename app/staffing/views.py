"""Staffing pages: the 1:200 overview per township/community, the county's records, enterprises' placements."""
from flask import g
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.models.filters import BaseFilter
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.audit import register_model
from app.org.models import Organization, OrgKind
from app.forms_common import coded_select
from app.rules import RuleViolation
from app.scoped_views import METHOD_PERMISSIONS, ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import role_codes
from app.security.roles import STAFFING
from app.security.scope import user_scope
from app.staffing import rules, services
from app.staffing.models import StaffingRecord, StaffPlacement
from app.staffing.rules import Placement, StaffingState

class StaffedUnitFilter(BaseFilter):
    """The townships/streets and communities of the user's scope (the units that get staff)."""

    name = "Staffed unit"
    arg_name = None

    def apply(self, query, value):
        query = query.filter(Organization.kind.in_((OrgKind.TOWNSHIP, OrgKind.COMMUNITY)))
        s = user_scope()
        return query if s.city_wide else query.filter(Organization.id.in_(sorted(s.org_ids) or [-1]))


RECORD_LABELS = {"unit": _l("Township/street or community"), "as_of": _l("As of"),
                 "full_time": _l("Full-time staff"), "part_time": _l("Part-time staff"), "note": _l("Note"),
                 "recorded_by": _l("Recorded by"), "recorded_at": _l("Recorded on")}
PLACEMENT_LABELS = {"enterprise": _l("Enterprise"), "person_name": _l("Name"), "former_post": _l("Former post"),
                    "placement": _l("Placement"), "placement_label": _l("Placement"), "new_post": _l("New post"),
                    "placed_on": _l("Placed on"), "contract_changed": _l("Labour contract changed lawfully"),
                    "note": _l("Note")}


class StaffingRecordModelView(ScopedModelView):
    datamodel = ScopedInterface(StaffingRecord)
    class_permission_name = STAFFING
    method_permission_name = {**METHOD_PERMISSIONS, "overview": "read"}
    route_base = "/staffing"
    list_title = _l("Staff assigned to townships and communities")
    show_title = _l("Staff assigned")
    add_title = _l("Record the staff assigned")
    edit_title = _l("Edit the staff assigned")
    label_columns = RECORD_LABELS
    list_columns = ["unit", "as_of", "full_time", "part_time", "recorded_by"]
    show_columns = ["unit", "as_of", "full_time", "part_time", "note", "recorded_by", "recorded_at"]
    add_columns = ["unit", "as_of", "full_time", "part_time", "note"]
    edit_columns = add_columns
    search_columns = ["id", "unit", "as_of"]
    validators_columns = {"as_of": [DataRequired()], "full_time": [NumberRange(0, 500)],
                          "part_time": [NumberRange(0, 500)], "note": [Optional(), Length(max=500)]}
    add_form_query_rel_fields = {"unit": [["id", StaffedUnitFilter, None]]}
    edit_form_query_rel_fields = add_form_query_rel_fields
    base_order = ("as_of", "desc")

    def pre_add(self, item):
        services.save_staffing(g.user, item)
        super().pre_add(item)

    def pre_update(self, item):
        services.save_staffing(g.user, item)
        super().pre_update(item)

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("Staffing records are kept as history; record a new date instead.")]})

    @expose("/overview/")
    @has_access
    def overview(self):
        rows = services.overview(g.user)
        can_record = rules.may(role_codes(), "record_staffing", unit_in_scope=True) and \
            self.appbuilder.sm.has_access("can_write", STAFFING)
        return self.render_template("staffing/overview.html", title=_l("Staffing at 1:200"), rows=rows,
                                    states=StaffingState, ratio=rules.RATIO, can_record=can_record,
                                    short=sum(1 for r in rows if r[4] == StaffingState.SHORT),
                                    gap=sum(r[5] for r in rows))


class StaffPlacementModelView(ScopedModelView):
    datamodel = ScopedInterface(StaffPlacement)
    class_permission_name = STAFFING
    route_base = "/placements"
    list_title = _l("Re-placement of enterprise staff")
    show_title = _l("Re-placement of a staff member")
    add_title = _l("Record a re-placement")
    edit_title = _l("Edit a re-placement")
    label_columns = PLACEMENT_LABELS
    list_columns = ["enterprise", "person_name", "former_post", "placement_label", "new_post", "placed_on",
                    "contract_changed"]
    show_columns = list_columns + ["note"]
    add_columns = ["person_name", "former_post", "placement", "new_post", "placed_on", "contract_changed", "note"]
    edit_columns = add_columns
    add_form_extra_fields = {"placement": coded_select(_l("Placement"), Placement.LABELS)}
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {"person_name": [DataRequired(), Length(max=60)], "placed_on": [DataRequired()],
                          "former_post": [Optional(), Length(max=120)], "new_post": [Optional(), Length(max=120)],
                          "note": [Optional(), Length(max=500)]}
    search_columns = ["id", "enterprise", "person_name", "placement"]
    base_order = ("placed_on", "desc")

    def pre_add(self, item):
        services.save_placement(g.user, item)
        super().pre_add(item)

    def pre_update(self, item):
        services.save_placement(g.user, item)
        super().pre_update(item)


class StaffingRecordApi(ScopedModelRestApi):
    """Read-only: records are written on the pages, through the same service."""

    datamodel = SQLAInterface(StaffingRecord)
    class_permission_name = STAFFING
    resource_name = "staffingrecord"
    search_columns = ["id"]
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "unit.id", "unit.name_zh", "as_of", "full_time", "part_time", "note"]
    show_columns = list_columns
    label_columns = RECORD_LABELS


class StaffPlacementApi(ScopedModelRestApi):
    """Read-only: records are written on the pages, through the same service."""

    datamodel = SQLAInterface(StaffPlacement)
    class_permission_name = STAFFING
    resource_name = "staffplacement"
    search_columns = ["id"]
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "enterprise.id", "person_name", "former_post", "placement", "new_post", "placed_on", "contract_changed"]
    show_columns = list_columns
    label_columns = PLACEMENT_LABELS


def init_app(app, appbuilder):
    # the audit's labels first: FAB fills a view's label dict with English names of the other columns
    register_model(StaffingRecord, _l("Staff assigned"), {**RECORD_LABELS, "unit_id": RECORD_LABELS["unit"]})
    register_model(StaffPlacement, _l("Re-placement of a staff member"), PLACEMENT_LABELS,
                   {"placement": Placement.LABELS})
    appbuilder.add_api(StaffingRecordApi)
    appbuilder.add_api(StaffPlacementApi)
    appbuilder.add_view(StaffingRecordModelView, "Staffing", href="/staffing/overview/", icon="fa-user-plus",
                        label=_l("Staffing"), category="Money and people")
    appbuilder.add_view(StaffPlacementModelView, "Re-placement of enterprise staff", icon="fa-exchange",
                        label=_l("Re-placement of enterprise staff"), category="Money and people")
