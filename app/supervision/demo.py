"""Demo supervision: items in every state and colour, two accountability records, contact persons for most
member units and the leading-group roster. Made through the same service functions the pages call, acting as
the demo users, with the clock set to the day of each step. Dates are relative to the day of seeding, so the
demo shows every colour whenever it is seeded. Idempotent: each part is skipped once it exists.

The policy says 领导小组附后 but the appendix is not part of the text we have, so the roster holds posts, not
invented names: the name field carries the post (e.g. 市政府分管副市长) as a placeholder to be replaced by the
deployment."""
import datetime

from sqlalchemy import func, select

from app import clock
from app.demo import data
from app.extensions import appbuilder, db
from app.org.models import Organization
from app.supervision import services
from app.supervision.models import (
    AccountabilityKind,
    AccountabilityRecord,
    GroupPost,
    LeadingGroupMember,
    SupervisionItem,
    WorkContact,
)

D = datetime.timedelta


def _org(code):
    return db.session.scalars(select(Organization).where(Organization.code == code)).one()


def _user(name):
    return appbuilder.sm.find_user(username=name)


# unit code, acting user of the unit (None: nobody acts), title, requirement,
# days from today: opened, deadline; steps after opening: (action, days from today, text)
ITEMS = [
    ("E-S02", "enterprise1", "报送退休人员党组织关系移交进度",
     "请于期限内报送本单位退休党员党组织关系转移接收进度，附介绍信存根。", -10, 3, []),
    ("E-C03", "enterprise2", "补报本单位退休人员社会化管理实施方案",
     "本单位实施方案尚未报送领导小组办公室，请补报并说明原因。", -25, -5, [("sign", -22, None)]),
    ("540502", "county1", "乃东区接收退休人员社区落实情况",
     "请说明已接收退休人员落实到社区的情况及存在问题。", -20, 5,
     [("sign", -19, None), ("respond", -2, "已全部落实到泽当镇两个社区，名单附后。")]),
    ("540522", "county2", "贡嘎县专职管理服务人员配备情况",
     "按1:200比例配备乡镇（街道）和社区专职人员，请报送配备情况。", -30, 10,
     [("sign", -29, None), ("respond", -20, "已配备兼职人员。"),
      ("send_back", -18, "未说明专职人员配备比例，请补充人员名单和比例测算。")]),
    ("5405-RSJ", "hrss", "养老保险待遇衔接工作推进情况",
     "请报送退休人员基本养老保险待遇衔接工作进度。", -40, -25,
     [("sign", -39, None), ("respond", -21, "待遇衔接已全部完成，详见附表。"), ("close", -15, "经核实，予以销号。")]),
    ("E-S01", None, "退休人员活动场所无偿划转",
     "请报送退休人员活动场所资产无偿划转方案及审批情况。", -2, 30, []),
]


def _at(day, hour):
    return datetime.datetime.combine(day, datetime.time(hour))


def seed_items(today):
    if db.session.scalar(select(func.count(SupervisionItem.id))):
        return []
    office = _user("supervision")
    made = []
    for code, username, title, requirement, opened, deadline, steps in ITEMS:
        with clock.frozen(_at(today + D(days=opened), 9)):
            item = SupervisionItem(unit=_org(code), title=title, requirement=requirement,
                                   deadline=today + D(days=deadline))
            item.unit_id = item.unit.id
            services.open_item(office, item)
            db.session.add(item)
            services.sync_notices(item)
        actor = _user(username) if username else None
        for action, day, text in steps:
            with clock.frozen(_at(today + D(days=day), 15)):
                if action == "sign":
                    services.sign(actor, item)
                elif action == "respond":
                    services.respond(actor, item, text)
                elif action == "send_back":
                    services.send_back(office, item, text)
                elif action == "close":
                    services.close(office, item, text)
        services.sync_notices(item, today)
        made.append(item)
    db.session.commit()
    return made


def seed_records(today, items):
    if db.session.scalar(select(func.count(AccountabilityRecord.id))) or not items:
        return
    by_unit = {i.unit.code: i for i in items}
    office = _user("supervision")
    for code, kind, days, reason in (
            ("E-C03", AccountabilityKind.REMINDER, -3, "督办事项逾期未回复，予以提醒。"),
            ("540522", AccountabilityKind.WRITTEN_NOTICE, -17, "专职人员配备情况报送不实，予以书面通报。")):
        record = AccountabilityRecord(unit=_org(code), kind=kind, reason=reason, on_date=today + D(days=days),
                                      recorded_at=clock.utcnow(), recorded_by_id=office.id)
        record.items.append(by_unit[code])
        db.session.add(record)
    db.session.commit()


# Units left without a contact person, so the flag shows.
NO_CONTACT = {"540531", "E-X03", "E-X04", "5405-WJW"}


def seed_contacts():
    units = db.session.scalars(select(Organization).order_by(Organization.id)).all()
    have = set(db.session.scalars(select(WorkContact.org_id)))
    names = [a[0] + b[0] for a in data.TIBETAN_FIRST for b in data.TIBETAN_MALE + data.TIBETAN_FEMALE]
    for n, unit in enumerate(services.rules.contact_units(units, services.member_unit_ids())):
        if unit.id in have or unit.code in NO_CONTACT:
            continue
        post = "办公室主任" if unit.kind != "county" else "人社局副局长"
        db.session.add(WorkContact(org_id=unit.id, name=names[(n * 7) % len(names)], post=post,
                                   office_phone=f"0893-78{unit.id:05d}"[:13], mobile=f"139{8900_0000 + unit.id:08d}",
                                   changed_at=clock.utcnow()))
    db.session.commit()


# (name placeholder = the post, group post, unit code)
ROSTER = [
    ("市政府分管副市长", GroupPost.LEADER, None),
    ("市政府副秘书长", GroupPost.DEPUTY, None),
    ("市国资委主任", GroupPost.DEPUTY, "5405-GZW"),
    ("市人社局局长", GroupPost.MEMBER, "5405-RSJ"),
    ("市医保局局长", GroupPost.MEMBER, "5405-YBJ"),
    ("市委组织部副部长", GroupPost.MEMBER, "5405-ZZB"),
    ("市财政局局长", GroupPost.MEMBER, "5405-CZJ"),
    ("市住建局局长", GroupPost.MEMBER, "5405-ZJJ"),
    ("市卫生健康委主任", GroupPost.MEMBER, "5405-WJW"),
    ("市档案馆馆长", GroupPost.MEMBER, "5405-DAG"),
    ("市政府督查室主任", GroupPost.MEMBER, "5405-DCS"),
    ("各县（区）人民政府分管副县（区）长", GroupPost.MEMBER, None),
]


def seed_roster():
    if db.session.scalar(select(func.count(LeadingGroupMember.id))):
        return
    for n, (name, post, code) in enumerate(ROSTER, start=1):
        db.session.add(LeadingGroupMember(name=name, group_post=post, org_id=_org(code).id if code else None,
                                          post=name, sort_order=n * 10))
    db.session.commit()


def seed_demo_items():
    today = clock.today()
    items = seed_items(today)
    seed_records(today, items)
    seed_contacts()
    seed_roster()
