"""Monthly reports through HTTP with frozen dates: the 10th is on time and 00:30 on the 11th in Shannan is
late, month boundaries, a unit writes only its own report, bad input refused in zh and bo, the snapshot
equals raw counts, return and resubmission with history, the notification source run twice, the overview
matrix and the compiled PDF read back."""
import datetime
import json
import re

import pytest
from sqlalchemy import delete, select

from app import clock
from app.extensions import db
from app.monthly.models import MonthlyReport, MonthlyReportEvent
from app.notify.models import Notification
from app.org.models import Organization
from tests.conftest import org_id, session_csrf
from tests.pdftools import pdf_fonts, pdf_text

DT = datetime.datetime
FULL = {"progress": "本月完成退休人员移交批次两批。", "problems": "部分档案材料不全。", "next_steps": "下月完成档案移交。"}


@pytest.fixture
def fresh(app):
    """Reports and report notifications a test made are removed afterwards (the demo's stay)."""
    with app.app_context():
        top = db.session.scalar(select(db.func.max(MonthlyReport.id))) or 0
        db.session.remove()
    yield
    with app.app_context():
        ids = select(MonthlyReport.id).where(MonthlyReport.id > top)
        db.session.execute(delete(MonthlyReportEvent).where(MonthlyReportEvent.report_id.in_(ids)))
        db.session.execute(delete(MonthlyReport).where(MonthlyReport.id > top))
        db.session.execute(delete(Notification).where(Notification.kind == "report"))
        db.session.commit()
        db.session.remove()


def _report(app, code, month):
    with app.app_context():
        row = db.session.scalar(select(MonthlyReport).join(Organization, MonthlyReport.org_id == Organization.id)
                                .where(Organization.code == code, MonthlyReport.month == month))
        data = None if row is None else {c.key: getattr(row, c.key) for c in MonthlyReport.__table__.columns}
        if row is not None:
            data["events"] = [e.action for e in row.events]
        db.session.remove()
        return data


def _send(c, month, action="submit", **values):
    data = {"csrf_token": session_csrf(c), "action": action, **FULL, **values}
    return c.post(f"/monthly-reports/month/{month}", data=data, follow_redirects=True)


def test_the_10th_is_on_time_and_0030_on_the_11th_is_late(app, as_user, fresh):
    c1, c2 = as_user("county1"), as_user("county2")
    with clock.frozen(DT(2020, 10, 10, 23, 59)):
        assert _send(c1, "2020-10").status_code == 200
    with clock.frozen(DT(2020, 10, 11, 0, 30)):  # = 2020-10-10 16:30 UTC
        assert _send(c2, "2020-10").status_code == 200
    on_time, late = _report(app, "540502", "2020-10"), _report(app, "540522", "2020-10")
    assert on_time["status"] == late["status"] == "submitted"
    assert late["first_submitted_on"] == DT(2020, 10, 10, 16, 30)  # stored in UTC: still the 10th there
    with clock.frozen(datetime.date(2020, 10, 20)):
        page = as_user("sasac").get("/monthly/?from=2020-10&to=2020-10").get_data(as_text=True)
    row1 = re.search(rf'id="unit-{org_id(app, "540502")}".*?</tr>', page, re.S).group(0)
    row2 = re.search(rf'id="unit-{org_id(app, "540522")}".*?</tr>', page, re.S).group(0)
    assert "deadline-green" in row1 and "deadline-yellow" in row2
    late_list = page.split('id="late-reports"')[1].split("</table>")[0]
    assert "贡嘎县" in late_list and "乃东区" not in late_list


