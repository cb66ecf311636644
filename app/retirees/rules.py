"""Rules of the ledger as plain functions. Each returns a message (or None); `retiree_problems` applies them
all to one retiree, and the form validators, the REST API and the importer call the same functions."""
import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.org.models import Organization
from app.retirees import idcard
from app.text import Bilingual
from app.tibetan import forms


def resident_id_problem(value):
    try:
        idcard.validate(value)
    except idcard.InvalidResidentId as e:
        return e.args[0]
    return None


def duplicate_holder(number, exclude_id=None):
    """The enterprise that already holds this resident ID anywhere in the city, or None.

    Only the enterprise is named, never the other record's personal data, whatever the user's scope.
    """
    from app.retirees.models import Retiree

    query = select(Organization).join(Retiree, Retiree.enterprise_id == Organization.id).where(
        Retiree.resident_id == number
    )
    if exclude_id is not None:
        query = query.where(Retiree.id != exclude_id)
    return db.session.scalars(query.limit(1)).first()


def duplicate_problem(number, exclude_id=None):
    holder = duplicate_holder(number, exclude_id)
    if holder is not None:
        return _l("This resident ID number is already registered by %(enterprise_agt)s.",
                  **forms(enterprise=Bilingual.of_org(holder)))
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


def retiree_problems(r, check_duplicates=True):
    """Every broken rule of retiree `r`, by field. Normalizes the resident ID as a side effect.

    A bulk import checks duplicates for the whole file in a few queries and passes check_duplicates=False.
    """
    problems = {}

    def add(field, message):
        if message:
            problems.setdefault(field, []).append(message)

    add("resident_id", resident_id_problem(r.resident_id))
    if "resident_id" not in problems:
        r.resident_id = idcard.normalize(r.resident_id)
        if check_duplicates:
            add("resident_id", duplicate_problem(r.resident_id, r.id))
        add("birth_date", birth_date_problem(r.resident_id, r.birth_date))
        add("gender", gender_problem(r.resident_id, r.gender))
    add("retirement_date", retirement_problem(r.birth_date, r.retirement_date))
    add("death_date", death_problem(r.deceased, r.death_date, r.birth_date))
    if not r.name_zh or not r.name_zh.strip():
        add("name_zh", _l("This field is required."))
    from app.retirees.models import Category, Ethnicity, Gender, PensionSource

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
