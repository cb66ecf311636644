"""Party organizational relations (党组织关系转移接收)."""


def init_app(app, appbuilder):
    from flask_babel import lazy_gettext as _l

    from app.party import views
    from app.party.models import PartyTransfer
    from app.retirees import followers

    views.register_audit_labels()  # before add_view: FAB fills the label dicts in place

    appbuilder.add_view(views.PartyTransferModelView, "Party relations", icon="fa-flag", label=_l("Party relations"),
                        category="Handover")
    appbuilder.add_view(views.StalledPartyTransferModelView, "Stalled party transfers",
                        icon="fa-exclamation-triangle", label=_l("Stalled party transfers"), category="Handover")
    appbuilder.add_api(views.PartyTransferApi)
    followers.register(PartyTransfer)
