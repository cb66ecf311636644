"""The shape of every workflow step (handover, work plan, monthly reports, plans, supervision items): a
service function takes the acting user, checks the stream's rules and changes rows, raising `Refusal` with
the user's message when a rule says no; the view runs it with `run_step`, which commits and says so, or
rolls back and says why not — so a refused step never leaves anything half-written."""
from flask import flash, g

from app.extensions import db


class Refusal(Exception):
    """A step the rules refuse: nothing is changed, the message says why."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


def refuse_if(message):
    if message:
        raise Refusal(message)


def run_step(step, *args, success):
    """Run one service step for the current user: commit and say so, or roll back and say why not."""
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import StaleDataError

    from app.versioning import conflict_of

    try:
        step(g.user, *args)
        db.session.commit()
        flash(str(success), "success")
        return True
    except Refusal as e:
        db.session.rollback()
        flash(e.message, "danger")
        return False
    except (StaleDataError, IntegrityError) as e:
        # another request changed the row between our read and our write (see app/versioning.py)
        db.session.rollback()
        flash(conflict_of(e).message, "danger")
        return False
