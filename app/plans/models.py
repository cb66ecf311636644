"""One plan per enterprise (its current state) and every version the enterprise uploaded.

A plan row is made with the enterprise's first upload; an enterprise without a row has no plan at all,
which the overview shows (it lists enterprises, not plans)."""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import relationship

from app.org.models import OrgKind
from app.versioning import Versioned


class VersionStatus:
    SUBMITTED = "submitted"
    APPROVED = "approved"
    RETURNED = "returned"
    # A version still waiting when the enterprise uploaded a newer one: it is kept and listed, but never
    # reviewed (SASAC reviews the newest text only).
    SUPERSEDED = "superseded"
    LABELS = {
        SUBMITTED: _l("Waiting for review"),
        APPROVED: _l("Approved"),
        RETURNED: _l("Returned for revision"),
        SUPERSEDED: _l("Replaced by a newer version"),
    }
    CSS = {SUBMITTED: "info", APPROVED: "success", RETURNED: "warning", SUPERSEDED: "default"}


class PlanStatus:
    """What the overview shows per enterprise: the state of its newest version, or no plan at all."""
    NONE = "none"
    LABELS = {NONE: _l("No plan uploaded"), **{k: v for k, v in VersionStatus.LABELS.items()
                                               if k != VersionStatus.SUPERSEDED}}
    CSS = {NONE: "danger", **VersionStatus.CSS}


class ImplementationPlan(Versioned, Model):
    __tablename__ = "implementation_plan"
    __scope_columns__ = ("enterprise_id",)
    __org_kinds__ = {"enterprise": OrgKind.ENTERPRISE}
    __audited__ = True

    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, unique=True)
    # The newest version's status (kept here so that lists filter on it); see services.upload_version.
    status = Column(String(16), nullable=False, default=VersionStatus.SUBMITTED, index=True)
    # When SASAC last approved a version: an approved plan stays in force while a revision waits.
    approved_at = Column(DateTime)
    note = Column(String(500))
    created_at = Column(DateTime, nullable=False)  # UTC

    enterprise = relationship("Organization", foreign_keys=[enterprise_id])
    versions = relationship("PlanVersion", back_populates="plan", order_by="PlanVersion.number.desc()",
                            cascade="all, delete-orphan")

    def ordered_versions(self):
        """Newest first (a version added in this session is not yet in the loaded order)."""
        return sorted(self.versions, key=lambda v: v.number, reverse=True)

    def latest(self):
        return max(self.versions, key=lambda v: v.number, default=None)

    def approved_version(self):
        """The newest approved version: the plan in force."""
        return next((v for v in self.ordered_versions() if v.status == VersionStatus.APPROVED), None)

    def status_label(self):
        return str(VersionStatus.LABELS.get(self.status, self.status))

    def version_count(self):
        return len(self.versions)

    def __str__(self):
        return str(self.enterprise) if self.enterprise is not None else f"#{self.id}"


class PlanVersion(Model):
    """One uploaded file of a plan and its review. Reached only through its (scoped) plan."""

    __tablename__ = "plan_version"
    __table_args__ = (UniqueConstraint("plan_id", "number"),)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    plan_id = Column(Integer, ForeignKey("implementation_plan.id", ondelete="CASCADE"), nullable=False, index=True)
    number = Column(Integer, nullable=False)
    file_id = Column(Integer, ForeignKey("stored_file.id"), nullable=False)
    note = Column(String(500))
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id"))
    uploaded_at = Column(DateTime, nullable=False)  # UTC
    status = Column(String(16), nullable=False, default=VersionStatus.SUBMITTED, index=True)
    reviewed_by_id = Column(Integer, ForeignKey("ab_user.id"))
    reviewed_at = Column(DateTime)  # UTC
    review_comment = Column(String(1000))

    plan = relationship("ImplementationPlan", back_populates="versions")
    file = relationship("StoredFile")
    uploaded_by = relationship("OrgUser", foreign_keys=[uploaded_by_id])
    reviewed_by = relationship("OrgUser", foreign_keys=[reviewed_by_id])

    def status_label(self):
        return str(VersionStatus.LABELS.get(self.status, self.status))

    def status_css(self):
        return VersionStatus.CSS.get(self.status, "default")

    def __str__(self):
        return f"{self.plan} v{self.number}"
