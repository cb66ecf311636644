"""The organization tree, departments, enterprises and liaison offices; the per-request org cache."""


def init_app(app, appbuilder):
    from flask_babel import lazy_gettext as _l

    from app.events import listen_once
    from app.org import views
    from app.org.models import Organization, compute_path

    views.register_audit_labels()  # before add_view: FAB fills the label dicts in place

    listen_once(Organization, "before_insert", compute_path)
    listen_once(Organization, "before_update", compute_path)
    appbuilder.add_view(views.OrganizationModelView, "Organization units", icon="fa-sitemap",
                        label=_l("Organization units"), category="Organizations",
                        category_label=_l("Organizations"), category_icon="fa-building")
    appbuilder.add_api(views.OrganizationApi)
