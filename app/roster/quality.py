"""Data-quality checks on the ledger, each a plain query narrowed by the user's scope. Streams add their own
checks to QUALITY_CHECKS (e.g. handover: deceased but still active in a handover)."""
from dataclasses import dataclass
from typing import Callable

from flask_babel import lazy_gettext as _l
from sqlalchemy import Integer, String, and_, func, select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.retirees.models import Category, Retiree
from app.security.scope import scope


@dataclass(frozen=True)
class QualityCheck:
    code: str
    label: object
    condition: Callable  # () -> SQL condition on Retiree


def _birth_in_id():
    # YYYYMMDD at positions 7-14 of the ID, compared as text with the stored birth date
    return func.substr(Retiree.resident_id, 7, 8)


def _id_birth_mismatch():
    return _birth_in_id() != func.replace(func.cast(Retiree.birth_date, String), "-", "")


def _retired_young():
    # retirement before the 40th birthday: compare year*10000+month*100+day numbers as text-free integers
    return func.cast(func.replace(func.cast(Retiree.retirement_date, String), "-", ""), Integer) - \
        func.cast(func.replace(func.cast(Retiree.birth_date, String), "-", ""), Integer) < 400000


def _same_person_elsewhere():
    other = aliased(Retiree)
    return select(other.id).where(
        other.name_zh == Retiree.name_zh, other.birth_date == Retiree.birth_date, other.gender == Retiree.gender,
        other.enterprise_id != Retiree.enterprise_id).exists()


QUALITY_CHECKS = [
    QualityCheck("id_birth", _l("Birth date differs from the resident ID number"), _id_birth_mismatch),
    QualityCheck("no_community", _l("In region, not lixiu, but no receiving community"),
                 lambda: and_(Retiree.category == Category.IN_REGION, Retiree.is_lixiu.is_(False),
                              Retiree.deceased.is_(False), Retiree.receiving_community_id.is_(None))),
    QualityCheck("retired_young", _l("Retired before the age of 40"), _retired_young),
    QualityCheck("born_after_retirement", _l("Born after retirement"),
                 lambda: Retiree.birth_date >= Retiree.retirement_date),
    QualityCheck("two_enterprises", _l("Same name, birth date and gender held by another enterprise"),
                 _same_person_elsewhere),
    QualityCheck("deceased_no_date", _l("Deceased without a date of death"),
                 lambda: and_(Retiree.deceased.is_(True), Retiree.death_date.is_(None))),
]
CHECKS_BY_CODE = {c.code: c for c in QUALITY_CHECKS}


def counts():
    """{code: number of retirees in the user's scope failing the check}, one query per check."""
    result = {}
    for check in QUALITY_CHECKS:
        query = scope(select(func.count(Retiree.id)).where(check.condition()), Retiree)
        result[check.code] = db.session.scalar(query)
    return result


def failing(code, limit=500):
    check = CHECKS_BY_CODE[code]
    query = scope(select(Retiree).where(check.condition()).order_by(Retiree.id).limit(limit), Retiree)
    return db.session.scalars(query).all()

