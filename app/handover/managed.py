"""Retirees under a unit's management after the handover: the fact staffing (1:200) and funding (quota per
retiree) are computed from — counted from the receiving county's acceptance, never typed by the unit."""
from sqlalchemy import func, select

from app.extensions import db
from app.handover.models import HandoverCase
from app.retirees.models import Retiree

LEVELS = {"county": Retiree.receiving_county_id, "township": Retiree.receiving_township_id,
          "community": Retiree.receiving_community_id}


def managed_counts(level):
    """{unit id: retirees under its management} for one level (county, township or community): accepted by
    the county, alive, not 离休."""
    column = LEVELS[level]
    query = (select(column, func.count()).select_from(Retiree)
             .join(HandoverCase, HandoverCase.retiree_id == Retiree.id)
             .where(HandoverCase.accepted_on.is_not(None), Retiree.deceased.is_(False), Retiree.is_lixiu.is_(False),
                    column.is_not(None))
             .group_by(column))
    return dict(db.session.execute(query).all())
