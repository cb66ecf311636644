"""One write path for the retiree ledger (issue 10): the same retiree created through every path (form, REST,
web import, CLI import, the demo seed) leaves identical rows — retiree, checklist and items, party and archive
transfers, audit rows; the real template downloaded over HTTP round-trips; every lock and field rule is refused
on every path with nothing changed."""
import datetime
import io
import json
import re

import openpyxl
import pytest
from sqlalchemy import delete, func, select

from app.archives.models import ArchiveTransfer
from app.audit.models import AuditLog
from app.extensions import db
from app.handover.models import HandoverBatch, HandoverCase, HandoverItem
from app.org.models import Organization
from app.party.models import PartyTransfer
from app.retirees import idcard
from app.retirees.models import Retiree, RetireeCorrection
from app.roster.columns import COLUMNS
from tests.conftest import csrf_token, org_id, session_csrf

BORN = datetime.date(1962, 3, 5)
NUMBER = idcard.make("540502", BORN, 77, False)
PERSON = {
    "name_zh": "格桑曲珍", "name_bo": "སྐལ་བཟང་ཆོས་སྒྲོན", "gender": "F", "ethnicity": "tibetan",
    "resident_id": NUMBER, "birth_date": BORN, "retirement_date": datetime.date(2017, 4, 1),
    "category": "in_region", "pension_source": "basic_insurance", "registered_residence": "乃东区泽当镇",
    "actual_residence": "乃东区泽当镇", "party_member": True, "leader_cadre": False, "is_lixiu": False,
    "special_unit": False, "medical_local": False, "deceased": False, "note": "全路径核对",
}
ORGS = {"enterprise": "E-S02", "insured_county": "540502", "receiving_county": "540502"}
ZH = {"gender": "女", "ethnicity": "藏族", "category": "区内", "pension_source": "基本养老保险"}
FOLLOWERS = (HandoverCase, PartyTransfer, ArchiveTransfer)
VOLATILE = {"id", "retiree_id", "case_id", "created_on", "changed_on"}


# ---------------------------------------------------------------------------------------------------------
# Reading and removing what a path wrote

def _columns(row, skip=VOLATILE):
    return {c.key: getattr(row, c.key) for c in type(row).__table__.columns if c.key not in skip}


def _snapshot(app, number, audit_after=None):
    """Every row the retiree's creation wrote, without ids and timestamps."""
    with app.app_context():
        retiree = db.session.scalars(select(Retiree).where(Retiree.resident_id == number)).one()
        out = {"retiree": _columns(retiree)}
        ids = {"Retiree": {str(retiree.id)}}
        for model in FOLLOWERS:
            rows = db.session.scalars(select(model).where(model.retiree_id == retiree.id)).all()
            out[model.__name__] = [_columns(r) for r in rows]
            ids[model.__name__] = {str(r.id) for r in rows}
        case = db.session.scalars(select(HandoverCase).where(HandoverCase.retiree_id == retiree.id)).first()
        items = case.items if case is not None else []
        out["items"] = sorted((_columns(i) for i in items), key=lambda d: d["stream"])
        ids["HandoverItem"] = {str(i.id) for i in items}
        audits = []
        if audit_after is not None:
            for row in db.session.scalars(select(AuditLog).where(AuditLog.id > audit_after)):
                if row.object_id in ids.get(row.model, ()):
                    changes = {k: v for k, v in json.loads(row.changes or "{}").items() if k not in VOLATILE}
                    audits.append((row.model, row.action, json.dumps(changes, sort_keys=True, ensure_ascii=False)))
        out["audit"] = sorted(audits)
        db.session.remove()
        return out


def _audit_top(app):
    with app.app_context():
        top = db.session.scalar(select(func.max(AuditLog.id))) or 0
        db.session.remove()
        return top


