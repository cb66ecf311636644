"""Handover (移交, policy 主要任务 (一)–(六)): one case per retiree in the flow, a checklist of streams per case,
and batches that an enterprise submits and a county (or liaison office) accepts or returns.

A case carries the retiree's organization columns so that the one scoping mechanism (`__scope_columns__`)
applies to it unchanged; `sync_scope_columns` keeps them equal to the retiree's (see the listener below).
"""
import datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import declared_attr, relationship

from app.org.models import OrgKind

RETIREE_ORG_COLUMNS = ("enterprise_id", "receiving_county_id", "receiving_township_id",
                       "receiving_community_id", "liaison_office_id")


class Stream:
    PERSONNEL = "personnel"
    PARTY = "party"
    ARCHIVE = "archive"
    PENSION = "pension"
    MEDICAL = "medical"
    HOUSEHOLD = "household"
    TRAVEL = "travel"
    EXPENSES = "expenses"
    LABELS = {
        PERSONNEL: _l("Personnel relations"),
        PARTY: _l("Party organizational relation"),
        ARCHIVE: _l("Personnel archive"),
        PENSION: _l("Pension"),
        MEDICAL: _l("Medical insurance"),
        HOUSEHOLD: _l("Household registration"),
        TRAVEL: _l("Travel documents for private trips abroad"),
        EXPENSES: _l("Off-plan expenses"),
    }
    ORDER = (PERSONNEL, PARTY, ARCHIVE, PENSION, MEDICAL, HOUSEHOLD, TRAVEL, EXPENSES)


class ItemState:
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"
    LABELS = {
        NOT_STARTED: _l("Not started"),
        IN_PROGRESS: _l("In progress"),
        DONE: _l("Done"),
        NOT_APPLICABLE: _l("Not applicable"),
    }
    OPEN = (NOT_STARTED, IN_PROGRESS)


class Side:
    ENTERPRISE = "enterprise"
    RECEIVING = "receiving"
    HRSS = "hrss"
    MEDINS = "medins"
    ORGDEPT = "orgdept"
    ARCHIVES = "archives"
    LABELS = {
        ENTERPRISE: _l("Enterprise"),
        RECEIVING: _l("Receiving place"),
        HRSS: _l("Human resources and social security bureau"),
        MEDINS: _l("Medical insurance bureau"),
        ORGDEPT: _l("Organization department"),
        ARCHIVES: _l("Archives"),
    }


class HouseholdCategory:
    """The policy's three categories of household registration (其他管理事项的交接)."""
    STABLE_RESIDENCE = "stable_residence"
    JOIN_FAMILY = "join_family"
    COLLECTIVE = "collective"
    LABELS = {
        STABLE_RESIDENCE: _l("Legal stable residence: settle by current policy"),
        JOIN_FAMILY: _l("Join spouse, parents or adult children"),
        COLLECTIVE: _l("Collective registration at the township of the enterprise's location"),
    }


class OverallStatus:
    NOT_HANDED_OVER = "not_handed_over"
    IN_PROGRESS = "in_progress"
    HANDED_OVER = "handed_over"
    LABELS = {
        NOT_HANDED_OVER: _l("Not handed over"),
        IN_PROGRESS: _l("Handover in progress"),
        HANDED_OVER: _l("Handed over"),
    }


class BatchStatus:
    DRAFT = "draft"
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    LABELS = {
        DRAFT: _l("Draft"),
        SUBMITTED: _l("Submitted"),
        ACCEPTED: _l("Accepted"),
        RETURNED: _l("Returned"),
    }


class PlaceBasis:
    INSURED = "insured"
    ENTERPRISE_LOCATION = "enterprise_location"
    CLUSTER = "cluster"
    LIAISON = "liaison"
    NONE = "none"
    LABELS = {
        INSURED: _l("Insured place"),
        ENTERPRISE_LOCATION: _l("Enterprise location"),
        CLUSTER: _l("Where the enterprise's retirees live together"),
        LIAISON: _l("Out of region: liaison office"),
        NONE: _l("No proposal: choose the receiving place"),
    }


# Labels of the columns every retiree-scoped row carries (views of the handover, party and archive streams).
RETIREE_ROW_LABELS = {
    "id": _l("ID"),
    "retiree": _l("Retiree"),
    "retiree_name": _l("Name"),
    "enterprise": _l("Enterprise"),
    "receiving_county": _l("Receiving county/district"),
    "receiving_township": _l("Receiving township/street"),
    "receiving_community": _l("Receiving community"),
    "liaison_office": _l("Liaison office"),
}


