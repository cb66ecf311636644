"""Two application servers (gunicorn, separate processes) on one PostgreSQL database, one Redis and one
S3-compatible file store (a local moto server): what is done through one is seen through the other at once —
the dashboard's figures, stored files. Runs when the suite runs on PostgreSQL (DATABASE_URL, as .ci/run does)
and Redis answers on 127.0.0.1:6379; skipped on SQLite (one file, one machine) or without Redis.

The login lockout across servers belongs to the login counters of app/security/counters.py; it is checked
here only when that module exists."""
import datetime
import hashlib
import os
import re
import socket
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.plans.demo import minimal_pdf
from app.retirees import idcard
from tests.instances import S3Server, Server, csrf_of, flask, web_login

DB_URL = os.environ.get("DATABASE_URL", "")
PASSWORD = "Two-Servers-2020"
REDIS_URL = "redis://127.0.0.1:6379/13"


def _redis_answers():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.skipif(not DB_URL.startswith("postgresql"), reason="needs PostgreSQL (DATABASE_URL)"),
    pytest.mark.skipif(not _redis_answers(), reason="needs Redis on 127.0.0.1:6379"),
]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    import redis

    work = tmp_path_factory.mktemp("two")
    url = make_url(DB_URL)
    name = f"{url.database}_two"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    db_url = url.set(database=name).render_as_string(hide_password=False)
    s3 = S3Server(work)
    prefix = f"shannan-two-{uuid.uuid4().hex[:8]}:"
    settings = dict(DATABASE_URL=db_url, REDIS_URL=REDIS_URL, REDIS_PREFIX=prefix, DEMO_PASSWORD=PASSWORD,
                    **s3.settings(prefix="files/"))
    for args in (("db", "upgrade"), ("sync-roles",), ("seed-demo",)):
        done = flask(work, *args, **settings)
        assert done.returncode == 0, done.stderr[-2000:]
    servers = []
    try:
        for label in ("a", "b"):
            (work / label).mkdir()
            servers.append(Server(work / label, **settings))
        yield {"a": servers[0], "b": servers[1], "db": db_url, "s3": s3, "prefix": prefix,
               "redis": redis.Redis.from_url(REDIS_URL)}
    finally:
        for server in servers:
            server.stop()
        s3.stop()
        client = redis.Redis.from_url(REDIS_URL)
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _figure(session, base, key):
    page = session.get(f"{base}/", timeout=30).text
    return int(re.search(rf'id="fig-{key}"[^>]*>(\d+)<', page).group(1))


def _count(db_url, sql):
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.scalar(text(sql))
    finally:
        engine.dispose()


def test_both_servers_are_healthy_on_the_shared_services(cluster):
    import requests

    for server in (cluster["a"], cluster["b"]):
        body = requests.get(f"{server.url}/health", timeout=30).json()
        assert body == {"status": "ok", "database": "ok", "redis": "ok", "storage": "s3"}


def test_a_change_through_one_server_shows_on_the_others_dashboard_at_once(cluster):
    a, b, db_url = cluster["a"], cluster["b"], cluster["db"]
    reader = web_login(a.url, "sasac", PASSWORD)
    total, flow = _figure(reader, a.url, "total"), _figure(reader, a.url, "flow")
    assert (total, flow) == (_count(db_url, "SELECT COUNT(*) FROM retiree"),
                             _count(db_url, "SELECT COUNT(*) FROM handover_case"))
    # the figures server A computed are in Redis for server B
    assert list(cluster["redis"].scan_iter(f"{cluster['prefix']}figures:*"))

    writer = web_login(b.url, "enterprise1", PASSWORD)
    enterprise = _count(db_url, "SELECT id FROM org_unit WHERE code = 'E-S02'")
    county = _count(db_url, "SELECT id FROM org_unit WHERE code = '540502'")
    born = datetime.date(1959, 3, 8)
    form = {"csrf_token": csrf_of(writer, f"{b.url}/retirees/add"), "enterprise": enterprise,
            "name_zh": "两台服务器", "name_bo": "", "gender": "M", "ethnicity": "tibetan",
            "resident_id": idcard.make("540502", born, 77, True), "birth_date": born.isoformat(),
            "retirement_date": "2019-03-31", "category": "in_region", "insured_county": county,
            "receiving_county": county, "pension_source": "basic_insurance", "medical_local": "y"}
    response = writer.post(f"{b.url}/retirees/add", data=form, timeout=60)
    assert response.status_code == 200 and _count(db_url, "SELECT COUNT(*) FROM retiree") == total + 1, \
        response.text[-1500:]

    # the very next request to A shows it: the ledger figure and the handover figures (cached in Redis)
    assert _figure(reader, a.url, "total") == total + 1
    assert _figure(reader, a.url, "flow") == _count(db_url, "SELECT COUNT(*) FROM handover_case")


