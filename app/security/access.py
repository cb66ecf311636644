"""Small questions about the current user that pages and models ask."""
from app.security.roles import ROLES_BY_CODE
from app.security.scope import current_user


def role_codes(user=None):
    user = user or current_user()
    return {r.name for r in getattr(user, "roles", []) or []}


def sees_full_resident_id(user=None):
    from flask import g, has_request_context

    if user is None and has_request_context():
        if "_sees_full_id" not in g:
            g._sees_full_id = any(ROLES_BY_CODE[c].needs_full_id for c in role_codes() if c in ROLES_BY_CODE)
        return g._sees_full_id
    return any(ROLES_BY_CODE[c].needs_full_id for c in role_codes(user) if c in ROLES_BY_CODE)


def units_holding(roles):
    """Ids of the organization units with an active user who holds any of the role codes `roles` (e.g. the
    member units of the leading group), in one query."""
    from flask_appbuilder.security.sqla.models import Role
    from sqlalchemy import select

    from app.extensions import db
    from app.security.models import OrgUser

    query = (select(OrgUser.org_id).distinct().join(OrgUser.roles)
             .where(OrgUser.org_id.is_not(None), OrgUser.active.is_(True), Role.name.in_(sorted(roles))))
    return set(db.session.scalars(query))


def granted(user, permission, resource):
    """Whether the user's roles grant `permission` (can_read / can_write) on `resource`, from the role map in
    roles.py (roles are code): what FAB's permission check will say, without asking the database."""
    from app.security.roles import ROLES_BY_CODE

    pair = (permission, resource)
    return any(pair in ROLES_BY_CODE[c].grants for c in role_codes(user) if c in ROLES_BY_CODE)
