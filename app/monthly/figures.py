"""The figures a monthly report is prefilled with, computed in SQL for the reporting unit (not for the reader:
SASAC opening a county's draft sees the county's figures).

- a county (or any unit bound to its area): the rows of its subtree, through the same organization columns
  the one scoping mechanism uses (`__scope_columns__`);
- a city-wide department: city-wide figures, with the checklist streams the department works on
  (handover/rules.py STREAM_EDITORS, by the roles its users hold).

The handover checklist has an off-plan expenses stream (统筹外费用) but no assets stream yet, so the report
carries expenses and no asset figure."""
from sqlalchemy import func, or_, select

from app.extensions import db
from app.handover.models import HandoverCase, OverallStatus, Stream
from app.handover.rules import STREAM_EDITORS
from app.handover.stats import per_case
from app.org.models import OrgKind
from app.retirees.models import Retiree
from app.security.scope import scope_columns

LOCAL_ROLES = {"enterprise", "county", "township", "community"}
# Keys of a figures snapshot, in the order they are shown.
HEADLINE = ("retirees", "in_flow", OverallStatus.HANDED_OVER, OverallStatus.IN_PROGRESS,
            OverallStatus.NOT_HANDED_OVER, "party_transferred", "party_total", "archives_transferred",
            "archives_total")


def department_streams(roles):
    """The checklist streams a department works on, from the roles its users hold."""
    roles = set(roles) - LOCAL_ROLES
    return [s for s in Stream.ORDER if roles & STREAM_EDITORS.get(s, set())]


def _where(model, org_ids):
    if org_ids is None:
        return []
    ids = sorted(org_ids)
    return [or_(*(getattr(model, col).in_(ids) for col in scope_columns(model)))]


def compute(org_ids=None, streams=None):
    """Figures over the units `org_ids` (None: the whole city); `streams` limits the checklist streams shown."""
    streams = list(streams if streams is not None else Stream.ORDER)
    result = {k: 0 for k in HEADLINE}
    result["retirees"] = db.session.scalar(
        select(func.count(Retiree.id)).where(*_where(Retiree, org_ids))) or 0
    where = _where(HandoverCase, org_ids)
    cases = per_case(where=where[0] if where else None, scoped=False)
    for st, n in db.session.execute(select(cases.c.status, func.count()).group_by(cases.c.status)):
        result[st] = int(n)
        result["in_flow"] += int(n)
    sums = db.session.execute(select(*(func.sum(cases.c[f"{kind}_{s}"])
                                       for s in Stream.ORDER for kind in ("applicable", "done")))).one()
    every = {s: {"applicable": int(sums[2 * i] or 0), "done": int(sums[2 * i + 1] or 0)}
             for i, s in enumerate(Stream.ORDER)}
    result["streams"] = {s: every[s] for s in streams}
    # One number per stream: the party relations and archives received are the checklist's party and archive
    # streams, which are derived from the receiving side's records (handover rules: DERIVED_STREAMS).
    for stream, total_key, done_key in ((Stream.PARTY, "party_total", "party_transferred"),
                                        (Stream.ARCHIVE, "archives_total", "archives_transferred")):
        result[total_key], result[done_key] = every[stream]["applicable"], every[stream]["done"]
    return result


def _unit_roles(org_id):
    from app.security.models import OrgUser

    users = db.session.scalars(select(OrgUser).where(OrgUser.org_id == org_id)).all()
    return {r.name for u in users for r in u.roles}


def unit_figures(org):
    """The live figures of one reporting unit: {"scope": "unit"|"city", ...compute()}."""
    from app.org.cache import subtree_ids

    if org.kind == OrgKind.DEPARTMENT:
        figures = compute(None, department_streams(_unit_roles(org.id)))
        figures["scope"] = "city"
    else:
        figures = compute(subtree_ids(org.id))
        figures["scope"] = "unit"
    return figures


def city_figures():
    figures = compute(None)
    figures["scope"] = "city"
    return figures
