"""Monthly reports (每月10日前报送)."""


def init_app(app, appbuilder):
    from flask_babel import lazy_gettext as _l

    from app.deadlines import register_overdue_counter, register_overdue_lister
    from app.monthly import services, views
    from app.notify import register_source

    views.register_audit_labels()  # before add_view: FAB fills the label dicts in place

    appbuilder.add_view(views.MonthlyOverviewView, "Monthly reports", icon="fa-calendar-check-o",
                        label=_l("Monthly reports"), category="Supervision")
    appbuilder.add_view_no_menu(views.MonthlyReportModelView)
    appbuilder.add_api(views.MonthlyReportApi)
    register_source("report", services.report_notices)
    register_overdue_counter("report", services.overdue_reports)
    register_overdue_lister("report", services.missing_reports)
