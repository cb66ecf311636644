"""Rules of the ledger as plain functions. Each returns a message (or None); `retiree_problems` applies them
all to one retiree, and the form validators, the REST API and the importer call the same functions."""
import datetime

from flask_babel import lazy_gettext as _l

from app.retirees import idcard
from app.retirees.codes import (CORRECTABLE_FIELDS, ENTERPRISE, IDENTITY_FIELDS, OFFICE, RECEIVING,  # noqa: F401
                                RECEIVING_FIELDS, RECEIVING_ROLES, SYSTEM, Category, CorrectionStatus, EndReason,
                                Ethnicity, Gender, PensionSource)


def resident_id_problem(value):
    try:
        idcard.validate(value)
    except idcard.InvalidResidentId as e:
        return e.args[0]
    return None


def birth_date_problem(number, birth_date):
    if birth_date is None or resident_id_problem(number):
        return None
    if idcard.birth_date_of(idcard.normalize(number)) != birth_date:
        return _l("The birth date does not agree with the resident ID number.")
    return None


def gender_problem(number, gender):
    if not gender or resident_id_problem(number):
        return None
    if idcard.gender_of(idcard.normalize(number)) != gender:
        return _l("The gender does not agree with the resident ID number.")
    return None


def retirement_problem(birth_date, retirement_date, today=None):
    if birth_date is None or retirement_date is None:
        return None
    if retirement_date <= birth_date:
        return _l("The retirement date must be after the birth date.")
    if retirement_date > (today or datetime.date.today()) + datetime.timedelta(days=366):
        return _l("The retirement date lies too far in the future.")
    return None


def death_problem(deceased, death_date, birth_date):
    if death_date is not None and birth_date is not None and death_date < birth_date:
        return _l("The date of death must be after the birth date.")
    if death_date is not None and not deceased:
        return _l("A date of death is given but the retiree is not marked deceased.")
    return None


def org_kind_problem(org, kind):
    if org is not None and org.kind != kind:
        return _l("This unit is not of the expected kind.")
    return None


def org_nesting_problem(child, parent):
    if child is not None and parent is not None and not child.path.startswith(parent.path):
        return _l("This unit does not lie inside the unit chosen above it.")
    return None


def choice_problem(value, labels):
    if value not in labels:
        return _l("Not a valid choice.")
    return None


def retiree_problems(r, duplicate=None):
    """Every broken rule of retiree `r`, by field. Normalizes the resident ID as a side effect.

    `duplicate(number, exclude_id)` -> message or None: the database check the service passes in (a bulk import
    checks duplicates for the whole file in a few queries and passes none).
    """
    problems = {}

    def add(field, message):
        if message:
            problems.setdefault(field, []).append(message)

    add("resident_id", resident_id_problem(r.resident_id))
    if "resident_id" not in problems:
        r.resident_id = idcard.normalize(r.resident_id)
        if duplicate is not None:
            add("resident_id", duplicate(r.resident_id, r.id))
        add("birth_date", birth_date_problem(r.resident_id, r.birth_date))
        add("gender", gender_problem(r.resident_id, r.gender))
    add("retirement_date", retirement_problem(r.birth_date, r.retirement_date))
    add("death_date", death_problem(r.deceased, r.death_date, r.birth_date))
    if not r.name_zh or not r.name_zh.strip():
        add("name_zh", _l("This field is required."))
    for field, labels in (("gender", Gender.LABELS), ("ethnicity", Ethnicity.LABELS),
                          ("category", Category.LABELS), ("pension_source", PensionSource.LABELS)):
        add(field, choice_problem(getattr(r, field), labels))
    if r.enterprise is None and r.enterprise_id is None:
        add("enterprise", _l("This field is required."))
    for rel, kind in type(r).__org_kinds__.items():
        add(rel, org_kind_problem(getattr(r, rel), kind))
    add("receiving_township", org_nesting_problem(r.receiving_township, r.receiving_county))
    add("receiving_community", org_nesting_problem(r.receiving_community, r.receiving_township))
    return problems


# ---------------------------------------------------------------------------------------------------------
# Who may change which field (issue 10): plain functions over the acting side, the changed fields and the lock.

def side_of(roles):
    """The side a set of role codes acts for on the ledger (None: no write at all)."""
    roles = set(roles)
    if "enterprise" in roles:
        return ENTERPRISE
    if roles & RECEIVING_ROLES:
        return RECEIVING
    if "sasac" in roles:
        return OFFICE
    return None


def form_field(column):
    """The form/API field name of a column (`enterprise_id` → `enterprise`), where its message goes."""
    return column[:-3] if column.endswith("_id") else column


def field_problems(side, changed, locked, creating=False):
    """{field: [message]} for the changed columns `side` may not change. `locked`: the retiree's batch is
    submitted to or accepted by the receiving place."""
    problems = {}

    def add(column, message):
        problems.setdefault(form_field(column), []).append(message)

    if side == SYSTEM:
        return problems
    if side is None:
        for column in changed:
            add(column, _l("Your role cannot change the retiree ledger."))
        return problems
    if side == RECEIVING:
        if creating:
            add("enterprise_id", _l("Only the enterprise enters its retirees into the ledger."))
            return problems
        for column in changed:
            if column in IDENTITY_FIELDS:
                add(column, _l("The enterprise keeps this field: ask for a correction instead."))
            elif column not in RECEIVING_FIELDS:
                add(column, _l("The receiving side records only the township, the community, the actual "
                               "residence and notes."))
        return problems
    # the enterprise, or the leading-group office acting for it
    for column in changed:
        if column in ("receiving_township_id", "receiving_community_id"):
            add(column, _l("The receiving county assigns the township and the community."))
        elif locked:
            add(column, _l("This retiree has been submitted to or accepted by the receiving place; the "
                           "enterprise can no longer change the record."))
    return problems


def delete_problem(side, has_steps):
    """Why a side may not delete a retiree (None: it may). A record with any handover step behind it ends with
    a reason instead (end_record); the receiving side never deletes ledger rows."""
    if side in (None, RECEIVING):
        return _l("Your role cannot delete ledger rows.")
    if has_steps and side != SYSTEM:
        return _l("This retiree has handover steps behind them: end the record with a reason instead of "
                  "deleting it.")
    return None


def end_problem(side, reason, note, already_ended):
    if side in (None,) or side == RECEIVING and reason != EndReason.DECEASED:
        return _l("Only the enterprise ends a record, except for a death, which the receiving side may record.")
    if already_ended:
        return _l("This record has already been ended.")
    if reason not in EndReason.LABELS:
        return _l("Choose the reason why the record ends.")
    if reason == EndReason.OTHER and not (note or "").strip():
        return _l("Describe the reason.")
    return None


def correction_request_problem(side, column, locked, reason):
    if side not in (ENTERPRISE, RECEIVING):
        return _l("Only the enterprise or the receiving side asks for a correction.")
    if column not in CORRECTABLE_FIELDS:
        return _l("Not a valid choice.")
    if not locked:
        return _l("This record is not locked: the enterprise changes it directly.")
    if not (reason or "").strip():
        return _l("Give the reason for the correction.")
    return None


def correction_decision_problem(side, requested_by_side, status):
    """The other side decides: what the enterprise asks the receiving side accepts, and the reverse."""
    if status != CorrectionStatus.REQUESTED:
        return _l("This correction has already been decided.")
    if side not in (ENTERPRISE, RECEIVING) or side == requested_by_side:
        return _l("The other side decides on a correction request.")
    return None