def test_month_boundaries(app, as_user, fresh):
    c = as_user("county1")
    with clock.frozen(datetime.date(2020, 6, 20)):  # before the start month nothing is due
        page = as_user("sasac").get("/monthly/").get_data(as_text=True)
        assert 'id="nothing-due"' in page
        r = _send(c, "2020-06")
        assert "月度报告自 2020-07 起报送" in r.get_data(as_text=True)
    with clock.frozen(DT(2020, 7, 31, 23, 0)):  # the report for August opens on 1 August
        r = _send(c, "2020-08")
        assert "自该月1日起方可填写" in r.get_data(as_text=True)
    assert _report(app, "540502", "2020-06") is None and _report(app, "540502", "2020-08")["month"] == "2020-08"
    # (the demo's August report of 乃东区 is untouched: the refused attempt created nothing new)
    assert _report(app, "540502", "2020-08")["first_submitted_on"] == DT(2020, 8, 12, 2, 0)
    with clock.frozen(datetime.date(2020, 8, 1)):
        page = c.get("/monthly-reports/month/2020-11").get_data(as_text=True)  # future month: refused
        assert "/monthly-reports/month/2020-11" not in page
    with clock.frozen(DT(2020, 11, 1, 0, 5)):
        page = c.get("/monthly-reports/month/2020-11").get_data(as_text=True)
        assert 'id="report-form"' in page and "2020-11-10" in page and "2020-10-31" in page


def test_a_unit_cannot_edit_another_units_report(app, as_user, fresh):
    with clock.frozen(datetime.date(2020, 11, 3)):
        _send(as_user("county1"), "2020-11", action="save")
        pk = _report(app, "540502", "2020-11")["id"]
        before = _report(app, "540502", "2020-11")
        # another county: not even in its scope
        c2 = as_user("county2")
        r = c2.post(f"/monthly-reports/edit/{pk}", data={"csrf_token": session_csrf(c2), **FULL, "action": "submit"})
        assert r.status_code == 404
        # a city-wide member unit sees it but may not write it
        for user in ("sasac", "hrss"):
            c = as_user(user)
            assert c.get(f"/monthly-reports/show/{pk}").status_code == 200
            r = c.post(f"/monthly-reports/edit/{pk}",
                       data={"csrf_token": session_csrf(c), **FULL, "action": "submit"})
            assert r.status_code == 403, user
            assert c.put(f"/api/v1/monthlyreport/{pk}", json={"progress": "篡改"}).status_code == 403
        # the supervision office and the leading group read but never write reports
        for user in ("supervision", "leader"):
            c = as_user(user)
            assert c.get("/monthly/").status_code == 200
            assert c.post(f"/monthly-reports/edit/{pk}", data={"csrf_token": session_csrf(c), **FULL}).status_code \
                in (302, 403)
            r = c.post("/monthly-reports/month/2020-11", data={"csrf_token": session_csrf(c), **FULL})
            assert r.status_code in (302, 403)
        assert _report(app, "540502", "2020-11") == before
        assert _report(app, "540522", "2020-11") is None and _report(app, "5405-DCS", "2020-11") is None
        # positive control: the owner may
        _send(as_user("county1"), "2020-11")
        assert _report(app, "540502", "2020-11")["status"] == "submitted"
        # once submitted, not even the owner changes it (form nor API)
        c1 = as_user("county1")
        assert c1.put(f"/api/v1/monthlyreport/{pk}", json={"progress": "改"}).status_code == 403
        r = c1.post(f"/monthly-reports/edit/{pk}", data={"csrf_token": session_csrf(c1), **FULL,
                                                         "progress": "改", "action": "save"})
        assert "须经领导小组办公室退回后方可修改" in r.get_data(as_text=True)
        assert _report(app, "540502", "2020-11")["progress"] == FULL["progress"]


