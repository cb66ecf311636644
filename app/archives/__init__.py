"""Personnel archives (人事档案移交)."""


def init_app(app, appbuilder):
    from flask_babel import lazy_gettext as _l

    from app.archives import views
    from app.archives.models import ArchiveTransfer
    from app.retirees import followers

    views.register_audit_labels()  # before add_view: FAB fills the label dicts in place

    appbuilder.add_view(views.ArchiveTransferModelView, "Personnel archives", icon="fa-folder-open",
                        label=_l("Personnel archives"), category="Handover")
    appbuilder.add_api(views.ArchiveTransferApi)
    followers.register(ArchiveTransfer)
