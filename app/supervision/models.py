"""Supervision items (督办), accountability (问责), contact persons and the leading-group roster (policy 四（六）:
市政府督查室……开展专项督查; 各相关单位报一名具体工作负责人; 领导小组附后).

An item is scoped by the unit it is opened against (`unit_id`), so the unit's users see it through the one
scoping mechanism and every city-wide role sees all items; which of them may act on it is a rule (rules.py).
"""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from app.versioning import Versioned


class ItemStatus:
    OPENED = "opened"
    SIGNED = "signed"
    RESPONDED = "responded"
    RETURNED = "returned"
    CLOSED = "closed"
    LABELS = {
        OPENED: _l("Opened, waiting for sign-off"),
        SIGNED: _l("Signed for"),
        RESPONDED: _l("Responded, waiting for re-check"),
        RETURNED: _l("Sent back"),
        CLOSED: _l("Closed"),
    }
    # The unit owes the next step (its response is what the deadline is about).
    AWAITING_UNIT = (OPENED, SIGNED, RETURNED)


class StepAction:
    OPEN = "open"
    EDIT = "edit"
    SIGN = "sign"
    RESPOND = "respond"
    SEND_BACK = "send_back"
    CLOSE = "close"
    LABELS = {
        OPEN: _l("Opened"),
        EDIT: _l("Changed"),
        SIGN: _l("Signed for"),
        RESPOND: _l("Responded"),
        SEND_BACK: _l("Sent back"),
        CLOSE: _l("Closed (verified)"),
    }


class AccountabilityKind:
    REMINDER = "reminder"
    WRITTEN_NOTICE = "written_notice"
    CRITICISM = "criticism"
    INTERVIEW = "interview"
    OTHER = "other"
    LABELS = {
        REMINDER: _l("Reminder"),
        WRITTEN_NOTICE: _l("Written notice"),
        CRITICISM: _l("Circulated criticism"),
        INTERVIEW: _l("Interview"),
        OTHER: _l("Other"),
    }


class GroupPost:
    """领导小组职务."""
    LEADER = "leader"
    DEPUTY = "deputy"
    MEMBER = "member"
    LABELS = {LEADER: _l("Group leader"), DEPUTY: _l("Deputy group leader"), MEMBER: _l("Member")}


class SupervisionItem(Versioned, Model):
    __tablename__ = "supervision_item"
    __scope_columns__ = ("unit_id",)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    unit_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    # The supervision office that opened the item: its inbox hears of responses.
    office_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    title = Column(String(200), nullable=False)
    requirement = Column(Text, nullable=False)
    opened_on = Column(Date, nullable=False)  # local date in Shannan
    deadline = Column(Date, nullable=False, index=True)  # for the unit's response
    # FK added when the work plan and monthly reports are merged (those tables are built on other branches).
    task_id = Column(Integer, ForeignKey("work_task.id"))
    report_id = Column(Integer, ForeignKey("monthly_report.id"))
    status = Column(String(16), nullable=False, default=ItemStatus.OPENED, index=True)
    round = Column(Integer, nullable=False, default=0)  # number of responses so far
    response = Column(Text)
    return_reason = Column(String(500))
    # Timestamps in UTC (as the audit log) and who acted.
    opened_at = Column(DateTime, nullable=False)
    opened_by_id = Column(Integer, ForeignKey("ab_user.id"))
    signed_at = Column(DateTime)
    signed_by_id = Column(Integer, ForeignKey("ab_user.id"))
    responded_at = Column(DateTime)
    responded_by_id = Column(Integer, ForeignKey("ab_user.id"))
    responded_on = Column(Date)  # local date of the latest response: what the colour judges
    returned_at = Column(DateTime)
    closed_at = Column(DateTime)
    closed_by_id = Column(Integer, ForeignKey("ab_user.id"))
    closed_on = Column(Date)

    unit = relationship("Organization", foreign_keys=[unit_id])
    office = relationship("Organization", foreign_keys=[office_id])
    opened_by = relationship("OrgUser", foreign_keys=[opened_by_id])
    signed_by = relationship("OrgUser", foreign_keys=[signed_by_id])
    responded_by = relationship("OrgUser", foreign_keys=[responded_by_id])
    closed_by = relationship("OrgUser", foreign_keys=[closed_by_id])
    steps = relationship("SupervisionStep", back_populates="item", order_by="SupervisionStep.id",
                         cascade="all, delete-orphan")

    def number(self):
        return f"DB-{self.opened_on:%Y}-{self.id:04d}" if self.opened_on and self.id else ""

    def status_label(self):
        return str(ItemStatus.LABELS.get(self.status, self.status))

    def colour(self, today=None):
        from app import clock
        from app.supervision.rules import item_colour

        return item_colour(self.status, self.deadline, self.responded_on, today or clock.today())

    def colour_badge(self):
        from app.deadlines import badge

        return badge(self.colour())

    def files(self):
        return [f for step in self.steps for f in step.files]

    def __str__(self):
        return f"{self.number()} {self.title}"


