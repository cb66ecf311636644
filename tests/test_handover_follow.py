"""Rows that follow a retiree (checklist, party transfer, archive transfer) carry the retiree's organization
columns for the one scoping mechanism; when the ledger moves the retiree to another receiving county, they
must move along, or the old county would keep seeing (and the new one would miss) the retiree's handover."""
import json

from sqlalchemy import select

from app.archives.models import ArchiveTransfer
from app.extensions import db
from app.handover.models import HandoverCase
from app.party.models import PartyTransfer
from app.retirees.models import Retiree
from tests.conftest import org_id


def _follower_counties(app, retiree_id):
    with app.app_context():
        out = {}
        for model in (HandoverCase, PartyTransfer, ArchiveTransfer):
            out[model.__name__] = db.session.scalars(
                select(model.receiving_county_id).where(model.retiree_id == retiree_id)).all()
        db.session.remove()
        return out


def _pick(app, county):
    with app.app_context():
        r = db.session.scalars(
            select(Retiree).join(PartyTransfer, PartyTransfer.retiree_id == Retiree.id)
            .join(ArchiveTransfer, ArchiveTransfer.retiree_id == Retiree.id)
            .join(HandoverCase, HandoverCase.retiree_id == Retiree.id)
            .where(Retiree.receiving_county_id == county, Retiree.receiving_township_id.is_(None),
                   Retiree.receiving_community_id.is_(None), HandoverCase.batch_id.is_(None))
            .order_by(Retiree.id).limit(1)).one()
        ids = (r.id, db.session.scalar(select(HandoverCase.id).where(HandoverCase.retiree_id == r.id)),
               db.session.scalar(select(PartyTransfer.id).where(PartyTransfer.retiree_id == r.id)))
        db.session.remove()
        return ids


def _move(client, retiree_id, county):
    r = client.put(f"/api/v1/retiree/{retiree_id}", data=json.dumps({"receiving_county": county}),
                   content_type="application/json")
    assert r.status_code == 200, r.get_data(as_text=True)


def test_moving_a_retiree_moves_the_rows_that_follow(app, as_user):
    old, new = org_id(app, "540502"), org_id(app, "540522")
    retiree_id, case_id, party_id = _pick(app, old)
    sasac = as_user("sasac")
    _move(sasac, retiree_id, new)
    try:
        assert _follower_counties(app, retiree_id) == {
            "HandoverCase": [new], "PartyTransfer": [new], "ArchiveTransfer": [new]}
        # the scope follows: the old county loses the rows, the new county gains them
        old_county, new_county = as_user("county1"), as_user("county2")
        assert old_county.get(f"/handover/show/{case_id}").status_code == 404
        assert old_county.get(f"/party/show/{party_id}").status_code == 404
        assert new_county.get(f"/handover/show/{case_id}").status_code == 200
        assert new_county.get(f"/party/show/{party_id}").status_code == 200
    finally:
        _move(sasac, retiree_id, old)
    assert _follower_counties(app, retiree_id)["HandoverCase"] == [old]
