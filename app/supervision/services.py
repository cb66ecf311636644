"""State changes of supervision items as plain functions taking the acting user. Each checks the rules,
changes rows, records a history step and updates the inboxes; the caller commits (a view commits, or rolls
back on `Refusal`). The audit listener records every change with the acting user."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import clock
from app.deadlines import AttentionEntry, Colour
from app.extensions import db
from app.notify import Notice, notify
from app.security.access import role_codes
from app.security.scope import in_scope
from app.supervision import rules
from app.supervision.models import ItemStatus, StepAction, SupervisionItem, SupervisionStep
from app.steps import Refusal, refuse_if as _refuse_if  # noqa: F401  (views catch services.Refusal)


def _check(actor, item, action):
    if not in_scope(item, actor):
        raise Refusal(_l("This record is outside your organization's scope."))
    _refuse_if(rules.actor_problem(action, role_codes(actor), actor.org_id, item.unit_id))
    _refuse_if(rules.step_problem(action, item.status))


def _step(item, actor, action, comment=None, files=()):
    step = SupervisionStep(action=action, at=clock.utcnow(), actor_id=actor.id if actor else None,
                           actor_org_id=getattr(actor, "org_id", None), comment=comment or None)
    step.files.extend(files)
    item.steps.append(step)
    return step


def open_problems(actor, item):
    """{field: message} of an item the office may not open as filled in ({}: it may)."""
    problems = {}
    who = rules.actor_problem("edit", role_codes(actor), actor.org_id, item.unit_id)
    if who:
        problems["unit"] = who
    if item.unit_id is None and item.unit is None:
        problems["unit"] = _l("Choose the unit.")
    for field in ("title", "requirement"):
        message = rules.text_problem(getattr(item, field), field)
        if message:
            problems[field] = message
    message = rules.deadline_problem(item.opened_on or clock.today(), item.deadline)
    if message:
        problems["deadline"] = message
    from app.monthly.models import MonthlyReport
    from app.workplan.models import WorkTask

    for field, model in (("task_id", WorkTask), ("report_id", MonthlyReport)):
        value = getattr(item, field)
        message = rules.link_problem(value, value is None or value <= 0 or db.session.get(model, value) is not None)
        if message:
            problems[field] = message
    return problems


def open_item(actor, item):
    """The office opens an item (the caller has checked `open_problems`)."""
    item.opened_on = clock.today()
    item.opened_at = clock.utcnow()
    item.opened_by_id = actor.id
    item.office_id = actor.org_id
    item.status = ItemStatus.OPENED
    item.round = 0
    _step(item, actor, StepAction.OPEN, item.requirement)
    return item


def record_edit(actor, item):
    _step(item, actor, StepAction.EDIT)


def sign(actor, item):
    _check(actor, item, "sign")
    item.status = rules.next_status("sign")
    item.signed_at = clock.utcnow()
    item.signed_by_id = actor.id
    _step(item, actor, StepAction.SIGN)
    sync_notices(item)


def respond(actor, item, text, files=()):
    _check(actor, item, "respond")
    _refuse_if(rules.text_problem(text, "response"))
    item.status = rules.next_status("respond")
    item.response = text.strip()
    item.round = (item.round or 0) + 1
    item.responded_at = clock.utcnow()
    item.responded_on = clock.today()
    item.responded_by_id = actor.id
    _step(item, actor, StepAction.RESPOND, item.response, files)
    sync_notices(item)


def send_back(actor, item, reason):
    _check(actor, item, "send_back")
    _refuse_if(rules.text_problem(reason, "reason"))
    item.status = rules.next_status("send_back")
    item.return_reason = reason.strip()[:500]
    item.returned_at = clock.utcnow()
    _step(item, actor, StepAction.SEND_BACK, item.return_reason)
    sync_notices(item)


def close(actor, item, comment=None):
    _check(actor, item, "close")
    item.status = rules.next_status("close")
    item.closed_at = clock.utcnow()
    item.closed_on = clock.today()
    item.closed_by_id = actor.id
    _step(item, actor, StepAction.CLOSE, (comment or "").strip() or None)
    sync_notices(item)


# ---------------------------------------------------------------------------------------------------------
# Inboxes: one function says which entries an item should have open today; the events and `flask supervise`
# both use it, so an entry never lingers after its cause has gone and the cron never undoes an event.

MSG_OPENED = _l("New supervision item %(number)s: %(title)s (respond by %(deadline)s)")
MSG_RETURNED = _l("Supervision item %(number)s was sent back: %(reason)s")
MSG_RESPONDED = _l("%(unit_agt)s responded to supervision item %(number)s: re-check it")
MSG_DUE_SOON = _l("Supervision item %(number_gen)s is due on %(deadline)s")
MSG_OVERDUE = _l("Supervision item %(number)s is overdue (deadline %(deadline)s)")
MSG_OVERDUE_OFFICE = _l("%(unit_gen)s is overdue on supervision item %(number)s (deadline %(deadline)s)")

KIND = "item"


def item_notices(item, today):
    if item.status == ItemStatus.CLOSED:
        return []
    colour = item.colour(today)
    link = f"/items/show/{item.id}"
    unit = item.unit
    params = {"number": item.number(), "title": item.title, "deadline": item.deadline.isoformat(),
              "unit": {"zh": unit.name_zh, "bo": unit.name_bo} if unit is not None else ""}
    base = f"{KIND}:{item.id}"

    def to_unit(key, message, **extra):
        return Notice(f"{base}:{key}", KIND, message, org_id=item.unit_id, params={**params, **extra},
                      link=link, colour=colour)

    notices = []
    if item.status in (ItemStatus.OPENED, ItemStatus.SIGNED):
        notices.append(to_unit("opened", MSG_OPENED))
    elif item.status == ItemStatus.RETURNED:
        notices.append(to_unit(f"returned:{item.round}", MSG_RETURNED, reason=item.return_reason or ""))
    elif item.status == ItemStatus.RESPONDED and item.office_id is not None:
        notices.append(Notice(f"{base}:responded:{item.round}", KIND, MSG_RESPONDED, org_id=item.office_id,
                              params=params, link=link, colour=colour))
    if item.status in ItemStatus.AWAITING_UNIT:
        if colour == Colour.BLUE:
            notices.append(to_unit("due-soon", MSG_DUE_SOON))
        elif colour == Colour.RED:
            notices.append(to_unit("overdue", MSG_OVERDUE))
            if item.office_id is not None:
                notices.append(Notice(f"{base}:overdue-office", KIND, MSG_OVERDUE_OFFICE, org_id=item.office_id,
                                      params=params, link=link, colour=colour))
    return notices


def sync_notices(item, today=None):
    """Open the entries the item needs now and resolve its others (the caller commits)."""
    from app.notify.models import Notification

    db.session.flush()  # the item needs its id for its keys
    wanted = item_notices(item, today or clock.today())
    for notice in wanted:
        notify(notice)
    keys = {n.key for n in wanted}
    for entry in db.session.scalars(select(Notification).where(
            Notification.key.like(f"{KIND}:{item.id}:%"), Notification.resolved_at.is_(None))):
        if entry.key not in keys:
            entry.resolved_at = clock.utcnow()


def open_item_notices(today):
    items = db.session.scalars(select(SupervisionItem).where(SupervisionItem.status != ItemStatus.CLOSED))
    for item in items:
        yield from item_notices(item, today)


def overdue_items(today):
    """{unit id: items past their deadline that still wait for the unit's response} (the red ones)."""
    rows = db.session.execute(
        select(SupervisionItem.unit_id, func.count()).where(
            SupervisionItem.status.in_(ItemStatus.AWAITING_UNIT), SupervisionItem.deadline < today)
        .group_by(SupervisionItem.unit_id)).all()
    return {unit_id: n for unit_id, n in rows}


def items_needing_attention(today):
    """Items of the reader's scope past their deadline that still wait for the unit's response."""
    from app.org.cache import org_by_id
    from app.security.scope import scope
    from app.text import Bilingual

    query = scope(select(SupervisionItem).where(
        SupervisionItem.status.in_(ItemStatus.AWAITING_UNIT), SupervisionItem.deadline < today), SupervisionItem)
    return [AttentionEntry(KIND, item.title, Bilingual.of_org(org_by_id(item.unit_id)), item.deadline,
                           Colour.RED, f"/items/show/{item.id}")
            for item in db.session.scalars(query.order_by(SupervisionItem.deadline, SupervisionItem.id))]


# ---------------------------------------------------------------------------------------------------------
# Contacts

def member_unit_ids():
    """Ids of units whose users hold a role that maintains contacts."""
    from app.security.access import units_holding

    return units_holding(rules.contact_roles())


def contact_overview(units):
    """[(unit, contact or None)] for the units that name a contact, within the caller's list of units."""
    from app.supervision.models import WorkContact

    chosen = rules.contact_units(units, member_unit_ids())
    contacts = {c.org_id: c for c in db.session.scalars(select(WorkContact).where(
        WorkContact.org_id.in_([u.id for u in chosen])))} if chosen else {}
    return [(u, contacts.get(u.id)) for u in chosen]
