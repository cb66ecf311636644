"""Menu and route registration for every stream."""
from flask_babel import lazy_gettext as _l


def register(appbuilder):
    from app.archives.views import ArchiveTransferApi, ArchiveTransferModelView
    from app.audit.views import AuditLogModelView
    from app.handover.views import (HandoverBatchApi, HandoverBatchModelView, HandoverCaseApi,
                                    HandoverCaseModelView, HandoverStatsView)
    from app.org.views import OrganizationApi, OrganizationModelView
    from app.party.views import PartyTransferApi, PartyTransferModelView, StalledPartyTransferModelView
    from app.retirees.views import RetireeApi, RetireeModelView
    from app.reports.dashboard import ReportsView
    from app.roster.views import RosterView

    appbuilder.add_view(RetireeModelView, "Retiree ledger", icon="fa-address-book", label=_l("Retiree ledger"),
                        category="Retirees", category_label=_l("Retirees"), category_icon="fa-users")
    appbuilder.add_view(RosterView, "Roster survey", icon="fa-table", label=_l("Roster survey"),
                        category="Retirees")
    handover = dict(category="Handover", category_label=_l("Handover"), category_icon="fa-exchange")
    appbuilder.add_view(HandoverCaseModelView, "Handover checklists", icon="fa-check-square-o",
                        label=_l("Handover checklists"), **handover)
    appbuilder.add_view(HandoverBatchModelView, "Handover batches", icon="fa-archive",
                        label=_l("Handover batches"), **handover)
    appbuilder.add_view(PartyTransferModelView, "Party relations", icon="fa-flag", label=_l("Party relations"),
                        **handover)
    appbuilder.add_view(StalledPartyTransferModelView, "Stalled party transfers", icon="fa-exclamation-triangle",
                        label=_l("Stalled party transfers"), **handover)
    appbuilder.add_view(ArchiveTransferModelView, "Personnel archives", icon="fa-folder-open",
                        label=_l("Personnel archives"), **handover)
    appbuilder.add_view(HandoverStatsView, "Handover figures", icon="fa-bar-chart", label=_l("Handover figures"),
                        **handover)
    # Supervision (policy 四), in the order of the work: plan, reports, plans, items, accountability, contacts.
    from app.monthly.views import MonthlyOverviewView, MonthlyReportApi, MonthlyReportModelView
    from app.plans.views import ImplementationPlanApi, ImplementationPlanModelView
    from app.supervision.views import (AccountabilityApi, AccountabilityModelView, LeadingGroupMemberModelView,
                                       SupervisionItemApi, SupervisionItemModelView, WorkContactApi,
                                       WorkContactModelView)
    from app.workplan.views import WorkTaskApi, WorkTaskModelView

    supervision = dict(category="Supervision", category_label=_l("Supervision"), category_icon="fa-gavel")
    appbuilder.add_view(WorkTaskModelView, "Work plan", icon="fa-tasks", label=_l("Work plan"), **supervision)
    appbuilder.add_view(MonthlyOverviewView, "Monthly reports", icon="fa-calendar-check-o",
                        label=_l("Monthly reports"), **supervision)
    appbuilder.add_view_no_menu(MonthlyReportModelView)
    # The menu opens the overview: every enterprise with its plan's state, those without a plan included.
    appbuilder.add_view(ImplementationPlanModelView, "Implementation plans", href="/plans/overview/",
                        icon="fa-file-text-o", label=_l("Implementation plans"), **supervision)
    appbuilder.add_view(SupervisionItemModelView, "Supervision items", icon="fa-bell",
                        label=_l("Supervision items"), **supervision)
    appbuilder.add_view(AccountabilityModelView, "Accountability", icon="fa-balance-scale",
                        label=_l("Accountability"), **supervision)
    # One menu entry for the contact persons and the roster: the overview page links to both lists.
    appbuilder.add_view_no_menu(WorkContactModelView)
    appbuilder.add_view_no_menu(LeadingGroupMemberModelView)
    appbuilder.add_link("Contacts and leading group", href="/contacts/units/", icon="fa-address-card",
                        label=_l("Contacts and leading group"), **supervision)
    from flask import current_app

    from app.community import init_app as community_services

    community_services(current_app, appbuilder)
    appbuilder.add_view(OrganizationModelView, "Organization units", icon="fa-sitemap",
                        label=_l("Organization units"), category="Organizations",
                        category_label=_l("Organizations"), category_icon="fa-building")
    appbuilder.add_view(AuditLogModelView, "Audit log", icon="fa-history", label=_l("Audit log"),
                        category="Audit", category_label=_l("Audit"), category_icon="fa-eye")
    appbuilder.add_view_no_menu(ReportsView)
    from app.notify.views import InboxView

    appbuilder.add_view_no_menu(InboxView)
    # The OpenAPI description without FAB's Swagger page (FAB registers both only together).
    from flask_appbuilder.api.manager import OpenApi

    appbuilder.add_api(OpenApi)
    appbuilder.add_api(RetireeApi)
    appbuilder.add_api(OrganizationApi)
    for api in (HandoverCaseApi, HandoverBatchApi, PartyTransferApi, ArchiveTransferApi, WorkTaskApi,
                MonthlyReportApi, ImplementationPlanApi, SupervisionItemApi, WorkContactApi, AccountabilityApi):
        appbuilder.add_api(api)
