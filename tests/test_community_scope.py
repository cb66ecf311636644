"""Scope of the community services' read-only views (tests/scoping.py READ_ONLY_SCOPE_CASES): a user of one
unit gets nothing of another unit's rows — show 404, not in the list — with a positive control each; FAB's
own write routes do not exist; city-wide roles see both sides; the administrators see nothing."""
import pytest

from app.extensions import db
from tests.conftest import session_csrf
from tests.scoping import READ_ONLY_SCOPE_CASES

PAIRS = [pytest.param(case, user, foreign, own, id=f"{case.name}-{user}")
         for case in READ_ONLY_SCOPE_CASES for user, foreign, own in case.pairs]


def _ids(app, foreign, own):
    with app.app_context():
        result = foreign(db.session).id, own(db.session).id
        db.session.remove()
        return result


@pytest.mark.parametrize("case, user, foreign, own", PAIRS)
def test_show_and_list_within_scope(app, as_user, case, user, foreign, own):
    f_id, o_id = _ids(app, foreign, own)
    c = as_user(user)
    assert c.get(f"{case.route_base}/show/{o_id}").status_code == 200
    assert c.get(f"{case.route_base}/show/{f_id}").status_code == 404
    listing = c.get(f"{case.route_base}/list/?psize_{case.model.__name__}=1000").get_data(as_text=True)
    assert f"/show/{f_id}\"" not in listing


@pytest.mark.parametrize("case", READ_ONLY_SCOPE_CASES, ids=lambda c: c.name)
def test_fab_write_routes_do_not_exist(app, as_user, case):
    user, _foreign, own = case.pairs[0]
    _f, o_id = _ids(app, case.pairs[0][1], own)
    c = as_user(user)
    token = session_csrf(c)
    for url in (f"{case.route_base}/add", f"{case.route_base}/edit/{o_id}", f"{case.route_base}/delete/{o_id}"):
        assert c.get(url).status_code == 404, url
        assert c.post(url, data={"csrf_token": token}).status_code in (404, 405), url


@pytest.mark.parametrize("case", READ_ONLY_SCOPE_CASES, ids=lambda c: c.name)
def test_city_wide_reader_sees_both_sides(app, as_user, case):
    c = as_user("sasac")
    for _user, foreign, own in case.pairs:
        f_id, o_id = _ids(app, foreign, own)
        assert c.get(f"{case.route_base}/show/{f_id}").status_code == 200
        assert c.get(f"{case.route_base}/show/{o_id}").status_code == 200


@pytest.mark.parametrize("user", ["sysadmin", "secadmin", "auditadmin"])
def test_administrators_see_no_service_data(app, as_user, user):
    c = as_user(user)
    for case in READ_ONLY_SCOPE_CASES:
        assert c.get(f"{case.route_base}/list/").status_code in (302, 403), case.name
