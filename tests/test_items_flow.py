"""Supervision items, accountability, contacts and the roster through HTTP with the real app and frozen dates:
the whole lifecycle with its timestamps, refusals that change nothing, scope, colours at the deadline edges,
inboxes, and bad input in Chinese and Tibetan."""
import datetime
import io

from flask_babel import force_locale, gettext
from sqlalchemy import func, select

from app import clock
from app.audit.models import AuditLog
from app.extensions import db
from app.notify.models import Notification
from app.supervision.models import (
    AccountabilityRecord,
    LeadingGroupMember,
    SupervisionItem,
    WorkContact,
)
from tests.conftest import count_rows, csrf_token, org_id, session_csrf

DT = datetime.datetime
D = datetime.date


def _q(app, fn):
    with app.app_context():
        value = fn(db.session)
        db.session.remove()
        return value


def _tr(app, lang, message, **kw):
    with app.test_request_context(), force_locale(lang):
        return gettext(message, **kw)


def _post(client, url, **data):
    data["csrf_token"] = session_csrf(client)
    return client.post(url, data=data, follow_redirects=True)


def _open(app, client, unit_code, title, deadline, **extra):
    data = {"csrf_token": csrf_token(client, "/items/add"), "unit": org_id(app, unit_code), "title": title,
            "requirement": "请报送整改情况。", "deadline": deadline, "task_id": "", "report_id": "", **extra}
    return client.post("/items/add", data=data, follow_redirects=True)


def _item_id(app, title):
    return _q(app, lambda s: s.scalar(select(SupervisionItem.id).where(SupervisionItem.title == title)))


def _item(app, pk):
    def fn(s):
        i = s.get(SupervisionItem, pk)
        return {c.key: getattr(i, c.key) for c in SupervisionItem.__table__.columns} | {
            "steps": [(st.action, st.actor.username if st.actor else None, st.at, st.comment,
                       [f.original_name for f in st.files]) for st in i.steps],
            "files": [f.id for f in i.files()]}
    return _q(app, fn)


def _open_notices(app, pk):
    return _q(app, lambda s: {n.key: n.org_id for n in s.scalars(select(Notification).where(
        Notification.key.like(f"item:{pk}:%"), Notification.resolved_at.is_(None)))})


def _utc(local):
    return local - datetime.timedelta(hours=8)


