"""The one scoping mechanism (DESIGN.md §3, after NetBox's `restrict(user, action)`).

A business model declares the organization columns through which a unit may see a row:

    class Retiree(Model):
        __scope_columns__ = ("enterprise_id", "receiving_county_id", ...)

A user whose roles are city-wide sees every row; a user of an organization-bound role sees the rows where
any declared column points into the subtree of their organization unit (or, for a model that declares
`__scope_related__`, any unit of such a many-to-many relationship does, e.g. a task's assisting units); the
three administrators and a user without an organization see none. `scope()` narrows every query, `check_write()` refuses a write
that would leave or come from outside the scope, and `ScopeFilter` puts the same rule into FAB's
`base_filters` and related-field queries, so list, show, edit, delete, search, REST, dropdowns and
downloads all go through here.
"""
import contextlib
import contextvars
from dataclasses import dataclass

from flask import g, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from flask_babel import lazy_gettext as _l
from sqlalchemy import false, inspect as sa_inspect, or_

from app.security.roles import CITY_WIDE, OWN_ORG, ROLES_BY_CODE


class ScopeError(Exception):
    """A write that would touch a row outside the acting user's scope."""

    def __init__(self, message=None):
        super().__init__(str(message or _l("This record is outside your organization's scope.")))


@dataclass(frozen=True)
class UserScope:
    city_wide: bool
    org_ids: frozenset  # the user's unit and every unit below it; empty when city-wide or no data

    def allows_org(self, org_id):
        return self.city_wide or (org_id is not None and org_id in self.org_ids)


NOTHING = UserScope(False, frozenset())
EVERYTHING = UserScope(True, frozenset())

# Command-line jobs (imports, cron) act for the operator who runs them, not for a web user.
_system_actor = contextvars.ContextVar("system_actor", default=None)


@contextlib.contextmanager
def as_system(name):
    """Run a block as the named system actor (e.g. "cli:import-retirees"): city-wide scope, audited by name."""
    token = _system_actor.set(name)
    try:
        yield
    finally:
        _system_actor.reset(token)


def system_actor():
    return _system_actor.get()


def _compute_scope(user):
    from app.org.cache import subtree_ids

    if user is None or not getattr(user, "is_authenticated", False):
        return NOTHING
    kinds = {ROLES_BY_CODE[r.name].scope for r in user.roles if r.name in ROLES_BY_CODE}
    if CITY_WIDE in kinds:
        return EVERYTHING
    if OWN_ORG in kinds and user.org_id is not None:
        ids = subtree_ids(user.org_id)
        return UserScope(False, ids) if ids else NOTHING
    return NOTHING


def user_scope(user=None):
    """The scope of `user` (default: the current user), computed once per request."""
    if system_actor() is not None:
        return EVERYTHING
    if user is None:
        user = current_user()
    if not has_request_context():
        return _compute_scope(user)
    cache = g.setdefault("_scope_cache", {})
    # by account, unit and roles: several actors without an account (the demo's stand-in clerks) never share
    key = (getattr(user, "id", None), getattr(user, "org_id", None),
           tuple(sorted(getattr(r, "name", "") for r in getattr(user, "roles", None) or [])))
    if key not in cache:
        cache[key] = _compute_scope(user)
    return cache[key]


def current_user():
    from flask_login import current_user as login_user

    if has_request_context():
        user = getattr(g, "user", None) or login_user
        if user is not None and getattr(user, "is_authenticated", False):
            return user
    return None


def scope_columns(model):
    return getattr(model, "__scope_columns__", None)


def is_scoped(model):
    return scope_columns(model) is not None


def scope_related(model):
    """Many-to-many relationships to organization units that also open a row to a unit
    (`__scope_related__`, e.g. a task's assisting units), besides the scope columns."""
    return getattr(model, "__scope_related__", ())


def scope_clause(model, user=None):
    """The WHERE clause that limits `model` to the user's scope (None: no limit)."""
    from app.org.models import Organization

    s = user_scope(user)
    if s.city_wide:
        return None
    if not s.org_ids:
        return false()
    ids = sorted(s.org_ids)
    return or_(*(getattr(model, col).in_(ids) for col in scope_columns(model)),
               *(getattr(model, rel).any(Organization.id.in_(ids)) for rel in scope_related(model)))


