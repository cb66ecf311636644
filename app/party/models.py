"""Party organizational relations (党组织关系转移接收, policy 主要任务 (三)): one transfer per party member in the
handover flow, scoped like the retiree."""
import datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, Column, Date, DateTime, Integer, String

from app.handover.models import RetireeScoped
from app.versioning import Versioned


class PartyTransfer(RetireeScoped, Versioned, Model):
    __tablename__ = "party_transfer"

    id = Column(Integer, primary_key=True)
    dues_base_verified = Column(Boolean, nullable=False, default=False)
    dues_paid_until = Column(Date)  # the first day of the last month paid
    letter_no = Column(String(64))
    sending_org = Column(String(200))
    receiving_org = Column(String(200))
    letter_issued_on = Column(Date)
    received_on = Column(Date)
    branch = Column(String(200))
    note = Column(String(500))
    changed_on = Column(DateTime, default=datetime.datetime.utcnow, onupdate=datetime.datetime.utcnow)

    def stalled_days(self, today=None):
        from flask import current_app

        from app.party.rules import stalled_days

        return stalled_days(self, current_app.config["PARTY_STALL_DAYS"], today)

    def state_label(self):
        from app.party.rules import transfer_state_label

        return transfer_state_label(self)

    def __str__(self):
        return self.retiree_name()


def _validate(transfer):
    from app.party.rules import transfer_problems

    return transfer_problems(transfer)


PartyTransfer.__validator__ = staticmethod(_validate)
