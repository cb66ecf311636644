"""Demo of money, property and people (policy 二(五), 二(七), 二(八), 四(五)), dated relative to the day it is
loaded, written through each stream's services by the demo users themselves (the same write path as the forms).
Every state appears: expenses approved, waiting and returned; assets received, approved, proposed; units staffed
and short; counties funded and short. Idempotent: a stream with rows already is left alone."""
import datetime
from decimal import Decimal

from sqlalchemy import func, select

from app import clock
from app.assets import services as asset_services
from app.assets.models import RetireeAsset
from app.assets.rules import AssetKind, TransferMode
from app.expenses import services as expense_services
from app.expenses.models import ExpenseItem, LifeExpectancy
from app.expenses.rules import Classification, Handling
from app.extensions import appbuilder, db
from app.funding import services as funding_services
from app.funding.models import FundingRecord
from app.funding.rules import Share
from app.org.models import Organization
from app.retirees.models import Retiree
from app.staffing import services as staffing_services
from app.staffing.models import StaffingRecord, StaffPlacement
from app.staffing.rules import Placement

# Illustrative values for the demo only (SASAC keeps the real table from the statistics bureau).
LIFE_EXPECTANCY = {"M": Decimal("70.10"), "F": Decimal("73.40")}


def _user(name):
    return appbuilder.sm.find_user(username=name)


def _org(code):
    return db.session.scalar(select(Organization).where(Organization.code == code))


def _empty(model):
    return not db.session.scalar(select(func.count()).select_from(model))


def seed_life_expectancy():
    if not _empty(LifeExpectancy):
        return
    sasac = _user("sasac")
    for year in range(2019, clock.today().year + 1):
        for sex, base in LIFE_EXPECTANCY.items():
            row = LifeExpectancy(sex=sex, year=year, years=base + Decimal("0.25") * (year - 2019),
                                 source="示例数据")
            expense_services.save_life_expectancy(sasac, row)
            db.session.add(row)
    db.session.commit()


def _item(actor, name, standard, classification, handling, retiree=None, basis=None):
    item = ExpenseItem(name=name, monthly_standard=Decimal(standard), classification=classification,
                       handling=handling, retiree=retiree, basis=basis)
    expense_services.save_item(actor, item)
    db.session.add(item)
    db.session.flush()
    return item


def seed_expenses():
    if not _empty(ExpenseItem):
        return
    today = clock.today()
    sasac = _user("sasac")
    for username, outcome in (("enterprise1", "approved"), ("enterprise2", "submitted")):
        actor = _user(username)
        handling = expense_services.handling_of(actor.org_id, create=True)
        handling.transition_start = today - datetime.timedelta(days=400)
        handling.transition_end = today + datetime.timedelta(days=600)
        expense_services.save_handling(actor, handling)
        _item(actor, "取暖补贴", "300", Classification.COMPLIANT, Handling.ACCRUE_AND_PAY,
              basis="山南市国资委〔2019〕文")
        _item(actor, "企业自发生活补贴", "150", Classification.ENTERPRISE_OWN,
              Handling.OWN_CHANNEL)
        retiree = db.session.scalar(select(Retiree).where(
            Retiree.enterprise_id == actor.org_id, Retiree.deceased.is_(False),
            Retiree.retirement_date <= handling.transition_end).order_by(Retiree.birth_date.desc()).limit(1))
        if retiree is not None:
            item = _item(actor, "独生子女费", "10", Classification.COMPLIANT,
                         Handling.LUMP_SUM, retiree=retiree)
            expense_services.compute_lump_sum(actor, item)
        # the baseline passes: from now on no new items, no higher standards
        handling.baseline_date = today - datetime.timedelta(days=1)
        db.session.flush()
        expense_services.submit(actor, handling)
        if outcome == "approved":
            expense_services.approve(sasac, handling)
        db.session.commit()


def seed_assets():
    if not _empty(RetireeAsset):
        return
    sasac, community = _user("sasac"), _user("community1")
    ent1, ent2 = _user("enterprise1"), _user("enterprise2")
    received = RetireeAsset(name="退休职工活动室", kind=AssetKind.ACTIVITY,
                            location="泽当镇", book_value=Decimal("380000"), divisible=True)
    asset_services.save_proposal(ent1, received)
    db.session.add(received)
    db.session.flush()
    asset_services.approve(sasac, received)
    asset_services.hand_over(ent1, received, community.org_id, TransferMode.FREE, "")
    asset_services.confirm(community, received)
    asset_services.record_use(community, received, "老年日间照料", True)
    center = RetireeAsset(name="职工文体中心", kind=AssetKind.VENUE,
                          location="泽当镇", book_value=Decimal("2150000"), divisible=False)
    asset_services.save_proposal(ent2, center)
    db.session.add(center)
    db.session.flush()
    asset_services.approve(sasac, center)
    waiting = RetireeAsset(name="康复理疗设备", kind=AssetKind.EQUIPMENT,
                           location="泽当镇", book_value=Decimal("64000"), divisible=True)
    asset_services.save_proposal(ent1, waiting)
    db.session.add(waiting)
    db.session.commit()