def test_whole_lifecycle_with_timestamps_history_inboxes_and_audit(app, as_user):
    office, unit, other = as_user("supervision"), as_user("enterprise1"), as_user("enterprise2")
    unit_org, office_org = org_id(app, "E-S02"), org_id(app, "5405-DCS")
    title = "流程测试：报送退休人员移交台账"

    at = DT(2020, 8, 3, 10, 0)
    with clock.frozen(at):
        page = _open(app, office, "E-S02", title, "2020-08-10").get_data(as_text=True)
    pk = _item_id(app, title)
    assert pk, page[:2000]
    item = _item(app, pk)
    assert item["status"] == "opened" and item["opened_on"] == D(2020, 8, 3)
    assert item["opened_at"] == _utc(at) and item["office_id"] == office_org and item["unit_id"] == unit_org
    # due in 7 days: the unit's inbox has the item and the warning that its deadline is near
    assert _open_notices(app, pk) == {f"item:{pk}:opened": unit_org, f"item:{pk}:due-soon": unit_org}
    number = f"DB-2020-{pk:04d}"
    assert number in unit.get("/inbox/").get_data(as_text=True)
    assert number not in other.get("/inbox/").get_data(as_text=True)

    with clock.frozen(DT(2020, 8, 4, 9, 30)):
        page = _post(unit, f"/items/{pk}/sign").get_data(as_text=True)
    assert _tr(app, "zh", "The item was signed for.") in page
    item = _item(app, pk)
    assert item["status"] == "signed" and item["signed_at"] == _utc(DT(2020, 8, 4, 9, 30))

    with clock.frozen(DT(2020, 8, 6, 16, 0)):
        r = unit.post(f"/items/{pk}/respond", data={
            "csrf_token": session_csrf(unit), "response": "已完成台账整理。",
            "evidence": (io.BytesIO(b"%PDF-1.4\n% evidence\n"), "整改报告.pdf")},
            content_type="multipart/form-data", follow_redirects=True)
    assert _tr(app, "zh", "The response was sent to the supervision office.") in r.get_data(as_text=True)
    item = _item(app, pk)
    assert item["status"] == "responded" and item["round"] == 1 and item["responded_on"] == D(2020, 8, 6)
    assert item["responded_at"] == _utc(DT(2020, 8, 6, 16, 0))
    assert item["steps"][-1][4] == ["整改报告.pdf"]
    # the unit's to-do has gone, the office has one
    assert _open_notices(app, pk) == {f"item:{pk}:responded:1": office_org}
    assert number in office.get("/inbox/").get_data(as_text=True)

    # the evidence: readable by the unit and the office, not by another unit
    file_id = item["files"][0]
    assert unit.get(f"/items/{pk}/file/{file_id}").status_code == 200
    assert office.get(f"/items/{pk}/file/{file_id}").data.startswith(b"%PDF")
    assert other.get(f"/items/{pk}/file/{file_id}").status_code == 404

    reason = "未附移交名单，请补充。"
    with clock.frozen(DT(2020, 8, 7, 11, 0)):
        page = _post(office, f"/items/{pk}/send-back", reason=reason).get_data(as_text=True)
    assert _tr(app, "zh", "The item was sent back to the unit.") in page
    item = _item(app, pk)
    assert item["status"] == "returned" and item["return_reason"] == reason
    assert item["returned_at"] == _utc(DT(2020, 8, 7, 11, 0))
    assert _open_notices(app, pk) == {f"item:{pk}:returned:1": unit_org, f"item:{pk}:due-soon": unit_org}
    assert reason in unit.get("/inbox/").get_data(as_text=True)

    # responding again, after the deadline: done late
    with clock.frozen(DT(2020, 8, 12, 10, 0)):
        _post(unit, f"/items/{pk}/respond", response="已补充移交名单。")
    item = _item(app, pk)
    assert item["status"] == "responded" and item["round"] == 2 and item["responded_on"] == D(2020, 8, 12)
    assert _open_notices(app, pk) == {f"item:{pk}:responded:2": office_org}

    with clock.frozen(DT(2020, 8, 13, 15, 0)):
        page = _post(office, f"/items/{pk}/close", comment="经核实，予以销号。").get_data(as_text=True)
    assert _tr(app, "zh", "The item was closed.") in page
    item = _item(app, pk)
    assert item["status"] == "closed" and item["closed_on"] == D(2020, 8, 13)
    assert item["closed_at"] == _utc(DT(2020, 8, 13, 15, 0)) and item["closed_by_id"] is not None
    assert _open_notices(app, pk) == {}
    assert [(a, u) for a, u, *_ in item["steps"]] == [
        ("open", "supervision"), ("sign", "enterprise1"), ("respond", "enterprise1"), ("send_back", "supervision"),
        ("respond", "enterprise1"), ("close", "supervision")]
    with clock.frozen(D(2020, 9, 1)):
        show = office.get(f"/items/show/{pk}").get_data(as_text=True)
    assert "deadline-yellow" in show  # responded after the deadline: caught up, never green
    audited = _q(app, lambda s: set(s.scalars(select(AuditLog.username).where(
        AuditLog.model == "SupervisionItem", AuditLog.object_id == str(pk)))))
    assert {"supervision", "enterprise1"} <= audited