def test_a_file_uploaded_through_one_server_downloads_through_the_other(cluster):
    a, b, s3 = cluster["a"], cluster["b"], cluster["s3"]
    data = minimal_pdf(f"two servers {uuid.uuid4().hex}")
    uploader = web_login(a.url, "enterprise1", PASSWORD)
    token = csrf_of(uploader, f"{a.url}/resetmypassword/form")
    response = uploader.post(f"{a.url}/plans/upload", data={"csrf_token": token, "note": ""},
                             files={"file": ("两台服务器方案.pdf", data, "application/pdf")}, allow_redirects=False,
                             timeout=60)
    assert response.status_code == 302 and "/plans/show/" in response.headers["Location"], response.text[:500]
    disk_name, version_id = _latest_plan_file(cluster["db"])
    assert f"files/{disk_name}" in s3.keys()  # in the shared store, not on server A's disk

    reader = web_login(b.url, "sasac", PASSWORD)
    download = reader.get(f"{b.url}/plans/version/{version_id}/download", timeout=60)
    assert download.status_code == 200
    assert hashlib.sha256(download.content).hexdigest() == hashlib.sha256(data).hexdigest()


def _latest_plan_file(db_url):
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text(
                "SELECT f.disk_name, v.id FROM plan_version v JOIN stored_file f ON f.id = v.file_id "
                "ORDER BY v.id DESC LIMIT 1")).one()
    finally:
        engine.dispose()


COUNTERS = os.path.join(os.path.dirname(__file__), "..", "app", "security", "counters.py")


@pytest.mark.skipif(not os.path.exists(COUNTERS),
                    reason="the login lockout (app/security/counters.py) is not in this code")
def test_a_lockout_on_one_server_holds_on_the_other(cluster):
    """Failed logins of one account through server A lock it; the right password through server B is then
    refused too (the counters are shared through Redis or the database, never per process)."""
    import requests

    a, b = cluster["a"], cluster["b"]
    attempts = int(os.environ.get("AUTH_LOCKOUT_ATTEMPTS", "5"))
    for _ in range(attempts):
        session = requests.Session()
        token = csrf_of(session, f"{a.url}/login/")
        response = session.post(f"{a.url}/login/", data={"username": "health", "password": "wrong-Password-1",
                                                         "csrf_token": token}, allow_redirects=False, timeout=30)
        assert "/login" in session.get(f"{a.url}/", timeout=30).url  # refused
    session = requests.Session()
    token = csrf_of(session, f"{b.url}/login/")
    session.post(f"{b.url}/login/", data={"username": "health", "password": PASSWORD, "csrf_token": token},
                 allow_redirects=False, timeout=30)
    assert "/login" in session.get(f"{b.url}/", timeout=30).url  # the right password, refused on B as well
    # while the same password for another account is accepted on B (the refusal is the lockout)
    assert "/login" not in web_login(b.url, "leader", PASSWORD).get(f"{b.url}/", timeout=30).url