def _remove(app, number):
    with app.app_context():
        rid = db.session.scalar(select(Retiree.id).where(Retiree.resident_id == number))
        if rid is not None:
            cases = select(HandoverCase.id).where(HandoverCase.retiree_id == rid).scalar_subquery()
            db.session.execute(delete(HandoverItem).where(HandoverItem.case_id.in_(cases)))
            for model in (*FOLLOWERS, RetireeCorrection):
                db.session.execute(delete(model).where(model.retiree_id == rid))
            db.session.execute(delete(Retiree).where(Retiree.id == rid))
            db.session.commit()
        db.session.remove()


# ---------------------------------------------------------------------------------------------------------
# The five paths

def _via_form(app, as_user, tmp_path, runner):
    c = as_user("enterprise1")
    data = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in PERSON.items()
            if not isinstance(v, bool)}
    data.update({k: "y" for k, v in PERSON.items() if v is True})
    data.update({k: org_id(app, code) for k, code in ORGS.items()})
    data["csrf_token"] = csrf_token(c, "/retirees/add")
    page = c.post("/retirees/add", data=data, follow_redirects=True).get_data(as_text=True)
    assert "alert-danger" not in page, page[:2000]


def _via_rest(app, as_user, tmp_path, runner):
    payload = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in PERSON.items()}
    payload.update({k: org_id(app, code) for k, code in ORGS.items()})
    r = as_user("enterprise1").post("/api/v1/retiree/", json=payload)
    assert r.status_code == 201, r.get_data(as_text=True)


def _org_names(app):
    with app.app_context():
        names = {k: db.session.scalar(select(Organization.name_zh).where(Organization.code == code))
                 for k, code in ORGS.items()}
        db.session.remove()
        return names


def _roster(app, rows_values, sheet_first=False):
    """A roster workbook in the template's own headers (Chinese above Tibetan)."""
    book = openpyxl.Workbook()
    sheet = book.active
    if sheet_first:
        sheet.title = "说明"
        sheet["A1"] = "填表说明"
        sheet = book.create_sheet("花名册")
    with app.test_request_context():
        for index, column in enumerate(COLUMNS, start=1):
            sheet.cell(row=1, column=index, value=column.header())
    for r, values in enumerate(rows_values, start=2):
        for index, column in enumerate(COLUMNS, start=1):
            if column.key in values:
                sheet.cell(row=r, column=index, value=values[column.key])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _roster_values(app, person=PERSON):
    """A roster row as a clerk fills it in: labels from the drop-downs, 是/否, unit names."""
    names = _org_names(app)
    values = {k: v for k, v in person.items() if not isinstance(v, bool)}
    values.update(gender={"F": "女", "M": "男"}[person["gender"]], ethnicity="藏族", category="区内",
                  pension_source="基本养老保险")
    values.update({k: "是" if v else "否" for k, v in person.items() if isinstance(v, bool)})
    values.update(insured_county=names["insured_county"], receiving_county=names["receiving_county"])
    return values


def _upload(client, app, data, enterprise="E-S02", filename="roster.xlsx"):
    token = session_csrf(client)
    return client.post("/roster/preview", data={
        "csrf_token": token, "enterprise": str(org_id(app, enterprise)),
        "file": (io.BytesIO(data), filename)}, content_type="multipart/form-data",
        follow_redirects=True).get_data(as_text=True)


def _commit(client, page):
    token = re.search(r'name="token" value="([0-9a-f]+)"', page)
    assert token, page[:3000]
    return client.post("/roster/commit", data={"csrf_token": session_csrf(client),
                                               "token": token.group(1)}, follow_redirects=True)


def _via_web_import(app, as_user, tmp_path, runner):
    c = as_user("enterprise1")
    page = _upload(c, app, _roster(app, [_roster_values(app)]))
    assert 'id="count-add">1<' in page, re.findall(r'alert[^>]*>(.*?)</div>|problem-text">([^<]*)', page, re.S)
    _commit(c, page)


def _via_cli_import(app, as_user, tmp_path, runner):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(_roster(app, [_roster_values(app)]))
    result = runner.invoke(args=["import-retirees", str(path), "--enterprise", "E-S02"])
    assert result.exit_code == 0 and "committed" in result.output, result.output


