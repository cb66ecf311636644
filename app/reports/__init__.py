"""Dashboards and printed summaries for the leading group (issue 6)."""


def init_app(app, appbuilder):
    """The handover figures (last entry of the Handover menu) and the dashboard."""
    from flask_babel import lazy_gettext as _l

    from app.handover.views import HandoverStatsView
    from app.reports.dashboard import ReportsView

    appbuilder.add_view(HandoverStatsView, "Handover figures", icon="fa-bar-chart", label=_l("Handover figures"),
                        category="Handover")
    appbuilder.add_view_no_menu(ReportsView)
