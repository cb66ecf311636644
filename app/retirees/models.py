"""The retiree ledger (台账): one row per retiree of a state-owned enterprise."""
import datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from app.org.models import OrgKind
from app.retirees import idcard
from app.retirees.codes import Category, Ethnicity, Gender, PensionSource  # noqa: F401  (re-exported)
from app.retirees.codes import SIDE_LABELS, CorrectionStatus
from app.retirees.labels import LABELS
from app.retirees.rules import retiree_problems
from app.security.access import sees_full_resident_id


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
    # A record ends with a reason (deceased, duplicate, ...) instead of being deleted once any handover step
    # lies behind it (services.end_record); the audit keeps who ended it and why.
    ended_on = Column(Date)
    end_reason = Column(String(24))
    end_note = Column(String(500))
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
        return self.resident_id if sees_full_resident_id() else idcard.mask(self.resident_id)

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


Retiree.__validator__ = staticmethod(retiree_problems)


class RetireeCorrection(Model):
    """A correction of a locked retiree record (identity fields after the batch was submitted): one side asks,
    both sides see it, the other side accepts (the service then applies it) or rejects it."""

    __tablename__ = "retiree_correction"
    __scope_columns__ = ("enterprise_id", "receiving_county_id", "receiving_township_id",
                         "receiving_community_id", "liaison_office_id")
    __audited__ = True

    id = Column(Integer, primary_key=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), nullable=False, index=True)
    enterprise_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    receiving_county_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    receiving_township_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    receiving_community_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    liaison_office_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    field = Column(String(32), nullable=False)
    old_value = Column(String(200))
    new_value = Column(String(200))
    reason = Column(String(500), nullable=False)
    requested_side = Column(String(16), nullable=False)
    requested_by_id = Column(Integer, ForeignKey("ab_user.id"))
    requested_on = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    status = Column(String(16), nullable=False, default=CorrectionStatus.REQUESTED, index=True)
    decided_by_id = Column(Integer, ForeignKey("ab_user.id"))
    decided_on = Column(DateTime)
    decision_note = Column(String(500))

    retiree = relationship("Retiree")
    enterprise = relationship("Organization", foreign_keys=[enterprise_id])
    receiving_county = relationship("Organization", foreign_keys=[receiving_county_id])
    receiving_township = relationship("Organization", foreign_keys=[receiving_township_id])
    receiving_community = relationship("Organization", foreign_keys=[receiving_community_id])
    liaison_office = relationship("Organization", foreign_keys=[liaison_office_id])
    requested_by = relationship("OrgUser", foreign_keys=[requested_by_id])
    decided_by = relationship("OrgUser", foreign_keys=[decided_by_id])

    def retiree_name(self):
        return self.retiree.name_display() if self.retiree is not None else ""

    def field_label(self):
        return str(LABELS.get(self.field, self.field))

    def status_label(self):
        return str(CorrectionStatus.LABELS.get(self.status, self.status))

    def requested_side_label(self):
        return str(SIDE_LABELS.get(self.requested_side, self.requested_side))
