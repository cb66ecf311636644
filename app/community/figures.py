"""The community services' figures for the dashboard and the printed summary (issue 14): per unit that looks
after retirees (community, township, liaison office) within the reader's scope — retirees in care,
certifications due and overdue, deaths with claims still open, hardship cases, visits in the latest holiday
round, one-window requests open and overdue. Each figure is one aggregate query in SQL."""
import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app import clock
from app.community import rules, services
from app.community.models import (ClaimStep, LifeStatus, RequestState, ServiceRecord, ServiceRequest,
                                  SurvivorClaim, Visit, VisitRound)
from app.deadlines import Colour
from app.extensions import db
from app.retirees.models import Retiree
from app.security.scope import scope

CARE_UNIT = func.coalesce(Retiree.receiving_community_id, Retiree.receiving_township_id, Retiree.liaison_office_id)


def latest_round(today):
    return db.session.scalar(select(VisitRound).where(VisitRound.starts_on <= today)
                             .order_by(VisitRound.starts_on.desc(), VisitRound.id.desc()).limit(1))


def by_unit(today=None):
    """{unit id: {figure: n}} within the current user's scope."""
    today = today or clock.today()
    soon = today + datetime.timedelta(days=30)
    figures = {}

    def put(rows, *names):
        for unit, *values in rows:
            if unit is None:
                continue
            entry = figures.setdefault(unit, {})
            for name, value in zip(names, values):
                entry[name] = int(value or 0)

    alive = ServiceRecord.status == LifeStatus.ALIVE
    put(db.session.execute(scope(
        select(CARE_UNIT, func.count(), func.sum(case((ServiceRecord.cert_due_on.between(today, soon), 1), else_=0)),
               func.sum(case((ServiceRecord.cert_due_on < today, 1), else_=0)))
        .select_from(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id).where(alive)
        .group_by(CARE_UNIT), ServiceRecord)), "in_care", "cert_due", "cert_overdue")
    put(db.session.execute(scope(
        select(CARE_UNIT, func.count(func.distinct(SurvivorClaim.retiree_id))).select_from(SurvivorClaim)
        .join(Retiree, Retiree.id == SurvivorClaim.retiree_id).where(SurvivorClaim.step != ClaimStep.PAID)
        .group_by(CARE_UNIT), SurvivorClaim)), "claims_open")
    hardship = services.hardship_query(today).with_only_columns(CARE_UNIT, func.count(),
                                                                 maintain_column_froms=True).group_by(CARE_UNIT)
    put(db.session.execute(scope(hardship, ServiceRecord)), "hardship")
    rnd = latest_round(today)
    if rnd is not None:
        put(db.session.execute(scope(
            select(CARE_UNIT, func.count(func.distinct(Visit.retiree_id))).select_from(Visit)
            .join(Retiree, Retiree.id == Visit.retiree_id)
            .where(Visit.round_id == rnd.id, Visit.done_on.is_not(None)).group_by(CARE_UNIT), Visit)), "visited")
    put(db.session.execute(scope(
        select(ServiceRequest.owner_org_id, func.count(),
               func.sum(case((ServiceRequest.promised_on < today, 1), else_=0)))
        .where(ServiceRequest.state != RequestState.CLOSED).group_by(ServiceRequest.owner_org_id),
        ServiceRequest)), "requests_open", "requests_overdue")
    return figures


COLUMNS = ("in_care", "cert_due", "cert_overdue", "claims_open", "hardship", "visited", "requests_open",
           "requests_overdue")


def panel():
    """The dashboard's panel (None for a reader with no service figures in scope)."""
    from app.org.cache import org_by_id
    from app.reports.figures import Panel
    from app.text import Bilingual

    today = clock.today()
    figures = by_unit(today)
    if not figures:
        return None
    rows, total = [], dict.fromkeys(COLUMNS, 0)
    for unit_id, entry in sorted(figures.items(), key=lambda kv: getattr(org_by_id(kv[0]), "path", "")):
        org = org_by_id(unit_id)
        if org is None:
            continue
        cells = [entry.get(c, 0) for c in COLUMNS]
        for c in COLUMNS:
            total[c] += entry.get(c, 0)
        warn = entry.get("cert_overdue") or entry.get("requests_overdue")
        rows.append(([Bilingual.of_org(org)] + cells, Colour.CSS[Colour.RED] if warn else None, None))
    from app.reports.money import readable_link

    # the link only for readers who may open the list behind it
    rows.append(([_l("Total")] + [total[c] for c in COLUMNS], None, readable_link("/community/certifications/")))
    rnd = latest_round(today)
    visited_label = _l("Visited in %(round)s", round=rnd.title) if rnd is not None else _l("Visited this round")
    return Panel("services", _l("Community services"),
                 [_l("Unit"), _l("Retirees in care"), _l("Due within 30 days"), _l("Certifications overdue"),
                  _l("Deaths with claims open"), _l("Hardship cases"), visited_label, _l("Requests open"),
                  _l("Requests overdue")], rows, empty=_l("Nothing to show."))


def register():
    from app.reports import panels

    if panel not in panels.PANELS:
        panels.PANELS = tuple(panels.PANELS) + (panel,)
