"""Steps of the off-plan expenses as plain functions taking the acting user: every path (form, REST, demo)
calls them. Each checks `rules.may` and the policy's rules, changes rows, and leaves the commit to the caller
(a view commits, or rolls back on `Refusal`/`RuleViolation`); the audit listener records every change.

Review steps change the handling's status with one conditional UPDATE (… WHERE status = expected), so two
clicks or two reviewers at once produce one step and a clear refusal, never a half state."""
import json

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from app import clock
from app.deadlines import Colour
from app.expenses import rules
from app.expenses.models import ExpenseHandling, ExpenseItem, ExpenseReview, LifeExpectancy
from app.expenses.rules import Handling, ReviewStatus
from app.extensions import db
from app.notify import Notice, notify, resolve
from app.retirees.models import Retiree
from app.rules import RuleViolation
from app.security.access import role_codes
from app.security.scope import in_scope
from app.steps import Refusal, refuse_if

MSG_REVIEW = _l("The off-plan expense handling of %(enterprise_gen)s (version %(number)s) is waiting for review.")
MSG_RETURNED = _l("Your off-plan expense handling (version %(number)s) was returned: %(comment)s")


def _may(actor, action, handling):
    return rules.may(role_codes(actor), actor.org_id, action, handling.enterprise_id if handling else None,
                     handling.status if handling else None)


def handling_of(enterprise_id, create=False):
    handling = db.session.scalar(select(ExpenseHandling).where(ExpenseHandling.enterprise_id == enterprise_id))
    if handling is None and create:
        handling = ExpenseHandling(enterprise_id=enterprise_id, status=ReviewStatus.DRAFT,
                                   created_at=clock.utcnow())
        db.session.add(handling)
        db.session.flush()
    return handling


def _reopen(handling):
    """A change after approval or return starts a new version: back to draft."""
    if handling.status in (ReviewStatus.APPROVED, ReviewStatus.RETURNED):
        handling.status = ReviewStatus.DRAFT


def save_handling(actor, handling):
    """The enterprise's transition period and baseline date (form and REST)."""
    if not _may(actor, "edit_handling", handling):
        raise Refusal(_l("Only the enterprise itself changes its off-plan expense handling, and not while SASAC "
                         "reviews it."))
    problem = rules.transition_problem(handling.transition_start, handling.transition_end)
    if problem:
        raise RuleViolation({"transition_end": [problem]})
    _reopen(handling)
    return handling


def save_item(actor, item, before=None):
    """Check and complete an item being added (before=None) or changed (before: the standard it had)."""
    roles = role_codes(actor)
    if "enterprise" not in roles or actor.org_id is None:
        raise Refusal(_l("Only an enterprise records its off-plan expense items."))
    if before is None:
        item.enterprise_id = actor.org_id
    elif item.enterprise_id != actor.org_id:
        raise Refusal(_l("This record is outside your organization's scope."))
    handling = handling_of(actor.org_id, create=True)
    if not _may(actor, "edit_item", handling):
        raise Refusal(_l("The handling is waiting for SASAC's review: items cannot change now."))
    today = clock.today()
    problems = {}
    if before is None:
        message = rules.new_item_problem(today, handling.baseline_date)
        if message:
            problems.setdefault("name", []).append(message)
    else:
        message = rules.standard_problem(item.monthly_standard, before, today, handling.baseline_date)
        if message:
            problems.setdefault("monthly_standard", []).append(message)
    if item.monthly_standard is None or item.monthly_standard < 0:
        problems.setdefault("monthly_standard", []).append(_l("Give a standard of zero or more."))
    message = rules.handling_problem(item.classification, item.handling)
    if message:
        problems.setdefault("handling", []).append(message)
    retiree = None
    if item.retiree_id is not None or item.retiree is not None:
        retiree = item.retiree or db.session.get(Retiree, item.retiree_id)
        if retiree is None or retiree.enterprise_id != actor.org_id or not in_scope(retiree, actor):
            problems.setdefault("retiree", []).append(_l("Choose a retiree of your own enterprise."))
        else:
            message = rules.retiree_item_problem(retiree.retirement_date, handling.transition_end)
            if message:
                problems.setdefault("retiree", []).append(message)
    if problems:
        raise RuleViolation(problems)
    if before is None:
        item.recorded_on = today
        item.baseline_standard = item.monthly_standard
    if before is not None and item.handling != Handling.LUMP_SUM:
        item.lump_sum_amount = item.lump_sum_formula = item.lump_sum_on = None
    _reopen(handling)
    return item


def life_table():
    return {(row.sex, row.year): row.years for row in db.session.scalars(select(LifeExpectancy))}


def compute_lump_sum(actor, item):
    """The one-time payment of a per-retiree item by the city's life expectancy (rules.lump_sum)."""
    handling = handling_of(item.enterprise_id, create=True)
    if not _may(actor, "edit_item", handling) or item.enterprise_id != actor.org_id:
        raise Refusal(_l("Only the enterprise itself computes its one-time payments, and not while SASAC reviews "
                         "them."))
    if item.handling != Handling.LUMP_SUM:
        raise Refusal(_l("Only an item settled by a one-time payment by life expectancy is computed."))
    if item.retiree is None:
        raise Refusal(_l("A one-time payment is computed for one retiree: choose the retiree of the item."))
    retiree = item.retiree
    try:
        result = rules.lump_sum(item.monthly_standard, retiree.birth_date, retiree.gender, clock.today(),
                                life_table(), retiree.retirement_date, handling.transition_end)
    except rules.LumpSumRefused as e:
        raise Refusal(e.message) from e
    item.lump_sum_amount = result.amount
    item.lump_sum_formula = result.formula()
    item.lump_sum_on = clock.today()
    _reopen(handling)
    return result


