"""Concurrency (issue 10, app/versioning.py), with two threads through HTTP on the suite's database (SQLite or
PostgreSQL): over 50 rounds a batch accepted and returned at the same moment ends in one state, a
double-clicked submit goes through once, two users saving one record never lose an update silently, and two
first saves of a unique record answer with a message — never a 500."""
import io
import re
import threading

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import delete, select, update

from app import clock
from app.extensions import db
from app.handover import services
from app.handover.models import BatchStatus, HandoverBatch, HandoverCase
from app.monthly.models import MonthlyReport, MonthlyReportEvent
from app.org.models import Organization, OrgKind
from app.retirees.models import Retiree
from tests.conftest import PASSWORD, login, session_csrf

ROUNDS = 50


def _zh(app, message):
    with app.test_request_context(), force_locale("zh"):
        return gettext(message)


def _race(*calls):
    """Run the calls in threads that start together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as e:  # noqa: BLE001 - reported by the test as a failure
            results[i] = e

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def _post(client, token, url, **data):
    return lambda: client.post(url, data={**data, "csrf_token": token})


@pytest.fixture(scope="module")
def race_batch(app):
    """A batch of enterprise1 to 贡嘎县 with one retiree, made through the services; its id and the community
    the county assigns."""
    with app.app_context():
        sm = app.appbuilder.sm
        ent = sm.find_user(username="enterprise1")
        county = db.session.scalars(select(Organization).where(Organization.code == "540522")).one()
        enterprise = db.session.scalars(select(Organization).where(Organization.code == "E-S02")).one()
        case = db.session.scalars(select(HandoverCase).join(Retiree, Retiree.id == HandoverCase.retiree_id).where(
            HandoverCase.enterprise_id == enterprise.id, HandoverCase.batch_id.is_(None),
            HandoverCase.receiving_county_id == county.id, Retiree.deceased.is_(False))
            .order_by(HandoverCase.id.desc())).first()
        assert case is not None
        with app.test_request_context():
            batch = HandoverBatch(receiving_county=county, note="并发测试")
            services.create_batch(ent, batch)
            db.session.add(batch)
            db.session.flush()
            services.confirm_place(ent, case, county, None, "并发测试" if case.proposed_county_id != county.id else None)
            services.add_to_batch(ent, batch, [case.retiree_id])
            db.session.commit()
        towns = select(Organization.id).where(Organization.parent_id == county.id)
        community = db.session.scalar(select(Organization.id).where(
            Organization.kind == OrgKind.COMMUNITY, Organization.parent_id.in_(towns)).order_by(Organization.id))
        batch_id, case_id = batch.id, case.id
        db.session.remove()
    yield batch_id, case_id, community
    with app.app_context():  # the retiree out of the batch again, its checklist as the rules derive it
        from app.handover.stats import forget_cached_figures

        case = db.session.get(HandoverCase, case_id)
        case.batch_id, case.accepted_on = None, None
        db.session.flush()
        db.session.expire(case, ["batch"])
        services.sync_derived(case)
        db.session.commit()
        db.session.remove()
        forget_cached_figures()  # the rounds reset rows in SQL, without the audit rows the cache watches


def _reset_batch(app, batch_id, case_id, status):
    with app.app_context():
        db.session.execute(update(HandoverBatch).where(HandoverBatch.id == batch_id).values(
            status=status, submitted_on=None if status == BatchStatus.DRAFT else clock.utcnow(),
            accepted_on=None, accepted_by_id=None, returned_on=None, returned_by_id=None, return_reason=None))
        db.session.execute(update(HandoverCase).where(HandoverCase.id == case_id).values(accepted_on=None))
        db.session.commit()
        db.session.remove()


def _batch(app, batch_id):
    with app.app_context():
        b = db.session.get(HandoverBatch, batch_id)
        value = (b.status, b.accepted_on, b.returned_on, b.note, b.version)
        db.session.remove()
        return value


def test_accept_and_return_at_the_same_moment_leave_one_state(app, race_batch):
    batch_id, case_id, community = race_batch
    a, b = login(app.test_client(), "county2"), login(app.test_client(), "county2")
    ta, tb = session_csrf(a), session_csrf(b)
    inconsistent, errors, outcomes = 0, [], {"accepted": 0, "returned": 0}
    for _round in range(ROUNDS):
        _reset_batch(app, batch_id, case_id, BatchStatus.SUBMITTED)
        results = _race(_post(a, ta, f"/batches/{batch_id}/accept", **{f"community_{case_id}": community}),
                        _post(b, tb, f"/batches/{batch_id}/return", reason="材料不全"))
        errors += [r for r in results if isinstance(r, Exception) or r.status_code >= 500]
        status, accepted_on, returned_on, _note, _v = _batch(app, batch_id)
        if accepted_on is not None and returned_on is not None or status not in outcomes:
            inconsistent += 1
        else:
            outcomes[status] += 1
    assert errors == [] and inconsistent == 0, (errors[:3], inconsistent)
    assert outcomes["accepted"] + outcomes["returned"] == ROUNDS


def test_a_double_clicked_submit_goes_through_once(app, race_batch):
    batch_id, case_id, _community = race_batch
    a, b = login(app.test_client(), "enterprise1"), login(app.test_client(), "enterprise1")
    ta, tb = session_csrf(a), session_csrf(b)
    success = _zh(app, "The batch was submitted.")
    doubles, errors = 0, []
    for _round in range(ROUNDS):
        _reset_batch(app, batch_id, case_id, BatchStatus.DRAFT)
        results = _race(_post(a, ta, f"/batches/{batch_id}/submit"), _post(b, tb, f"/batches/{batch_id}/submit"))
        errors += [r for r in results if isinstance(r, Exception) or r.status_code >= 500]
        said = 0
        for client in (a, b):  # each response redirects; the flashed message is on the next page
            said += success in client.get(f"/batches/show/{batch_id}").get_data(as_text=True)
        assert _batch(app, batch_id)[0] == BatchStatus.SUBMITTED
        doubles += said != 1
    assert errors == [] and doubles == 0, (errors[:3], doubles)


def test_two_users_saving_one_record_lose_no_update(app, race_batch):
    batch_id, case_id, _community = race_batch
    a, b = login(app.test_client(), "enterprise1"), login(app.test_client(), "enterprise1")
    stale = _zh(app, "Someone else changed this record after you opened it. Nothing was saved: your input is "
                     "kept below; open the record again to see the current state before saving.")
    race = _zh(app, "This record was just saved by someone else at the same moment. Nothing was saved: open it "
                    "again and repeat your change if it is still needed.")
    lost, errors = 0, []
    _reset_batch(app, batch_id, case_id, BatchStatus.DRAFT)
    for n in range(ROUNDS):
        forms = []
        for client in (a, b):  # both open the edit form: the same version
            page = client.get(f"/batches/edit/{batch_id}").get_data(as_text=True)
            version = re.search(r'name="row_version"[^>]*value="(\d+)"', page) or re.search(
                r'value="(\d+)"[^>]*name="row_version"', page)
            assert version, page[-1500:]
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
            forms.append({"row_version": version.group(1), "csrf_token": token})
        notes = (f"甲的备注{n}", f"乙的备注{n}")
        results = _race(lambda: a.post(f"/batches/edit/{batch_id}", data={**forms[0], "note": notes[0]}),
                        lambda: b.post(f"/batches/edit/{batch_id}", data={**forms[1], "note": notes[1]}))
        errors += [r for r in results if isinstance(r, Exception) or r.status_code >= 500]
        saved = [r.status_code == 302 for r in results]
        final = _batch(app, batch_id)[3]
        refused = [r for r in results if r.status_code == 200]
        # exactly one save went through, and it is the note that stays; the other got the form back, its
        # text kept, with the message why
        if saved.count(True) != 1 or final != notes[saved.index(True)]:
            lost += 1
        for r in refused:
            text = r.get_data(as_text=True)
            assert (stale in text or race in text) and notes[results.index(r)] in text
    assert errors == [] and lost == 0, (errors[:3], lost)
    # the REST API: the version in the payload, a stale one answers 409 and changes nothing
    version = _batch(app, batch_id)[4]
    client = login(app.test_client(), "enterprise1")
    assert client.put(f"/api/v1/handoverbatch/{batch_id}", json={"note": "接口一", "version": version}).status_code == 200
    r = client.put(f"/api/v1/handoverbatch/{batch_id}", json={"note": "接口二", "version": version})
    assert r.status_code == 409 and _batch(app, batch_id)[3] == "接口一"
    assert r.get_json()["message"] == stale


def test_two_first_saves_of_a_monthly_report_answer_without_a_500(app):
    with app.app_context():
        org = db.session.scalar(select(Organization.id).where(Organization.code == "540522"))
        db.session.remove()
    from app.monthly import rules

    month = rules.add_months(rules.month_of(clock.today()), -1)
    a, b = login(app.test_client(), "county2"), login(app.test_client(), "county2")
    ta, tb = session_csrf(a), session_csrf(b)
    values = {"progress": "本月完成移交工作若干项。", "problems": "无", "next_steps": "继续推进。", "action": "save"}

    def clear():
        with app.app_context():
            ids = select(MonthlyReport.id).where(MonthlyReport.org_id == org, MonthlyReport.month == month)
            db.session.execute(delete(MonthlyReportEvent).where(MonthlyReportEvent.report_id.in_(ids)))
            db.session.execute(delete(MonthlyReport).where(MonthlyReport.org_id == org, MonthlyReport.month == month))
            db.session.commit()
            db.session.remove()

    errors = []
    try:
        for _round in range(ROUNDS):
            clear()
            results = _race(_post(a, ta, f"/monthly-reports/month/{month}", **values),
                            _post(b, tb, f"/monthly-reports/month/{month}", **values))
            errors += [r for r in results if isinstance(r, Exception) or r.status_code >= 500]
            with app.app_context():
                n = db.session.scalar(select(db.func.count()).select_from(MonthlyReport).where(
                    MonthlyReport.org_id == org, MonthlyReport.month == month))
                db.session.remove()
            assert n == 1
    finally:
        clear()
    assert errors == [], errors[:3]


def test_two_first_uploads_of_a_plan_answer_without_a_500(app):
    from app.plans.demo import minimal_pdf
    from app.plans.models import ImplementationPlan, PlanVersion

    with app.app_context():
        sm = app.appbuilder.sm
        parent = db.session.scalar(select(Organization).where(Organization.code == "E-C03"))
        org = Organization(code="E-RACE", kind=OrgKind.ENTERPRISE, name_zh="并发测试企业", name_bo="ཚོང་ལས།",
                           parent_id=parent.parent_id, path=parent.path, ownership_level=parent.ownership_level)
        db.session.add(org)
        db.session.flush()
        user = sm.add_user("racer", "racer", "-", "racer@localhost", sm.find_role("enterprise"), PASSWORD)
        user.org_id = org.id
        db.session.commit()
        org_id = org.id
        db.session.remove()

    def clear():
        with app.app_context():
            plans = select(ImplementationPlan.id).where(ImplementationPlan.enterprise_id == org_id)
            db.session.execute(delete(PlanVersion).where(PlanVersion.plan_id.in_(plans)))
            db.session.execute(delete(ImplementationPlan).where(ImplementationPlan.enterprise_id == org_id))
            db.session.commit()
            db.session.remove()

    a, b = login(app.test_client(), "racer"), login(app.test_client(), "racer")
    ta, tb = session_csrf(a), session_csrf(b)

    def upload(client, token, name):
        return lambda: client.post("/plans/upload", content_type="multipart/form-data", data={
            "csrf_token": token, "note": "", "file": (io.BytesIO(minimal_pdf("plan")), name)})

    errors = []
    try:
        for _round in range(20):
            clear()
            results = _race(upload(a, ta, "甲.pdf"), upload(b, tb, "乙.pdf"))
            errors += [r for r in results if isinstance(r, Exception) or r.status_code >= 500]
            with app.app_context():
                plans = db.session.scalar(select(db.func.count()).select_from(ImplementationPlan).where(
                    ImplementationPlan.enterprise_id == org_id))
                db.session.remove()
            assert plans == 1
    finally:
        clear()
        with app.app_context():
            from app.security.models import OrgUser

            from app.uploads import StoredFile

            racer = db.session.scalars(select(OrgUser).where(OrgUser.username == "racer")).one()
            db.session.execute(delete(StoredFile).where(StoredFile.uploaded_by_id == racer.id))
            db.session.delete(racer)
            db.session.flush()
            db.session.delete(db.session.get(Organization, org_id))
            db.session.commit()
            db.session.remove()
    assert errors == [], errors[:3]
