"""A refusal of the rules comes back beside its field, the form filled as typed, nothing written (issue 10):
the add and edit forms of app/scoped_views.py, through HTTP."""
import datetime
import html
import re

from flask_babel import force_locale, gettext

from app import clock
from app.retirees import idcard
from app.supervision.models import SupervisionItem
from tests.conftest import count_rows, csrf_token, org_id
from tests.test_ledger import _form


def _zh(app, message, **kw):
    with app.test_request_context(), force_locale("zh"):
        return gettext(message, **kw)


def _field_block(page, name):
    """The form row of field `name` (its input and what is written beside it)."""
    match = re.search(r'<tr>(?:(?!<tr>).)*?name="%s"(?:(?!</tr>).)*</tr>' % re.escape(name), page, re.S)
    assert match, f"no field {name} on the page"
    return match.group(0)


def test_gender_against_the_id_comes_back_beside_the_gender(app, as_user, cleanup_retirees):
    client = as_user("enterprise1")
    born = datetime.date(1958, 4, 12)
    number = idcard.make("540502", born, 42, False)  # a woman's number
    data = _form(app, resident_id=number, gender="M", name_zh="性别不符测试", note="保留这段备注")
    data["csrf_token"] = csrf_token(client, "/retirees/add")
    before = count_rows(app)
    response = client.post("/retirees/add", data=data)
    page = response.get_data(as_text=True)
    # the same form again, not a redirect to another page
    assert response.status_code == 200 and 'id="model_form"' in page
    block = _field_block(page, "gender")
    with app.app_context():
        from app.retirees import rules

        message = rules.gender_problem(number, "M")
        with app.test_request_context(), force_locale("zh"):
            message = str(message)
    assert message and html.escape(message) in block, block
    # everything typed is still there
    assert 'value="性别不符测试"' in page and "保留这段备注" in page and number in page
    assert count_rows(app) == before


def test_a_deadline_in_the_past_comes_back_beside_the_deadline(app, as_user):
    client = as_user("supervision")
    yesterday = (clock.today() - datetime.timedelta(days=1)).isoformat()
    title = "过期期限测试事项"
    data = {"csrf_token": csrf_token(client, "/items/add"), "unit": org_id(app, "540502"), "title": title,
            "requirement": "请在期限内报送整改情况并附佐证材料。", "deadline": yesterday, "task_id": "", "report_id": ""}
    before = count_rows(app, SupervisionItem)
    response = client.post("/items/add", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="model_form"' in page
    block = _field_block(page, "deadline")
    assert "has-error" in block or "text-danger" in block or "help-block" in block
    with app.app_context():
        from app.supervision import rules

        with app.test_request_context(), force_locale("zh"):
            message = str(rules.deadline_problem(clock.today(), datetime.date.fromisoformat(yesterday)))
    assert html.escape(message) in block
    assert f'value="{title}"' in page and "请在期限内报送整改情况并附佐证材料。" in page and yesterday in page
    assert count_rows(app, SupervisionItem) == before


def test_a_form_wide_refusal_is_shown_at_the_top_with_the_form_kept(app, as_user):
    # a county may not open supervision items: the refusal concerns no one field
    client = as_user("county1")
    page = client.get("/items/list/").get_data(as_text=True)
    assert "/items/add" not in page  # not offered (may())
    token = csrf_token(client, "/resetmypassword/form")
    tomorrow = (clock.today() + datetime.timedelta(days=3)).isoformat()
    response = client.post("/items/add", data={
        "csrf_token": token, "unit": org_id(app, "540502"), "title": "县里不能开的事项", "requirement": "内容",
        "deadline": tomorrow, "task_id": "", "report_id": ""})
    assert response.status_code in (200, 403)
    if response.status_code == 200:
        page = response.get_data(as_text=True)
        assert "alert-danger" in page or "has-error" in page
        assert 'value="县里不能开的事项"' in page
    assert count_rows(app, SupervisionItem, SupervisionItem.title == "县里不能开的事项") == 0
