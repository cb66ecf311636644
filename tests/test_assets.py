"""Slow intranet: static URLs carry their file's hash and are cached for a year; pages and static text are
compressed (brotli or gzip) when the browser accepts it; the Tibetan font is a WOFF2 of the Tibetan block,
applied with unicode-range on every page — the Chinese pages included."""
import gzip
import hashlib
import re
import pathlib

import brotli
import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
WOFF2 = ROOT / "static" / "fonts" / "NotoSerifTibetan-Tibetan.woff2"


def _static_links(html):
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def _app_css(client, lang_page):
    css = next(u for u in _static_links(lang_page) if "/css/app.css" in u)
    response = client.get(css)
    text = response.get_data(as_text=True)
    response.close()
    return css, response, text


def test_static_urls_are_versioned_and_cached_for_a_year(client):
    page = client.get("/login/").get_data(as_text=True)
    links = _static_links(page)
    assert links and all("?v=" in u for u in links)
    css, response, text = _app_css(client, page)
    digest = hashlib.sha256((ROOT / "static" / "css" / "app.css").read_bytes()).hexdigest()[:12]
    assert css.endswith(f"?v={digest}")  # the file's own hash: a changed file gets a new URL
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get("/static/css/app.css")
    assert "immutable" not in plain.headers["Cache-Control"] and "max-age=3600" in plain.headers["Cache-Control"]
    plain.close()
    # FAB's own files too
    fab = next(u for u in links if "/appbuilder/" in u and u.split("?")[0].endswith(".js"))
    r = client.get(fab)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    r.close()


@pytest.mark.parametrize("encoding, decode", [("br", brotli.decompress), ("gzip", gzip.decompress)])
def test_static_text_and_pages_are_compressed(client, encoding, decode):
    page = client.get("/login/").get_data(as_text=True)
    css_url = next(u for u in _static_links(page) if "bootstrap.min.css" in u)
    original = client.get(css_url)
    raw = original.get_data()
    original.close()
    r = client.get(css_url, headers={"Accept-Encoding": f"{encoding}"})
    assert r.headers["Content-Encoding"] == encoding and "Accept-Encoding" in r.headers["Vary"]
    assert decode(r.get_data()) == raw and len(r.get_data()) < len(raw) / 3
    r.close()
    html = client.get("/login/", headers={"Accept-Encoding": f"{encoding}, deflate"})
    assert html.headers["Content-Encoding"] == encoding
    assert "csrf_token" in decode(html.get_data()).decode()
    # no Accept-Encoding, no compression
    assert "Content-Encoding" not in client.get("/login/").headers


def test_the_font_is_a_tibetan_woff2_with_its_current_hash_in_the_css():
    from fontTools.ttLib import TTFont

    data = WOFF2.read_bytes()
    assert data[:4] == b"wOF2" and len(data) < 200_000  # the TTF is 595 KB
    font = TTFont(str(WOFF2))
    cmap = font.getBestCmap()
    assert all(cp in cmap for cp in (0x0F40, 0x0F56, 0x0F7C, 0x0F0B, 0x0F0D))  # ཀ བ ོ ་ །
    assert not any(0x4E00 <= cp <= 0x9FFF or 0x41 <= cp <= 0x5A for cp in cmap)  # no Latin letters, no Chinese
    css = (ROOT / "static" / "css" / "app.css").read_text()
    digest = hashlib.sha256(data).hexdigest()[:12]
    assert f"NotoSerifTibetan-Tibetan.woff2?v={digest}" in css  # rebuilt font => new URL in the CSS


@pytest.mark.parametrize("lang", ["zh", "bo"])
def test_every_page_css_applies_the_tibetan_woff2_by_unicode_range(app, as_user, lang):
    c = as_user("county1", lang=lang)
    page = c.get("/").get_data(as_text=True)
    _url, response, css = _app_css(c, page)
    faces = {re.search(r'font-family:\s*"([^"]+)"', f).group(1): f
             for f in re.findall(r"@font-face\s*{([^}]*)}", css)}
    face = faces["Shannan Tibetan"]
    assert 'format("woff2")' in face and "NotoSerifTibetan-Tibetan.woff2" in face
    assert re.search(r"unicode-range:\s*U\+0F00-0FFF, U\+200C-200D, U\+25CC;", face)  # Tibetan only
    # that family leads the body's stack on every page: Tibetan characters take it, others fall through
    body = re.search(r"(?m)^body\s*{([^}]*)}", css).group(1)
    assert re.search(r'font-family:\s*"Shannan Tibetan"', body)
    # Tibetan pages: the same file, with the space, leads their stack (line boxes keep its metrics)
    assert "NotoSerifTibetan-Tibetan.woff2" in faces["Noto Serif Tibetan"] and "U+0020" in faces["Noto Serif Tibetan"]
    woff = re.search(r'url\("\.\./fonts/([^"]+)"\)', face).group(1)
    font = c.get(f"/static/fonts/{woff}")
    assert font.status_code == 200 and font.headers["Cache-Control"].endswith("immutable")
    font.close()
