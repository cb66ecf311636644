"""The one warning rule (policy 四: 督查督办): every task, monthly report and supervision item gets its colour
here, so lists, the inbox, the dashboard and `flask supervise` can never disagree.

    green  done on time
    blue   open, deadline within `warn_days` days
    yellow open and behind schedule, or done late (a red that is caught up turns yellow, it never
           becomes green: the record keeps that it was late)
    red    open and past its deadline
    none   open, on schedule, deadline further away
"""
import datetime

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l

DEFAULT_WARN_DAYS = 7


class Colour:
    GREEN = "green"
    BLUE = "blue"
    YELLOW = "yellow"
    RED = "red"
    NONE = "none"
    LABELS = {
        GREEN: _l("Done on time"),
        BLUE: _l("Deadline near"),
        YELLOW: _l("Behind schedule or done late"),
        RED: _l("Overdue"),
        NONE: _l("On schedule"),
    }
    # Severity, for sorting and for ranking units.
    ORDER = (RED, YELLOW, BLUE, NONE, GREEN)
    CSS = {GREEN: "success", BLUE: "info", YELLOW: "warning", RED: "danger", NONE: "default"}


def warn_days():
    if has_app_context():
        return int(current_app.config.get("DEADLINE_WARN_DAYS", DEFAULT_WARN_DAYS))
    return DEFAULT_WARN_DAYS


def expected_progress(start, deadline, today):
    """The share of the work (0..1) that should be done by `today` if it ran evenly from start to deadline."""
    if start is None or deadline is None or deadline <= start:
        return None
    elapsed = (today - start).days
    return max(0.0, min(1.0, elapsed / (deadline - start).days))


def colour(deadline, today, *, done_on=None, progress=None, start=None, days=None):
    """The colour of one piece of work.

    deadline  the date it is due (inclusive: due on the 10th means the 10th is still on time)
    done_on   the date it was completed, None while open
    progress  0..1 for work with measurable progress (tasks), None when not measured
    start     the date the work started, for judging progress against the calendar
    """
    if deadline is None:
        return Colour.GREEN if done_on is not None else Colour.NONE
    if isinstance(done_on, datetime.datetime):
        done_on = done_on.date()
    if done_on is not None:
        return Colour.GREEN if done_on <= deadline else Colour.YELLOW
    if today > deadline:
        return Colour.RED
    expected = expected_progress(start, deadline, today)
    if progress is not None and expected is not None and progress + 1e-9 < expected:
        return Colour.YELLOW
    if (deadline - today).days <= (warn_days() if days is None else days):
        return Colour.BLUE
    return Colour.NONE


def is_overdue(deadline, today, done_on=None):
    return colour(deadline, today, done_on=done_on) == Colour.RED


def badge(value):
    """HTML for a colour badge, used by every list that shows one."""
    from markupsafe import Markup, escape

    css = Colour.CSS.get(value, "default")
    return Markup('<span class="label label-%s deadline-%s">%s</span>') % (
        css, escape(value), escape(str(Colour.LABELS.get(value, value))))


# Every stream with deadlines (tasks, monthly reports, supervision items) registers how many overdue
# (red) pieces each unit has on a day; the ranking of units and the dashboard add them up.
OVERDUE_COUNTERS = {}  # kind -> function(today) -> {org_id: count}
# Column headings of the ranking of units, one per stream; a kind without a label shows its code.
OVERDUE_KIND_LABELS = {
    "task": _l("Overdue tasks"),
    "report": _l("Overdue monthly reports"),
    "item": _l("Overdue supervision items"),
}


def register_overdue_counter(kind, fn):
    """Registered from a stream's init_app."""
    OVERDUE_COUNTERS[kind] = fn


def overdue_by_unit(today):
    """{org_id: {kind: count}} over every registered stream."""
    totals = {}
    for kind, count in OVERDUE_COUNTERS.items():
        for org_id, n in count(today).items():
            if n:
                totals.setdefault(org_id, {})[kind] = n
    return totals


# Every stream also lists its open work that needs the leading group's attention (overdue, or behind
# schedule), within the reader's scope, for the dashboard and the printed summary.
OVERDUE_LISTS = {}  # kind -> function(today) -> [AttentionEntry]


class AttentionEntry:
    def __init__(self, kind, title, unit, deadline, colour_value, href):
        self.kind, self.title, self.unit, self.deadline = kind, title, unit, deadline
        self.colour, self.href = colour_value, href


def register_overdue_lister(kind, fn):
    """Registered from a stream's init_app."""
    OVERDUE_LISTS[kind] = fn


def needing_attention(today):
    """Every registered stream's entries, most urgent first (red before yellow, oldest deadline first)."""
    severity = {c: i for i, c in enumerate(Colour.ORDER)}
    entries = [e for fn in OVERDUE_LISTS.values() for e in fn(today)]
    return sorted(entries, key=lambda e: (severity.get(e.colour, 9), e.deadline or datetime.date.max, e.kind))
