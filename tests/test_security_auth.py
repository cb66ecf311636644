"""Authentication controls (issue 11 §3, §5): lockout on the form and the REST login alike, counted in shared
storage (database and Redis), an address throttle that only failures feed, trusted proxies, password
complexity and expiry, idle timeout, logout by POST, sessions and tokens revoked."""
import datetime
import time

import jwt
import pytest
from flask import Flask, request
from sqlalchemy import func, select, text

from app.audit.models import AuditLog
from app.extensions import db
from app.security import auth
from app.security.counters import DatabaseCounters, RedisCounters, counters
from tests.conftest import PASSWORD, csrf_token, login, logout, session_csrf

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture(params=["database", "redis"])
def store(app, request):
    """Each test of this kind runs on both backends; counters start and end empty."""
    app.config["REDIS_URL"] = REDIS if request.param == "redis" else ""
    with app.app_context():
        counters().clear()
    yield request.param
    with app.app_context():
        counters().clear()
    app.config["REDIS_URL"] = ""


def _form_login(client, username, password):
    token = csrf_token(client)
    return client.post("/login/", data={"username": username, "password": password, "csrf_token": token},
                       follow_redirects=True)


def _api_login(client, username, password, refresh=False):
    return client.post("/api/v1/security/login", json={"username": username, "password": password,
                                                       "provider": "db", "refresh": refresh})


def _logged_in(client):
    with client.session_transaction() as sess:
        return "_user_id" in sess


def _audit_count(app, since, **where):
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(AuditLog).where(AuditLog.id > since)
                              .filter_by(**where))
        db.session.remove()
        return n


def _top_audit_id(app):
    with app.app_context():
        n = db.session.scalar(select(func.max(AuditLog.id))) or 0
        db.session.remove()
        return n


def _message(app, message, **kw):
    from flask_babel import force_locale, gettext
    from markupsafe import escape

    with app.test_request_context(), force_locale("zh"):
        return str(escape(gettext(str(message), **kw)))


# ---- the shared counters ----------------------------------------------------------------------------------

def test_counters_count_per_key_and_reset(app, store):
    with app.app_context():
        c = counters()
        assert isinstance(c, RedisCounters if store == "redis" else DatabaseCounters)
        assert [c.incr("t:a", 60) for _ in range(3)] == [1, 2, 3]
        assert c.incr("t:b", 60) == 1
        assert c.get("t:a") == 3 and c.get("t:none") == 0
        c.reset("t:a")
        assert c.get("t:a") == 0 and c.get("t:b") == 1
        db.session.remove()


def test_a_database_counter_starts_again_when_its_window_ended(app):
    with app.app_context():
        c = DatabaseCounters()
        c.clear()
        c.incr("t:w", 60)
        c.incr("t:w", 60)
        db.session.execute(text("UPDATE security_counter SET expires_at = :t WHERE key = 't:w'"),
                           {"t": datetime.datetime.utcnow() - datetime.timedelta(seconds=1)})
        db.session.commit()
        assert c.get("t:w") == 0
        assert c.incr("t:w", 60) == 1
        c.clear()
        db.session.remove()


# ---- lockout and throttle -------------------------------------------------------------------------------

def test_an_account_locks_after_n_failures_on_the_form_and_the_api_alike(app, store):
    since = _top_audit_id(app)
    c = app.test_client()
    for _ in range(3):
        _form_login(c, "finance", "wrong-password")
    for _ in range(2):
        assert _api_login(c, "finance", "wrong-password").status_code == 401
    # locked: the right password opens neither door
    page = _form_login(c, "finance", PASSWORD).get_data(as_text=True)
    assert not _logged_in(c)
    assert _message(app, auth.LOCKED_MESSAGE, minutes=15) in page
    r = _api_login(app.test_client(), "finance", PASSWORD)
    assert r.status_code == 429 and "access_token" not in r.get_json()
    assert _audit_count(app, since, action="account_locked", username="finance") == 1
    # another account from the same address is not affected
    assert _logged_in(login(app.test_client(), "housing"))
    # an unknown name locks the same way (the answers tell nothing about which names exist)
    for _ in range(5):
        _api_login(c, "nobody-here", "x")
    assert _api_login(c, "nobody-here", "x").status_code == 429
    # when the window ends the account opens again
    with app.app_context():
        counters().reset("login:user:finance")
        db.session.remove()
    assert _api_login(app.test_client(), "finance", PASSWORD).status_code == 200


