"""Policy notices (policy 四(四)) through HTTP: SASAC writes and publishes in both languages, units read what
is addressed to them (their reading recorded), retirees read public notices without login, nothing else."""
from sqlalchemy import select

from app.extensions import db
from app.notices.models import NoticeRead, PolicyNotice
from app.notify.models import Notification
from tests.conftest import count_rows, org_id, session_csrf


def _read(app, fn):
    with app.app_context():
        value = fn(db.session)
        db.session.remove()
        return value


def _notice(app, **where):
    return _read(app, lambda s: s.scalar(select(PolicyNotice.id).where(
        *[getattr(PolicyNotice, k) == v for k, v in where.items()]).order_by(PolicyNotice.id).limit(1)))


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": session_csrf(client), **data}, follow_redirects=True)


def test_publish_needs_both_languages_and_reaches_the_audience(app, as_user):
    sasac = as_user("sasac")
    before = count_rows(app, PolicyNotice)
    _post(sasac, "/notices/add", title_zh="测试通知", title_bo="", body_zh="正文", body_bo="", audience="counties")
    assert count_rows(app, PolicyNotice) == before + 1
    pk = _notice(app, title_zh="测试通知")
    page = _post(sasac, f"/notices/{pk}/publish").get_data(as_text=True)
    assert _read(app, lambda s: s.get(PolicyNotice, pk).status) == "draft" and "alert-danger" in page
    _post(sasac, f"/notices/edit/{pk}", title_zh="测试通知", title_bo="ཚོད་ལྟའི་བརྡ་ཐོ།", body_zh="正文",
          body_bo="ནང་དོན།", audience="counties")
    _post(sasac, f"/notices/{pk}/publish")
    assert _read(app, lambda s: s.get(PolicyNotice, pk).status) == "published"
    # every county has a to-do entry, no enterprise has
    keys = _read(app, lambda s: set(s.scalars(select(Notification.org_id).where(
        Notification.key.like(f"notice:{pk}:%")))))
    assert org_id(app, "540502") in keys and org_id(app, "E-S02") not in keys
    # a published notice is not edited any more
    _post(sasac, f"/notices/edit/{pk}", title_zh="改过", title_bo="ཚོད་ལྟའི་བརྡ་ཐོ།", body_zh="正文",
          body_bo="ནང་དོན།", audience="counties")
    assert _read(app, lambda s: s.get(PolicyNotice, pk).title_zh) == "测试通知"
    # addressed to counties: county1 sees and reads it, enterprise1 does not see it
    county = as_user("county1")
    assert "测试通知" in county.get("/notices/list/").get_data(as_text=True)
    assert county.get(f"/notices/show/{pk}").status_code == 200
    assert _read(app, lambda s: s.scalar(select(NoticeRead.org_id).where(NoticeRead.notice_id == pk))) == \
        org_id(app, "540502")
    assert as_user("enterprise1").get(f"/notices/show/{pk}").status_code == 404
    assert "测试通知" not in as_user("enterprise1").get("/notices/list/").get_data(as_text=True)
    # reading twice records one reading; the office sees who has read
    county.get(f"/notices/show/{pk}")
    assert _read(app, lambda s: len(s.scalars(select(NoticeRead).where(NoticeRead.notice_id == pk)).all())) == 1
    coverage = sasac.get(f"/notices/show/{pk}").get_data(as_text=True)
    assert 'id="notice-coverage"' in coverage and "1 / 12" in coverage


def test_only_sasac_writes_and_drafts_are_not_read(app, as_user):
    draft = _notice(app, status="draft")
    for user in ("county1", "enterprise1", "supervision", "leader"):
        c = as_user(user)
        assert c.get(f"/notices/show/{draft}").status_code == 404, user
        before = count_rows(app, PolicyNotice)
        _post(c, "/notices/add", title_zh="x", title_bo="x", body_zh="x", body_bo="x", audience="all")
        assert count_rows(app, PolicyNotice) == before, user
    published = _notice(app, status="published")
    _post(as_user("county1"), f"/notices/{published}/withdraw")
    assert _read(app, lambda s: s.get(PolicyNotice, published).status) == "published"


def test_public_page_shows_only_public_notices_without_login(app):
    client = app.test_client()
    page = client.get("/public/notices/").get_data(as_text=True)
    public = _read(app, lambda s: s.scalars(select(PolicyNotice).where(PolicyNotice.public.is_(True))).all())
    private = _read(app, lambda s: s.scalars(select(PolicyNotice).where(PolicyNotice.public.is_(False),
                                                                        PolicyNotice.status == "published")).all())
    assert public and all(n.title_bo in page and n.title_zh in page for n in public if n.status == "published")
    assert private and not any(n.title_zh in page for n in private)
    assert client.get(f"/public/notices/{private[0].id}").status_code == 404
    assert client.get("/notices/list/").status_code in (302, 401, 403)  # the unit pages need a login
