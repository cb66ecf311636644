"""A real browser (Debian's Chromium driven by Playwright): log in, switch to Tibetan, open the ledger, add
a retiree with a bad ID (error shown in Tibetan), then a good one; screenshots go to tests/artifacts/."""
import datetime
import os
import pathlib
import shutil
import subprocess
import threading

import pytest
from werkzeug.serving import make_server

from app.retirees import idcard
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = pathlib.Path(__file__).parent / "artifacts"


def _ensure_chromium():
    if not os.path.exists(CHROMIUM) and os.geteuid() == 0 and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], capture_output=True, timeout=600)
        if not os.path.exists(CHROMIUM):
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, timeout=300)
            subprocess.run(["apt-get", "install", "-y", "-q", "chromium"], capture_output=True, timeout=600)
    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed and cannot be installed without root")


@pytest.fixture(scope="module")
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser():
    _ensure_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


def _login(page, base, username):
    page.goto(f"{base}/login/")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("[type=submit]")
    page.wait_for_url(f"{base}/")


def _type_date(page, selector, value):
    # typed key by key as a person would: the date picker reads keystrokes, not a programmatic fill
    page.fill(selector, "")
    page.locator(selector).press_sequentially(value)
    page.press(selector, "Escape")


def test_add_retiree_in_tibetan(app, live_server, browser, cleanup_retirees):
    ARTIFACTS.mkdir(exist_ok=True)
    external = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server) else None)
    _login(page, live_server, "enterprise1")
    page.goto(f"{live_server}/lang/zh")
    page.click("#lang-bo")
    assert page.get_attribute("html", "lang") == "bo"
    page.screenshot(path=str(ARTIFACTS / "home-bo.png"), full_page=True)

    page.goto(f"{live_server}/retirees/list/")
    page.screenshot(path=str(ARTIFACTS / "ledger-bo.png"), full_page=True)
    page.goto(f"{live_server}/retirees/add")
    born = datetime.date(1957, 8, 9)
    good = idcard.make("540502", born, 77, True)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    page.fill("#name_zh", "扎西多吉")
    page.fill("#name_bo", "བཀྲ་ཤིས་རྡོ་རྗེ")
    page.fill("#resident_id", bad)
    _type_date(page, "#birth_date", born.isoformat())
    _type_date(page, "#retirement_date", "2017-09-01")
    page.click("[type=submit]")
    error = page.locator(".has-error, .alert-danger, .text-danger").first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "add-error-bo.png"), full_page=True)
    assert any("\u0f00" <= ch <= "\u0fff" for ch in error), f"error not in Tibetan: {error!r}"
    assert page.get_attribute("html", "lang") == "bo"

    page.fill("#resident_id", good.lower())
    page.click("[type=submit]")
    page.wait_for_url(f"{live_server}/retirees/list/**")
    page.goto(f"{live_server}/retirees/list/?_flt_3_resident_id={good}")
    assert "扎西多吉" in page.content()
    page.screenshot(path=str(ARTIFACTS / "ledger-after-add-bo.png"), full_page=True)
    font_ok = page.evaluate("document.fonts.check('16px \"Noto Serif Tibetan\"', 'བོད')")
    assert font_ok
    assert not external, f"requests left the app: {external[:3]}"


