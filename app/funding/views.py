"""Funding pages: each county's need at the quota, the shares disbursed, the gap."""
from flask import g, request
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app import clock
from app.audit import register_model
from app.forms_common import coded_select
from app.funding import rules, services
from app.funding.models import FundingRecord
from app.funding.rules import Share
from app.rules import RuleViolation
from app.scoped_views import METHOD_PERMISSIONS, ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import role_codes
from app.security.roles import FUNDING

LABELS = {"county": _l("County/district"), "year": _l("Year"), "share": _l("Share"), "share_label": _l("Share"),
          "budgeted": _l("Budgeted (yuan)"), "disbursed": _l("Disbursed (yuan)"), "disbursed_on": _l("Disbursed on"),
          "note": _l("Note"), "recorded_by": _l("Recorded by"), "recorded_at": _l("Recorded on")}


class FundingRecordModelView(ScopedModelView):
    datamodel = ScopedInterface(FundingRecord)
    class_permission_name = FUNDING
    method_permission_name = {**METHOD_PERMISSIONS, "overview": "read"}
    route_base = "/funding"
    list_title = _l("Funding records")
    show_title = _l("Funding record")
    add_title = _l("Record funding")
    edit_title = _l("Edit funding")
    label_columns = LABELS
    list_columns = ["county", "year", "share_label", "budgeted", "disbursed", "disbursed_on", "recorded_by"]
    show_columns = list_columns + ["note", "recorded_at"]
    add_columns = ["county", "year", "share", "budgeted", "disbursed", "disbursed_on", "note"]
    edit_columns = add_columns
    add_form_extra_fields = {"share": coded_select(_l("Share"), Share.LABELS)}
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {"year": [DataRequired(), NumberRange(2019, 2100)], "budgeted": [NumberRange(min=0)],
                          "disbursed": [NumberRange(min=0)], "note": [Optional(), Length(max=500)]}
    search_columns = ["id", "county", "year", "share"]
    base_order = ("year", "desc")

    def pre_add(self, item):
        services.save_record(g.user, item)
        super().pre_add(item)

    def pre_update(self, item):
        services.save_record(g.user, item)
        super().pre_update(item)

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("Funding records are kept; correct the amount instead.")]})

    @expose("/overview/")
    @has_access
    def overview(self):
        year = request.args.get("year", type=int) or clock.today().year
        year = min(max(year, 2019), clock.today().year + 1)
        rows, quota = services.overview(g.user, year)
        can_record = rules.may(role_codes(), "record") and self.appbuilder.sm.has_access("can_write", FUNDING)
        return self.render_template("funding/overview.html", title=_l("Funding per county"), rows=rows, quota=quota,
                                    year=year, years=range(2020, clock.today().year + 2), can_record=can_record,
                                    total=[sum(r[i] for r in rows) for i in range(1, 6)])


class FundingRecordApi(ScopedModelRestApi):
    """Read-only: records are written on the pages, through the same service."""

    datamodel = SQLAInterface(FundingRecord)
    class_permission_name = FUNDING
    resource_name = "fundingrecord"
    search_columns = ["id"]
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "county.id", "county.name_zh", "year", "share", "budgeted", "disbursed", "disbursed_on"]
    show_columns = list_columns
    label_columns = LABELS


def init_app(app, appbuilder):
    # the audit's labels first: FAB fills a view's label dict with English names of the other columns
    register_model(FundingRecord, _l("Funding record"), LABELS, {"share": Share.LABELS})
    appbuilder.add_api(FundingRecordApi)
    appbuilder.add_view(FundingRecordModelView, "Funding", href="/funding/overview/", icon="fa-jpy",
                        label=_l("Funding"), category="Money and people")