def _via_seed(app, as_user, tmp_path, runner):
    from app.demo.seed import create_retirees

    with app.app_context():
        orgs = {k: db.session.scalars(select(Organization).where(Organization.code == code)).one()
                for k, code in ORGS.items()}
        create_retirees([{**PERSON, **orgs}])
        db.session.commit()
        db.session.remove()


PATHS = {"form": _via_form, "rest": _via_rest, "web-import": _via_web_import, "cli-import": _via_cli_import,
         "seed": _via_seed}
_REFERENCE = {}


def _create_and_read(path, app, as_user, tmp_path, runner):
    _remove(app, NUMBER)
    top = _audit_top(app)
    try:
        PATHS[path](app, as_user, tmp_path, runner)
        return _snapshot(app, NUMBER, audit_after=top)
    finally:
        _remove(app, NUMBER)


@pytest.mark.parametrize("path", list(PATHS))
def test_every_path_writes_the_same_rows(app, as_user, tmp_path, runner, path):
    if "form" not in _REFERENCE:
        _REFERENCE["form"] = _create_and_read("form", app, as_user, tmp_path, runner)
    reference = _REFERENCE["form"]
    got = _create_and_read(path, app, as_user, tmp_path, runner)
    # the reference itself is complete: a checklist of 8 streams, a party transfer, an archive transfer, audited
    assert len(reference["items"]) == 8 and len(reference["PartyTransfer"]) == 1
    assert len(reference["ArchiveTransfer"]) == 1 and len(reference["HandoverCase"]) == 1
    assert {m for m, _a, _c in reference["audit"]} == {"Retiree", "HandoverCase", "PartyTransfer", "ArchiveTransfer"}
    assert len(reference["audit"]) == 4  # the checklist's row lists its 8 items
    case_audit = json.loads(next(c for m, _a, c in reference["audit"] if m == "HandoverCase"))
    listed = case_audit["items"][1]
    assert len(listed) == 8 and sorted(i["stream"] for i in listed) == [i["stream"] for i in reference["items"]]
    for key in ("retiree", "HandoverCase", "items", "PartyTransfer", "ArchiveTransfer", "audit"):
        assert got[key] == reference[key], key


# ---------------------------------------------------------------------------------------------------------
# The real template, filled in as a clerk does

