"""For every scoped model and every route: a user of one scope gets nothing of another scope.

Rows are picked by raw queries on organization codes (not through the scope function under test); each
foreign-row check has a positive control on a row the same user must see.
"""

import pytest
from sqlalchemy import select

from app.extensions import db
from app.org.models import Organization
from tests.conftest import count_rows, session_csrf
from tests.scoping import SCOPE_CASES

PAIRS = [
    pytest.param(case, user, foreign, own, id=f"{case.name}-{user}")
    for case in SCOPE_CASES
    for user, foreign, own in case.pairs
]


def _rows(app, foreign, own, case=None):
    key = (case.key if case is not None and case.key else None) or (lambda row: getattr(row, "resident_id", None))
    with app.app_context():
        f, o = foreign(db.session), own(db.session)
        result = (f.id, key(f), o.id, key(o))
        db.session.remove()
        return result


def _snapshot(app, model, pk):
    with app.app_context():
        row = db.session.get(model, pk)
        data = None if row is None else {c.key: getattr(row, c.key) for c in model.__table__.columns}
        db.session.remove()
        return data



def _rison_eq(column, value):
    return f"(filters:!((col:{column},opr:eq,value:'{value}')))"


@pytest.mark.parametrize("case, user, foreign, own", PAIRS)
def test_show_and_edit_pages(app, as_user, case, user, foreign, own):
    f_id, _, o_id, _ = _rows(app, foreign, own)
    c = as_user(user)
    assert c.get(f"{case.route_base}/show/{o_id}").status_code == 200
    assert c.get(f"{case.route_base}/show/{f_id}").status_code == 404
    assert c.get(f"{case.route_base}/edit/{o_id}").status_code == 200
    assert c.get(f"{case.route_base}/edit/{f_id}").status_code == 404


@pytest.mark.parametrize("case, user, foreign, own", PAIRS)
def test_edit_and_delete_posts_change_nothing(app, as_user, case, user, foreign, own):
    f_id, _, _, _ = _rows(app, foreign, own)
    before = _snapshot(app, case.model, f_id)
    c = as_user(user)
    token = session_csrf(c)
    r1 = c.post(f"{case.route_base}/edit/{f_id}", data={"csrf_token": token, "name_zh": "篡改"})
    r2 = c.post(f"{case.route_base}/delete/{f_id}", data={"csrf_token": token})
    assert r1.status_code == 404 and r2.status_code == 404
    assert _snapshot(app, case.model, f_id) == before


@pytest.mark.parametrize("case, user, foreign, own", PAIRS)
def test_list_search(app, as_user, case, user, foreign, own):
    _, f_key, _, o_key = _rows(app, foreign, own, case)
    c = as_user(user)
    flt = f"_flt_{case.search_filter}_{case.search_column}"
    own_page = c.get(f"{case.route_base}/list/?{flt}={o_key}").get_data(as_text=True)
    foreign_page = c.get(f"{case.route_base}/list/?{flt}={f_key}").get_data(as_text=True)
    assert "/show/" in own_page  # positive control: the search finds the user's own row
    assert "/show/" not in foreign_page


@pytest.mark.parametrize("case, user, foreign, own", PAIRS)
def test_rest_get(app, as_user, case, user, foreign, own):
    f_id, f_key, o_id, o_key = _rows(app, foreign, own, case)
    c = as_user(user)
    api = f"/api/v1/{case.api}/"
    assert c.get(f"{api}{o_id}").status_code == 200
    assert c.get(f"{api}{f_id}").status_code == 404
    assert c.get(f"{api}?q={_rison_eq(case.search_column, o_key)}").get_json()["count"] == 1
    assert c.get(f"{api}?q={_rison_eq(case.search_column, f_key)}").get_json()["count"] == 0


@pytest.mark.parametrize("case, user, foreign, own", PAIRS)
def test_rest_put_and_delete(app, as_user, case, user, foreign, own):
    f_id, _, _, _ = _rows(app, foreign, own)
    before = _snapshot(app, case.model, f_id)
    c = as_user(user)
    api = f"/api/v1/{case.api}/{f_id}"
    # 405 only for an API that offers no PUT at all (correction requests are decided on their pages)
    no_put = (405,) if case.read_only_api else ()
    assert c.put(api, json={"name_zh": "篡改"}).status_code in (404, 403, *no_put)
    assert c.delete(api).status_code in (404, 403, 405)  # 405: the API has no DELETE at all
    assert _snapshot(app, case.model, f_id) == before