def test_wrong_actor_and_wrong_step_are_refused_and_change_nothing(app, as_user):
    office, unit = as_user("supervision"), as_user("enterprise1")
    title = "越权测试"
    with clock.frozen(D(2020, 8, 3)):
        _open(app, office, "E-S02", title, "2020-08-20")
    pk = _item_id(app, title)
    before = _item(app, pk)

    cases = [
        (office, "sign", {}, "Only the unit this item was opened against can sign for it and respond."),
        (as_user("sasac"), "sign", {}, "Only the unit this item was opened against can sign for it and respond."),
        (unit, "close", {}, "Only the supervision office can do this."),
        (unit, "send-back", {"reason": "x"}, "Only the supervision office can do this."),
        (office, "close", {}, "This item is %(status_in)s: this step is not possible now."),
    ]
    for client, step, data, message in cases:
        with clock.frozen(D(2020, 8, 4)):
            page = _post(client, f"/items/{pk}/{step}", **data).get_data(as_text=True)
        expected = _tr(app, "zh", message, status_in=_tr(app, "zh", "Opened, waiting for sign-off"))
        assert expected in page, (step, expected)
        assert _item(app, pk) == before
    # responding before signing for it skips a step
    with clock.frozen(D(2020, 8, 4)):
        _post(unit, f"/items/{pk}/respond", response="提前回复")
    assert _item(app, pk) == before
    # a read-only role is refused before any rule runs
    r = _post(as_user("leader"), f"/items/{pk}/sign")
    assert _item(app, pk) == before and _tr(app, "zh", "The item was signed for.") not in r.get_data(as_text=True)
    # only the office opens items: a city-wide member unit with write access may not
    with clock.frozen(D(2020, 8, 3)):
        page = _open(app, as_user("sasac"), "E-S02", "国资委越权立项", "2020-08-20").get_data(as_text=True)
    assert _item_id(app, "国资委越权立项") is None
    assert _tr(app, "zh", "Only the supervision office can do this.") in page
    # the unit cannot change the item's content
    with clock.frozen(D(2020, 8, 4)):
        unit.post(f"/items/edit/{pk}", data={"csrf_token": csrf_token(unit, f"/items/edit/{pk}"), "title": "改标题",
                                            "requirement": "x", "deadline": "2020-09-30"})
    assert _item(app, pk) == before


def test_another_unit_can_neither_see_nor_act(app, as_user):
    office = as_user("supervision")
    title = "范围测试"
    with clock.frozen(D(2020, 8, 3)):
        _open(app, office, "E-S02", title, "2020-08-20")
    pk = _item_id(app, title)
    before = _item(app, pk)
    other = as_user("enterprise2")
    assert other.get(f"/items/show/{pk}").status_code == 404
    assert title not in other.get("/items/list/").get_data(as_text=True)
    for step in ("sign", "respond", "close", "send-back"):
        assert other.post(f"/items/{pk}/{step}", data={"csrf_token": session_csrf(other), "response": "x",
                                                         "reason": "x"}).status_code == 404
    assert _item(app, pk) == before
    county = as_user("county1")
    assert county.get(f"/items/show/{pk}").status_code == 404
    # the owning unit does see it; city-wide readers too
    assert as_user("enterprise1").get(f"/items/show/{pk}").status_code == 200
    assert as_user("leader").get(f"/items/show/{pk}").status_code == 200