def scope(query, model, user=None):
    """Narrow a Query or Select over `model` to the user's scope."""
    clause = scope_clause(model, user)
    return query if clause is None else query.where(clause) if hasattr(query, "where") else query.filter(clause)


def _relationship_for(model, column):
    for rel in sa_inspect(model).relationships:
        if any(c.key == column for c in rel.local_columns):
            return rel.key
    return None


def scope_value(obj, column, before=False):
    """The organization id a scope column holds, or held when the row was loaded (`before`).

    Forms and the API set relationships (`enterprise`), not foreign keys (`enterprise_id`), and the key only
    follows at flush, so a set relationship wins over its column.
    """
    state = sa_inspect(obj)
    rel = _relationship_for(type(obj), column)
    if rel is not None and rel in obj.__dict__:
        if before:
            hist = state.attrs[rel].history
            if hist.deleted:
                old = hist.deleted[0]
                return old.id if old is not None else None
        else:
            target = obj.__dict__[rel]
            return target.id if target is not None else None
    if before:
        hist = state.attrs[column].history
        if hist.deleted:
            return hist.deleted[0]
    return getattr(obj, column)


def scope_values(obj, before=False):
    return {col: scope_value(obj, col, before) for col in scope_columns(type(obj)) or ()}


def in_scope(obj, user=None):
    s = user_scope(user)
    if s.city_wide:
        return True
    return any(s.allows_org(v) for v in scope_values(obj).values()) or any(
        s.allows_org(org.id) for rel in scope_related(type(obj)) for org in getattr(obj, rel))


def check_write(obj, user=None, before=None):
    """Refuse a create/update that comes from or lands outside the user's scope.

    `before` holds the scope-column values the row had before the change (None for a new row): a user may
    neither move a row out of their scope nor take over a row that was never theirs.
    """
    if not is_scoped(type(obj)):
        return
    s = user_scope(user)
    if s.city_wide:
        return
    if before is not None and not any(s.allows_org(v) for v in before.values()):
        raise ScopeError()
    if not in_scope(obj, user):
        raise ScopeError()


class ScopeFilter(BaseFilter):
    """FAB filter form of `scope()`: `base_filters = [["id", ScopeFilter, None]]`."""

    name = "Scope"
    arg_name = None

    def apply(self, query, value):
        clause = scope_clause(self.model)
        return query if clause is None else query.filter(clause)


class OrgChoiceFilter(BaseFilter):
    """Options for an organization dropdown of a scoped model: units of the column's kind, narrowed to the
    user's subtree when the subtree holds any unit of that kind (an enterprise user picks only their own
    enterprise, but any receiving county; a county user only its own county and townships)."""

    name = "Org choice"
    arg_name = None

    @staticmethod
    def allowed_ids(kind):
        """None: every unit of the kind; else the ids the user may choose."""
        from app.org.cache import all_orgs

        s = user_scope()
        if s.city_wide:
            return None
        own = {o.id for o in all_orgs() if o.kind == kind and o.id in s.org_ids}
        return own or None

    def matcher(self, kind):
        """A predicate over Organization objects, for answering from the per-request org cache."""
        allowed = self.allowed_ids(kind)
        return lambda org: org.kind == kind and (allowed is None or org.id in allowed)

    def apply(self, query, kind):
        from app.org.models import Organization

        query = query.filter(Organization.kind == kind)
        allowed = self.allowed_ids(kind)
        return query if allowed is None else query.filter(Organization.id.in_(sorted(allowed)))


class ActingUserFilter(BaseFilter):
    """A user picker of a business record offers only the acting user: the `*_by` columns say who acted."""

    name = "Acting user"
    arg_name = None

    def apply(self, query, value):
        user = current_user()
        return query.filter(self.model.id == (user.id if user is not None else -1))


class NoOptionsFilter(BaseFilter):
    """Related rows that are never picked from a list (a record's own children): no options at all."""

    name = "No options"
    arg_name = None

    def apply(self, query, value):
        return query.filter(false())
