"""The system runs on a government intranet: no page or asset refers to another host."""
import pathlib

from tests.conftest import login
from tests.pages import CSS_EXTERNAL, EXTERNAL_URL, main_pages

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_main_pages_refer_to_no_outside_host(app):
    clients = {}
    for user, url in main_pages(app):
        if user not in clients:
            clients[user] = login(app.test_client(), user) if user else app.test_client()
        html = clients[user].get(url).get_data(as_text=True)
        assert not EXTERNAL_URL.search(html), (url, EXTERNAL_URL.search(html).group(0))


def test_served_css_imports_nothing_from_outside(app, as_user):
    """Every stylesheet the main pages load (FAB's unused themes import web fonts and stay unused)."""
    import re

    clients = {}
    sheets = set()
    for user, url in main_pages(app):
        if user not in clients:
            clients[user] = login(app.test_client(), user) if user else app.test_client()
        sheets |= set(re.findall(r'href="(/static/[^"]+\.css(?:\?v=[0-9a-f]+)?)"', clients[user].get(url).get_data(as_text=True)))
    assert any("app.css" in s for s in sheets)
    c = app.test_client()
    for sheet in sheets:
        assert not CSS_EXTERNAL.search(c.get(sheet).get_data(as_text=True)), sheet
    for css in (ROOT / "static").rglob("*.css"):
        assert not CSS_EXTERNAL.search(css.read_text()), css


def test_stylesheets_and_scripts_of_a_page_are_served_locally(app, as_user):
    import re

    c = as_user("sasac")
    html = c.get("/retirees/list/").get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(a.split("?v=")[0].endswith("app.css") for a in assets)  # versioned URLs (app/web_assets.py)
    for asset in assets:
        assert c.get(asset).status_code == 200, asset
