"""Funding steps and figures (policy 四(五)) as plain functions taking the acting user."""
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.funding import rules
from app.funding.models import FundingRecord
from app.handover.managed import managed_counts
from app.org.models import Organization, OrgKind
from app.rules import RuleViolation
from app.security.access import role_codes
from app.security.scope import user_scope
from app.steps import Refusal


def quota():
    return Decimal(str(current_app.config.get("FUNDING_QUOTA_PER_RETIREE", 600)))


def save_record(actor, record):
    county = record.county or (db.session.get(Organization, record.county_id) if record.county_id else None)
    if county is None or county.kind != OrgKind.COUNTY:
        raise RuleViolation({"county": [_l("Choose a county/district.")]})
    record.county_id = county.id
    problem = rules.record_problem(role_codes(actor), actor.org_id, county.id, record.share)
    if problem:
        raise Refusal(problem)
    problems = {}
    if record.share not in rules.Share.LABELS:
        problems["share"] = [_l("Not a valid choice.")]
    for field in ("budgeted", "disbursed"):
        value = getattr(record, field)
        if value is None or value < 0:
            problems[field] = [_l("Give an amount of zero or more.")]
    if record.year is None or not 2019 <= record.year <= clock.today().year + 1:
        problems["year"] = [_l("Give a year from 2019 to next year.")]
    if problems:
        raise RuleViolation(problems)
    record.recorded_by_id = actor.id
    record.recorded_at = clock.utcnow()
    return record


def overview(user, year):
    """Per county in the user's scope for the year: (county, retirees, need, city disbursed, county disbursed,
    gap), in administrative-code order; and the quota used."""
    s = user_scope(user)
    counties = db.session.scalars(select(Organization).where(Organization.kind == OrgKind.COUNTY)
                                  .order_by(Organization.code)).all()
    if not s.city_wide:
        counties = [c for c in counties if c.id in s.org_ids]
    counts = managed_counts("county")
    paid = {}
    for record in db.session.scalars(select(FundingRecord).where(FundingRecord.year == year)):
        key = (record.county_id, record.share)
        paid[key] = paid.get(key, Decimal("0")) + Decimal(record.disbursed or 0)
    q = quota()
    rows = []
    for county in counties:
        n = counts.get(county.id, 0)
        need = rules.required_amount(n, q)
        city = paid.get((county.id, rules.Share.CITY), Decimal("0"))
        own = paid.get((county.id, rules.Share.COUNTY), Decimal("0"))
        rows.append((county, n, need, city, own, rules.gap(need, city + own)))
    return rows, q
