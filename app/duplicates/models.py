"""A duplicate resident ID claim for SASAC to resolve."""
import datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship


class DuplicateSource:
    LEDGER = "ledger"
    IMPORT = "import"
    LABELS = {LEDGER: _l("Ledger form or API"), IMPORT: _l("Roster import")}


class DuplicateIdReport(Model):
    __tablename__ = "duplicate_id_report"
    # Only SASAC holds the resource (roles.py): it sees both enterprises of every claim, no unit role does.
    __audited__ = True

    id = Column(Integer, primary_key=True)
    resident_id = Column(String(18), nullable=False, index=True)
    claimant_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    holder_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False)
    source = Column(String(16), nullable=False, default=DuplicateSource.LEDGER)
    reported_by_id = Column(Integer, ForeignKey("ab_user.id"))
    reported_at = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    resolved = Column(Boolean, nullable=False, default=False)
    resolution = Column(String(500))
    changed_on = Column(DateTime, default=datetime.datetime.utcnow, onupdate=datetime.datetime.utcnow)

    claimant = relationship("Organization", foreign_keys=[claimant_id])
    holder = relationship("Organization", foreign_keys=[holder_id])
    reported_by = relationship("OrgUser", foreign_keys=[reported_by_id])

    def __str__(self):
        return f"{self.resident_id}"

    def source_label(self):
        return str(DuplicateSource.LABELS.get(self.source, self.source))