def seed_staffing():
    if not _empty(StaffingRecord):
        return
    today = clock.today()
    for username in ("county1", "county2"):
        county = _user(username)
        for index, (unit, n, required, _record, _state, _gap) in enumerate(staffing_services.overview(county)):
            # the first unit short of one full-time worker, the others staffed; a year of history for two
            full = max(0, required - (1 if index == 0 else 0))
            if index < 2:
                old = StaffingRecord(unit=unit, as_of=today - datetime.timedelta(days=365), full_time=0, part_time=1)
                staffing_services.save_staffing(county, old)
                db.session.add(old)
            record = StaffingRecord(unit=unit, as_of=today - datetime.timedelta(days=30), full_time=full,
                                    part_time=0 if required else 1)
            staffing_services.save_staffing(county, record)
            db.session.add(record)
    for username, people in (("enterprise1", (("次仁", "离退休管理科科员", Placement.TRANSFER, "综合办公室"),
                                              ("李明", "离退休管理科科长", Placement.CONTRACT, "审计部"))),
                             ("enterprise2", (("卓玛", "退休职工服务站干事", Placement.REASSIGNMENT, "客户服务中心"),))):
        enterprise = _user(username)
        for name, former, placement, new in people:
            row = StaffPlacement(person_name=name, former_post=former, placement=placement, new_post=new,
                                 placed_on=today - datetime.timedelta(days=200), contract_changed=True)
            staffing_services.save_placement(enterprise, row)
            db.session.add(row)
    db.session.commit()


def seed_funding():
    """Each county's city share budgeted for the retirees it is to receive (the ledger), disbursed in full in
    every other county and half in the rest; 乃东区 records its own share too."""
    if not _empty(FundingRecord):
        return
    finance, county = _user("finance"), _user("county1")
    year = clock.today().year
    expected = dict(db.session.execute(select(Retiree.receiving_county_id, func.count()).where(
        Retiree.deceased.is_(False), Retiree.is_lixiu.is_(False), Retiree.receiving_county_id.is_not(None))
        .group_by(Retiree.receiving_county_id)).all())
    quota = funding_services.quota()
    rows, _quota = funding_services.overview(finance, year)
    for index, (unit, _n, _need, _city, _own, _gap) in enumerate(rows):
        planned = (quota * expected.get(unit.id, 0) / 2).quantize(Decimal("0.01"))
        if not planned:
            continue
        paid = planned if index % 2 == 0 else (planned / 2).quantize(Decimal("0.01"))
        record = FundingRecord(county=unit, year=year, share=Share.CITY, budgeted=planned, disbursed=paid,
                               disbursed_on=clock.today() - datetime.timedelta(days=60))
        funding_services.save_record(finance, record)
        db.session.add(record)
    planned = (quota * expected.get(county.org_id, 0) / 2).quantize(Decimal("0.01"))
    record = FundingRecord(county_id=county.org_id, year=year, share=Share.COUNTY, budgeted=planned,
                           disbursed=planned, disbursed_on=clock.today() - datetime.timedelta(days=45))
    funding_services.save_record(county, record)
    db.session.add(record)
    db.session.commit()


def seed_demo_money():
    seed_life_expectancy()
    seed_expenses()
    seed_assets()
    seed_staffing()
    seed_funding()
    seed_benefits()


def seed_benefits():
    """The departments' own records: HR confirms pensions and links a work injury, the medical insurance bureau
    transfers the relations not yet under local management, a county applies for a fiscally funded pension."""
    from app.benefits import services as benefit_services
    from app.benefits.models import BenefitLink
    from app.handover.models import HandoverCase
    from app.retirees.models import PensionSource

    if not _empty(BenefitLink):
        return
    hrss, medins, county = _user("hrss"), _user("medins"), _user("county1")
    today = clock.today()
    last_month = (today.replace(day=1) - datetime.timedelta(days=1)).replace(day=1)
    accepted = db.session.scalars(select(Retiree).join(HandoverCase, HandoverCase.retiree_id == Retiree.id).where(
        HandoverCase.accepted_on.is_not(None), Retiree.deceased.is_(False)).order_by(Retiree.id).limit(12)).all()
    for index, retiree in enumerate(accepted):
        link = BenefitLink(retiree=retiree, pension_confirmed_through=last_month if index % 4 else
                           last_month - datetime.timedelta(days=62),
                           work_injury=index == 0, injury_level=7 if index == 0 else None,
                           injury_linked_on=today - datetime.timedelta(days=20) if index == 0 else None)
        benefit_services.save(hrss, link, new=True)
        db.session.add(link)
        db.session.flush()
        if not retiree.medical_local:
            link.medical_from, link.medical_to = "企业职工医保统筹", "山南市医保"
            link.medical_transferred_on = today - datetime.timedelta(days=40)
            benefit_services.save(medins, link, new=False)
        if retiree.pension_source == PensionSource.FISCAL:
            link.fiscal_applied_on = today - datetime.timedelta(days=15)
            benefit_services.save(county, link, new=False)
    db.session.commit()