class RetireeScoped:
    """Columns and relationships of a row that follows one retiree and is scoped like that retiree."""

    __scope_columns__ = RETIREE_ORG_COLUMNS
    __org_kinds__ = {
        "enterprise": OrgKind.ENTERPRISE,
        "receiving_county": OrgKind.COUNTY,
        "receiving_township": OrgKind.TOWNSHIP,
        "receiving_community": OrgKind.COMMUNITY,
        "liaison_office": OrgKind.LIAISON,
    }
    __audited__ = True

    @declared_attr
    def retiree_id(cls):
        return Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), nullable=False, unique=True)

    @declared_attr
    def enterprise_id(cls):
        return Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)

    @declared_attr
    def receiving_county_id(cls):
        return Column(Integer, ForeignKey("org_unit.id"), index=True)

    @declared_attr
    def receiving_township_id(cls):
        return Column(Integer, ForeignKey("org_unit.id"), index=True)

    @declared_attr
    def receiving_community_id(cls):
        return Column(Integer, ForeignKey("org_unit.id"), index=True)

    @declared_attr
    def liaison_office_id(cls):
        return Column(Integer, ForeignKey("org_unit.id"), index=True)

    @declared_attr
    def retiree(cls):
        return relationship("Retiree", foreign_keys=[cls.retiree_id])

    @declared_attr
    def enterprise(cls):
        return relationship("Organization", foreign_keys=[cls.enterprise_id])

    @declared_attr
    def receiving_county(cls):
        return relationship("Organization", foreign_keys=[cls.receiving_county_id])

    @declared_attr
    def receiving_township(cls):
        return relationship("Organization", foreign_keys=[cls.receiving_township_id])

    @declared_attr
    def receiving_community(cls):
        return relationship("Organization", foreign_keys=[cls.receiving_community_id])

    @declared_attr
    def liaison_office(cls):
        return relationship("Organization", foreign_keys=[cls.liaison_office_id])

    def copy_scope_from(self, retiree):
        for col in RETIREE_ORG_COLUMNS:
            setattr(self, col, getattr(retiree, col))

    def retiree_name(self):
        return self.retiree.name_display() if self.retiree is not None else ""


class HandoverBatch(Model):
    __tablename__ = "handover_batch"
    __scope_columns__ = ("enterprise_id", "receiving_county_id", "liaison_office_id")
    __org_kinds__ = {
        "enterprise": OrgKind.ENTERPRISE,
        "receiving_county": OrgKind.COUNTY,
        "liaison_office": OrgKind.LIAISON,
    }
    __audited__ = True

    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    receiving_county_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    liaison_office_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    status = Column(String(16), nullable=False, default=BatchStatus.DRAFT, index=True)
    note = Column(String(500))
    created_on = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    created_by_id = Column(Integer, ForeignKey("ab_user.id"))
    submitted_on = Column(DateTime)
    submitted_by_id = Column(Integer, ForeignKey("ab_user.id"))
    accepted_on = Column(DateTime)
    accepted_by_id = Column(Integer, ForeignKey("ab_user.id"))
    returned_on = Column(DateTime)
    returned_by_id = Column(Integer, ForeignKey("ab_user.id"))
    return_reason = Column(String(500))

    enterprise = relationship("Organization", foreign_keys=[enterprise_id])
    receiving_county = relationship("Organization", foreign_keys=[receiving_county_id])
    liaison_office = relationship("Organization", foreign_keys=[liaison_office_id])
    created_by = relationship("OrgUser", foreign_keys=[created_by_id])
    submitted_by = relationship("OrgUser", foreign_keys=[submitted_by_id])
    accepted_by = relationship("OrgUser", foreign_keys=[accepted_by_id])
    returned_by = relationship("OrgUser", foreign_keys=[returned_by_id])
    cases = relationship("HandoverCase", back_populates="batch", order_by="HandoverCase.id")

    def number(self):
        return f"YJ-{self.created_on:%Y}-{self.id:04d}" if self.created_on and self.id else ""

    def status_label(self):
        return str(BatchStatus.LABELS.get(self.status, self.status))

    def receiver(self):
        return self.receiving_county or self.liaison_office

    def size(self):
        return len(self.cases)

    def __str__(self):
        return self.number()


