"""The three administrators, separated in code (issue 11 §2): who may change which part of an account, the
password reset that forces a change, every account change audited; units in use cannot be deleted."""
import json

import pytest
from sqlalchemy import select, text

from app.audit.models import AuditLog
from app.extensions import db
from app.org.models import Organization
from app.security import admin
from app.security.models import OrgUser
from tests.conftest import PASSWORD, login, org_id, session_csrf


def _user(app, username):
    with app.app_context():
        user = db.session.scalars(select(OrgUser).where(OrgUser.username == username)).unique().one()
        result = {"id": user.id, "org_id": user.org_id, "roles": sorted(r.name for r in user.roles),
                  "role_ids": [r.id for r in user.roles], "first_name": user.first_name,
                  "last_name": user.last_name, "email": user.email, "active": user.active,
                  "must_change": user.must_change_password, "generation": user.session_generation}
        db.session.remove()
        return result


def _role_id(app, code):
    with app.app_context():
        from flask_appbuilder.security.sqla.models import Role

        value = db.session.scalar(select(Role.id).where(Role.name == code))
        db.session.remove()
        return value


def _edit(client, app, username, **change):
    """POST the user edit form as FAB's page sends it, with `change` applied (roles: list of role codes)."""
    user = _user(app, username)
    data = {"first_name": user["first_name"], "last_name": user["last_name"], "username": username,
            "email": user["email"], "org": str(user["org_id"]), "roles": [str(i) for i in user["role_ids"]],
            "csrf_token": session_csrf(client)}
    if change.pop("active", user["active"]):
        data["active"] = "y"
    if "roles" in change:
        data["roles"] = [str(_role_id(app, code)) for code in change.pop("roles")]
    if "org" in change:
        data["org"] = str(org_id(app, change.pop("org")))
    data.update(change)
    return client.post(f"/users/edit/{user['id']}", data=data, follow_redirects=True)


def _text(app, message, lang="zh", **kw):
    """A message as the user reads it in `lang` (flashes are HTML-escaped on the page)."""
    from flask_babel import force_locale, gettext
    from markupsafe import escape

    with app.test_request_context(), force_locale(lang):
        return str(escape(gettext(str(message), **kw) if kw else str(message)))


def _last_entry(app, **where):
    with app.app_context():
        row = db.session.scalars(select(AuditLog).filter_by(**where).order_by(AuditLog.id.desc()).limit(1)).first()
        result = None if row is None else {"username": row.username, "changes": json.loads(row.changes or "{}"),
                                           "object_id": row.object_id, "id": row.id}
        db.session.remove()
        return result


def test_sysadmin_cannot_grant_itself_business_security_or_audit_roles(app, as_user):
    c = as_user("sysadmin")
    for roles in (["sysadmin", "sasac"], ["auditadmin"], ["secadmin"]):
        page = _edit(c, app, "sysadmin", roles=roles).get_data(as_text=True)
        assert _text(app, admin.SYSADMIN_NO_ROLES) in page or _text(app, admin.OWN_ACCOUNT) in page
        assert _user(app, "sysadmin")["roles"] == ["sysadmin"]
    refused = _last_entry(app, action="refused", object_id=str(_user(app, "sysadmin")["id"]))
    assert refused["username"] == "sysadmin"  # the attempt is on record


def test_sysadmin_cannot_grant_roles_to_others_but_keeps_their_accounts(app, as_user):
    c = as_user("sysadmin")
    before = _user(app, "county2")
    page = _edit(c, app, "county2", roles=["county", "sasac"]).get_data(as_text=True)
    assert _text(app, admin.SYSADMIN_NO_ROLES) in page
    assert _user(app, "county2")["roles"] == before["roles"]
    # names are the system administrator's to keep (and audited)
    _edit(c, app, "county2", first_name="贡嘎测试")
    assert _user(app, "county2")["first_name"] == "贡嘎测试"
    entry = _last_entry(app, model="OrgUser", object_id=str(before["id"]), action="update")
    assert entry["username"] == "sysadmin" and "first_name" in entry["changes"]
    _edit(c, app, "county2", first_name=before["first_name"])


