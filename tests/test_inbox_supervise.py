"""The inbox, `flask supervise` (cron, idempotent) and e-mail through a local SMTP sink, driven by the work
plan's source with frozen dates."""
import datetime
import email
import email.policy
import socket
import socketserver
import threading
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.notify.models import Notification
from app.workplan.models import WorkTask
from tests.conftest import count_rows, org_id, session_csrf
from tests.test_workplan import cleanup_tasks  # noqa: F401  (fixture)

D = datetime.date


def _user_id(app, username):
    from app.security.models import OrgUser

    with app.app_context():
        pk = db.session.scalar(select(OrgUser.id).where(OrgUser.username == username))
        db.session.remove()
        return pk


def _add_entries(app, rows):
    ids = []
    with app.app_context():
        for key, org, user, link in rows:
            entry = Notification(key=key, kind="test", org_id=org, user_id=user, message="Nothing to do.",
                                 link=link, created_at=datetime.datetime(2020, 7, 1))
            db.session.add(entry)
            db.session.flush()
            ids.append(entry.id)
        db.session.commit()
        db.session.remove()
    return ids


@pytest.fixture
def test_entries(app):
    yield
    with app.app_context():
        db.session.query(Notification).filter(Notification.kind == "test").delete()
        db.session.commit()
        db.session.remove()


