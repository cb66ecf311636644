"""The work plan (实施步骤): tasks, deadlines, progress, evidence."""


def init_app(app, appbuilder):
    from flask_babel import lazy_gettext as _l

    from app.deadlines import register_overdue_counter, register_overdue_lister
    from app.notify import register_source
    from app.workplan import services, views

    views.register_audit_labels()  # before add_view: FAB fills the label dicts in place

    appbuilder.add_view(views.WorkTaskModelView, "Work plan", icon="fa-tasks", label=_l("Work plan"),
                        category="Supervision", category_label=_l("Supervision"), category_icon="fa-gavel")
    appbuilder.add_api(views.WorkTaskApi)
    register_overdue_lister("task", services.tasks_needing_attention)
    register_overdue_counter("task", services.overdue_tasks)
    register_source("task", services.task_notices)
