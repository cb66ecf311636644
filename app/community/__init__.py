"""The community's lasting service work after the handover (issue 14, policy 二(一)): service ledger,
eligibility certification, deaths and survivor claims. `init_app` registers the pages and the menu; the
inbox source registers when `services` is imported (here)."""
from flask_babel import lazy_gettext as _l


def init_app(app, appbuilder):
    from app.community import services  # noqa: F401  (inbox source "service")
    from app.community.views import ServiceLedgerView, SurvivorClaimView

    menu = dict(category="Community services", category_label=_l("Community services"), category_icon="fa-heart")
    appbuilder.add_view(ServiceLedgerView, "Service ledger", icon="fa-book", label=_l("Service ledger"), **menu)
    appbuilder.add_link("Eligibility certification", href="/community/certifications/", icon="fa-id-card-o",
                        label=_l("Eligibility certification"), **menu)
    appbuilder.add_link("Today's round", href="/community/today/", icon="fa-mobile",
                        label=_l("Today's round"), **menu)
    appbuilder.add_view(SurvivorClaimView, "Deaths and survivor claims", icon="fa-envelope-o",
                        label=_l("Deaths and survivor claims"), **menu)
