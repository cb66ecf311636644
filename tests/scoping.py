"""The generic scope test (after NetBox's view/API test mixins): a scoped model's case is data only — the
list/show/edit/delete routes, its REST resource, a way to pick a row that a given user must not see, and a
valid API payload. `test_scope.py` runs every route of every case for every user pairing."""
import datetime
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select

from app.archives.models import ArchiveTransfer
from app.handover.models import HandoverBatch, HandoverCase
from app.monthly.models import MonthlyReport
from app.org.models import Organization
from app.party.models import PartyTransfer
from app.retirees import idcard
from app.retirees.models import Retiree, RetireeCorrection
from app.supervision.models import AccountabilityRecord, SupervisionItem, WorkContact


@dataclass
class ScopeCase:
    name: str
    model: type
    route_base: str
    api: str
    search_column: str
    # (username, picks a row that user must NOT see, picks a row that user MUST see)
    pairs: list = field(default_factory=list)
    api_payload: Callable = None  # (session, foreign_org) -> dict for POST /api/v1/<api>/
    key: Callable = None  # row -> the value searched for in search_column (default: resident_id)
    search_filter: int = 3  # FAB's filter index in list URLs (3: string "equal to"; 0: integer "equal to")
    read_only_api: bool = False  # the REST resource has GET routes only


def _org_id(session, code):
    return session.scalar(select(Organization.id).where(Organization.code == code))


def retiree_where(*conditions):
    def pick(session):
        return session.scalars(select(Retiree).where(*conditions).order_by(Retiree.id).limit(1)).one()

    return pick


def _enterprise(code):
    return Retiree.enterprise_id.in_(select(Organization.id).where(Organization.code == code))


def _receiving_county(code):
    return Retiree.receiving_county_id.in_(select(Organization.id).where(Organization.code == code))


def _community(code):
    return Retiree.receiving_community_id.in_(select(Organization.id).where(Organization.code == code))


def retiree_payload(session, enterprise_code, county_code):
    return {
        "enterprise": _org_id(session, enterprise_code),
        "name_zh": "测试人员",
        "gender": "M",
        "ethnicity": "tibetan",
        "resident_id": idcard.make("540502", datetime.date(1955, 1, 1), 901, True),
        "birth_date": "1955-01-01",
        "retirement_date": "2015-01-01",
        "category": "in_region",
        "receiving_county": _org_id(session, county_code),
    }


SCOPE_CASES = [
    ScopeCase(
        name="retiree",
        model=Retiree,
        route_base="/retirees",
        api="retiree",
        search_column="resident_id",
        pairs=[
            # enterprise users: their own enterprise only
            ("enterprise1", retiree_where(_enterprise("E-C03")), retiree_where(_enterprise("E-S02"))),
            ("enterprise2", retiree_where(_enterprise("E-S02")), retiree_where(_enterprise("E-C03"))),
            # county users: retirees received by their county
            ("county1", retiree_where(_receiving_county("540522")), retiree_where(_receiving_county("540502"))),
            ("county2", retiree_where(_receiving_county("540502")), retiree_where(_receiving_county("540522"))),
            # a township and a community see only what was assigned to them
            ("township1", retiree_where(_receiving_county("540522")),
             retiree_where(_community("540502-01-01"))),
            ("community1", retiree_where(_community("540502-01-02")), retiree_where(_community("540502-01-01"))),
        ],
        api_payload=retiree_payload,
    ),
]


def _where(model, *conditions):
    def pick(session):
        return session.scalars(select(model).where(*conditions).order_by(model.id).limit(1)).one()

    return pick


def _in_org(column, code):
    return column.in_(select(Organization.id).where(Organization.code == code))


def _followers_case(name, model, route_base, api, users=None, read_only_api=False):
    """A row that follows a retiree (checklist, party transfer, archive transfer), scoped like the retiree."""
    pairs = [
        ("enterprise1", _where(model, _in_org(model.enterprise_id, "E-C03")),
         _where(model, _in_org(model.enterprise_id, "E-S02"))),
        ("enterprise2", _where(model, _in_org(model.enterprise_id, "E-S02")),
         _where(model, _in_org(model.enterprise_id, "E-C03"))),
        ("county1", _where(model, _in_org(model.receiving_county_id, "540522")),
         _where(model, _in_org(model.receiving_county_id, "540502"))),
        ("county2", _where(model, _in_org(model.receiving_county_id, "540502")),
         _where(model, _in_org(model.receiving_county_id, "540522"))),
        ("township1", _where(model, _in_org(model.receiving_county_id, "540522")),
         _where(model, _in_org(model.receiving_community_id, "540502-01-01"))),
        ("community1", _where(model, _in_org(model.receiving_community_id, "540502-01-02")),
         _where(model, _in_org(model.receiving_community_id, "540502-01-01"))),
    ]
    if users is not None:
        pairs = [p for p in pairs if p[0] in users]
    return ScopeCase(name=name, model=model, route_base=route_base, api=api, search_column="id", pairs=pairs,
                     key=lambda row: row.id, search_filter=0, read_only_api=read_only_api)