def test_guessing_a_locked_account_is_not_checked_and_cannot_flood_the_log(app, store):
    since = _top_audit_id(app)
    c = app.test_client()
    for _ in range(30):
        _api_login(c, "health", "guess")
    assert _audit_count(app, since, action="login_failed", username="health") == 5
    assert _audit_count(app, since, action="login_throttled", username="health") == 2  # the 1st and the 10th


def test_the_address_throttle_counts_failures_only(app, store):
    app.config["AUTH_ADDRESS_MAX_FAILURES"] = 4
    try:
        for _ in range(6):  # a busy office: successful logins never count
            assert _logged_in(login(app.test_client(), "county1"))
        for name in ("typo1", "typo2", "typo3", "typo4"):
            _api_login(app.test_client(), name, "x")
        c = app.test_client()
        page = _form_login(c, "county1", PASSWORD).get_data(as_text=True)
        assert not _logged_in(c)
        assert _message(app, auth.THROTTLED_MESSAGE, minutes=15) in page
        assert _api_login(app.test_client(), "county1", PASSWORD).status_code == 429
    finally:
        app.config["AUTH_ADDRESS_MAX_FAILURES"] = 100


def test_the_client_address_comes_from_the_configured_number_of_proxies():
    for proxies, expected in ((0, "10.0.0.9"), (1, "203.0.113.7"), (2, "198.51.100.1")):
        tiny = Flask("tiny")
        tiny.config.update(TRUSTED_PROXIES=proxies, SESSION_IDLE_MINUTES=30)
        auth.trust_proxies(tiny)
        tiny.add_url_rule("/ip", "ip", lambda: request.remote_addr)
        r = tiny.test_client().get("/ip", headers={"X-Forwarded-For": "198.51.100.1, 203.0.113.7"},
                                   environ_base={"REMOTE_ADDR": "10.0.0.9"})
        assert r.get_data(as_text=True) == expected


# ---- passwords ----------------------------------------------------------------------------------------------

def test_password_complexity_is_enforced_on_change(app):
    c = login(app.test_client(), "medins")
    for weak in ("Ab1-", "alllowercase-only", "abcdefghij1234"):
        page = c.post("/resetmypassword/form", data={"password": weak, "conf_password": weak,
                                                     "csrf_token": session_csrf(c)}).get_data(as_text=True)
        assert "has-error" in page or "help-block" in page
        assert _logged_in(login(app.test_client(), "medins"))  # the old password still holds
    with app.app_context():
        assert auth.password_problem("Abcdefgh-12") is None
        assert auth.password_problem("abcdefgh12") is not None  # two kinds only
        assert auth.password_problem("Ab-1") is not None  # too short


def test_an_expired_password_must_be_changed_first(app):
    with app.app_context():
        db.session.execute(text("UPDATE ab_user SET password_changed_on = :t WHERE username = 'archives'"),
                           {"t": datetime.datetime.utcnow() - datetime.timedelta(days=91)})
        db.session.commit()
        db.session.remove()
    try:
        c = login(app.test_client(), "archives")
        r = c.get("/retirees/list/")
        assert r.status_code == 302 and "/resetmypassword/form" in r.headers["Location"]
        r = _api_login(app.test_client(), "archives", PASSWORD)
        assert r.status_code == 403 and "access_token" not in r.get_json()
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE ab_user SET password_changed_on = :t WHERE username = 'archives'"),
                               {"t": datetime.datetime.utcnow()})
            db.session.commit()
            db.session.remove()


# ---- sessions ----------------------------------------------------------------------------------------------

