"""Steps of the work plan as plain functions taking the acting user; the caller commits (or rolls back on
`Refusal`). Also the stream's overdue counter (ranking of units) and its inbox source (`flask supervise`)."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import clock
from app.deadlines import AttentionEntry, Colour, colour, warn_days
from app.extensions import db
from app.notify import Notice
from app.security.access import role_codes
from app.security.scope import scope
from app.uploads import UploadError, save_upload
from app.workplan import rules
from app.workplan.models import WorkTask
from app.steps import Refusal, refuse_if as _refuse_if  # noqa: F401  (views catch services.Refusal)


def _check_lead_or_planner(actor, task):
    # the rule is stricter than the scope: the lead unit itself, not a unit above or below it or assisting
    _refuse_if(rules.evidence_problem(role_codes(actor), actor.org_id, task.lead_org_id))


def update_progress(actor, task, progress, notes, done):
    """The lead unit reports: progress (typed tasks only), notes, and whether the task is done (today)."""
    _check_lead_or_planner(actor, task)
    if progress is not None:
        _refuse_if(rules.typed_progress_problem(task.metric, progress, task.progress))
        task.progress = progress
    task.notes = notes
    if done and task.done_on is None:
        task.done_on = clock.today()
    elif not done:
        task.done_on = None
    problems = WorkTask.__validator__(task)
    if problems:
        raise Refusal(" ".join(str(m) for messages in problems.values() for m in messages))
    if task.done_on is not None:
        resolve_task_notices(task)


def add_evidence(actor, task, storage):
    """Store an uploaded file as evidence of the task (content-checked by app.uploads)."""
    _check_lead_or_planner(actor, task)
    try:
        stored = save_upload(storage, task.lead_org_id, actor.id)
    except UploadError as error:
        raise Refusal(str(error))
    task.evidence.append(stored)
    return stored


def resolve_task_notices(task):
    """A done task leaves the lead unit's inbox at once (the next `flask supervise` agrees)."""
    from app.notify import resolve

    for c in (Colour.BLUE, Colour.RED):
        resolve(f"task:{task.id}:{c}")


# ---------------------------------------------------------------------------------------------------------
# Registered with the foundations: ranking of units, inbox


def tasks_needing_attention(today):
    """Open tasks the user may read that are overdue (red) or behind schedule (yellow)."""
    from app.org.cache import org_by_id
    from app.text import Bilingual

    query = scope(select(WorkTask).where(WorkTask.done_on.is_(None), WorkTask.start_on.is_not(None)
                                         | (WorkTask.deadline < today)), WorkTask)
    entries = []
    for task in db.session.scalars(query.order_by(WorkTask.deadline, WorkTask.id)):
        state = task.colour(today)
        if state in (Colour.RED, Colour.YELLOW):
            entries.append(AttentionEntry("task", Bilingual(task.title_zh, task.title_bo),
                                          Bilingual.of_org(org_by_id(task.lead_org_id)), task.deadline, state,
                                          f"/tasks/show/{task.id}"))
    return entries


def overdue_tasks(today):
    """{lead unit: open tasks past their deadline} — the RED of `deadlines.colour`, in SQL."""
    rows = db.session.execute(
        select(WorkTask.lead_org_id, func.count(WorkTask.id))
        .where(WorkTask.done_on.is_(None), WorkTask.deadline < today)
        .group_by(WorkTask.lead_org_id)).all()
    return {org_id: int(n) for org_id, n in rows}


DUE_SOON = _l("Work plan task “%(title)s” is due on %(deadline)s.")
OVERDUE = _l("Work plan task “%(title)s” was due on %(deadline)s and is overdue.")


def task_notices(today):
    """Open tasks due within the warning window (blue) or overdue (red), to the lead unit. The key carries
    the colour, so a task that turns red gets a new entry and its blue one is resolved."""
    horizon = today.toordinal() + warn_days()
    import datetime

    tasks = db.session.scalars(select(WorkTask).where(
        WorkTask.done_on.is_(None), WorkTask.deadline <= datetime.date.fromordinal(horizon))
        .order_by(WorkTask.id)).all()
    for task in tasks:
        # by the calendar only: a task behind schedule near its deadline is still "due soon"
        state = colour(task.deadline, today)
        if state not in (Colour.BLUE, Colour.RED):
            continue
        yield Notice(
            key=f"task:{task.id}:{state}", kind="task", message=DUE_SOON if state == Colour.BLUE else OVERDUE,
            org_id=task.lead_org_id,
            params={"title": {"zh": task.title_zh, "bo": task.title_bo or task.title_zh},
                    "deadline": task.deadline.isoformat()},
            link=f"/tasks/show/{task.id}", colour=state)


def previous_lead(task):
    """The lead unit a task had when it was loaded (a form may be changing it)."""
    from app.security.scope import scope_value

    return scope_value(task, "lead_org_id", before=True)
