"""Each role's home opens on its own work (issue 13): the first thing a user sees is what waits for them,
with a count and a one-click way to it; the figures follow below. One function per kind of user, each a
few aggregate queries within the user's scope (the one scope function)."""
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from app import clock
from app.extensions import db
from app.handover.models import BatchStatus, HandoverBatch, HandoverCase
from app.retirees.models import Retiree
from app.security.scope import scope

ROWS = 8  # rows listed under a card; the card's link opens the full list


@dataclass
class WorkCard:
    key: str
    title: object
    count: int
    href: str
    action: object = None  # the label of the one-click button
    rows: list = field(default_factory=list)  # [(label, detail, href)]
    colour: str = None  # a Colour.CSS class when the work is late


def _count(query, model):
    return db.session.scalar(scope(query, model)) or 0


def _open_case():
    """Cases still in the enterprise's hands: the retiree is alive and not in a submitted/accepted batch."""
    return and_(HandoverCase.retiree_id.in_(select(Retiree.id).where(Retiree.deceased.is_(False))))


def enterprise_cards():
    unconfirmed = _count(select(func.count(HandoverCase.id)).where(
        HandoverCase.place_confirmed_on.is_(None), HandoverCase.batch_id.is_(None), _open_case()), HandoverCase)
    from app.org.cache import org_by_id

    place = func.coalesce(HandoverCase.receiving_county_id, HandoverCase.liaison_office_id)
    per_place = db.session.execute(scope(select(place, func.count(HandoverCase.id)).where(
        HandoverCase.place_confirmed_on.is_not(None), HandoverCase.batch_id.is_(None), _open_case())
        .group_by(place), HandoverCase)).all()
    ready = sum(n for _p, n in per_place)
    places = sorted(((org_by_id(p), n) for p, n in per_place if p is not None), key=lambda r: _code(r[0]))
    # one click per receiving place: the new batch's form with that place already chosen
    ready_rows = [(unit.name, str(n), url_for("HandoverBatchModelView.add", **{
        f"_flt_0_{'receiving_county' if unit.kind == 'county' else 'liaison_office'}": unit.id}))
        for unit, n in places[:ROWS] if unit is not None]
    drafts = db.session.scalars(scope(select(HandoverBatch).where(
        HandoverBatch.status.in_((BatchStatus.DRAFT, BatchStatus.RETURNED)))
        .order_by(HandoverBatch.status.desc(), HandoverBatch.id), HandoverBatch)).all()
    batch_rows = [(b.number(), f"{b.status_label()} · {b.receiver() or ''} · {len(b.cases)}",
                   url_for("HandoverBatchModelView.show", pk=b.id)) for b in drafts[:ROWS]]
    return [
        WorkCard("unconfirmed", _l("People without a confirmed receiving place"), unconfirmed,
                 url_for("HandoverCaseModelView.list", place="unconfirmed", psize_HandoverCaseModelView=100),
                 _l("Confirm their places"), colour="warning" if unconfirmed else None),
        WorkCard("ready", _l("Places confirmed, not yet in a batch"), ready,
                 url_for("HandoverBatchModelView.add"), _l("Make a new batch"), rows=ready_rows),
        WorkCard("drafts", _l("Draft and returned batches"), len(drafts),
                 url_for("HandoverBatchModelView.list", status=BatchStatus.RETURNED if any(
                     b.status == BatchStatus.RETURNED for b in drafts) else BatchStatus.DRAFT),
                 _l("Open the batches"), rows=batch_rows,
                 colour="danger" if any(b.status == BatchStatus.RETURNED for b in drafts) else None),
    ]


def county_cards():
    waiting = db.session.scalars(scope(select(HandoverBatch).where(
        HandoverBatch.status == BatchStatus.SUBMITTED).order_by(HandoverBatch.submitted_on, HandoverBatch.id),
        HandoverBatch)).all()
    people = sum(len(b.cases) for b in waiting)
    rows = [(b.number(), f"{b.enterprise} · {len(b.cases)}", url_for("HandoverBatchModelView.show", pk=b.id))
            for b in waiting[:ROWS]]
    href = (url_for("HandoverBatchModelView.show", pk=waiting[0].id) if len(waiting) == 1
            else url_for("HandoverBatchModelView.list", status=BatchStatus.SUBMITTED))
    unreceived = _count(select(func.count(HandoverCase.id)).where(
        HandoverCase.accepted_on.is_not(None), HandoverCase.received_on.is_(None)), HandoverCase)
    return [
        WorkCard("to-accept", _l("Batches to accept"), len(waiting), href, _l("Accept"), rows=rows,
                 colour="info" if waiting else None),
        WorkCard("to-assign", _l("People to assign to a community"), people,
                 url_for("HandoverBatchModelView.list", status=BatchStatus.SUBMITTED), _l("Assign")),
        WorkCard("at-community", _l("Accepted, waiting for the community's receipt"), unreceived,
                 url_for("HandoverCaseModelView.list", receipt="pending")),
    ]


def community_cards():
    pending = _count(select(func.count(HandoverCase.id)).where(
        HandoverCase.accepted_on.is_not(None), HandoverCase.received_on.is_(None)), HandoverCase)
    return [WorkCard("to-confirm", _l("People to confirm receipt of"), pending,
                     url_for("HandoverCaseModelView.list", receipt="pending", psize_HandoverCaseModelView=100),
                     _l("Confirm receipt"), colour="info" if pending else None)]


def supervision_cards():
    from app.deadlines import overdue_by_unit
    from app.org.cache import org_by_id
    from app.supervision.models import ItemStatus, SupervisionItem

    today = clock.today()
    totals = overdue_by_unit(today)
    units = sorted(((org_by_id(org_id), sum(c.values())) for org_id, c in totals.items()),
                   key=lambda r: (-r[1], _code(r[0])))
    rows = [(org.name if org is not None else "", str(n),
             url_for("SupervisionItemModelView.add", _flt_0_unit=org.id) if org is not None else None)
            for org, n in units[:ROWS]]
    open_items = db.session.scalar(select(func.count(SupervisionItem.id)).where(
        SupervisionItem.status != ItemStatus.CLOSED)) or 0
    return [
        WorkCard("overdue-units", _l("Units with overdue work"), len(units), url_for("WorkTaskModelView.ranking"),
                 _l("Open a supervision item"), rows=rows, colour="danger" if units else None),
        WorkCard("open-items", _l("Open supervision items"), open_items, url_for("SupervisionItemModelView.list"),
                 _l("Open a supervision item")),
    ]


def _code(org):
    from app.listsearch import org_sort_key

    return org_sort_key(org)


def work_cards(roles):
    """The cards of the user's own work, by role (a user with several roles sees each role's cards)."""
    cards = []
    if "enterprise" in roles:
        cards += enterprise_cards()
    if "county" in roles:
        cards += county_cards()
    if roles & {"community", "township"}:
        cards += community_cards()
    if "supervision" in roles:
        cards += supervision_cards()
    return cards


# Roles whose home leads with the milestones and what is late (the panels of the summary), then figures.
OVERSIGHT_ROLES = {"sasac", "leading_group", "supervision"}
