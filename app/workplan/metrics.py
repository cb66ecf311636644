"""Live progress of tasks that follow the handover figures, counted in SQL over the whole target (a task's
progress is a fact about the city, not about the reader: no scope here; the task itself is scoped).

    handover  retirees handed over (overall status 已移交) / retirees in the handover flow
    party     party-relation items done / party-relation items that apply (party members)
    archives  personnel-archive items done / archive items that apply
"""
from flask import g, has_request_context
from sqlalchemy import case, func, select

from app.extensions import db
from app.handover.models import HandoverCase, OverallStatus, Stream
from app.org.models import OrgKind
from app.workplan.models import Metric

STREAM_OF = {Metric.PARTY: Stream.PARTY, Metric.ARCHIVES: Stream.ARCHIVE}


def _target_clause(org_id):
    """The cases of the target unit: received by a county (township, community, liaison office) or handed
    over by an enterprise; None (or the city) means every case."""
    from app.org.cache import org_by_id

    org = org_by_id(org_id) if org_id is not None else None
    if org is None or org.kind == OrgKind.CITY:
        return None
    column = {
        OrgKind.COUNTY: HandoverCase.receiving_county_id,
        OrgKind.TOWNSHIP: HandoverCase.receiving_township_id,
        OrgKind.COMMUNITY: HandoverCase.receiving_community_id,
        OrgKind.LIAISON: HandoverCase.liaison_office_id,
        OrgKind.ENTERPRISE: HandoverCase.enterprise_id,
    }.get(org.kind)
    return column == org.id if column is not None else HandoverCase.id.is_(None)  # a department: nothing


def _from_city_counts(metric, org):
    """(done, total) from the cached city-wide handover counts, for targets they are grouped by (the city, a
    county or liaison office, an enterprise); None for other targets."""
    from app.handover.stats import city_grouped_counts

    if org is None or org.kind == OrgKind.CITY:
        def wanted(county, enterprise):
            return True
    elif org.kind in (OrgKind.COUNTY, OrgKind.LIAISON):
        def wanted(county, enterprise):
            return county == org.id
    elif org.kind == OrgKind.ENTERPRISE:
        def wanted(county, enterprise):
            return enterprise == org.id
    else:
        return None
    done = total = 0
    for county, enterprise, _ownership, status, n, streams in city_grouped_counts():
        if not wanted(county, enterprise):
            continue
        if metric == Metric.HANDOVER:
            total += n
            done += n if status == OverallStatus.HANDED_OVER else 0
        else:
            applicable, finished = streams[STREAM_OF[metric]]
            total += applicable
            done += finished
    return done, total


def metric_counts(metric, org_id):
    """(done, total) raw counts of a metric for a target unit."""
    from app.org.cache import org_by_id

    if metric == Metric.HANDOVER or metric in STREAM_OF:
        org = org_by_id(org_id) if org_id is not None else None
        counts = _from_city_counts(metric, org)
        if counts is not None:
            return counts
    if metric != Metric.HANDOVER and metric not in STREAM_OF:
        return 0, 0
    from app.handover.stats import per_case

    cases = per_case(where=_target_clause(org_id), scoped=False)
    if metric == Metric.HANDOVER:
        query = select(func.count(), func.sum(case((cases.c.status == OverallStatus.HANDED_OVER, 1), else_=0)))
    else:
        stream = STREAM_OF[metric]
        query = select(func.sum(cases.c[f"applicable_{stream}"]), func.sum(cases.c[f"done_{stream}"]))
    total, done = db.session.execute(query).one()
    return int(done or 0), int(total or 0)


def _cached_counts(metric, org_id):
    if not has_request_context():
        return metric_counts(metric, org_id)
    cache = g.setdefault("_workplan_metrics", {})
    if (metric, org_id) not in cache:
        cache[(metric, org_id)] = metric_counts(metric, org_id)
    return cache[(metric, org_id)]


def metric_percent(metric, org_id):
    """0..100; a target with nothing to hand over shows 0 (nothing measured, nothing to claim as done)."""
    done, total = _cached_counts(metric, org_id)
    return 100.0 * done / total if total else 0.0


def metric_complete(metric, org_id):
    done, total = _cached_counts(metric, org_id)
    return total > 0 and done == total
