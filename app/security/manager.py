"""FAB's security manager, fitted to this system: users with an organization, permissions read once per
request, logins recorded in the audit log, and the controls of issue 11 — the three administrators' rules on
every account change (admin.py), lockout, throttle, sessions and passwords (auth.py)."""
import datetime

from flask import abort, current_app, flash, g, has_request_context, redirect, request, session
from flask_appbuilder import expose
from flask_appbuilder.api import safe
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_appbuilder.security.sqla.models import (
    Permission,
    Role,
    PermissionView,
    ViewMenu,
    assoc_permissionview_role,
)
from flask_appbuilder.security.views import (
    AuthDBView,
    PermissionModelView,
    PermissionViewModelView,
    ResetMyPasswordView,
    ResetPasswordView,
    RoleModelView,
    UserDBModelView,
    ViewMenuModelView,
)
from flask_login import logout_user
from werkzeug.security import generate_password_hash
from flask_appbuilder.widgets import ListWidget, ShowWidget
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.formatting import blank_if_none, yes_no
from app.scoped_views import ReadableBlankOptionsMixin
from app.security import admin, auth
from app.security.labels import permission_label, permissions_label, resource_label
from app.security.models import OrgUser
from app.security.roles import role_label
from app.steps import Refusal


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

    # Every account change passes the three administrators' rules (admin.py); a refused change is rolled
    # back at once so that no later commit of the request can write it.
    def _check(self, item, kind, changed=None):
        from app.extensions import db

        try:
            admin.check_user_write(g.user, item, kind, changed)
        except Refusal:
            db.session.rollback()
            # an attempted escalation is itself a security event
            from app.audit import record_event

            record_event("refused", model="OrgUser", object_id=getattr(item, "id", None),
                         changes={"target": getattr(item, "username", None)})
            raise

    def pre_add(self, item):
        self._check(item, "add")
        super().pre_add(item)
        item.password_changed_on = datetime.datetime.utcnow()
        item.must_change_password = True  # a password someone else chose is changed at the first login

    def _edit(self, pk):
        # Filling the form loads the old roles, and an autoflush there would hide the fields set before it
        # from the change set the rules judge: no autoflush until the rules have spoken.
        with self.datamodel.session.no_autoflush:
            return super()._edit(pk)

    def pre_update(self, item):
        changed = admin.changed_fields(item)
        self._check(item, "edit", changed)
        super().pre_update(item)
        if "active" in changed and not item.active:
            auth.revoke_sessions(item)

    def pre_delete(self, item):
        self._check(item, "delete")


# A role's name is its ASCII code (roles.py); wherever FAB prints a role — lists, dropdowns, search filters —
# the reader should see its label in their language instead.
Role.__str__ = lambda self: role_label(self.name)


def _register_audit_labels():
    from app.audit import register_model
    from app.security.roles import ROLE_DEFINITIONS

    register_model(OrgUser, _l("User"), {
        "username": _l("User name"), "first_name": _l("First Name"), "last_name": _l("Last Name"),
        "email": _l("Email"), "active": _l("Is Active?"), "org_id": _l("Organization"), "roles": _l("Role"),
    }, {"roles": {r.code: r.label for r in ROLE_DEFINITIONS}})


_register_audit_labels()


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


class AdminPasswordResetView(ResetPasswordView):
    """The system administrator's reset of another user's password: the rules of admin.py, the id checked
    (an id that is no number was a 500 on PostgreSQL), a change forced at the next login, every session and
    token of that user revoked, an audit entry (never the password)."""

    class_permission_name = "ResetPasswordView"
    message = _l("Password reset; the user must change it at the next login.")

    def _target(self):
        pk = request.args.get("pk", "")
        user = self.appbuilder.sm.get_user_by_id(pk) if pk.isdigit() else None
        if user is None:
            abort(404)
        return user

    def form_get(self, form):
        self._target()

    def form_post(self, form):
        from app.extensions import db

        user = self._target()
        try:
            admin.check_password_reset(g.user, user)
        except Refusal as refusal:
            db.session.rollback()
            flash(refusal.message, "danger")
            return None
        self.appbuilder.sm.set_password(user, form.password.data, by_admin=True)
        flash(str(self.message), "info")
        return None


class OwnPasswordView(ResetMyPasswordView):
    """A user's change of their own password: this session stays, every other copy of it ends."""

    class_permission_name = "ResetMyPasswordView"

    def form_post(self, form):
        user = self.appbuilder.sm.get_user_by_id(g.user.id)
        self.appbuilder.sm.set_password(user, form.password.data, by_admin=False)
        auth.bind_session(user)
        flash(str(self.message), "info")


class GuardedAuthDBView(AuthDBView):
    """The form login with lockout and throttle (auth.py), and logout by POST only (a GET, e.g. an image
    planted in a page, must not log anybody out)."""

    @expose("/login/", methods=["GET", "POST"])
    def login(self):
        g._login_refusal = None
        response = super().login()
        refusal = getattr(g, "_login_refusal", None)
        if refusal:
            session.pop("_flashes", None)  # not "invalid login": say why, without checking the password
            flash(auth.refusal_message(refusal), "danger")
        user = getattr(g, "_authenticated_now", None)
        if user is not None:
            auth.bind_session(user)
        return response

    @expose("/logout/", methods=["POST"])
    def logout(self):
        from app.extensions import db

        user = self._get_authenticated_user()
        if user is not None:
            auth.revoke_sessions(user)
            db.session.commit()
        logout_user()
        session.clear()
        if user is not None:
            self.appbuilder.sm.on_user_logout(user)
        return redirect(self.appbuilder.get_url_for_login)


