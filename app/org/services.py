"""Writes of organization units that need more than the scope: a unit still in use cannot be deleted."""
from flask_babel import gettext, lazy_gettext as _l
from sqlalchemy import func, select

from app.steps import Refusal

IN_USE = _l("This unit cannot be deleted: %(count)s records still refer to it (%(kinds)s). "
            "Move them to another unit first, or keep the unit.")


def references_to(session, org):
    """{table name: count} of the rows that point to `org` through any foreign key to org_unit.id."""
    from flask_appbuilder import Model

    found = {}
    for table in Model.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name != "org_unit" or fk.column.name != "id":
                continue
            column = fk.parent
            if table.name == "org_unit" and column.name == "id":
                continue
            n = session.scalar(select(func.count()).select_from(table).where(column == org.id))
            if n:
                found[table.name] = found.get(table.name, 0) + n
    return found


TABLE_LABELS = {
    "retiree": _l("Retirees"),
    "ab_user": _l("Users"),
    "org_unit": _l("Organization units"),
}


def check_deletable(session, org):
    """Raise Refusal when any row still refers to the unit (its retirees, users, units below it, …)."""
    refs = references_to(session, org)
    if refs:
        kinds = "、".join(str(TABLE_LABELS.get(name, _l("other records"))) for name in sorted(refs))
        kinds = "、".join(dict.fromkeys(kinds.split("、")))
        raise Refusal(gettext(IN_USE, count=sum(refs.values()), kinds=kinds))