def _fill_template(app, data, number, name):
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] != "花名册"  # the instructions come first
    sheet = book["花名册"]
    headers = {sheet.cell(row=1, column=i).value: i for i in range(1, sheet.max_column + 1)}
    with app.test_request_context():
        by_key = {c.key: headers[c.header()] for c in COLUMNS}
    assert sheet.cell(row=2, column=by_key["resident_id"]).number_format == "@"  # Text: 18 digits survive
    values = _roster_values(app, {**PERSON, "name_zh": name})
    values["resident_id"] = number  # typed into a Text cell: a string
    values["birth_date"] = number[6:14]  # "19620305" typed as text
    values["retirement_date"] = 20180430  # typed into a General cell: Excel keeps a number
    for key, value in values.items():
        if key in by_key:
            sheet.cell(row=2, column=by_key[key], value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _has_checklist(app, number):
    with app.app_context():
        retiree = db.session.scalars(select(Retiree).where(Retiree.resident_id == number)).one()
        case = db.session.scalars(select(HandoverCase).where(HandoverCase.retiree_id == retiree.id)).one()
        result = (retiree.retirement_date, retiree.birth_date, len(case.items))
        db.session.remove()
        return result


def test_template_downloaded_over_http_filled_and_imported(app, as_user, runner, tmp_path):
    c = as_user("enterprise1")
    template = c.get("/roster/template.xlsx")
    assert template.status_code == 200
    number = idcard.make("540502", BORN, 79, False)
    try:
        page = _upload(c, app, _fill_template(app, template.data, number, "模板往返"))
        assert 'id="count-add">1<' in page, page[:3000]
        _commit(c, page)
        assert _has_checklist(app, number) == (datetime.date(2018, 4, 30), BORN, 8)
    finally:
        _remove(app, number)
    # the same file through the CLI, with the template the CLI writes
    out = tmp_path / "template.xlsx"
    assert runner.invoke(args=["import-retirees", "--template", str(out)]).exit_code == 0
    number = idcard.make("540502", BORN, 81, False)
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(_fill_template(app, out.read_bytes(), number, "模板命令行"))
    try:
        result = runner.invoke(args=["import-retirees", str(filled), "--enterprise", "E-S02"])
        assert result.exit_code == 0 and "add=1" in result.output, result.output
        assert _has_checklist(app, number) == (datetime.date(2018, 4, 30), BORN, 8)
    finally:
        _remove(app, number)


def test_compact_date_in_the_web_form_is_read_not_replaced(app, as_user):
    number = idcard.make("540502", BORN, 83, False)
    c = as_user("enterprise1")
    form = c.get("/retirees/add").get_data(as_text=True)
    assert 'data-date-force-parse="false"' in form  # the picker keeps what was typed
    data = {"name_zh": "紧凑日期", "gender": "F", "ethnicity": "tibetan", "resident_id": number,
            "birth_date": "19620305", "retirement_date": "20180430", "category": "in_region",
            "pension_source": "basic_insurance", "enterprise": org_id(app, "E-S02"),
            "csrf_token": csrf_token(c, "/retirees/add")}
    try:
        c.post("/retirees/add", data=data, follow_redirects=True)
        assert _has_checklist(app, number)[:2] == (datetime.date(2018, 4, 30), BORN)
        bad = c.post("/retirees/add", data={**data, "resident_id": idcard.make("540502", BORN, 85, False),
                                             "retirement_date": "2018-13-45"}, follow_redirects=True)
        text = bad.get_data(as_text=True)
        assert "2020-06-30" in text, re.findall(r'help-block[^>]*>(.*?)<|alert[^>]*>(.*?)</div>', text, re.S)
    finally:
        _remove(app, number)
        _remove(app, idcard.make("540502", BORN, 85, False))


def test_reader_finds_the_roster_on_a_later_sheet_and_compact_dates():
    from app.dates import parse_date

    assert parse_date("20180430") == parse_date(20180430) == datetime.date(2018, 4, 30)
    assert parse_date("2018年4月30日") == parse_date(43220) == datetime.date(2018, 4, 30)
    for bad in ("2018-13-01", "201804", "abc", 99999999):
        with pytest.raises(ValueError):
            parse_date(bad)


# ---------------------------------------------------------------------------------------------------------
# Locks and field rules on every path: refused, nothing changed

def _retiree_rows(app, rid):
    with app.app_context():
        retiree = db.session.get(Retiree, rid)
        out = {"retiree": _columns(retiree, skip=set())}
        for model in (*FOLLOWERS,):
            out[model.__name__] = [_columns(r, skip=set()) for r in db.session.scalars(
                select(model).where(model.retiree_id == rid))]
        db.session.remove()
        return out


def _locked_retiree(app, status="submitted"):
    with app.app_context():
        row = db.session.execute(select(Retiree.id, Retiree.resident_id).join(
            HandoverCase, HandoverCase.retiree_id == Retiree.id).join(
            HandoverBatch, HandoverBatch.id == HandoverCase.batch_id).join(
            Organization, Organization.id == Retiree.enterprise_id).where(
            HandoverBatch.status == status, Organization.code == "E-S02",
            Retiree.receiving_county_id == select(Organization.id).where(
                Organization.code == "540502").scalar_subquery()).order_by(Retiree.id).limit(1)).one()
        db.session.remove()
        return row


def _free_retiree(app):
    """An E-S02 retiree of 乃东区 in no batch."""
    with app.app_context():
        rid = db.session.scalar(select(Retiree.id).join(HandoverCase, HandoverCase.retiree_id == Retiree.id).join(
            Organization, Organization.id == Retiree.enterprise_id).where(
            Organization.code == "E-S02", HandoverCase.batch_id.is_(None), Retiree.receiving_community_id.is_(None),
            Retiree.receiving_county_id == select(Organization.id).where(
                Organization.code == "540502").scalar_subquery()).order_by(Retiree.id.desc()).limit(1))
        db.session.remove()
        return rid


_ATTR = re.compile(r'([\w-]+)(?:="([^"]*)")?')


def _form_data(page):
    """What a browser would post for the form on `page`, as it stands."""
    data = {}
    for tag in re.findall(r"<input\b([^>]*)>", page):
        attrs = dict(_ATTR.findall(tag))
        name = attrs.get("name")
        if not name or attrs.get("type") in ("submit", "button"):
            continue
        if attrs.get("type") == "checkbox":
            if "checked" in attrs:
                data[name] = attrs.get("value") or "y"
            continue
        data[name] = attrs.get("value", "")
    for attrs_text, body in re.findall(r"<select\b([^>]*)>(.*?)</select>", page, re.S):
        name = dict(_ATTR.findall(attrs_text)).get("name")
        for option in re.findall(r"<option\b([^>]*)>", body):
            attrs = dict(_ATTR.findall(option))
            if "selected" in attrs and name:
                data[name] = attrs.get("value", "")
    return data


def _edit(client, rid, **changes):
    data = _form_data(client.get(f"/retirees/edit/{rid}").get_data(as_text=True))
    data.update(changes)
    return client.post(f"/retirees/edit/{rid}", data=data, follow_redirects=True)


def _draft_retiree(app):
    """A retiree of E-C03 (enterprise2) in a draft batch: not locked, but handover steps lie behind them."""
    with app.app_context():
        rid = db.session.scalar(select(HandoverCase.retiree_id).join(
            HandoverBatch, HandoverBatch.id == HandoverCase.batch_id).where(
            HandoverBatch.status == "draft").order_by(HandoverCase.id).limit(1))
        db.session.remove()
        return rid


def _lock_message(app):
    from flask_babel import force_locale

    from app.retirees import rules

    with app.test_request_context(), force_locale("zh"):
        return str(rules.field_problems(rules.ENTERPRISE, ["note"], True)["note"][0])


def test_lock_holds_on_every_path(app, as_user):
    rid, number = _locked_retiree(app)
    before = _retiree_rows(app, rid)
    ent = as_user("enterprise1")
    page = _edit(ent, rid, note="企业改动", name_zh="改名").get_data(as_text=True)
    assert "alert-danger" in page or "has-error" in page
    r = ent.put(f"/api/v1/retiree/{rid}", json={"note": "企业改动"})
    assert r.status_code == 422 and "note" in r.get_json()["message"]
    # the import: one row that changes only the note of the locked retiree
    imported = _upload(ent, app, _roster(app, [{"resident_id": number, "note": "导入改动"}]))
    assert re.search(r'id="count-problems">[1-9]', imported) and 'name="token"' not in imported
    assert _lock_message(app) in imported
    assert _retiree_rows(app, rid) == before


def test_receiving_side_cannot_change_identity_or_enterprise(app, as_user):
    rid, _number = _locked_retiree(app, status="accepted")
    before = _retiree_rows(app, rid)
    county = as_user("county1")
    page = _edit(county, rid, name_zh="县里改名").get_data(as_text=True)
    assert "alert-danger" in page or "has-error" in page
    other_gender = "F" if before["retiree"]["gender"] == "M" else "M"
    for payload in ({"name_zh": "县里改名"}, {"enterprise": org_id(app, "E-C03")}, {"gender": other_gender},
                    {"birth_date": "1950-01-01"}):
        r = county.put(f"/api/v1/retiree/{rid}", json=payload)
        assert r.status_code in (403, 422), (payload, r.status_code)
    # the county's own fields still go through
    assert county.put(f"/api/v1/retiree/{rid}", json={"note": "县里核实"}).status_code == 200
    county.put(f"/api/v1/retiree/{rid}", json={"note": before["retiree"]["note"]})
    after = _retiree_rows(app, rid)
    after["retiree"].pop("changed_on"), before["retiree"].pop("changed_on")
    assert after == before
    # the receiving side enters no retirees
    payload = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in PERSON.items()}
    payload.update({k: org_id(app, code) for k, code in ORGS.items()})
    assert county.post("/api/v1/retiree/", json=payload).status_code in (403, 422)
    # and imports for no enterprise
    assert "count-add" not in _upload(county, app, _roster(app, [_roster_values(app)]))
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Retiree).where(Retiree.resident_id == NUMBER)) == 0
        db.session.remove()


