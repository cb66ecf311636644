"""Demo monthly reports for 2020-07..2020-09 (idempotent): on-time reports, one late (乃东区 for 2020-08,
submitted on the 12th), one returned for correction (人社局, 2020-09) and one missing (贡嘎县 for 2020-09:
a draft never submitted). Every other member unit has not reported, as in a real first quarter."""
import datetime
import json

from sqlalchemy import select

from app.extensions import db
from app.monthly.figures import unit_figures
from app.monthly.models import MonthlyReport, MonthlyReportEvent, ReportAction, ReportStatus
from app.org.models import Organization
from app.security.models import OrgUser

NARRATIVE = {
    "zh": ("已完成本单位退休人员摸底，移交工作按计划推进。", "个别退休人员档案材料不全。", "下月完成剩余人员的档案整理和党组织关系接转。"),
    "bo": ("ལས་རྒན་མི་སྣའི་གནས་ཚུལ་ཞིབ་བཤེར་ལེགས་གྲུབ་བྱུང་། རྩིས་སྤྲོད་ཀྱི་ལས་ཀ་འཆར་གཞི་ལྟར་སྐྱོད་བཞིན་ཡོད།",
           "ལས་རྒན་མི་སྣ་ཁ་ཤས་ཀྱི་ཡིག་ཚགས་ཆ་མི་ཚང་།",
           "ཟླ་བ་རྗེས་མར་ལྷག་མའི་ཡིག་ཚགས་གྲ་སྒྲིག་ལེགས་གྲུབ་བྱ་རྒྱུ།"),
}

# (unit code, month, submitted at (Shannan time) or None for a draft, language, returned with comment)
REPORTS = [
    ("5405-GZW", "2020-07", datetime.datetime(2020, 7, 8, 10, 0), "zh", None),
    ("5405-RSJ", "2020-07", datetime.datetime(2020, 7, 9, 16, 0), "zh", None),
    ("540502", "2020-07", datetime.datetime(2020, 7, 10, 15, 0), "zh", None),
    ("540522", "2020-07", datetime.datetime(2020, 7, 6, 11, 0), "bo", None),
    ("5405-GZW", "2020-08", datetime.datetime(2020, 8, 7, 9, 30), "zh", None),
    ("5405-RSJ", "2020-08", datetime.datetime(2020, 8, 10, 17, 0), "zh", None),
    ("540502", "2020-08", datetime.datetime(2020, 8, 12, 10, 0), "zh", None),  # late
    ("540522", "2020-08", datetime.datetime(2020, 8, 10, 9, 0), "bo", None),
    ("5405-GZW", "2020-09", datetime.datetime(2020, 9, 8, 10, 0), "zh", None),
    ("5405-RSJ", "2020-09", datetime.datetime(2020, 9, 9, 10, 0), "zh", "养老保险待遇衔接人数与台账不一致，请核实后重新报送。"),
    ("540502", "2020-09", datetime.datetime(2020, 9, 9, 12, 0), "zh", None),
    ("540522", "2020-09", None, "bo", None),  # a draft: missing after 2020-09-10
]


def _utc(local):
    from app.clock import TZ

    return local.replace(tzinfo=TZ).astimezone(datetime.timezone.utc).replace(tzinfo=None)


def seed_demo_monthly():
    orgs = {o.code: o for o in db.session.scalars(select(Organization).where(
        Organization.code.in_({r[0] for r in REPORTS})))}
    sasac_user = db.session.scalar(select(OrgUser).where(OrgUser.username == "sasac"))
    for code, month, at, lang, returned in REPORTS:
        org = orgs.get(code)
        if org is None or db.session.scalar(select(MonthlyReport.id).where(
                MonthlyReport.org_id == org.id, MonthlyReport.month == month)):
            continue
        user = db.session.scalar(select(OrgUser).where(OrgUser.org_id == org.id).order_by(OrgUser.id).limit(1))
        progress, problems, next_steps = NARRATIVE[lang]
        created = _utc(at or datetime.datetime(2020, 9, 5, 10, 0)) - datetime.timedelta(days=1)
        report = MonthlyReport(org_id=org.id, month=month, progress=progress, problems=problems,
                               next_steps=next_steps, status=ReportStatus.DRAFT, created_on=created,
                               created_by_id=getattr(user, "id", None), changed_on=created)
        report.events.append(MonthlyReportEvent(action=ReportAction.SAVED, at=created,
                                                by_id=getattr(user, "id", None)))
        if at is not None:
            when = _utc(at)
            report.status = ReportStatus.SUBMITTED
            report.first_submitted_on = report.submitted_on = report.changed_on = when
            report.submitted_by_id = getattr(user, "id", None)
            report.figures = json.dumps(unit_figures(org), ensure_ascii=False, sort_keys=True)
            report.events.append(MonthlyReportEvent(action=ReportAction.SUBMITTED, at=when,
                                                    by_id=getattr(user, "id", None)))
        if returned:
            when = _utc(at + datetime.timedelta(days=2))
            report.status = ReportStatus.RETURNED
            report.returned_on = when
            report.returned_by_id = getattr(sasac_user, "id", None)
            report.return_comment = returned
            report.events.append(MonthlyReportEvent(action=ReportAction.RETURNED, at=when,
                                                    by_id=getattr(sasac_user, "id", None), comment=returned))
        db.session.add(report)
    db.session.commit()