@pytest.mark.parametrize("case", SCOPE_CASES, ids=lambda c: c.name)
def test_rest_post_into_another_scope_is_refused(app, as_user, case, cleanup_retirees):
    if case.api_payload is None:
        # rows that come with their retiree (checklists, transfers): the API has no POST at all
        total = count_rows(app, case.model)
        assert as_user("enterprise2").post(f"/api/v1/{case.api}/", json={"id": 1}).status_code == 405
        assert count_rows(app, case.model) == total
        return
    with app.app_context():
        payload = case.api_payload(db.session, "E-C03", "540522")  # enterprise2's enterprise, county2's county
        db.session.remove()
    total = count_rows(app, case.model)
    for user in ("enterprise1", "county1", "community1"):
        r = as_user(user).post(f"/api/v1/{case.api}/", json=payload)
        assert r.status_code in (403, 422), (user, r.status_code, r.get_data(as_text=True))
    assert count_rows(app, case.model) == total
    # positive control: the owner of that scope may create it
    r = as_user("enterprise2").post(f"/api/v1/{case.api}/", json=payload)
    assert r.status_code == 201, r.get_data(as_text=True)
    assert count_rows(app, case.model) == total + 1


def _org_codes(app, ids):
    with app.app_context():
        codes = set(db.session.scalars(select(Organization.code).where(Organization.id.in_(ids))))
        db.session.remove()
        return codes


def test_rest_info_dropdowns_are_narrowed(app, as_user):
    info = as_user("enterprise1").get("/api/v1/retiree/_info?q=(keys:!(add_columns))").get_json()
    columns = {c["name"]: c for c in info["add_columns"]}
    enterprise_ids = [v["id"] for v in columns["enterprise"]["values"]]
    assert _org_codes(app, enterprise_ids) == {"E-S02"}
    # an enterprise chooses any receiving county (it has none of its own)
    assert len(columns["receiving_county"]["values"]) == 12
    info = as_user("county1").get("/api/v1/retiree/_info?q=(keys:!(add_columns))").get_json()
    columns = {c["name"]: c for c in info["add_columns"]}
    assert _org_codes(app, [v["id"] for v in columns["receiving_county"]["values"]]) == {"540502"}
    assert _org_codes(app, [v["id"] for v in columns["receiving_township"]["values"]]) == {"540502-01"}


def test_add_form_dropdown_is_narrowed(app, as_user):
    page = as_user("enterprise1").get("/retirees/add").get_data(as_text=True)
    with app.app_context():
        names = dict(db.session.execute(select(Organization.code, Organization.name_zh).where(
            Organization.kind == "enterprise")).all())
        db.session.remove()
    assert names["E-S02"] in page
    assert names["E-C03"] not in page


def test_city_wide_role_sees_every_row(app, as_user):
    c = as_user("sasac")
    total = count_rows(app, SCOPE_CASES[0].model)
    assert c.get("/api/v1/retiree/").get_json()["count"] == total
    for case in SCOPE_CASES:
        for _user, foreign, own in case.pairs:
            f_id, _, o_id, _ = _rows(app, foreign, own)
            assert c.get(f"{case.route_base}/show/{f_id}").status_code == 200
            assert c.get(f"{case.route_base}/show/{o_id}").status_code == 200


@pytest.mark.parametrize("user", ["sysadmin", "secadmin", "auditadmin"])
def test_administrators_see_no_business_data(app, as_user, user):
    c = as_user(user)
    for case in SCOPE_CASES:
        assert c.get(f"{case.route_base}/list/").status_code == 403
        assert c.get(f"/api/v1/{case.api}/").status_code in (401, 403)


def test_moving_an_own_row_out_of_scope_is_refused(app, as_user):
    c = as_user("enterprise1")
    with app.app_context():
        own = SCOPE_CASES[0].pairs[0][2](db.session)
        pk, foreign_ent = own.id, db.session.scalar(select(Organization.id).where(Organization.code == "E-C03"))
        db.session.remove()
    before = _snapshot(app, SCOPE_CASES[0].model, pk)
    r = c.put(f"/api/v1/retiree/{pk}", json={"enterprise": foreign_ent})
    assert r.status_code == 403, r.get_data(as_text=True)
    assert _snapshot(app, SCOPE_CASES[0].model, pk) == before


def test_user_without_organization_sees_nothing(app):
    from app.extensions import appbuilder

    with app.app_context():
        sm = appbuilder.sm
        if sm.find_user(username="orphan") is None:
            sm.add_user("orphan", "orphan", "county", "orphan@demo.local", sm.find_role("county"), "Orphan-2020")
        db.session.remove()
    from tests.conftest import login

    c = login(app.test_client(), "orphan", password="Orphan-2020")
    home = c.get("/").get_data(as_text=True)
    assert 'id="missing-org"' in home
    assert c.get("/api/v1/retiree/").get_json()["count"] == 0
    assert "/show/" not in c.get("/retirees/list/").get_data(as_text=True)


def test_every_scoped_view_has_a_scope_case(app):
    """Meta-test: a new scoped model with views but no case in tests/scoping.py fails here."""
    from app.scoped_views import ScopedModelView
    from app.security.scope import is_scoped

    covered = {case.model for case in SCOPE_CASES}
    scoped_views = {type(v).datamodel.obj for v in app.appbuilder.baseviews
                    if isinstance(v, ScopedModelView) and is_scoped(type(v).datamodel.obj)}
    assert scoped_views, "no scoped views registered"
    assert scoped_views <= covered, f"scoped models without a scope case: {scoped_views - covered}"
