"""The community's service work through HTTP within scopes (issue 14): liaison offices receive out-of-region
batches and confirm receipt; eligibility certification with its refusals (another community's retiree, a
deceased one, a reader); a death report with evidence that stops certification and opens both survivor
claims, the claim steps and their refusals; the lists, the phone page and the inbox."""
import datetime
import io
import re

from sqlalchemy import select

from app import clock
from app.community import rules, services
from app.community.models import (Certification, ClaimStep, DeathReport, LifeStatus, ServiceRecord,
                                  SurvivorClaim)
from app.extensions import db
from app.handover.models import BatchStatus, HandoverBatch, HandoverCase
from app.notify.models import Notification
from app.plans.demo import minimal_pdf
from app.retirees.models import Retiree
from app.steps import Refusal
from tests.conftest import org_id, session_csrf


def _q(app, fn):
    with app.app_context():
        value = fn(db.session)
        db.session.remove()
        return value


def _post(client, url, data=None, **kw):
    data = dict(data or {})
    data["csrf_token"] = session_csrf(client)
    return client.post(url, data=data, **kw)


def flashes(response):
    return re.findall(r'class="alert alert-(?:danger|success)[^"]*"[^>]*>.*?</button>\s*(.*?)\s*</div>',
                      response.get_data(as_text=True), re.S)


def _record(app, community_code, offset=0, alive=True):
    """(record id, retiree id) of a living retiree in the community's care, counted from the lowest id."""
    unit = org_id(app, community_code)

    def fn(s):
        query = select(ServiceRecord.id, ServiceRecord.retiree_id).join(
            Retiree, Retiree.id == ServiceRecord.retiree_id).where(
            Retiree.receiving_community_id == unit,
            ServiceRecord.status == (LifeStatus.ALIVE if alive else LifeStatus.DECEASED)).order_by(
            ServiceRecord.id).offset(offset).limit(1)
        return tuple(s.execute(query).one())
    return _q(app, fn)


def _state(app, record_id):
    def fn(s):
        r = s.get(ServiceRecord, record_id)
        return {"status": r.status, "due": r.cert_due_on, "last": r.last_certified_on,
                "deceased": r.retiree.deceased, "certs": s.query(Certification).filter_by(
                    retiree_id=r.retiree_id).count()}
    return _q(app, fn)


# ---------------------------------------------------------------------------------------------------------
# Liaison offices


def _liaison_batch(app, office_code, status):
    office = org_id(app, office_code)
    return _q(app, lambda s: s.scalars(select(HandoverBatch.id).where(
        HandoverBatch.liaison_office_id == office, HandoverBatch.status == status).order_by(HandoverBatch.id)).all())


def test_liaison_office_accepts_returns_and_confirms_receipt(app, as_user):
    waiting = _liaison_batch(app, "XZ-BSC-CD", BatchStatus.SUBMITTED)
    assert len(waiting) >= 2, "the demo leaves two batches waiting at the Chengdu office"
    to_accept, to_return = waiting[0], waiting[1]
    liaison1 = as_user("liaison1")
    page = liaison1.get(f"/batches/show/{to_accept}")
    assert page.status_code == 200 and "/accept" in page.get_data(as_text=True)
    # the county, another liaison office and the enterprise cannot act on it
    assert as_user("county1").get(f"/batches/show/{to_accept}").status_code == 404
    assert as_user("liaison2").get(f"/batches/show/{to_accept}").status_code == 404
    enterprise = as_user("enterprise1" if _q(app, lambda s: s.get(HandoverBatch, to_accept).enterprise.code)
                         == "E-S02" else "enterprise2")
    r = _post(enterprise, f"/batches/{to_accept}/accept", follow_redirects=True)
    assert _q(app, lambda s: s.get(HandoverBatch, to_accept).status) == BatchStatus.SUBMITTED
    # the office accepts one and returns the other with a reason
    r = _post(liaison1, f"/batches/{to_accept}/accept", follow_redirects=True)
    assert r.status_code == 200
    batch = _q(app, lambda s: (s.get(HandoverBatch, to_accept).status, s.get(HandoverBatch, to_accept).accepted_by_id,
                               [c.id for c in s.get(HandoverBatch, to_accept).cases]))
    liaison_id = _q(app, lambda s: app.appbuilder.sm.find_user(username="liaison1").id)
    assert batch[0] == BatchStatus.ACCEPTED and batch[1] == liaison_id
    _post(liaison1, f"/batches/{to_return}/return", {"reason": "地址待核实"}, follow_redirects=True)
    assert _q(app, lambda s: s.get(HandoverBatch, to_return).status) == BatchStatus.RETURNED
    # receipt of each person: by the office, not by a community
    case_id = batch[2][0]
    r = _post(as_user("community1"), f"/handover/{case_id}/receive")
    assert r.status_code == 404
    page = liaison1.get(f"/handover/show/{case_id}").get_data(as_text=True)
    assert "receive-form" in page
    r = _post(liaison1, f"/handover/{case_id}/receive", follow_redirects=True)
    assert _q(app, lambda s: s.get(HandoverCase, case_id).received_on) is not None
    r = _post(liaison1, f"/handover/{case_id}/receive", follow_redirects=True)
    assert flashes(r), "a second confirmation is refused with a message"


def test_liaison_sees_only_its_own_retirees_and_ledger(app, as_user):
    office = org_id(app, "XZ-BSC-CD")
    theirs = _q(app, lambda s: s.scalar(select(ServiceRecord.id).join(Retiree, Retiree.id == ServiceRecord.retiree_id)
                                        .where(Retiree.liaison_office_id == office).limit(1)))
    assert as_user("liaison1").get(f"/community/show/{theirs}").status_code == 200
    assert as_user("liaison2").get(f"/community/show/{theirs}").status_code == 404
    assert as_user("community1").get(f"/community/show/{theirs}").status_code == 404
    page = as_user("liaison2").get("/api/v1/retiree/?q=(page_size:100)").get_json()
    gem = org_id(app, "XZ-BSC-GEM")
    ids = [row["id"] for row in page["result"]]
    assert ids and all(_q(app, lambda s: s.get(Retiree, i).liaison_office_id) == gem for i in ids[:10])


