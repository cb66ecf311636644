"""The work plan (实施步骤): tasks with a deadline, a lead unit, assisting units, progress and evidence files.

A task's progress is typed by its lead unit, unless the task follows a live METRIC (e.g. "county X hands over
its retirees"): then the progress is computed from the handover figures (metrics.py) and cannot be typed.
"""
import datetime

from flask_appbuilder import Model
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Column, Date, DateTime, ForeignKey, Integer, String, Table, Text
from sqlalchemy.orm import relationship

from app.versioning import Versioned


class Metric:
    """Live figures a task may follow instead of typed progress; the target is a county, an enterprise or,
    when none is given, the whole city."""
    HANDOVER = "handover"  # retirees handed over / retirees in the handover flow
    PARTY = "party"  # party relations transferred / party relations to transfer
    ARCHIVES = "archives"  # personnel archives transferred / archives to transfer
    LABELS = {
        HANDOVER: _l("Retirees handed over"),
        PARTY: _l("Party relations transferred"),
        ARCHIVES: _l("Personnel archives transferred"),
    }


work_task_assisting = Table(
    "work_task_assisting", Model.metadata,
    Column("task_id", Integer, ForeignKey("work_task.id", ondelete="CASCADE"), primary_key=True),
    Column("org_id", Integer, ForeignKey("org_unit.id"), primary_key=True, index=True),
)

work_task_evidence = Table(
    "work_task_evidence", Model.metadata,
    Column("task_id", Integer, ForeignKey("work_task.id", ondelete="CASCADE"), primary_key=True),
    Column("stored_file_id", Integer, ForeignKey("stored_file.id"), primary_key=True),
)


class WorkTask(Versioned, Model):
    __tablename__ = "work_task"
    # The lead unit owns the task; assisting units see it too (the rules let only the lead unit change it).
    __scope_columns__ = ("lead_org_id",)
    __scope_related__ = ("assisting",)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    title_zh = Column(String(200), nullable=False)
    title_bo = Column(String(400))
    description = Column(Text)
    start_on = Column(Date)
    deadline = Column(Date, nullable=False, index=True)
    lead_org_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    progress = Column(Integer, nullable=False, default=0)  # percent, typed by the lead unit
    done_on = Column(Date)
    is_milestone = Column(Boolean, nullable=False, default=False)
    notes = Column(Text)
    metric = Column(String(16))
    metric_org_id = Column(Integer, ForeignKey("org_unit.id"))  # None with a metric: the whole city
    created_on = Column(DateTime, nullable=False, default=datetime.datetime.utcnow)

    lead_org = relationship("Organization", foreign_keys=[lead_org_id])
    metric_org = relationship("Organization", foreign_keys=[metric_org_id])
    assisting = relationship("Organization", secondary=work_task_assisting, order_by="Organization.code")
    evidence = relationship("StoredFile", secondary=work_task_evidence, order_by="StoredFile.id")

    def title(self):
        locale = get_locale()
        if locale is not None and locale.language == "bo" and self.title_bo:
            return self.title_bo
        return self.title_zh

    def metric_label(self):
        return str(Metric.LABELS.get(self.metric, "")) if self.metric else ""

    def current_progress(self):
        """Percent 0..100: the live metric's when the task follows one, else the typed value."""
        if self.metric:
            from app.workplan.metrics import metric_percent

            return metric_percent(self.metric, self.metric_target_id())
        return self.progress or 0

    def metric_target_id(self):
        # a form sets the relationship; its key follows only at flush
        target = self.__dict__.get("metric_org")
        return target.id if target is not None else self.metric_org_id

    def colour(self, today=None):
        from app import clock
        from app.deadlines import colour

        return colour(self.deadline, today or clock.today(), done_on=self.done_on,
                      progress=self.current_progress() / 100.0, start=self.start_on)

    def colour_badge(self):
        from app.deadlines import badge

        return badge(self.colour())

    def progress_label(self):
        return f"{self.current_progress():.0f}%"

    def assisting_names(self):
        return "、".join(o.name for o in self.assisting)

    def __str__(self):
        return self.title() or ""


def _validate(task):
    from sqlalchemy import inspect

    from app import clock
    from app.workplan.rules import task_problems

    state = inspect(task)
    done_changed = state.transient or state.pending or state.attrs.done_on.history.has_changes()
    percent = task.current_progress() if task.metric else (task.progress or 0)
    return task_problems(task, percent, done_changed, clock.today())


WorkTask.__validator__ = staticmethod(_validate)
