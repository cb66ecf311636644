"""Off-plan expenses (统筹外费用, policy 二(七)): each enterprise's handling (transition period, baseline date,
SASAC review with every submitted version kept), its items (per enterprise or per retiree), and the city's
life-expectancy table the one-time payments refer to."""
import datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import relationship

from app.expenses.rules import Classification, Handling, ReviewStatus
from app.org.models import OrgKind


class Sex:
    LABELS = {"M": _l("Male"), "F": _l("Female")}


class ExpenseHandling(Model):
    """One per enterprise: how it settles its off-plan expenses, and where SASAC's review stands."""

    __tablename__ = "expense_handling"
    __scope_columns__ = ("enterprise_id",)
    __org_kinds__ = {"enterprise": OrgKind.ENTERPRISE}
    __audited__ = True

    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, unique=True)
    transition_start = Column(Date)
    transition_end = Column(Date)
    # After this date no new item and no higher standard (policy 二(七)).
    baseline_date = Column(Date)
    status = Column(String(16), nullable=False, default=ReviewStatus.DRAFT, index=True)
    note = Column(String(500))
    created_at = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)

    enterprise = relationship("Organization", foreign_keys=[enterprise_id])
    items = relationship("ExpenseItem", primaryjoin="ExpenseHandling.enterprise_id == foreign(ExpenseItem.enterprise_id)",
                         order_by="ExpenseItem.id", viewonly=True)
    reviews = relationship("ExpenseReview", back_populates="handling", order_by="ExpenseReview.number.desc()")

    def status_label(self):
        return str(ReviewStatus.LABELS.get(self.status, self.status))

    def status_css(self):
        return ReviewStatus.CSS.get(self.status, "default")

    def __str__(self):
        return str(self.enterprise) if self.enterprise is not None else f"#{self.id}"


class ExpenseItem(Model):
    """One off-plan item: for the enterprise's retirees at large, or for one retiree."""

    __tablename__ = "expense_item"
    __scope_columns__ = ("enterprise_id",)
    __org_kinds__ = {"enterprise": OrgKind.ENTERPRISE}
    __audited__ = True

    id = Column(Integer, primary_key=True)
    enterprise_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id"), index=True)
    name = Column(String(120), nullable=False)
    monthly_standard = Column(Numeric(12, 2), nullable=False)
    # The standard when the item was recorded: after the baseline date it may not be exceeded.
    baseline_standard = Column(Numeric(12, 2))
    basis = Column(String(500))
    classification = Column(String(16), nullable=False, default=Classification.COMPLIANT)
    handling = Column(String(16), nullable=False, default=Handling.ACCRUE_AND_PAY)
    recorded_on = Column(Date, nullable=False)
    lump_sum_amount = Column(Numeric(14, 2))
    lump_sum_formula = Column(String(200))
    lump_sum_on = Column(Date)

    enterprise = relationship("Organization", foreign_keys=[enterprise_id])
    retiree = relationship("Retiree", foreign_keys=[retiree_id])

    def classification_label(self):
        return str(Classification.LABELS.get(self.classification, self.classification))

    def handling_label(self):
        return str(Handling.LABELS.get(self.handling, self.handling))

    def retiree_name(self):
        return self.retiree.name_display() if self.retiree is not None else ""

    def __str__(self):
        return self.name


class ExpenseReview(Model):
    """One submitted version of an enterprise's handling, with the items as they were, and SASAC's decision."""

    __tablename__ = "expense_review"
    __table_args__ = (UniqueConstraint("handling_id", "number"),)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    handling_id = Column(Integer, ForeignKey("expense_handling.id"), nullable=False, index=True)
    number = Column(Integer, nullable=False)
    snapshot = Column(Text, nullable=False)  # JSON: the handling and its items at submission
    submitted_by_id = Column(Integer, ForeignKey("ab_user.id"))
    submitted_at = Column(DateTime, nullable=False)
    status = Column(String(16), nullable=False, default=ReviewStatus.SUBMITTED)
    reviewed_by_id = Column(Integer, ForeignKey("ab_user.id"))
    reviewed_at = Column(DateTime)
    comment = Column(String(1000))

    handling = relationship("ExpenseHandling", back_populates="reviews")
    submitted_by = relationship("OrgUser", foreign_keys=[submitted_by_id])
    reviewed_by = relationship("OrgUser", foreign_keys=[reviewed_by_id])

    def status_label(self):
        return str(ReviewStatus.LABELS.get(self.status, self.status))

    def status_css(self):
        return ReviewStatus.CSS.get(self.status, "default")


class LifeExpectancy(Model):
    """The city's average life expectancy by sex and year (kept by SASAC): the one-time payments refer to it."""

    __tablename__ = "life_expectancy"
    __table_args__ = (UniqueConstraint("sex", "year"),)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    sex = Column(String(1), nullable=False)
    year = Column(Integer, nullable=False)
    years = Column(Numeric(5, 2), nullable=False)
    source = Column(String(200))

    def sex_label(self):
        return str(Sex.LABELS.get(self.sex, self.sex))
