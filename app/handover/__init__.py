"""Handover (移交): checklists, batches and their steps, figures, PDFs."""


def init_app(app, appbuilder):
    """Checklists and batches (pages, API), the case as a row that follows its retiree, the listener that keeps
    each checklist's stored summary, audit labels. The figures page is registered by app.reports (menu order)."""
    from flask_babel import lazy_gettext as _l
    from sqlalchemy.orm import Session

    from app.events import listen_once
    from app.handover import services, views
    from app.handover.models import HandoverCase
    from app.retirees import followers

    views.register_audit_labels()  # before add_view: FAB fills the label dicts in place

    handover = dict(category="Handover", category_label=_l("Handover"), category_icon="fa-exchange")
    appbuilder.add_view(views.HandoverCaseModelView, "Handover checklists", icon="fa-check-square-o",
                        label=_l("Handover checklists"), **handover)
    appbuilder.add_view(views.HandoverBatchModelView, "Handover batches", icon="fa-archive",
                        label=_l("Handover batches"), **handover)
    for api in (views.HandoverCaseApi, views.HandoverBatchApi):
        appbuilder.add_api(api)
    followers.register(HandoverCase)
    listen_once(Session, "before_flush", services.summarize_changed_checklists)
