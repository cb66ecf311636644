"""All organization units, read once per request: the tree is small (hundreds of units) and every page
needs it — the user's scope, dropdowns, names in the audit log."""
from flask import g, has_request_context
from sqlalchemy import select


def all_orgs():
    from app.extensions import db
    from app.org.models import Organization

    if has_request_context() and "_all_orgs" in g:
        return g._all_orgs
    orgs = db.session.scalars(select(Organization).order_by(Organization.path)).all()
    if has_request_context():
        g._all_orgs = orgs
    return orgs


def org_by_id(org_id):
    if has_request_context():
        if "_orgs_by_id" not in g:
            g._orgs_by_id = {o.id: o for o in all_orgs()}
        return g._orgs_by_id.get(org_id)
    return next((o for o in all_orgs() if o.id == org_id), None)


def subtree_ids(org_id):
    """The unit and every unit below it (paths that start with its path)."""
    root = org_by_id(org_id)
    if root is None:
        return frozenset()
    return frozenset(o.id for o in all_orgs() if o.path.startswith(root.path))
