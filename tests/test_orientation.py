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


def test_downloads_are_named_in_the_readers_language(app, as_user):
    from urllib.parse import unquote

    def name(response):
        disposition = response.headers["Content-Disposition"]
        return unquote(disposition.split("filename*=UTF-8''")[-1]) if "filename*=" in disposition else disposition

    zh, bo = as_user("enterprise1", "zh"), as_user("enterprise1", "bo")
    assert name(zh.get("/roster/template.xlsx")) == "退休人员名册模板.xlsx"
    assert name(bo.get("/roster/template.xlsx")) == "ལས་རྒན་མི་སྣའི་མིང་ཐོའི་མ་དཔེ.xlsx"
    sasac_bo = as_user("sasac", "bo")
    summary = name(sasac_bo.get("/reports/summary.pdf?lang=bo"))
    assert summary.startswith("ལས་དོན་གནས་ཚུལ་བསྡོམས་རིས-") and summary.endswith(".pdf"), summary
    assert not re.search(r"[A-Za-z]{3,}", summary.rsplit(".", 1)[0])


def test_the_tibetan_template_names_its_sheets_and_lists_in_both_languages(app, as_user):
    import io

    import openpyxl

    from app.roster.importer import _choice_lookup, _org_lookup
    from app.roster.columns import COLUMNS_BY_KEY
    from app.org.models import OrgKind

    book = openpyxl.load_workbook(io.BytesIO(as_user("enterprise1", "bo").get("/roster/template.xlsx").data))
    assert book.sheetnames[0].startswith("འགེང་ཚུལ") and "填表说明" in book.sheetnames[0]
    roster = next(n for n in book.sheetnames if "花名册" in n)
    assert roster.startswith("མིང་ཐོ")
    lists = book[next(n for n in book.sheetnames if "选项" in n)]
    values = [c.value for col in lists.iter_cols() for c in col if c.value]
    assert "ཕོ། 男" in values
    assert any(v.startswith("སྣེ་གདོང་ཆུས") and v.endswith("乃东区") for v in values), values[:40]
    # every value offered is one the importer reads
    with app.app_context():
        genders = _choice_lookup(COLUMNS_BY_KEY["gender"])
        assert genders["ཕོ། 男".lower()] == "M"
        counties = _org_lookup(OrgKind.COUNTY)
        assert counties["སྣེ་གདོང་ཆུས། 乃东区"].code == "540502"
    # the instructions lead with Tibetan
    first = book[book.sheetnames[0]].cell(row=1, column=1).value
    assert any("\u0f00" <= ch <= "\u0fff" for ch in first)


def test_file_inputs_are_labelled_in_the_users_language(app, as_user):
    html = as_user("enterprise1", "bo").get("/roster/").get_data(as_text=True)
    picker = re.search(r'<span class="file-picker">(.*?)</span>\s*</span>|<span class="file-picker">(.*?)</label>', html, re.S)
    assert picker and 'type="file"' in html
    text = visible_text(html[html.index('class="file-picker"'):html.index('class="file-picker"') + 900])
    assert "ཡིག་ཆ་འདེམས་པ" in text and "ཡིག་ཆ་བདམས་མེད" in text
    html = as_user("enterprise1", "zh").get("/roster/").get_data(as_text=True)
    assert "选择文件" in html and "未选择文件" in html