def test_colour_at_the_deadline_edges_and_overdue_count(app, as_user):
    from app.notify import run_sources
    from app.supervision.services import overdue_items

    office = as_user("supervision")
    unit = org_id(app, "E-S03")  # a unit without demo items
    with clock.frozen(D(2020, 8, 3)):
        _open(app, office, "E-S03", "期限边界测试", "2020-08-10")
    pk = _item_id(app, "期限边界测试")
    for day, colour in ((D(2020, 8, 2), None), (D(2020, 8, 3), "blue"), (D(2020, 8, 10), "blue"),
                        (D(2020, 8, 11), "red")):
        if colour is None:
            continue
        with clock.frozen(day):
            page = office.get(f"/items/show/{pk}").get_data(as_text=True)
            listing = office.get(f"/items/list/?_flt_0_id={pk}").get_data(as_text=True)
        assert f"deadline-{colour}" in page and f"deadline-{colour}" in listing, (day, colour)
    with app.app_context():
        assert overdue_items(D(2020, 8, 10)).get(unit, 0) == 0
        assert overdue_items(D(2020, 8, 11))[unit] == 1
        # the cron: overdue notices for the unit and the office, once
        first = run_sources(D(2020, 8, 11), kinds={"item"})
        db.session.commit()
        second = run_sources(D(2020, 8, 11), kinds={"item"})
        db.session.commit()
        assert first["item"][0] >= 2 and second["item"] == (0, 0)
        keys = set(db.session.scalars(select(Notification.key).where(
            Notification.key.like(f"item:{pk}:%"), Notification.resolved_at.is_(None))))
        db.session.remove()
    assert {f"item:{pk}:opened", f"item:{pk}:overdue", f"item:{pk}:overdue-office"} <= keys
    assert f"item:{pk}:due-soon" not in keys


def test_bad_input_is_refused_in_zh_and_bo(app, as_user):
    for lang in ("zh", "bo"):
        office = as_user("supervision", lang=lang)
        title = "坏输入测试" + {"zh": "（中文）", "bo": "（藏文）"}[lang]  # no Latin letters: main pages are checked for English
        with clock.frozen(D(2020, 8, 3)):
            page = _open(app, office, "E-S02", title, "2020-08-02").get_data(as_text=True)
        assert _tr(app, lang, "The deadline cannot be before the opening date (%(date)s).",
                   date="2020-08-03") in page
        assert _item_id(app, title) is None
        # an empty reason for sending back
        with clock.frozen(D(2020, 8, 3)):
            _open(app, office, "E-S02", title, "2020-08-20")
        pk = _item_id(app, title)
        unit = as_user("enterprise1", lang=lang)
        with clock.frozen(D(2020, 8, 4)):
            _post(unit, f"/items/{pk}/sign")
            page = _post(unit, f"/items/{pk}/respond", response="   ").get_data(as_text=True)
        assert _tr(app, lang, "Write the response.") in page
        with clock.frozen(D(2020, 8, 4)):
            _post(unit, f"/items/{pk}/respond", response="已办理。")
        before = _item(app, pk)
        with clock.frozen(D(2020, 8, 5)):
            page = _post(office, f"/items/{pk}/send-back", reason="  ").get_data(as_text=True)
        assert _tr(app, lang, "Give a reason.") in page
        assert _item(app, pk) == before
        # a file that is not what it claims is refused, and the response with it
        with clock.frozen(D(2020, 8, 5)):
            _post(office, f"/items/{pk}/send-back", reason="请补充材料。")
        before = _item(app, pk)
        with clock.frozen(D(2020, 8, 6)):
            r = unit.post(f"/items/{pk}/respond", data={
                "csrf_token": session_csrf(unit), "response": "附材料",
                "evidence": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "报告.pdf")},
                content_type="multipart/form-data", follow_redirects=True)
        assert _tr(app, lang, "This type of file is not accepted. Upload a PDF, Word (DOCX), Excel (XLSX), "
                              "PNG or JPEG file.") in r.get_data(as_text=True)
        assert _item(app, pk) == before


def test_accountability_readable_by_leader_not_by_enterprise(app, as_user):
    leader = as_user("leader")
    page = leader.get("/accountability/list/").get_data(as_text=True)
    assert "督办事项逾期未回复，予以提醒。" in page
    unit = org_id(app, "E-C03")
    unit_page = leader.get(f"/accountability/unit/{unit}").get_data(as_text=True)
    assert "督办事项逾期未回复，予以提醒。" in unit_page and 'id="unit-items"' in unit_page
    assert "专职人员配备情况报送不实" not in unit_page  # another unit's record
    enterprise = as_user("enterprise2")
    assert enterprise.get("/accountability/list/").status_code == 403
    assert enterprise.get(f"/accountability/unit/{unit}").status_code == 403
    assert enterprise.get("/api/v1/accountability/").status_code in (401, 403)
    assert as_user("sasac").get("/accountability/list/").status_code == 200


