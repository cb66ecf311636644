"""FAB's security manager, fitted to this system: users with an organization, permissions read once per
request, logins recorded in the audit log."""
from flask import g, has_request_context
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import (
    Permission,
    Role,
    PermissionView,
    ViewMenu,
    assoc_permissionview_role,
)
from flask_appbuilder.security.views import (
    PermissionModelView,
    PermissionViewModelView,
    RoleModelView,
    UserDBModelView,
    ViewMenuModelView,
)
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.formatting import blank_if_none, yes_no
from app.scoped_views import ReadableBlankOptionsMixin
from app.security.labels import permission_label, permissions_label, resource_label
from app.security.models import OrgUser
from app.security.roles import role_label


def _roles_label(roles):
    return "、".join(role_label(r.name) for r in roles or [])


class OrgUserDBModelView(ReadableBlankOptionsMixin, UserDBModelView):
    class_permission_name = "UserDBModelView"  # keep FAB's permission names for the user pages
    list_columns = ["username", "first_name", "last_name", "org", "roles", "active"]
    add_columns = UserDBModelView.add_columns[:]
    add_columns.insert(add_columns.index("roles"), "org")
    add_columns.remove("groups")
    edit_columns = ["first_name", "last_name", "username", "active", "email", "org", "roles"]
    search_columns = ["username", "first_name", "last_name", "org", "roles", "active", "last_login"]
    show_fieldsets = [
        (_l("User info"), {"fields": ["username", "active", "org", "roles", "login_count"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
        (_l("Audit Info"), {"fields": ["last_login", "fail_login_count", "created_on", "changed_on"],
                             "expanded": False}),
    ]
    user_show_fieldsets = [
        (_l("User info"), {"fields": ["username", "org", "roles", "login_count"]}),
        (_l("Personal Info"), {"fields": ["first_name", "last_name", "email"], "expanded": True}),
    ]
    label_columns = dict(UserDBModelView.label_columns, org=_l("Organization"))
    description_columns = {
        "username": _l("The name the user signs in with."),
        "org": _l("The unit the user works for: it decides which records the user sees."),
        "roles": _l("What the user may do; one role per stakeholder (see the README)."),
        "active": _l("It's not a good policy to remove a user, just make it inactive"),
    }
    validators_columns = {}
    formatters_columns = {"roles": _roles_label, "active": yes_no, "org": blank_if_none,
                          "last_login": blank_if_none, "login_count": blank_if_none,
                          "fail_login_count": blank_if_none, "changed_on": blank_if_none,
                          "created_on": blank_if_none}


# A role's name is its ASCII code (roles.py); wherever FAB prints a role — lists, dropdowns, search filters —
# the reader should see its label in their language instead.
Role.__str__ = lambda self: role_label(self.name)


class ReadableRoleModelView(RoleModelView):
    class_permission_name = "RoleModelView"
    """Roles are code (app/security/roles.py): listed and shown here, changed only by `flask sync-roles`."""

    list_widget = ListWidget
    show_widget = ShowWidget
    base_permissions = ["can_list", "can_show"]
    formatters_columns = {"name": role_label, "permissions": permissions_label}
    search_columns = ["name"]


class ReadablePermissionModelView(PermissionModelView):
    class_permission_name = "PermissionModelView"
    formatters_columns = {"name": permission_label}


class ReadableViewMenuModelView(ViewMenuModelView):
    class_permission_name = "ViewMenuModelView"
    formatters_columns = {"name": resource_label}


class ReadablePermissionViewModelView(PermissionViewModelView):
    class_permission_name = "PermissionViewModelView"
    list_columns = ["permission", "view_menu"]
    formatters_columns = {"permission": lambda p: permission_label(p.name),
                          "view_menu": lambda v: resource_label(v.name)}


class ScopedSecurityManager(SecurityManager):
    user_model = OrgUser
    userdbmodelview = OrgUserDBModelView
    rolemodelview = ReadableRoleModelView
    permissionmodelview = ReadablePermissionModelView
    viewmenumodelview = ReadableViewMenuModelView
    permissionviewmodelview = ReadablePermissionViewModelView
    # FAB's user statistics chart loads Google Charts from the internet.
    userstatschartview = None

    def get_user_by_id(self, pk):
        # user, roles and groups in one statement (flask-login loads the user on every request)
        return self.session.scalars(
            select(self.user_model).options(joinedload(self.user_model.roles), joinedload(self.user_model.groups))
            .where(self.user_model.id == pk)
        ).unique().first()

    # One query per request for all of a user's permissions, instead of one per menu entry and button.
    def _permissions_for_roles(self, role_ids):
        key = tuple(sorted(role_ids))
        cache = g.setdefault("_permission_cache", {}) if has_request_context() else {}
        if key not in cache:
            rows = self.session.execute(
                select(Permission.name, ViewMenu.name)
                .select_from(PermissionView)
                .join(Permission, PermissionView.permission_id == Permission.id)
                .join(ViewMenu, PermissionView.view_menu_id == ViewMenu.id)
                .join(assoc_permissionview_role,
                      assoc_permissionview_role.c.permission_view_id == PermissionView.id)
                .where(assoc_permissionview_role.c.role_id.in_(key))
            ).all()
            cache[key] = frozenset((perm, view) for perm, view in rows)
        return cache[key]

    def _role_ids(self, user):
        return [r.id for r in self.get_user_roles(user) if r is not None and r.name not in self.builtin_roles]

    def _has_view_access(self, user, permission_name, view_name):
        return (permission_name, view_name) in self._permissions_for_roles(self._role_ids(user))

    def _get_user_permission_view_menus(self, user, permission_name, view_menus_name):
        roles = [self.get_public_role()] if user is None else self.get_user_roles(user)
        perms = self._permissions_for_roles([r.id for r in roles if r is not None])
        return {v for p, v in perms if p == permission_name and (view_menus_name is None or v in view_menus_name)}

    # Logins, failed logins and logouts go to the audit log.
    def on_user_login(self, user):
        from app.audit import record_event

        record_event("login", user=user)

    def on_user_login_failed(self, user):
        from app.audit import record_event

        record_event("login_failed", username=user.username)

    def on_user_logout(self, user):
        from app.audit import record_event

        record_event("logout", user=user)

    def auth_user_db(self, username, password):
        user = super().auth_user_db(username, password)
        if user is None and username:
            known = self.find_user(username=username)
            if known is not None and known.is_active:
                return None  # FAB recorded the wrong password through on_user_login_failed
            # Unknown or deactivated usernames are failed logins too; FAB records neither.
            from app.audit import record_event

            record_event("login_failed", username=username[:128])
        return user
