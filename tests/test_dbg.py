def test_dbg(app, as_user):
    from tests.conftest import session_csrf
    c = as_user("sysadmin")
    r = c.post("/api/v1/org/", json={"code": "E-S02", "kind": "enterprise", "name_zh": "x", "name_bo": "y"})
    print("API", r.status_code, r.get_data(as_text=True)[:400])
    r = c.post("/orgs/add", data={"code": "E-S02", "kind": "enterprise", "name_zh": "x", "name_bo": "y", "csrf_token": session_csrf(c)})
    print("FORM", r.status_code, r.get_data(as_text=True)[:300])