class GuardedSecurityApi(SecurityApi):
    """The REST login under the same lockout and throttle as the form; no token for a user who must first
    change the password; tokens carry the session generation (load_user_jwt checks it)."""

    @expose("/login", methods=["POST"])
    @safe
    def login(self):
        g._login_refusal = None
        g._authenticated_now = None
        response = super().login()
        refusal = getattr(g, "_login_refusal", None)
        if refusal:
            return self.response(429, message=auth.refusal_message(refusal))
        user = getattr(g, "_authenticated_now", None)
        if user is not None and auth.must_change_password(user):
            return self.response(403, message=str(auth.CHANGE_MESSAGE))
        return response


class ScopedSecurityManager(SecurityManager):
    user_model = OrgUser
    userdbmodelview = OrgUserDBModelView
    rolemodelview = ReadableRoleModelView
    permissionmodelview = ReadablePermissionModelView
    viewmenumodelview = ReadableViewMenuModelView
    permissionviewmodelview = ReadablePermissionViewModelView
    authdbview = GuardedAuthDBView
    resetpasswordview = AdminPasswordResetView
    resetmypasswordview = OwnPasswordView
    security_api = GuardedSecurityApi
    # FAB's user statistics chart loads Google Charts from the internet.
    userstatschartview = None

    def get_user_by_id(self, pk):
        # user, roles and groups in one statement (flask-login loads the user on every request); the id is
        # a number or no user (a string compared with an integer column is an error on PostgreSQL)
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            return None
        if not 0 < pk < 2 ** 31:  # beyond the integer column: no such user (not an overflow error)
            return None
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

    # ---- sessions and tokens: a session or token of an older generation is no session at all ----
    def load_user(self, pk):
        user = super().load_user(pk)
        if user is not None and not auth.session_is_current(user):
            return None
        return user

    def load_user_jwt(self, _jwt_header, jwt_data):
        user = self.get_user_by_id(jwt_data["sub"])
        if user is None or not user.is_active or jwt_data.get("sg") != (user.session_generation or 0):
            return None
        g.user = user
        return user

    def create_jwt_manager(self, app):
        jwt_manager = super().create_jwt_manager(app)

        @jwt_manager.additional_claims_loader
        def _generation(identity):
            user = self.get_user_by_id(identity)
            return {"sg": (user.session_generation or 0) if user is not None else -1}

        return jwt_manager

    # ---- passwords ----
    def set_password(self, user, password, by_admin):
        """Set a password (hashed), revoke the user's sessions, force a change after an administrator's
        reset, audit who did it — never the password."""
        from app.audit import record_event
        from app.extensions import db

        user.password = generate_password_hash(
            password=password, method=current_app.config.get("FAB_PASSWORD_HASH_METHOD", "scrypt"),
            salt_length=current_app.config.get("FAB_PASSWORD_HASH_SALT_LENGTH", 16))
        user.password_changed_on = datetime.datetime.utcnow()
        user.must_change_password = bool(by_admin)
        auth.revoke_sessions(user)
        record_event("password_reset" if by_admin else "password_change", model="OrgUser", object_id=user.id,
                     changes={"target": user.username}, commit=False)
        db.session.commit()

    def reset_password(self, userid, password):
        # FAB's entry point (used by nothing of ours any more): the same as an administrator's reset.
        user = self.get_user_by_id(userid)
        if user is None:
            abort(404)
        self.set_password(user, password, by_admin=True)

    # Logins, failed logins and logouts go to the audit log.
    def on_user_login(self, user):
        from app.audit import record_event

        g._authenticated_now = user
        record_event("login", user=user)

    def on_user_login_failed(self, user):
        from app.audit import record_event

        record_event("login_failed", username=user.username)

    def on_user_logout(self, user):
        from app.audit import record_event

        record_event("logout", user=user)

    def auth_user_db(self, username, password):
        """FAB's check, behind the lockout and the address throttle (the same for the form and the REST
        login). A refused attempt is not checked at all and is recorded summarised, so guessing can neither
        go on nor flood the log."""
        from app.audit import record_event, record_summarised

        if not username:
            return None
        refusal = auth.login_refusal(username)
        if refusal:
            if has_request_context():
                g._login_refusal = refusal
            who = f"addr:{request.remote_addr}" if refusal == "address" else f"user:{username.lower()[:128]}"
            record_summarised("login_throttled", who, {"target": username[:128]}, username=username[:128])
            return None
        user = super().auth_user_db(username, password)
        if user is not None:
            auth.note_success(username)
            return user
        known = self.find_user(username=username)
        if known is None or not known.is_active:
            # Unknown or deactivated usernames are failed logins too; FAB records neither.
            record_event("login_failed", username=username[:128])
        if auth.note_failure(username):
            record_event("account_locked", username=username[:128], changes={"target": username[:128]})
        return None
