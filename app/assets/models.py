"""Assets used for retirees and their free transfer to townships and communities (policy 二(五))."""
from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, Numeric, String
from sqlalchemy.orm import relationship

from app.assets.rules import AssetKind, AssetStatus, TransferMode
from app.org.models import OrgKind


class RetireeAsset(Model):
    __tablename__ = "retiree_asset"
    # The enterprise that holds it and the township/community that receives it (and the units above).
    __scope_columns__ = ("enterprise_id", "recipient_id")
    __org_kinds__ = {"enterprise": OrgKind.ENTERPRISE}
    __audited__ = True

    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    name = Column(String(200), nullable=False)
    kind = Column(String(16), nullable=False, default=AssetKind.VENUE)
    location = Column(String(200))
    book_value = Column(Numeric(14, 2))
    divisible = Column(Boolean, nullable=False, default=True)
    status = Column(String(16), nullable=False, default=AssetStatus.PROPOSED, index=True)
    proposed_at = Column(DateTime)
    reviewed_by_id = Column(Integer, ForeignKey("ab_user.id"))
    reviewed_at = Column(DateTime)
    review_comment = Column(String(1000))
    mode = Column(String(8))
    arrangement = Column(String(500))
    recipient_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    handed_over_on = Column(Date)
    confirmed_by_id = Column(Integer, ForeignKey("ab_user.id"))
    confirmed_at = Column(DateTime)
    current_use = Column(String(300))
    elderly_care = Column(Boolean, nullable=False, default=False)

    enterprise = relationship("Organization", foreign_keys=[enterprise_id])
    recipient = relationship("Organization", foreign_keys=[recipient_id])
    reviewed_by = relationship("OrgUser", foreign_keys=[reviewed_by_id])
    confirmed_by = relationship("OrgUser", foreign_keys=[confirmed_by_id])

    def kind_label(self):
        return str(AssetKind.LABELS.get(self.kind, self.kind))

    def status_label(self):
        return str(AssetStatus.LABELS.get(self.status, self.status))

    def status_css(self):
        return AssetStatus.CSS.get(self.status, "default")

    def mode_label(self):
        return str(TransferMode.LABELS.get(self.mode, "")) if self.mode else ""

    def __str__(self):
        return self.name
