"""A community worker's certification round on a phone-sized screen (390 px) in Tibetan, in a real browser:
today's list, one tap records a certification, the card leaves the list; large touch targets, no sideways
scrolling, nothing loaded from outside."""
import re

import pytest

from app import clock
from tests.test_browser import ARTIFACTS, _login, browser, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_certification_round_on_a_phone_in_tibetan(app, live_server, browser):  # noqa: F811
    from app.community.models import Certification, ServiceRecord
    from app.extensions import db

    ARTIFACTS.mkdir(exist_ok=True)
    external = []
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server) else None)
    _login(page, live_server, "community1")
    page.goto(f"{live_server}/lang/bo")
    page.goto(f"{live_server}/community/today/")
    assert page.get_attribute("html", "lang") == "bo"
    cards = page.locator("#round .round-card")
    assert cards.count() > 0
    page.screenshot(path=str(ARTIFACTS / "today-bo-phone.png"), full_page=True)
    # large touch targets, the page fits the screen
    button = cards.first.locator("button.btn-tap").first
    box = button.bounding_box()
    assert box["height"] >= 44 and box["width"] >= 300
    wide = page.evaluate("""Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > 391)
        .map(e => e.tagName + '.' + e.className + '#' + e.id + ':' + Math.round(e.getBoundingClientRect().right)).slice(0, 8)""")
    assert page.evaluate("document.documentElement.scrollWidth") <= 392, wide
    # Tibetan labels, no English
    text = page.inner_text("#round")
    assert re.search(r"[\u0F00-\u0FFF]", text) and "Home visit" not in text and "In person" not in text

    record_id = int(cards.first.get_attribute("data-record"))
    with app.app_context():
        before = db.session.query(Certification).join(
            ServiceRecord, ServiceRecord.retiree_id == Certification.retiree_id).filter(
            ServiceRecord.id == record_id).count()
        db.session.remove()
    # the page posts and comes back to the same address: wait for that navigation, not for the URL
    with page.expect_navigation():
        cards.first.locator('button[data-method="home_visit"]').tap()
    page.wait_for_load_state()
    page.screenshot(path=str(ARTIFACTS / "today-bo-phone-after.png"), full_page=True)
    assert page.locator(".alert-success").count() == 1, (page.url, page.inner_text("body")[:800])
    assert re.search(r"[\u0F00-\u0FFF]", page.inner_text(".alert-success"))
    assert page.locator(f'#round .round-card[data-record="{record_id}"]').count() == 0
    page.screenshot(path=str(ARTIFACTS / "today-bo-phone-after.png"), full_page=True)
    with app.app_context():
        record = db.session.get(ServiceRecord, record_id)
        after = db.session.query(Certification).filter_by(retiree_id=record.retiree_id).count()
        assert after == before + 1 and record.last_certified_on == clock.today()
        db.session.remove()
    assert not external, external
    context.close()
