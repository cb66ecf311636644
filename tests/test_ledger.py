"""The retiree ledger through HTTP: add/edit with the policy's rules, messages in the user's language,
ID masking by role, duplicates across the city, 离休 flags."""
import datetime
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.org.models import Organization
from app.retirees import idcard
from app.retirees.models import Retiree
from tests.conftest import count_rows, csrf_token, org_id




def _wrong_check_digit(number):
    return number[:-1] + ("0" if number[-1] != "0" else "1")


BAD_ID = _wrong_check_digit(idcard.make("540502", datetime.date(1958, 4, 12), 42, False))


def _form(app, **over):
    born = datetime.date(1958, 4, 12)
    data = {
        "enterprise": org_id(app, "E-S02"),
        "name_zh": "次仁卓玛",
        "name_bo": "ཚེ་རིང་སྒྲོལ་མ",
        "gender": "F",
        "ethnicity": "tibetan",
        "resident_id": idcard.make("540502", born, 42, False),
        "birth_date": born.isoformat(),
        "retirement_date": "2013-05-01",
        "category": "in_region",
        "insured_county": org_id(app, "540502"),
        "receiving_county": org_id(app, "540502"),
        "pension_source": "basic_insurance",
        "medical_local": "y",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


def _post_add(client, app, **over):
    data = _form(app, **over)
    data["csrf_token"] = csrf_token(client, "/retirees/add")
    return client.post("/retirees/add", data=data, follow_redirects=True)


def test_enterprise_adds_a_valid_retiree(app, as_user, cleanup_retirees):
    c = as_user("enterprise1")
    before = count_rows(app)
    lower_x = idcard.make("540502", datetime.date(1958, 4, 12), 42, False)
    response = _post_add(c, app, resident_id=lower_x.lower() if lower_x.endswith("X") else lower_x)
    assert response.status_code == 200
    assert count_rows(app) == before + 1
    with app.app_context():
        row = db.session.scalars(select(Retiree).where(Retiree.resident_id == lower_x.upper())).one()
        assert row.is_lixiu is False and row.party_member is False  # unticked boxes are False, not refused
        db.session.remove()


def test_lower_case_x_is_normalized(app, as_user, cleanup_retirees):
    c = as_user("enterprise1")
    born = datetime.date(1949, 12, 31)
    number = "11010519491231002X"
    _post_add(c, app, resident_id=number.lower(), birth_date=born.isoformat(), gender="F")
    with app.app_context():
        assert db.session.scalars(select(Retiree.resident_id).where(Retiree.resident_id == number)).one()
        db.session.remove()


@pytest.mark.parametrize("lang, expected", [
    ("zh", "身份证号"),
    ("bo", None),
])
def test_bad_resident_id_is_refused_in_the_users_language(app, as_user, lang, expected):
    c = as_user("enterprise1", lang=lang)
    before = count_rows(app)
    page = _post_add(c, app, resident_id=BAD_ID).get_data(as_text=True)
    assert count_rows(app) == before
    from flask_babel import force_locale, gettext

    with app.test_request_context(), force_locale(lang):
        message = gettext("The check digit of the resident ID number is wrong.")
    assert message in page
    if lang == "bo":
        assert re.search(r"[\u0f00-\u0fff]", message), "the Tibetan catalog lacks this message"
    else:
        assert re.search(r"[\u4e00-\u9fff]", message), "the Chinese catalog lacks this message"


@pytest.mark.parametrize("field, value", [
    ("birth_date", "1958-04-13"),          # disagrees with the ID
    ("gender", "M"),                       # disagrees with the ID
    ("retirement_date", "1950-01-01"),     # before birth
    ("birth_date", "not-a-date"),
    ("name_zh", "名" * 61),                # too long
    ("category", "elsewhere"),             # not a choice
    ("enterprise", "999999"),              # unknown unit
    ("receiving_county", "999999"),
    ("death_date", "1940-01-01"),          # before birth
])
def test_each_broken_rule_refuses_the_form(app, as_user, field, value):
    c = as_user("enterprise1")
    before = count_rows(app)
    response = _post_add(c, app, **{field: value})
    assert response.status_code == 200
    assert count_rows(app) == before
    assert "has-error" in response.get_data(as_text=True) or "alert-danger" in response.get_data(as_text=True)


def test_duplicate_names_no_enterprise_and_goes_to_sasac(app, as_user):
    """Issue 11: naming the holding enterprise answered "who holds this person?" across units. The form says
    only that the number is registered in the city; SASAC gets a report naming both enterprises."""
    from app.duplicates.models import DuplicateIdReport

    with app.app_context():
        other = db.session.scalars(select(Retiree).join(Organization, Retiree.enterprise_id == Organization.id)
                                   .where(Organization.code == "E-C03").limit(1)).one()
        number, holder, name = other.resident_id, other.enterprise.name_zh, other.name_zh
        born, gender = other.birth_date, other.gender
        db.session.remove()
    c = as_user("enterprise1")
    before = count_rows(app)
    page = _post_add(c, app, resident_id=number, birth_date=born.isoformat(), gender=gender,
                     name_zh="另一人").get_data(as_text=True)
    assert count_rows(app) == before
    assert "已在本市登记" in page
    assert holder not in page      # the enterprise that holds it is not named
    assert name not in page        # nor anything of the other person
    assert count_rows(app, DuplicateIdReport, DuplicateIdReport.resident_id == number,
                      DuplicateIdReport.resolved.is_(False)) == 1
    _post_add(c, app, resident_id=number, birth_date=born.isoformat(), gender=gender, name_zh="另一人")
    assert count_rows(app, DuplicateIdReport, DuplicateIdReport.resident_id == number) == 1  # one open report
    sasac = as_user("sasac").get("/duplicate-ids/list/").get_data(as_text=True)
    assert number in sasac and holder in sasac
    assert as_user("enterprise1").get("/duplicate-ids/list/").status_code in (302, 403)


def test_list_masks_ids_for_roles_that_do_not_need_them(app, as_user):
    with app.app_context():
        row = db.session.scalars(select(Retiree).order_by(Retiree.id).limit(1)).one()
        number = row.resident_id
        db.session.remove()
    for url in ("/retirees/list/", f"/retirees/show/{row.id}"):
        leader_page = as_user("leader").get(url).get_data(as_text=True)
        assert idcard.mask(number) in leader_page and number not in leader_page
        sasac_page = as_user("sasac").get(url).get_data(as_text=True)
        assert number in sasac_page
    api = as_user("leader").get(f"/api/v1/retiree/{row.id}").get_json()
    assert api["result"]["resident_id"] == idcard.mask(number)


def test_read_only_roles_cannot_write(app, as_user):
    c = as_user("leader")
    assert c.get("/retirees/add").status_code == 403
    assert c.post("/api/v1/retiree/", json={"name_zh": "x"}).status_code == 403


def test_api_refuses_broken_rules_with_field_messages(app, as_user):
    c = as_user("enterprise1", lang="zh")
    before = count_rows(app)
    payload = {k: v for k, v in _form(app).items() if k != "medical_local"}
    payload["resident_id"] = BAD_ID
    r = c.post("/api/v1/retiree/", json=payload)
    assert r.status_code == 422
    assert "resident_id" in r.get_json()["message"]
    assert c.post("/api/v1/retiree/", json={**payload, "enterprise": 999999}).status_code == 422
    assert c.post("/api/v1/retiree/", data="not json", content_type="text/plain").status_code == 400
    assert count_rows(app) == before


def test_lixiu_is_marked_and_excluded_from_handover_flow(app):
    with app.app_context():
        lixiu = db.session.scalars(select(Retiree).where(Retiree.is_lixiu.is_(True))).all()
        assert lixiu and all(not r.in_handover_flow for r in lixiu)
        normal = db.session.scalars(select(Retiree).where(Retiree.is_lixiu.is_(False)).limit(1)).one()
        assert normal.in_handover_flow
        db.session.remove()


def test_edit_keeps_rules(app, as_user):
    with app.app_context():
        row = db.session.scalars(select(Retiree).join(Organization, Retiree.enterprise_id == Organization.id)
                                 .where(Organization.code == "E-S02").order_by(Retiree.id).limit(1)).one()
        pk, original = row.id, row.retirement_date
        db.session.remove()
    c = as_user("enterprise1")
    edit = c.get(f"/retirees/edit/{pk}").get_data(as_text=True)
    assert "csrf_token" in edit
    token = csrf_token(c, f"/retirees/edit/{pk}")
    r = c.post(f"/retirees/edit/{pk}", data={"csrf_token": token, "retirement_date": "1900-01-01"})
    assert r.status_code == 200
    with app.app_context():
        assert db.session.get(Retiree, pk).retirement_date == original
        db.session.remove()


def test_openapi_spec_describes_the_ledger_api(app, as_user):
    response = as_user("county1").get("/api/v1/_openapi")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/retiree/" in spec["paths"] and "/api/v1/retiree/{pk}" in spec["paths"]
    assert "resident_id" in str(spec["components"]["schemas"])