def test_security_admin_assigns_roles_only_and_never_its_own(app, as_user):
    c = as_user("secadmin")
    before = _user(app, "township1")
    _edit(c, app, "township1", roles=["township", "finance"])
    assert _user(app, "township1")["roles"] == ["finance", "township"]
    entry = _last_entry(app, model="OrgUser", object_id=str(before["id"]), action="update")
    assert entry["username"] == "secadmin"
    assert entry["changes"]["roles"] == [["township"], ["finance", "township"]]
    _edit(c, app, "township1", roles=["township"])
    assert _user(app, "township1")["roles"] == ["township"]
    # not the unit, not the names: accounts are the system administrator's
    page = _edit(c, app, "township1", first_name="改名").get_data(as_text=True)
    assert _text(app, admin.SECADMIN_ROLES_ONLY) in page
    assert _user(app, "township1")["first_name"] == before["first_name"]
    _edit(c, app, "township1", org="540522", active=False)
    assert _user(app, "township1")["org_id"] == before["org_id"] and _user(app, "township1")["active"]
    # not its own roles
    page = _edit(c, app, "secadmin", roles=["secadmin", "auditadmin"]).get_data(as_text=True)
    assert _text(app, admin.OWN_ACCOUNT) in page
    assert _user(app, "secadmin")["roles"] == ["secadmin"]


def test_an_administrator_role_is_never_combined(app, as_user):
    c = as_user("secadmin")
    page = _edit(c, app, "leader", roles=["leading_group", "auditadmin"]).get_data(as_text=True)
    assert _text(app, admin.ADMIN_ALONE) in page
    assert _user(app, "leader")["roles"] == ["leading_group"]


def test_nobody_changes_their_own_unit(app, as_user):
    c = as_user("sysadmin")
    before = _user(app, "sysadmin")
    page = _edit(c, app, "sysadmin", org="5405-GZW").get_data(as_text=True)
    assert _user(app, "sysadmin")["org_id"] == before["org_id"]
    assert _text(app, admin.OWN_ACCOUNT) in page


def test_sysadmin_adds_accounts_without_roles(app, as_user):
    c = as_user("sysadmin")
    base = {"first_name": "新", "last_name": "用户", "email": "newbie@example.org", "org": str(org_id(app, "540502")),
            "password": "Newbie-Pass-2020", "conf_password": "Newbie-Pass-2020", "active": "y"}
    c.post("/users/add", data={**base, "username": "newbie-roles", "roles": [str(_role_id(app, "sasac"))],
                               "csrf_token": session_csrf(c)})
    with app.app_context():
        assert db.session.scalar(select(OrgUser.id).where(OrgUser.username == "newbie-roles")) is None
        db.session.remove()
    # a weak password is refused (complexity)
    c.post("/users/add", data={**base, "username": "newbie-weak", "password": "abc", "conf_password": "abc",
                               "csrf_token": session_csrf(c)})
    with app.app_context():
        assert db.session.scalar(select(OrgUser.id).where(OrgUser.username == "newbie-weak")) is None
        db.session.remove()
    c.post("/users/add", data={**base, "username": "newbie", "csrf_token": session_csrf(c)})
    user = _user(app, "newbie")
    assert user["roles"] == [] and user["must_change"]
    created = _last_entry(app, model="OrgUser", object_id=str(user["id"]), action="create")
    assert created["username"] == "sysadmin" and "password" not in created["changes"]
    with app.app_context():
        db.session.execute(text("DELETE FROM ab_user WHERE username = 'newbie'"))
        db.session.commit()
        db.session.remove()


def test_password_reset_forces_a_change_is_audited_and_never_a_500(app, as_user):
    target = _user(app, "health")
    c = as_user("sysadmin")
    for bad in ("abc", "99999999999999999999999", "0"):
        r = c.post(f"/resetpassword/form?pk={bad}", data={"password": "Reset-Pass-2021", "conf_password":
                                                           "Reset-Pass-2021", "csrf_token": session_csrf(c)})
        assert r.status_code == 404
    # the reset itself (this was a 500 on PostgreSQL)
    old = as_user("health")
    r = c.post(f"/resetpassword/form?pk={target['id']}", data={
        "password": "Reset-Pass-2021", "conf_password": "Reset-Pass-2021", "csrf_token": session_csrf(c)})
    assert r.status_code == 302
    assert _user(app, "health")["must_change"]
    entry = _last_entry(app, action="password_reset", object_id=str(target["id"]))
    assert entry["username"] == "sysadmin"
    assert "Reset-Pass-2021" not in json.dumps(entry["changes"]) and "password" not in entry["changes"]
    # the user's running session ended with the reset
    assert old.get("/retirees/list/").status_code == 302
    # the next login must first change the password; nothing else opens
    u = login(app.test_client(), "health", password="Reset-Pass-2021")
    r = u.get("/retirees/list/")
    assert r.status_code == 302 and "/resetmypassword/form" in r.headers["Location"]
    assert u.get("/api/v1/retiree/").status_code == 403
    token = session_csrf(u)
    u.post("/resetmypassword/form", data={"password": PASSWORD, "conf_password": PASSWORD, "csrf_token": token})
    assert u.get("/retirees/list/").status_code == 200
    assert not _user(app, "health")["must_change"]
    assert _last_entry(app, action="password_change")["username"] == "health"


