"""Inboxes (to-do lists) and e-mail.

Two ways in, both idempotent by `key`:
- an event calls `notify()` when it happens (a plan is returned, an item is opened);
- a stream registers a *source* with `register_source("kind", fn)` from its init_app: a function (today) -> iterable of `Notice`, the
  things that need attention on that day (tasks due soon, reports missing). `flask supervise` (see
  `run_sources`) adds the new ones and resolves the entries of that kind whose cause has gone, so the
  command can run from cron any number of times.
"""
import json
from dataclasses import dataclass, field

from sqlalchemy import select

from app import clock

SOURCES = {}  # kind -> function(today) -> iterable of Notice


@dataclass
class Notice:
    key: str
    kind: str
    message: str  # a msgid marked with lazy_gettext/N_ at its definition, formatted with params when shown
    org_id: int = None
    user_id: int = None
    params: dict = field(default_factory=dict)
    link: str = None
    colour: str = None


def msgid(message):
    """The untranslated text of a lazy_gettext string (stored, then translated for each reader)."""
    args = getattr(message, "_args", None)
    return str(args[0]) if args else str(message)


def render(message, params, locale_code):
    """A stored message in the reader's language. A parameter may be {"zh": ..., "bo": ...} (a unit's
    name in both scripts); the reader's one is taken."""
    from flask_babel import gettext

    values = {}
    for name, value in (params or {}).items():
        if isinstance(value, dict) and "zh" in value:
            value = value.get(locale_code) or value["zh"]
        values[name] = value
    from app.tibetan import forms_in

    # the case forms a Tibetan sentence asks for (%(unit_gen)s …): plain values in Chinese
    values.update({key: text for key, text in forms_in(
        {k: v for k, v in values.items() if isinstance(v, str)}, locale_code).items() if key not in values})
    text = gettext(message)
    try:
        return text % values if values else text
    except (KeyError, TypeError, ValueError):
        return text


def register_source(kind, fn):
    """A stream's daily source of inbox entries, registered from the stream's init_app."""
    SOURCES[kind] = fn


_LOOK_UP = object()


def notify(notice, existing=_LOOK_UP):
    """Add the notice unless an entry with its key exists; returns the new (or re-opened) Notification, or
    None. `existing`: the entry with that key when the caller has already loaded it (None: there is none).
    The caller commits (an event's notification belongs to the event's transaction)."""
    from app.extensions import db
    from app.notify.models import Notification

    if existing is _LOOK_UP:
        existing = db.session.scalar(select(Notification).where(Notification.key == notice.key))
    if existing is not None:
        if existing.resolved_at is not None:  # the cause came back (e.g. an item sent back again)
            existing.resolved_at = None
            existing.read_at = None
            existing.colour = notice.colour
            return existing
        if notice.colour and existing.colour != notice.colour:
            existing.colour = notice.colour
        return None
    entry = Notification(
        key=notice.key, kind=notice.kind, org_id=notice.org_id, user_id=notice.user_id,
        message=msgid(notice.message),
        params=json.dumps(notice.params, ensure_ascii=False, default=str) if notice.params else None,
        link=notice.link, colour=notice.colour, created_at=clock.utcnow(),
    )
    db.session.add(entry)
    return entry


def resolve(key):
    """Take an entry out of the inbox because its cause has gone (the caller commits)."""
    from app.extensions import db
    from app.notify.models import Notification

    entry = db.session.scalar(select(Notification).where(Notification.key == key))
    if entry is not None and entry.resolved_at is None:
        entry.resolved_at = clock.utcnow()


def run_sources(today=None, kinds=None):
    """Recompute every source for `today`: {kind: (new, resolved)}. Idempotent."""
    from app.extensions import db
    from app.notify.models import Notification

    today = today or clock.today()
    result = {}
    for kind, fn in sorted(SOURCES.items()):
        if kinds and kind not in kinds:
            continue
        notices = list(fn(today))
        keys = {n.key for n in notices}
        # one query per kind, not one per notice
        entries = {e.key: e for e in db.session.scalars(select(Notification).where(Notification.kind == kind))}
        created = []
        for notice in notices:
            entry = notify(notice, entries.get(notice.key))
            if entry is not None:
                created.append(entry)
                entries[notice.key] = entry  # a source naming the same key twice adds it once
        gone = [e for e in entries.values()
                if e.resolved_at is None and e.key not in keys and e.key.startswith(f"{kind}:")]
        for entry in gone:
            entry.resolved_at = clock.utcnow()
        result[kind] = (len(created), len(gone))
    db.session.flush()
    return result


def init_app(app, appbuilder):
    """The inbox page and its navbar count (the streams register their sources from their own init_app)."""
    from app.notify import views

    views.init_app(app, appbuilder)
