"""The supervision panels of the dashboard and the printed summary (issue 6): progress against each
milestone of the work plan, and the work that needs the leading group's attention (overdue or behind
schedule) across tasks, monthly reports and supervision items, with the colours of the one warning rule."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.deadlines import OVERDUE_KIND_LABELS, Colour, needing_attention
from app.extensions import db
from app.reports.figures import Panel

KIND_LABELS = {"task": _l("Work plan task"), "report": _l("Monthly report"), "item": _l("Supervision item")}


def milestones():
    from app.org.cache import org_by_id
    from app.text import Bilingual
    from app.workplan.models import WorkTask
    from app.security.scope import scope

    today = clock.today()
    query = scope(select(WorkTask).where(WorkTask.is_milestone.is_(True)), WorkTask)
    rows = []
    for task in db.session.scalars(query.order_by(WorkTask.deadline, WorkTask.id)):
        state = task.colour(today)
        rows.append(([Bilingual(task.title_zh, task.title_bo), task.deadline.isoformat(),
                      Bilingual.of_org(org_by_id(task.lead_org_id)), f"{task.current_progress():.0f}%",
                      Colour.LABELS[state]], Colour.CSS[state], f"/tasks/show/{task.id}"))
    return Panel("milestones", _l("Progress against the milestones"),
                 [_l("Milestone"), _l("Deadline"), _l("Lead unit"), _l("Progress"), _l("Status")], rows,
                 empty=_l("No milestones in your scope."))


ROWS_PER_KIND = 8


def attention():
    """The most urgent entries of each stream (so old missing reports cannot hide an overdue item)."""
    entries = needing_attention(clock.today())
    shown, per_kind = [], {}
    for entry in entries:
        per_kind[entry.kind] = per_kind.get(entry.kind, 0) + 1
        if per_kind[entry.kind] <= ROWS_PER_KIND:
            shown.append(entry)
    rows = [([entry.title, KIND_LABELS.get(entry.kind, entry.kind), entry.unit,
              entry.deadline.isoformat() if entry.deadline else "", Colour.LABELS[entry.colour]],
             Colour.CSS[entry.colour], entry.href)
            for entry in shown]
    more = None
    if len(entries) > len(shown):
        more = (_l("%(n)d more: see the ranking of units", n=len(entries) - len(shown)), "/tasks/ranking")
    return Panel("attention", _l("Overdue and behind-schedule work"),
                 [_l("Work"), _l("Kind"), _l("Unit"), _l("Deadline"), _l("Status")], rows,
                 empty=_l("Nothing is overdue."), more=more)


from app.reports.money import money_panel  # noqa: E402

PANELS = (milestones, attention, money_panel)
assert set(KIND_LABELS) == set(OVERDUE_KIND_LABELS)
