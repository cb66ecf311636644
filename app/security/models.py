"""The user of this system belongs to exactly one organization unit and keeps a language choice."""
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import relationship


class OrgUser(User):
    __tablename__ = "ab_user"

    org_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    locale = Column(String(8))

    org = relationship("Organization", foreign_keys=[org_id])
