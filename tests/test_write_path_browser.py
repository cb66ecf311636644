"""The date picker in a real browser: a compact date typed by a clerk (20180430) stays as typed when the field
loses focus (bootstrap-datepicker turned it into today's date) and is saved as 2018-04-30."""
import datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.retirees import idcard
from app.retirees.models import Retiree
from tests.test_browser import _login, browser, live_server  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def test_compact_date_typed_in_the_picker_is_kept_and_saved(app, live_server, browser, cleanup_retirees):  # noqa: F811
    born = datetime.date(1961, 7, 9)
    number = idcard.make("540502", born, 91, True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    _login(page, live_server, "enterprise1")
    page.goto(f"{live_server}/retirees/add")
    page.fill("#name_zh", "日期控件")
    page.fill("#resident_id", number)
    # the birth date is read from the ID number (read-only); the retirement date is typed compactly
    for selector, value in (("#retirement_date", "20180430"),):
        page.fill(selector, "")
        page.locator(selector).press_sequentially(value)
        page.click("#name_zh")  # the picker loses focus: it used to rewrite the text here
        assert page.input_value(selector) == value
    page.select_option("#gender", "M")
    page.click("[type=submit]")
    page.wait_for_load_state()
    with app.app_context():
        row = db.session.scalars(select(Retiree).where(Retiree.resident_id == number)).one()
        assert (row.birth_date, row.retirement_date) == (born, datetime.date(2018, 4, 30))
        db.session.remove()
    page.close()
