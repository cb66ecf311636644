"""Rules of the community's service work as plain functions (unit-tested in tests/test_community_rules.py),
and `may(user, action, row)`: who may do what, said once for the services, the pages and the menus."""
import calendar
import datetime

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

from app.community.models import ClaimStep
from app.deadlines import Colour, colour

DEFAULT_CERT_CYCLE_MONTHS = 12
# Days the community has for each step of a survivor claim, counted from the previous step: the survivors'
# application declared after the death report, the paying agency's approval, the payment.
DEFAULT_CLAIM_STEP_DAYS = {ClaimStep.SUBMITTED: 30, ClaimStep.APPROVED: 30, ClaimStep.PAID: 15}

# Roles that do the service work (write) and that read it.
WORKERS = {"community", "township", "liaison"}
READERS = WORKERS | {"county", "hrss", "sasac", "leading_group", "supervision"}


def _setting(name, default):
    if has_app_context():
        return current_app.config.get(name, default)
    return default


def cert_cycle_months():
    return int(_setting("SERVICE_CERT_CYCLE_MONTHS", DEFAULT_CERT_CYCLE_MONTHS))


def claim_step_days(step):
    days = _setting("SERVICE_CLAIM_STEP_DAYS", None) or {}
    return int(days.get(step, DEFAULT_CLAIM_STEP_DAYS[step]))


def add_months(day, months):
    """The same day `months` later; the month's last day when it has no such day (31 Jan + 1 → 28/29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def next_cert_due(last_done, anchor, months=None):
    """The next certification date: one cycle after the last certification; a retiree never certified is
    due one cycle after the anchor (the day the community took them over), or on the anchor itself when
    that is already more than one cycle ago (the certification is simply owed)."""
    months = cert_cycle_months() if months is None else months
    if last_done is not None:
        return add_months(last_done, months)
    if anchor is None:
        return None
    return add_months(anchor, months)


def cert_colour(due_on, today, done_on=None):
    """The one colour rule (app/deadlines.py) applied to a certification date."""
    if due_on is None:
        return Colour.NONE
    return colour(due_on, today, done_on=done_on)


def cert_state(due_on, today, window_days=None):
    """'overdue' past the date, 'due' within the window (the warn days), else 'later'."""
    if due_on is None:
        return None
    if today > due_on:
        return "overdue"
    window = (_setting("DEADLINE_WARN_DAYS", 7) if window_days is None else window_days)
    if (due_on - today).days <= max(int(window), 30):
        return "due"
    return "later"


def certification_problem(retiree, done_on, today):
    if retiree.deceased:
        return _l("A deceased retiree is not certified.")
    if done_on is None:
        return _l("Give the date.")
    if done_on > today:
        return _l("The date cannot be in the future.")
    if retiree.death_date is not None and done_on > retiree.death_date:
        return _l("A deceased retiree is not certified.")
    return None


def death_problem(retiree, death_date, today, already_reported):
    if already_reported:
        return _l("This death has already been reported.")
    if death_date is None:
        return _l("Give the date.")
    if death_date > today:
        return _l("The date cannot be in the future.")
    if retiree.birth_date is not None and death_date < retiree.birth_date:
        return _l("The date of death cannot be before the birth date.")
    return None


def claim_opening_problem(retiree):
    if not retiree.deceased:
        return _l("Survivor claims are opened only for a deceased retiree.")
    return None


def next_step(step):
    """The step that follows `step`, or None for a paid claim."""
    i = ClaimStep.ORDER.index(step)
    return ClaimStep.ORDER[i + 1] if i + 1 < len(ClaimStep.ORDER) else None


def step_date(claim, step):
    return {ClaimStep.OPEN: claim.opened_on, ClaimStep.SUBMITTED: claim.submitted_on,
            ClaimStep.APPROVED: claim.approved_on, ClaimStep.PAID: claim.paid_on}[step]


def claim_deadline(claim):
    """The date by which the claim's next step is due (None when paid)."""
    following = next_step(claim.step)
    if following is None:
        return None
    start = step_date(claim, claim.step)
    return start + datetime.timedelta(days=claim_step_days(following)) if start else None


def claim_colour(claim, today):
    if claim.step == ClaimStep.PAID:
        return Colour.GREEN
    return colour(claim_deadline(claim), today)


