"""Notice steps as plain functions taking the acting user (form, demo)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.notices import rules
from app.notices.models import NoticeRead, PolicyNotice
from app.notices.rules import Audience, NoticeStatus
from app.notify import Notice, notify
from app.org.models import Organization
from app.rules import RuleViolation
from app.steps import Refusal

MSG_PUBLISHED = _l("A new policy notice was published: %(title)s")


def save_draft(actor, notice, new=True):
    if not rules.may(actor, "add" if new else "edit", None if new else notice):
        raise Refusal(_l("Only the leading-group office (SASAC) writes notices, and a published one is not edited."))
    if notice.audience not in Audience.LABELS:
        raise RuleViolation({"audience": [_l("Not a valid choice.")]})
    if new:
        notice.status = NoticeStatus.DRAFT
        notice.created_by_id = actor.id
        notice.created_at = clock.utcnow()
    return notice


def publish(actor, notice):
    if not rules.may(actor, "publish", notice):
        raise Refusal(_l("Only the leading-group office (SASAC) publishes a draft notice."))
    problems = rules.publish_problems(notice.title_zh, notice.title_bo, notice.body_zh, notice.body_bo)
    if problems:
        raise Refusal(_l("A notice is published in Tibetan and Chinese: fill in both titles and both texts."))
    now = clock.utcnow()
    moved = db.session.execute(update(PolicyNotice).where(
        PolicyNotice.id == notice.id, PolicyNotice.status == NoticeStatus.DRAFT).values(
        status=NoticeStatus.PUBLISHED, published_at=now).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        raise Refusal(_l("This notice has already been published."))
    db.session.refresh(notice)
    for org in addressees(notice):
        notify(Notice(key=f"notice:{notice.id}:{org.id}", kind="notice", message=MSG_PUBLISHED, org_id=org.id,
                      params={"title": {"zh": notice.title_zh, "bo": notice.title_bo}},
                      link=f"/notices/show/{notice.id}"))


def withdraw(actor, notice):
    if not rules.may(actor, "withdraw", notice):
        raise Refusal(_l("Only the leading-group office (SASAC) withdraws a published notice."))
    moved = db.session.execute(update(PolicyNotice).where(
        PolicyNotice.id == notice.id, PolicyNotice.status == NoticeStatus.PUBLISHED).values(
        status=NoticeStatus.WITHDRAWN, withdrawn_at=clock.utcnow()).execution_options(synchronize_session=False)
    ).rowcount
    if moved != 1:
        raise Refusal(_l("This notice is not published."))
    db.session.refresh(notice)


def addressees(notice):
    orgs = db.session.scalars(select(Organization).order_by(Organization.code)).all()
    return [o for o in orgs if o.kind not in ("city",) and rules.addressed_to(notice.audience, o.kind)]


def mark_read(user, notice):
    """The reader's unit has read it (its first reading counts; a second is nothing new)."""
    if user is None or user.org_id is None or notice.status != NoticeStatus.PUBLISHED:
        return
    org = db.session.get(Organization, user.org_id)
    if org is None or not rules.addressed_to(notice.audience, org.kind):
        return  # the office looking at its own notice is not a reader
    exists = db.session.scalar(select(NoticeRead.id).where(NoticeRead.notice_id == notice.id,
                                                           NoticeRead.org_id == user.org_id))
    if exists:
        return
    try:
        with db.session.begin_nested():
            db.session.add(NoticeRead(notice_id=notice.id, org_id=user.org_id, user_id=user.id,
                                      read_at=clock.utcnow()))
    except IntegrityError:
        pass  # another user of the unit read it at the same moment
    from app.notify import resolve

    resolve(f"notice:{notice.id}:{user.org_id}")


def coverage(notice):
    """(units addressed, [(unit, read or None)]) in code order."""
    reads = {r.org_id: r for r in db.session.scalars(select(NoticeRead).where(NoticeRead.notice_id == notice.id))}
    units = addressees(notice)
    return [(u, reads.get(u.id)) for u in units]
