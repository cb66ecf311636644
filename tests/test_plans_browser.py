"""A real browser: enterprise1 uploads its plan (a small real PDF made here), SASAC returns it with a
comment (in Tibetan), enterprise1 finds the entry in its inbox (navbar count) and the comment on the plan
page. Screenshots in both languages go to /tmp/plans-*.png."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.plans.demo import minimal_pdf
from tests.test_browser import _login, browser, live_server  # noqa: F401 (fixtures)

pytestmark = pytest.mark.browser

SHOTS = "/tmp/plans-{}.png"
COMMENT = "请在方案中写明离休人员的管理安排。"


def _ok(page):
    page.locator(".alert-success, .alert-danger").first.wait_for(timeout=15000)
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").first.inner_text()


def test_enterprise_uploads_sasac_returns_enterprise_sees_it(app, live_server, browser):  # noqa: F811
    from app.org.models import Organization
    from app.plans.models import ImplementationPlan, PlanVersion

    external = []
    ent = browser.new_page(viewport={"width": 1280, "height": 900})
    ent.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server) else None)
    _login(ent, live_server, "enterprise1")
    ent.goto(f"{live_server}/lang/zh")
    ent.goto(f"{live_server}/plans/overview/")
    ent.screenshot(path=SHOTS.format("overview-enterprise-zh"), full_page=True)
    ent.click("#plan-overview a.btn")
    ent.set_input_files("#plan-file", files=[{"name": "山南市国资公司实施方案（第三稿）.pdf",
                                              "mimeType": "application/pdf",
                                              "buffer": minimal_pdf("Implementation plan", "third draft")}])
    ent.fill("#plan-note", "按会议要求修改")
    ent.click("#plan-upload-button")
    _ok(ent)
    ent.screenshot(path=SHOTS.format("uploaded-zh"), full_page=True)
    with app.app_context():
        plan = db.session.scalar(select(ImplementationPlan).join(
            Organization, Organization.id == ImplementationPlan.enterprise_id).where(Organization.code == "E-S02"))
        plan_id, newest = plan.id, plan.latest()
        assert newest.file.original_name == "山南市国资公司实施方案（第三稿）.pdf" and newest.status == "submitted"
        version_id = newest.id
        db.session.remove()

    sasac = browser.new_page(viewport={"width": 1280, "height": 900})
    sasac.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server) else None)
    _login(sasac, live_server, "sasac")
    sasac.goto(f"{live_server}/lang/bo")
    sasac.goto(f"{live_server}/inbox/")
    assert sasac.locator(f"#inbox .inbox-entry[data-kind=plan]").count() >= 1
    sasac.screenshot(path=SHOTS.format("sasac-inbox-bo"), full_page=True)
    sasac.goto(f"{live_server}/plans/overview/?status=not_approved")
    sasac.screenshot(path=SHOTS.format("overview-not-approved-bo"), full_page=True)
    sasac.goto(f"{live_server}/plans/show/{plan_id}")
    sasac.click("#return-button")  # no comment: the browser's required check or the server refuses
    sasac.fill("#return-comment", COMMENT)
    sasac.screenshot(path=SHOTS.format("review-bo"), full_page=True)
    sasac.click("#return-button")
    _ok(sasac)
    sasac.screenshot(path=SHOTS.format("returned-bo"), full_page=True)
    sasac.goto(f"{live_server}/lang/zh")
    sasac.goto(f"{live_server}/plans/show/{plan_id}")
    sasac.screenshot(path=SHOTS.format("returned-sasac-zh"), full_page=True)
    with app.app_context():
        version = db.session.get(PlanVersion, version_id)
        assert (version.status, version.review_comment) == ("returned", COMMENT)
        db.session.remove()

    ent.goto(f"{live_server}/")
    count = int(ent.locator("#inbox-count").inner_text())
    assert count >= 1
    ent.click("#inbox-link a")
    entry = ent.locator("#inbox .inbox-entry[data-kind=plan]").first
    assert COMMENT in entry.inner_text()
    ent.screenshot(path=SHOTS.format("inbox-zh"), full_page=True)
    entry.locator("button").click()  # open: marks it read and goes to the plan
    ent.wait_for_url(f"{live_server}/plans/show/{plan_id}")
    assert COMMENT in ent.locator("#returned-comment").inner_text()
    assert int(ent.locator("#inbox-count").inner_text() or 0) == count - 1 if count > 1 else \
        ent.locator("#inbox-count").count() == 0
    ent.screenshot(path=SHOTS.format("plan-returned-zh"), full_page=True)
    ent.goto(f"{live_server}/lang/bo")
    ent.goto(f"{live_server}/inbox/?all=1")
    assert any("\u0f00" <= ch <= "\u0fff" for ch in ent.locator("#inbox .inbox-entry[data-kind=plan]").first.inner_text())
    ent.screenshot(path=SHOTS.format("inbox-bo"), full_page=True)
    ent.goto(f"{live_server}/plans/show/{plan_id}")
    ent.screenshot(path=SHOTS.format("plan-returned-bo"), full_page=True)
    ent.goto(f"{live_server}/lang/zh")
    assert not external, f"requests left the app: {external[:3]}"