# ---------------------------------------------------------------------------------------------------------
# Eligibility certification


def test_certification_within_scope_and_the_refusals(app, as_user):
    record_id, retiree_id = _record(app, "540502-01-01", offset=3)
    c1 = as_user("community1")
    today = clock.today()
    r = _post(c1, f"/community/{record_id}/certify", {"method": "home_visit", "done_on": today.isoformat(),
                                                       "note": "入户认证"})
    assert r.status_code == 302
    state = _state(app, record_id)
    assert state["last"] == today and state["due"] == rules.add_months(today, 12)
    certs = state["certs"]
    # the record's page shows it
    assert "入户认证" in c1.get(f"/community/show/{record_id}").get_data(as_text=True)
    # another community: not even visible
    assert _post(as_user("community2"), f"/community/{record_id}/certify", {"method": "video"}).status_code == 404
    # readers never write: the county and the HR bureau read the ledger but cannot certify
    for reader in ("county1", "hrss"):
        client = as_user(reader)
        assert client.get(f"/community/show/{record_id}").status_code == 200
        _post(client, f"/community/{record_id}/certify", {"method": "video"})
    # the enterprise reads nothing after the handover
    ent = as_user("enterprise1")
    assert ent.get(f"/community/show/{record_id}").status_code in (302, 403, 404)
    assert ent.get("/community/list/").status_code in (302, 403)
    # a date in the future and an unknown method are refused
    r = _post(c1, f"/community/{record_id}/certify",
              {"method": "video", "done_on": (today + datetime.timedelta(days=2)).isoformat()},
              follow_redirects=True)
    assert flashes(r)
    _post(c1, f"/community/{record_id}/certify", {"method": "telepathy"})
    assert _state(app, record_id)["certs"] == certs


def test_lists_of_due_overdue_and_done_and_campaign_progress(app, as_user):
    c1 = as_user("community1")
    today = clock.today()
    overdue = c1.get("/community/certifications/?state=overdue").get_data(as_text=True)
    ids = [int(i) for i in re.findall(r'class="cert-row" data-record="(\d+)"', overdue)]
    assert ids, "the demo leaves overdue certifications in community1"
    dues = _q(app, lambda s: [s.get(ServiceRecord, i).cert_due_on for i in ids])
    assert all(d < today for d in dues)
    unit = org_id(app, "540502-01-01")
    assert all(_q(app, lambda s: s.get(ServiceRecord, i).retiree.receiving_community_id) == unit for i in ids)
    due = c1.get("/community/certifications/?state=due").get_data(as_text=True)
    for i in re.findall(r'class="cert-row" data-record="(\d+)"', due):
        d = _q(app, lambda s: s.get(ServiceRecord, int(i)).cert_due_on)
        assert today <= d <= today + datetime.timedelta(days=30)
    done = c1.get("/community/certifications/?state=done").get_data(as_text=True)
    assert re.findall(r'class="cert-row" data-record="(\d+)"', done)
    assert 'data-unit="540502-01-01"' in done and 'data-unit="540502-01-02"' not in done
    # the county sees every community of its county in the campaign table
    county = as_user("county1").get("/community/certifications/?state=done").get_data(as_text=True)
    assert 'data-unit="540502-01-01"' in county and 'data-unit="540502-01-02"' in county
    assert 'data-unit="540522-01-01"' not in county


def test_overdue_certifications_reach_the_community_and_the_hr_bureau(app):
    from app.notify import run_sources

    with app.app_context():
        today = clock.today()
        run_sources(today, kinds=["service"])
        db.session.commit()
        unit = db.session.scalar(select(Retiree.receiving_community_id).where(
            Retiree.receiving_community_id.is_not(None)).limit(1))
        overdue = services.overdue_certifications_by_unit(today)
        hr = app.appbuilder.sm.find_user(username="hrss").org_id
        c1 = app.appbuilder.sm.find_user(username="community1").org_id
        assert overdue.get(c1)
        keys = set(db.session.scalars(select(Notification.key).where(Notification.kind == "service",
                                                                     Notification.resolved_at.is_(None))))
        assert f"service:cert:{c1}:{c1}" in keys and f"service:cert:{c1}:{hr}" in keys
        # idempotent
        assert run_sources(today, kinds=["service"])["service"] == (0, 0)
        db.session.remove()
        assert unit


def test_phone_round_records_with_one_tap(app, as_user):
    c1 = as_user("community1", lang="bo")
    page = c1.get("/community/today/").get_data(as_text=True)
    ids = re.findall(r'class="round-card" data-record="(\d+)"', page)
    assert ids
    record_id = int(ids[0])
    before = _state(app, record_id)
    r = _post(c1, f"/community/{record_id}/certify-tap", {"method": "in_person"})
    assert r.status_code == 302 and r.headers["Location"].endswith("/community/today/")
    after = _state(app, record_id)
    assert after["certs"] == before["certs"] + 1 and after["last"] == clock.today()
    assert f'data-record="{record_id}"' not in c1.get("/community/today/").get_data(as_text=True)


# ---------------------------------------------------------------------------------------------------------
# Deaths and survivor claims


