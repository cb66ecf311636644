"""The implementation-plan lifecycle through HTTP: an enterprise uploads, SASAC returns with comments or
approves, the inbox follows, every version is kept; who may do what; the overview of enterprises without
an approved plan; `flask supervise` agrees with the events and is idempotent."""
import datetime
import io
import re

from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.notify.models import Notification
from app.plans.demo import minimal_pdf
from app.plans.models import ImplementationPlan, PlanVersion, VersionStatus
from tests.conftest import count_rows, org_id, session_csrf

AT = datetime.datetime(2020, 7, 1, 10, 0)


def upload(client, name="实施方案.pdf", data=None, note=""):
    token = session_csrf(client)
    return client.post("/plans/upload", data={
        "csrf_token": token, "note": note,
        "file": (io.BytesIO(data if data is not None else minimal_pdf("plan")), name)},
        content_type="multipart/form-data")


def plan_of(app, code):
    """(plan id, [(version id, number, status, comment)] newest first) of an enterprise, read afresh."""
    with app.app_context():
        plan = db.session.scalar(select(ImplementationPlan).where(
            ImplementationPlan.enterprise_id == org_id(app, code)))
        result = None if plan is None else (plan.id, [(v.id, v.number, v.status, v.review_comment)
                                                      for v in plan.ordered_versions()])
        db.session.remove()
        return result


def notice(app, key):
    with app.app_context():
        entry = db.session.scalar(select(Notification).where(Notification.key == key))
        result = None if entry is None else (entry.org_id, entry.resolved_at is None, entry.params)
        db.session.remove()
        return result


def flashes(response):
    return re.findall(r'class="alert alert-(?:danger|success)[^"]*"[^>]*>.*?</button>\s*(.*?)\s*</div>',
                      response.get_data(as_text=True), re.S)


def test_upload_return_upload_approve(app, as_user):
    ent, sasac = as_user("enterprise2"), as_user("sasac")
    gzw = org_id(app, "5405-GZW")
    with clock.frozen(AT):
        r = upload(ent, "国网山南供电公司实施方案.pdf", note="第二稿")
    assert r.status_code == 302 and "/plans/show/" in r.headers["Location"]
    plan_id, versions = plan_of(app, "E-C03")
    newest = versions[0]
    assert newest[2] == VersionStatus.SUBMITTED and newest[1] == versions[1][1] + 1
    # the demo's returned version left the inbox with the new upload; SASAC has the new one waiting
    assert notice(app, f"plan:returned:{versions[1][0]}")[1] is False
    assert notice(app, f"plan:review:{newest[0]}")[:2] == (gzw, True)
    assert "plan:review:%d" % newest[0] in _inbox_keys(app, "sasac")

    # returning without a comment is refused, nothing changes
    token = session_csrf(sasac)
    r = sasac.post(f"/plans/version/{newest[0]}/return", data={"csrf_token": token, "comment": "  "},
                   follow_redirects=True)
    assert "必须填写意见" in r.get_data(as_text=True)
    assert plan_of(app, "E-C03")[1][0][2] == VersionStatus.SUBMITTED

    with clock.frozen(AT + datetime.timedelta(days=2)):
        r = sasac.post(f"/plans/version/{newest[0]}/return",
                       data={"csrf_token": token, "comment": "请补充离休人员的处理方式"}, follow_redirects=True)
    assert "方案已退回企业" in r.get_data(as_text=True)
    assert plan_of(app, "E-C03")[1][0][2:] == (VersionStatus.RETURNED, "请补充离休人员的处理方式")
    assert notice(app, f"plan:review:{newest[0]}")[1] is False
    assert notice(app, f"plan:returned:{newest[0]}")[:2] == (org_id(app, "E-C03"), True)
    # the enterprise reads it in its inbox (with the comment) and on the plan page
    inbox = ent.get("/inbox/").get_data(as_text=True)
    assert "请补充离休人员的处理方式" in inbox and "已被退回修改" in inbox
    page = ent.get(f"/plans/show/{plan_id}").get_data(as_text=True)
    assert 'id="returned-comment"' in page and "请补充离休人员的处理方式" in page
    # a version is reviewed once
    r = sasac.post(f"/plans/version/{newest[0]}/approve", data={"csrf_token": token}, follow_redirects=True)
    assert "该版本已经审核过" in r.get_data(as_text=True)
    assert plan_of(app, "E-C03")[1][0][2] == VersionStatus.RETURNED

    # a new version: the returned entry is resolved; two uploads in a row: the waiting one is replaced
    with clock.frozen(AT + datetime.timedelta(days=3)):
        upload(ent, "第三稿.pdf")
        upload(ent, "第四稿.pdf")
    _, versions = plan_of(app, "E-C03")
    fourth, third = versions[0], versions[1]
    assert (fourth[2], third[2]) == (VersionStatus.SUBMITTED, VersionStatus.SUPERSEDED)
    assert notice(app, f"plan:returned:{newest[0]}")[1] is False
    assert notice(app, f"plan:review:{third[0]}")[1] is False
    assert notice(app, f"plan:review:{fourth[0]}")[1] is True
    r = sasac.post(f"/plans/version/{third[0]}/approve", data={"csrf_token": token}, follow_redirects=True)
    assert "请审核最新版本" in r.get_data(as_text=True)
    assert plan_of(app, "E-C03")[1][1][2] == VersionStatus.SUPERSEDED

    with clock.frozen(AT + datetime.timedelta(days=4)):
        r = sasac.post(f"/plans/version/{fourth[0]}/approve", data={"csrf_token": token}, follow_redirects=True)
    assert "方案已审核通过" in r.get_data(as_text=True)
    with app.app_context():
        plan = db.session.get(ImplementationPlan, plan_id)
        assert plan.status == VersionStatus.APPROVED and plan.approved_at is not None
        assert plan.approved_version().number == fourth[1]
        db.session.remove()
    assert notice(app, f"plan:review:{fourth[0]}")[1] is False
    # every version is kept and listed
    page = sasac.get(f"/plans/show/{plan_id}").get_data(as_text=True)
    assert page.count('class="plan-version"') == len(versions) >= 4
    for name in ("国网山南供电公司实施方案.pdf", "第三稿.pdf", "第四稿.pdf"):
        assert name in page


