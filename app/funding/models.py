"""Funding of the socialized management per county (policy 四(五))."""
from flask_appbuilder import Model
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import relationship

from app.funding.rules import Share
from app.org.models import OrgKind


class FundingRecord(Model):
    __tablename__ = "funding_record"
    __scope_columns__ = ("county_id",)
    __org_kinds__ = {"county": OrgKind.COUNTY}
    __audited__ = True

    id = Column(Integer, primary_key=True)
    county_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    year = Column(Integer, nullable=False, index=True)
    share = Column(String(8), nullable=False)
    budgeted = Column(Numeric(14, 2), nullable=False, default=0)
    disbursed = Column(Numeric(14, 2), nullable=False, default=0)
    disbursed_on = Column(Date)
    note = Column(String(500))
    recorded_by_id = Column(Integer, ForeignKey("ab_user.id"))
    recorded_at = Column(DateTime)

    county = relationship("Organization", foreign_keys=[county_id])
    recorded_by = relationship("OrgUser", foreign_keys=[recorded_by_id])

    def share_label(self):
        return str(Share.LABELS.get(self.share, self.share))