def test_roster_upload_preview_in_tibetan(app, live_server, browser):
    from tests import rosterfiles as rf

    ARTIFACTS.mkdir(exist_ok=True)
    good, bad = rf.person(91), rf.person(92)
    bad["birth_date"] = "1956-02-30"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server, "enterprise1")
    page.goto(f"{live_server}/lang/bo")
    page.goto(f"{live_server}/roster/")
    page.set_input_files("#file", files=[{"name": "名册.xlsx", "buffer": rf.workbook([good, bad]),
                                          "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    page.click("#upload-button")
    page.wait_for_selector("#import-counts")
    assert page.get_attribute("html", "lang") == "bo"
    problem = page.locator(".problem-text").first.inner_text()
    assert any("\u0f00" <= ch <= "\u0fff" for ch in problem), problem
    assert page.locator("#count-add").inner_text() == "1"
    assert page.locator("#commit-import").count() == 0  # a file with a problem cannot be committed
    page.screenshot(path=str(ARTIFACTS / "roster-preview-bo.png"), full_page=True)


def _succeeded(page):
    page.locator(".alert-success, .alert-danger").first.wait_for(timeout=15000)
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").first.inner_text()


def test_batch_end_to_end_with_two_users(app, live_server, browser):
    """The enterprise confirms places, makes a batch and submits it; the county accepts it with communities."""
    from sqlalchemy import select

    from app.extensions import db
    from app.handover.models import HandoverBatch, HandoverCase
    from app.org.models import Organization

    with app.app_context():
        county, community = (db.session.scalar(select(Organization.id).where(Organization.code == code))
                             for code in ("540502", "540502-01-01"))
        cases = db.session.scalars(select(HandoverCase.id).join(
            Organization, Organization.id == HandoverCase.enterprise_id).where(
            Organization.code == "E-S02", HandoverCase.receiving_county_id == county,
            HandoverCase.batch_id.is_(None)).order_by(HandoverCase.id).offset(20).limit(2)).all()
        db.session.remove()
    ARTIFACTS.mkdir(exist_ok=True)
    external = []
    ent = browser.new_page(viewport={"width": 1280, "height": 900})
    ent.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server) else None)
    _login(ent, live_server, "enterprise1")
    for cid in cases:
        ent.goto(f"{live_server}/handover/show/{cid}")
        ent.click("#place-form button[type=submit]")
        _succeeded(ent)
    ent.goto(f"{live_server}/batches/add")
    ent.select_option("#receiving_county", value=str(county))
    ent.click("form [type=submit]")
    _succeeded(ent)
    with app.app_context():
        batch_id = db.session.scalar(select(db.func.max(HandoverBatch.id)))
        retirees = db.session.scalars(select(HandoverCase.retiree_id).where(HandoverCase.id.in_(cases))).all()
        db.session.remove()
    ent.goto(f"{live_server}/batches/show/{batch_id}")
    for rid in retirees:
        ent.check(f"#add-form input[value='{rid}']")
    ent.click("#add-button")
    _succeeded(ent)
    ent.click("#submit-button")
    _succeeded(ent)
    ent.screenshot(path=str(ARTIFACTS / "batch-submitted.png"), full_page=True)

    county_page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(county_page, live_server, "county1")
    county_page.goto(f"{live_server}/lang/bo")
    county_page.goto(f"{live_server}/batches/show/{batch_id}")
    for cid in cases:
        county_page.select_option(f"select[name=community_{cid}]", value=str(community))
    county_page.click("#accept-button")
    _succeeded(county_page)
    county_page.screenshot(path=str(ARTIFACTS / "batch-accepted-bo.png"), full_page=True)
    county_page.goto(f"{live_server}/lang/zh")
    with app.app_context():
        assert db.session.get(HandoverBatch, batch_id).status == "accepted"
        db.session.remove()
    assert not external, f"requests left the app: {external[:3]}"


def test_dashboard_in_both_languages(app, live_server, browser):
    """SASAC's dashboard in Chinese and Tibetan: charts drawn, Tibetan set in the shipped font, nothing
    fetched from outside, and a figure leads to the list behind it."""
    ARTIFACTS.mkdir(exist_ok=True)
    external = []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server) else None)
    _login(page, live_server, "sasac")
    for lang, word in (("zh", "各时间节点完成情况"), ("bo", "དུས་མཚམས་སོ་སོའི་ལེགས་གྲུབ་གནས་ཚུལ།")):
        page.goto(f"{live_server}/lang/{lang}")
        page.goto(f"{live_server}/")
        assert page.get_attribute("html", "lang") == lang
        assert word in page.inner_text("body")
        assert page.locator("svg").count() >= 3  # streams, counties, monthly trend
        assert page.locator("#panel-milestones tr.danger, #panel-milestones tr.success").count() >= 1
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{lang}.png"), full_page=True)
    # the Tibetan text is laid out with the shipped Tibetan font, not a fallback
    assert page.evaluate("document.fonts.check('16px \"Noto Serif Tibetan\"', 'ཀ')")
    used = page.evaluate("""() => [...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)""")
    assert any("Tibetan" in f for f in used), used
    page.locator("#panel-milestones a").first.click()
    page.wait_for_url("**/tasks/show/**")
    assert not external, external
    page.goto(f"{live_server}/lang/zh")
