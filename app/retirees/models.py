"""The retiree ledger (台账): one row per retiree of a state-owned enterprise."""
import datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from app.org.models import OrgKind
from app.retirees import idcard


class Gender:
    MALE = "M"
    FEMALE = "F"
    LABELS = {MALE: _l("Male"), FEMALE: _l("Female")}


class Ethnicity:
    LABELS = {
        "tibetan": _l("Tibetan"),
        "han": _l("Han"),
        "monba": _l("Monba"),
        "lhoba": _l("Lhoba"),
        "hui": _l("Hui"),
        "other": _l("Other"),
    }


class Category:
    IN_REGION = "in_region"
    OUT_REGION = "out_region"
    LABELS = {IN_REGION: _l("In region"), OUT_REGION: _l("Out of region")}


class PensionSource:
    BASIC_INSURANCE = "basic_insurance"
    FISCAL = "fiscal"
    LABELS = {BASIC_INSURANCE: _l("Basic pension insurance"), FISCAL: _l("Fiscally funded")}


def _label(labels, value):
    return str(labels.get(value, value or ""))


class Retiree(Model):
    __tablename__ = "retiree"
    # Who sees a retiree: the enterprise that holds them and the receiving county, township, community or
    # liaison office (and every unit above those in the tree).
    __scope_columns__ = (
        "enterprise_id",
        "receiving_county_id",
        "receiving_township_id",
        "receiving_community_id",
        "liaison_office_id",
    )
    # The kind of unit each organization relationship must point to (dropdowns and validation).
    __org_kinds__ = {
        "enterprise": OrgKind.ENTERPRISE,
        "insured_county": OrgKind.COUNTY,
        "receiving_county": OrgKind.COUNTY,
        "receiving_township": OrgKind.TOWNSHIP,
        "receiving_community": OrgKind.COMMUNITY,
        "liaison_office": OrgKind.LIAISON,
    }
    __audited__ = True

    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    name_zh = Column(String(60), nullable=False, index=True)
    name_bo = Column(String(120), index=True)
    gender = Column(String(1), nullable=False)
    ethnicity = Column(String(16), nullable=False, default="tibetan")
    resident_id = Column(String(18), nullable=False, unique=True)
    birth_date = Column(Date, nullable=False)
    retirement_date = Column(Date, nullable=False)
    category = Column(String(12), nullable=False, default=Category.IN_REGION, index=True)
    insured_county_id = Column(Integer, ForeignKey("org_unit.id"))
    registered_residence = Column(String(200))
    actual_residence = Column(String(200))
    receiving_county_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    receiving_township_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    receiving_community_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    liaison_office_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    is_lixiu = Column(Boolean, nullable=False, default=False)
    party_member = Column(Boolean, nullable=False, default=False)
    leader_cadre = Column(Boolean, nullable=False, default=False)
    special_unit = Column(Boolean, nullable=False, default=False)
    pension_source = Column(String(16), nullable=False, default=PensionSource.BASIC_INSURANCE)
    medical_local = Column(Boolean, nullable=False, default=True)
    deceased = Column(Boolean, nullable=False, default=False)
    death_date = Column(Date)
    note = Column(String(500))
    created_on = Column(DateTime, default=datetime.datetime.utcnow, nullable=False)
    changed_on = Column(DateTime, default=datetime.datetime.utcnow, onupdate=datetime.datetime.utcnow,
                        nullable=False)

    enterprise = relationship("Organization", foreign_keys=[enterprise_id])
    insured_county = relationship("Organization", foreign_keys=[insured_county_id])
    receiving_county = relationship("Organization", foreign_keys=[receiving_county_id])
    receiving_township = relationship("Organization", foreign_keys=[receiving_township_id])
    receiving_community = relationship("Organization", foreign_keys=[receiving_community_id])
    liaison_office = relationship("Organization", foreign_keys=[liaison_office_id])

    def __str__(self):
        return self.name_zh

    # Display helpers used by list and show pages.
    def resident_id_display(self):
        from app.security.personal import resident_id_shown

        return resident_id_shown(self.resident_id, self.id)

    def birth_date_display(self):
        """The birth year alone for a role that sees masked numbers (app/security/personal.py)."""
        from app.security.personal import birth_shown

        return birth_shown(self.birth_date)

    def gender_label(self):
        return _label(Gender.LABELS, self.gender)

    def ethnicity_label(self):
        return _label(Ethnicity.LABELS, self.ethnicity)

    def category_label(self):
        return _label(Category.LABELS, self.category)

    def pension_source_label(self):
        return _label(PensionSource.LABELS, self.pension_source)

    def name_display(self):
        return f"{self.name_bo} / {self.name_zh}" if self.name_bo else self.name_zh

    @property
    def in_handover_flow(self):
        """离休 retirees keep their existing management (policy §二(六)) and are never handed over."""
        return not self.is_lixiu


# Rules other streams add over a retiree (e.g. the handover locks a submitted or accepted retiree for the
# enterprise): each is a function retiree -> {field: [messages]}.
EXTRA_RULES = []


def _validate(retiree):
    from app.retirees.rules import retiree_problems

    problems = retiree_problems(retiree)
    for rule in EXTRA_RULES:
        for field, messages in rule(retiree).items():
            problems.setdefault(field, []).extend(messages)
    return problems


Retiree.__validator__ = staticmethod(_validate)
