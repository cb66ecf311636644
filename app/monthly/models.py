"""Monthly reports (policy 四（六）: 从7月起，各成员单位于每月10日前……报送工作推进落实情况): one report per
member unit and month. The unit writes its narrative; the figures are its live figures, frozen as a JSON
snapshot when it submits. Scoped by the reporting unit, so a county sees its own reports and the city-wide
roles see all."""
import json

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from app.versioning import Versioned


class ReportStatus:
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    LABELS = {
        DRAFT: _l("Draft"),
        SUBMITTED: _l("Submitted"),
        RETURNED: _l("Returned for correction"),
    }
    # The unit may still change its report in these states.
    EDITABLE = (DRAFT, RETURNED)


class ReportAction:
    SAVED = "saved"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    LABELS = {
        SAVED: _l("Draft saved"),
        SUBMITTED: _l("Submitted"),
        RETURNED: _l("Returned for correction"),
    }


class MonthlyReport(Versioned, Model):
    __tablename__ = "monthly_report"
    __table_args__ = (UniqueConstraint("org_id", "month"),)
    __scope_columns__ = ("org_id",)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    month = Column(String(7), nullable=False, index=True)  # "YYYY-MM": the month whose 10th it is due on
    status = Column(String(16), nullable=False, default=ReportStatus.DRAFT, index=True)
    progress = Column(Text)
    problems = Column(Text)
    next_steps = Column(Text)
    figures = Column(Text)  # JSON snapshot taken at (re)submission; None while never submitted
    created_on = Column(DateTime, nullable=False)  # UTC, as every timestamp here
    created_by_id = Column(Integer, ForeignKey("ab_user.id"))
    changed_on = Column(DateTime)
    # The first submission decides on time or late: a correction asked for by the office does not make an
    # on-time report late.
    first_submitted_on = Column(DateTime, index=True)
    submitted_on = Column(DateTime)
    submitted_by_id = Column(Integer, ForeignKey("ab_user.id"))
    returned_on = Column(DateTime)
    returned_by_id = Column(Integer, ForeignKey("ab_user.id"))
    return_comment = Column(String(1000))

    org = relationship("Organization", foreign_keys=[org_id])
    created_by = relationship("OrgUser", foreign_keys=[created_by_id])
    submitted_by = relationship("OrgUser", foreign_keys=[submitted_by_id])
    returned_by = relationship("OrgUser", foreign_keys=[returned_by_id])
    events = relationship("MonthlyReportEvent", back_populates="report", order_by="MonthlyReportEvent.id",
                          cascade="all, delete-orphan")

    def status_label(self):
        return str(ReportStatus.LABELS.get(self.status, self.status))

    def snapshot(self):
        return json.loads(self.figures) if self.figures else None

    def colour(self, today=None):
        from app import clock
        from app.monthly import rules

        return rules.report_colour(self.month, today or clock.today(), self.first_submitted_on)

    def colour_badge(self):
        from app.deadlines import badge

        return badge(self.colour())

    def __str__(self):
        return f"{self.org} {self.month}" if self.org is not None else self.month


class MonthlyReportEvent(Model):
    """The history of one report (saved, submitted, returned with the office's comment). Reached only through
    its (scoped) report: it has no pages of its own."""

    __tablename__ = "monthly_report_event"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    report_id = Column(Integer, ForeignKey("monthly_report.id", ondelete="CASCADE"), nullable=False, index=True)
    action = Column(String(16), nullable=False)
    at = Column(DateTime, nullable=False)  # UTC
    by_id = Column(Integer, ForeignKey("ab_user.id"))
    comment = Column(String(1000))

    report = relationship("MonthlyReport", back_populates="events")
    by = relationship("OrgUser", foreign_keys=[by_id])

    def action_label(self):
        return str(ReportAction.LABELS.get(self.action, self.action))