def claim_step_problem(claim, step, on_date, today, applicant=None, relation=None, amount=None, to=None):
    """Steps go in order, each on or after the previous one, never in the future, with what it needs."""
    if next_step(claim.step) != step:
        return _l("This step does not follow the claim's current state.")
    if on_date is None:
        return _l("Give the date.")
    if on_date > today:
        return _l("The date cannot be in the future.")
    previous = step_date(claim, claim.step)
    if previous is not None and on_date < previous:
        return _l("A step cannot be dated before the previous step.")
    if step == ClaimStep.SUBMITTED:
        if not (applicant or "").strip() or not (relation or "").strip():
            return _l("Give the applicant and their relation to the deceased.")
        if not (to or "").strip():
            return _l("Say to whom the claim was submitted.")
    if step in (ClaimStep.SUBMITTED, ClaimStep.APPROVED):
        if amount is None or amount <= 0:
            return _l("Give an amount greater than zero.")
    return None


def age_on(birth_date, day):
    """Completed years on `day` (a birthday on 29 February counts from 1 March in other years)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


# ---------------------------------------------------------------------------------------------------------
# Who may do what (one place for services, pages and menus)

def _roles(user):
    return {r.name for r in getattr(user, "roles", []) or []}


def may(user, action, row=None):
    """`action`: "read" or "write" (certify, report a death, move a claim on). `row`: a retiree or a service
    row; the scope decides whether it is the user's. A worker writes only for retirees in their own unit's
    area; readers (county, HR bureau, SASAC, leading group, supervision office) never write."""
    from app.security.scope import in_scope

    roles = _roles(user)
    allowed = WORKERS if action == "write" else READERS
    if not roles & allowed:
        return False
    if row is None:
        return True
    return in_scope(row, user)


# ---------------------------------------------------------------------------------------------------------
# Hardship and care

AGE_THRESHOLD = 80


def aged_cutoff(today, years=AGE_THRESHOLD):
    """The latest birth date of someone aged `years` or more on `today` (29 Feb births: see age_on)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February: born on 29 Feb counts on the 28th... of a non-leap year later
        return today.replace(year=today.year - years, day=28)


def hardship_flags(birth_date, recorded, today):
    """[(kind, source)] that apply on `today`: 80+ computed from the birth date, then every recorded flag
    that has not ended. `recorded`: objects with kind, source, noted_on, ended_on."""
    from app.community.models import CareKind

    flags = []
    if birth_date is not None and age_on(birth_date, today) >= AGE_THRESHOLD:
        flags.append((CareKind.AGED_80, None))
    for flag in recorded:
        if flag.ended_on is None or flag.ended_on > today:
            if flag.noted_on is None or flag.noted_on <= today:
                flags.append((flag.kind, flag.source))
    return flags


def care_flag_problem(kind, source, open_kinds):
    from app.community.models import CareKind

    if kind not in CareKind.RECORDED:
        return _l("Not a valid choice.")
    if not (source or "").strip():
        return _l("Say how this is known (the source).")
    if kind in open_kinds:
        return _l("This flag is already recorded.")
    return None


def aid_problem(kind, amount, given_on, today):
    from app.community.models import AidKind

    if kind not in AidKind.LABELS:
        return _l("Not a valid choice.")
    if given_on is None:
        return _l("Give the date.")
    if given_on > today:
        return _l("The date cannot be in the future.")
    if kind == AidKind.CASH and (amount is None or amount <= 0):
        return _l("Give an amount greater than zero.")
    if amount is not None and amount < 0:
        return _l("Give an amount greater than zero.")
    return None


def health_problem(consent_on, consent_by, today):
    if consent_on is None or not (consent_by or "").strip():
        return _l("A health record is kept only with consent: give who consented and when.")
    if consent_on > today:
        return _l("The date cannot be in the future.")
    return None


# ---------------------------------------------------------------------------------------------------------
# Visits and holiday rounds


class _Named:
    """A label given in both scripts by configuration, shown in the reader's language."""

    def __init__(self, names):
        self.names = names

    def __str__(self):
        from flask_babel import get_locale

        locale = get_locale()
        lang = locale.language if locale is not None else "zh"
        return self.names.get(lang) or self.names.get("zh") or ""


def round_kinds():
    """The kinds of holiday round: Losar, Spring Festival, other, and the kinds the setting
    SERVICE_EXTRA_ROUND_KINDS adds ({"code": {"zh": "…", "bo": "…"}}, e.g. the Shoton festival)."""
    from app.community.models import RoundKind

    kinds = dict(RoundKind.LABELS)
    for code, names in (_setting("SERVICE_EXTRA_ROUND_KINDS", None) or {}).items():
        kinds[code] = _Named(names)
    return kinds


def round_problem(kind, title, starts_on, ends_on):
    if kind not in round_kinds():
        return _l("Not a valid choice.")
    if not (title or "").strip():
        return _l("Give the title.")
    if starts_on is None or ends_on is None:
        return _l("Give the date.")
    if ends_on < starts_on:
        return _l("The end cannot be before the start.")
    return None