def _refusal_for(app, code, lang):
    from flask_babel import force_locale

    from app.org.services import check_deletable
    from app.steps import Refusal

    with app.test_request_context(), force_locale(lang):
        org = db.session.scalars(select(Organization).where(Organization.code == code)).one()
        try:
            check_deletable(db.session, org)
        except Refusal as refusal:
            return refusal.message
        finally:
            db.session.remove()
    return None


def test_units_in_use_cannot_be_deleted_with_a_clear_message(app, as_user):
    enterprise = org_id(app, "E-S02")
    zh, bo = _refusal_for(app, "E-S02", "zh"), _refusal_for(app, "E-S02", "bo")
    assert zh and bo and zh != bo
    c = as_user("sysadmin")
    page = c.post(f"/orgs/delete/{enterprise}", data={"csrf_token": session_csrf(c)},
                  follow_redirects=True).get_data(as_text=True)
    from markupsafe import escape

    assert str(escape(zh)) in page
    assert org_id(app, "E-S02") == enterprise
    r = c.delete(f"/api/v1/org/{enterprise}", headers={"X-CSRFToken": session_csrf(c)})
    assert r.status_code == 422
    body = r.get_data(as_text=True)
    assert json.loads(body)["message"]["id"] == [zh]
    for sql_word in ("FOREIGN KEY", "violates", "DELETE FROM", "IntegrityError", "sqlite", "psycopg"):
        assert sql_word not in body
    bo_client = as_user("sysadmin", lang="bo")
    r = bo_client.delete(f"/api/v1/org/{enterprise}", headers={"X-CSRFToken": session_csrf(bo_client)})
    assert r.status_code == 422 and r.get_json()["message"]["id"] == [bo]
    assert org_id(app, "E-S02") == enterprise


def test_an_unused_unit_is_deleted_and_every_unit_change_is_audited(app, as_user):
    c = as_user("sysadmin")
    r = c.post("/api/v1/org/", json={"code": "T-DEL-1", "kind": "enterprise", "name_zh": "待删企业",
                                     "name_bo": "བསུབ་རྒྱུའི་ཁེ་ལས།"}, headers={"X-CSRFToken": session_csrf(c)})
    assert r.status_code == 201, r.get_data(as_text=True)
    pk = r.get_json()["id"]
    assert _last_entry(app, model="Organization", object_id=str(pk), action="create")["username"] == "sysadmin"
    assert c.delete(f"/api/v1/org/{pk}", headers={"X-CSRFToken": session_csrf(c)}).status_code == 200
    assert _last_entry(app, model="Organization", object_id=str(pk), action="delete")["username"] == "sysadmin"


def test_sqlite_checks_foreign_keys(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL always checks foreign keys")
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        db.session.remove()


def test_every_role_sync_change_is_audited(app, runner):
    from app.security.sync import sync_roles

    with app.app_context():
        sm = app.appbuilder.sm
        role = sm.find_role("leader") or sm.find_role("leading_group")
        role.permissions = role.permissions[:-1]
        db.session.commit()
        sync_roles(app.appbuilder)
        db.session.remove()
    entry = _last_entry(app, action="roles_synced")
    assert entry["changes"]["leading_group"][1] == "+1 -0"


def test_create_user_refuses_a_weak_password(app, runner):
    result = runner.invoke(args=["create-user", "weakling", "--role", "sysadmin", "--org", "5405-XXZX",
                                 "--password", "short"])
    assert result.exit_code == 2
    with app.app_context():
        assert db.session.scalar(select(OrgUser.id).where(OrgUser.username == "weakling")) is None
        db.session.remove()
