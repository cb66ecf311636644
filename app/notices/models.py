"""Policy notices and who has read them."""
from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from app.notices.rules import Audience, NoticeStatus


class PolicyNotice(Model):
    __tablename__ = "policy_notice"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    title_zh = Column(String(200))
    title_bo = Column(String(400))
    body_zh = Column(Text)
    body_bo = Column(Text)
    audience = Column(String(16), nullable=False, default=Audience.ALL)
    public = Column(Boolean, nullable=False, default=False)
    status = Column(String(16), nullable=False, default=NoticeStatus.DRAFT, index=True)
    created_by_id = Column(Integer, ForeignKey("ab_user.id"))
    created_at = Column(DateTime)
    published_at = Column(DateTime, index=True)
    withdrawn_at = Column(DateTime)

    created_by = relationship("OrgUser", foreign_keys=[created_by_id])
    reads = relationship("NoticeRead", back_populates="notice")

    def title(self):
        from flask_babel import get_locale

        locale = get_locale()
        if locale is not None and locale.language == "bo" and self.title_bo:
            return self.title_bo
        return self.title_zh or self.title_bo or ""

    def audience_label(self):
        return str(Audience.LABELS.get(self.audience, self.audience))

    def status_label(self):
        return str(NoticeStatus.LABELS.get(self.status, self.status))

    def status_css(self):
        return NoticeStatus.CSS.get(self.status, "default")

    def __str__(self):
        return self.title()


class NoticeRead(Model):
    """A unit's first reading of a notice (by whom, when)."""

    __tablename__ = "notice_read"
    __table_args__ = (UniqueConstraint("notice_id", "org_id"),)

    id = Column(Integer, primary_key=True)
    notice_id = Column(Integer, ForeignKey("policy_notice.id"), nullable=False, index=True)
    org_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"))
    read_at = Column(DateTime, nullable=False)

    notice = relationship("PolicyNotice", back_populates="reads")
    org = relationship("Organization", foreign_keys=[org_id])
