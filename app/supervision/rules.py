"""Rules of supervision items, accountability and contacts as plain functions (no database, no request): each
returns a message (None: allowed) or a plain value. Services and views call them; tests call them directly.

Who does what (policy 四（六）): the city supervision office (督查室) opens an item against a unit, re-checks
the unit's response and closes it (销号) or sends it back (退回); only the unit's own users sign for it and
respond. Which rows a user may *see* is the one scope (app/security/scope.py); these rules say who may *act*.

The colour (app/deadlines.colour) of an item judges the unit's response, since the deadline is what the
unit was given: the item is done on the date of the unit's latest response. While the office re-checks, the
unit is not blamed for the office's time (green or yellow, not red); an item sent back counts as not done
again (it turns red once past its deadline, and yellow when the unit responds late); a closed item keeps the
colour of the response that was accepted. Closing date and response date are both recorded.
"""
from flask_babel import lazy_gettext as _l

from app.deadlines import colour
from app.tibetan import forms
from app.supervision.models import AccountabilityKind, GroupPost, ItemStatus

OFFICE_ROLE = "supervision"  # the city government's supervision office
ROSTER_ROLE = "sasac"  # the leading group's office (设在市国资委) keeps the roster

OFFICE, UNIT = "office", "unit"

# action -> (statuses it may start from, status it leads to, who takes it)
TRANSITIONS = {
    "sign": ({ItemStatus.OPENED}, ItemStatus.SIGNED, UNIT),
    "respond": ({ItemStatus.SIGNED, ItemStatus.RETURNED}, ItemStatus.RESPONDED, UNIT),
    "close": ({ItemStatus.RESPONDED}, ItemStatus.CLOSED, OFFICE),
    "send_back": ({ItemStatus.RESPONDED}, ItemStatus.RETURNED, OFFICE),
    # the office may correct an item until the unit has responded to it
    "edit": ({ItemStatus.OPENED, ItemStatus.SIGNED, ItemStatus.RETURNED}, None, OFFICE),
}


def is_office(roles):
    return OFFICE_ROLE in set(roles)


def actor_problem(action, roles, actor_org_id, unit_id):
    """Why this user may not take this step on an item of `unit_id` (None: they may)."""
    who = TRANSITIONS[action][2]
    if who == OFFICE:
        if not is_office(roles):
            return _l("Only the supervision office can do this.")
        return None
    if actor_org_id is None or actor_org_id != unit_id:
        return _l("Only the unit this item was opened against can sign for it and respond.")
    return None


def step_problem(action, status):
    """Why an item in `status` cannot take this step now (None: it can)."""
    starts = TRANSITIONS[action][0]
    if status not in starts:
        return _l("This item is %(status_in)s: this step is not possible now.",
                  **forms(status=ItemStatus.LABELS.get(status, status)))
    return None


def next_status(action):
    return TRANSITIONS[action][1]


def deadline_problem(opened_on, deadline):
    if deadline is None:
        return _l("Give a deadline.")
    if opened_on is not None and deadline < opened_on:
        return _l("The deadline cannot be before the opening date (%(date)s).", date=opened_on.isoformat())
    return None


def text_problem(text, what):
    """An empty response, reason or title is refused: `what` says which."""
    if not (text or "").strip():
        return {
            "response": _l("Write the response."),
            "reason": _l("Give a reason."),
            "title": _l("Give a title."),
            "requirement": _l("Write the requirement."),
        }[what]
    return None


def link_problem(value, exists=True):
    """A link to a work-plan task or monthly report is the number of one that exists, or empty."""
    if value is not None and value <= 0:
        return _l("Give a positive number, or leave it empty.")
    if value is not None and not exists:
        return _l("There is no record with this number.")
    return None


def item_colour(status, deadline, responded_on, today):
    """The colour of an item (see the module doc): done on the unit's latest response unless sent back."""
    done_on = None if status in ItemStatus.AWAITING_UNIT else responded_on
    return colour(deadline, today, done_on=done_on)


# ---------------------------------------------------------------------------------------------------------
# Accountability

def accountability_problems(unit_id, kind, reason, on_date, today, item_unit_ids=()):
    """{field: message} of a record that may not be saved ({} when it may)."""
    problems = {}
    if unit_id is None:
        problems["unit"] = _l("Choose the unit.")
    if kind not in AccountabilityKind.LABELS:
        problems["kind"] = _l("Not a valid choice.")
    if not (reason or "").strip():
        problems["reason"] = _l("Give a reason.")
    if on_date is None:
        problems["on_date"] = _l("Give a date.")
    elif on_date > today:
        problems["on_date"] = _l("The date cannot be in the future.")
    if unit_id is not None and any(u != unit_id for u in item_unit_ids):
        problems["items"] = _l("Link only supervision items of the same unit.")
    return problems


def accountability_editor_problem(roles):
    if not is_office(roles):
        return _l("Only the supervision office can do this.")
    return None


# ---------------------------------------------------------------------------------------------------------
# Contacts and roster

def contact_editor_problem(actor_org_id, contact_org_id):
    """A unit names and maintains its own contact person; nobody else changes it (not even city-wide roles)."""
    if actor_org_id is None or actor_org_id != contact_org_id:
        return _l("A unit maintains only its own contact person.")
    return None


def contact_problems(name, post, office_phone, mobile):
    problems = {}
    if not (name or "").strip():
        problems["name"] = _l("Give a name.")
    if not (post or "").strip():
        problems["post"] = _l("Give the post.")
    if not (office_phone or "").strip() and not (mobile or "").strip():
        problems["mobile"] = _l("Give an office phone or a mobile number.")
    digits = (mobile or "").strip()
    if digits and not (digits.isdigit() and len(digits) == 11 and digits.startswith("1")):
        problems["mobile"] = _l("A mobile number has 11 digits and starts with 1.")
    return problems


def roster_editor_problem(roles):
    if ROSTER_ROLE not in set(roles):
        return _l("Only the leading-group office (SASAC) maintains the roster.")
    return None


def roster_problems(name, group_post):
    problems = {}
    if not (name or "").strip():
        problems["name"] = _l("Give a name.")
    if group_post not in GroupPost.LABELS:
        problems["group_post"] = _l("Not a valid choice.")
    return problems


def contact_units(units, member_unit_ids):
    """The units that name a contact person (各相关单位): every county and enterprise, and each department whose
    users hold a role that maintains contacts (SASAC and the bureaus; not the supervision office, the leading
    group itself or the information centre)."""
    from app.org.models import OrgKind

    return [u for u in units if u.kind in (OrgKind.COUNTY, OrgKind.ENTERPRISE)
            or (u.kind == OrgKind.DEPARTMENT and u.id in member_unit_ids)]


def contact_roles():
    from app.security.roles import ROLE_DEFINITIONS, WORK_CONTACT, WRITE

    return {r.code for r in ROLE_DEFINITIONS if (WRITE, WORK_CONTACT) in r.grants}
