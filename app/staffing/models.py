"""Staffing of townships and communities (policy 二(八)) and the re-placement of enterprise staff."""
from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from app.org.models import OrgKind
from app.staffing.rules import Placement


class StaffingRecord(Model):
    """The staff a county assigned to one township/street or community, as of a date (history kept)."""

    __tablename__ = "staffing_record"
    __scope_columns__ = ("unit_id",)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    unit_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    as_of = Column(Date, nullable=False)
    full_time = Column(Integer, nullable=False, default=0)
    part_time = Column(Integer, nullable=False, default=0)
    note = Column(String(500))
    recorded_by_id = Column(Integer, ForeignKey("ab_user.id"))
    recorded_at = Column(DateTime)

    unit = relationship("Organization", foreign_keys=[unit_id])
    recorded_by = relationship("OrgUser", foreign_keys=[recorded_by_id])


class StaffPlacement(Model):
    """An enterprise worker who did retiree work and was re-placed (transfer, reassignment, contract change)."""

    __tablename__ = "staff_placement"
    __scope_columns__ = ("enterprise_id",)
    __org_kinds__ = {"enterprise": OrgKind.ENTERPRISE}
    __audited__ = True

    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    person_name = Column(String(60), nullable=False)
    former_post = Column(String(120))
    placement = Column(String(16), nullable=False, default=Placement.TRANSFER)
    new_post = Column(String(120))
    placed_on = Column(Date, nullable=False)
    contract_changed = Column(Boolean, nullable=False, default=False)
    note = Column(String(500))

    enterprise = relationship("Organization", foreign_keys=[enterprise_id])

    def placement_label(self):
        return str(Placement.LABELS.get(self.placement, self.placement))