def test_death_report_stops_certification_and_opens_claims(app, as_user):
    record_id, retiree_id = _record(app, "540502-01-01", offset=5)
    c1 = as_user("community1")
    today = clock.today()
    death = today - datetime.timedelta(days=4)
    # another community cannot report it
    r = _post(as_user("community2"), f"/community/{record_id}/death",
              {"death_date": death.isoformat(), "source": "family"})
    assert r.status_code == 404
    r = _post(c1, f"/community/{record_id}/death", {
        "death_date": death.isoformat(), "source": "hospital", "note": "医院死亡证明",
        "evidence": (io.BytesIO(minimal_pdf("death")), "死亡证明.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 302
    state = _state(app, record_id)
    assert state["status"] == LifeStatus.DECEASED and state["deceased"] and state["due"] is None
    claims = _q(app, lambda s: [(c.id, c.kind, c.step) for c in s.scalars(
        select(SurvivorClaim).where(SurvivorClaim.retiree_id == retiree_id).order_by(SurvivorClaim.kind))])
    assert [(k, st) for _i, k, st in claims] == [("funeral", ClaimStep.OPEN), ("pension", ClaimStep.OPEN)]
    # certification is now refused
    certs = state["certs"]
    r = _post(c1, f"/community/{record_id}/certify", {"method": "video"}, follow_redirects=True)
    assert flashes(r) and _state(app, record_id)["certs"] == certs
    # a second report is refused
    _post(c1, f"/community/{record_id}/death", {"death_date": death.isoformat(), "source": "family"})
    assert _q(app, lambda s: s.query(DeathReport).filter_by(retiree_id=retiree_id).count()) == 1
    # the evidence: the community downloads it, another community gets nothing
    claim_id = claims[0][0]
    got = c1.get(f"/community/claims/{claim_id}/evidence")
    assert got.status_code == 200 and got.data.startswith(b"%PDF")
    assert as_user("community2").get(f"/community/claims/{claim_id}/evidence").status_code == 404

    # the claim's steps, in order, with what each needs
    url = f"/community/claims/{claim_id}/step"
    r = _post(c1, url, {"step": "approved", "amount": "100"}, follow_redirects=True)
    assert flashes(r) and _q(app, lambda s: s.get(SurvivorClaim, claim_id).step) == ClaimStep.OPEN
    r = _post(c1, url, {"step": "submitted", "amount": "12000"}, follow_redirects=True)
    assert _q(app, lambda s: s.get(SurvivorClaim, claim_id).step) == ClaimStep.OPEN
    r = _post(c1, url, {"step": "submitted", "applicant": "卓玛", "relation": "女儿", "amount": "12000",
                        "submitted_to": "山南市社保局", "on_date": today.isoformat()})
    assert _q(app, lambda s: s.get(SurvivorClaim, claim_id).step) == ClaimStep.SUBMITTED
    assert _post(as_user("community2"), url, {"step": "approved", "amount": "1"}).status_code == 404
    _post(as_user("county1"), url, {"step": "approved", "amount": "12000"})
    assert _q(app, lambda s: s.get(SurvivorClaim, claim_id).step) == ClaimStep.SUBMITTED
    _post(c1, url, {"step": "approved", "amount": "12000"})
    _post(c1, url, {"step": "paid"})
    claim = _q(app, lambda s: (s.get(SurvivorClaim, claim_id).step, s.get(SurvivorClaim, claim_id).paid_on,
                               str(s.get(SurvivorClaim, claim_id).amount_approved)))
    assert claim == (ClaimStep.PAID, today, "12000.00")
    page = c1.get(f"/community/claims/show/{claim_id}").get_data(as_text=True)
    assert "卓玛" in page and "claim-form" not in page


def test_a_claim_for_a_living_retiree_is_refused(app):
    with app.test_request_context():
        from flask import g

        actor = app.appbuilder.sm.find_user(username="community1")
        g.user = actor
        retiree = db.session.scalar(select(Retiree).join(ServiceRecord, ServiceRecord.retiree_id == Retiree.id).where(
            Retiree.receiving_community_id == actor.org_id, Retiree.deceased.is_(False)).limit(1))
        report = DeathReport(retiree_id=retiree.id, death_date=clock.today(), source="family",
                             reported_on=clock.today(), created_at=clock.utcnow())
        try:
            services.open_claim(actor, retiree, report, "funeral")
            raise AssertionError("a claim for a living retiree was opened")
        except Refusal as e:
            assert e.message
        db.session.rollback()
        db.session.remove()


def test_overdue_claim_steps_are_flagged_to_the_community(app):
    from app.notify import run_sources

    with app.app_context():
        today = clock.today()
        run_sources(today, kinds=["service"])
        db.session.commit()
        late = [c for c in db.session.scalars(select(SurvivorClaim)) if rules.claim_colour(c, today) == "red"]
        assert late, "the demo leaves a claim whose step is late"
        keys = set(db.session.scalars(select(Notification.key).where(Notification.resolved_at.is_(None))))
        assert all(f"service:claim:{c.id}" in keys for c in late)
        on_time = [c for c in db.session.scalars(select(SurvivorClaim)) if rules.claim_colour(c, today) != "red"]
        assert not any(f"service:claim:{c.id}" in keys for c in on_time)
        db.session.remove()


def test_pages_in_tibetan_have_no_english(app, as_user):
    c1 = as_user("community1", lang="bo")
    record_id, _r = _record(app, "540502-01-01", offset=7)
    claim_id = _q(app, lambda s: s.scalar(select(SurvivorClaim.id).order_by(SurvivorClaim.id).limit(1)))
    for url in ("/community/list/", f"/community/show/{record_id}", "/community/certifications/?state=overdue",
                "/community/today/", "/community/claims/list/", f"/community/claims/show/{claim_id}",
                "/community/moves/list/", "/community/rounds/list/", "/community/hardship/",
                "/community/requests/list/", "/community/requests/new", "/community/activities/list/",
                "/community/party/list/"):
        r = c1.get(url)
        assert r.status_code == 200, url
        text = r.get_data(as_text=True)
        for english in ("Eligibility certification", "Next certification due", "Survivor claim", "Home visit",
                        "Today's round", "Nothing to show"):
            assert english not in text, (url, english)


# ---------------------------------------------------------------------------------------------------------
# Moves between communities


def test_a_move_is_a_two_sided_handover_between_communities(app, as_user):
    from app.community.models import CommunityMove, MoveStatus

    record_id, retiree_id = _record(app, "540502-01-01", offset=9)
    c1, c2 = as_user("community1"), as_user("community2")
    target = org_id(app, "540502-01-02")
    old = _q(app, lambda s: s.get(Retiree, retiree_id).actual_residence)
    # a residence is required; the retiree's own community is not a move
    _post(c1, f"/community/{record_id}/move", {"to_unit": target, "new_residence": " "})
    _post(c1, f"/community/{record_id}/move", {"to_unit": org_id(app, "540502-01-01"), "new_residence": "x"})
    assert _q(app, lambda s: s.query(CommunityMove).filter_by(retiree_id=retiree_id).count()) == 0
    # another community cannot move someone it does not look after
    assert _post(c2, f"/community/{record_id}/move", {"to_unit": target, "new_residence": "y"}).status_code == 404
    _post(c1, f"/community/{record_id}/move", {"to_unit": target, "new_residence": "泽当镇第二社区2栋",
                                              "reason": "随子女居住"})
    move_id = _q(app, lambda s: s.scalar(select(CommunityMove.id).where(CommunityMove.retiree_id == retiree_id)))
    assert move_id
    # one pending move at a time
    _post(c1, f"/community/{record_id}/move", {"to_unit": org_id(app, "540522-01-01"), "new_residence": "z"})
    assert _q(app, lambda s: s.query(CommunityMove).filter_by(retiree_id=retiree_id).count()) == 1
    # the receiving community is told, and only it decides
    keys = _q(app, lambda s: set(s.scalars(select(Notification.key).where(Notification.org_id == target))))
    assert f"service:move:{move_id}" in keys
    assert "accept-move" not in c1.get(f"/community/moves/show/{move_id}").get_data(as_text=True)
    _post(c1, f"/community/moves/{move_id}/accept")
    assert _q(app, lambda s: s.get(CommunityMove, move_id).status) == MoveStatus.REQUESTED
    assert as_user("community1").get("/community/moves/list/").status_code == 200
    assert as_user("liaison1").get(f"/community/moves/show/{move_id}").status_code == 404
    assert "accept-move" in c2.get(f"/community/moves/show/{move_id}").get_data(as_text=True)
    _post(c2, f"/community/moves/{move_id}/accept")
    move = _q(app, lambda s: (s.get(CommunityMove, move_id).status, s.get(CommunityMove, move_id).old_residence))
    assert move == (MoveStatus.ACCEPTED, old)
    retiree = _q(app, lambda s: (s.get(Retiree, retiree_id).receiving_community_id,
                                 s.get(Retiree, retiree_id).actual_residence))
    assert retiree == (target, "泽当镇第二社区2栋")
    # the ledger follows the retiree: now community2's, no longer community1's
    assert c2.get(f"/community/show/{record_id}").status_code == 200
    assert c1.get(f"/community/show/{record_id}").status_code == 404
    # both sides keep the history
    assert c1.get(f"/community/moves/show/{move_id}").status_code == 200
    assert _q(app, lambda s: s.scalar(select(Notification.resolved_at).where(
        Notification.key == f"service:move:{move_id}"))) is not None


def test_a_returned_move_changes_nothing(app, as_user):
    from app.community.models import CommunityMove, MoveStatus

    record_id, retiree_id = _record(app, "540502-01-01", offset=11)
    c1, c2 = as_user("community1"), as_user("community2")
    _post(c1, f"/community/{record_id}/move", {"to_unit": org_id(app, "540502-01-02"), "new_residence": "新址"})
    move_id = _q(app, lambda s: s.scalar(select(CommunityMove.id).where(CommunityMove.retiree_id == retiree_id)))
    _post(c2, f"/community/moves/{move_id}/return", {"reason": " "})
    assert _q(app, lambda s: s.get(CommunityMove, move_id).status) == MoveStatus.REQUESTED
    _post(c2, f"/community/moves/{move_id}/return", {"reason": "查无此人"})
    assert _q(app, lambda s: s.get(CommunityMove, move_id).status) == MoveStatus.RETURNED
    assert _q(app, lambda s: s.get(Retiree, retiree_id).receiving_community_id) == org_id(app, "540502-01-01")
    _post(c2, f"/community/moves/{move_id}/accept")
    assert _q(app, lambda s: s.get(CommunityMove, move_id).status) == MoveStatus.RETURNED


# ---------------------------------------------------------------------------------------------------------
# Hardship and care


def test_hardship_flags_aid_and_health_with_their_rules(app, as_user):
    from app.community.models import Aid, CareFlag, HealthRecord

    record_id, retiree_id = _record(app, "540502-01-01", offset=13)
    c1 = as_user("community1")
    url = f"/community/{record_id}"
    _post(c1, f"{url}/flag", {"kind": "lives_alone", "source": "  "})
    _post(c1, f"{url}/flag", {"kind": "aged_80", "source": "x"})  # age is computed, never typed
    assert _q(app, lambda s: s.query(CareFlag).filter_by(retiree_id=retiree_id).count()) == 0
    _post(c1, f"{url}/flag", {"kind": "lives_alone", "source": "入户走访核实"})
    _post(c1, f"{url}/flag", {"kind": "lives_alone", "source": "again"})
    flags = _q(app, lambda s: [(f.id, f.kind, f.source) for f in s.query(CareFlag).filter_by(retiree_id=retiree_id)])
    assert [(k, src) for _i, k, src in flags] == [("lives_alone", "入户走访核实")]
    assert _post(as_user("community2"), f"{url}/flag", {"kind": "widowed", "source": "x"}).status_code == 404
    page = c1.get("/community/hardship/").get_data(as_text=True)
    assert f'class="hardship-row" data-record="{record_id}"' in page and "入户走访核实" in page
    assert f'data-record="{record_id}"' not in as_user("community2").get("/community/hardship/").get_data(as_text=True)
    # aid: cash needs an amount
    _post(c1, f"{url}/aid", {"kind": "cash", "amount": ""})
    _post(c1, f"{url}/aid", {"kind": "cash", "amount": "600", "note": "春节慰问金"})
    assert _q(app, lambda s: [str(a.amount) for a in s.query(Aid).filter_by(retiree_id=retiree_id)]) == ["600.00"]
    # a health record only with consent
    _post(c1, f"{url}/health", {"consent_by": "", "consent_on": clock.today().isoformat()})
    assert _q(app, lambda s: s.query(HealthRecord).filter_by(retiree_id=retiree_id).count()) == 0
    _post(c1, f"{url}/health", {"consent_by": "本人", "consent_on": clock.today().isoformat(),
                                 "chronic_conditions": "高血压"})
    assert _q(app, lambda s: s.query(HealthRecord).filter_by(retiree_id=retiree_id).one().chronic_conditions) == "高血压"
    # a flag that no longer applies leaves the list (unless the person is 80+), its history kept
    _post(c1, f"{url}/flag/{flags[0][0]}/end")
    assert _q(app, lambda s: s.get(CareFlag, flags[0][0]).ended_on) == clock.today()
    age = _q(app, lambda s: rules.age_on(s.get(Retiree, retiree_id).birth_date, clock.today()))
    listed = f'data-record="{record_id}"' in c1.get("/community/hardship/").get_data(as_text=True)
    assert listed == (age >= 80)


def test_aged_80_comes_from_the_birth_date(app, as_user):
    today = clock.today()
    unit = org_id(app, "540502-01-01")

    def fn(s):
        rows = s.execute(select(ServiceRecord.id, Retiree.birth_date).join(
            Retiree, Retiree.id == ServiceRecord.retiree_id).where(
            Retiree.receiving_community_id == unit, ServiceRecord.status == LifeStatus.ALIVE)).all()
        return rows
    rows = _q(app, fn)
    old = [i for i, b in rows if rules.age_on(b, today) >= 80]
    assert old, "the demo has retirees aged 80 or over in community1"
    page = as_user("community1").get("/community/hardship/").get_data(as_text=True)
    listed = set(int(i) for i in re.findall(r'class="hardship-row" data-record="(\d+)"', page))
    assert set(old) <= listed
    from app.community.models import CareFlag

    flagged = _q(app, lambda s: set(s.scalars(select(ServiceRecord.id).join(
        CareFlag, CareFlag.retiree_id == ServiceRecord.retiree_id).where(CareFlag.ended_on.is_(None)))))
    assert listed <= set(old) | flagged


# ---------------------------------------------------------------------------------------------------------
# Visits and holiday rounds


def test_holiday_round_visits_and_coverage(app, as_user):
    from app.community.models import Visit, VisitRound

    c1, c2 = as_user("community1"), as_user("community2")
    today = clock.today()
    # a round: dates in order, a title; readers cannot create one
    _post(c1, "/community/rounds/create", {"kind": "spring_festival", "title": "春节慰问",
                                           "starts_on": today.isoformat(),
                                           "ends_on": (today - datetime.timedelta(days=1)).isoformat()})
    _post(as_user("county1"), "/community/rounds/create", {"kind": "losar", "title": "县里的",
                                                           "starts_on": today.isoformat(), "ends_on": today.isoformat()})
    assert _q(app, lambda s: s.query(VisitRound).filter(VisitRound.title.in_(["春节慰问", "县里的"])).count()) == 0
    _post(c1, "/community/rounds/create", {"kind": "spring_festival", "title": "春节慰问",
                                           "starts_on": (today - datetime.timedelta(days=3)).isoformat(),
                                           "ends_on": (today + datetime.timedelta(days=3)).isoformat()})
    round_id = _q(app, lambda s: s.scalar(select(VisitRound.id).where(VisitRound.title == "春节慰问")))
    record_id, retiree_id = _record(app, "540502-01-01", offset=15)
    url = f"/community/{record_id}/visit"
    # a visit done needs who visited, a date within the round, not in the future
    _post(c1, url, {"round_id": round_id, "done_on": today.isoformat(), "visitors": ""})
    _post(c1, url, {"round_id": round_id, "done_on": (today - datetime.timedelta(days=5)).isoformat(),
                    "visitors": "主任"})
    assert _q(app, lambda s: s.query(Visit).filter_by(retiree_id=retiree_id, round_id=round_id).count()) == 0
    # community2's retiree is not reached by community1's round
    other_id, _o = _record(app, "540502-01-02", offset=15)
    assert _post(c2, f"/community/{other_id}/visit", {"round_id": round_id, "done_on": today.isoformat(),
                                                      "visitors": "网格员"}).status_code == 302
    assert _q(app, lambda s: s.query(Visit).filter_by(round_id=round_id).count()) == 0
    _post(c1, url, {"round_id": round_id, "done_on": today.isoformat(), "visitors": "社区主任", "gift": "酥油",
                    "amount": "300"})
    assert _q(app, lambda s: s.query(Visit).filter_by(retiree_id=retiree_id, round_id=round_id).count()) == 1
    page = c1.get(f"/community/rounds/show/{round_id}").get_data(as_text=True)
    row = re.search(r'data-unit="540502-01-01" data-visited="(\d+)"', page)
    assert row and int(row.group(1)) == 1
    assert 'data-unit="540502-01-02"' not in page  # outside community1's round and scope
    # the township's demo Losar round: each community sees its own coverage, the township both
    losar = _q(app, lambda s: s.scalar(select(VisitRound.id).where(VisitRound.kind == "losar")))
    t1 = as_user("township1").get(f"/community/rounds/show/{losar}").get_data(as_text=True)
    mine = as_user("community1").get(f"/community/rounds/show/{losar}").get_data(as_text=True)
    assert 'data-unit="540502-01-01"' in t1 and 'data-unit="540502-01-02"' in t1
    assert 'data-unit="540502-01-01"' in mine and 'data-unit="540502-01-02"' not in mine
    visited = re.findall(r'data-unit="540502-01-0(\d)" data-visited="(\d+)"', t1)
    assert all(int(n) > 0 for _u, n in visited)


def test_planned_visit_done_with_one_tap_on_the_phone_page(app, as_user):
    from app.community.models import Visit

    c1 = as_user("community1")
    page = c1.get("/community/today/").get_data(as_text=True)
    ids = re.findall(r'class="round-card" data-visit="(\d+)"', page)
    assert ids, "the demo plans visits for today in community1"
    visit_id = int(ids[0])
    assert _post(as_user("community2"), f"/community/visit/{visit_id}/tap").status_code == 404
    r = _post(c1, f"/community/visit/{visit_id}/tap")
    assert r.status_code == 302
    visit = _q(app, lambda s: (s.get(Visit, visit_id).done_on, s.get(Visit, visit_id).visitors))
    assert visit[0] == clock.today() and visit[1]
    _post(c1, f"/community/visit/{visit_id}/tap")  # a second tap changes nothing
    assert f'data-visit="{visit_id}"' not in c1.get("/community/today/").get_data(as_text=True)


# ---------------------------------------------------------------------------------------------------------
# One window (一窗受理, 首问负责, 全程代办)


def test_one_window_request_from_receipt_to_closing(app, as_user):
    from app.community.models import RequestState, ServiceRequest

    ent, c1, c2 = as_user("enterprise1"), as_user("community1"), as_user("community2")
    # any unit registers a request: here the enterprise a retiree happened to call
    r = _post(ent, "/community/requests/register", {"applicant": "", "kind": "consultation", "subject": "x"})
    assert "/community/requests/new" in r.headers["Location"]
    r = _post(ent, "/community/requests/register", {"applicant": "扎西", "contact": "139", "kind": "pension",
                                                     "subject": "养老金何时到账"})
    req_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    req = _q(app, lambda s: (s.get(ServiceRequest, req_id).owner_org_id, s.get(ServiceRequest, req_id).promised_on,
                             s.get(ServiceRequest, req_id).received_on))
    assert req[0] == org_id(app, "E-S02") and req[1] == rules.promised_date(req[2]) and req[1] > req[2]
    act = f"/community/requests/{req_id}/act"
    # community1 cannot see it yet; the enterprise hands it on, and still answers for it until accepted
    assert c1.get(f"/community/requests/show/{req_id}").status_code == 404
    _post(ent, act, {"action": "hand_on", "to_org": org_id(app, "540502-01-01"), "note": "请社区办理"})
    state = _q(app, lambda s: (s.get(ServiceRequest, req_id).state, s.get(ServiceRequest, req_id).owner_org_id))
    assert state == (RequestState.HANDING_ON, org_id(app, "E-S02"))
    assert c2.get(f"/community/requests/show/{req_id}").status_code == 404
    assert "accept-request" in c1.get(f"/community/requests/show/{req_id}").get_data(as_text=True)
    # closing is refused to a unit that does not own the request
    r = _post(c1, act, {"action": "close", "result": "已办", "satisfaction": "satisfied"}, follow_redirects=True)
    assert flashes(r) and _q(app, lambda s: s.get(ServiceRequest, req_id).state) == RequestState.HANDING_ON
    # nor while it is being handed on, even by its owner
    _post(ent, act, {"action": "close", "result": "已办", "satisfaction": "satisfied"})
    assert _q(app, lambda s: s.get(ServiceRequest, req_id).state) == RequestState.HANDING_ON
    _post(c1, act, {"action": "accept"})
    state = _q(app, lambda s: (s.get(ServiceRequest, req_id).state, s.get(ServiceRequest, req_id).owner_org_id))
    assert state == (RequestState.OPEN, org_id(app, "540502-01-01"))
    # the first receiver still sees it, but no longer closes it
    assert ent.get(f"/community/requests/show/{req_id}").status_code == 200
    _post(ent, act, {"action": "close", "result": "已办", "satisfaction": "satisfied"})
    assert _q(app, lambda s: s.get(ServiceRequest, req_id).state) == RequestState.OPEN
    # closing needs what was done and the satisfaction
    _post(c1, act, {"action": "close", "result": "已办", "satisfaction": ""})
    assert _q(app, lambda s: s.get(ServiceRequest, req_id).state) == RequestState.OPEN
    _post(c1, act, {"action": "close", "result": "已当面解释到账时间", "satisfaction": "satisfied",
                    "satisfaction_note": "满意"})
    done = _q(app, lambda s: (s.get(ServiceRequest, req_id).state, s.get(ServiceRequest, req_id).satisfaction,
                              [st.action for st in s.get(ServiceRequest, req_id).steps]))
    assert done == (RequestState.CLOSED, "satisfied", ["received", "handed_on", "accepted", "closed"])
    # readers never take requests
    assert _post(as_user("leader"), "/community/requests/register",
                 {"applicant": "a", "kind": "other", "subject": "b"}).status_code in (302, 403)
    assert _q(app, lambda s: s.query(ServiceRequest).filter_by(applicant_name="a").count()) == 0


def test_a_declined_hand_on_stays_with_the_owner_and_overdue_requests_are_flagged(app, as_user):
    from app.community.models import RequestState, ServiceRequest
    from app.notify import run_sources

    c1 = as_user("community1")
    r = _post(c1, "/community/requests/register", {"applicant": "央金", "kind": "archive", "subject": "档案查询"})
    req_id = int(r.headers["Location"].rstrip("/").split("/")[-1])
    act = f"/community/requests/{req_id}/act"
    _post(c1, act, {"action": "hand_on", "to_org": org_id(app, "540502-01-02")})
    c2 = as_user("community2")
    _post(c2, act, {"action": "decline", "note": ""})
    assert _q(app, lambda s: s.get(ServiceRequest, req_id).state) == RequestState.HANDING_ON
    _post(c2, act, {"action": "decline", "note": "不属本社区"})
    state = _q(app, lambda s: (s.get(ServiceRequest, req_id).state, s.get(ServiceRequest, req_id).owner_org_id))
    assert state == (RequestState.OPEN, org_id(app, "540502-01-01"))
    # the demo's late request (the enterprise's, 20 days old) is flagged to its owner
    with app.app_context():
        run_sources(clock.today(), kinds=["service"])
        db.session.commit()
        late = db.session.scalars(select(ServiceRequest).where(ServiceRequest.state != RequestState.CLOSED,
                                                               ServiceRequest.promised_on < clock.today())).all()
        assert late
        entries = {n.key: n.org_id for n in db.session.scalars(select(Notification).where(
            Notification.resolved_at.is_(None)))}
        assert all(entries.get(f"service:request:{r.id}") == r.owner_org_id for r in late)
        db.session.remove()
    overdue = as_user("enterprise1").get("/community/requests/list/?state=overdue").get_data(as_text=True)
    assert 'class="request-row"' in overdue


# ---------------------------------------------------------------------------------------------------------
# Activities and party life


def test_activities_only_with_the_communitys_own_retirees(app, as_user):
    from app.community.models import Activity

    c1 = as_user("community1")
    mine = [_record(app, "540502-01-01", offset=i)[1] for i in (1, 2)]
    other = _record(app, "540502-01-02", offset=1)[1]
    today = clock.today().isoformat()
    _post(c1, "/community/activities/create", {"kind": "sports", "title": "门球比赛", "held_on": today,
                                               "participants": mine + [other]})
    assert _q(app, lambda s: s.query(Activity).filter_by(title="门球比赛").count()) == 0
    _post(c1, "/community/activities/create", {"kind": "sports", "title": "门球比赛", "held_on": today,
                                               "participants": mine})
    activity_id = _q(app, lambda s: s.scalar(select(Activity.id).where(Activity.title == "门球比赛")))
    assert _q(app, lambda s: sorted(r.id for r in s.get(Activity, activity_id).participants)) == sorted(mine)
    assert as_user("community2").get(f"/community/activities/show/{activity_id}").status_code == 404
    assert "门球比赛" in as_user("county1").get("/community/activities/list/").get_data(as_text=True)


def test_branch_meetings_attendance_and_dues_after_the_transfer(app, as_user):
    from app.community.models import PartyDues, PartyMeeting

    c1 = as_user("community1")
    page = c1.get("/community/party/list/").get_data(as_text=True)
    members = re.findall(r'class="dues-row" data-retiree="(\d+)" data-behind="(\d+)"', page)
    assert members, "the demo gives community1 retired party members"
    present = [members[0][0]]
    _post(c1, "/community/party/meeting", {"branch": "第一社区退休党员党支部", "kind": "lecture",
                                           "held_on": clock.today().isoformat(), "topic": "党课", "present": present})
    meeting = _q(app, lambda s: s.scalar(select(PartyMeeting).where(PartyMeeting.topic == "党课")
                                         .order_by(PartyMeeting.id.desc())))
    attendance = _q(app, lambda s: {a.retiree_id: a.present for a in s.get(PartyMeeting, meeting.id).attendance})
    assert attendance[int(present[0])] is True and sum(attendance.values()) == 1
    assert set(attendance) == {int(m) for m, _b in members}
    # a member of another community cannot be marked present
    other = re.findall(r'class="dues-row" data-retiree="(\d+)"',
                       as_user("community2").get("/community/party/list/").get_data(as_text=True))
    if other:
        _post(c1, "/community/party/meeting", {"branch": "x", "kind": "members", "held_on": clock.today().isoformat(),
                                               "topic": "越权", "present": [other[0]]})
        assert _q(app, lambda s: s.query(PartyMeeting).filter_by(topic="越权").count()) == 0
    # dues: a member whose relation the branch received, before the transfer refused, a future month refused
    transferred = [m for m, _b in members if _q(app, lambda s: s.scalar(select(
        __import__("app.party.models", fromlist=["PartyTransfer"]).PartyTransfer.received_on).where(
        __import__("app.party.models", fromlist=["PartyTransfer"]).PartyTransfer.retiree_id == int(m))))]
    assert transferred
    rid = int(transferred[-1])
    before = _q(app, lambda s: s.query(PartyDues).filter_by(retiree_id=rid).count())
    _post(c1, f"/community/party/dues/{rid}", {"month": "2019-01", "amount": "30"})
    future = rules.add_months(clock.today(), 1).strftime("%Y-%m")
    _post(c1, f"/community/party/dues/{rid}", {"month": future, "amount": "30"})
    assert _q(app, lambda s: s.query(PartyDues).filter_by(retiree_id=rid).count()) == before
    month = clock.today().strftime("%Y-%m")
    _post(c1, f"/community/party/dues/{rid}", {"month": month, "amount": "30"})
    _post(c1, f"/community/party/dues/{rid}", {"month": month, "amount": "30"})
    assert _q(app, lambda s: s.query(PartyDues).filter_by(retiree_id=rid).count()) == before + 1
    assert _post(as_user("community2"), f"/community/party/dues/{rid}", {"month": month, "amount": "1"}).status_code == 404


# ---------------------------------------------------------------------------------------------------------
# Retirees' own access


def _issue_code(app, client, record_id):
    r = _post(client, f"/community/{record_id}/access-code", follow_redirects=True)
    match = re.search(r"(?<!\d)(\d{8})(?!\d)", " ".join(flashes(r)))
    assert match, flashes(r)
    return match.group(1)


def _self_check(client, id_number, name, code, addr="127.0.0.1"):
    env = {"REMOTE_ADDR": addr}
    token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"',
                      client.get("/self-check/", environ_base=env).get_data(as_text=True))
    return client.post("/self-check/", data={"csrf_token": token.group(1), "id_number": id_number, "name": name,
                                             "code": code}, environ_base=env)


def _answer(response):
    text = response.get_data(as_text=True)
    return re.sub(r'value="[^"]*"', "", text)  # the CSRF token differs per session


def test_self_check_shows_only_the_retirees_own_status(app, as_user):
    from app.community import selfcheck
    from app.audit.models import AuditLog

    selfcheck.reset_limits()
    record_id, retiree_id = _record(app, "540502-01-01", offset=17)
    ident = _q(app, lambda s: (s.get(Retiree, retiree_id).resident_id, s.get(Retiree, retiree_id).name_zh,
                               s.get(Retiree, retiree_id).name_bo, s.get(ServiceRecord, record_id).cert_due_on,
                               s.get(Retiree, retiree_id).enterprise.name_zh))
    resident_id, name_zh, name_bo, due, enterprise = ident
    # another community cannot issue the code
    assert _post(as_user("community2"), f"/community/{record_id}/access-code").status_code == 404
    code = _issue_code(app, as_user("community1"), record_id)
    public = app.test_client()
    assert public.get("/self-check/").status_code == 200  # no login
    r = _self_check(public, resident_id, name_zh, code)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and 'id="selfcheck-result"' in page
    assert due.isoformat() in page and "泽当镇第一社区" in page
    assert enterprise not in page and "svc_" not in page
    # in Tibetan, with the Tibetan name
    public.get("/lang/bo")
    page = _self_check(public, resident_id.lower(), name_bo, code).get_data(as_text=True)
    assert 'id="selfcheck-result"' in page and "སྡེ་ཁུལ་དང་པོ" in page
    public.get("/lang/zh")
    # wrong name, unknown ID, wrong code: one and the same answer
    other = _q(app, lambda s: s.scalar(select(Retiree.name_zh).where(Retiree.id != retiree_id,
                                                                      Retiree.name_zh != name_zh).limit(1)))
    answers = {_answer(_self_check(public, resident_id, other, code)),
               _answer(_self_check(public, "540502195001011234", name_zh, code)),
               _answer(_self_check(public, resident_id, name_zh, "00000000" if code != "00000000" else "11111111"))}
    assert len(answers) == 1 and 'id="selfcheck-refused"' in answers.pop()
    # every attempt is logged, the ID number masked
    logs = _q(app, lambda s: [(a.object_id, a.changes) for a in s.scalars(
        select(AuditLog).where(AuditLog.action == "self_check").order_by(AuditLog.id.desc()).limit(5))])
    assert len(logs) == 5 and all(resident_id not in changes for _o, changes in logs)
    assert sum(1 for o, _c in logs if o == str(retiree_id)) == 2
    # an expired code answers like a wrong one
    with clock.frozen(clock.today() + datetime.timedelta(days=400)):
        assert 'id="selfcheck-refused"' in _self_check(public, resident_id, name_zh, code).get_data(as_text=True)
    selfcheck.reset_limits()


def test_self_check_is_rate_limited(app):
    from app.community import selfcheck

    selfcheck.reset_limits()
    saved = {k: app.config.get(k) for k in ("SELF_CHECK_RATE_LIMIT", "SELF_CHECK_RATE_LIMIT_PER_ID")}
    app.config["SELF_CHECK_RATE_LIMIT"] = "3/minute"
    try:
        public = app.test_client()
        codes = [_self_check(public, "54050219500101%04d" % i, "某某", "12345678").status_code for i in range(4)]
        assert codes == [200, 200, 200, 429]
    finally:
        app.config.update(saved)
        selfcheck.reset_limits()
    # one ID number is limited whatever the address
    app.config["SELF_CHECK_RATE_LIMIT_PER_ID"] = "2/hour"
    try:
        codes = [_self_check(app.test_client(), "540502195001011234", "某某", "1", addr=f"10.0.0.{i}").status_code
                 for i in range(3)]
        assert codes == [200, 200, 429]
    finally:
        app.config.update(saved)
        selfcheck.reset_limits()


# ---------------------------------------------------------------------------------------------------------
# Dashboard


def _panel_rows(html):
    table = re.search(r'<table[^>]*id="panel-services">(.*?)</table>', html, re.S)
    assert table, "the dashboard shows the community services panel"
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", table.group(1), re.S)[1:]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", r, re.S)] for r in rows]


def test_dashboard_figures_per_unit_within_scope(app, as_user):
    from app.community import figures

    c1_unit = org_id(app, "540502-01-01")
    rows = _panel_rows(as_user("community1").get("/").get_data(as_text=True))
    assert len(rows) == 2 and "第一社区" in rows[0][0]  # its own unit, then the total
    with app.test_request_context():
        from flask import g

        g.user = app.appbuilder.sm.find_user(username="community1")
        expected = figures.by_unit()[c1_unit]
        db.session.remove()
    assert [int(x) for x in rows[0][1:]] == [expected.get(c, 0) for c in figures.COLUMNS]
    assert expected["in_care"] > 0 and expected["cert_overdue"] > 0 and expected["visited"] > 0
    # the figures agree with the lists behind them
    overdue_rows = re.findall(r'class="cert-row"', as_user("community1").get(
        "/community/certifications/?state=overdue").get_data(as_text=True))
    assert len(overdue_rows) == expected["cert_overdue"]
    county = _panel_rows(as_user("county1").get("/").get_data(as_text=True))
    names = " ".join(r[0] for r in county)
    assert "第一社区" in names and "第二社区" in names and "贡嘎" not in names
