"""Social-security linkage steps as plain functions taking the acting user (form, REST, demo)."""
import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy import inspect as sa_inspect

from app import clock
from app.benefits import rules
from app.benefits.models import BenefitLink
from app.extensions import db
from app.handover.models import HandoverCase
from app.retirees.models import PensionSource, Retiree
from app.rules import RuleViolation
from app.security.access import role_codes
from app.security.scope import in_scope, scope
from app.steps import Refusal


def _changed_fields(link):
    state = sa_inspect(link)
    if state.transient or state.pending:
        return [f for f in rules.FIELD_SIDES if getattr(link, f) not in (None, False, "")]
    def norm(values):
        value = values[0] if values else None
        return None if value in ("", None) else value

    changed = []
    for f in rules.FIELD_SIDES:
        history = state.attrs[f].history
        if history.has_changes() and norm(history.added) != norm(history.deleted or history.unchanged):
            changed.append(f)
    return changed


def save(actor, link, new=True):
    """Check and complete a record being opened (new) or changed: each field only by the unit responsible."""
    roles = role_codes(actor)
    changed = _changed_fields(link)  # before anything loads (a lazy load would flush the changes away)
    if not rules.may(actor, "open" if new else "edit", link):
        raise Refusal(_l("Only the HR bureau, the medical insurance bureau and the receiving place record "
                         "social-security linkage."))
    with db.session.no_autoflush:
        retiree = link.retiree or (db.session.get(Retiree, link.retiree_id) if link.retiree_id else None)
    if retiree is None or not in_scope(retiree, actor):
        raise RuleViolation({"retiree": [_l("Choose a retiree in your scope.")]})
    if new:
        if db.session.scalar(select(BenefitLink.id).where(BenefitLink.retiree_id == retiree.id)):
            raise RuleViolation({"retiree": [_l("This retiree already has a linkage record: open it instead.")]})
        link.copy_scope_from(retiree)
    problems = rules.field_problems(roles, changed, retiree.pension_source == PensionSource.FISCAL,
                                    retiree.medical_local)
    message = rules.injury_problem(link.work_injury, link.injury_level)
    if message:
        problems.setdefault("injury_level", []).append(message)
    if problems:
        raise RuleViolation(problems)
    link.changed_by_id = actor.id
    return link


def figures(user=None):
    """What each department's stream stands at, within the user's scope: counted from the departments' records."""
    accepted = scope(select(func.count()).select_from(Retiree).join(HandoverCase, HandoverCase.retiree_id == Retiree.id)
                     .where(HandoverCase.accepted_on.is_not(None), Retiree.deceased.is_(False)), Retiree, user)
    # "on time": confirmed at least through the previous month
    previous_month = (clock.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    links = scope(select(BenefitLink), BenefitLink, user).subquery()

    def count(query):
        return db.session.scalar(query) or 0

    base = select(func.count()).select_from(links)
    needing_medical = count(scope(select(func.count()).select_from(Retiree).where(
        Retiree.medical_local.is_(False), Retiree.deceased.is_(False), Retiree.is_lixiu.is_(False)), Retiree, user))
    fiscal = count(scope(select(func.count()).select_from(Retiree).where(
        Retiree.pension_source == PensionSource.FISCAL, Retiree.deceased.is_(False)), Retiree, user))
    return {
        "accepted": count(accepted),
        "pension_confirmed": count(base.where(links.c.pension_confirmed_through >= previous_month)),
        "work_injury": count(base.where(links.c.work_injury.is_(True))),
        "injury_linked": count(base.where(links.c.work_injury.is_(True), links.c.injury_linked_on.is_not(None))),
        "medical_needed": needing_medical,
        "medical_transferred": count(base.where(links.c.medical_transferred_on.is_not(None))),
        "mutual_aid": count(base.where(links.c.mutual_aid.is_(True))),
        "fiscal": fiscal,
        "fiscal_applied": count(base.where(links.c.fiscal_applied_on.is_not(None))),
    }
