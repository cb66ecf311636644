"""Menu and route registration for every stream."""
from flask_babel import lazy_gettext as _l


def register(appbuilder):
    from app.audit.views import AuditLogModelView
    from app.org.views import OrganizationApi, OrganizationModelView
    from app.retirees.views import RetireeApi, RetireeModelView

    appbuilder.add_view(RetireeModelView, "Retiree ledger", icon="fa-address-book", label=_l("Retiree ledger"),
                        category="Retirees", category_label=_l("Retirees"), category_icon="fa-users")
    from app.roster.views import RosterView

    appbuilder.add_view(RosterView, "Roster survey", icon="fa-table", label=_l("Roster survey"),
                        category="Retirees")
    appbuilder.add_view(OrganizationModelView, "Organization units", icon="fa-sitemap",
                        label=_l("Organization units"), category="Organizations",
                        category_label=_l("Organizations"), category_icon="fa-building")
    appbuilder.add_view(AuditLogModelView, "Audit log", icon="fa-history", label=_l("Audit log"),
                        category="Audit", category_label=_l("Audit"), category_icon="fa-eye")
    # The OpenAPI description without FAB's Swagger page (FAB registers both only together).
    from flask_appbuilder.api.manager import OpenApi

    appbuilder.add_api(OpenApi)
    appbuilder.add_api(RetireeApi)
    appbuilder.add_api(OrganizationApi)
