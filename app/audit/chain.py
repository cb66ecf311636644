"""The audit log as a hash chain (等保 2.0: audit records protected against change and deletion).

Each entry stores `prev_hash` (the previous entry's hash) and `hash` = HMAC-SHA256(key, prev_hash + its
content). Editing an entry breaks its own hash; deleting one breaks the next entry's `prev_hash`; cutting
entries off the end breaks the head (table audit_chain_head). The key comes from AUDIT_CHAIN_KEY, else from
SECRET_KEY, so someone with write access to the database alone cannot recompute the chain after a change.

Every way an entry is written goes through here: Core inserts call `insert_rows`, ORM inserts are chained by
the `before_insert` listener below. Writers first UPDATE the head row, which takes its lock (a PostgreSQL row
lock, SQLite's write lock), so concurrent transactions append strictly one after the other.

`flask audit prune` deletes entries older than the retention period after writing a checkpoint (the last
deleted entry's id and hash, itself keyed), from which `verify` starts.
"""
import datetime
import hashlib
import hmac
import json

from flask import current_app
from sqlalchemy import event, func, select, update

from app.audit.models import AuditChainHead, AuditCheckpoint, AuditLog

CONTENT_COLUMNS = ("at", "user_id", "username", "action", "model", "object_id", "changes", "ip")
HEAD_ID = 1


def _key():
    configured = current_app.config.get("AUDIT_CHAIN_KEY")
    secret = configured or current_app.config["SECRET_KEY"]
    return hashlib.sha256(b"audit-chain:" + str(secret).encode()).digest()


def _canonical(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ", timespec="microseconds")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def entry_hash(prev_hash, content):
    """content: {column: value} of CONTENT_COLUMNS."""
    payload = json.dumps([prev_hash or ""] + [_canonical(content.get(c)) for c in CONTENT_COLUMNS],
                         ensure_ascii=False, separators=(",", ":"), default=str)
    return hmac.new(_key(), payload.encode(), hashlib.sha256).hexdigest()


def checkpoint_mac(last_id, last_hash):
    return hmac.new(_key(), f"checkpoint:{last_id}:{last_hash}".encode(), hashlib.sha256).hexdigest()


def _lock_head(connection):
    """Lock the head row (creating it when missing) and return the current last hash."""
    head = AuditChainHead.__table__
    locked = connection.execute(update(head).where(head.c.id == HEAD_ID).values(last_hash=head.c.last_hash))
    if locked.rowcount == 0:
        connection.execute(head.insert().values(id=HEAD_ID, last_hash=None))
    return connection.execute(select(head.c.last_hash).where(head.c.id == HEAD_ID)).scalar()


def _set_head(connection, last_hash):
    head = AuditChainHead.__table__
    connection.execute(update(head).where(head.c.id == HEAD_ID).values(last_hash=last_hash))


def seal(connection, rows):
    """Give each row dict its prev_hash and hash, in order, and move the head (the caller inserts them in
    this order within the same transaction)."""
    prev = _lock_head(connection)
    for row in rows:
        row["prev_hash"] = prev
        row["hash"] = prev = entry_hash(prev, row)
    _set_head(connection, prev)
    return rows


def insert_rows(connection, rows):
    """Append entries given as dicts of AuditLog columns (one executemany, ids in order)."""
    if not rows:
        return
    for row in rows:
        for column in CONTENT_COLUMNS:
            row.setdefault(column, None)
    connection.execute(AuditLog.__table__.insert(), seal(connection, rows))


@event.listens_for(AuditLog, "before_insert")
def _chain_orm_insert(mapper, connection, target):
    if target.at is None:
        target.at = datetime.datetime.utcnow()
    content = {c: getattr(target, c) for c in CONTENT_COLUMNS}
    seal(connection, [content])
    target.prev_hash, target.hash = content["prev_hash"], content["hash"]


def _entry(row):
    return {c: getattr(row, c) for c in CONTENT_COLUMNS}


def verify(session):
    """(True, count, None) when the chain is intact, else (False, checked, (entry id, reason))."""
    checkpoint = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id.desc()).limit(1)).first()
    start_id, expected = 0, None
    if checkpoint is not None:
        if not hmac.compare_digest(checkpoint.mac, checkpoint_mac(checkpoint.last_id, checkpoint.last_hash)):
            return False, 0, (checkpoint.last_id, "checkpoint altered")
        start_id, expected = checkpoint.last_id, checkpoint.last_hash or None
    checked = 0
    chained = checkpoint is not None and bool(checkpoint.last_hash)
    last = None
    query = select(AuditLog).where(AuditLog.id > start_id).order_by(AuditLog.id).execution_options(yield_per=2000)
    for row in session.scalars(query):
        if row.hash is None and not chained:
            continue  # written before the chain existed (upgrade of an older database)
        chained = True
        if row.prev_hash != expected:
            return False, checked, (row.id, "previous entry deleted or altered")
        if row.hash != entry_hash(row.prev_hash, _entry(row)):
            return False, checked, (row.id, "entry altered")
        expected = last = row.hash
        checked += 1
    head = session.scalar(select(AuditChainHead.last_hash).where(AuditChainHead.id == HEAD_ID))
    if not chained and head is not None:  # the head says entries were chained: their hashes were removed
        newest = session.scalar(select(func.max(AuditLog.id)))
        return False, checked, (newest, "entry altered")
    if chained and head != (last if last is not None else expected):
        newest = session.scalar(select(func.max(AuditLog.id)))
        return False, checked, (newest, "entries after this one deleted")
    return True, checked, None


def prune(session, days, now=None):
    """Delete entries older than `days` (at least 180), after a keyed checkpoint; returns how many."""
    if days < 180:
        raise ValueError("the audit log is kept at least 180 days")
    cutoff = (now or datetime.datetime.utcnow()) - datetime.timedelta(days=days)
    last_id = session.scalar(select(func.max(AuditLog.id)).where(AuditLog.at < cutoff))
    if last_id is None:
        return 0
    # The newest entry always stays: SQLite would hand its id out again once the table is empty, and the
    # chain is read in id order from the checkpoint on.
    last_id = min(last_id, session.scalar(select(func.max(AuditLog.id))) - 1)
    if last_id < session.scalar(select(func.min(AuditLog.id))):
        return 0
    last_hash = session.scalar(select(AuditLog.hash).where(AuditLog.id == last_id))
    if last_hash is None:  # unchained entries from before the chain: nothing to anchor; delete them plainly
        last_hash = ""
    count = session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.id <= last_id))
    session.add(AuditCheckpoint(at=datetime.datetime.utcnow(), last_id=last_id, last_hash=last_hash,
                                pruned=count, mac=checkpoint_mac(last_id, last_hash)))
    session.execute(AuditLog.__table__.delete().where(AuditLog.id <= last_id))
    return count