def test_enterprise_does_not_assign_township_or_community(app, as_user):
    rid = _free_retiree(app)
    before = _retiree_rows(app, rid)
    community = org_id(app, "540502-01-01")
    r = as_user("enterprise1").put(f"/api/v1/retiree/{rid}", json={"receiving_community": community})
    assert r.status_code == 422 and "receiving_community" in r.get_json()["message"]
    assert _retiree_rows(app, rid) == before


def test_no_deletion_with_handover_steps_behind_and_none_by_the_community(app, as_user):
    rid = _draft_retiree(app)
    before = _retiree_rows(app, rid)
    ent = as_user("enterprise2")
    page = ent.post(f"/retirees/delete/{rid}", data={"csrf_token": session_csrf(ent)},
                    follow_redirects=True).get_data(as_text=True)
    assert "alert-danger" in page
    assert ent.delete(f"/api/v1/retiree/{rid}").status_code == 403
    assert _retiree_rows(app, rid) == before
    with app.app_context():
        own = db.session.scalar(select(Retiree.id).where(Retiree.receiving_community_id == select(
            Organization.id).where(Organization.code == "540502-01-01").scalar_subquery()).order_by(Retiree.id))
        db.session.remove()
    own_before = _retiree_rows(app, own)
    com = as_user("community1")
    com.post(f"/retirees/delete/{own}", data={"csrf_token": session_csrf(com)}, follow_redirects=True)
    assert com.delete(f"/api/v1/retiree/{own}").status_code in (403, 405)
    assert _retiree_rows(app, own) == own_before


