"""The work plan through HTTP with frozen dates: SASAC plans, the lead unit reports, others are refused; the
colour follows the one rule; live metrics equal raw counts; evidence is content-checked and scoped."""
import datetime
import io
import re

import pytest
from sqlalchemy import delete, select

from app import clock
from app.extensions import db
from app.handover.models import HandoverCase, OverallStatus
from app.uploads import StoredFile
from app.workplan import rules
from app.workplan.models import Metric, WorkTask
from tests.conftest import count_rows, org_id, session_csrf

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


# ---------------------------------------------------------------------------------------------------------
# Rules, directly

class _Task:
    def __init__(self, **kw):
        self.title_zh, self.deadline, self.start_on, self.lead_org_id = "任务", D(2020, 9, 30), D(2020, 7, 1), 1
        self.progress, self.metric, self.done_on = 0, None, None
        self.__dict__.update(kw)


def test_only_the_planner_creates_and_deletes():
    assert rules.create_problem({"sasac"}) is None
    assert rules.create_problem({"county"}) is not None
    assert rules.create_problem({"hrss"}) is not None
    assert rules.delete_problem({"sasac"}) is None
    assert rules.delete_problem({"county"}) is not None


def test_lead_unit_changes_only_its_report():
    assert rules.change_problem({"county"}, 5, 5, {"progress", "notes", "done_on"}) is None
    assert rules.change_problem({"county"}, 5, 5, {"deadline"}) is not None
    assert rules.change_problem({"county"}, 6, 5, {"progress"}) is not None
    assert rules.change_problem({"hrss"}, 7, 5, {"progress"}) is not None  # city-wide reader, not the lead
    assert rules.change_problem({"county"}, None, 5, {"progress"}) is not None
    assert rules.change_problem({"sasac"}, 1, 5, {"deadline", "progress"}) is None


def test_deadline_not_before_start():
    assert "deadline" in rules.task_problems(_Task(start_on=D(2020, 10, 1)), 0, False, D(2020, 7, 1))
    assert rules.task_problems(_Task(start_on=D(2020, 9, 30)), 0, False, D(2020, 7, 1)) == {}


def test_done_only_at_100_percent():
    today = D(2020, 9, 1)
    assert "done_on" in rules.task_problems(_Task(done_on=today, progress=99), 99, True, today)
    assert rules.task_problems(_Task(done_on=today, progress=100), 100, True, today) == {}
    # a metric task counts its computed percent, whatever was typed
    assert "done_on" in rules.task_problems(_Task(done_on=today, metric="handover", progress=100), 80, True, today)
    # done earlier stays done when a live figure drops later (done_on unchanged)
    assert rules.task_problems(_Task(done_on=D(2020, 8, 1), metric="handover"), 80, False, today) == {}
    # not in the future, not before the start
    assert "done_on" in rules.task_problems(_Task(done_on=D(2020, 9, 2), progress=100), 100, True, today)
    assert "done_on" in rules.task_problems(_Task(done_on=D(2020, 6, 1), progress=100), 100, True, today)


def test_progress_range_and_metric_choice():
    assert "progress" in rules.task_problems(_Task(progress=101), 101, False, D(2020, 7, 1))
    assert "progress" in rules.task_problems(_Task(progress=-1), 0, False, D(2020, 7, 1))
    assert "metric" in rules.task_problems(_Task(metric="weather"), 0, False, D(2020, 7, 1))
    assert rules.typed_progress_problem("handover", 50, 0) is not None
    assert rules.typed_progress_problem("handover", 0, 0) is None
    assert rules.typed_progress_problem(None, 50, 0) is None


# ---------------------------------------------------------------------------------------------------------
# Through HTTP

TITLE = "测试任务：乃东区社区服务站建设"


@pytest.fixture
def cleanup_tasks(app):
    with app.app_context():
        top = db.session.scalar(select(db.func.max(WorkTask.id))) or 0
        db.session.remove()
    yield
    with app.app_context():
        from app.notify.models import Notification
        from app.workplan.models import work_task_assisting, work_task_evidence

        db.session.execute(delete(work_task_evidence).where(work_task_evidence.c.task_id > top))
        db.session.execute(delete(work_task_assisting).where(work_task_assisting.c.task_id > top))
        db.session.execute(delete(WorkTask).where(WorkTask.id > top))
        db.session.execute(delete(Notification).where(Notification.kind == "task"))
        db.session.commit()
        db.session.remove()


