"""Rules of the work plan as plain functions (no request, no session): each returns messages or None.

Who does what (policy 四: the leading-group office at SASAC arranges the work, each unit does its part):
- the leading-group office (SASAC) creates tasks, changes what they are and when they are due, deletes them;
- the lead unit's users report progress, notes, evidence and completion; nobody else changes a task
  (city-wide departments read every task but write only the tasks they lead).
"""
from flask_babel import lazy_gettext as _l

from app.workplan.models import Metric

PLANNERS = {"sasac"}  # roles that own the plan itself
# What the lead unit may change; every other field is the plan's definition.
LEAD_FIELDS = {"progress", "done_on", "notes"}
DEFINITION_FIELDS = {"title_zh", "title_bo", "description", "start_on", "deadline", "lead_org_id", "lead_org",
                     "assisting", "is_milestone", "metric", "metric_org_id", "metric_org"}


def is_planner(roles):
    return bool(set(roles) & PLANNERS)


def create_problem(roles):
    if not is_planner(roles):
        return _l("Only the leading-group office adds tasks to the work plan.")
    return None


def delete_problem(roles):
    if not is_planner(roles):
        return _l("Only the leading-group office removes tasks from the work plan.")
    return None


def change_problem(roles, user_org_id, lead_org_id, changed):
    """Why this user may not change these fields of a task (None: they may)."""
    if is_planner(roles):
        return None
    if user_org_id is None or user_org_id != lead_org_id:
        return _l("Only the lead unit or the leading-group office can change this task.")
    if set(changed) - LEAD_FIELDS:
        return _l("Only the leading-group office changes what a task is and when it is due.")
    return None


def evidence_problem(roles, user_org_id, lead_org_id):
    return change_problem(roles, user_org_id, lead_org_id, {"progress"})


def typed_progress_problem(metric, new_progress, old_progress):
    """A task that follows a live metric has its progress computed; typing it is refused."""
    if metric and new_progress != old_progress:
        return _l("This task's progress is computed from the handover figures and cannot be typed.")
    return None


def task_problems(task, current_percent, done_changed, today):
    """{field: [messages]} for a task about to be saved.

    current_percent  the progress that counts (the metric's when the task follows one)
    done_changed     whether done_on is being set now (a task done earlier keeps its date even if a live
                     figure later drops, e.g. a new retiree enters the flow)
    """
    problems = {}

    def add(field, message):
        problems.setdefault(field, []).append(message)

    if not (task.title_zh or "").strip():
        add("title_zh", _l("Give the task a title."))
    if task.deadline is None:
        add("deadline", _l("Give the task a deadline."))
    if task.start_on and task.deadline and task.deadline < task.start_on:
        add("deadline", _l("The deadline cannot be before the start date."))
    if task.lead_org_id is None and getattr(task, "lead_org", None) is None:
        add("lead_org", _l("Choose the lead unit."))
    progress = task.progress if task.progress is not None else 0
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        add("progress", _l("Progress is a whole number from 0 to 100."))
    if task.metric and task.metric not in Metric.LABELS:
        add("metric", _l("Not a valid choice."))
    if task.done_on is not None and done_changed:
        if current_percent < 100 - 1e-9:
            add("done_on", _l("A task is done only when its progress reaches 100%."))
        if task.done_on > today:
            add("done_on", _l("The completion date cannot be in the future."))
        if task.start_on and task.done_on < task.start_on:
            add("done_on", _l("The completion date cannot be before the start date."))
    return problems


# ---------------------------------------------------------------------------------------------------------
# Who may do what (app/may.py): one answer for the services, the API, the templates and the menus.

def may(user, action, row=None):
    """add_task, edit_task, delete_task, progress (report progress, notes, completion), evidence."""
    from app.security.access import granted, role_codes
    from app.security.roles import WORK_TASK, WRITE

    roles = role_codes(user)
    if not granted(user, WRITE, WORK_TASK) and not is_planner(roles):
        return False
    if action == "add_task":
        return create_problem(roles) is None
    if action == "delete_task":
        return delete_problem(roles) is None
    if action in ("edit_task", "progress", "evidence"):
        lead = getattr(row, "lead_org_id", None) if row is not None else getattr(user, "org_id", None)
        return change_problem(roles, getattr(user, "org_id", None), lead, {"progress"}) is None
    return False