def _snapshot(handling):
    return json.dumps({
        "transition_start": handling.transition_start, "transition_end": handling.transition_end,
        "baseline_date": handling.baseline_date,
        "items": [{"id": i.id, "name": i.name, "retiree_id": i.retiree_id, "monthly_standard": i.monthly_standard,
                   "classification": i.classification, "handling": i.handling,
                   "lump_sum_amount": i.lump_sum_amount} for i in handling.items],
    }, ensure_ascii=False, default=str)


def _move(handling, expected, new):
    """Change the status only if it still is one of `expected` (one UPDATE: the row's lock on every database)."""
    moved = db.session.execute(
        update(ExpenseHandling).where(ExpenseHandling.id == handling.id, ExpenseHandling.status.in_(expected))
        .values(status=new).execution_options(synchronize_session=False)).rowcount
    if moved != 1:
        db.session.refresh(handling)
        raise Refusal(_l("Someone else has just acted on this handling: look at its state now."))
    db.session.refresh(handling)


def _names(org):
    return {"zh": org.name_zh, "bo": org.name_bo}


def submit(actor, handling):
    if not _may(actor, "submit", handling):
        raise Refusal(_l("Only the enterprise itself submits its handling, once per version."))
    refuse_if(rules.transition_problem(handling.transition_start, handling.transition_end))
    if not handling.items:
        raise Refusal(_l("Record the off-plan expense items first (or state that there are none in the remarks)."))
    _move(handling, (ReviewStatus.DRAFT, ReviewStatus.RETURNED), ReviewStatus.SUBMITTED)
    number = (db.session.scalar(select(db.func.max(ExpenseReview.number)).where(
        ExpenseReview.handling_id == handling.id)) or 0) + 1
    review = ExpenseReview(handling_id=handling.id, number=number, snapshot=_snapshot(handling),
                           submitted_by_id=actor.id, submitted_at=clock.utcnow(), status=ReviewStatus.SUBMITTED)
    db.session.add(review)
    db.session.flush()
    enterprise = handling.enterprise
    notify(Notice(key=f"expenses:review:{review.id}", kind="expenses", message=MSG_REVIEW,
                  org_id=enterprise.supervising_dept_id, params={"enterprise": _names(enterprise), "number": number},
                  link=f"/expenses/show/{handling.id}", colour=Colour.BLUE))
    return review


def _latest_review(handling):
    return db.session.scalar(select(ExpenseReview).where(ExpenseReview.handling_id == handling.id)
                             .order_by(ExpenseReview.number.desc()).limit(1))


def approve(actor, handling):
    _decide(actor, handling, ReviewStatus.APPROVED, None)


def return_handling(actor, handling, comment):
    comment = (comment or "").strip()
    if not comment:
        raise Refusal(_l("Say what the enterprise should change: a comment is required to return it."))
    review = _decide(actor, handling, ReviewStatus.RETURNED, comment[:1000])
    notify(Notice(key=f"expenses:returned:{review.id}", kind="expenses", message=MSG_RETURNED,
                  org_id=handling.enterprise_id, params={"number": review.number, "comment": comment[:200]},
                  link=f"/expenses/show/{handling.id}", colour=Colour.YELLOW))


def _decide(actor, handling, status, comment):
    if not _may(actor, "review", handling):
        raise Refusal(_l("Only SASAC reviews off-plan expense handling, and only a submitted version."))
    _move(handling, (ReviewStatus.SUBMITTED,), status)
    review = _latest_review(handling)
    review.status = status
    review.reviewed_by_id = actor.id
    review.reviewed_at = clock.utcnow()
    review.comment = comment
    resolve(f"expenses:review:{review.id}")
    return review


def save_life_expectancy(actor, row):
    if not rules.may(role_codes(actor), actor.org_id, "life_table"):
        raise Refusal(_l("Only SASAC keeps the life-expectancy table."))
    problems = {}
    if row.sex not in ("M", "F"):
        problems["sex"] = [_l("Not a valid choice.")]
    if row.years is None or not 30 <= float(row.years) <= 110:
        problems["years"] = [_l("Give the life expectancy in years (30 to 110).")]
    if row.year is None or not 1949 <= row.year <= 2100:
        problems["year"] = [_l("Give a year between 1949 and 2100.")]
    if problems:
        raise RuleViolation(problems)
    return row


def figures(user):
    """Per enterprise in scope: items, monthly total, one-time payments computed, review status."""
    from app.security.scope import scope

    handlings = db.session.scalars(scope(select(ExpenseHandling), ExpenseHandling, user)).all()
    items = db.session.scalars(scope(select(ExpenseItem), ExpenseItem, user)).all()
    by_enterprise = {}
    for item in items:
        row = by_enterprise.setdefault(item.enterprise_id, {"items": 0, "monthly": 0, "lump_sum": 0})
        row["items"] += 1
        row["monthly"] += item.monthly_standard or 0
        row["lump_sum"] += item.lump_sum_amount or 0
    statuses = {}
    for h in handlings:
        statuses[h.status] = statuses.get(h.status, 0) + 1
    return {"by_enterprise": by_enterprise, "statuses": statuses, "handlings": len(handlings)}
