"""Off-plan expense pages (thin: every change goes through `services.py`)."""
from flask import g, redirect, url_for
from flask_appbuilder import expose
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm.attributes import get_history
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.audit import register_model
from app.expenses import rules, services
from app.expenses.models import ExpenseHandling, ExpenseItem, ExpenseReview, LifeExpectancy, Sex
from app.expenses.rules import Classification, Handling, ReviewStatus
from app.forms_common import coded_select
from app.rules import RuleViolation
from app.scoped_views import METHOD_PERMISSIONS, ScopedInterface, ScopedModelRestApi, ScopedModelView
from app.security.access import role_codes
from app.security.roles import OFFPLAN
from app.security.scope import ScopeFilter
from app.steps import run_step

HANDLING_LABELS = {
    "enterprise": _l("Enterprise"),
    "transition_start": _l("Transition period starts"),
    "transition_end": _l("Transition period ends"),
    "baseline_date": _l("Baseline date (no new items or higher standards after it)"),
    "status": _l("Review"),
    "status_label": _l("Review"),
    "note": _l("Remarks"),
    "created_at": _l("Created on"),
}
ITEM_LABELS = {
    "enterprise": _l("Enterprise"),
    "retiree": _l("Retiree (empty: all the enterprise's retirees)"),
    "retiree_name": _l("Retiree"),
    "name": _l("Item"),
    "monthly_standard": _l("Monthly standard (yuan)"),
    "baseline_standard": _l("Standard at the baseline (yuan)"),
    "basis": _l("Basis (document)"),
    "classification": _l("Classification"),
    "classification_label": _l("Classification"),
    "handling": _l("Handling"),
    "handling_label": _l("Handling"),
    "recorded_on": _l("Recorded on"),
    "lump_sum_amount": _l("One-time payment (yuan)"),
    "lump_sum_formula": _l("How it was computed"),
    "lump_sum_on": _l("Computed on"),
}
LIFE_LABELS = {"sex": _l("Sex"), "sex_label": _l("Sex"), "year": _l("Year"),
               "years": _l("Average life expectancy (years)"), "source": _l("Source")}


def _previous(item, column):
    history = get_history(item, column)
    return history.deleted[0] if history.deleted else getattr(item, column)


