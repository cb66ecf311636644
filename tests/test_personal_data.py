"""Masking that cannot be undone, read logging and the duplicate-ID oracle (issue 11, "Personal data";
app/security/personal.py, app/duplicates)."""
import json

import prison
import pytest
from sqlalchemy import select

from app.audit.models import AuditLog
from app.extensions import db
from app.org.models import Organization
from app.retirees import idcard
from app.retirees.models import Retiree
from tests.conftest import count_rows

MASKED = ["leader", "supervision", "archives", "finance"]


def _first_retiree(app):
    with app.app_context():
        row = db.session.scalars(select(Retiree).order_by(Retiree.id).limit(1)).one()
        out = row.id, row.resident_id, row.birth_date
        db.session.remove()
    return out


@pytest.mark.parametrize("username", MASKED)
def test_masked_roles_see_the_birth_year_only(app, as_user, username):
    pk, number, born = _first_retiree(app)
    c = as_user(username)
    page = c.get(f"/retirees/show/{pk}").get_data(as_text=True)
    assert idcard.mask(number) in page and number not in page
    assert born.isoformat() not in page and str(born.year) in page
    shown = c.get(f"/api/v1/retiree/{pk}").get_json()["result"]
    assert shown["resident_id"] == idcard.mask(number) and shown["birth_date"] == str(born.year)
    listed = c.get("/api/v1/retiree/?q=" + prison.dumps({"page_size": 5})).get_json()["result"]
    assert all(len(r["birth_date"]) == 4 and "*" in r["resident_id"] for r in listed)


def test_full_roles_see_the_full_birth_date(app, as_user):
    pk, number, born = _first_retiree(app)
    page = as_user("sasac").get(f"/retirees/show/{pk}").get_data(as_text=True)
    assert number in page and born.isoformat() in page


@pytest.mark.parametrize("username", MASKED)
def test_masked_roles_cannot_filter_or_order_by_the_full_number(app, as_user, username):
    _pk, number, born = _first_retiree(app)
    c = as_user(username)
    assert c.get(f"/retirees/list/?_flt_3_resident_id={number}").status_code == 403
    assert c.get(f"/retirees/list/?_flt_0_resident_id={number[:10]}").status_code == 403
    assert c.get(f"/retirees/export.xlsx?_flt_3_resident_id={number}").status_code == 403
    for q in ({"filters": [{"col": "resident_id", "opr": "eq", "value": number}]},
              {"filters": [{"col": "resident_id", "opr": "sw", "value": number[:10]}]},
              {"order_column": "birth_date", "order_direction": "asc"}):
        assert c.get("/api/v1/retiree/?q=" + prison.dumps(q)).status_code == 403, q


def test_the_search_form_offers_the_number_only_to_full_roles(app, as_user):
    from flask import g
    from flask_login import login_user

    view = next(v for v in app.appbuilder.baseviews if type(v).__name__ == "RetireeModelView")
    offered = {}
    for username in ("leader", "sasac"):
        with app.test_request_context("/retirees/list/"):
            user = app.appbuilder.sm.find_user(username=username)
            login_user(user)
            g.user = user
            widget = view._get_search_widget(form=view.search_form())["search"]
            offered[username] = "resident_id" in str(widget())
            db.session.rollback()
    assert offered == {"leader": False, "sasac": True}


def test_full_roles_filter_by_the_number(app, as_user):
    _pk, number, _born = _first_retiree(app)
    c = as_user("sasac")
    assert c.get(f"/retirees/list/?_flt_3_resident_id={number}").status_code == 200
    q = {"filters": [{"col": "resident_id", "opr": "eq", "value": number}]}
    assert c.get("/api/v1/retiree/?q=" + prison.dumps(q)).get_json()["count"] == 1


def _read_logs(app, username):
    with app.app_context():
        rows = db.session.scalars(select(AuditLog).where(AuditLog.action == "view_full_id",
                                                         AuditLog.username == username)
                                  .order_by(AuditLog.id)).all()
        out = [(r.model, {k: v[1] for k, v in json.loads(r.changes).items()}) for r in rows]
        db.session.remove()
    return out


def test_each_display_of_full_numbers_is_logged_once_per_request(app, as_user):
    pk, _number, _born = _first_retiree(app)
    before = len(_read_logs(app, "sasac"))
    c = as_user("sasac")
    c.get("/retirees/list/")
    c.get(f"/retirees/show/{pk}")
    c.get("/api/v1/retiree/?q=" + prison.dumps({"page_size": 7}))
    logs = _read_logs(app, "sasac")[before:]
    assert len(logs) == 3
    assert logs[0][0] == "Retiree" and len(logs[0][1]["shown_ids"]) == 25
    assert logs[1][1]["shown_ids"] == [pk]
    assert len(logs[2][1]["shown_ids"]) == 7
    # a masked role shows no full number: nothing to log
    before_leader = len(_read_logs(app, "leader"))
    as_user("leader").get("/retirees/list/")
    assert len(_read_logs(app, "leader")) == before_leader


def _accepted_batch(app):
    from app.handover.models import HandoverBatch

    with app.app_context():
        batch = db.session.scalars(select(HandoverBatch).where(HandoverBatch.accepted_on.is_not(None))
                                   .order_by(HandoverBatch.id)).first()
        case = batch.cases[0]
        out = batch.id, case.id, case.retiree.resident_id, case.retiree.birth_date
        db.session.remove()
    return out


def test_handover_pdfs_are_masked_for_roles_that_do_not_need_full_numbers(app, as_user, tmp_path):
    from tests.pdftools import pdf_text

    batch_id, case_id, number, born = _accepted_batch(app)
    texts = {}
    for username in ("leader", "sasac"):
        c = as_user(username)
        for name, url in (("list", f"/batches/{batch_id}/handover-list.pdf"),
                          ("confirmation", f"/handover/{case_id}/confirmation.pdf")):
            r = c.get(url)
            assert r.status_code == 200, (username, url, r.status_code)
            path = tmp_path / f"{username}-{name}.pdf"
            path.write_bytes(r.data)
            texts[(username, name)] = pdf_text(path)
    for name in ("list", "confirmation"):
        assert number not in texts[("leader", name)] and idcard.mask(number) in texts[("leader", name)]
        assert number in texts[("sasac", name)]
    assert born.isoformat() not in texts[("leader", "confirmation")]
    assert born.isoformat() in texts[("sasac", "confirmation")]


def test_api_duplicate_names_no_enterprise_and_reports_to_sasac(app, as_user, cleanup_retirees):
    from app.duplicates.models import DuplicateIdReport
    from tests.scoping import retiree_payload

    with app.app_context():
        other = db.session.scalars(select(Retiree).join(Organization, Retiree.enterprise_id == Organization.id)
                                   .where(Organization.code == "E-C03").order_by(Retiree.id.desc()).limit(1)).one()
        number, holder, born, gender = other.resident_id, other.enterprise.name_zh, other.birth_date, other.gender
        payload = retiree_payload(db.session, "E-S02", "540502")
        db.session.remove()
    payload.update(resident_id=number, birth_date=born.isoformat(), gender=gender)
    before = count_rows(app)
    r = as_user("enterprise1").post("/api/v1/retiree/", json=payload)
    assert r.status_code == 422
    text = json.dumps(r.get_json(), ensure_ascii=False)
    assert "已在本市登记" in text and holder not in text
    assert count_rows(app) == before
    assert count_rows(app, DuplicateIdReport, DuplicateIdReport.resident_id == number) == 1