def _task(app, title):
    with app.app_context():
        task = db.session.scalars(select(WorkTask).where(WorkTask.title_zh == title)).first()
        data = None if task is None else {c.key: getattr(task, c.key) for c in WorkTask.__table__.columns}
        db.session.remove()
        return data


def _create(app, as_user, title=TITLE, lead="540502", start="2020-07-01", deadline="2020-07-20", user="sasac",
            **extra):
    c = as_user(user)
    data = {"csrf_token": session_csrf(c), "title_zh": title, "title_bo": "ཚོད་ལྟའི་ལས་འགན།",
            "description": "", "lead_org": str(org_id(app, lead)), "start_on": start, "deadline": deadline,
            "metric": "", "metric_org": "", "notes": "", **extra}
    return c.post("/tasks/add", data=data, follow_redirects=True)


def _colour(page):
    match = re.search(r'id="task-colour"><span class="label label-\w+ deadline-(\w+)"', page)
    assert match, page[:3000]
    return match.group(1)


def _progress(c, pk, **form):
    return c.post(f"/tasks/{pk}/progress", data={"csrf_token": session_csrf(c), **form}, follow_redirects=True)


def test_task_lifecycle(app, as_user, cleanup_tasks):
    with clock.frozen(D(2020, 7, 1)):
        # only the leading-group office plans
        r = _create(app, as_user, title="县自建任务", user="county1")
        assert _task(app, "县自建任务") is None
        assert "只有领导小组办公室" in r.get_data(as_text=True)
        # a deadline before the start is refused with a message
        r = _create(app, as_user, start="2020-07-10", deadline="2020-07-05")
        assert _task(app, TITLE) is None
        assert "截止日期不能早于开始日期" in r.get_data(as_text=True)
        r = _create(app, as_user)
        assert r.status_code == 200
    task = _task(app, TITLE)
    assert task is not None and task["lead_org_id"] == org_id(app, "540502") and task["progress"] == 0
    pk = task["id"]
    county1, county2, hrss = as_user("county1"), as_user("county2"), as_user("hrss")

    with clock.frozen(D(2020, 7, 5)):  # 4 of 19 days gone, nothing done: behind schedule
        assert _colour(county1.get(f"/tasks/show/{pk}").get_data(as_text=True)) == "yellow"
        r = _progress(county1, pk, progress="50", notes="已完成选址")
        assert "进度已保存" in r.get_data(as_text=True)
        assert _colour(r.get_data(as_text=True)) == "none"
    assert _task(app, TITLE)["progress"] == 50

    # another county cannot even see it; a city-wide department sees it but may not report for the lead unit
    with clock.frozen(D(2020, 7, 6)):
        assert _progress(county2, pk, progress="90").status_code == 404
        assert county2.get(f"/tasks/show/{pk}").status_code == 404
        r = _progress(hrss, pk, progress="90")
        assert "只有牵头单位或领导小组办公室" in r.get_data(as_text=True)
        # the lead unit may not move its own deadline through the edit form
        c = county1
        r = c.post(f"/tasks/edit/{pk}", data={"csrf_token": session_csrf(c), "title_zh": TITLE,
                                              "lead_org": str(org_id(app, "540502")), "start_on": "2020-07-01",
                                              "deadline": "2020-12-31", "progress": "50", "metric": ""},
                   follow_redirects=True)
        assert "只有领导小组办公室才能修改任务内容和期限" in r.get_data(as_text=True)
    task = _task(app, TITLE)
    assert task["progress"] == 50 and task["deadline"] == D(2020, 7, 20)

    with clock.frozen(D(2020, 7, 15)):  # 14 of 19 days gone, 50%: behind
        assert _colour(county1.get(f"/tasks/show/{pk}").get_data(as_text=True)) == "yellow"
        # done only at 100%
        r = _progress(county1, pk, progress="80", done="1")
        assert "进度达到100%" in r.get_data(as_text=True)
        assert _task(app, TITLE)["done_on"] is None and _task(app, TITLE)["progress"] == 50
        r = _progress(county1, pk, progress="100")
        assert _colour(r.get_data(as_text=True)) == "blue"  # on schedule, deadline within 7 days
        assert _progress(county1, pk, progress="abc").status_code == 200
        assert _task(app, TITLE)["progress"] == 100

    with clock.frozen(D(2020, 7, 20)):  # due today: still on time
        assert _colour(county1.get(f"/tasks/show/{pk}").get_data(as_text=True)) == "blue"
    with clock.frozen(D(2020, 7, 21)):  # across the deadline, not marked done: red
        page = county1.get(f"/tasks/show/{pk}").get_data(as_text=True)
        assert _colour(page) == "red"
        listing = as_user("sasac").get("/tasks/list/?_flt_0_id=%d" % pk).get_data(as_text=True)
        assert "deadline-red" in listing
    with clock.frozen(D(2020, 7, 22)):  # caught up late: yellow, never green
        r = _progress(county1, pk, progress="100", done="1")
        assert _colour(r.get_data(as_text=True)) == "yellow"
    assert _task(app, TITLE)["done_on"] == D(2020, 7, 22)

    # only the planner deletes
    c = county1
    c.post(f"/tasks/delete/{pk}", data={"csrf_token": session_csrf(c)})
    assert _task(app, TITLE) is not None


