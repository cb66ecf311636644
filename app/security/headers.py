"""Response headers and the CSRF rule for the REST API (issue 11, "Headers"), in one place.

- Every answer but a static file: no framing (`X-Frame-Options: DENY`, CSP `frame-ancestors 'none'`),
  `Referrer-Policy: same-origin`, `X-Content-Type-Options: nosniff`, and `Cache-Control: no-store` — pages,
  API answers, exports and PDFs carry personal data that must not stay in a shared PC's cache.
- With `TLS_ENABLED` (the site is served over HTTPS): HSTS, and the session and remember-me cookies Secure.
- No server version: the development server answers `Server: shannan` (`QuietRequestHandler`); gunicorn sends
  its name only.
- A REST write (POST/PUT/PATCH/DELETE under /api/) that a browser session authenticates must carry the session's
  CSRF token in `X-CSRFToken`: FAB exempts its API blueprints from Flask-WTF's check, so a cross-site form could
  otherwise write with the user's cookie. A call with `Authorization: Bearer` (JWT) needs no token.
"""
from flask import request, session
from werkzeug.serving import WSGIRequestHandler

from app.extensions import csrf

STATIC_PREFIXES = ("/static/",)
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
HSTS = "max-age=31536000; includeSubDomains"


def _is_static():
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static") or request.path.startswith(STATIC_PREFIXES)


def security_headers(response):
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not _is_static():
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        response.expires = None
    from flask import current_app

    if current_app.config.get("TLS_ENABLED"):
        response.headers["Strict-Transport-Security"] = HSTS
    return response


def api_csrf():
    """Session-authenticated REST writes need the CSRF header; bearer-token calls do not."""
    if request.method not in WRITE_METHODS or not request.path.startswith("/api/"):
        return None
    if request.headers.get("Authorization", "").lower().startswith("bearer "):
        return None
    if "_user_id" not in session:
        return None  # not logged in by cookie: FAB's protect() answers 401
    csrf.protect()  # raises CSRFError (400) unless X-CSRFToken holds the session's token
    return None


class QuietRequestHandler(WSGIRequestHandler):
    """The development server without its version banner (`python app.py`, the browser tests)."""

    def version_string(self):
        return "shannan"


def apply_tls(app):
    if app.config.get("TLS_ENABLED"):
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def init_app(app):
    apply_tls(app)
    app.before_request(api_csrf)
    app.after_request(security_headers)
