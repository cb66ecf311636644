"""The clerks' main flows in Chromium (issue 13): the enterprise's bulk path from the roster template to a
submitted batch; the county's and the community's to-do entries and their one click to the work; a
phone-sized community confirmation. Screenshots in zh and bo go to tests/artifacts/."""
import pytest
from sqlalchemy import select

from tests import rosterfiles as rf
from tests.test_browser import ARTIFACTS, _login, browser, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def _ok(page):
    page.locator(".alert-success, .alert-danger").first.wait_for(timeout=15000)
    assert page.locator(".alert-danger").count() == 0, page.locator(".alert-danger").first.inner_text()


def _handover_batch(app, n, offset, accept):
    """A batch of `n` of enterprise1's people to 乃东区, submitted (and accepted into community1), made through
    the services as the demo users; returns (batch id, case ids)."""
    from app.extensions import appbuilder, db
    from app.handover import services
    from app.handover.models import HandoverBatch, HandoverCase
    from app.org.models import Organization
    from app.retirees.models import Retiree

    with app.app_context():
        org = {c: db.session.scalar(select(Organization).where(Organization.code == c))
               for c in ("E-S02", "540502", "540502-01-01")}
        users = {u: appbuilder.sm.find_user(username=u) for u in ("enterprise1", "county1")}
        cases = db.session.scalars(select(HandoverCase).join(Retiree, Retiree.id == HandoverCase.retiree_id).where(
            HandoverCase.enterprise_id == org["E-S02"].id, HandoverCase.proposed_county_id == org["540502"].id,
            HandoverCase.batch_id.is_(None), HandoverCase.place_confirmed_on.is_(None),
            Retiree.deceased.is_(False)).order_by(HandoverCase.id.desc()).offset(offset).limit(n)).all()
        services.confirm_proposed_places(users["enterprise1"], cases)
        batch = HandoverBatch(receiving_county=org["540502"], note="浏览器测试")
        services.create_batch(users["enterprise1"], batch)
        db.session.add(batch)
        db.session.flush()
        services.add_to_batch(users["enterprise1"], batch, [c.retiree_id for c in cases])
        services.submit_batch(users["enterprise1"], batch)
        if accept:
            services.accept_batch(users["county1"], batch, {c.id: org["540502-01-01"] for c in cases})
        db.session.commit()
        result = batch.id, [c.id for c in cases]
        db.session.remove()
        return result


