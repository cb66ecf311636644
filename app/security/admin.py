"""The three administrators of 等保 2.0, separated in code (issue 11 §2). One function decides every change
of a user account, whichever view or command makes it:

- the system administrator (sysadmin) keeps accounts and units: creates users, edits names, unit and state,
  resets passwords — and grants or removes no role at all, its own included;
- the security administrator (secadmin) assigns roles — and changes nothing else of an account;
- nobody changes their own roles, unit or account state;
- an administrator role is never combined with another role (no administrator also reads business data);
- the audit administrator (auditadmin) only reads the audit log.
"""
from flask_babel import lazy_gettext as _l
from sqlalchemy import inspect as sa_inspect

from app.steps import Refusal

ADMIN_ROLES = frozenset({"sysadmin", "secadmin", "auditadmin"})
SYSADMIN, SECADMIN = "sysadmin", "secadmin"
# What each administrator may change on an account (columns of ab_user, plus the roles link).
ACCOUNT_FIELDS = frozenset({"first_name", "last_name", "username", "email", "active", "org_id"})
ROLE_FIELDS = frozenset({"roles"})
SELF_FIELDS = frozenset({"roles", "org_id", "active"})

OWN_ACCOUNT = _l("Nobody changes their own roles, unit or account state; ask another administrator.")
SYSADMIN_NO_ROLES = _l("The system administrator cannot grant or remove roles: the security administrator "
                       "assigns them.")
SECADMIN_ROLES_ONLY = _l("The security administrator assigns roles only; the system administrator keeps "
                         "accounts and units.")
ADMIN_ALONE = _l("An administrator role cannot be combined with any other role.")
NOT_ALLOWED = _l("You are not allowed to do this.")
OWN_RESET = _l("Change your own password under your profile, not by a reset.")


def role_codes(user):
    return {r.name for r in (getattr(user, "roles", None) or [])}


def changed_fields(user):
    """Columns and links of `user` changed in this session (names of ab_user columns and 'roles')."""
    state = sa_inspect(user)
    changed = set()
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if hist.has_changes() and old != new:
            changed.add(attr.key)
    for rel in state.mapper.relationships:  # a unit set through the relationship: its column changes at flush
        if rel.key == "roles" or rel.uselist:
            continue
        hist = state.attrs[rel.key].history
        old = hist.deleted[0] if hist.deleted else None
        new = hist.added[0] if hist.added else None
        if hist.has_changes() and old is not new:
            changed.update(c.key for c in rel.local_columns)
    roles = state.attrs["roles"].history
    if roles.added or roles.deleted:
        if {r.name for r in roles.added} != {r.name for r in roles.deleted}:
            changed.add("roles")
    return changed


def check_user_write(actor, user, kind, changed=None):
    """Raise Refusal unless `actor` may make this change ('add', 'edit' or 'delete') to `user`."""
    mine = role_codes(actor)
    if kind == "add":
        changed = {"roles"} if user.roles else set()
    elif kind == "delete":
        changed = {"active", "roles", "org_id"}
    if getattr(user, "id", None) is not None and user.id == getattr(actor, "id", None) and changed & SELF_FIELDS:
        raise Refusal(OWN_ACCOUNT)
    if SYSADMIN in mine:
        if "roles" in changed:
            raise Refusal(SYSADMIN_NO_ROLES)
    elif SECADMIN in mine:
        if kind != "edit" or changed - ROLE_FIELDS:
            raise Refusal(SECADMIN_ROLES_ONLY)
    else:
        raise Refusal(NOT_ALLOWED)
    new_roles = role_codes(user)
    if new_roles & ADMIN_ROLES and len(new_roles) > 1:
        raise Refusal(ADMIN_ALONE)


def check_password_reset(actor, user):
    if SYSADMIN not in role_codes(actor):
        raise Refusal(NOT_ALLOWED)
    if user.id == actor.id:
        raise Refusal(OWN_RESET)
