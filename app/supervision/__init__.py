"""Supervision items (督办), accountability, contact persons and the leading-group roster."""


def init_app(app, appbuilder):
    from flask_babel import lazy_gettext as _l

    from app.deadlines import register_overdue_counter, register_overdue_lister
    from app.notify import register_source
    from app.supervision import services, views

    views.register_audit_labels()  # before add_view: FAB fills the label dicts in place

    supervision = dict(category="Supervision")
    appbuilder.add_view(views.SupervisionItemModelView, "Supervision items", icon="fa-bell",
                        label=_l("Supervision items"), **supervision)
    appbuilder.add_view(views.AccountabilityModelView, "Accountability", icon="fa-balance-scale",
                        label=_l("Accountability"), **supervision)
    # One menu entry for the contact persons and the roster: the overview page links to both lists.
    appbuilder.add_view_no_menu(views.WorkContactModelView)
    appbuilder.add_view_no_menu(views.LeadingGroupMemberModelView)
    appbuilder.add_link("Contacts and leading group", href="/contacts/units/", icon="fa-address-card",
                        label=_l("Contacts and leading group"), **supervision)
    for api in (views.SupervisionItemApi, views.WorkContactApi, views.AccountabilityApi):
        appbuilder.add_api(api)
    register_source(services.KIND, services.open_item_notices)
    register_overdue_counter(services.KIND, services.overdue_items)
    register_overdue_lister(services.KIND, services.items_needing_attention)