@pytest.mark.parametrize("lang, required, too_long, bad_month", [
    ("zh", "此项为必填内容。", "最多 2000 个字", "月份格式不正确"),
    ("bo", "དོན་ཚན་འདི་ངེས་པར་འབྲི་དགོས།", "ཡིག་འབྲུ་མང་ཤོས་2000", "ཟླ་བའི་རྣམ་པ་ནོར་འདུག"),
])
def test_bad_input_is_refused_with_a_message(app, as_user, fresh, lang, required, too_long, bad_month):
    c = as_user("county2", lang=lang)
    with clock.frozen(datetime.date(2020, 12, 5)):
        page = _send(c, "2020-12", problems="   ").get_data(as_text=True)
        assert required in page
        page = _send(c, "2020-12", action="save", next_steps="字" * 2001).get_data(as_text=True)
        assert too_long in page
        assert _report(app, "540522", "2020-12") is None
        for month in ("2020-13", "2020-1", "abc", "2020-12-01"):
            r = _send(c, month)
            assert r.status_code == 200 and bad_month in r.get_data(as_text=True), month
        r = as_user("sasac", lang=lang).get("/monthly/compiled.pdf?month=20x0-01", follow_redirects=True)
        assert r.status_code == 200 and r.mimetype == "text/html"
    with app.app_context():
        assert db.session.scalar(select(db.func.count(MonthlyReport.id)).where(
            MonthlyReport.month.not_in(["2020-07", "2020-08", "2020-09"]))) == 0
        db.session.remove()


def _raw_county(app, code):
    """The figures of a county recomputed from raw rows (Python, no SQL aggregates, no scope function)."""
    from app.archives.models import ArchiveTransfer
    from app.handover.models import HandoverCase, HandoverItem
    from app.handover.rules import overall_status
    from app.party.models import PartyTransfer
    from app.retirees.models import Retiree

    cols = ("enterprise_id", "receiving_county_id", "receiving_township_id", "receiving_community_id",
            "liaison_office_id")
    with app.app_context():
        codes = dict(db.session.execute(select(Organization.id, Organization.code)).all())

        def mine(row):
            return any((codes.get(getattr(row, c)) or "").startswith(code) for c in cols)

        cases = [c for c in db.session.scalars(select(HandoverCase)) if mine(c)]
        case_ids = {c.id for c in cases}
        items = [i for i in db.session.scalars(select(HandoverItem)) if i.case_id in case_ids]
        states = {}
        for i in items:
            states.setdefault(i.case_id, []).append(i.state)
        statuses = [overall_status(states.get(c.id, []), c.received_on is not None) for c in cases]
        party = [p for p in db.session.scalars(select(PartyTransfer)) if mine(p)]
        archives = [a for a in db.session.scalars(select(ArchiveTransfer)) if mine(a)]
        streams = {}
        for i in items:
            s = streams.setdefault(i.stream, {"applicable": 0, "done": 0})
            s["applicable"] += i.state != "not_applicable"
            s["done"] += i.state == "done"
        raw = {"retirees": sum(1 for r in db.session.scalars(select(Retiree)) if mine(r)), "in_flow": len(cases),
               "handed_over": statuses.count("handed_over"), "in_progress": statuses.count("in_progress"),
               "not_handed_over": statuses.count("not_handed_over"), "party_total": len(party),
               "party_transferred": sum(p.received_on is not None for p in party),
               "archives_total": len(archives), "archives_transferred": sum(a.received_on is not None for a in archives),
               "streams": streams}
        db.session.remove()
        return raw


def test_snapshot_figures_equal_raw_counts(app, as_user, fresh):
    with clock.frozen(datetime.date(2021, 1, 8)):
        _send(as_user("county1"), "2021-01")
        _send(as_user("hrss"), "2021-01")
    snapshot = json.loads(_report(app, "540502", "2021-01")["figures"])
    raw = _raw_county(app, "540502")
    assert raw["retirees"] > 0 and raw["in_flow"] > 0
    for key, value in raw.items():
        if key != "streams":
            assert snapshot[key] == value, key
    for stream, counts in raw["streams"].items():
        assert snapshot["streams"][stream] == counts, stream
    assert snapshot["scope"] == "unit"
    # a city-wide department reports its own stream city-wide: 人社局 → pension
    city = json.loads(_report(app, "5405-RSJ", "2021-01")["figures"])
    assert city["scope"] == "city" and set(city["streams"]) == {"pension"}
    with app.app_context():
        from app.retirees.models import Retiree

        assert city["retirees"] == db.session.scalar(select(db.func.count(Retiree.id)))
        db.session.remove()
    # the snapshot is frozen: the show page of a submitted report prints the snapshot, not live figures
    page = as_user("sasac").get(f"/monthly-reports/show/{_report(app, '540502', '2021-01')['id']}")
    assert "报送时固定" in page.get_data(as_text=True)


