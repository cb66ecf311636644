"""Roles are code: synced by `flask sync-roles`, idempotently, with the three administrators separated."""
from app.extensions import db
from app.security.roles import READ, RETIREE, ROLE_DEFINITIONS, WRITE, permissions_of

DESIGN_ROLES = {"enterprise", "county", "township", "community", "liaison", "sasac", "hrss", "medins", "orgdept",
                "finance", "housing", "health", "archives", "supervision", "leading_group",
                "sysadmin", "secadmin", "auditadmin"}


def test_every_stakeholder_has_a_role():
    assert {r.code for r in ROLE_DEFINITIONS} == DESIGN_ROLES


def test_sync_is_idempotent_and_matches_the_code(app, runner):
    first = runner.invoke(args=["sync-roles"])
    second = runner.invoke(args=["sync-roles"])
    assert first.exit_code == 0 and second.exit_code == 0, second.output
    for line in second.output.strip().splitlines():
        code, _total, added, removed = line.split("\t")
        assert (added, removed) == ("+0", "-0"), line
    with app.app_context():
        sm = app.appbuilder.sm
        for definition in ROLE_DEFINITIONS:
            role = sm.find_role(definition.code)
            assert {(p.permission.name, p.view_menu.name) for p in role.permissions} == permissions_of(definition)
        assert sm.find_role("Admin") is None  # no all-powerful role
        assert sm.find_role("Public").permissions == []
        db.session.remove()


def test_hand_edits_are_reset_by_sync(app, runner):
    with app.app_context():
        sm = app.appbuilder.sm
        leader = sm.find_role("leading_group")
        pv = sm.find_permission_view_menu(WRITE, RETIREE)
        leader.permissions.append(pv)
        db.session.commit()
        db.session.remove()
    result = runner.invoke(args=["sync-roles"])
    assert "leading_group\t" in result.output and "-1" in [l for l in result.output.splitlines()
                                                           if l.startswith("leading_group")][0]
    with app.app_context():
        perms = {(p.permission.name, p.view_menu.name) for p in app.appbuilder.sm.find_role("leading_group").permissions}
        assert (WRITE, RETIREE) not in perms and (READ, RETIREE) in perms
        db.session.remove()


def test_administrators_hold_no_business_permission():
    for code in ("sysadmin", "secadmin", "auditadmin"):
        definition = next(r for r in ROLE_DEFINITIONS if r.code == code)
        assert not any(view == RETIREE for _perm, view in permissions_of(definition))
    user_admin = {v for _p, v in permissions_of(next(r for r in ROLE_DEFINITIONS if r.code == "sysadmin"))}
    audit = {v for _p, v in permissions_of(next(r for r in ROLE_DEFINITIONS if r.code == "auditadmin"))}
    assert "UserDBModelView" in user_admin and "AuditLog" not in user_admin
    assert "AuditLog" in audit and not any(("can_add", "UserDBModelView") == x for x in audit)


def test_sysadmin_manages_users_but_secadmin_only_reads_them(app, as_user):
    assert as_user("sysadmin").get("/users/add").status_code == 200
    assert as_user("secadmin").get("/users/list/").status_code == 200
    assert as_user("secadmin").get("/users/add").status_code == 403
    assert as_user("county1").get("/users/list/").status_code == 403


def test_anonymous_is_sent_to_login(client):
    for url in ("/", "/retirees/list/", "/audit/list/", "/orgs/list/"):
        response = client.get(url)
        assert response.status_code in (302, 401), url
        if response.status_code == 302:
            assert "/login/" in response.headers["Location"]
    assert client.get("/api/v1/retiree/").status_code == 401