def visit_problem(planned_on, done_on, visitors, today, round_=None):
    if planned_on is None and done_on is None:
        return _l("Give the date.")
    if done_on is not None:
        if done_on > today:
            return _l("The date cannot be in the future.")
        if not (visitors or "").strip():
            return _l("Say who visited.")
        if round_ is not None and not (round_.starts_on <= done_on <= round_.ends_on):
            return _l("The visit is not within the round's dates.")
    return None


def coverage(total, visited):
    """A round's coverage of a unit in whole per cent (0 when the unit has nobody in care)."""
    return round(100 * visited / total) if total else 0


# ---------------------------------------------------------------------------------------------------------
# One window (一窗受理, 首问负责, 全程代办)

DEFAULT_REQUEST_WORKING_DAYS = 5


def add_working_days(day, n):
    """`n` working days after `day` (Saturdays and Sundays skipped; n = 0 is `day` itself, or the next
    Monday when `day` falls on a weekend)."""
    current = day
    while current.weekday() >= 5:
        current += datetime.timedelta(days=1)
    added = 0
    while added < n:
        current += datetime.timedelta(days=1)
        if current.weekday() < 5:
            added += 1
    return current


def promised_date(received_on, days=None):
    days = int(_setting("SERVICE_REQUEST_WORKING_DAYS", DEFAULT_REQUEST_WORKING_DAYS)) if days is None else days
    return add_working_days(received_on, days)


def request_colour(promised_on, today, closed_on=None):
    return colour(promised_on, today, done_on=closed_on)


def request_problem(applicant, subject, kind, received_on, promised_on):
    from app.community.models import RequestKind

    if not (applicant or "").strip() or not (subject or "").strip():
        return _l("Give the applicant and the request.")
    if kind not in RequestKind.LABELS:
        return _l("Not a valid choice.")
    if promised_on is not None and promised_on < received_on:
        return _l("The promised date cannot be before the day the request was received.")
    return None


def is_owner(user, request):
    """The owning unit answers for the request (首问负责): any of its users acts for it."""
    return user is not None and request.owner_org_id is not None and getattr(user, "org_id", None) == request.owner_org_id


# ---------------------------------------------------------------------------------------------------------
# Activities and party life


def activity_problem(kind, title, held_on, today):
    from app.community.models import ActivityKind

    if kind not in ActivityKind.LABELS:
        return _l("Not a valid choice.")
    if not (title or "").strip():
        return _l("Give the title.")
    if held_on is None:
        return _l("Give the date.")
    if held_on > today + datetime.timedelta(days=366):
        return _l("The date is too far ahead.")
    return None


def meeting_problem(kind, branch, topic, held_on, today):
    from app.community.models import MeetingKind

    if kind not in MeetingKind.LABELS:
        return _l("Not a valid choice.")
    if not (branch or "").strip() or not (topic or "").strip():
        return _l("Give the branch and the topic.")
    if held_on is None:
        return _l("Give the date.")
    if held_on > today:
        return _l("The date cannot be in the future.")
    return None


def parse_month(value):
    """'YYYY-MM' → (year, month), or None."""
    try:
        year, month = (int(p) for p in (value or "").split("-"))
    except ValueError:
        return None
    return (year, month) if 1 <= month <= 12 and 1900 < year < 3000 else None


def dues_problem(month, amount, paid_on, transferred_on, today):
    """Dues are recorded from the month the community's branch received the member's relation on (before it
    the enterprise's party organisation collects them, policy 二(三)); never for a future month."""
    ym = parse_month(month)
    if ym is None:
        return _l("Give the month as YYYY-MM.")
    if ym > (today.year, today.month):
        return _l("Dues are not recorded for a future month.")
    if transferred_on is None:
        return _l("The member's party relation has not been received by the community's branch yet.")
    if ym < (transferred_on.year, transferred_on.month):
        return _l("Dues before the transfer are collected by the enterprise's party organisation.")
    if amount is None or amount <= 0:
        return _l("Give an amount greater than zero.")
    if paid_on is None or paid_on > today:
        return _l("The date cannot be in the future.")
    return None


def months_behind(paid_until, transferred_on, today):
    """Whole months of dues owed up to last month: from the month after `paid_until` (or the transfer month
    when nothing is paid) to the month before `today`."""
    if transferred_on is None:
        return 0
    if paid_until is None:
        start = (transferred_on.year, transferred_on.month)
    else:
        y, m = parse_month(paid_until)
        start = (y + (m // 12), m % 12 + 1)
    last = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    n = (last[0] - start[0]) * 12 + (last[1] - start[1]) + 1
    return max(0, n)