def _no_overflow(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => {
        const r = e.getBoundingClientRect(); return r.right > 391 && r.width > 0
;
      }).slice(0, 12).map(e => e.tagName + '.' + e.className + '#' + e.id + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert width <= page.viewport_size["width"] + 1, f"page is {width}px wide: {wide}"


def test_enterprise_bulk_path_from_template_to_submitted_batch(app, live_server, browser,  # noqa: F811
                                                               cleanup_retirees):
    from app.extensions import db
    from app.handover.models import HandoverBatch, HandoverCase
    from app.retirees.models import Retiree

    ARTIFACTS.mkdir(exist_ok=True)
    external, clicks = [], []
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("request", lambda r: external.append(r.url) if not r.url.startswith(live_server) else None)

    def click(selector):
        clicks.append(selector)
        page.click(selector)

    _login(page, live_server, "enterprise1")
    page.goto(f"{live_server}/lang/zh")
    # 1. the roster: the template, filled with three new people, uploaded and imported
    page.goto(f"{live_server}/roster/")
    assert page.locator("#download-template").count() == 1
    people = [rf.person(400 + i, name_zh=f"批量路径{i}") for i in range(3)]
    page.set_input_files("#file", files=[{"name": "名册.xlsx", "buffer": rf.workbook(people),
                                          "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}])
    click("#upload-button")
    page.wait_for_selector("#commit-import")
    click("#commit-import")
    page.wait_for_load_state()
    page.screenshot(path=str(ARTIFACTS / "clerks-enterprise-imported-zh.png"), full_page=True)
    _ok(page)
    clicks.clear()  # what follows is the handover itself

    # 2. home: the people without a confirmed place, one click to them
    page.goto(f"{live_server}/")
    page.screenshot(path=str(ARTIFACTS / "clerks-enterprise-home-zh.png"), full_page=True)
    click("#work-unconfirmed .work-head")
    page.wait_for_selector("#compact-search")
    page.fill("#cs-q", "批量路径")
    click("#compact-search-button")
    page.wait_for_load_state()
    page.screenshot(path=str(ARTIFACTS / "clerks-enterprise-unconfirmed-zh.png"), full_page=True)
    page.wait_for_selector("input.action_check")
    assert page.locator("input.action_check").count() == 3
    click("#check_all")
    click("#bulk-confirm_places")
    _ok(page)
    with app.app_context():
        rows = db.session.execute(select(HandoverCase.id, HandoverCase.place_confirmed_on,
                                         HandoverCase.receiving_county_id, HandoverCase.retiree_id).join(
            Retiree, Retiree.id == HandoverCase.retiree_id).where(Retiree.name_zh.like("批量路径%"))).all()
        db.session.remove()
    assert len(rows) == 3 and all(r.place_confirmed_on for r in rows)
    county = rows[0].receiving_county_id

    # 3. a new batch; after saving the user is in it; select all; add; submit
    page.goto(f"{live_server}/")
    click("#work-ready .work-action")
    page.select_option("#receiving_county", value=str(county))
    click("form [type=submit]")
    page.wait_for_url("**/batches/show/**")
    click("#select-all-eligible")
    click("#add-button")
    _ok(page)
    click("#submit-button")
    _ok(page)
    page.screenshot(path=str(ARTIFACTS / "clerks-batch-submitted-zh.png"), full_page=True)
    batch_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    with app.app_context():
        batch = db.session.get(HandoverBatch, batch_id)
        assert batch.status == "submitted"
        assert {r.id for r in rows} <= {c.id for c in batch.cases}
        db.session.remove()
    # a handful of clicks, whatever the number of people (the select-all boxes make it so)
    assert len(clicks) <= 12, clicks
    page.goto(f"{live_server}/lang/bo")
    page.goto(f"{live_server}/batches/show/{batch_id}")
    page.screenshot(path=str(ARTIFACTS / "clerks-batch-submitted-bo.png"), full_page=True)
    page.goto(f"{live_server}/lang/zh")
    assert not external, external[:3]


@pytest.mark.parametrize("lang", ["zh", "bo"])
def test_county_to_do_entry_one_click_to_the_batch_and_accept(app, live_server, browser, lang):  # noqa: F811
    from app.extensions import db
    from app.handover.models import HandoverBatch
    from app.org.models import Organization

    batch_id, cases = _handover_batch(app, 2, 10, accept=False)
    with app.app_context():
        from app.handover.models import HandoverCase

        before = {c: db.session.get(HandoverCase, c).receiving_community_id for c in cases}
        db.session.remove()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server, "county1")
    page.goto(f"{live_server}/lang/{lang}")
    page.goto(f"{live_server}/")
    card = page.locator("#work-to-accept")
    assert int(card.locator(".work-count").inner_text()) >= 1
    page.screenshot(path=str(ARTIFACTS / f"clerks-county-home-{lang}.png"), full_page=True)
    # the inbox names the batch and opens it
    page.goto(f"{live_server}/inbox/?kind=batch")
    page.screenshot(path=str(ARTIFACTS / f"clerks-county-inbox-{lang}.png"), full_page=True)
    page.goto(f"{live_server}/")
    card.locator(f"a[href='/batches/show/{batch_id}']").click()  # one click from home to the batch
    page.wait_for_url(f"**/batches/show/{batch_id}")
    with app.app_context():
        community = db.session.scalar(select(Organization.id).where(Organization.code == "540502-01-02"))
        db.session.remove()
    page.select_option("#community-all", value=str(community))
    page.click("#accept-button")
    _ok(page)
    page.screenshot(path=str(ARTIFACTS / f"clerks-county-accepted-{lang}.png"), full_page=True)
    page.goto(f"{live_server}/lang/zh")
    with app.app_context():
        batch = db.session.get(HandoverBatch, batch_id)
        assert batch.status == "accepted"
        # the one choice filled every person without a community; a community already known was kept
        assert {c.id: c.receiving_community_id for c in batch.cases} == {
            c: before[c] or community for c in cases}
        db.session.remove()


@pytest.mark.parametrize("lang", ["zh", "bo"])
def test_community_to_do_entry_one_click_to_bulk_receipt(app, live_server, browser, lang):  # noqa: F811
    from app.extensions import db
    from app.handover.models import HandoverCase

    batch_id, cases = _handover_batch(app, 3, 10, accept=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server, "community1")
    page.goto(f"{live_server}/lang/{lang}")
    page.goto(f"{live_server}/inbox/?kind=batch")
    entry = page.locator(".inbox-entry[data-kind=batch]", has_text=f"-{batch_id:04d}").first
    page.screenshot(path=str(ARTIFACTS / f"clerks-community-inbox-{lang}.png"), full_page=True)
    entry.locator("button").click()  # one click: the list of exactly these people
    page.wait_for_url(f"**/handover/list/?batch={batch_id}**")
    assert page.locator("input.action_check").count() == 3
    page.click("#check_all")
    page.click("#bulk-receive_selected")
    _ok(page)
    page.screenshot(path=str(ARTIFACTS / f"clerks-community-received-{lang}.png"), full_page=True)
    page.goto(f"{live_server}/lang/zh")
    with app.app_context():
        assert all(db.session.get(HandoverCase, c).received_on for c in cases)
        db.session.remove()


@pytest.mark.parametrize("lang", ["zh", "bo"])
def test_phone_sized_community_confirmation(app, live_server, browser, lang):  # noqa: F811
    from app.extensions import db
    from app.handover.models import HandoverCase

    _batch_id, cases = _handover_batch(app, 1, 10, accept=True)
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True,
                            has_touch=True)
    _login(page, live_server, "community1")
    page.goto(f"{live_server}/lang/{lang}")
    page.goto(f"{live_server}/")
    _no_overflow(page)
    page.screenshot(path=str(ARTIFACTS / f"clerks-phone-home-{lang}.png"), full_page=True)
    page.click("#work-to-confirm .work-head")
    page.wait_for_selector("#compact-search")
    _no_overflow(page)
    assert page.locator("#bulk-receive_selected").is_visible()
    page.screenshot(path=str(ARTIFACTS / f"clerks-phone-list-{lang}.png"), full_page=True)
    page.goto(f"{live_server}/handover/show/{cases[0]}")
    button = page.locator("#receive-form button")
    box = button.bounding_box()
    assert box is not None and box["y"] + box["height"] <= 844, box  # on the first screen, no scrolling
    page.screenshot(path=str(ARTIFACTS / f"clerks-phone-case-{lang}.png"))
    button.click()
    _ok(page)
    _no_overflow(page)
    page.goto(f"{live_server}/lang/zh")
    with app.app_context():
        assert db.session.get(HandoverCase, cases[0]).received_on is not None
        db.session.remove()
