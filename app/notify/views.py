"""The inbox: what the user (or their unit) has to do, newest and most urgent first."""
import json
import zlib

from flask import abort, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select

from app import clock
from app.deadlines import Colour
from app.extensions import db
from app.notify import render
from app.notify.models import Notification


def addressed_to(user):
    """The WHERE clause of a user's inbox: entries for the user, or for the user's unit."""
    clauses = [Notification.user_id == user.id]
    if user.org_id is not None:
        clauses.append(Notification.org_id == user.org_id)
    return or_(*clauses)


MAX_ENTRIES = 5000
GROUPS_PER_PAGE = 20
ENTRIES_PER_GROUP = 3  # shown under a group's line; the rest behind "N more like this"
PAGE_OF_GROUP = 200  # when one group is opened

KIND_LABELS = {
    "batch": _l("Handover batches"),
    "task": _l("Work plan"),
    "report": _l("Monthly reports"),
    "item": _l("Supervision items"),
    "plan": _l("Implementation plans"),
}


class InboxRow:
    __slots__ = ("entry", "text", "colour")

    def __init__(self, entry, text, colour):
        self.entry, self.text, self.colour = entry, text, colour


class InboxGroup:
    def __init__(self, key, kind):
        self.key, self.kind, self.rows = key, kind, []

    @property
    def unread(self):
        return sum(1 for r in self.rows if r.entry.read_at is None)

    @property
    def colour(self):
        return self.rows[0].colour if self.rows else None

    @property
    def kind_label(self):
        return KIND_LABELS.get(self.kind, self.kind)


def effective_colour(entry, params, today):
    """The colour an open entry shows today. A stored colour is only as fresh as the last `flask supervise`;
    an entry whose parameters carry its deadline is judged against today by the one colour rule, so a
    "deadline near" never labels something pending for years (it is red once the deadline has passed)."""
    import datetime

    from app.deadlines import colour as deadline_colour

    stored = entry.colour
    if entry.resolved_at is not None or stored not in (Colour.BLUE, Colour.NONE, Colour.RED, None):
        return stored
    deadline = params.get("deadline") if isinstance(params, dict) else None
    try:
        due = datetime.date.fromisoformat(str(deadline)[:10]) if deadline else None
    except ValueError:
        due = None
    if due is None:
        return stored
    now = deadline_colour(due, today)
    if now == Colour.NONE and stored is None:
        return None
    return now


def group_rows(rows):
    """[InboxGroup]: per (kind, message, addressee) — open before done, then unread, most urgent, oldest
    deadline first; groups in the order of their most urgent entry."""
    severity = {c: i for i, c in enumerate(Colour.ORDER)}

    def urgency(r):
        return (r.entry.resolved_at is not None, severity.get(r.colour or Colour.NONE, 9), r.entry.read_at is not None,
                -r.entry.created_at.timestamp())

    groups = {}
    for r in sorted(rows, key=urgency):
        e = r.entry
        key = f"{e.kind}-{zlib.crc32(f'{e.message}|{e.org_id}|{e.user_id}'.encode()):x}"
        groups.setdefault(key, InboxGroup(key, e.kind)).rows.append(r)
    return sorted(groups.values(), key=lambda gr: urgency(gr.rows[0]))


def _int(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def open_count(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return db.session.scalar(select(func.count(Notification.id)).where(
        addressed_to(user), Notification.resolved_at.is_(None), Notification.read_at.is_(None))) or 0


class InboxView(BaseView):
    route_base = "/inbox"
    class_permission_name = "Inbox"
    method_permission_name = {"index": "read", "open_entry": "read", "mark_all_read": "read"}
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        """Entries grouped per kind and message (one missed month after another is one line with a count),
        the most urgent first, paged by group; filters by kind, colour and unread."""
        from flask_babel import get_locale

        lang = get_locale().language if get_locale() else "zh"
        show_done = request.args.get("all") == "1"
        kind = (request.args.get("kind") or "")[:32]
        colour_filter = request.args.get("colour") or ""
        unread_only = request.args.get("unread") == "1"
        group_filter = request.args.get("group") or ""
        query = select(Notification).where(addressed_to(g.user))
        if not show_done:
            query = query.where(Notification.resolved_at.is_(None))
        kinds = sorted(db.session.scalars(query.with_only_columns(Notification.kind).distinct()))
        if kind:
            query = query.where(Notification.kind == kind)
        if unread_only:
            query = query.where(Notification.read_at.is_(None))
        entries = db.session.scalars(query.order_by(Notification.created_at.desc()).limit(MAX_ENTRIES)).all()
        today = clock.today()
        rows = []
        for e in entries:
            params = json.loads(e.params) if e.params else {}
            colour = effective_colour(e, params, today)
            if colour_filter and colour != colour_filter:
                continue
            rows.append(InboxRow(e, render(e.message, params, lang), colour))
        groups = group_rows(rows)
        if group_filter:
            groups = [gr for gr in groups if gr.key == group_filter]
        page = max(0, _int(request.args.get("page"), 0))
        pages = max(1, -(-len(groups) // GROUPS_PER_PAGE))
        page = min(page, pages - 1)
        shown = groups[page * GROUPS_PER_PAGE:(page + 1) * GROUPS_PER_PAGE]
        per_group = PAGE_OF_GROUP if group_filter else ENTRIES_PER_GROUP
        args = {k: v for k, v in request.args.items() if k != "page"}
        return self.render_template(
            "notify/inbox.html", groups=shown, per_group=per_group, show_done=show_done, title=_l("My to-do list"),
            kinds=[(k, KIND_LABELS.get(k, k)) for k in kinds], kind=kind, colour=colour_filter,
            colours=[(c, Colour.LABELS[c]) for c in Colour.ORDER], unread_only=unread_only, page=page, pages=pages,
            args=args, group_filter=group_filter, total=sum(len(gr.rows) for gr in groups))

    @expose("/<int:pk>/open", methods=["POST"])
    @has_access
    def open_entry(self, pk):
        entry = db.session.get(Notification, pk)
        if entry is None or not db.session.scalar(select(Notification.id).where(
                Notification.id == pk, addressed_to(g.user))):
            abort(404)
        if entry.read_at is None:
            entry.read_at = clock.utcnow()
            db.session.commit()
        link = entry.link or ""
        # Only links inside this application (a stored link is never an open redirect).
        if not link.startswith("/") or link.startswith("//"):
            link = url_for("InboxView.index")
        return redirect(link)

    @expose("/read-all", methods=["POST"])
    @has_access
    def mark_all_read(self):
        for entry in db.session.scalars(select(Notification).where(
                addressed_to(g.user), Notification.read_at.is_(None))):
            entry.read_at = clock.utcnow()
        db.session.commit()
        return redirect(url_for("InboxView.index"))


def init_app(app, appbuilder):
    """The inbox page, its navbar count and the template filters it uses."""
    appbuilder.add_view_no_menu(InboxView)
    from app.formatting import local_time

    from app.deadlines import badge

    app.add_template_filter(local_time, "local_time")
    app.add_template_filter(badge, "deadline_badge")

    @app.context_processor
    def _inbox():
        # A callable, so that only pages that draw the navbar pay for the one COUNT query.
        return {"inbox_count": lambda: open_count(getattr(g, "user", None))}
