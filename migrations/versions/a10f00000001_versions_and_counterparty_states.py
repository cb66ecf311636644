"""row versions; checklist states derived from the counterparty's records

Revision ID: a10f00000001
Revises: a15m00000003
Create Date: 2026-11-28 09:30:00

Issue 10. Every editable record gets a `version` (SQLAlchemy version_id_col, app/versioning.py). The checklist
streams that another unit confirms are recomputed from that unit's record (app/handover/rules.py:
DERIVED_STREAMS, DONE_BY_SIDE): personnel relations from the community's confirmed receipt, the party relation
from the party transfer's receipt, the archive from the archive transfer's receipt; a pension, medical
insurance, household or travel stream marked done by a user who does not hold the responsible side's role is
set back to in progress. The case summaries are then recomputed (app/handover/services.summary_sql).
"""
from alembic import op
import sqlalchemy as sa


revision = 'a10f00000001'
down_revision = 'a15m00000003'
branch_labels = None
depends_on = None

VERSIONED = ("accountability_record", "archive_transfer", "handover_batch", "handover_case", "handover_item",
             "implementation_plan", "leading_group_member", "monthly_report", "org_unit", "party_transfer",
             "retiree", "supervision_item", "work_contact", "work_task")

PERSONNEL = """UPDATE handover_item SET state = CASE
  WHEN EXISTS (SELECT 1 FROM handover_case c WHERE c.id = handover_item.case_id AND c.received_on IS NOT NULL)
    THEN 'done'
  WHEN EXISTS (SELECT 1 FROM handover_case c LEFT JOIN handover_batch b ON b.id = c.batch_id
               WHERE c.id = handover_item.case_id AND (c.accepted_on IS NOT NULL OR b.submitted_on IS NOT NULL))
    THEN 'in_progress'
  ELSE 'not_started' END
WHERE stream = 'personnel' AND state <> 'not_applicable'"""

PARTY = """UPDATE handover_item SET state = COALESCE((
  SELECT CASE WHEN p.received_on IS NOT NULL THEN 'done'
              WHEN p.letter_issued_on IS NOT NULL OR p.dues_base_verified
                   OR (p.letter_no IS NOT NULL AND p.letter_no <> '') THEN 'in_progress'
              ELSE 'not_started' END
  FROM party_transfer p JOIN handover_case c ON c.retiree_id = p.retiree_id
  WHERE c.id = handover_item.case_id), 'not_started')
WHERE stream = 'party' AND state <> 'not_applicable'"""

ARCHIVE = """UPDATE handover_item SET state = COALESCE((
  SELECT CASE WHEN a.received_on IS NOT NULL THEN 'done'
              WHEN a.sorted_done OR a.sent_on IS NOT NULL THEN 'in_progress'
              ELSE 'not_started' END
  FROM archive_transfer a JOIN handover_case c ON c.retiree_id = a.retiree_id
  WHERE c.id = handover_item.case_id), 'not_started')
WHERE stream = 'archive' AND state <> 'not_applicable'"""

TYPED = """UPDATE handover_item SET state = 'in_progress'
WHERE state = 'done' AND stream IN ('pension', 'medical', 'household', 'travel') AND NOT EXISTS (
  SELECT 1 FROM ab_user_role ur JOIN ab_role r ON r.id = ur.role_id
  WHERE ur.user_id = handover_item.changed_by_id AND (
    (handover_item.responsible = 'hrss' AND r.name = 'hrss')
    OR (handover_item.responsible = 'medins' AND r.name = 'medins')
    OR (handover_item.responsible = 'orgdept' AND r.name = 'orgdept')
    OR (handover_item.responsible = 'receiving' AND r.name IN ('county', 'township', 'community'))))"""

# app/handover/services.summary_sql() at the time of writing (the same statement as revision 7b341a4699a8)
SUMMARY = """UPDATE handover_case SET applicable_streams = CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'personnel' AND i.state <> 'not_applicable') THEN 1 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'party' AND i.state <> 'not_applicable') THEN 2 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'archive' AND i.state <> 'not_applicable') THEN 4 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'pension' AND i.state <> 'not_applicable') THEN 8 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'medical' AND i.state <> 'not_applicable') THEN 16 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'household' AND i.state <> 'not_applicable') THEN 32 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'travel' AND i.state <> 'not_applicable') THEN 64 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'expenses' AND i.state <> 'not_applicable') THEN 128 ELSE 0 END, done_streams = CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'personnel' AND i.state = 'done') THEN 1 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'party' AND i.state = 'done') THEN 2 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'archive' AND i.state = 'done') THEN 4 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'pension' AND i.state = 'done') THEN 8 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'medical' AND i.state = 'done') THEN 16 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'household' AND i.state = 'done') THEN 32 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'travel' AND i.state = 'done') THEN 64 ELSE 0 END + CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = 'expenses' AND i.state = 'done') THEN 128 ELSE 0 END, summary_status = CASE WHEN received_on IS NOT NULL AND EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id) AND NOT EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.state IN ('not_started', 'in_progress')) THEN 'handed_over' WHEN received_on IS NOT NULL OR EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.state IN ('in_progress', 'done')) THEN 'in_progress' ELSE 'not_handed_over' END"""


def upgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    for statement in (PERSONNEL, PARTY, ARCHIVE, TYPED, SUMMARY):
        op.execute(statement)


def downgrade():
    for table in VERSIONED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column('version')
