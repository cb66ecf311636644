"""Authentication controls (等保 2.0 level 3, issue 11 §3 and §5), shared by the form login and the REST login.

- Account lockout: AUTH_LOCKOUT_ATTEMPTS failures within AUTH_LOCKOUT_MINUTES lock the account name (known or
  not, so the answer tells nothing) until that window ends; counted in the shared counters (counters.py).
- Address throttle: AUTH_ADDRESS_MAX_FAILURES failed logins from one address within AUTH_ADDRESS_WINDOW_MINUTES
  refuse further logins from it; successful logins do not count, so an office behind one NAT is not locked out
  by a colleague's typos.
- The client address is taken from TRUSTED_PROXIES proxies (werkzeug ProxyFix; 0 = the socket's address).
- Passwords: PASSWORD_MIN_LENGTH characters of PASSWORD_MIN_CLASSES classes (lower, upper, digit, other);
  PASSWORD_MAX_AGE_DAYS after which a change is forced (0 = never); an administrator's reset forces one too.
- Sessions: SESSION_IDLE_MINUTES of inactivity end a session; a per-user session generation, stored on the user,
  in the session and in API tokens, is bumped at logout, password change and deactivation, which revokes every
  copy of the cookie and every token issued before.
"""
import datetime
import time

from flask import current_app, flash, g, has_request_context, redirect, request, session, url_for
from flask_babel import gettext, lazy_gettext as _l

SESSION_GENERATION = "_sg"
LAST_SEEN = "_seen"

LOCKED_MESSAGE = _l("Too many failed logins for this account. Try again in %(minutes)s minutes.")
THROTTLED_MESSAGE = _l("Too many failed logins from this address. Try again in %(minutes)s minutes.")
CHANGE_MESSAGE = _l("Please set a new password before you continue.")
EXPIRED_MESSAGE = _l("Your password has expired. Please set a new password before you continue.")
IDLE_MESSAGE = _l("You were logged out after a period of inactivity.")


def _cfg(name):
    return current_app.config[name]


# ---- lockout and throttle -------------------------------------------------------------------------------

def _account_key(username):
    return f"login:user:{(username or '').strip().lower()[:128]}"


def _address_key():
    return f"login:addr:{request.remote_addr}"


def login_refusal(username):
    """'address' or 'locked' when this login must be refused before the password is even checked."""
    from app.security.counters import counters

    store = counters()
    if store.get(_address_key()) >= _cfg("AUTH_ADDRESS_MAX_FAILURES"):
        return "address"
    if store.get(_account_key(username)) >= _cfg("AUTH_LOCKOUT_ATTEMPTS"):
        return "locked"
    return None


def note_failure(username):
    """Count a failed login for the account name and the address; returns True when this one locked it."""
    from app.security.counters import counters

    store = counters()
    store.incr(_address_key(), _cfg("AUTH_ADDRESS_WINDOW_MINUTES") * 60)
    return store.incr(_account_key(username), _cfg("AUTH_LOCKOUT_MINUTES") * 60) == _cfg("AUTH_LOCKOUT_ATTEMPTS")


def note_success(username):
    from app.security.counters import counters

    counters().reset(_account_key(username))


def refusal_message(refusal):
    if refusal == "address":
        return gettext(THROTTLED_MESSAGE, minutes=_cfg("AUTH_ADDRESS_WINDOW_MINUTES"))
    return gettext(LOCKED_MESSAGE, minutes=_cfg("AUTH_LOCKOUT_MINUTES"))


# ---- passwords --------------------------------------------------------------------------------------------

def password_problem(password):
    """None when the password meets the configured complexity, else the reason (translated)."""
    password = password or ""
    classes = sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                   any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))
    if len(password) < _cfg("PASSWORD_MIN_LENGTH") or classes < _cfg("PASSWORD_MIN_CLASSES"):
        return gettext("A password needs at least %(length)s characters and %(classes)s of these four kinds: "
                       "lower-case letters, capital letters, digits, other characters.",
                       length=_cfg("PASSWORD_MIN_LENGTH"), classes=_cfg("PASSWORD_MIN_CLASSES"))
    return None


def complexity_validator(password):
    """FAB_PASSWORD_COMPLEXITY_VALIDATOR: FAB's forms (add user, reset password) call it."""
    from flask_appbuilder.exceptions import PasswordComplexityValidationError

    problem = password_problem(password)
    if problem:
        raise PasswordComplexityValidationError(problem)


def password_expired(user):
    days = _cfg("PASSWORD_MAX_AGE_DAYS")
    if not days:
        return False
    changed = user.password_changed_on
    return changed is None or changed + datetime.timedelta(days=days) < datetime.datetime.utcnow()


def must_change_password(user):
    return bool(user.must_change_password) or password_expired(user)


# ---- sessions ---------------------------------------------------------------------------------------------

def bind_session(user):
    """After a login or one's own password change: this session carries the user's current generation."""
    session[SESSION_GENERATION] = user.session_generation or 0
    session[LAST_SEEN] = int(time.time())


def session_is_current(user):
    return has_request_context() and session.get(SESSION_GENERATION) == (user.session_generation or 0)


def revoke_sessions(user):
    """Every session and token of this user stops working (the caller commits)."""
    user.session_generation = (user.session_generation or 0) + 1


OPEN_ENDPOINTS = {"static", "appbuilder.static", "AuthDBView.login", "AuthDBView.logout",
                  "ResetMyPasswordView.this_form_get", "ResetMyPasswordView.this_form_post",
                  "GuardedAuthDBView.login", "GuardedAuthDBView.logout",
                  "OwnPasswordView.this_form_get", "OwnPasswordView.this_form_post",
                  "LocaleView.index", "SecurityApi.login", "GuardedSecurityApi.login"}


def before_request():
    """Idle timeout, then a forced password change, for every request of a logged-in browser session."""
    from flask_login import current_user, logout_user

    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    seen = session.get(LAST_SEEN)
    if seen is not None and now - seen > _cfg("SESSION_IDLE_MINUTES") * 60:
        logout_user()
        session.clear()
        g.user = current_user
        if request.path.startswith("/api/"):
            return {"message": str(IDLE_MESSAGE)}, 401
        flash(str(IDLE_MESSAGE), "warning")
        return redirect(url_for("GuardedAuthDBView.login"))
    if seen is None or now - seen >= 30:
        session[LAST_SEEN] = now
    if request.endpoint in OPEN_ENDPOINTS or not must_change_password(current_user):
        return None
    message = CHANGE_MESSAGE if current_user.must_change_password else EXPIRED_MESSAGE
    if request.path.startswith("/api/"):
        return {"message": str(message)}, 403
    flash(str(message), "warning")
    return redirect(url_for("OwnPasswordView.this_form_get"))


def trust_proxies(app):
    """Believe X-Forwarded-For (and -Proto) from TRUSTED_PROXIES reverse proxies, no more: with 0 a client
    cannot pick the address its failed logins are counted under."""
    proxies = app.config.get("TRUSTED_PROXIES", 0)
    if proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)


def init_app(app):
    trust_proxies(app)
    app.before_request(before_request)
