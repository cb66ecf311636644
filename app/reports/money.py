"""The money-side panel of the dashboard and the printed summary (issue 15): off-plan expenses reviewed,
assets received, full-time staff missing at 1:200, and the year's funding gap — each figure counted from
the records of the unit responsible for it (SASAC's decisions, the recipients' confirmations, the counties'
staffing, the finance bureau's and counties' disbursements), within the reader's scope."""
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import clock
from app.deadlines import Colour
from app.extensions import db
from app.reports.figures import Panel
from app.security.scope import scope


def readable_link(href):
    """The link when the reader may open its page (nothing is offered that would be refused, app/may.py)."""
    from flask import current_app, has_request_context

    if not has_request_context():
        return href
    try:
        endpoint, _args = current_app.url_map.bind("localhost").match(href.split("?")[0])
    except Exception:  # noqa: BLE001 - not a page of the app
        return None
    view = getattr(current_app.view_functions.get(endpoint), "__self__", None)
    if view is None or not hasattr(view, "class_permission_name"):
        return href
    method = endpoint.rsplit(".", 1)[-1]
    permission = "can_" + (getattr(view, "method_permission_name", None) or {}).get(method, method)
    return href if current_app.appbuilder.sm.has_access(permission, view.class_permission_name) else None


def money_panel():
    from app.assets.models import RetireeAsset
    from app.assets.rules import AssetStatus
    from app.expenses.models import ExpenseHandling, ExpenseItem
    from app.expenses.rules import ReviewStatus
    from app.funding import services as funding
    from app.staffing import services as staffing
    from app.staffing.rules import StaffingState

    rows = []
    with_items = db.session.scalar(scope(select(func.count(func.distinct(ExpenseItem.enterprise_id))), ExpenseItem))
    approved = db.session.scalar(scope(select(func.count()).select_from(ExpenseHandling).where(
        ExpenseHandling.status == ReviewStatus.APPROVED), ExpenseHandling))
    waiting = db.session.scalar(scope(select(func.count()).select_from(ExpenseHandling).where(
        ExpenseHandling.status == ReviewStatus.SUBMITTED), ExpenseHandling))
    rows.append(([_l("Off-plan expenses"),
                  _l("%(approved)d of %(total)d enterprises approved by SASAC, %(waiting)d waiting for review",
                     approved=approved, total=with_items, waiting=waiting)],
                 Colour.CSS[Colour.GREEN if with_items and approved == with_items else Colour.YELLOW], readable_link("/expenses/list/")))
    assets = dict(db.session.execute(scope(select(RetireeAsset.status, func.count()).group_by(RetireeAsset.status),
                                           RetireeAsset)).all())
    elderly = db.session.scalar(scope(select(func.count()).select_from(RetireeAsset).where(
        RetireeAsset.elderly_care.is_(True)), RetireeAsset))
    total_assets = sum(assets.values())
    received = assets.get(AssetStatus.CONFIRMED, 0)
    rows.append(([_l("Assets for retirees"),
                  _l("%(received)d of %(total)d assets received by townships and communities, %(elderly)d used for "
                     "elderly care", received=received, total=total_assets, elderly=elderly)],
                 Colour.CSS[Colour.GREEN if received == total_assets else Colour.BLUE], readable_link("/assets/list/")))
    staff_rows = staffing.overview(None)
    short = sum(1 for r in staff_rows if r[4] == StaffingState.SHORT)
    gap = sum(r[5] for r in staff_rows)
    rows.append(([_l("Staffing"), _l("%(units)d units short of full-time staff, %(gap)d full-time staff missing",
                                     units=short, gap=gap)],
                 Colour.CSS[Colour.RED if gap else Colour.GREEN], readable_link("/staffing/overview/")))
    year = clock.today().year
    fund_rows, _quota = funding.overview(None, year)
    need = sum((r[2] for r in fund_rows), Decimal("0"))
    paid = sum((r[3] + r[4] for r in fund_rows), Decimal("0"))
    fund_gap = sum((r[5] for r in fund_rows), Decimal("0"))
    rows.append(([_l("Funding"), _l("%(year)d: need %(need)s yuan, disbursed %(paid)s yuan, gap %(gap)s yuan",
                                    year=year, need=f"{need:,.2f}", paid=f"{paid:,.2f}", gap=f"{fund_gap:,.2f}")],
                 Colour.CSS[Colour.RED if fund_gap > 0 else Colour.GREEN], readable_link(f"/funding/overview/?year={year}")))
    return Panel("money", _l("Money, property and people"), [_l("Stream"), _l("Where it stands")], rows)
