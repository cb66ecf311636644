"""Handover figures aggregated in SQL within the user's scope: per receiving county, per enterprise, per
ownership level — retirees in the flow, handed over, in progress, not handed over, and per stream how many
of the applicable items are done. The overall status is the same derivation as `rules.overall_status`."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, literal, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.handover.models import HandoverCase, HandoverItem, ItemState, OverallStatus, Stream
from app.org.models import Organization, OwnershipLevel
from app.security.scope import scope

GROUPINGS = (
    ("county", _l("By receiving county/district")),
    ("enterprise", _l("By enterprise")),
    ("ownership", _l("By ownership level")),
)


def status_expression():
    """SQL form of rules.overall_status for HandoverCase rows."""
    open_items = select(func.count(HandoverItem.id)).where(
        HandoverItem.case_id == HandoverCase.id, HandoverItem.state.in_(ItemState.OPEN)).scalar_subquery()
    started = select(func.count(HandoverItem.id)).where(
        HandoverItem.case_id == HandoverCase.id,
        HandoverItem.state.in_((ItemState.IN_PROGRESS, ItemState.DONE))).scalar_subquery()
    received = HandoverCase.received_on.is_not(None)
    return case(
        (and_(received, open_items == 0), literal(OverallStatus.HANDED_OVER)),
        (received | (started > 0), literal(OverallStatus.IN_PROGRESS)),
        else_=literal(OverallStatus.NOT_HANDED_OVER))


def _group_key(key):
    enterprise = aliased(Organization)
    if key == "county":
        # 区外 retirees are grouped under their liaison office
        return func.coalesce(HandoverCase.receiving_county_id, HandoverCase.liaison_office_id), None
    if key == "enterprise":
        return HandoverCase.enterprise_id, None
    return enterprise.ownership_level, enterprise


def _label(key, value):
    from app.org.cache import org_by_id

    if value is None:
        return str(_l("Not assigned"))
    if key == "ownership":
        return str(OwnershipLevel.LABELS.get(value, value))
    org = org_by_id(value)
    return org.name if org is not None else str(value)


def figures(key):
    """[{key, label, retirees, handed_over, in_progress, not_handed_over, percent_handed_over,
    streams: {stream: {applicable, done, percent}}}] plus a total row, for grouping `key`."""
    group, enterprise = _group_key(key)
    status = status_expression().label("status")
    inner = select(HandoverCase.id.label("case_id"), group.label("grp"), status)
    if enterprise is not None:
        inner = inner.join(enterprise, enterprise.id == HandoverCase.enterprise_id)
    inner = scope(inner, HandoverCase).subquery()
    count_rows = db.session.execute(
        select(inner.c.grp, inner.c.status, func.count()).group_by(inner.c.grp, inner.c.status)).all()
    item_rows = db.session.execute(
        select(inner.c.grp, HandoverItem.stream,
               func.sum(case((HandoverItem.state != ItemState.NOT_APPLICABLE, 1), else_=0)),
               func.sum(case((HandoverItem.state == ItemState.DONE, 1), else_=0)))
        .join(HandoverItem, HandoverItem.case_id == inner.c.case_id)
        .group_by(inner.c.grp, HandoverItem.stream)).all()
    groups = {}

    def row(value):
        if value not in groups:
            groups[value] = {"key": value, "label": _label(key, value), "retirees": 0,
                             OverallStatus.HANDED_OVER: 0, OverallStatus.IN_PROGRESS: 0,
                             OverallStatus.NOT_HANDED_OVER: 0,
                             "streams": {s: {"applicable": 0, "done": 0} for s in Stream.ORDER}}
        return groups[value]

    for grp, st, n in count_rows:
        r = row(grp)
        r[st] += int(n)
        r["retirees"] += int(n)
    for grp, stream, applicable, done in item_rows:
        r = row(grp)["streams"][stream]
        r["applicable"] += int(applicable or 0)
        r["done"] += int(done or 0)
    rows = sorted(groups.values(), key=lambda r: r["label"])
    total = row("__total__")
    del groups["__total__"]
    total["label"] = str(_l("Total"))
    total["key"] = None
    for r in rows:
        for k in ("retirees", OverallStatus.HANDED_OVER, OverallStatus.IN_PROGRESS, OverallStatus.NOT_HANDED_OVER):
            total[k] += r[k]
        for s in Stream.ORDER:
            for k in ("applicable", "done"):
                total["streams"][s][k] += r["streams"][s][k]
    for r in rows + [total]:
        r["percent_handed_over"] = _pct(r[OverallStatus.HANDED_OVER], r["retirees"])
        r["percent_in_progress"] = _pct(r[OverallStatus.IN_PROGRESS], r["retirees"])
        for s in r["streams"].values():
            s["percent"] = _pct(s["done"], s["applicable"])
    return rows + [total]


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else 0.0
