"""Rules of the off-plan expenses (统筹外费用, policy 二(七)) as plain functions: no database, no request.

Decisions where the policy leaves room (stated so that users and auditors can check them):
- The one-time payment "with reference to the city's average life expectancy" is the item's monthly standard
  times the months the retiree is expected to live on: (life expectancy in years × 12) − age in whole months on
  the computation date, never below zero. The life expectancy is read from the table for the retiree's sex and
  the year of the computation (the newest year not after it). The formula is shown with the amount.
- A transition period lasts at most 3 years (过渡期原则上不超过3年) from its start.
- Off-plan expenses are for retirees who retired before the end of their enterprise's transition period; one
  who retires after it gets the enterprise's one-time payment under the city's rules and no off-plan items, so
  no item and no life-expectancy payment is computed for them.
- After the enterprise's baseline date no new item is added and no standard is raised (不再新增统筹外项目，原则上
  不再提高发放标准): both are refused with the rule named. Lowering a standard is allowed.
"""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

TRANSITION_MAX_YEARS = 3


class Classification:
    COMPLIANT = "compliant"
    ENTERPRISE_OWN = "enterprise_own"
    LABELS = {COMPLIANT: _l("In line with the rules"), ENTERPRISE_OWN: _l("Paid by the enterprise on its own")}


class Handling:
    ACCRUE_AND_PAY = "accrue_and_pay"
    LUMP_SUM = "lump_sum"
    OWN_CHANNEL = "own_channel"
    LABELS = {
        ACCRUE_AND_PAY: _l("One-time accrual, paid as now"),
        LUMP_SUM: _l("One-time payment by life expectancy"),
        OWN_CHANNEL: _l("Enterprise's own channel"),
    }
    # Which handling fits which classification (policy 二(七)): the rules-compliant items are accrued or paid
    # off at once; the enterprise's own items stay on its own channel.
    ALLOWED = {Classification.COMPLIANT: (ACCRUE_AND_PAY, LUMP_SUM), Classification.ENTERPRISE_OWN: (OWN_CHANNEL,)}


class ReviewStatus:
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    LABELS = {DRAFT: _l("Draft"), SUBMITTED: _l("Waiting for review"), APPROVED: _l("Approved"),
              RETURNED: _l("Returned for revision")}
    CSS = {DRAFT: "default", SUBMITTED: "info", APPROVED: "success", RETURNED: "warning"}


def add_years(day, years):
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def transition_problem(start, end):
    if start is None or end is None:
        return _l("Give the start and the end of the transition period.")
    if end < start:
        return _l("The transition period ends before it starts.")
    if end > add_years(start, TRANSITION_MAX_YEARS):
        return _l("Policy 二(七): the transition period lasts at most 3 years (until %(date)s at the latest).",
                  date=add_years(start, TRANSITION_MAX_YEARS).isoformat())
    return None


def retired_after_transition(retirement_date, transition_end):
    return transition_end is not None and retirement_date is not None and retirement_date > transition_end


def new_item_problem(today, baseline_date):
    if baseline_date is not None and today > baseline_date:
        return _l("Policy 二(七): no new off-plan items after the baseline date (%(date)s).",
                  date=baseline_date.isoformat())
    return None


def standard_problem(new_standard, baseline_standard, today, baseline_date):
    if baseline_date is None or today <= baseline_date or baseline_standard is None:
        return None
    if Decimal(new_standard) > Decimal(baseline_standard):
        return _l("Policy 二(七): standards are not raised after the baseline date; the baseline standard is "
                  "%(amount)s yuan.", amount=f"{Decimal(baseline_standard):.2f}")
    return None


def handling_problem(classification, handling):
    if classification not in Handling.ALLOWED:
        return _l("Not a valid choice.")
    if handling not in Handling.ALLOWED[classification]:
        return _l("Items paid by the enterprise on its own stay on its own channel; rules-compliant items are "
                  "accrued or paid off at once.")
    return None


def retiree_item_problem(retirement_date, transition_end):
    if retired_after_transition(retirement_date, transition_end):
        return _l("Policy 二(七): this retiree retired after the transition period (ended %(date)s) and gets the "
                  "one-time payment, no off-plan expenses.", date=transition_end.isoformat())
    return None


def months_of_age(birth_date, on_date):
    months = (on_date.year - birth_date.year) * 12 + (on_date.month - birth_date.month)
    if on_date.day < birth_date.day:
        months -= 1
    return months


def life_expectancy_for(table, sex, on_date):
    """The table's value for the sex and the newest year not after the date: table = {(sex, year): years}."""
    years = sorted(y for (s, y) in table if s == sex and y <= on_date.year)
    if not years:
        return None
    return Decimal(table[(sex, years[-1])]), years[-1]


@dataclass(frozen=True)
class LumpSum:
    monthly: Decimal
    expectancy_years: Decimal
    table_year: int
    age_months: int
    remaining_months: int
    amount: Decimal

    def formula(self):
        """The computation as shown on the page and in the PDF (digits and symbols only: both languages)."""
        return (f"{self.monthly:.2f} × max(0, {self.expectancy_years} × 12 − {self.age_months}) = "
                f"{self.monthly:.2f} × {self.remaining_months} = {self.amount:.2f}")


class LumpSumRefused(Exception):
    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


def lump_sum(monthly, birth_date, sex, on_date, table, retirement_date=None, transition_end=None):
    """The one-time payment of an item by life expectancy (see the module's decisions)."""
    problem = retiree_item_problem(retirement_date, transition_end)
    if problem:
        raise LumpSumRefused(problem)
    found = life_expectancy_for(table, sex, on_date)
    if found is None:
        raise LumpSumRefused(_l("No life expectancy is recorded for this sex and year: SASAC records it first."))
    expectancy, year = found
    monthly = Decimal(monthly)
    age = months_of_age(birth_date, on_date)
    remaining = max(0, int((expectancy * 12).to_integral_value(rounding=ROUND_HALF_UP)) - age)
    amount = (monthly * remaining).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return LumpSum(monthly.quantize(Decimal("0.01")), expectancy, year, age, remaining, amount)


# Who may do what ----------------------------------------------------------------------------------------

def may(roles, user_org_id, action, enterprise_id=None, status=None):
    """One answer for the service, the views and the templates."""
    roles = set(roles)
    own = "enterprise" in roles and user_org_id is not None and user_org_id == enterprise_id
    if action in ("edit_item", "edit_handling"):
        # editing an approved handling is allowed: it goes back to draft and is reviewed again
        return own and status != ReviewStatus.SUBMITTED
    if action == "submit":
        return own and status in (ReviewStatus.DRAFT, ReviewStatus.RETURNED)
    if action == "review":
        return "sasac" in roles and status == ReviewStatus.SUBMITTED
    if action == "life_table":
        return "sasac" in roles
    return False

