"""Demo work plan: the policy's milestones (三、实施步骤) and one handover task per county whose progress
follows the county's live handover figures. Idempotent: a task is found again by its title and lead unit."""
import datetime

from sqlalchemy import select

from app.extensions import db
from app.org.models import Organization, OrgKind
from app.workplan.models import Metric, WorkTask

D = datetime.date
START = D(2020, 6, 1)  # the policy was issued in June 2020

# (title zh, title bo, description zh, lead code, assisting codes, start, deadline, metric, progress)
MILESTONES = [
    ("完成市属国有企业退休人员基本情况摸底调查",
     "གྲོང་ཁྱེར་འོག་གཏོགས་རྒྱལ་གཉེར་ཁེ་ལས་ཀྱི་ལས་རྒན་མི་སྣའི་གཞི་རྩའི་གནས་ཚུལ་ཞིབ་དཔྱད་ལེགས་གྲུབ་བྱ་རྒྱུ།",
     "摸清退休人员基本信息、管理现状、党组织建设情况、退休人员活动场所等相关情况。",
     "5405-GZW", ("5405-RSJ", "5405-ZZB"), START, D(2020, 6, 30), None, 100),
    ("完成国有企业已退休人员人事档案移交",
     "རྒྱལ་གཉེར་ཁེ་ལས་ཀྱི་ལས་རྒན་མི་སྣའི་མི་དོན་ཡིག་ཚགས་རྩིས་སྤྲོད་ལེགས་གྲུབ་བྱ་རྒྱུ།",
     "人事档案按规定整理后移交接收地档案部门，原领导干部档案由组织部门管理。",
     "5405-DAG", ("5405-ZZB", "5405-GZW"), START, D(2020, 9, 30), Metric.ARCHIVES, 0),
    ("党组织关系由所属社区接收",
     "ཏང་གི་རྩ་འཛུགས་འབྲེལ་བ་གནས་སའི་སྡེ་ཁུལ་གྱིས་རྩིས་ལེན་བྱ་རྒྱུ།",
     "退休党员的党组织关系转入居住地社区党组织。",
     "5405-ZZB", ("5405-GZW",), START, D(2020, 9, 30), Metric.PARTY, 0),
    ("深入开展资产无偿划转和统筹外费用处理",
     "རྒྱུ་ནོར་རིན་མེད་སྤོ་སྒྱུར་དང་གཅིག་བསྡུས་ཕྱི་རོལ་གྱི་འགྲོ་སོང་ཐག་གཅོད་ལས་དོན་ནན་ཏན་སྤེལ་བ།",
     "国有企业退休人员活动场所等资产无偿划转，统筹外费用按规定处理。",
     "5405-GZW", ("5405-CZJ",), START, D(2020, 9, 30), None, 40),
    ("国有企业已退休人员基本移交社区实行社会化管理",
     "རྒྱལ་གཉེར་ཁེ་ལས་ཀྱི་ལས་རྒན་མི་སྣ་གཞི་རྩའི་ཆ་ནས་སྡེ་ཁུལ་ལ་རྩིས་སྤྲོད་བྱས་ཏེ་སྤྱི་ཚོགས་ཅན་གྱི་དོ་དམ་ལག་བསྟར་བྱ་རྒྱུ།",
     "实现新办理退休人员管理服务工作与原企业分离，常态化移交地方管理。",
     "5405-GZW", ("5405-RSJ", "5405-YBJ"), START, D(2020, 12, 31), Metric.HANDOVER, 0),
]


def _org(code):
    return db.session.scalars(select(Organization).where(Organization.code == code)).first()


def _task(title_zh, lead):
    return db.session.scalars(select(WorkTask).where(
        WorkTask.title_zh == title_zh, WorkTask.lead_org_id == lead.id)).first()


def seed_demo_workplan():
    for title_zh, title_bo, description, lead_code, assisting, start, deadline, metric, progress in MILESTONES:
        lead = _org(lead_code)
        if lead is None or _task(title_zh, lead) is not None:
            continue
        db.session.add(WorkTask(
            title_zh=title_zh, title_bo=title_bo, description=description, lead_org=lead,
            assisting=[o for o in (_org(c) for c in assisting) if o is not None], start_on=start,
            deadline=deadline, is_milestone=True, metric=metric, progress=progress,
            done_on=deadline if progress == 100 else None))
    counties = db.session.scalars(select(Organization).where(Organization.kind == OrgKind.COUNTY)
                                  .order_by(Organization.code)).all()
    for county in counties:
        title_zh = f"{county.name_zh}接收国有企业退休人员"
        if _task(title_zh, county) is not None:
            continue
        db.session.add(WorkTask(
            title_zh=title_zh, title_bo=f"{county.name_bo}ནས་རྒྱལ་གཉེར་ཁེ་ལས་ཀྱི་ལས་རྒན་མི་སྣ་རྩིས་ལེན་བྱ་རྒྱུ།",
            description="退休人员移交进度按本县（区）交接清单实时计算。", lead_org=county,
            start_on=D(2020, 7, 1), deadline=D(2020, 12, 31), metric=Metric.HANDOVER, metric_org=county))
    db.session.commit()
    seed_routine_tasks()


# Routine work of today (DESIGN.md §7), dated relative to the day the demo is loaded so that every colour
# appears for a reason: (title zh, title bo, lead, days from today: start, deadline, done; progress)
ROUTINE = [
    ("常态化移交：本季度新退休人员移交社区", "སྤྱིར་བཏང་རྩིས་སྤྲོད། དུས་ཚིགས་འདིའི་ལས་རྒན་མི་སྣ་གསར་པ་སྡེ་ཁུལ་ལ་རྩིས་སྤྲོད།",
     "540502", -60, 5, None, 80),  # blue: due within the warning days
    ("补齐存量退休人员移交遗留问题", "ལྷག་འཕྲོས་ལས་རྒན་མི་སྣའི་རྩིས་སྤྲོད་ཀྱི་གནད་དོན་ཐག་གཅོད།",
     "540522", -90, -12, None, 60),  # red: past its deadline
    ("退休人员社会化管理服务站点建设", "ལས་རྒན་མི་སྣའི་སྤྱི་ཚོགས་ཅན་གྱི་དོ་དམ་ཞབས་ཞུའི་ས་ཚིགས་འཛུགས་སྐྲུན།",
     "5405-ZJJ", -100, 40, None, 20),  # yellow: behind schedule (70% of the time gone, 20% done)
    ("年度退休人员资格认证", "ལོ་འཁོར་གྱི་ལས་རྒན་མི་སྣའི་ཆོག་ཐམ་ར་སྤྲོད།",
     "5405-RSJ", -120, -20, -25, 100),  # green: done before its deadline
]


def seed_routine_tasks(today=None):
    from app import clock

    today = today or clock.today()
    day = datetime.timedelta
    for title_zh, title_bo, lead_code, start, deadline, done, progress in ROUTINE:
        lead = _org(lead_code)
        if lead is None or _task(title_zh, lead) is not None:
            continue
        db.session.add(WorkTask(title_zh=title_zh, title_bo=title_bo, lead_org=lead, start_on=today + day(start),
                                deadline=today + day(deadline), progress=progress,
                                done_on=today + day(done) if done is not None else None))
    db.session.commit()