def test_a_record_ends_with_a_reason_kept_in_the_audit(app, as_user):
    rid = _draft_retiree(app)
    ent = as_user("enterprise2")
    top = _audit_top(app)
    token = session_csrf(ent)
    refused = ent.post(f"/retirees/{rid}/end", data={"csrf_token": token, "end_reason": "other"},
                       follow_redirects=True).get_data(as_text=True)
    assert "alert-danger" in refused
    ent.post(f"/retirees/{rid}/end", data={"csrf_token": token, "end_reason": "duplicate", "ended_on": "20240105",
                                           "end_note": "与另一条记录重复"}, follow_redirects=True)
    with app.app_context():
        row = db.session.get(Retiree, rid)
        assert (row.end_reason, row.ended_on) == ("duplicate", datetime.date(2024, 1, 5))
        audit = db.session.scalars(select(AuditLog).where(AuditLog.id > top, AuditLog.model == "Retiree",
                                                          AuditLog.object_id == str(rid))).one()
        assert json.loads(audit.changes)["end_reason"] == [None, "duplicate"] and audit.username == "enterprise2"
        row.ended_on = row.end_reason = row.end_note = None
        db.session.commit()
        db.session.remove()


def test_correction_request_is_decided_by_the_other_side(app, as_user):
    rid, _number = _locked_retiree(app, status="accepted")
    with app.app_context():
        old = db.session.get(Retiree, rid).name_zh
        db.session.remove()
    ent = as_user("enterprise1")
    token = csrf_token(ent, "/retiree-corrections/add")
    ent.post("/retiree-corrections/add", data={"csrf_token": token, "retiree": rid, "field": "name_zh",
                                                "new_value": "更正姓名", "reason": "身份证核对"}, follow_redirects=True)
    with app.app_context():
        correction = db.session.scalars(select(RetireeCorrection).where(RetireeCorrection.retiree_id == rid)
                                        .order_by(RetireeCorrection.id.desc())).first()
        cid = correction.id
        assert (correction.old_value, correction.new_value, correction.status) == (old, "更正姓名", "requested")
        db.session.remove()
    # the asking side cannot decide; the receiving county sees it and accepts
    ent.post(f"/retiree-corrections/{cid}/accept", data={"csrf_token": session_csrf(ent)})
    assert as_user("county2").get(f"/retiree-corrections/show/{cid}").status_code == 404
    county = as_user("county1")
    assert "correction-decision-form" in county.get(f"/retiree-corrections/show/{cid}").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Retiree, rid).name_zh == old
        db.session.remove()
    county.post(f"/retiree-corrections/{cid}/accept", data={"csrf_token": session_csrf(county)})
    with app.app_context():
        assert db.session.get(Retiree, rid).name_zh == "更正姓名"
        assert db.session.get(RetireeCorrection, cid).status == "accepted"
        db.session.get(Retiree, rid).name_zh = old
        db.session.commit()
        db.session.remove()