def test_an_idle_session_ends(app):
    c = login(app.test_client(), "supervision")
    assert c.get("/retirees/list/").status_code == 200
    with c.session_transaction() as sess:
        sess[auth.LAST_SEEN] = int(time.time()) - 31 * 60
    r = c.get("/retirees/list/")
    assert r.status_code == 302 and "/login/" in r.headers["Location"]
    assert not _logged_in(c)


def test_logout_is_a_post_with_the_csrf_token(app):
    c = login(app.test_client(), "leader")
    page = c.get("/").get_data(as_text=True)
    assert 'method="post" action="/logout/"' in page and 'name="csrf_token"' in page
    assert c.get("/logout/").status_code == 405
    assert c.get("/retirees/list/").status_code == 200  # a GET logged nobody out
    assert c.post("/logout/", data={}).status_code == 400  # nor a POST without the token
    assert c.get("/retirees/list/").status_code == 200
    logout(c)
    assert c.get("/retirees/list/").status_code == 302


def _copy(app, client):
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def test_a_copied_cookie_dies_at_logout(app):
    c = login(app.test_client(), "township1")
    copy = _copy(app, c)
    assert copy.get("/retirees/list/").status_code == 200
    logout(c)
    assert copy.get("/retirees/list/").status_code == 302


def test_a_copied_cookie_dies_at_a_password_change_but_the_changing_session_stays(app):
    c = login(app.test_client(), "community1")
    copy = _copy(app, c)
    c.post("/resetmypassword/form", data={"password": "Another-Pass-2021", "conf_password": "Another-Pass-2021",
                                           "csrf_token": session_csrf(c)})
    assert c.get("/retirees/list/").status_code == 200
    assert copy.get("/retirees/list/").status_code == 302
    c.post("/resetmypassword/form", data={"password": PASSWORD, "conf_password": PASSWORD,
                                           "csrf_token": session_csrf(c)})


def test_a_copied_cookie_dies_when_the_account_is_deactivated(app):
    from tests.test_security_admin import _edit

    c = login(app.test_client(), "enterprise2")
    copy = _copy(app, c)
    admin = login(app.test_client(), "sysadmin")
    _edit(admin, app, "enterprise2", active=False)
    try:
        assert copy.get("/retirees/list/").status_code == 302
        assert c.get("/retirees/list/").status_code == 302
    finally:
        _edit(admin, app, "enterprise2", active=True)
    assert _logged_in(login(app.test_client(), "enterprise2"))


# ---- API tokens ----------------------------------------------------------------------------------------------

def test_tokens_are_short_and_revoked_by_a_password_change(app):
    r = _api_login(app.test_client(), "orgdept", PASSWORD, refresh=True)
    assert r.status_code == 200
    access, refresh = r.get_json()["access_token"], r.get_json()["refresh_token"]
    claims = jwt.decode(access, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == app.config["JWT_ACCESS_TOKEN_EXPIRES"].total_seconds() == 15 * 60
    claims = jwt.decode(refresh, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == app.config["JWT_REFRESH_TOKEN_EXPIRES"].total_seconds() == 8 * 3600
    api = app.test_client()
    assert api.get("/api/v1/retiree/", headers={"Authorization": f"Bearer {access}"}).status_code == 200
    assert api.post("/api/v1/security/refresh", headers={"Authorization": f"Bearer {refresh}"}).status_code == 200
    c = login(app.test_client(), "orgdept")
    c.post("/resetmypassword/form", data={"password": "Another-Pass-2021", "conf_password": "Another-Pass-2021",
                                           "csrf_token": session_csrf(c)})
    c.post("/resetmypassword/form", data={"password": PASSWORD, "conf_password": PASSWORD,
                                           "csrf_token": session_csrf(c)})
    assert api.get("/api/v1/retiree/", headers={"Authorization": f"Bearer {access}"}).status_code == 401
    assert api.post("/api/v1/security/refresh", headers={"Authorization": f"Bearer {refresh}"}).status_code == 401