def batch_payload(session, enterprise_code, county_code):
    return {"enterprise": _org_id(session, enterprise_code), "receiving_county": _org_id(session, county_code),
            "note": "测试批次"}


SCOPE_CASES += [
    _followers_case("correction", RetireeCorrection, "/retiree-corrections", "retireecorrection",
                    users=("enterprise1", "enterprise2", "county1", "county2"), read_only_api=True),
    _followers_case("handover", HandoverCase, "/handover", "handover"),
    _followers_case("party", PartyTransfer, "/party", "partytransfer"),
    # archives are written by enterprises, counties and the archives, not by townships or communities
    _followers_case("archive", ArchiveTransfer, "/archives", "archivetransfer",
                    users=("enterprise1", "enterprise2", "county1", "county2")),
    ScopeCase(
        name="batch", model=HandoverBatch, route_base="/batches", api="handoverbatch", search_column="id",
        key=lambda row: row.id, search_filter=0,
        pairs=[
            ("enterprise1", _where(HandoverBatch, _in_org(HandoverBatch.enterprise_id, "E-C03")),
             _where(HandoverBatch, _in_org(HandoverBatch.enterprise_id, "E-S02"))),
            ("enterprise2", _where(HandoverBatch, _in_org(HandoverBatch.enterprise_id, "E-S02")),
             _where(HandoverBatch, _in_org(HandoverBatch.enterprise_id, "E-C03"))),
            ("county1", _where(HandoverBatch, _in_org(HandoverBatch.receiving_county_id, "540522")),
             _where(HandoverBatch, _in_org(HandoverBatch.receiving_county_id, "540502"))),
            ("county2", _where(HandoverBatch, _in_org(HandoverBatch.receiving_county_id, "540502")),
             _where(HandoverBatch, _in_org(HandoverBatch.receiving_county_id, "540522"))),
        ],
        api_payload=batch_payload,
    ),
]

# The work plan: a task belongs to its lead unit (counties lead their own handover task); tasks come from
# the leading-group office, so the API is read-only (no POST).
from app.workplan.models import WorkTask  # noqa: E402

SCOPE_CASES += [
    ScopeCase(
        name="worktask", model=WorkTask, route_base="/tasks", api="worktask", search_column="id",
        key=lambda row: row.id, search_filter=0,
        pairs=[
            ("county1", _where(WorkTask, _in_org(WorkTask.lead_org_id, "540522")),
             _where(WorkTask, _in_org(WorkTask.lead_org_id, "540502"))),
            ("county2", _where(WorkTask, _in_org(WorkTask.lead_org_id, "540502")),
             _where(WorkTask, _in_org(WorkTask.lead_org_id, "540522"))),
        ],
    ),
]

# Monthly reports: a county sees its own reports; the city-wide roles see all (demo: reports of 乃东区 and 贡嘎县).
SCOPE_CASES += [
    ScopeCase(
        name="monthly_report", model=MonthlyReport, route_base="/monthly-reports", api="monthlyreport",
        search_column="id", key=lambda row: row.id, search_filter=0,
        pairs=[
            ("county1", _where(MonthlyReport, _in_org(MonthlyReport.org_id, "540522")),
             _where(MonthlyReport, _in_org(MonthlyReport.org_id, "540502"))),
            ("county2", _where(MonthlyReport, _in_org(MonthlyReport.org_id, "540502")),
             _where(MonthlyReport, _in_org(MonthlyReport.org_id, "540522"))),
        ],
    ),
]

def _unit_pairs(model, column):
    """Rows of a unit-scoped model (supervision items, contacts): enterprises and counties see their own."""
    return [
        ("enterprise1", _where(model, _in_org(column, "E-C03")), _where(model, _in_org(column, "E-S02"))),
        ("enterprise2", _where(model, _in_org(column, "E-S02")), _where(model, _in_org(column, "E-C03"))),
        ("county1", _where(model, _in_org(column, "540522")), _where(model, _in_org(column, "540502"))),
        ("county2", _where(model, _in_org(column, "540502")), _where(model, _in_org(column, "540522"))),
    ]


SCOPE_CASES += [
    # items are opened by the supervision office, contacts named by each unit: the API has no POST
    ScopeCase(name="supervision-item", model=SupervisionItem, route_base="/items", api="supervisionitem",
              search_column="id", key=lambda row: row.id, search_filter=0,
              pairs=_unit_pairs(SupervisionItem, SupervisionItem.unit_id)),
    ScopeCase(name="work-contact", model=WorkContact, route_base="/contacts", api="workcontact",
              search_column="id", key=lambda row: row.id, search_filter=0,
              pairs=_unit_pairs(WorkContact, WorkContact.org_id)),
    # only city-wide roles read accountability records: no pairing of units to test, the case still checks
    # that the administrators see none
    ScopeCase(name="accountability", model=AccountabilityRecord, route_base="/accountability",
              api="accountability", search_column="id", key=lambda row: row.id, search_filter=0, pairs=[]),
]