def test_done_on_time_is_green(app, as_user, cleanup_tasks):
    with clock.frozen(D(2020, 7, 1)):
        _create(app, as_user)
    pk = _task(app, TITLE)["id"]
    with clock.frozen(D(2020, 7, 20)):
        r = _progress(as_user("county1"), pk, progress="100", done="1")
        assert _colour(r.get_data(as_text=True)) == "green"


def test_assisting_unit_reads_but_does_not_write(app, as_user, cleanup_tasks):
    with clock.frozen(D(2020, 7, 1)):
        _create(app, as_user, assisting=[str(org_id(app, "540522"))])
    pk = _task(app, TITLE)["id"]
    county2 = as_user("county2")
    page = county2.get(f"/tasks/show/{pk}").get_data(as_text=True)
    assert TITLE in page and 'id="progress-form"' not in page
    with clock.frozen(D(2020, 7, 2)):
        r = _progress(county2, pk, progress="70")
    assert "只有牵头单位或领导小组办公室" in r.get_data(as_text=True)
    assert _task(app, TITLE)["progress"] == 0
    # a unit neither leading nor assisting sees nothing
    assert as_user("enterprise1").get(f"/tasks/show/{pk}").status_code == 404


# ---------------------------------------------------------------------------------------------------------
# Live metrics

def _raw_handover(app, county_code):
    """Counted case by case in Python, by the model's own derivation (not the SQL under test)."""
    with app.app_context():
        county = org_id(app, county_code)
        cases = db.session.scalars(select(HandoverCase).where(HandoverCase.receiving_county_id == county)).all()
        done = sum(1 for c in cases if c.status() == OverallStatus.HANDED_OVER)
        party = [c.item("party") for c in cases]
        party_total = sum(1 for i in party if i is not None and i.state != "not_applicable")
        party_done = sum(1 for i in party if i is not None and i.state == "done")
        db.session.remove()
        return done, len(cases), party_done, party_total


def test_metric_progress_equals_raw_counts(app, as_user):
    from app.workplan.metrics import metric_counts

    done, total, party_done, party_total = _raw_handover(app, "540502")
    assert total > 0 and done > 0  # the demo has handed some over: the test can fail
    with app.app_context():
        county = org_id(app, "540502")
        assert metric_counts(Metric.HANDOVER, county) == (done, total)
        assert metric_counts(Metric.PARTY, county) == (party_done, party_total)
        task = db.session.scalars(select(WorkTask).where(WorkTask.lead_org_id == county,
                                                         WorkTask.metric == Metric.HANDOVER)).one()
        pk = task.id
        city_total = db.session.scalar(select(db.func.count(HandoverCase.id)))
        assert metric_counts(Metric.HANDOVER, None)[1] == city_total
        db.session.remove()
    page = as_user("county1").get(f"/tasks/show/{pk}").get_data(as_text=True)
    assert f"{done} / {total}" in page
    assert f"{100.0 * done / total:.0f}%" in page
    # typing progress into a metric task is refused
    c = as_user("county1")
    before = _task_by_id(app, pk)
    r = c.put(f"/api/v1/worktask/{pk}", json={"progress": 100})
    assert r.status_code == 422
    assert _task_by_id(app, pk) == before


