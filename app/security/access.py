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
