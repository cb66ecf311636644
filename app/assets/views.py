"""Asset-transfer pages (thin: every step goes through `services.py`)."""
from flask import g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.assets import services
from app.assets.models import RetireeAsset
from app.assets.rules import AssetKind, AssetStatus, TransferMode
from app.audit import register_model
from app.extensions import db
from app.forms_common import coded_select
from app.org.models import Organization, OrgKind
from app.rules import RuleViolation
from app.scoped_views import METHOD_PERMISSIONS, ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.roles import ASSET
from app.steps import run_step

LABELS = {
    "enterprise": _l("Enterprise"),
    "name": _l("Asset"),
    "kind": _l("Kind"),
    "kind_label": _l("Kind"),
    "location": _l("Location"),
    "book_value": _l("Book value (yuan)"),
    "divisible": _l("Can be divided and handed over"),
    "status": _l("Status"),
    "status_label": _l("Status"),
    "proposed_at": _l("Proposed on"),
    "reviewed_by": _l("Reviewed by"),
    "reviewed_at": _l("Reviewed on"),
    "review_comment": _l("Review comment"),
    "mode": _l("Way of transfer"),
    "mode_label": _l("Way of transfer"),
    "arrangement": _l("Arrangement agreed"),
    "recipient": _l("Receiving township/community"),
    "handed_over_on": _l("Handed over on"),
    "confirmed_by": _l("Receipt confirmed by"),
    "confirmed_at": _l("Receipt confirmed on"),
    "current_use": _l("Current use"),
    "elderly_care": _l("Used for elderly care"),
}
STEPS = {"approve": "write", "return_asset": "write", "hand_over": "write", "confirm": "write", "record_use": "write"}


class RetireeAssetModelView(ScopedModelView):
    datamodel = ScopedInterface(RetireeAsset)
    class_permission_name = ASSET
    method_permission_name = {**METHOD_PERMISSIONS, **STEPS}
    route_base = "/assets"
    list_title = _l("Assets for retirees")
    show_title = _l("Asset for retirees")
    add_title = _l("Propose an asset for transfer")
    edit_title = _l("Edit the asset proposal")
    show_template = "assets/show.html"
    label_columns = LABELS
    list_columns = ["enterprise", "name", "kind_label", "book_value", "status_label", "recipient", "current_use"]
    search_columns = ["id", "enterprise", "name", "kind", "status", "elderly_care"]
    show_columns = ["enterprise", "name", "kind_label", "location", "book_value", "divisible", "status_label",
                    "proposed_at", "reviewed_by", "reviewed_at", "review_comment", "mode_label", "arrangement",
                    "recipient", "handed_over_on", "confirmed_by", "confirmed_at", "current_use", "elderly_care"]
    add_columns = ["name", "kind", "location", "book_value", "divisible"]
    edit_columns = add_columns
    add_form_extra_fields = {"kind": coded_select(_l("Kind"), AssetKind.LABELS)}
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {"name": [DataRequired(), Length(max=200)], "location": [Optional(), Length(max=200)],
                          "book_value": [Optional(), NumberRange(min=0)]}
    base_order = ("id", "asc")

    def pre_add(self, item):
        services.save_proposal(g.user, item, new=True)
        super().pre_add(item)

    def pre_update(self, item):
        services.save_proposal(g.user, item, new=False)
        super().pre_update(item)

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("Asset records are kept.")]})

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        asset = self._scoped(pk)
        widgets = self._show(pk)
        may = {a: services.may(g.user, a, asset) for a in ("edit", "review", "hand_over", "confirm", "record_use")}
        recipients = []
        if may["hand_over"]:
            recipients = db.session.scalars(select(Organization).where(
                Organization.kind.in_((OrgKind.TOWNSHIP, OrgKind.COMMUNITY))).order_by(Organization.path)).all()
        return self.render_template(self.show_template, pk=pk, title=self.show_title, widgets=widgets,
                                    related_views=[], asset=asset, may=may, recipients=recipients,
                                    modes=TransferMode.LABELS)

    def _step(self, pk, step, *args, success):
        asset = self._scoped(pk)
        run_step(step, asset, *args, success=success)
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/approve", methods=["POST"])
    @has_access
    def approve(self, pk):
        return self._step(pk, services.approve, success=_l("The asset was approved for transfer."))

    @expose("/<int:pk>/return", methods=["POST"])
    @has_access
    def return_asset(self, pk):
        return self._step(pk, services.return_asset, request.form.get("comment") or "",
                          success=_l("The proposal was returned to the enterprise."))

    @expose("/<int:pk>/hand-over", methods=["POST"])
    @has_access
    def hand_over(self, pk):
        recipient = request.form.get("recipient_id", type=int)
        return self._step(pk, services.hand_over, recipient, request.form.get("mode") or "",
                          request.form.get("arrangement") or "", success=_l("The asset was handed over."))

    @expose("/<int:pk>/confirm", methods=["POST"])
    @has_access
    def confirm(self, pk):
        return self._step(pk, services.confirm, success=_l("Receipt of the asset is confirmed."))

    @expose("/<int:pk>/use", methods=["POST"])
    @has_access
    def record_use(self, pk):
        return self._step(pk, services.record_use, request.form.get("current_use") or "",
                          bool(request.form.get("elderly_care")), success=_l("The current use was recorded."))


class RetireeAssetApi(ScopedModelRestApi):
    datamodel = SQLAInterface(RetireeAsset)
    class_permission_name = ASSET
    resource_name = "retireeasset"
    search_columns = ["id"]
    include_route_methods = {"get", "get_list", "info", "post", "put"}
    list_columns = ["id", "enterprise.id", "name", "kind", "location", "book_value", "divisible", "status", "mode",
                    "arrangement", "recipient.id", "handed_over_on", "current_use", "elderly_care"]
    show_columns = list_columns
    add_columns = ["enterprise", "name", "kind", "location", "book_value", "divisible"]
    edit_columns = ["name", "kind", "location", "book_value", "divisible"]
    label_columns = LABELS

    def pre_add(self, item):
        services.save_proposal(g.user, item, new=True)
        super().pre_add(item)

    def pre_update(self, item):
        services.save_proposal(g.user, item, new=False)
        super().pre_update(item)


def init_app(app, appbuilder):
    # the audit's labels first: FAB fills a view's label dict with English names of the other columns
    register_model(RetireeAsset, _l("Asset for retirees"), {**LABELS, "recipient_id": LABELS["recipient"]},
                   {"kind": AssetKind.LABELS, "status": AssetStatus.LABELS, "mode": TransferMode.LABELS})
    appbuilder.add_view(RetireeAssetModelView, "Assets for retirees", icon="fa-building-o",
                        label=_l("Assets for retirees"), category="Money and people")
    appbuilder.add_api(RetireeAssetApi)
