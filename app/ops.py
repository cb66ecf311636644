"""Operations: the health endpoint, one log line per request, the reverse proxy's headers.

- `GET /health` (no login): JSON `{"status", "database", "redis", "storage"}`, 200 when every configured
  service answers, 503 otherwise. It names no user and no record — a load balancer or monitor may poll it.
- Every request writes one line to the `shannan.request` logger: method, path (no query string: it may
  carry names or ID numbers), status, milliseconds, user id (or `-`).
- Behind a reverse proxy, TRUSTED_PROXIES=N is applied by app/security/auth.py (ProxyFix).
"""
import logging
import time

from flask import g, jsonify, request
from sqlalchemy import text

request_log = logging.getLogger("shannan.request")


def health():
    from app import shared
    from app.extensions import db
    from app.storage import storage

    result, ok = {}, True
    try:
        db.session.execute(text("SELECT 1"))
        result["database"] = "ok"
    except Exception:  # noqa: BLE001 — reported, not raised
        result["database"], ok = "error", False
    finally:
        db.session.remove()
    try:
        answered = shared.check_redis()
        result["redis"] = "not configured" if answered is None else "ok"
    except Exception:  # noqa: BLE001
        result["redis"], ok = "error", False
    try:
        backend = storage()
        backend.check()
        result["storage"] = backend.kind
    except Exception:  # noqa: BLE001
        result["storage"], ok = "error", False
    result["status"] = "ok" if ok else "error"
    response = jsonify(result)
    response.status_code = 200 if ok else 503
    response.headers["Cache-Control"] = "no-store"
    return response


def _start_timer():
    g._request_started = time.perf_counter()


def _log_request(response):
    started = g.pop("_request_started", None)
    if started is not None and request_log.isEnabledFor(logging.INFO):
        user = getattr(g, "user", None)
        user_id = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
        request_log.info("%s %s %s %.1fms user=%s", request.method, request.path, response.status_code,
                         (time.perf_counter() - started) * 1000, user_id if user_id is not None else "-")
    return response


def init_app(app):
    app.add_url_rule("/health", "health", health, methods=["GET"])
    from app.extensions import csrf

    csrf.exempt(health)
    app.before_request(_start_timer)
    app.after_request(_log_request)
    # TRUSTED_PROXIES (the reverse proxies' X-Forwarded-For/-Proto) is applied by app/security/auth.py
