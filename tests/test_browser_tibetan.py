"""Tibetan in the browser's widgets (issue 13), measured in Chromium: select2 shows the vowel signs (the ink of
every glyph lies inside the box that clips it), the navbar is one row at 1280 px, the date picker speaks the
page's language. Screenshots go to tests/artifacts/."""
import re

import pytest

from tests.test_browser import ARTIFACTS, _login, browser, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

# The ink box of a text in its element: the canvas measures the glyphs' real extent (actualBoundingBox) and the
# font's ascent and descent; the baseline sits where CSS puts it in a line box of the element's line-height.
INK = """(selector) => [...document.querySelectorAll(selector)].filter(el => el.offsetParent !== null).map(el => {
  const node = [...el.childNodes].reverse().find(n => n.nodeType === 3 && n.textContent.trim());
  const text = node ? node.textContent.trim() : '';
  const cs = getComputedStyle(el);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
  const m = ctx.measureText(text);
  const r = el.getBoundingClientRect();
  const lineHeight = cs.lineHeight === 'normal' ? m.fontBoundingBoxAscent + m.fontBoundingBoxDescent
                                                : parseFloat(cs.lineHeight);
  const top = r.top + parseFloat(cs.borderTopWidth) + parseFloat(cs.paddingTop);
  const baseline = top + (lineHeight - (m.fontBoundingBoxAscent + m.fontBoundingBoxDescent)) / 2
                   + m.fontBoundingBoxAscent;
  return {text, inkTop: baseline - m.actualBoundingBoxAscent, inkBottom: baseline + m.actualBoundingBoxDescent,
          clipTop: r.top + parseFloat(cs.borderTopWidth), clipBottom: r.bottom - parseFloat(cs.borderBottomWidth),
          scroll: el.scrollHeight, client: el.clientHeight};
})"""


def _clipped(measures):
    return [m for m in measures if m["text"] and (m["inkTop"] < m["clipTop"] - 0.5 or m["inkBottom"] > m["clipBottom"] + 0.5
                                                   or m["scroll"] > m["client"])]


def _page(browser, live_server, user, lang, width=1280):  # noqa: F811
    page = browser.new_page(viewport={"width": width, "height": 900})
    _login(page, live_server, user)
    page.goto(f"{live_server}/lang/{lang}")
    return page


def test_select2_in_tibetan_shows_the_vowel_signs(app, live_server, browser):  # noqa: F811
    ARTIFACTS.mkdir(exist_ok=True)
    page = _page(browser, live_server, "enterprise1", "bo")
    page.goto(f"{live_server}/retirees/add")
    page.evaluate("document.fonts.ready")
    page.select_option("#gender", "M")  # ཕོ། : a vowel sign above
    selections = page.evaluate(INK, ".select2-selection__rendered")
    assert any(m["text"] == "ཕོ།" for m in selections), selections
    assert any(m["text"] == "བོད་རིགས།" for m in selections), selections
    assert not _clipped(selections), _clipped(selections)
    page.click("#gender + .select2 .select2-selection")
    page.wait_for_selector(".select2-results__option")
    options = page.evaluate(INK, ".select2-results__option")
    assert {m["text"] for m in options} >= {"ཕོ།", "མོ།"} and not _clipped(options), options
    page.screenshot(path=str(ARTIFACTS / "select2-open-bo.png"))
    # the measurement does find clipping: FAB's own 34 px box with 6 px padding cut ཕོ to ཕ
    page.keyboard.press("Escape")
    page.add_style_tag(content=".select2-container--bootstrap .select2-selection--single { height: 34px !important;"
                               " padding: 6px 24px 6px 12px !important; }"
                               " .select2-selection__rendered { line-height: 1.9 !important; padding: 0 !important; }")
    assert _clipped(page.evaluate(INK, ".select2-selection__rendered"))
    page.close()


@pytest.mark.parametrize("user", ["sasac", "county1", "enterprise1", "sysadmin"])
def test_the_navbar_is_one_row_in_tibetan_at_1280(app, live_server, browser, user):  # noqa: F811
    page = _page(browser, live_server, user, "bo")
    page.goto(f"{live_server}/")
    page.evaluate("document.fonts.ready")
    tops = page.evaluate("""[...document.querySelectorAll('.navbar-brand, .navbar-nav > li')]
                            .filter(e => e.offsetParent !== null).map(e => e.getBoundingClientRect().top)""")
    height = page.evaluate("document.querySelector('.navbar').getBoundingClientRect().height")
    if user == "sasac":
        page.screenshot(path=str(ARTIFACTS / "navbar-bo.png"), clip={"x": 0, "y": 0, "width": 1280, "height": 120})
    page.close()
    assert max(tops) - min(tops) < 12, tops  # every item on the first row
    assert height < 80, height


@pytest.mark.parametrize("lang, month_word", [("bo", "ཟླ་བ་"), ("zh", "月")])
def test_the_date_picker_speaks_the_pages_language(app, live_server, browser, lang, month_word):  # noqa: F811
    page = _page(browser, live_server, "enterprise1", lang)
    page.goto(f"{live_server}/retirees/add")
    page.click("#birth_date")
    page.wait_for_selector(".datepicker-dropdown .datepicker-days")
    head = page.inner_text(".datepicker-dropdown .datepicker-days thead")
    page.screenshot(path=str(ARTIFACTS / f"datepicker-{lang}.png"))
    page.close()
    assert month_word in head, head
    assert not re.search(r"January|February|March|April|May|June|July|August|September|October|November|December"
                         r"|\b(Su|Mo|Tu|We|Th|Fr|Sa)\b", head), head


def test_monthly_badges_do_not_overlap_in_tibetan(app, live_server, browser):  # noqa: F811
    page = _page(browser, live_server, "sasac", "bo")
    page.goto(f"{live_server}/monthly/?from=2020-07&to=2020-09")
    page.evaluate("document.fonts.ready")
    boxes = page.evaluate("""[...document.querySelectorAll('#monthly-overview .label, #monthly-overview .badge')]
        .filter(e => e.offsetParent !== null).map(e => { const r = e.getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom, e.scrollHeight, e.clientHeight, parseFloat(getComputedStyle(e).fontSize)]; })""")
    page.screenshot(path=str(ARTIFACTS / "monthly-bo.png"), full_page=False)
    page.close()
    assert boxes
    for i, a in enumerate(boxes):
        assert a[4] <= a[5] + 1 and a[6] >= 12, a  # room for the stacks; not 11 px
        for b in boxes[i + 1:]:
            overlap = min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1
            assert not overlap, (a, b)