def test_inbox_shows_my_org_and_me_only(app, as_user, test_entries):
    nedong, gonggar = org_id(app, "540502"), org_id(app, "540522")
    mine_org, mine_user, other_org, other_user = _add_entries(app, [
        ("test:org-mine", nedong, None, "/tasks/list/"),
        ("test:user-mine", None, _user_id(app, "county1"), "https://evil.example/phish"),
        ("test:org-other", gonggar, None, "/tasks/list/"),
        ("test:user-other", None, _user_id(app, "county2"), "/tasks/list/"),
    ])
    c = as_user("county1")
    page = c.get("/inbox/").get_data(as_text=True)
    forms = {pk: f"/inbox/{pk}/open" in page for pk in (mine_org, mine_user, other_org, other_user)}
    assert forms == {mine_org: True, mine_user: True, other_org: False, other_user: False}
    token = session_csrf(c)
    # someone else's entry does not exist for me, and opening it marks nothing
    for pk in (other_org, other_user):
        assert c.post(f"/inbox/{pk}/open", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(Notification, other_org).read_at is None
        db.session.remove()
    # open: a local link is followed, an external one is not
    r = c.post(f"/inbox/{mine_org}/open", data={"csrf_token": token})
    assert r.status_code == 302 and r.headers["Location"].endswith("/tasks/list/")
    r = c.post(f"/inbox/{mine_user}/open", data={"csrf_token": token})
    assert r.status_code == 302 and "evil.example" not in r.headers["Location"]
    assert r.headers["Location"].endswith("/inbox/")


@pytest.mark.parametrize("link", ["//evil.example/x", "/\\evil.example/x", "https://evil.example", "javascript:x"])
def test_inbox_open_never_redirects_off_site(app, as_user, test_entries, link):
    (pk,) = _add_entries(app, [(f"test:link-{abs(hash(link))}", org_id(app, "540502"), None, link)])
    c = as_user("county1")
    r = c.post(f"/inbox/{pk}/open", data={"csrf_token": session_csrf(c)})
    assert r.status_code == 302
    location = urlsplit(r.headers["Location"])
    # a path of this site (Werkzeug sends a backslash as %5C, which no browser reads as a host)
    assert location.scheme in ("", "http") and location.netloc in ("", "localhost")
    assert location.path.startswith("/") and not location.path.startswith("//")
    assert "javascript" not in r.headers["Location"]


# ---------------------------------------------------------------------------------------------------------
# flask supervise

def _supervise(app, on):
    with clock.frozen(on):
        result = app.test_cli_runner().invoke(args=["supervise"])
    assert result.exit_code == 0, result.output
    lines = dict(line.split("\t", 1) for line in result.output.strip().splitlines())
    return lines


def _open_task_entries(app, **where):
    with app.app_context():
        query = select(Notification.key).where(Notification.kind == "task", Notification.resolved_at.is_(None))
        keys = set(db.session.scalars(query))
        db.session.remove()
        return keys


def _new_task(app, title, deadline, lead="540502", start=D(2020, 12, 1)):
    with app.app_context():
        task = WorkTask(title_zh=title, title_bo="ཚོད་ལྟའི་ལས་འགན།", lead_org_id=org_id(app, lead),
                        start_on=start, deadline=deadline)
        db.session.add(task)
        db.session.commit()
        pk = task.id
        db.session.remove()
        return pk


def test_supervise_is_idempotent_and_follows_the_calendar(app, as_user, cleanup_tasks):
    pk = _new_task(app, "测试：年底前建成服务站", D(2020, 12, 31))
    first = _supervise(app, D(2020, 12, 28))
    assert first["task"].startswith("new ") and int(first["task"].split()[1]) > 0
    keys = _open_task_entries(app)
    assert f"task:{pk}:blue" in keys
    total = count_rows(app, Notification)
    second = _supervise(app, D(2020, 12, 28))
    assert second["task"] == "new 0\tresolved 0"
    assert count_rows(app, Notification) == total and _open_task_entries(app) == keys
    # the lead unit sees it in its inbox; another county does not
    assert "测试：年底前建成服务站" in as_user("county1").get("/inbox/").get_data(as_text=True)
    assert "测试：年底前建成服务站" not in as_user("county2").get("/inbox/").get_data(as_text=True)
    # across the deadline: the blue entry is resolved and a red one appears
    _supervise(app, D(2021, 1, 1))
    keys = _open_task_entries(app)
    assert f"task:{pk}:red" in keys and f"task:{pk}:blue" not in keys
    # done (late): it leaves the inbox at once, and the next run agrees
    c = as_user("county1")
    with clock.frozen(D(2021, 1, 2)):
        c.post(f"/tasks/{pk}/progress", data={"csrf_token": session_csrf(c), "progress": "100", "done": "1"})
    assert not {k for k in _open_task_entries(app) if k.startswith(f"task:{pk}:")}
    again = _supervise(app, D(2021, 1, 2))
    assert again["task"] == "new 0\tresolved 0"
    assert "测试：年底前建成服务站" not in as_user("county1").get("/inbox/").get_data(as_text=True)


def test_supervise_accepts_a_date_to_catch_up(app, cleanup_tasks):
    pk = _new_task(app, "测试：补跑", D(2020, 12, 31))
    result = app.test_cli_runner().invoke(args=["supervise", "--date", "2020-12-30"])
    assert result.exit_code == 0, result.output
    assert f"task:{pk}:blue" in _open_task_entries(app)


# ---------------------------------------------------------------------------------------------------------
# e-mail

class _Sink(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _SmtpHandler)
        self.messages = []


class _SmtpHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP to accept messages: every command is OK, DATA is kept."""

    def handle(self):
        self.wfile.write(b"220 sink ready\r\n")
        lines, in_data = [], False
        while True:
            line = self.rfile.readline()
            if not line:
                return
            if in_data:
                if line in (b".\r\n", b".\n"):
                    self.server.messages.append(b"".join(lines))
                    lines, in_data = [], False
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line[1:] if line.startswith(b"..") else line)
                continue
            verb = line[:4].upper()
            if verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 end with .\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_sink(app):
    sink = _Sink()
    thread = threading.Thread(target=sink.serve_forever, daemon=True)
    thread.start()
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=sink.server_address[1])
    try:
        yield sink
    finally:
        app.config.update(saved)
        sink.shutdown()
        sink.server_close()


def _set_locale(app, username, locale):
    from app.security.models import OrgUser

    with app.app_context():
        user = db.session.scalars(select(OrgUser).where(OrgUser.username == username)).one()
        old, user.locale = user.locale, locale
        db.session.commit()
        db.session.remove()
        return old


def test_mail_in_the_recipients_language(app, cleanup_tasks, smtp_sink):
    pk = _new_task(app, "测试：邮件提醒", D(2020, 12, 31))
    old = _set_locale(app, "county1", "bo")
    try:
        lines = _supervise(app, D(2020, 12, 29))
    finally:
        _set_locale(app, "county1", old)
    assert int(lines["mailed"]) >= 1
    mails = [email.message_from_bytes(raw, policy=email.policy.default) for raw in smtp_sink.messages]
    mine = [m for m in mails if m["To"] == "county1@demo.shannan.local"
            and f"/tasks/show/{pk}" in m.get_content()]
    assert len(mine) == 1
    body = mine[0].get_content()
    assert "ཚོད་ལྟའི་ལས་འགན།" in body and "2020-12-31" in body  # the Tibetan title and message
    assert "测试：邮件提醒" not in body and "ལས་འགན་" in body
    assert "བྱ་རྒྱུ" in str(mine[0]["Subject"])
    # already mailed: the next run sends nothing for it
    count = len(smtp_sink.messages)
    _supervise(app, D(2020, 12, 29))
    assert len(smtp_sink.messages) == count


def test_without_a_mail_server_nothing_is_sent_and_nothing_fails(app, cleanup_tasks):
    assert not app.config.get("MAIL_SERVER")
    pk = _new_task(app, "测试：无邮件", D(2020, 12, 31))
    lines = _supervise(app, D(2020, 12, 29))
    assert lines["mailed"] == "0"
    with app.app_context():
        entry = db.session.scalars(select(Notification).where(Notification.key == f"task:{pk}:blue")).one()
        assert entry.emailed_at is None
        db.session.remove()


def test_an_unreachable_mail_server_is_logged_not_fatal(app, cleanup_tasks):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    saved = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        _new_task(app, "测试：邮件服务器不可达", D(2020, 12, 31))
        lines = _supervise(app, D(2020, 12, 29))
    finally:
        app.config.update(saved)
    assert lines["mailed"] == "0"