def _inbox_keys(app, username):
    from app.notify.views import addressed_to
    from app.security.models import OrgUser

    with app.app_context():
        user = db.session.scalar(select(OrgUser).where(OrgUser.username == username))
        keys = set(db.session.scalars(select(Notification.key).where(
            addressed_to(user), Notification.resolved_at.is_(None))))
        db.session.remove()
        return keys


def test_who_may_upload_and_review(app, as_user):
    versions_before = count_rows(app, PlanVersion)
    # SASAC does not upload; a supervision user has no write access at all
    r = upload(as_user("sasac"))
    assert count_rows(app, PlanVersion) == versions_before
    assert upload(as_user("supervision")).status_code in (302, 403)
    assert upload(as_user("county1")).status_code in (302, 403)
    assert count_rows(app, PlanVersion) == versions_before
    assert r.status_code == 302

    # a waiting version of enterprise1: enterprise1 cannot review its own, enterprise2 cannot see it
    ent1 = as_user("enterprise1")
    with clock.frozen(AT):
        upload(ent1, "待审.pdf")
    waiting = plan_of(app, "E-S02")[1][0]
    assert waiting[2] == VersionStatus.SUBMITTED
    r = ent1.post(f"/plans/version/{waiting[0]}/approve", data={"csrf_token": session_csrf(ent1)},
                  follow_redirects=True)
    assert "只能由领导小组办公室" in r.get_data(as_text=True)
    ent2 = as_user("enterprise2")
    assert ent2.post(f"/plans/version/{waiting[0]}/return",
                     data={"csrf_token": session_csrf(ent2), "comment": "x"}).status_code == 404
    sup = as_user("supervision")
    assert sup.post(f"/plans/version/{waiting[0]}/approve",
                    data={"csrf_token": session_csrf(sup)}).status_code in (302, 403)
    assert plan_of(app, "E-S02")[1][0][2] == VersionStatus.SUBMITTED
    # the leading group and the supervision office read every plan
    plan_id = plan_of(app, "E-S02")[0]
    for user in ("leader", "supervision"):
        assert as_user(user).get(f"/plans/show/{plan_id}").status_code == 200


