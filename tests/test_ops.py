"""Operations: /health answers without login and without personal data, and says which service fails; one
log line per request; the figures cache shared through Redis (skipped when no Redis answers on
127.0.0.1:6379)."""
import logging
import socket
import uuid

import pytest

REDIS_URL = "redis://127.0.0.1:6379/13"  # a database number of its own; keys under a per-run prefix


def _redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not _redis_answers(), reason="no Redis on 127.0.0.1:6379")


@pytest.fixture
def with_redis(app):
    import redis

    prefix = f"shannan-test-{uuid.uuid4().hex[:8]}:"
    saved = app.config["REDIS_URL"], app.config["REDIS_PREFIX"]
    app.config.update(REDIS_URL=REDIS_URL, REDIS_PREFIX=prefix)
    client = redis.Redis.from_url(REDIS_URL)
    yield client, prefix
    for key in client.scan_iter(f"{prefix}*"):
        client.delete(key)
    app.config["REDIS_URL"], app.config["REDIS_PREFIX"] = saved


def test_health_needs_no_login_and_names_no_one(app, client):
    response = client.get("/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body == {"status": "ok", "database": "ok", "redis": "not configured", "storage": "local"}
    assert response.headers["Cache-Control"] == "no-store"


def test_health_reports_a_redis_that_does_not_answer(app, client):
    saved = app.config["REDIS_URL"]
    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get("/health")
    finally:
        app.config["REDIS_URL"] = saved
    assert response.status_code == 503
    assert response.get_json()["redis"] == "error" and response.get_json()["status"] == "error"


@needs_redis
def test_health_checks_redis_when_configured(app, client, with_redis):
    assert client.get("/health").get_json()["redis"] == "ok"


def test_one_log_line_per_request(app, as_user, caplog):
    from sqlalchemy import select

    from app.extensions import db
    from app.retirees.models import Retiree  # noqa: F401

    c = as_user("county1")
    with app.app_context():
        from flask_appbuilder.security.sqla.models import User

        user_id = db.session.scalar(select(User.id).where(User.username == "county1"))
        db.session.remove()
    logger = logging.getLogger("shannan.request")
    with caplog.at_level(logging.INFO, logger="shannan.request"):
        assert c.get("/retirees/list/?_flt_2_name_zh=次仁").status_code == 200
        assert c.get("/no-such-page").status_code == 404
    lines = [r.getMessage() for r in caplog.records if r.name == logger.name]
    assert len(lines) == 2, lines
    method, path, status, ms, user = lines[0].split(" ")
    assert (method, path, status, user) == ("GET", "/retirees/list/", "200", f"user={user_id}")
    assert ms.endswith("ms") and float(ms[:-2]) >= 0
    assert "次仁" not in lines[0]  # the query string (names, ID numbers) is not logged
    assert lines[1].startswith("GET /no-such-page 404 ")


@needs_redis
def test_figures_are_shared_through_redis(app, with_redis):
    """A result another server put in Redis for the current data version is used as is; a change of the
    data (a new version) is computed afresh, never served stale."""
    import json

    from app.extensions import db
    from app.handover import stats
    from app.security.scope import as_system

    client, prefix = with_redis
    with app.app_context(), as_system("测试"):
        stats.forget_cached_figures()
        computed = stats.grouped_counts()
        keys = [k.decode() for k in client.scan_iter(f"{prefix}figures:*")]
        assert len(keys) == 1
        assert json.loads(client.get(keys[0])) == json.loads(json.dumps(computed))
        # as if another server had computed it: this process takes it from Redis
        client.set(keys[0], json.dumps([[None, None, None, "handed_over", 7, {}]]))
        stats.forget_cached_figures()
        assert stats.grouped_counts() == [(None, None, None, "handed_over", 7, {})]
        # a change through any server gives a new version: computed, not the stale entry
        from app.audit.models import AuditLog
        from app import clock

        row = AuditLog(at=clock.utcnow(), action="update", model="Test", object_id="1")
        db.session.add(row)
        db.session.commit()
        try:
            stats.forget_cached_figures()
            assert stats.grouped_counts() == stats._grouped_counts()
            assert len(list(client.scan_iter(f"{prefix}figures:*"))) == 2
        finally:
            db.session.delete(row)
            db.session.commit()
            stats.forget_cached_figures()
        db.session.remove()
