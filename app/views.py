"""The streams register themselves, in the order of the menu (Retirees, Handover, Supervision, Organizations,
Audit): each package's init_app adds its views, API, inbox sources, overdue counters, listeners and audit labels.
Nothing registers by being imported."""
from app import archives, audit, handover, monthly, notify, org, party, plans, reports, retirees, roster, supervision
from app import uploads, workplan
from app import assets, benefits, expenses, funding, notices, staffing

STREAMS = (
    retirees.init_app,
    roster.init_app,
    retirees.init_corrections,
    handover.init_app,
    party.init_app,
    archives.init_app,
    reports.init_app,  # the handover figures close the Handover menu
    workplan.init_app,
    monthly.init_app,
    plans.init_app,
    supervision.init_app,
    notices.init_app,  # the end of the Supervision menu
    expenses.init_app,  # Money and people (policy 二(五), 二(七), 二(八), 四(五), 二(二))
    assets.init_app,
    staffing.init_app,
    funding.init_app,
    benefits.init_app,
    org.init_app,
    audit.init_app,
    notify.init_app,
)


def register(app, appbuilder):
    # The OpenAPI description without FAB's Swagger page (FAB registers both only together).
    from flask_appbuilder.api.manager import OpenApi

    appbuilder.add_api(OpenApi)
    uploads.init_app(app)
    for init_app in STREAMS:
        init_app(app, appbuilder)
