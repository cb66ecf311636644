"""Recording a duplicate claim: on its own connection and committed at once, because the write that found it is
refused and rolled back (the form, the API or the import preview)."""
import datetime

from sqlalchemy import and_, insert, select

from app.duplicates.models import DuplicateIdReport, DuplicateSource


def report_duplicate(number, claimant_id, holder_id, source=DuplicateSource.LEDGER):
    """One open report per number and claiming unit; nothing when the holder is the claimant itself."""
    from app.extensions import db
    from app.security.scope import current_user

    if not number or claimant_id is None or holder_id is None or claimant_id == holder_id:
        return
    user = current_user()
    table = DuplicateIdReport.__table__
    with db.engine.begin() as conn:
        open_one = conn.execute(select(table.c.id).where(and_(
            table.c.resident_id == number, table.c.claimant_id == claimant_id,
            table.c.resolved.is_(False))).limit(1)).first()
        if open_one is not None:
            return
        now = datetime.datetime.utcnow()
        conn.execute(insert(table).values(
            resident_id=number, claimant_id=claimant_id, holder_id=holder_id, source=source,
            reported_by_id=getattr(user, "id", None), reported_at=now, resolved=False, changed_on=now))
