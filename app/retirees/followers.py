"""Rows that follow one retiree and carry the retiree's organization columns for the one scoping mechanism
(checklist, party transfer, archive transfer, correction requests). Each stream registers its model from its
`init_app`; the ledger's write service (and a handover step that moves a retiree) keeps them in step explicitly,
and deletes them with the retiree — no ORM listener does it behind the caller's back."""
from sqlalchemy import select

RETIREE_ORG_COLUMNS = ("enterprise_id", "receiving_county_id", "receiving_township_id",
                       "receiving_community_id", "liaison_office_id")
FOLLOWERS = []


def register(model):
    if model not in FOLLOWERS:
        FOLLOWERS.append(model)


def copy_scope(target, retiree):
    """Copy the retiree's organization columns, whether they were set as relationships or as keys."""
    for col in RETIREE_ORG_COLUMNS:
        rel = col[:-3]
        if rel in retiree.__dict__:
            setattr(target, rel, retiree.__dict__[rel])
        else:
            setattr(target, col, getattr(retiree, col))


def follower_rows(session, retiree_id):
    with session.no_autoflush:
        for model in FOLLOWERS:
            yield from session.scalars(select(model).where(model.retiree_id == retiree_id)).all()


def follow(session, retiree):
    """Every row that follows `retiree` takes its current organization columns."""
    if retiree.id is None:
        return
    for row in list(follower_rows(session, retiree.id)):
        copy_scope(row, retiree)


def delete_followers(session, retiree_id):
    for row in list(follower_rows(session, retiree_id)):
        session.delete(row)