def _task_by_id(app, pk):
    with app.app_context():
        task = db.session.get(WorkTask, pk)
        data = {c.key: getattr(task, c.key) for c in WorkTask.__table__.columns}
        db.session.remove()
        return data


# ---------------------------------------------------------------------------------------------------------
# Evidence

def test_evidence_upload_and_scoped_download(app, as_user, cleanup_tasks):
    with clock.frozen(D(2020, 7, 1)):
        _create(app, as_user)
    pk = _task(app, TITLE)["id"]
    c = as_user("county1")
    files = count_rows(app, StoredFile)
    r = c.post(f"/tasks/{pk}/evidence", data={"csrf_token": session_csrf(c),
                                              "file": (io.BytesIO(b"MZ\x90\x00not a document"), "证明.pdf")},
               content_type="multipart/form-data", follow_redirects=True)
    assert "不接受此类文件" in r.get_data(as_text=True)
    assert count_rows(app, StoredFile) == files
    # another county may not add evidence to this task
    other = as_user("county2")
    r = other.post(f"/tasks/{pk}/evidence", data={"csrf_token": session_csrf(other),
                                                  "file": (io.BytesIO(PDF), "x.pdf")},
                   content_type="multipart/form-data")
    assert r.status_code == 404 and count_rows(app, StoredFile) == files
    r = c.post(f"/tasks/{pk}/evidence", data={"csrf_token": session_csrf(c),
                                              "file": (io.BytesIO(PDF), "../../选址报告.pdf")},
               content_type="multipart/form-data", follow_redirects=True)
    assert "选址报告.pdf" in r.get_data(as_text=True)
    assert count_rows(app, StoredFile) == files + 1
    with app.app_context():
        stored = db.session.get(WorkTask, pk).evidence[0]
        file_id, name = stored.id, stored.original_name
        other_file = db.session.scalar(select(StoredFile.id).where(StoredFile.id != file_id).limit(1))
        db.session.remove()
    assert name == "选址报告.pdf"
    got = c.get(f"/tasks/{pk}/evidence/{file_id}")
    assert got.status_code == 200 and got.data == PDF
    assert as_user("sasac").get(f"/tasks/{pk}/evidence/{file_id}").status_code == 200
    assert other.get(f"/tasks/{pk}/evidence/{file_id}").status_code == 404
    if other_file is not None:  # a file id that is not this task's
        assert c.get(f"/tasks/{pk}/evidence/{other_file}").status_code == 404


# ---------------------------------------------------------------------------------------------------------
# Ranking of units

def test_ranking_sums_every_registered_stream(app, as_user, cleanup_tasks):
    from app import deadlines
    from app.workplan.services import overdue_tasks

    nedong, gonggar = org_id(app, "540502"), org_id(app, "540522")

    def fake_reports(today):
        return {gonggar: 3}

    added = "report" not in deadlines.OVERDUE_COUNTERS
    previous = deadlines.OVERDUE_COUNTERS.get("report")
    deadlines.OVERDUE_COUNTERS["report"] = fake_reports
    try:
        with clock.frozen(D(2021, 1, 5)):  # every demo county task (due 2020-12-31) is overdue unless done
            with app.app_context():
                tasks = overdue_tasks(D(2021, 1, 5))
                db.session.remove()
            page = as_user("sasac").get("/tasks/ranking").get_data(as_text=True)
    finally:
        if added:
            del deadlines.OVERDUE_COUNTERS["report"]
        else:
            deadlines.OVERDUE_COUNTERS["report"] = previous
    assert tasks.get(nedong) == 1 and tasks.get(gonggar) == 1
    assert "逾期任务" in page and "逾期月度报送" in page
    row = re.search(rf'<tr data-org="{gonggar}">(.*?)</tr>', page, re.S).group(1)
    assert re.search(r'class="count-task">1<', row) and re.search(r'class="count-report">3<', row)
    assert re.search(r'class="total">4<', row)
    # the most overdue unit comes first
    assert page.index(f'data-org="{gonggar}"') < page.index(f'data-org="{nedong}"')
