"""The user of this system belongs to exactly one organization unit and keeps a language choice.

Security state kept on the user (issue 11): a session generation that every session and token carries (bumped
at logout, password change and deactivation, so a copied cookie or token stops working), when the password
was last set (expiry) and whether it must be changed at the next login (after an administrator's reset)."""
import datetime

from flask_appbuilder import Model
from flask_appbuilder.security.sqla.models import User
from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String, text
from sqlalchemy.orm import relationship


def _utcnow():
    return datetime.datetime.utcnow()


class OrgUser(User):
    __tablename__ = "ab_user"
    # Every change of a user (names, unit, roles, active) is audited; the password never is (a separate
    # "password reset/changed" entry says who and when), nor the login bookkeeping.
    __audited__ = True
    __audit_ignore__ = ("password", "last_login", "login_count", "fail_login_count", "changed_on",
                        "created_on", "changed_by_fk", "created_by_fk", "session_generation",
                        "password_changed_on", "must_change_password", "locale")
    __audit_collections__ = ("roles",)

    org_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    locale = Column(String(8))
    session_generation = Column(Integer, nullable=False, default=0, server_default=text("0"))
    password_changed_on = Column(DateTime, default=_utcnow)  # UTC; NULL = unknown, treated as expired
    must_change_password = Column(Boolean, nullable=False, default=False, server_default=text("false"))

    org = relationship("Organization", foreign_keys=[org_id])


class SecurityCounter(Model):
    """Shared login counters (failures per account and per address, summarised audit tallies) when no Redis
    is configured: every worker and every app server reads and writes the same rows (app/security/counters.py)."""

    __tablename__ = "security_counter"

    key = Column(String(255), primary_key=True)
    count = Column(Integer, nullable=False)
    expires_at = Column(DateTime, nullable=False, index=True)  # UTC
