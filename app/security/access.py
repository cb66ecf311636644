"""Small questions about the current user that pages and models ask."""
from app.security.roles import ROLES_BY_CODE
from app.security.scope import current_user


def role_codes(user=None):
    user = user or current_user()
    return {r.name for r in getattr(user, "roles", []) or []}


def sees_full_resident_id(user=None):
    return any(ROLES_BY_CODE[c].needs_full_id for c in role_codes(user) if c in ROLES_BY_CODE)