class HandoverCase(RetireeScoped, Model):
    """One retiree's handover: receiving place proposed and confirmed, the batch, receipt, the checklist."""

    __tablename__ = "handover_case"

    id = Column(Integer, primary_key=True)
    proposed_county_id = Column(Integer, ForeignKey("org_unit.id"))
    proposed_liaison_id = Column(Integer, ForeignKey("org_unit.id"))
    proposal_basis = Column(String(24))
    place_confirmed_on = Column(DateTime)
    place_confirmed_by_id = Column(Integer, ForeignKey("ab_user.id"))
    override_reason = Column(String(500))
    household_category = Column(String(24))
    batch_id = Column(Integer, ForeignKey("handover_batch.id"), index=True)
    accepted_on = Column(DateTime)
    received_on = Column(DateTime)
    received_by_id = Column(Integer, ForeignKey("ab_user.id"))
    created_on = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)
    # The checklist summed up on the row itself (kept by services.summarize at every flush), so that the figures
    # group 100,000 cases without joining their 800,000 items: the overall status, and one bit per stream
    # (Stream.ORDER) for "applies" and for "done".
    summary_status = Column(String(16), nullable=False, default=OverallStatus.NOT_HANDED_OVER)
    applicable_streams = Column(Integer, nullable=False, default=0)
    done_streams = Column(Integer, nullable=False, default=0)
    __audit_ignore__ = ("summary_status", "applicable_streams", "done_streams")  # derived, not typed
    # covers the figures' GROUP BY, so it reads the index alone (bench: 140 → 47 ms at 100,000 on SQLite)
    __table_args__ = (Index("ix_handover_case_summary", "receiving_county_id", "liaison_office_id", "enterprise_id",
                            "summary_status", "applicable_streams", "done_streams"),)

    proposed_county = relationship("Organization", foreign_keys=[proposed_county_id])
    proposed_liaison = relationship("Organization", foreign_keys=[proposed_liaison_id])
    place_confirmed_by = relationship("OrgUser", foreign_keys=[place_confirmed_by_id])
    received_by = relationship("OrgUser", foreign_keys=[received_by_id])
    batch = relationship("HandoverBatch", back_populates="cases")
    items = relationship("HandoverItem", back_populates="case", lazy="selectin", order_by="HandoverItem.id",
                         cascade="all, delete-orphan")

    def item(self, stream):
        return next((i for i in self.items if i.stream == stream), None)

    def status(self):
        from app.handover.rules import overall_status

        return overall_status([i.state for i in self.items], self.received_on is not None)

    def status_label(self):
        return str(OverallStatus.LABELS[self.status()])

    def household_label(self):
        return str(HouseholdCategory.LABELS.get(self.household_category, "")) if self.household_category else ""

    def basis_label(self):
        return str(PlaceBasis.LABELS.get(self.proposal_basis, "")) if self.proposal_basis else ""

    def receiver(self):
        return self.receiving_county or self.liaison_office

    def __str__(self):
        return self.retiree_name()


class HandoverItem(Model):
    """One stream of one case. Reached only through its (scoped) case: it has no pages of its own."""

    __tablename__ = "handover_item"
    __table_args__ = (UniqueConstraint("case_id", "stream"),)
    __audited__ = True
    # created with its checklist: listed in the checklist's audit row (later changes get rows of their own)
    __audit_created_with__ = ("case", "items", ("stream", "state", "responsible"))

    id = Column(Integer, primary_key=True)
    case_id = Column(Integer, ForeignKey("handover_case.id", ondelete="CASCADE"), nullable=False, index=True)
    stream = Column(String(16), nullable=False, index=True)
    state = Column(String(16), nullable=False, default=ItemState.NOT_STARTED, index=True)
    on_date = Column(Date)
    responsible = Column(String(16), nullable=False)
    note = Column(String(500))
    changed_on = Column(DateTime, default=datetime.datetime.utcnow, onupdate=datetime.datetime.utcnow)
    changed_by_id = Column(Integer, ForeignKey("ab_user.id"))

    case = relationship("HandoverCase", back_populates="items")
    changed_by = relationship("OrgUser", foreign_keys=[changed_by_id])

    def stream_label(self):
        return str(Stream.LABELS.get(self.stream, self.stream))

    def state_label(self):
        return str(ItemState.LABELS.get(self.state, self.state))

    def responsible_label(self):
        return str(Side.LABELS.get(self.responsible, self.responsible))