def _plan_case():
    from app.plans.models import ImplementationPlan as Plan

    return ScopeCase(
        name="plan", model=Plan, route_base="/plans", api="implementationplan", search_column="id",
        key=lambda row: row.id, search_filter=0,
        pairs=[
            ("enterprise1", _where(Plan, _in_org(Plan.enterprise_id, "E-C03")),
             _where(Plan, _in_org(Plan.enterprise_id, "E-S02"))),
            ("enterprise2", _where(Plan, _in_org(Plan.enterprise_id, "E-S02")),
             _where(Plan, _in_org(Plan.enterprise_id, "E-C03"))),
        ],
    )


# a plan comes with its enterprise's first upload: the API has no POST
SCOPE_CASES.append(_plan_case())


# Money, property and people (issue 15): enterprises see their own expenses, assets and placements; counties
# their own staffing and funding; a township/community the assets it received.
def _money_cases():
    from app.assets.models import RetireeAsset as Asset
    from app.expenses.models import ExpenseHandling, ExpenseItem
    from app.funding.models import FundingRecord as Funding
    from app.staffing.models import StaffingRecord, StaffPlacement

    def enterprise_pairs(model):
        return [("enterprise1", _where(model, _in_org(model.enterprise_id, "E-C03")),
                 _where(model, _in_org(model.enterprise_id, "E-S02"))),
                ("enterprise2", _where(model, _in_org(model.enterprise_id, "E-S02")),
                 _where(model, _in_org(model.enterprise_id, "E-C03")))]

    def staffing_unit(code):
        return StaffingRecord.unit_id.in_(select(Organization.id).where(Organization.path.like(f"%/{code}/%")))

    def by_id(**kw):
        return dict(search_column="id", key=lambda row: row.id, search_filter=0, **kw)

    def asset_payload(session, enterprise_code, _county_code):
        return {"enterprise": _org_id(session, enterprise_code), "name": "测试资产", "kind": "venue"}

    received = _where(Asset, Asset.recipient_id.is_not(None))
    return [
        ScopeCase(name="expense-handling", model=ExpenseHandling, route_base="/expenses", api="expensehandling",
                  pairs=enterprise_pairs(ExpenseHandling), read_only_api=True, **by_id()),
        ScopeCase(name="expense-item", model=ExpenseItem, route_base="/expenseitems", api="expenseitem",
                  pairs=enterprise_pairs(ExpenseItem), **by_id()),
        ScopeCase(name="asset", model=Asset, route_base="/assets", api="retireeasset", api_payload=asset_payload,
                  # a community sees the asset it received, not another enterprise's proposal
                  pairs=enterprise_pairs(Asset) + [
                      ("community1", _where(Asset, _in_org(Asset.enterprise_id, "E-C03")), received)], **by_id()),
        ScopeCase(name="staffing", model=StaffingRecord, route_base="/staffing", api="staffingrecord", read_only_api=True,
                  pairs=[("county1", _where(StaffingRecord, staffing_unit("540522")),
                          _where(StaffingRecord, staffing_unit("540502"))),
                         ("county2", _where(StaffingRecord, staffing_unit("540502")),
                          _where(StaffingRecord, staffing_unit("540522")))], **by_id()),
        ScopeCase(name="placement", model=StaffPlacement, route_base="/placements", api="staffplacement", read_only_api=True,
                  pairs=enterprise_pairs(StaffPlacement), **by_id()),
        ScopeCase(name="funding", model=Funding, route_base="/funding", api="fundingrecord", read_only_api=True,
                  pairs=[("county1", _where(Funding, _in_org(Funding.county_id, "540522")),
                          _where(Funding, _in_org(Funding.county_id, "540502"))),
                         ("county2", _where(Funding, _in_org(Funding.county_id, "540502")),
                          _where(Funding, _in_org(Funding.county_id, "540522")))], **by_id()),
    ]


SCOPE_CASES += _money_cases()


def _benefits_case():
    from app.benefits.models import BenefitLink

    # scoped like the retiree it follows; the county pairs need accepted retirees in both demo counties
    return _followers_case("benefits", BenefitLink, "/benefits", "benefitlink", users=BENEFIT_PAIR_USERS)


# the demo's accepted retirees are all in one community of 乃东区 until the demo tells today's story
BENEFIT_PAIR_USERS = ()


SCOPE_CASES.append(_benefits_case())
