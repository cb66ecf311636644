"""Demo of the community's service work, dated relative to today (app/clock) and written through the same
service functions the pages call: out-of-region batches with the liaison offices (accepted and received,
waiting), a certification history that leaves some retirees overdue and some due soon, and deaths whose
claims stand at every step (one of them late). Deterministic and idempotent (skipped once certifications
exist)."""
import datetime
from decimal import Decimal

from sqlalchemy import func, select

from app import clock
from app.community import services
from app.community.models import Certification, CertMethod, ClaimStep, LifeStatus, ServiceRecord
from app.extensions import appbuilder, db
from app.handover import services as handover
from app.handover.models import BatchStatus, HandoverBatch, HandoverCase
from app.org.models import Organization
from app.retirees.models import Retiree
from app.security.scope import as_system

METHODS = list(CertMethod.LABELS)


def _org(code):
    return db.session.scalars(select(Organization).where(Organization.code == code)).one()


def seed_liaison_batches():
    """enterprise1 and enterprise2 hand their out-of-region retirees to the liaison offices: one batch
    accepted by the Chengdu office (some receipts confirmed), one waiting for it, one waiting at Golmud/Xining."""
    sm = appbuilder.sm
    demo = [u.org_id for u in (sm.find_user(username=n) for n in ("enterprise1", "enterprise2")) if u is not None]
    if db.session.scalar(select(func.count(HandoverBatch.id)).join(HandoverCase, HandoverCase.batch_id == HandoverBatch.id)
                         .where(HandoverBatch.liaison_office_id.is_not(None), HandoverCase.enterprise_id.in_(demo))):
        return 0  # done already (the other enterprises' batches are the 2020 backlog, app.demo.handover)
    made = 0
    for enterprise_user, office_codes in (("enterprise1", ("XZ-BSC-CD", "XZ-BSC-GEM")),
                                          ("enterprise2", ("XZ-BSC-XN", "XZ-BSC-CD"))):
        actor = sm.find_user(username=enterprise_user)
        if actor is None:
            continue
        for n, code in enumerate(office_codes):
            office = _org(code)
            cases = db.session.scalars(select(HandoverCase).join(Retiree, Retiree.id == HandoverCase.retiree_id).where(
                HandoverCase.enterprise_id == actor.org_id, HandoverCase.liaison_office_id == office.id,
                HandoverCase.batch_id.is_(None), Retiree.deceased.is_(False)).order_by(HandoverCase.id)).all()
            if not cases:
                continue
            chunks = [cases[: max(1, len(cases) // 2)], cases[max(1, len(cases) // 2):]] if n == 0 else [cases]
            for i, chunk in enumerate(c for c in chunks if c):
                batch = HandoverBatch(liaison_office=office, note=f"区外第{i + 1}批")
                handover.create_batch(actor, batch)
                db.session.add(batch)
                db.session.flush()
                for case in chunk:
                    if case.place_confirmed_on is None:
                        handover.confirm_place(actor, case, None, office, None)
                handover.add_to_batch(actor, batch, [c.retiree_id for c in chunk])
                handover.submit_batch(actor, batch)
                made += 1
                receiver = db.session.scalar(select(Organization).where(Organization.id == office.id))
                liaison_user = next((u for u in (sm.find_user(username=f"liaison{k}") for k in (1, 2, 3))
                                     if u is not None and u.org_id == receiver.id), None)
                if i == 0 and n == 0 and liaison_user is not None:
                    handover.accept_batch(liaison_user, batch, {})
                    for j, case in enumerate(batch.cases):
                        if j % 3 != 2:  # one in three still waits for the office's confirmation
                            handover.confirm_receipt(liaison_user, case)
    db.session.flush()
    return made


def _worker_for(retiree, workers):
    for unit in (retiree.receiving_community_id, retiree.receiving_township_id, retiree.liaison_office_id):
        if unit in workers:
            return workers[unit]
    return None


def seed_certifications(today):
    services.ensure_records(anchor=today - datetime.timedelta(days=400))
    db.session.flush()
    sm = appbuilder.sm
    workers = {}
    for name in ("community1", "community2", "liaison1", "liaison2", "liaison3", "township1"):
        user = sm.find_user(username=name)
        if user is not None:
            workers.setdefault(user.org_id, user)
    records = db.session.scalars(select(ServiceRecord).where(ServiceRecord.status == LifeStatus.ALIVE)
                                 .order_by(ServiceRecord.retiree_id)).all()
    for record in records:
        retiree = record.retiree
        offset = (retiree.id * 37) % 400  # days since the last certification: past a year for about one in ten
        if offset > 380:
            continue  # never certified since the handover: due on the anchor, overdue
        done_on = today - datetime.timedelta(days=offset + 1)
        actor = _worker_for(retiree, workers)
        method = METHODS[retiree.id % len(METHODS)]
        if actor is not None and services.rules.may(actor, "write", retiree):
            services.certify(actor, retiree, method, done_on)
        else:
            with as_system("demo:seed"):
                services.certify(None, retiree, method, done_on)


def seed_deaths(today):
    """Deaths in community1's, community2's and the Chengdu office's care, their claims at every step."""
    sm = appbuilder.sm
    plans = (  # (worker, days ago the death was reported, steps taken with their days after the report)
        ("community1", 45, ()),  # nothing submitted 45 days on: overdue
        ("community1", 20, (("submitted", 10),)),
        ("community2", 90, (("submitted", 12), ("approved", 30), ("paid", 40))),
        ("community2", 70, (("submitted", 8), ("approved", 20))),  # payment overdue
        ("liaison1", 15, ()),
    )
    for n, (name, ago, steps) in enumerate(plans):
        actor = sm.find_user(username=name)
        if actor is None:
            continue
        record = db.session.scalars(
            services.scope_for(actor, select(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id)
                               .where(ServiceRecord.status == LifeStatus.ALIVE)
                               .order_by(ServiceRecord.retiree_id.desc())).offset(n).limit(1)).first()
        if record is None:
            continue
        reported = today - datetime.timedelta(days=ago)
        report = services.report_death(actor, record.retiree, reported - datetime.timedelta(days=3), "family",
                                       reported_on=reported)
        db.session.flush()
        for claim in report.claims:
            for step, after in steps:
                amount = Decimal("12000.00") if claim.kind == "funeral" else Decimal("46800.00")
                services.advance_claim(actor, claim, step, reported + datetime.timedelta(days=after),
                                       applicant="次仁卓玛", relation="配偶", amount=amount,
                                       to="山南市社会保险事业管理局")


def seed_moves():
    """One retiree moved from community1 to community2 last spring (history), one move waiting for community2."""
    sm = appbuilder.sm
    c1, c2 = sm.find_user(username="community1"), sm.find_user(username="community2")
    if c1 is None or c2 is None:
        return
    target = db.session.get(Organization, c2.org_id)
    movers = db.session.scalars(
        services.scope_for(c1, select(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id)
                           .where(ServiceRecord.status == LifeStatus.ALIVE)
                           .order_by(ServiceRecord.retiree_id.desc())).offset(10).limit(2)).all()
    for n, record in enumerate(movers):
        move = services.request_move(c1, record.retiree, target, f"{target.name_zh}幸福小区{n + 3}栋",
                                     "随子女居住")
        if n == 0:
            services.accept_move(c2, move)
    # a move inside 贡嘎县 (no demo account there: recorded by the seed job)
    gongga = db.session.scalars(select(Organization).where(Organization.code == "540522-01-02")).first()
    mover = db.session.scalars(select(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id).where(
        ServiceRecord.status == LifeStatus.ALIVE, Retiree.receiving_community_id.in_(
            select(Organization.id).where(Organization.code == "540522-01-01"))).limit(1)).first()
    if gongga is not None and mover is not None:
        with as_system("demo:seed"):
            move = services.request_move(None, mover.retiree, gongga, f"{gongga.name_zh}新村5号", "投靠子女")
            services.accept_move(None, move)


def seed_care(today):
    """Hardship flags with their sources, aid given, and health records with consent, in community1 and 2."""
    sm = appbuilder.sm
    plans = [
        ("lives_alone", "入户走访核实：子女在外地工作", ("cash", Decimal("800.00"))),
        ("widowed", "配偶死亡证明（2019年）", ("goods", None)),
        ("long_term_ill", "县人民医院慢性病诊断证明", ("medical", Decimal("1500.00"))),
        ("disabled", "残疾人证（肢体二级）", ("service", None)),
    ]
    for name in ("community1", "community2"):
        actor = sm.find_user(username=name)
        if actor is None:
            continue
        records = db.session.scalars(
            services.scope_for(actor, select(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id)
                               .where(ServiceRecord.status == LifeStatus.ALIVE)
                               .order_by(ServiceRecord.retiree_id)).offset(20).limit(len(plans))).all()
        for n, (record, (kind, source, (aid_kind, amount))) in enumerate(zip(records, plans)):
            services.add_care_flag(actor, record.retiree, kind, source)
            services.give_aid(actor, record.retiree, aid_kind, amount, today - datetime.timedelta(days=20 + 30 * n),
                              "春节慰问" if n % 2 == 0 else "")
            if kind == "long_term_ill":
                services.save_health(actor, record.retiree, today - datetime.timedelta(days=200), "本人",
                                     "高血压、慢性支气管炎", today - datetime.timedelta(days=60))


def seed_visits(today):
    """The township's last Losar round (community1 well covered, community2 less), a winter round open now,
    and visits planned for today and yesterday in community1 (the phone page's list)."""
    sm = appbuilder.sm
    township, c1, c2 = (sm.find_user(username=n) for n in ("township1", "community1", "community2"))
    if township is None or c1 is None or c2 is None:
        return
    year = today.year if today.month >= 3 else today.year - 1
    losar = services.create_round(township, "losar", f"{year}年藏历新年慰问", datetime.date(year, 2, 10),
                                  datetime.date(year, 2, 28))
    winter = services.create_round(township, "other", f"{today.year}年冬季走访慰问",
                                   today - datetime.timedelta(days=10), today + datetime.timedelta(days=20))
    db.session.flush()
    for actor, share in ((c1, 6), (c2, 3)):
        records = db.session.scalars(
            services.scope_for(actor, select(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id)
                               .where(ServiceRecord.status == LifeStatus.ALIVE).order_by(ServiceRecord.retiree_id))
        ).all()
        for n, record in enumerate(records):
            if n % 10 < share:
                services.record_visit(actor, record.retiree, done_on=datetime.date(year, 2, 12 + n % 10),
                                      visitors="社区主任、网格员", gift="酥油、茶叶、慰问金",
                                      amount=Decimal("500.00"), round_=losar)
            if n % 10 == 9:
                services.record_visit(actor, record.retiree, done_on=today - datetime.timedelta(days=n % 7 + 1),
                                      visitors="社区网格员", gift="米、油", round_=winter)
        if actor is c1:
            for n, record in enumerate(records[-4:]):
                services.record_visit(actor, record.retiree, planned_on=today - datetime.timedelta(days=n % 2))


def seed_requests(today):
    """One-window requests received by different units: closed with a satisfaction note, handed on and
    accepted, one waiting for the receiving community, one past its promised date."""
    sm = appbuilder.sm
    users = {n: sm.find_user(username=n) for n in ("hrss", "community1", "community2", "enterprise1", "county1")}
    if any(u is None for u in users.values()):
        return
    c1_unit = db.session.get(Organization, users["community1"].org_id)
    c2_unit = db.session.get(Organization, users["community2"].org_id)
    ago = lambda days: today - datetime.timedelta(days=days)  # noqa: E731
    req = services.register_request(users["community1"], "格桑卓嘎", "139****2101", "certification",
                                    "老人行动不便，申请入户进行资格认证", received_on=ago(12))
    services.close_request(users["community1"], req, "已安排入户认证并完成", "satisfied", "感谢社区上门服务")
    req = services.register_request(users["hrss"], "次仁多吉", "138****5520", "pension",
                                    "咨询移交后养老金发放渠道是否变化", received_on=ago(6))
    services.hand_on(users["hrss"], req, c1_unit, "请社区当面解释并协助办理")
    services.accept_request(users["community1"], req)
    services.note_progress(users["community1"], req, "已电话联系，约定周五到社区服务站")
    req = services.register_request(users["county1"], "达瓦", "135****0093", "survivor",
                                    "父亲去世，咨询丧葬补助费和一次性抚恤费申领", received_on=ago(2))
    services.hand_on(users["county1"], req, c2_unit, "属第二社区服务对象")
    services.register_request(users["enterprise1"], "王建国", "137****6618", "archive",
                              "需要开具原工作经历证明", received_on=ago(20))


def seed_party_life(today):
    """community1: a health lecture and a Losar gathering with participants; the retired members' branch with
    monthly meetings and a party lecture (attendance), dues paid by some members up to last month."""
    c1 = appbuilder.sm.find_user(username="community1")
    if c1 is None:
        return
    records = db.session.scalars(
        services.scope_for(c1, select(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id)
                           .where(ServiceRecord.status == LifeStatus.ALIVE).order_by(ServiceRecord.retiree_id))).all()
    ids = [r.retiree_id for r in records]
    services.create_activity(c1, "health", "老年慢性病防治健康讲座", today - datetime.timedelta(days=25),
                             "社区服务站", ids[:8])
    services.create_activity(c1, "culture", "退休人员藏历新年联欢会", today - datetime.timedelta(days=280),
                             "社区活动室", ids[3:15])
    services.create_activity(c1, "study", "社会化管理政策宣讲", today + datetime.timedelta(days=10), "社区会议室")
    c2 = appbuilder.sm.find_user(username="community2")
    if c2 is not None:
        services.create_activity(c2, "sports", "退休人员锅庄舞比赛", today - datetime.timedelta(days=40), "社区广场")
        present = [r.id for r, _t in services.branch_members(c2)]
        services.record_meeting(c2, "泽当镇第二社区退休党员党支部", "members", today - datetime.timedelta(days=20),
                                "学习社会化管理政策", present)
    members = services.branch_members(c1)
    if not members:
        return
    present = [r.id for n, (r, _t) in enumerate(members) if n % 4]
    branch = "泽当镇第一社区退休党员党支部"
    for months_ago, kind, topic in ((1, "members", "学习党的二十届三中全会精神"), (2, "lecture", "党课：新时代老干部工作"),
                                    (3, "members", "民主评议党员准备")):
        services.record_meeting(c1, branch, kind, today - datetime.timedelta(days=30 * months_ago + 3), topic, present)
    last = today.replace(day=1) - datetime.timedelta(days=1)
    for n, (retiree, transferred) in enumerate(members):
        if transferred is None or n % 2:
            continue
        for k in range(3):
            month = (last.replace(day=1) - datetime.timedelta(days=31 * k)).strftime("%Y-%m")
            services.record_dues(c1, retiree, month, Decimal("30.00"), last)


def seed_demo_services():
    today = clock.today()
    seed_liaison_batches()
    if db.session.scalar(select(func.count(Certification.id))):
        db.session.commit()
        return 0
    seed_certifications(today)
    db.session.flush()
    seed_deaths(today)
    seed_moves()
    seed_care(today)
    seed_visits(today)
    seed_requests(today)
    seed_party_life(today)
    db.session.commit()
    return db.session.scalar(select(func.count(Certification.id)))
