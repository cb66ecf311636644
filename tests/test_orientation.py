"""Pages in both languages: no colon after a shad, a title of their own, breadcrumbs on model pages, an add
button that says so, localized file names and file inputs (issue 13)."""
import re
from collections import defaultdict

import pytest

from tests.conftest import login
from tests.pages import main_pages, visible_text

SHAD_COLON = re.compile(r"[\u0f0d\u0f0e]\s*[:：]")


def _pages(app, lang):
    clients = {}
    for user, url in main_pages(app):
        if user not in clients:
            c = app.test_client()
            if user:
                login(c, user)
            c.get(f"/lang/{lang}")
            clients[user] = c
        yield user, url, clients[user].get(url).get_data(as_text=True)


def _title(html):
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    return re.sub(r"\s+", " ", match.group(1)).strip() if match else ""


@pytest.mark.parametrize("lang", ["bo", "zh"])
def test_no_colon_after_a_shad_titles_and_breadcrumbs(app, lang):
    colons, titles, crumbs = {}, defaultdict(list), []
    for user, url, html in _pages(app, lang):
        found = SHAD_COLON.findall(visible_text(html))
        if found:
            colons[url] = found
        titles[_title(html)].append(url)
        if re.search(r"/(list|show|edit|add)\b", url) and 'id="breadcrumbs"' not in html and user:
            crumbs.append(url)
    assert not colons, colons
    assert not crumbs, f"no breadcrumbs on {crumbs}"
    # a list, a record and its form have titles of their own
    shared = {t: urls for t, urls in titles.items()
              if len({re.sub(r"/\d+.*$", "/N", u).split("?")[0] for u in urls}) > 2}
    assert not shared, shared


def test_breadcrumbs_lead_back_to_the_list(app, as_user):
    from sqlalchemy import select

    from app.extensions import db
    from app.retirees.models import Retiree

    with app.app_context():
        pk = db.session.scalars(select(Retiree.id).order_by(Retiree.id).limit(1)).one()
    c = as_user("sasac", "bo")
    html = c.get(f"/retirees/show/{pk}").get_data(as_text=True)
    trail = re.search(r'<ol class="breadcrumb app-breadcrumb" id="breadcrumbs">(.*?)</ol>', html, re.S).group(1)
    assert 'href="/retirees/list/"' in trail and 'href="/"' in trail
    assert "གཙོ་ངོས" in trail
    assert _title(html) != _title(c.get("/retirees/list/").get_data(as_text=True))


def test_the_add_button_says_add(app, as_user):
    html = as_user("sasac", "bo").get("/retirees/list/").get_data(as_text=True)
    button = re.search(r'<a href="[^"]*/retirees/add[^"]*"[^>]*>(.*?)</a>', html, re.S).group(1)
    assert "fa-plus" in button and "ཁ་སྣོན" in visible_text(button)
    html = as_user("sasac", "zh").get("/retirees/list/").get_data(as_text=True)
    button = re.search(r'<a href="[^"]*/retirees/add[^"]*"[^>]*>(.*?)</a>', html, re.S).group(1)
    assert "添加" in visible_text(button)


def test_login_page_labels_in_tibetan_have_no_colon(app):
    c = app.test_client()
    c.get("/lang/bo")
    html = c.get("/login/").get_data(as_text=True)
    assert "གསང་ཨང་།" in html and not SHAD_COLON.search(visible_text(html))
    c.get("/lang/zh")
    assert re.search(r"密码\s*:", visible_text(c.get("/login/").get_data(as_text=True)))
