"""The REST API asks the same may() as the pages (app/may.py): whoever may() refuses gets no 200 for a
PUT, and the one it allows (in scope) gets it."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.handover.models import BatchStatus, HandoverBatch
from app.party.models import PartyTransfer
from app.security.models import OrgUser
from app.supervision.models import ItemStatus, SupervisionItem
from tests.test_may_crawl import DEMO_USERS


def _rows(app):
    with app.app_context():
        batch = db.session.scalars(select(HandoverBatch).where(HandoverBatch.status == BatchStatus.DRAFT)
                                   .order_by(HandoverBatch.id)).first()
        party = db.session.scalars(select(PartyTransfer).where(PartyTransfer.receiving_community_id.is_not(None))
                                   .order_by(PartyTransfer.id)).first()
        item = db.session.scalars(select(SupervisionItem).where(SupervisionItem.status == ItemStatus.OPENED)
                                  .order_by(SupervisionItem.id)).first()
        rows = [("handover", "edit_batch", HandoverBatch, batch.id, "handoverbatch", {"note": batch.note}),
                ("party", "edit", PartyTransfer, party.id, "partytransfer", {"note": party.note}),
                ("supervision", "edit_item", SupervisionItem, item.id, "supervisionitem", {"title": item.title})]
        db.session.remove()
        return rows


@pytest.mark.parametrize("username", DEMO_USERS)
def test_a_put_goes_through_only_where_may_says_yes(app, as_user, username):
    from app.may import may

    client = as_user(username)
    for stream, action, model, pk, resource, payload in _rows(app):
        with app.test_request_context():
            user = db.session.scalars(select(OrgUser).where(OrgUser.username == username)).one()
            allowed = may(stream, user, action, db.session.get(model, pk))
            db.session.remove()
        status = client.put(f"/api/v1/{resource}/{pk}", json=payload).status_code
        assert status < 500, (username, resource, status)
        if not allowed:
            assert status != 200, (username, resource)
        elif status != 404:  # allowed and in scope
            assert status == 200, (username, resource, status)
