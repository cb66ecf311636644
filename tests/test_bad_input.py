"""Bad input gets a clear answer and changes nothing; CSRF guards every form; GET never changes state."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.retirees.models import Retiree
from tests.conftest import count_rows, session_csrf



def _some_own_retiree(app):
    from app.org.models import Organization

    with app.app_context():
        pk = db.session.scalar(select(Retiree.id).join(Organization, Retiree.enterprise_id == Organization.id)
                               .where(Organization.code == "E-S02").order_by(Retiree.id).limit(1))
        db.session.remove()
        return pk


def test_post_without_csrf_token_is_refused(app, as_user):
    c = as_user("enterprise1")
    pk = _some_own_retiree(app)
    before = count_rows(app)
    r = c.post(f"/retirees/delete/{pk}")
    assert r.status_code == 400
    assert "表单" in r.get_data(as_text=True) or "页面" in r.get_data(as_text=True)
    assert count_rows(app) == before
    r = c.post("/retirees/add", data={"name_zh": "x"})
    assert r.status_code == 400 and count_rows(app) == before


def test_get_never_deletes(app, as_user):
    c = as_user("enterprise1")
    pk = _some_own_retiree(app)
    c.get(f"/retirees/delete/{pk}")
    with app.app_context():
        assert db.session.get(Retiree, pk) is not None
        db.session.remove()


@pytest.mark.parametrize("url", ["/retirees/show/abc", "/retirees/show/99999999", "/retirees/edit/-1",
                                 "/api/v1/retiree/abc", "/api/v1/retiree/99999999", "/nope",
                                 "/retirees/list/?_flt_3_retirement_date=notadate",
                                 "/retirees/list/?page_Retiree=-5&psize_Retiree=abc",
                                 "/api/v1/retiree/?q=(((broken",
                                 "/lang/xx"])
def test_malformed_urls_never_give_500(app, as_user, url):
    r = as_user("sasac").get(url)
    assert r.status_code < 500, (url, r.status_code)


def test_api_rejects_overlong_and_unknown_fields(app, as_user):
    c = as_user("enterprise1")
    pk = _some_own_retiree(app)
    before = count_rows(app)
    assert c.put(f"/api/v1/retiree/{pk}", json={"name_zh": "名" * 500}).status_code == 422
    assert c.put(f"/api/v1/retiree/{pk}", json={"no_such_field": 1}).status_code in (400, 422)
    assert c.put(f"/api/v1/retiree/{pk}", json={"birth_date": "31/02/1950"}).status_code in (400, 422)
    assert count_rows(app) == before


def test_delete_with_token_works_for_own_row(app, as_user, cleanup_retirees):
    from tests.scoping import retiree_payload

    with app.app_context():
        payload = retiree_payload(db.session, "E-S02", "540502")
        db.session.remove()
    c = as_user("enterprise1")
    pk = c.post("/api/v1/retiree/", json=payload).get_json()["id"]
    r = c.post(f"/retirees/delete/{pk}", data={"csrf_token": session_csrf(c)})
    assert r.status_code == 302
    with app.app_context():
        assert db.session.get(Retiree, pk) is None
        db.session.remove()