def test_a_refused_upload_leaves_nothing(app, as_user):
    import os

    folder = app.config["UPLOAD_FOLDER"]
    files = len(os.listdir(folder))
    versions = count_rows(app, PlanVersion)
    r = upload(as_user("sasac"), data=minimal_pdf("x"))
    assert r.status_code == 302
    assert (len(os.listdir(folder)), count_rows(app, PlanVersion)) == (files, versions)


def test_overview_lists_enterprises_without_an_approved_plan(app, as_user):
    page = as_user("sasac").get("/plans/overview/?status=not_approved").get_data(as_text=True)
    rows = dict(re.findall(r'data-enterprise="([^"]+)" data-status="([^"]+)"', page))
    assert rows["E-C01"] == "none"  # never uploaded
    assert "E-R01" not in rows  # approved in the demo
    every = dict(re.findall(r'data-enterprise="([^"]+)" data-status="([^"]+)"',
                            as_user("sasac").get("/plans/overview/").get_data(as_text=True)))
    from app.org.models import Organization

    assert len(every) == count_rows(app, Organization, Organization.kind == "enterprise") > 12
    assert every["E-R01"] == "approved"
    none = as_user("sasac").get("/plans/overview/?status=none").get_data(as_text=True)
    assert set(re.findall(r'data-enterprise="([^"]+)"', none)) == {k for k, v in every.items() if v == "none"}
    # an enterprise sees only itself
    own = as_user("enterprise1").get("/plans/overview/").get_data(as_text=True)
    assert re.findall(r'data-enterprise="([^"]+)"', own) == ["E-S02"]
    assert as_user("county1").get("/plans/overview/").status_code in (302, 403)


def test_supervise_agrees_with_the_events_and_is_idempotent(app):
    from app.notify import run_sources
    from app.security.scope import as_system

    with app.app_context(), as_system("test"):
        run_sources(datetime.date(2020, 7, 5), kinds=["plan"])
        db.session.commit()
        again = run_sources(datetime.date(2020, 7, 5), kinds=["plan"])
        db.session.commit()
        assert again == {"plan": (0, 0)}
        with_plan = set(db.session.scalars(select(ImplementationPlan.enterprise_id)))
        missing = set(db.session.scalars(select(Notification.org_id).where(
            Notification.key.like("plan:missing:%"), Notification.resolved_at.is_(None))))
        from app.org.models import Organization

        enterprises = set(db.session.scalars(select(Organization.id).where(Organization.kind == "enterprise")))
        assert missing == enterprises - with_plan and missing
        # one open review entry per plan whose newest version waits
        waiting = db.session.scalar(select(func.count(ImplementationPlan.id)).where(
            ImplementationPlan.status == VersionStatus.SUBMITTED))
        open_reviews = db.session.scalar(select(func.count(Notification.id)).where(
            Notification.key.like("plan:review:%"), Notification.resolved_at.is_(None)))
        assert open_reviews == waiting
        db.session.remove()


def test_only_the_enterprise_edits_its_remarks(app, as_user):
    plan_id = plan_of(app, "E-S02")[0]
    ent = as_user("enterprise1")
    r = ent.post(f"/plans/edit/{plan_id}", data={"csrf_token": session_csrf(ent), "note": "联系人：张三"})
    assert r.status_code == 302
    sasac = as_user("sasac")
    page = sasac.post(f"/plans/edit/{plan_id}", data={"csrf_token": session_csrf(sasac), "note": "改"},
                      follow_redirects=True).get_data(as_text=True)
    assert "实施方案的备注只能由企业本单位修改" in page
    assert sasac.put(f"/api/v1/implementationplan/{plan_id}", json={"note": "改"}).status_code == 422
    with app.app_context():
        assert db.session.get(ImplementationPlan, plan_id).note == "联系人：张三"
        db.session.remove()
    assert ent.put(f"/api/v1/implementationplan/{plan_id}", json={"note": "联系人：李四"}).status_code == 200
    # plans and versions are kept
    assert ent.post(f"/plans/delete/{plan_id}", data={"csrf_token": session_csrf(ent)}).status_code in (302, 200)
    assert plan_of(app, "E-S02") is not None


def test_flask_supervise_twice(app, runner):
    first = runner.invoke(args=["supervise", "--date", "2020-07-06"])
    second = runner.invoke(args=["supervise", "--date", "2020-07-06"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "plan\tnew 0\tresolved 0" in second.output
