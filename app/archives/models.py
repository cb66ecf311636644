"""Personnel archives (人事档案移交, policy 主要任务 (四)): one archive transfer per retiree in the flow."""
import datetime

from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from app.handover.models import RetireeScoped
from app.versioning import Versioned


class Custodian:
    SASAC = "sasac"
    HR = "hr"
    ENTERPRISE = "enterprise"
    ORGDEPT = "orgdept"
    LABELS = {
        SASAC: _l("City SASAC"),
        HR: _l("Human resources and social security bureau"),
        ENTERPRISE: _l("Enterprise"),
        ORGDEPT: _l("Organization department"),
    }


class Destination:
    CITY_ARCHIVES = "city_archives"
    COUNTY_ARCHIVES = "county_archives"
    ORGDEPT = "orgdept"
    LABELS = {
        CITY_ARCHIVES: _l("City archives"),
        COUNTY_ARCHIVES: _l("County/district archives"),
        ORGDEPT: _l("Stays with the organization department"),
    }


class ArchiveTransfer(RetireeScoped, Versioned, Model):
    __tablename__ = "archive_transfer"

    id = Column(Integer, primary_key=True)
    custodian = Column(String(16), nullable=False, default=Custodian.ENTERPRISE)
    destination = Column(String(16), nullable=False, default=Destination.COUNTY_ARCHIVES)
    sorted_done = Column(Boolean, nullable=False, default=False)
    volumes = Column(Integer)
    missing_materials = Column(String(500))
    missing_explanation = Column(String(500))
    digitized = Column(Boolean, nullable=False, default=False)
    sent_on = Column(Date)
    received_on = Column(Date)
    received_by_id = Column(Integer, ForeignKey("ab_user.id"))
    note = Column(String(500))
    changed_on = Column(DateTime, default=datetime.datetime.utcnow, onupdate=datetime.datetime.utcnow)

    received_by = relationship("OrgUser", foreign_keys=[received_by_id])

    def custodian_label(self):
        return str(Custodian.LABELS.get(self.custodian, self.custodian))

    def destination_label(self):
        return str(Destination.LABELS.get(self.destination, self.destination))

    def __str__(self):
        return self.retiree_name()


def _validate(transfer):
    from app.archives.rules import archive_problems

    return archive_problems(transfer)


ArchiveTransfer.__validator__ = staticmethod(_validate)
