"""To-do entries of the handover chain enterprise → county → township/community (issue 13: nobody was told
that work was waiting). One function says which entries a batch needs in its present state; the steps call
`sync_batch_notices` in their transaction, and the source `open_batch_notices` (registered in app/handover/__init__.py) gives `flask supervise` the same
entries, so the events and the daily run never disagree. An entry leaves the inbox when its work is done:
the county's when it accepts or returns the batch, the enterprise's when it submits again, a community's or
township's when every retiree of the batch placed there has been received."""
import contextlib
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.handover.models import BatchStatus, HandoverBatch
from app.notify import Notice, notify

KIND = "batch"

MSG_TO_ACCEPT = _l("Handover batch %(number)s of %(enterprise)s (%(n)d retirees) waits for you to accept it")
MSG_RETURNED = _l("Handover batch %(number)s was returned: %(reason)s")
MSG_TO_RECEIVE = _l("Confirm receipt of %(n)d retirees of handover batch %(number)s")


def _names(org):
    return {"zh": org.name_zh, "bo": org.name_bo or org.name_zh} if org is not None else ""


def receive_link(batch_id, unit):
    from app.org.models import OrgKind

    column = "community" if unit.kind == OrgKind.COMMUNITY else "township"
    return f"/handover/list/?batch={batch_id}&{column}={unit.id}&receipt=pending"


def batch_notices(batch):
    """The entries `batch` needs now."""
    base = f"{KIND}:{batch.id}"
    number = batch.number()
    notices = []
    if batch.status == BatchStatus.SUBMITTED:
        receiver = batch.receiving_county_id or batch.liaison_office_id
        notices.append(Notice(f"{base}:accept", KIND, MSG_TO_ACCEPT, org_id=receiver,
                              params={"number": number, "enterprise": _names(batch.enterprise),
                                      "n": len(batch.cases)},
                              link=f"/batches/show/{batch.id}"))
    elif batch.status == BatchStatus.RETURNED:
        notices.append(Notice(f"{base}:returned", KIND, MSG_RETURNED, org_id=batch.enterprise_id,
                              params={"number": number, "reason": batch.return_reason or ""},
                              link=f"/batches/show/{batch.id}"))
    elif batch.status == BatchStatus.ACCEPTED:
        waiting = {}
        for case in batch.cases:
            if case.received_on is not None:
                continue
            for unit in (case.receiving_community, case.receiving_township):
                if unit is not None:
                    waiting.setdefault(unit.id, [unit, 0])[1] += 1
        for unit_id, (unit, n) in sorted(waiting.items()):
            notices.append(Notice(f"{base}:receive:{unit_id}", KIND, MSG_TO_RECEIVE, org_id=unit_id,
                                  params={"number": number, "n": n}, link=receive_link(batch.id, unit)))
    return notices


_DEFERRED = []  # a stack of {batch id: batch} while `deferred()` is active


@contextlib.contextmanager
def deferred():
    """Steps on many people at once (bulk receipt, the demo's seeding) sync each batch's entries once, at
    the end, instead of after every person."""
    pending = {}
    _DEFERRED.append(pending)
    try:
        yield
    finally:
        _DEFERRED.pop()
    for batch in pending.values():
        sync_batch_notices(batch)


def sync_batch_notices(batch):
    """Open the entries the batch needs now (with today's counts) and resolve its others; the caller commits."""
    from app.notify.models import Notification

    if _DEFERRED:
        _DEFERRED[-1][id(batch)] = batch
        return
    db.session.flush()
    wanted = {n.key: n for n in batch_notices(batch)}
    existing = {e.key: e for e in db.session.scalars(select(Notification).where(
        Notification.key.like(f"{KIND}:{batch.id}:%")))}
    for key, notice in wanted.items():
        entry = notify(notice, existing.get(key))
        entry = entry or existing.get(key)
        params = json.dumps(notice.params, ensure_ascii=False, default=str)
        if entry is not None and entry.params != params:
            entry.params = params  # the count of retirees still waiting
    for key, entry in existing.items():
        if key not in wanted and entry.resolved_at is None:
            entry.resolved_at = clock.utcnow()


def open_batch_notices(today):
    """The inbox source of the batches (registered by app/handover init_app): what every open batch needs."""
    batches = db.session.scalars(select(HandoverBatch).where(
        HandoverBatch.status.in_((BatchStatus.SUBMITTED, BatchStatus.RETURNED, BatchStatus.ACCEPTED)))
        .order_by(HandoverBatch.id))
    for batch in batches:
        yield from batch_notices(batch)
