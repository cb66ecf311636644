"""Chinese by default, Tibetan on request, the choice kept per user; no English on any main page; complete
catalogs; the Tibetan font shipped and used."""
import pathlib
import re

import pytest
from babel.messages.pofile import read_po

from app.demo.data import ACCOUNTS
from tests.conftest import login
from tests.pages import english_words, main_pages

ROOT = pathlib.Path(__file__).resolve().parent.parent
USERNAMES = {a[0] for a in ACCOUNTS} | {"no-such-user", "orphan", "PDF"}  # data typed by users/tests; a format name


@pytest.mark.parametrize("lang", ["zh", "bo"])
def test_catalog_is_complete_and_not_fuzzy(lang):
    with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        catalog = read_po(fh)
    empty = [m.id for m in catalog if m.id and not (m.string if isinstance(m.string, str) else m.string[0])]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not empty, f"untranslated in {lang}: {empty[:10]}"
    assert not fuzzy, f"fuzzy in {lang}: {fuzzy[:10]}"
    if lang == "bo":
        han = [m.id for m in catalog if m.id and re.search(r"[\u4e00-\u9fff]", str(m.string))]
        assert not han, f"Han characters in Tibetan: {han[:5]}"


def test_catalog_covers_every_extracted_string():
    with open(ROOT / "translations" / "messages.pot", "rb") as fh:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    for lang in ("zh", "bo"):
        with open(ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
            ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
        assert template <= ids, f"{lang} misses {sorted(template - ids)[:10]}"


@pytest.mark.parametrize("lang", ["zh", "bo"])
def test_no_english_on_main_pages(app, lang):
    clients = {}
    problems = {}
    for user, url in main_pages(app):
        if user not in clients:
            c = app.test_client()
            if user:
                login(c, user)
            c.get(f"/lang/{lang}")
            clients[user] = c
        html = clients[user].get(url).get_data(as_text=True)
        assert f'<html lang="{lang}">' in html, url
        words = english_words(html, allowed=USERNAMES)
        if words:
            problems[url] = sorted(words)
    assert not problems, problems


def test_default_is_chinese_and_choice_sticks_to_the_user(app):
    c = login(app.test_client(), "county2")
    c.get("/lang/zh")
    assert '<html lang="zh">' in c.get("/").get_data(as_text=True)
    c.get("/lang/bo")
    assert '<html lang="bo">' in c.get("/").get_data(as_text=True)
    # a new session (another browser) starts in the user's language
    other = login(app.test_client(), "county2", lang=None)
    assert '<html lang="bo">' in other.get("/").get_data(as_text=True)
    other.get("/lang/zh")
    anonymous = app.test_client()
    assert '<html lang="zh">' in anonymous.get("/login/").get_data(as_text=True)


def test_navbar_offers_both_languages(app, as_user):
    html = as_user("county1").get("/").get_data(as_text=True)
    assert "中文" in html and "བོད་ཡིག" in html


def test_unknown_locale_is_404_and_changes_nothing(app, as_user):
    c = as_user("county1")
    assert c.get("/lang/xx").status_code == 404
    assert '<html lang="zh">' in c.get("/").get_data(as_text=True)


def test_tibetan_font_is_shipped_and_used():
    font = ROOT / "static" / "fonts" / "NotoSerifTibetan-Regular.ttf"
    assert font.exists() and 300_000 < font.stat().st_size < 2_000_000
    css = (ROOT / "static" / "css" / "app.css").read_text()
    # the pages use its Tibetan-block WOFF2 (tests/test_assets.py), the PDFs the TTF
    assert "NotoSerifTibetan-Tibetan.woff2" in css and ('lang="bo"' in css or ':lang(bo)' in css)
    heights = [float(h) for h in re.findall(r"line-height:\s*([\d.]+)", css)]
    assert heights and min(heights) >= 1.8


def test_glossary_exists_with_core_terms():
    text = (ROOT / "translations" / "GLOSSARY.md").read_text()
    for term in ("退休人员", "移交", "台账", "社区"):
        assert term in text
