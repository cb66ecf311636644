"""The retiree ledger (台账): model, codes, rules, the one write service, pages and REST API."""


def init_app(app, appbuilder):
    """Register the ledger's pages, API, rows that follow a retiree and audit labels (called by the factory)."""
    from flask_babel import lazy_gettext as _l

    from app.retirees import followers, views
    from app.retirees.models import RetireeCorrection

    views.register_audit_labels()  # before add_view: FAB fills the label dicts in place

    appbuilder.add_view(views.RetireeModelView, "Retiree ledger", icon="fa-address-book", label=_l("Retiree ledger"),
                        category="Retirees", category_label=_l("Retirees"), category_icon="fa-users")
    appbuilder.add_api(views.RetireeApi)
    followers.register(RetireeCorrection)


def init_corrections(app, appbuilder):
    """The correction requests' page, after the roster survey in the Retirees menu."""
    from flask_babel import lazy_gettext as _l

    from app.retirees import views

    appbuilder.add_view(views.RetireeCorrectionModelView, "Correction requests", icon="fa-pencil-square-o",
                        label=_l("Correction requests"), category="Retirees")
    appbuilder.add_api(views.RetireeCorrectionApi)
