import json

from flask_appbuilder import Model
from sqlalchemy import Column, DateTime, Integer, String, Text

from app.audit.labels import ACTION_LABELS, describe_changes, model_label


class AuditLog(Model):
    """Append-only record of every business change and every login, logout and failed login.

    Tamper-evident (app/audit/chain.py): each row stores `prev_hash`, the hash of the row before it, and
    `hash`, a keyed hash of its own content and `prev_hash`; `flask audit verify` recomputes the chain."""

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
    prev_hash = Column(String(64))
    hash = Column(String(64))

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


class AuditChainHead(Model):
    """One row: the hash of the last entry of the chain. Writers update it before reading it, which locks it
    (PostgreSQL row lock, SQLite write lock), so concurrent transactions append one after the other;
    `verify` also checks that the newest entry is the head (entries cut off the end are noticed)."""

    __tablename__ = "audit_chain_head"

    id = Column(Integer, primary_key=True)
    last_hash = Column(String(64))


class AuditCheckpoint(Model):
    """Written by `flask audit prune` before it deletes old entries: the last deleted entry's id and hash,
    so the chain still verifies from there on; `mac` is a keyed hash of the checkpoint itself."""

    __tablename__ = "audit_checkpoint"

    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False)  # UTC
    last_id = Column(Integer, nullable=False)
    last_hash = Column(String(64), nullable=False)
    pruned = Column(Integer, nullable=False)
    mac = Column(String(64), nullable=False)
