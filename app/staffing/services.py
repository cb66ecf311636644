"""Staffing steps and figures (policy 二(八)) as plain functions taking the acting user."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.handover.managed import managed_counts
from app.org.models import Organization, OrgKind
from app.rules import RuleViolation
from app.security.access import role_codes
from app.security.scope import user_scope
from app.staffing import rules
from app.staffing.models import StaffingRecord
from app.steps import Refusal


def save_staffing(actor, record):
    unit = record.unit or (db.session.get(Organization, record.unit_id) if record.unit_id else None)
    if unit is None or unit.kind not in (OrgKind.TOWNSHIP, OrgKind.COMMUNITY):
        raise RuleViolation({"unit": [_l("Choose a township/street or community.")]})
    if not rules.may(role_codes(actor), "record_staffing", unit_in_scope=user_scope(actor).allows_org(unit.id)):
        raise Refusal(_l("The county assigns the staff of its townships and communities (policy 二(八))."))
    problems = {}
    for field in ("full_time", "part_time"):
        value = getattr(record, field)
        if value is None or value < 0 or value > 500:
            problems[field] = [_l("Give a number from 0 to 500.")]
    if record.as_of is None or record.as_of > clock.today():
        problems["as_of"] = [_l("Give a date that is not in the future.")]
    if problems:
        raise RuleViolation(problems)
    record.recorded_by_id = actor.id
    record.recorded_at = clock.utcnow()
    return record


def save_placement(actor, placement):
    if not rules.may(role_codes(actor), "record_placement", actor.org_id, placement.enterprise_id):
        raise Refusal(_l("An enterprise records the re-placement of its own staff."))
    placement.enterprise_id = actor.org_id
    if placement.placement not in rules.Placement.LABELS:
        raise RuleViolation({"placement": [_l("Not a valid choice.")]})
    return placement


def overview(user):
    """One row per township/street and community in the user's scope: (unit, retirees, required full-time,
    latest record or None, state, gap), in administrative-code order."""
    s = user_scope(user)
    units = db.session.scalars(select(Organization).where(
        Organization.kind.in_((OrgKind.TOWNSHIP, OrgKind.COMMUNITY))).order_by(Organization.path)).all()
    if not s.city_wide:
        units = [u for u in units if u.id in s.org_ids]
    counts = {**managed_counts("township"), **managed_counts("community")}
    latest = {}
    for record in db.session.scalars(select(StaffingRecord).order_by(StaffingRecord.as_of, StaffingRecord.id)):
        latest[record.unit_id] = record
    rows = []
    for unit in units:
        n = counts.get(unit.id, 0)
        record = latest.get(unit.id)
        state, gap = rules.staffing_state(n, record.full_time if record else 0, record.part_time if record else 0)
        rows.append((unit, n, rules.required_full_time(n), record, state, gap))
    return rows
