import json

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Integer, String, Text

from app.audit.labels import ACTION_LABELS, describe_changes, model_label


class AuditLog(Model):
    """Append-only record of every business change and every login, logout and failed login."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, index=True)  # UTC
    user_id = Column(Integer, index=True)
    username = Column(String(128), index=True)
    action = Column(String(16), nullable=False, index=True)
    model = Column(String(64), index=True)
    object_id = Column(String(64), index=True)
    changes = Column(Text)  # JSON: {"field": [old, new]}
    ip = Column(String(64))

    def action_label(self):
        return str(ACTION_LABELS.get(self.action, self.action))

    def model_label(self):
        return model_label(self.model)

    def changes_summary(self, limit=3):
        """The first few changed fields, for list pages; the show page has them all."""
        if not self.changes:
            return ""
        data = json.loads(self.changes)
        shown = describe_changes(self.model, dict(list(data.items())[:limit]))
        return shown + (" …" if len(data) > limit else "")

    def changes_display(self):
        return describe_changes(self.model, json.loads(self.changes)) if self.changes else ""
