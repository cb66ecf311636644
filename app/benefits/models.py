"""One social-security linkage record per retiree after the handover, scoped like the retiree."""
import datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String

from app.handover.models import RetireeScoped


class BenefitLink(RetireeScoped, Model):
    __tablename__ = "benefit_link"

    id = Column(Integer, primary_key=True)
    pension_confirmed_through = Column(Date)  # the last month HR confirmed paid on time and in full
    fiscal_applied_on = Column(Date)
    work_injury = Column(Boolean, nullable=False, default=False)
    injury_level = Column(Integer)
    injury_linked_on = Column(Date)
    medical_from = Column(String(200))
    medical_to = Column(String(200))
    medical_transferred_on = Column(Date)
    mutual_aid = Column(Boolean, nullable=False, default=False)
    mutual_aid_channel = Column(String(200))
    note = Column(String(500))
    changed_on = Column(DateTime, default=datetime.datetime.utcnow, onupdate=datetime.datetime.utcnow)
    changed_by_id = Column(Integer, ForeignKey("ab_user.id"))

    def __str__(self):
        return self.retiree_name()
