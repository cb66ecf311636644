"""Concurrency, designed once for every stream (DESIGN.md: "Concurrency is designed, not hoped for").

- Every editable record is `Versioned`: SQLAlchemy's `version_id_col` makes each UPDATE conditional on the
  version the row was read with (`UPDATE … WHERE id = ? AND version = ?`), so a save based on an old read
  changes nothing and fails; edit forms carry the version they were opened with (hidden `row_version`), the
  REST API takes `version` in the payload, and `check_version` refuses a stale one before anything is written.
- Every workflow step starts with `lock(row)`: on PostgreSQL `SELECT … FOR UPDATE` (the second of two
  simultaneous steps waits, then sees the first one's result and is refused by the stream's rules); on SQLite,
  which has no row locks, a conditional `UPDATE … SET version = version + 1 WHERE id = ? AND version = ?` that
  takes the database's write lock at once and fails when the row changed since it was read. Either way a
  double-clicked button or two users acting at once go through once.
- `StaleDataError` (a concurrent save slipped between read and write) and `IntegrityError` (two first saves
  of a unique row) become the same `VersionConflict` message, never a 500.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Integer, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import declared_attr, object_session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from app.steps import Refusal

VERSION_FIELD = "row_version"
STALE_MESSAGE = _l("Someone else changed this record after you opened it. Nothing was saved: your input is "
                   "kept below; open the record again to see the current state before saving.")
RACE_MESSAGE = _l("This record was just saved by someone else at the same moment. Nothing was saved: open it "
                  "again and repeat your change if it is still needed.")


class VersionConflict(Refusal):
    """A save or step based on an old read of the row: nothing is changed."""

    def __init__(self, message=None):
        super().__init__(message or STALE_MESSAGE)


class Versioned:
    """Mixin of every editable record: a version that each UPDATE checks and increments."""

    @declared_attr
    def version(cls):
        return Column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr
    def __mapper_args__(cls):
        return {"version_id_col": cls.version}


def is_versioned(obj_or_model):
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return issubclass(model, Versioned)


def check_version(item, submitted):
    """Refuse when the version a form or payload was based on is not the row's current one (None: not sent)."""
    if submitted in (None, "") or not is_versioned(item):
        return
    try:
        submitted = int(submitted)
    except (TypeError, ValueError):
        raise VersionConflict()
    if submitted != item.version:
        raise VersionConflict()


def lock(row):
    """Lock a workflow step's row for the rest of the transaction (see the module's docstring); refuse with
    `VersionConflict` when the row changed since it was read. Returns the row, re-read where that applies."""
    session = object_session(row)
    if session is None or row.id is None:
        return row
    session.flush()  # this request's own pending changes first (a refresh would drop them; they bump the version)
    if session.get_bind().dialect.name == "postgresql":
        # FOR UPDATE OF the row's own table: a relationship loaded by an outer join must not be locked (PostgreSQL
        # refuses FOR UPDATE on the nullable side of an outer join)
        session.refresh(row, with_for_update={"of": type(row).__table__})
        return row
    if not is_versioned(row):
        return row
    model = type(row)
    seen = row.version
    result = session.execute(update(model.__table__).where(model.__table__.c.id == row.id,
                                                           model.__table__.c.version == seen)
                             .values(version=seen + 1))
    if result.rowcount != 1:
        raise VersionConflict(RACE_MESSAGE)
    set_committed_value(row, "version", seen + 1)
    return row


def conflict_of(error):
    """The VersionConflict a database error stands for (FAB wraps it: look at the cause too), or None."""
    if not isinstance(error, (StaleDataError, IntegrityError)) and error.__cause__ is not None:
        error = error.__cause__
    if isinstance(error, StaleDataError):
        return VersionConflict()
    if isinstance(error, IntegrityError):
        return VersionConflict(RACE_MESSAGE)
    return None
