"""State that several application servers share: in Redis when REDIS_URL is set, in this process (or on
this disk) otherwise — the one-machine default.

What lives here:
- the handover figures cache (app/handover/stats.py): results keyed by the data version they were computed
  from, so a change through any server is seen by every server at once, and a result one server computed is
  reused by the others;
- roster import previews waiting for their commit (app/roster/views.py): the file uploaded for the preview,
  read again by the commit request, which may reach another server.
The login counters (app/security/counters.py) use the same REDIS_URL.

Every key starts with REDIS_PREFIX (default "shannan:"), so several installations or a test can share one
Redis. A Redis that does not answer never breaks a page: the cache falls back to computing, and /health
reports it.
"""
import json
import logging
import os
import time

from flask import current_app

log = logging.getLogger(__name__)


def redis_client(app=None):
    """The application's Redis client, or None when REDIS_URL is not set."""
    app = app or current_app._get_current_object()
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    cached = app.extensions.get("shannan_redis")
    if cached is None or cached[0] != url:
        import redis

        cached = (url, redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2))
        app.extensions["shannan_redis"] = cached
    return cached[1]


def key(*parts):
    return current_app.config.get("REDIS_PREFIX", "shannan:") + ":".join(str(p) for p in parts)


def get_json(*parts):
    client = redis_client()
    if client is None:
        return None
    try:
        raw = client.get(key(*parts))
    except Exception as error:  # noqa: BLE001 — a cache miss, never a broken page
        log.warning("redis get failed: %s", error)
        return None
    return None if raw is None else json.loads(raw)


def set_json(value, *parts, ttl=3600):
    client = redis_client()
    if client is None:
        return False
    try:
        client.set(key(*parts), json.dumps(value, separators=(",", ":")), ex=ttl)
        return True
    except Exception as error:  # noqa: BLE001
        log.warning("redis set failed: %s", error)
        return False


# -- files waiting for a second request (roster import previews) ------------------------------------------

PENDING_MAX_AGE = 24 * 3600


def _pending_dir():
    path = os.path.join(current_app.config["UPLOAD_FOLDER"], "imports")
    os.makedirs(path, exist_ok=True)
    now = time.time()
    for name in os.listdir(path):  # forget abandoned previews
        full = os.path.join(path, name)
        if now - os.path.getmtime(full) > PENDING_MAX_AGE:
            os.remove(full)
    return path


def _check_token(token):
    if not token or len(token) != 32 or not all(c in "0123456789abcdef" for c in token):
        raise ValueError("bad token")


def put_pending(token, data):
    _check_token(token)
    client = redis_client()
    if client is not None:
        client.set(key("pending", token), data, ex=PENDING_MAX_AGE)
        return
    with open(os.path.join(_pending_dir(), token), "wb") as fh:
        fh.write(data)


def get_pending(token):
    _check_token(token)
    client = redis_client()
    if client is not None:
        return client.get(key("pending", token))
    path = os.path.join(_pending_dir(), token)
    if not os.path.exists(path):
        return None
    with open(path, "rb") as fh:
        return fh.read()


def drop_pending(token):
    _check_token(token)
    client = redis_client()
    if client is not None:
        client.delete(key("pending", token))
        return
    try:
        os.remove(os.path.join(_pending_dir(), token))
    except FileNotFoundError:
        pass


def check_redis():
    """None when Redis is not configured, True when it answers; raises otherwise."""
    client = redis_client()
    if client is None:
        return None
    return bool(client.ping())