def test_office_records_accountability_with_linked_items_of_that_unit(app, as_user):
    office = as_user("supervision")
    unit = org_id(app, "E-C03")
    own = _q(app, lambda s: s.scalar(select(SupervisionItem.id).where(SupervisionItem.unit_id == unit)))
    foreign = _q(app, lambda s: s.scalar(select(SupervisionItem.id).where(SupervisionItem.unit_id != unit)))
    total = count_rows(app, AccountabilityRecord)

    def add(client, items, reason="约谈主要负责人"):
        data = {"csrf_token": session_csrf(client), "unit": unit, "kind": "interview",
                "reason": reason, "on_date": "2020-08-20", "items": items}
        with clock.frozen(D(2020, 8, 21)):
            return client.post("/accountability/add", data=data, follow_redirects=True).get_data(as_text=True)

    page = add(office, [own, foreign])
    assert _tr(app, "zh", "Link only supervision items of the same unit.") in page
    assert count_rows(app, AccountabilityRecord) == total
    # SASAC reads the records but does not keep them
    assert as_user("sasac").get("/accountability/add").status_code == 403
    add(as_user("sasac"), [own])
    assert count_rows(app, AccountabilityRecord) == total
    page = add(office, [own], reason="  ")
    assert count_rows(app, AccountabilityRecord) == total
    add(office, [own])
    assert count_rows(app, AccountabilityRecord) == total + 1
    record = _q(app, lambda s: s.scalars(select(AccountabilityRecord).order_by(
        AccountabilityRecord.id.desc())).first())
    assert record.kind == "interview" and record.recorded_by_id is not None


def test_contact_rule_a_unit_edits_only_its_own(app, as_user):
    own = _q(app, lambda s: s.scalar(select(WorkContact.id).where(WorkContact.org_id == org_id(app, "E-S02"))))
    foreign = _q(app, lambda s: s.scalar(select(WorkContact.id).where(WorkContact.org_id == org_id(app, "E-C03"))))

    def snap(pk):
        return _q(app, lambda s: (lambda c: (c.name, c.post, c.office_phone, c.mobile))(s.get(WorkContact, pk)))

    unit = as_user("enterprise1")
    data = {"name": "白玛", "post": "综合办主任", "office_phone": "0893-7820001", "mobile": "13989001234"}
    r = unit.post(f"/contacts/edit/{own}", data={"csrf_token": csrf_token(unit, f"/contacts/edit/{own}"), **data})
    assert r.status_code == 302
    assert snap(own) == ("白玛", "综合办主任", "0893-7820001", "13989001234")
    before = snap(foreign)
    assert unit.post(f"/contacts/edit/{foreign}", data={"csrf_token": session_csrf(unit), **data}).status_code == 404
    # a city-wide role sees every contact but changes none
    sasac = as_user("sasac", lang="bo")
    page = sasac.post(f"/contacts/edit/{foreign}", data={
        "csrf_token": csrf_token(sasac, f"/contacts/edit/{foreign}"), **data}, follow_redirects=True)
    assert _tr(app, "bo", "A unit maintains only its own contact person.") in page.get_data(as_text=True)
    assert snap(foreign) == before
    # bad mobile number
    page = unit.post(f"/contacts/edit/{own}", data={"csrf_token": csrf_token(unit, f"/contacts/edit/{own}"),
                                                   **data, "mobile": "12345"}, follow_redirects=True)
    assert _tr(app, "zh", "A mobile number has 11 digits and starts with 1.") in page.get_data(as_text=True)
    assert snap(own)[3] == "13989001234"
    # a second contact for the same unit is refused
    total = count_rows(app, WorkContact)
    unit.post("/contacts/add", data={"csrf_token": csrf_token(unit, "/contacts/add"), **data})
    assert count_rows(app, WorkContact) == total