def test_return_for_correction_and_resubmit(app, as_user, fresh):
    with clock.frozen(datetime.date(2021, 2, 9)):
        _send(as_user("county1"), "2021-02")
        pk = _report(app, "540502", "2021-02")["id"]
        office = as_user("sasac")
        r = office.post(f"/monthly-reports/{pk}/return", data={"csrf_token": session_csrf(office), "comment": " "},
                        follow_redirects=True)
        assert "请说明需要修改的内容" in r.get_data(as_text=True)
        assert _report(app, "540502", "2021-02")["status"] == "submitted"
        hrss = as_user("hrss")  # not the office
        hrss.post(f"/monthly-reports/{pk}/return", data={"csrf_token": session_csrf(hrss), "comment": "改"})
        assert _report(app, "540502", "2021-02")["status"] == "submitted"
        office.post(f"/monthly-reports/{pk}/return",
                    data={"csrf_token": session_csrf(office), "comment": "移交人数与台账不符"})
        assert _report(app, "540502", "2021-02")["status"] == "returned"
        c1 = as_user("county1")
        inbox = c1.get("/inbox/").get_data(as_text=True)
        assert "2021-02 月度报告被退回修改：移交人数与台账不符" in inbox
    with clock.frozen(datetime.date(2021, 2, 15)):  # the correction after the 10th does not make it late
        r = c1.post(f"/monthly-reports/edit/{pk}", data={"csrf_token": session_csrf(c1), **FULL,
                                                         "problems": "已核实", "action": "submit"})
        assert r.status_code == 302
        report = _report(app, "540502", "2021-02")
        assert report["status"] == "submitted" and report["problems"] == "已核实"
        assert report["first_submitted_on"] < report["submitted_on"]
        assert report["events"] == ["submitted", "returned", "submitted"]
        page = as_user("sasac").get("/monthly/?from=2021-02&to=2021-02").get_data(as_text=True)
        row = re.search(rf'id="unit-{org_id(app, "540502")}".*?</tr>', page, re.S).group(0)
        assert "deadline-green" in row
        assert "退回修改" not in c1.get("/inbox/").get_data(as_text=True)
    with app.app_context():
        from app.audit.models import AuditLog

        logged = db.session.scalars(select(AuditLog).where(AuditLog.model == "MonthlyReport",
                                                           AuditLog.object_id == str(pk))).all()
        assert len(logged) >= 3
        db.session.remove()


def test_notification_source_is_idempotent_and_counts_overdue(app, as_user, fresh):
    from app.deadlines import OVERDUE_COUNTERS
    from app.notify import run_sources
    from app.security.scope import as_system

    today = datetime.date(2020, 10, 5)
    with app.app_context(), as_system("test"):
        first = run_sources(today, kinds=["report"])
        db.session.commit()
        second = run_sources(today, kinds=["report"])
        db.session.commit()
        due = db.session.scalar(select(Notification).where(
            Notification.key == f"report:due:{org_id(app, '540502')}:2020-10"))
        missing = db.session.scalar(select(Notification).where(
            Notification.key == f"report:missing:{org_id(app, '540522')}:2020-09"))
        returned = db.session.scalar(select(Notification).where(
            Notification.key == f"report:returned:{org_id(app, '5405-RSJ')}:2020-09"))
        counts = OVERDUE_COUNTERS["report"](today)
        db.session.remove()
    assert first["report"][0] > 0 and second["report"] == (0, 0)
    assert due.colour == "blue" and due.resolved_at is None
    assert missing.colour == "red" and returned is not None
    assert counts[org_id(app, "540522")] == 1  # 2020-09 missing (draft only)
    assert org_id(app, "540502") not in counts  # late in August, but not missing
    assert counts[org_id(app, "5405-ZJJ")] == 3  # never reported: July, August, September
    assert org_id(app, "5405-DCS") not in counts  # the supervision office does not report
    with clock.frozen(today):
        _send(as_user("county1"), "2020-10")  # the report arrives: its entry leaves the inbox at once
    with app.app_context(), as_system("test"):
        assert db.session.scalar(select(Notification.resolved_at).where(Notification.key == due.key)) is not None
        assert run_sources(today, kinds=["report"])["report"] == (0, 0)
        db.session.commit()
        db.session.remove()


