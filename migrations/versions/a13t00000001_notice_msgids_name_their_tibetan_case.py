"""stored inbox messages: msgids whose placeholders name the Tibetan case (issue 13)

Revision ID: a13t00000001
Revises: 7b341a4699a8
Create Date: 2026-11-28 09:40:00

Inbox entries store their message as its msgid. The msgids below now name the case a Tibetan sentence needs
for the name they hold (%(unit_gen)s …, filled by app/tibetan.py), so stored entries are renamed with them.
Data only; no schema change.
"""
from alembic import op
import sqlalchemy as sa

revision = 'a13t00000001'
down_revision = '7b341a4699a8'
branch_labels = None
depends_on = None

RENAMED = {
    "%(unit)s responded to supervision item %(number)s: re-check it":
        "%(unit_agt)s responded to supervision item %(number)s: re-check it",
    "%(unit)s is overdue on supervision item %(number)s (deadline %(deadline)s)":
        "%(unit_gen)s is overdue on supervision item %(number)s (deadline %(deadline)s)",
    "Supervision item %(number)s is due on %(deadline)s":
        "Supervision item %(number_gen)s is due on %(deadline)s",
    "The implementation plan of %(enterprise)s (version %(number)s) is waiting for review.":
        "The implementation plan of %(enterprise_gen)s (version %(number)s) is waiting for review.",
    "The monthly report for %(month)s is due on %(deadline)s.":
        "The monthly report for %(month_gen)s is due on %(deadline)s.",
    "The monthly report for %(month)s is missing: it was due on %(deadline)s.":
        "The monthly report for %(month_gen)s is missing: it was due on %(deadline)s.",
    "The monthly report for %(month)s was returned for correction: %(comment)s":
        "The monthly report for %(month_gen)s was returned for correction: %(comment)s",
}

notification = sa.table("notification", sa.column("message", sa.String))


def _rename(pairs):
    for old, new in pairs:
        op.execute(notification.update().where(notification.c.message == old).values(message=new))


def upgrade():
    _rename(RENAMED.items())


def downgrade():
    _rename((new, old) for old, new in RENAMED.items())
