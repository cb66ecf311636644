"""Who may do what, said once per stream (DESIGN.md): each stream's `rules.py` has one
`may(user, action, row=None)` that answers True or False from the user's roles, unit and the row's state.
The stream's services refuse with it (`refuse_unless`), its API and views ask it, and its templates and menus
offer a button, link or "+" only when it says yes — through the Jinja global `may(stream, action, row)` this
module installs, and `ScopedModelView.may_stream` for FAB's own add / edit / delete buttons.

The streams are listed here by module path (read when first asked, no import at start-up)."""
import importlib

from flask import g
from flask_babel import lazy_gettext as _l

from app.steps import Refusal


class NotAllowed(Refusal):
    """What `may` refuses: the API answers 403."""

    def __init__(self, message=None):
        super().__init__(message or _l("This step is not open to you."))

STREAMS = {
    "retirees": "app.retirees.rules",
    "handover": "app.handover.rules",
    "party": "app.party.rules",
    "archives": "app.archives.rules",
    "workplan": "app.workplan.rules",
    "monthly": "app.monthly.rules",
    "plans": "app.plans.rules",
    "supervision": "app.supervision.rules",
    "roster": "app.roster.rules",
}


def rules_of(stream):
    return importlib.import_module(STREAMS[stream])


def may(stream, user, action, row=None):
    if user is None or not getattr(user, "is_authenticated", False) and not getattr(user, "id", None):
        return False
    return bool(rules_of(stream).may(user, action, row))


def _current_may(stream, action, row=None):
    return may(stream, getattr(g, "user", None), action, row)


def view_may(modelview_name, action, pk=None):
    """For FAB's list and show templates: whether the view `modelview_name` offers `action` (add, edit,
    delete) to the current user (on row `pk`) — ScopedModelView.may_row."""
    from app.extensions import appbuilder

    for view in appbuilder.baseviews:
        if type(view).__name__ == modelview_name:
            check = getattr(view, "may_row", None)
            return check(action, pk) if check is not None else True
    return True


def init_app(app):
    # Jinja globals rather than only a context processor: FAB renders its list and form widgets with
    # `template.render(...)`, outside Flask's template context.
    app.context_processor(lambda: {"may": _current_may, "view_may": view_may})
    app.jinja_env.globals.update(may=_current_may, view_may=view_may)