class ExpenseHandlingModelView(ScopedModelView):
    datamodel = ScopedInterface(ExpenseHandling)
    class_permission_name = OFFPLAN
    method_permission_name = {**METHOD_PERMISSIONS, "start": "write", "submit": "write", "approve": "write",
                              "return_handling": "write", "compute": "write"}
    route_base = "/expenses"
    list_title = _l("Off-plan expenses")
    show_title = _l("Off-plan expense handling")
    edit_title = _l("Edit the transition period")
    add_title = _l("Off-plan expense handling")
    show_template = "expenses/show.html"
    list_template = "expenses/list.html"
    label_columns = HANDLING_LABELS
    list_columns = ["enterprise", "transition_start", "transition_end", "baseline_date", "status_label"]
    search_columns = ["id", "enterprise", "status"]
    show_columns = ["enterprise", "transition_start", "transition_end", "baseline_date", "status_label", "note"]
    edit_columns = ["transition_start", "transition_end", "baseline_date", "note"]
    validators_columns = {"note": [Length(max=500)]}
    description_columns = {
        "transition_end": _l("At most 3 years after the start (policy 二(七))."),
        "baseline_date": _l("After this date no new items are added and no standard is raised."),
    }
    base_order = ("enterprise_id", "asc")

    def add(self):
        return redirect(url_for(".start"))

    def pre_update(self, item):
        services.save_handling(g.user, item)
        super().pre_update(item)

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("Off-plan expense handling and its versions are kept.")]})

    def _may(self, action, handling):
        return rules.may(role_codes(), g.user.org_id, action, handling.enterprise_id, handling.status)

    @expose("/start", methods=["GET", "POST"])
    @has_access
    def start(self):
        """An enterprise's own handling page (made on first visit)."""
        from flask import abort

        if "enterprise" not in role_codes() or g.user.org_id is None:
            abort(404)
        handling = services.handling_of(g.user.org_id, create=True)
        from app.extensions import db

        db.session.commit()
        return redirect(url_for(".show", pk=handling.id))

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        handling = self._scoped(pk)
        widgets = self._show(pk)
        return self.render_template(
            self.show_template, pk=pk, title=self.show_title, widgets=widgets, related_views=[],
            handling=handling, items=handling.items, reviews=handling.reviews, labels=ITEM_LABELS,
            may_edit=self._may("edit_item", handling), may_submit=self._may("submit", handling),
            may_review=self._may("review", handling), lump_sum=Handling.LUMP_SUM)

    @expose("/<int:pk>/submit", methods=["POST"])
    @has_access
    def submit(self, pk):
        handling = self._scoped(pk)
        run_step(services.submit, handling, success=_l("The handling was sent to SASAC for review."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/approve", methods=["POST"])
    @has_access
    def approve(self, pk):
        handling = self._scoped(pk)
        run_step(services.approve, handling, success=_l("The handling was approved."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/return", methods=["POST"])
    @has_access
    def return_handling(self, pk):
        from flask import request

        handling = self._scoped(pk)
        run_step(services.return_handling, handling, request.form.get("comment") or "",
                 success=_l("The handling was returned to the enterprise."))
        return redirect(url_for(".show", pk=pk))

    @expose("/item/<int:item_id>/compute", methods=["POST"])
    @has_access
    def compute(self, item_id):
        from flask import abort
        from sqlalchemy import select

        from app.extensions import db
        from app.security.scope import scope

        item = db.session.scalar(scope(select(ExpenseItem).where(ExpenseItem.id == item_id), ExpenseItem))
        if item is None:
            abort(404)
        handling = services.handling_of(item.enterprise_id, create=True)
        run_step(services.compute_lump_sum, item, success=_l("The one-time payment was computed."))
        return redirect(url_for(".show", pk=handling.id))


class ExpenseItemModelView(ScopedModelView):
    datamodel = ScopedInterface(ExpenseItem)
    class_permission_name = OFFPLAN
    route_base = "/expenseitems"
    list_title = _l("Off-plan expense items")
    show_title = _l("Off-plan expense item")
    add_title = _l("Add an off-plan expense item")
    edit_title = _l("Edit an off-plan expense item")
    label_columns = ITEM_LABELS
    list_columns = ["enterprise", "name", "retiree_name", "monthly_standard", "classification_label",
                    "handling_label", "lump_sum_amount"]
    search_columns = ["id", "enterprise", "name", "classification", "handling"]
    show_columns = ["enterprise", "name", "retiree_name", "monthly_standard", "baseline_standard", "basis",
                    "classification_label", "handling_label", "recorded_on", "lump_sum_amount", "lump_sum_formula",
                    "lump_sum_on"]
    add_columns = ["name", "retiree", "monthly_standard", "basis", "classification", "handling"]
    edit_columns = add_columns
    add_form_extra_fields = {
        "classification": coded_select(_l("Classification"), Classification.LABELS),
        "handling": coded_select(_l("Handling"), Handling.LABELS),
    }
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {
        "name": [DataRequired(), Length(max=120)],
        "monthly_standard": [DataRequired(), NumberRange(min=0, max=1_000_000)],
        "basis": [Length(max=500)],
    }
    # only retirees the user may see (the one scope), for the add and the edit form alike
    add_form_query_rel_fields = {"retiree": [["id", ScopeFilter, None]]}
    edit_form_query_rel_fields = add_form_query_rel_fields
    base_order = ("id", "asc")

    def pre_add(self, item):
        services.save_item(g.user, item)
        super().pre_add(item)

    def pre_update(self, item):
        services.save_item(g.user, item, before=_previous(item, "monthly_standard"))
        super().pre_update(item)

    def pre_delete(self, item):
        raise RuleViolation({"id": [_l("Off-plan expense items are kept; lower the standard to zero instead.")]})


class LifeExpectancyModelView(ScopedModelView):
    datamodel = ScopedInterface(LifeExpectancy)
    class_permission_name = OFFPLAN
    route_base = "/lifeexpectancy"
    list_title = _l("Average life expectancy")
    show_title = _l("Average life expectancy")
    add_title = _l("Add a life expectancy")
    edit_title = _l("Edit a life expectancy")
    label_columns = LIFE_LABELS
    list_columns = ["year", "sex_label", "years", "source"]
    show_columns = list_columns
    add_columns = ["sex", "year", "years", "source"]
    edit_columns = add_columns
    add_form_extra_fields = {"sex": coded_select(_l("Sex"), Sex.LABELS)}
    edit_form_extra_fields = add_form_extra_fields
    validators_columns = {"year": [DataRequired(), NumberRange(1949, 2100)],
                          "years": [DataRequired(), NumberRange(30, 110)], "source": [Optional(), Length(max=200)]}
    base_order = ("year", "desc")

    def pre_add(self, item):
        services.save_life_expectancy(g.user, item)
        super().pre_add(item)

    def pre_update(self, item):
        services.save_life_expectancy(g.user, item)
        super().pre_update(item)

    def pre_delete(self, item):
        services.save_life_expectancy(g.user, item)


class ExpenseHandlingApi(ScopedModelRestApi):
    """Read-only: the review steps are pages whose buttons `rules.may` shows."""

    datamodel = SQLAInterface(ExpenseHandling)
    class_permission_name = OFFPLAN
    resource_name = "expensehandling"
    search_columns = ["id"]
    include_route_methods = {"get", "get_list", "info"}
    list_columns = ["id", "enterprise.id", "enterprise.name_zh", "transition_start", "transition_end",
                    "baseline_date", "status"]
    show_columns = list_columns
    label_columns = HANDLING_LABELS


class ExpenseItemApi(ScopedModelRestApi):
    """Items are added on the form (where the baseline rule is explained); the API reads and changes them
    through the same service."""

    datamodel = SQLAInterface(ExpenseItem)
    class_permission_name = OFFPLAN
    resource_name = "expenseitem"
    search_columns = ["id"]
    include_route_methods = {"get", "get_list", "info", "put"}
    list_columns = ["id", "enterprise.id", "retiree.id", "name", "monthly_standard", "baseline_standard",
                    "classification", "handling", "recorded_on", "lump_sum_amount", "lump_sum_formula"]
    show_columns = list_columns
    add_columns = ["name", "retiree", "monthly_standard", "basis", "classification", "handling"]
    edit_columns = add_columns
    label_columns = ITEM_LABELS

    def pre_update(self, item):
        services.save_item(g.user, item, before=_previous(item, "monthly_standard"))
        super().pre_update(item)


def init_app(app, appbuilder):
    # the audit's labels first: FAB fills a view's label dict with English names of the other columns
    register_model(ExpenseHandling, _l("Off-plan expense handling"), HANDLING_LABELS, {"status": ReviewStatus.LABELS})
    register_model(ExpenseItem, _l("Off-plan expense item"), ITEM_LABELS,
                   {"classification": Classification.LABELS, "handling": Handling.LABELS})
    register_model(ExpenseReview, _l("Off-plan expense handling version"),
                   {"number": _l("Version"), "status": _l("Review"), "comment": _l("Review comment")},
                   {"status": ReviewStatus.LABELS})
    register_model(LifeExpectancy, _l("Average life expectancy"), LIFE_LABELS, {"sex": Sex.LABELS})
    category = dict(category="Money and people", category_label=_l("Money and people"), category_icon="fa-money")
    appbuilder.add_view(ExpenseHandlingModelView, "Off-plan expenses", icon="fa-calculator",
                        label=_l("Off-plan expenses"), **category)
    appbuilder.add_view(ExpenseItemModelView, "Off-plan expense items", icon="fa-list", label=_l("Off-plan expense items"),
                        **category)
    appbuilder.add_view(LifeExpectancyModelView, "Average life expectancy", icon="fa-heartbeat",
                        label=_l("Average life expectancy"), **category)
    appbuilder.add_api(ExpenseHandlingApi)
    appbuilder.add_api(ExpenseItemApi)
