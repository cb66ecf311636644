"""Funding of the socialized management (policy 四(五)) as plain functions.

"市、县（区）财政部门各自要按照定额标准保障…工作经费，国有企业不承担…费用": each county's yearly need is the quota per
retiree (setting FUNDING_QUOTA_PER_RETIREE, yuan a year) times the retirees it manages; the city's finance bureau
records the city's share for any county, a county records only its own share; the gap is the need less what both
shares disbursed. The split between city and county is not fixed by the policy: the page shows both shares.
"""
from decimal import Decimal

from flask_babel import lazy_gettext as _l


class Share:
    CITY = "city"
    COUNTY = "county"
    LABELS = {CITY: _l("City share"), COUNTY: _l("County share")}


def required_amount(retirees, quota):
    return (Decimal(quota) * retirees).quantize(Decimal("0.01"))


def gap(required, disbursed):
    return max(Decimal("0"), Decimal(required) - Decimal(disbursed))


def may(roles, action, user_org_id=None, county_id=None, share=None):
    roles = set(roles)
    if action == "record":
        if "finance" in roles:
            return share in (None, Share.CITY)
        if "county" in roles:
            return share in (None, Share.COUNTY) and county_id in (None, user_org_id)
    return False


def record_problem(roles, user_org_id, county_id, share):
    if not may(roles, "record", user_org_id, county_id, share):
        if "county" in set(roles) and county_id != user_org_id:
            return _l("A county records only its own funding.")
        if "county" in set(roles):
            return _l("A county records its own share; the city's share is recorded by the finance bureau.")
        return _l("Only the finance bureau (city share) and each county (its own share) record funding.")
    return None
