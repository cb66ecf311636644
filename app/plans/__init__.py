"""Enterprise implementation plans (制定本单位实施方案, policy 实施步骤): each enterprise uploads its plan,
SASAC (the leading-group office) approves it or returns it with comments, every version is kept."""


def init_app(app, appbuilder):
    from flask_babel import lazy_gettext as _l

    from app.notify import register_source
    from app.plans import services, views

    views.register_audit_labels()  # before add_view: FAB fills the label dicts in place

    # The menu opens the overview: every enterprise with its plan's state, those without a plan included.
    appbuilder.add_view(views.ImplementationPlanModelView, "Implementation plans", href="/plans/overview/",
                        icon="fa-file-text-o", label=_l("Implementation plans"), category="Supervision")
    appbuilder.add_api(views.ImplementationPlanApi)
    register_source("plan", services.plan_notices)