def test_ensure_checklists_gives_old_bulk_imports_their_rows(app, runner):
    """Retirees written without the service (as the old bulk import did) get their rows from the command."""
    number = idcard.make("540502", BORN, 87, False)
    with app.app_context():
        enterprise = db.session.scalar(select(Organization.id).where(Organization.code == "E-S02"))
        db.session.execute(Retiree.__table__.insert().values(
            enterprise_id=enterprise, name_zh="旧导入", gender="F", ethnicity="tibetan", resident_id=number,
            birth_date=BORN, retirement_date=datetime.date(2017, 4, 1), category="in_region", is_lixiu=False,
            party_member=True, leader_cadre=False, special_unit=False, pension_source="basic_insurance",
            medical_local=True, deceased=False, created_on=datetime.datetime.utcnow(),
            changed_on=datetime.datetime.utcnow()))
        db.session.commit()
        db.session.remove()
    try:
        result = runner.invoke(args=["ensure-checklists"])
        assert result.exit_code == 0 and "checklists added: 1" in result.output, result.output
        rows = _snapshot(app, number)
        assert len(rows["items"]) == 8 and len(rows["PartyTransfer"]) == 1 and len(rows["ArchiveTransfer"]) == 1
        assert "checklists added: 0" in runner.invoke(args=["ensure-checklists"]).output
    finally:
        _remove(app, number)


def test_township_and_community_are_the_receiving_countys_on_every_path(app, as_user):
    """The enterprise's form has no township or community for a new record, and its edit is refused; the
    county assigns them."""
    ent = as_user("enterprise1")
    add_form = ent.get("/retirees/add").get_data(as_text=True)
    assert 'name="receiving_community"' not in add_form and 'name="receiving_county"' in add_form
    rid = _free_retiree(app)
    before = _retiree_rows(app, rid)
    community = org_id(app, "540502-01-01")
    page = _edit(ent, rid, receiving_township=org_id(app, "540502-01"), receiving_community=community)
    assert "alert-danger" in page.get_data(as_text=True) or "has-error" in page.get_data(as_text=True)
    assert _retiree_rows(app, rid) == before
    county = as_user("county1")
    r = county.put(f"/api/v1/retiree/{rid}", json={"receiving_township": org_id(app, "540502-01"),
                                                   "receiving_community": community})
    assert r.status_code == 200, r.get_data(as_text=True)
    rows = _retiree_rows(app, rid)
    # the rows that follow the retiree moved with it
    assert {r["receiving_community_id"] for name in ("HandoverCase", "ArchiveTransfer") for r in rows[name]} == {
        community}
    county.put(f"/api/v1/retiree/{rid}", json={"receiving_township": None, "receiving_community": None})


def test_end_record_form_offers_only_the_reasons_a_side_may_give(app, as_user):
    rid = _free_retiree(app)
    ent = as_user("enterprise1").get(f"/retirees/show/{rid}").get_data(as_text=True)
    assert 'id="end-record-form"' in ent and 'value="duplicate"' in ent
    county = as_user("county1").get(f"/retirees/show/{rid}").get_data(as_text=True)
    assert 'id="end-record-form"' in county and 'value="deceased"' in county and 'value="duplicate"' not in county
    leader = as_user("leader").get(f"/retirees/show/{rid}").get_data(as_text=True)
    assert 'id="end-record-form"' not in leader
