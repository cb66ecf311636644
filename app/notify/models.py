from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String, Text


class Notification(Model):
    """One entry of an inbox (to-do). Addressed to an organization unit (every user of the unit sees it) or
    to one user. `key` makes creation idempotent: `flask supervise` may run any number of times a day."""

    __tablename__ = "notification"

    id = Column(Integer, primary_key=True)
    key = Column(String(200), nullable=False, unique=True)
    kind = Column(String(32), nullable=False, index=True)
    org_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    user_id = Column(Integer, ForeignKey("ab_user.id"), index=True)
    # The message is stored as its msgid and parameters and translated when shown, in the reader's language.
    message = Column(String(255), nullable=False)
    params = Column(Text)  # JSON
    link = Column(String(500))
    colour = Column(String(16))
    created_at = Column(DateTime, nullable=False, index=True)  # UTC
    read_at = Column(DateTime)
    # Set when the cause has gone (the task was done, the report arrived): the entry leaves the inbox.
    resolved_at = Column(DateTime, index=True)
    emailed_at = Column(DateTime)