step_file = Table(
    "supervision_step_file", Model.metadata,
    Column("step_id", Integer, ForeignKey("supervision_step.id", ondelete="CASCADE"), primary_key=True),
    Column("file_id", Integer, ForeignKey("stored_file.id"), primary_key=True),
)


class SupervisionStep(Model):
    """One step of an item's history: who did what, when, with what comment and evidence. Reached only through
    its (scoped) item."""

    __tablename__ = "supervision_step"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    item_id = Column(Integer, ForeignKey("supervision_item.id", ondelete="CASCADE"), nullable=False, index=True)
    action = Column(String(16), nullable=False)
    at = Column(DateTime, nullable=False)  # UTC
    actor_id = Column(Integer, ForeignKey("ab_user.id"))
    actor_org_id = Column(Integer, ForeignKey("org_unit.id"))
    comment = Column(Text)

    item = relationship("SupervisionItem", back_populates="steps")
    actor = relationship("OrgUser", foreign_keys=[actor_id])
    actor_org = relationship("Organization", foreign_keys=[actor_org_id])
    files = relationship("StoredFile", secondary=step_file, order_by="StoredFile.id")

    def action_label(self):
        return str(StepAction.LABELS.get(self.action, self.action))


accountability_item = Table(
    "accountability_item", Model.metadata,
    Column("record_id", Integer, ForeignKey("accountability_record.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", Integer, ForeignKey("supervision_item.id", ondelete="CASCADE"), primary_key=True),
)


class AccountabilityRecord(Versioned, Model):
    __tablename__ = "accountability_record"
    __scope_columns__ = ("unit_id",)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    unit_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    kind = Column(String(16), nullable=False)
    reason = Column(Text, nullable=False)
    on_date = Column(Date, nullable=False)
    recorded_at = Column(DateTime)
    recorded_by_id = Column(Integer, ForeignKey("ab_user.id"))

    unit = relationship("Organization", foreign_keys=[unit_id])
    recorded_by = relationship("OrgUser", foreign_keys=[recorded_by_id])
    items = relationship("SupervisionItem", secondary=accountability_item, order_by="SupervisionItem.id")

    def kind_label(self):
        return str(AccountabilityKind.LABELS.get(self.kind, self.kind))

    def item_numbers(self):
        return ", ".join(i.number() for i in self.items)

    def __str__(self):
        return f"{self.kind_label()} {self.on_date}"


class WorkContact(Versioned, Model):
    """The one contact person (具体工作负责人) a unit names to the leading-group office."""

    __tablename__ = "work_contact"
    __table_args__ = (UniqueConstraint("org_id", name="uq_work_contact_org_id"),)
    __scope_columns__ = ("org_id",)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    name = Column(String(60), nullable=False)
    post = Column(String(120), nullable=False)
    office_phone = Column(String(40))
    mobile = Column(String(20))
    changed_at = Column(DateTime)

    org = relationship("Organization", foreign_keys=[org_id])

    def __str__(self):
        return self.name


class LeadingGroupMember(Versioned, Model):
    """The roster of the leading group (领导小组附后): maintained by SASAC (the group's office)."""

    __tablename__ = "leading_group_member"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    name = Column(String(60), nullable=False)
    group_post = Column(String(16), nullable=False)
    org_id = Column(Integer, ForeignKey("org_unit.id"))
    post = Column(String(120))
    sort_order = Column(Integer, nullable=False, default=100)

    org = relationship("Organization", foreign_keys=[org_id])

    def group_post_label(self):
        return str(GroupPost.LABELS.get(self.group_post, self.group_post))

    def __str__(self):
        return self.name
