"""Every change of business data and every login leaves an audit record nobody can alter in the app."""
import json

from sqlalchemy import select

from app.audit.models import AuditLog
from app.extensions import db
from app.org.models import Organization
from app.retirees.models import Retiree
from tests.conftest import login


def _last(app, **where):
    with app.app_context():
        query = select(AuditLog).filter_by(**where).order_by(AuditLog.id.desc()).limit(1)
        row = db.session.scalars(query).first()
        result = None if row is None else {c.key: getattr(row, c.key) for c in AuditLog.__table__.columns}
        db.session.remove()
        return result


def test_update_records_user_old_and_new_values(app, as_user):
    with app.app_context():
        row = db.session.scalars(select(Retiree).join(Organization, Retiree.enterprise_id == Organization.id)
                                 .where(Organization.code == "E-S02").order_by(Retiree.id).limit(1)).one()
        pk, old_note = row.id, row.note
        db.session.remove()
    c = as_user("enterprise1")
    assert c.put(f"/api/v1/retiree/{pk}", json={"note": "已核对"}).status_code == 200
    entry = _last(app, model="Retiree", object_id=str(pk), action="update")
    assert entry["username"] == "enterprise1"
    assert json.loads(entry["changes"])["note"] == [old_note, "已核对"]
    c.put(f"/api/v1/retiree/{pk}", json={"note": old_note})


def test_create_and_delete_are_recorded(app, as_user, cleanup_retirees):
    from tests.scoping import retiree_payload

    with app.app_context():
        payload = retiree_payload(db.session, "E-S02", "540502")
        db.session.remove()
    c = as_user("enterprise1")
    r = c.post("/api/v1/retiree/", json=payload)
    assert r.status_code == 201, r.get_data(as_text=True)
    pk = r.get_json()["id"]
    created = _last(app, model="Retiree", object_id=str(pk), action="create")
    assert json.loads(created["changes"])["resident_id"] == [None, payload["resident_id"]]
    assert c.delete(f"/api/v1/retiree/{pk}").status_code == 200
    deleted = _last(app, model="Retiree", object_id=str(pk), action="delete")
    assert deleted["username"] == "enterprise1"
    assert json.loads(deleted["changes"])["name_zh"] == [payload["name_zh"], None]


def test_logins_logouts_and_failures_are_recorded(app):
    c = app.test_client()
    login(c, "county2")
    assert _last(app, action="login")["username"] == "county2"
    from tests.conftest import csrf_token, logout

    logout(c)
    assert _last(app, action="logout")["username"] == "county2"

    for name in ("county2", "no-such-user"):
        token = csrf_token(c)
        c.post("/login/", data={"username": name, "password": "wrong", "csrf_token": token})
        assert _last(app, action="login_failed")["username"] == name


def test_audit_admin_reads_and_filters_but_nobody_edits(app, as_user):
    c = as_user("auditadmin")
    page = c.get("/audit/list/?_flt_3_action=login")
    assert page.status_code == 200 and "/audit/show/" in page.get_data(as_text=True)
    entry = _last(app, action="login")
    assert c.get(f"/audit/show/{entry['id']}").status_code == 200
    for url in (f"/audit/edit/{entry['id']}", "/audit/add"):
        assert c.get(url).status_code in (403, 404)
    token = __import__("tests.conftest", fromlist=["session_csrf"]).session_csrf(c)
    assert c.post(f"/audit/delete/{entry['id']}", data={"csrf_token": token}).status_code in (403, 404)
    assert _last(app, action="login")["id"] >= entry["id"]
    with app.app_context():
        assert db.session.get(AuditLog, entry["id"]) is not None
        db.session.remove()


def test_other_roles_cannot_read_the_audit_log(app, as_user):
    for user in ("sasac", "sysadmin", "county1"):
        assert as_user(user).get("/audit/list/").status_code == 403


def test_setting_an_expired_attribute_keeps_its_old_value_in_the_log(app):
    """After a commit every attribute is expired; clearing one must still be logged with the value it had
    (SQLAlchemy would otherwise flush the change without knowing the old value, and the audit saw nothing)."""
    import datetime

    from app.handover.models import HandoverCase
    from app.security.scope import as_system

    with app.app_context(), as_system("测试"):
        case = db.session.scalars(select(HandoverCase).where(
            HandoverCase.received_on.is_(None)).order_by(HandoverCase.id.desc())).first()
        states = {item.id: item.state for item in case.items}
        case.received_on = datetime.datetime(2020, 8, 1, 9, 0)
        db.session.commit()  # expires `case`
        case.received_on = None
        for item in case.items:
            item.state = states[item.id]
        db.session.commit()
        pk = case.id
        db.session.remove()
    entry = _last(app, model="HandoverCase", object_id=str(pk), action="update")
    assert json.loads(entry["changes"])["received_on"] == ["2020-08-01T09:00:00", None]