def test_sasac_sees_missing_contacts_flagged(app, as_user):
    page = as_user("sasac").get("/contacts/units/").get_data(as_text=True)
    for code in ("540531", "E-X03", "E-X04", "5405-WJW"):
        assert f'class="contact-missing danger" data-org="{code}"' in page, code
    assert 'class="contact-present" data-org="E-S02"' in page
    # the supervision office and the leading group are not member units that name a contact
    assert 'data-org="5405-DCS"' not in page and 'data-org="5405-LDXZ"' not in page
    own = as_user("enterprise1").get("/contacts/units/").get_data(as_text=True)
    assert 'data-org="E-S02"' in own and 'data-org="E-C03"' not in own


def test_roster_kept_by_sasac_read_by_the_leading_group(app, as_user):
    total = count_rows(app, LeadingGroupMember)
    data = {"sort_order": "200", "name": "市公安局分管副局长", "group_post": "member", "post": "分管副局长"}
    for user in ("hrss", "supervision"):
        c = as_user(user)
        if c.get("/leading-group/add").status_code == 200:
            c.post("/leading-group/add", data={"csrf_token": csrf_token(c, "/leading-group/add"), **data})
        assert count_rows(app, LeadingGroupMember) == total, user
    sasac = as_user("sasac")
    sasac.post("/leading-group/add", data={"csrf_token": csrf_token(sasac, "/leading-group/add"), **data})
    assert count_rows(app, LeadingGroupMember) == total + 1
    page = as_user("leader").get("/contacts/units/").get_data(as_text=True)
    assert "市政府分管副市长" in page and "市公安局分管副局长" in page
    assert as_user("leader").get("/leading-group/list/").status_code == 200


def test_demo_items_show_every_colour(app):
    from app.supervision.models import ItemStatus

    def colours(s):
        return {i.colour() for i in s.scalars(select(SupervisionItem).where(SupervisionItem.title.not_like("%测试%")))}

    with app.app_context():
        # demo dates are relative to the day of seeding: judge them on that day
        seeded = db.session.scalar(select(func.min(SupervisionItem.opened_at)))
        assert seeded is not None
        found = colours(db.session)
        statuses = set(db.session.scalars(select(SupervisionItem.status)))
        db.session.remove()
    assert {"blue", "red", "green", "yellow", "none"} <= found
    assert set(ItemStatus.LABELS) <= statuses


def test_a_refused_response_leaves_no_file_behind(app, as_user):
    """Two evidence files, the second not what it claims: the response is refused and the first file, already
    written to disk, goes too (no file outlives a record that was never committed)."""
    import os

    office = as_user("supervision")
    with clock.frozen(D(2020, 8, 3)):
        _open(app, office, "E-S02", "孤立文件测试", "2020-08-20")
    pk = _item_id(app, "孤立文件测试")
    unit = as_user("enterprise1")
    with clock.frozen(D(2020, 8, 4)):
        _post(unit, f"/items/{pk}/sign")
    folder = app.config["UPLOAD_FOLDER"]
    before = set(os.listdir(folder))
    with clock.frozen(D(2020, 8, 6)):
        r = unit.post(f"/items/{pk}/respond", data={
            "csrf_token": session_csrf(unit), "response": "附材料",
            "evidence": [(io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "整改报告.pdf"),
                         (io.BytesIO(b"MZ\x90\x00 not a pdf"), "附件.pdf")]},
            content_type="multipart/form-data", follow_redirects=True)
    assert r.status_code == 200
    assert _item(app, pk)["status"] == "signed"
    assert set(os.listdir(folder)) == before