def test_overview_matrix_for_the_office(app, as_user):
    with clock.frozen(datetime.date(2020, 9, 15)):
        page = as_user("sasac").get("/monthly/?from=2020-07&to=2020-09").get_data(as_text=True)
        county_page = as_user("county1").get("/monthly/?from=2020-07&to=2020-09").get_data(as_text=True)
    row = re.search(rf'id="unit-{org_id(app, "540502")}".*?</tr>', page, re.S).group(0)
    assert [c for c in re.findall(r"deadline-(\w+)", row)] == ["green", "yellow", "green"]
    row = re.search(rf'id="unit-{org_id(app, "540522")}".*?</tr>', page, re.S).group(0)
    assert re.findall(r"deadline-(\w+)", row)[-1] == "red"
    missing = page.split('id="missing-reports"')[1].split("</table>")[0]
    assert "贡嘎县" in missing and "督查室" not in page.split('id="report-matrix"')[1].split("</table>")[0]
    assert page.count('id="unit-') == 20  # 8 member departments and 12 counties
    assert county_page.count('id="unit-') == 1  # a county sees its own row




def test_compiled_pdf_from_the_command_line(app, runner, tmp_path):
    out = tmp_path / "monthly.pdf"
    with clock.frozen(datetime.date(2020, 9, 15)):
        result = runner.invoke(args=["report", "monthly", "--month", "2020-08", "--lang", "both", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    assert "国有企业退休人员社会化管理工作推进落实情况月报" in text
    assert re.search(r"[\u0f40-\u0f6c]", text)
    late = text.split("逾期报送的报告")[1].split("未报送的报告")[0]
    assert "乃东区" in late and "贡嘎县" not in late
    snapshot = json.loads(_report(app, "540502", "2020-08")["figures"])
    unit = text.split("乃东区")[-1]
    assert re.search(rf"\b{snapshot['retirees']}\b", unit) and "下月完成剩余人员的档案整理" in unit
    with app.app_context():
        from app.retirees.models import Retiree

        city_total = db.session.scalar(select(db.func.count(Retiree.id)))
        db.session.remove()
    assert re.search(rf"\b{city_total}\b", text.split("全市数据")[1])
    fonts = pdf_fonts(out)
    assert {f[0].split("+")[-1] for f in fonts} == {"Noto-Sans-CJK-SC", "Noto-Serif-Tibetan"}
    assert all(f[-5] == "yes" for f in fonts)  # emb column
    bad = runner.invoke(args=["report", "monthly", "--month", "2020-13", "--out", str(tmp_path / "x.pdf")])
    assert bad.exit_code != 0


def test_compiled_pdf_route(app, as_user, tmp_path):
    r = as_user("leader").get("/monthly/compiled.pdf?month=2020-09&lang=zh")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    path = tmp_path / "m.pdf"
    path.write_bytes(r.data)
    text = pdf_text(path)
    assert "贡嘎县" in text.split("未报送的报告")[1]
    assert as_user("county1").get("/monthly/compiled.pdf?month=2020-09").status_code == 403
    assert as_user("enterprise1").get("/monthly/compiled.pdf?month=2020-09").status_code == 403
