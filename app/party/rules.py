"""Rules of the party-relation transfer as plain functions (policy 主要任务 (三))."""
import datetime

from flask_babel import lazy_gettext as _l

from app.handover.models import ItemState


def month_before(day):
    """The first day of the month before `day`'s month: dues must be paid up to it (接转前应缴党费收缴)."""
    first = day.replace(day=1)
    return (first - datetime.timedelta(days=1)).replace(day=1)


def stalled_days(transfer, threshold_days, today=None):
    """Days a sent letter has waited unanswered, when that exceeds the threshold (推诿扯皮/拒转拒收); else None."""
    if transfer.letter_issued_on is None or transfer.received_on is not None:
        return None
    waited = ((today or datetime.date.today()) - transfer.letter_issued_on).days
    return waited if waited > threshold_days else None


def transfer_state(transfer):
    if transfer.received_on is not None:
        return ItemState.DONE
    if transfer.letter_issued_on is not None or transfer.dues_base_verified or transfer.letter_no:
        return ItemState.IN_PROGRESS
    return ItemState.NOT_STARTED


def transfer_state_label(transfer):
    return str(ItemState.LABELS[transfer_state(transfer)])


def transfer_problems(t, today=None):
    problems = {}

    def add(field, message):
        if message:
            problems.setdefault(field, []).append(message)

    retiree = t.retiree
    if retiree is not None and not retiree.party_member:
        add("letter_no", _l("Only party members have a party organizational relation to transfer."))
    if t.letter_issued_on is not None:
        if not t.dues_base_verified:
            add("dues_base_verified", _l("Verify the party dues base before the letter is issued."))
        if t.dues_paid_until is None or t.dues_paid_until < month_before(t.letter_issued_on):
            add("dues_paid_until", _l("Party dues must be paid up to the month before the transfer."))
        if not (t.letter_no or "").strip():
            add("letter_no", _l("Give the introduction letter number."))
        if not (t.receiving_org or "").strip():
            add("receiving_org", _l("Give the receiving party organization."))
        if t.letter_issued_on > (today or datetime.date.today()):
            add("letter_issued_on", _l("This date lies in the future."))
    if t.received_on is not None:
        if t.letter_issued_on is None:
            add("received_on", _l("A relation can only be received after the letter was issued."))
        elif t.received_on < t.letter_issued_on:
            add("received_on", _l("The date received cannot be before the letter was issued."))
        if not (t.branch or "").strip():
            add("branch", _l("Assign the receiving party branch."))
    return problems


# The receiving party organisation records the receipt (date received, branch): the receiving township or
# community, in whose area the retiree lives (scope). The checklist's party stream follows that record.
RECEIVING_ROLES = {"township", "community"}
RECEIVING_FIELDS = ("received_on", "branch")


def receipt_problem(roles):
    if not set(roles) & RECEIVING_ROLES:
        return _l("Only the receiving party organisation (township or community) records the receipt.")
    return None


def may(user, action, row=None):
    """edit (a transfer: letter, dues), record_receipt (date received and branch)."""
    from app.security.access import granted, role_codes
    from app.security.roles import PARTY_TRANSFER, WRITE

    if not granted(user, WRITE, PARTY_TRANSFER):
        return False
    if action == "edit":
        return True
    if action == "record_receipt":
        return receipt_problem(role_codes(user)) is None
    return False
