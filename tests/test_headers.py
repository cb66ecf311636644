"""Response headers and the REST CSRF rule (issue 11, "Headers"; app/security/headers.py)."""
import threading
import urllib.request

import pytest

from tests.conftest import login

PERSONAL = ["/retirees/list/", "/api/v1/retiree/", "/retirees/export.xlsx", "/", "/retirees/show/1",
            "/login/", "/api/v1/retiree/_info"]


@pytest.mark.parametrize("url", PERSONAL)
def test_pages_api_and_exports_are_not_framed_cached_or_referred(app, as_user, url):
    r = as_user("sasac").get(url)
    assert r.status_code < 500
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
    assert r.headers["Referrer-Policy"] == "same-origin"
    assert "no-store" in r.headers["Cache-Control"]
    assert "Strict-Transport-Security" not in r.headers  # TLS is off in tests


def test_static_files_may_be_cached(app, client):
    r = client.get("/static/css/app.css")
    assert r.status_code == 200
    assert "no-store" not in r.headers.get("Cache-Control", "")
    assert r.headers["X-Frame-Options"] == "DENY"


def test_tls_setting_turns_on_hsts_and_secure_cookies(app):
    from app.security.headers import apply_tls

    app.config["TLS_ENABLED"] = True
    apply_tls(app)
    try:
        c = app.test_client()
        r = c.get("/login/")
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")
        cookies = [v for k, v in r.headers.items() if k == "Set-Cookie"]
        assert cookies and all("Secure" in v for v in cookies), cookies
    finally:
        app.config["TLS_ENABLED"] = False
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False


def test_development_server_shows_no_version(app):
    from werkzeug.serving import make_server

    from app.security.headers import QuietRequestHandler

    server = make_server("127.0.0.1", 0, app, request_handler=QuietRequestHandler)
    thread = threading.Thread(target=server.handle_request, daemon=True)
    thread.start()
    with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/login/") as response:
        banner = response.headers.get_all("Server")
    thread.join(10)
    server.server_close()
    assert banner == ["shannan"]


def _own_retiree(app):
    from app.extensions import db
    from app.org.models import Organization
    from app.retirees.models import Retiree

    from app.handover.models import HandoverCase

    with app.app_context():
        # one the enterprise still owns: in no batch yet (a submitted one is locked for the enterprise)
        pk = db.session.query(Retiree.id).join(Organization, Retiree.enterprise_id == Organization.id).join(
            HandoverCase, HandoverCase.retiree_id == Retiree.id).filter(
            Organization.code == "E-S02", HandoverCase.batch_id.is_(None)).order_by(Retiree.id.desc()).first()[0]
        db.session.remove()
    return pk


@pytest.fixture(autouse=True)
def _keep_notes(app):
    """The writes below change one retiree's note: put it back for the tests that follow."""
    from app.extensions import db
    from app.retirees.models import Retiree

    pk = _own_retiree(app)
    with app.app_context():
        note = db.session.get(Retiree, pk).note
        db.session.remove()
    yield
    with app.app_context():
        db.session.get(Retiree, pk).note = note
        db.session.commit()
        db.session.remove()


def test_session_rest_write_needs_the_csrf_header(app):
    from app.extensions import db
    from app.retirees.models import Retiree

    pk = _own_retiree(app)
    c = login(app.test_client(), "enterprise1")
    c.send_api_csrf = False
    r = c.put(f"/api/v1/retiree/{pk}", json={"note": "跨站写入"})
    assert r.status_code == 400
    with app.app_context():
        assert db.session.get(Retiree, pk).note != "跨站写入"
        db.session.remove()
    c.send_api_csrf = True
    r = c.put(f"/api/v1/retiree/{pk}", json={"note": "同源写入"})
    assert r.status_code == 200, r.get_data(as_text=True)


def test_jwt_rest_write_needs_no_csrf_header(app):
    from flask_jwt_extended import create_access_token

    pk = _own_retiree(app)
    with app.app_context():
        user = app.appbuilder.sm.find_user(username="enterprise1")
        token = create_access_token(identity=str(user.id), fresh=True)
    c = app.test_client()
    c.send_api_csrf = False
    r = c.put(f"/api/v1/retiree/{pk}", json={"note": "令牌写入"}, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.get_data(as_text=True)
