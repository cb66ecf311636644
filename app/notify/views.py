"""The inbox: what the user (or their unit) has to do, newest and most urgent first."""
import json

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
        from flask_babel import get_locale

        lang = get_locale().language if get_locale() else "zh"
        show_done = request.args.get("all") == "1"
        query = select(Notification).where(addressed_to(g.user))
        if not show_done:
            query = query.where(Notification.resolved_at.is_(None))
        entries = db.session.scalars(query.order_by(Notification.created_at.desc()).limit(500)).all()
        severity = {c: i for i, c in enumerate(Colour.ORDER)}
        entries.sort(key=lambda e: (e.resolved_at is not None, e.read_at is not None,
                                    severity.get(e.colour or Colour.NONE, 9)))
        rows = [(e, render(e.message, json.loads(e.params) if e.params else {}, lang)) for e in entries]
        return self.render_template("notify/inbox.html", rows=rows, show_done=show_done,
                                    title=_l("My to-do list"))

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
