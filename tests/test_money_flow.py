"""Money, property and people through HTTP, within scopes: off-plan expenses (baseline, transition, SASAC
review, life-expectancy payment), assets (proposal, approval, hand-over, receipt), staffing at 1:200 and
funding per county — each refusal changes nothing."""
import datetime
from decimal import Decimal

from sqlalchemy import func, select

from app import clock
from app.assets.models import RetireeAsset
from app.expenses.models import ExpenseHandling, ExpenseItem, ExpenseReview
from app.extensions import db
from app.funding.models import FundingRecord
from app.handover.models import HandoverCase
from app.notify.models import Notification
from app.org.models import Organization
from app.retirees.models import Retiree
from app.staffing.models import StaffingRecord
from tests.conftest import count_rows, org_id, session_csrf


def _read(app, fn):
    with app.app_context():
        value = fn(db.session)
        db.session.remove()
        return value


def _handling(app, code):
    return _read(app, lambda s: s.scalar(select(ExpenseHandling).where(
        ExpenseHandling.enterprise_id == org_id(app, code))).id)


def _status(app, model, pk):
    return _read(app, lambda s: s.get(model, pk).status)


def _post(client, url, **data):
    return client.post(url, data={"csrf_token": session_csrf(client), **data}, follow_redirects=True)


# --- off-plan expenses

def test_no_new_item_after_the_baseline_through_form_and_rest(app, as_user):
    ent = as_user("enterprise1")
    before = count_rows(app, ExpenseItem)
    page = _post(ent, "/expenseitems/add", name="新增补贴", monthly_standard="50", classification="compliant",
                 handling="accrue_and_pay").get_data(as_text=True)
    assert "二(七)" in page and count_rows(app, ExpenseItem) == before
    # the API adds no items at all (the form explains the rule)
    r = ent.post("/api/v1/expenseitem/", json={"name": "新增补贴", "monthly_standard": 50,
                                                "classification": "compliant", "handling": "accrue_and_pay"},
                 headers={"X-CSRFToken": session_csrf(ent)})
    assert r.status_code == 405 and count_rows(app, ExpenseItem) == before


def test_no_higher_standard_after_the_baseline_lowering_allowed(app, as_user):
    ent = as_user("enterprise1")
    item_id, standard = _read(app, lambda s: s.execute(select(ExpenseItem.id, ExpenseItem.monthly_standard).where(
        ExpenseItem.enterprise_id == org_id(app, "E-S02"), ExpenseItem.name == "取暖补贴")).one())
    page = _post(ent, f"/expenseitems/edit/{item_id}", name="取暖补贴", monthly_standard=str(standard + 1),
                 classification="compliant", handling="accrue_and_pay").get_data(as_text=True)
    assert "二(七)" in page
    assert _read(app, lambda s: s.get(ExpenseItem, item_id).monthly_standard) == standard
    r = ent.put(f"/api/v1/expenseitem/{item_id}", json={"monthly_standard": float(standard + 1)},
                headers={"X-CSRFToken": session_csrf(ent)})
    assert r.status_code == 422 and "二(七)" in str(r.get_json()["message"])
    assert _read(app, lambda s: s.get(ExpenseItem, item_id).monthly_standard) == standard
    _post(ent, f"/expenseitems/edit/{item_id}", name="取暖补贴", monthly_standard=str(standard - 10),
          classification="compliant", handling="accrue_and_pay")
    assert _read(app, lambda s: s.get(ExpenseItem, item_id).monthly_standard) == standard - 10
    # an edit after approval reopens the handling for a new review
    assert _status(app, ExpenseHandling, _handling(app, "E-S02")) == "draft"


def test_review_return_with_comment_and_versions_kept(app, as_user):
    ent, sasac = as_user("enterprise2"), as_user("sasac")
    pk = _handling(app, "E-C03")
    assert _status(app, ExpenseHandling, pk) == "submitted"
    # the enterprise cannot change items nor approve while SASAC reviews
    item_id = _read(app, lambda s: s.scalar(select(ExpenseItem.id).where(
        ExpenseItem.enterprise_id == org_id(app, "E-C03")).limit(1)))
    page = _post(ent, f"/expenseitems/edit/{item_id}", name="x", monthly_standard="1", classification="compliant",
                 handling="accrue_and_pay").get_data(as_text=True)
    assert _read(app, lambda s: s.get(ExpenseItem, item_id).name) != "x"
    _post(ent, f"/expenses/{pk}/approve")
    assert _status(app, ExpenseHandling, pk) == "submitted"
    # returning needs a comment
    _post(sasac, f"/expenses/{pk}/return", comment="  ")
    assert _status(app, ExpenseHandling, pk) == "submitted"
    _post(sasac, f"/expenses/{pk}/return", comment="请补充发放依据")
    assert _status(app, ExpenseHandling, pk) == "returned"
    entry = _read(app, lambda s: s.scalar(select(Notification).where(
        Notification.kind == "expenses", Notification.org_id == org_id(app, "E-C03"),
        Notification.resolved_at.is_(None))))
    assert entry is not None
    # a second return of the same version (double click) is refused: one decision
    _post(sasac, f"/expenses/{pk}/return", comment="again")
    reviews = _read(app, lambda s: [(r.number, r.status, r.comment) for r in s.scalars(
        select(ExpenseReview).where(ExpenseReview.handling_id == pk).order_by(ExpenseReview.number))])
    assert reviews == [(1, "returned", "请补充发放依据")]
    # resubmitted: a second version, the first kept
    _post(ent, f"/expenses/{pk}/submit")
    _post(sasac, f"/expenses/{pk}/approve")
    reviews = _read(app, lambda s: [(r.number, r.status) for r in s.scalars(
        select(ExpenseReview).where(ExpenseReview.handling_id == pk).order_by(ExpenseReview.number))])
    assert reviews == [(1, "returned"), (2, "approved")]
    show = sasac.get(f"/expenses/show/{pk}").get_data(as_text=True)
    assert "请补充发放依据" in show and show.count('class="expense-review"') == 2


def test_lump_sum_shown_with_its_formula_and_refused_after_the_transition(app, as_user):
    ent = as_user("enterprise1")
    pk = _handling(app, "E-S02")
    page = ent.get(f"/expenses/show/{pk}").get_data(as_text=True)
    formula = _read(app, lambda s: s.scalar(select(ExpenseItem.lump_sum_formula).where(
        ExpenseItem.enterprise_id == org_id(app, "E-S02"), ExpenseItem.lump_sum_formula.is_not(None))))
    assert formula and formula in page and "× 12 −" in formula
    # move the retiree's retirement after the end of the transition: no payment is computed for them
    with app.app_context():
        item = db.session.scalar(select(ExpenseItem).where(ExpenseItem.enterprise_id == org_id(app, "E-S02"),
                                                           ExpenseItem.lump_sum_formula.is_not(None)))
        handling = db.session.get(ExpenseHandling, pk)
        item_id, retiree_id, old = item.id, item.retiree_id, item.retiree.retirement_date
        old_amount = item.lump_sum_amount
        db.session.execute(Retiree.__table__.update().where(Retiree.id == retiree_id).values(
            retirement_date=handling.transition_end + datetime.timedelta(days=1)))
        db.session.commit()
        db.session.remove()
    try:
        page = _post(ent, f"/expenses/item/{item_id}/compute").get_data(as_text=True)
        assert "二(七)" in page
        assert _read(app, lambda s: s.get(ExpenseItem, item_id).lump_sum_amount) == old_amount
    finally:
        with app.app_context():
            db.session.execute(Retiree.__table__.update().where(Retiree.id == retiree_id).values(
                retirement_date=old))
            db.session.commit()
            db.session.remove()


def test_expenses_scoped_and_closed_to_counties(app, as_user):
    other = _handling(app, "E-C03")
    assert as_user("enterprise1").get(f"/expenses/show/{other}").status_code == 404
    assert as_user("county1").get("/expenses/list/").status_code in (302, 403)


def test_only_sasac_keeps_the_life_table(app, as_user):
    from app.expenses.models import LifeExpectancy

    before = count_rows(app, LifeExpectancy)
    _post(as_user("enterprise1"), "/lifeexpectancy/add", sex="M", year="2030", years="80")
    assert count_rows(app, LifeExpectancy) == before
    _post(as_user("sasac"), "/lifeexpectancy/add", sex="M", year="2031", years="999")
    assert count_rows(app, LifeExpectancy) == before


# --- assets

def test_community_cannot_require_a_new_build(app, as_user):
    before = count_rows(app, RetireeAsset)
    community = as_user("community1")
    page = _post(community, "/assets/add", name="新建活动中心", kind="venue").get_data(as_text=True)
    assert count_rows(app, RetireeAsset) == before and "二(五)" in page
    r = community.post("/api/v1/retireeasset/", json={"name": "新建活动中心", "kind": "venue"},
                       headers={"X-CSRFToken": session_csrf(community)})
    assert r.status_code in (403, 422) and count_rows(app, RetireeAsset) == before


def test_asset_flow_with_refusals(app, as_user):
    ent, sasac, community, county = as_user("enterprise2"), as_user("sasac"), as_user("community1"), as_user("county1")
    pk = _read(app, lambda s: s.scalar(select(RetireeAsset.id).where(RetireeAsset.status == "approved")))
    recipient = org_id(app, "540502-01-01")
    # not divisible: a free transfer is refused; a swap needs the arrangement
    _post(ent, f"/assets/{pk}/hand-over", recipient_id=recipient, mode="free")
    _post(ent, f"/assets/{pk}/hand-over", recipient_id=recipient, mode="swap", arrangement="")
    assert _status(app, RetireeAsset, pk) == "approved"
    # only the enterprise hands over
    _post(county, f"/assets/{pk}/hand-over", recipient_id=recipient, mode="swap", arrangement="置换")
    assert _status(app, RetireeAsset, pk) == "approved"
    _post(ent, f"/assets/{pk}/hand-over", recipient_id=recipient, mode="swap", arrangement="与社区置换临街用房")
    assert _status(app, RetireeAsset, pk) == "handed_over"
    # SASAC does not confirm for the community; the recipient confirms, once
    _post(sasac, f"/assets/{pk}/confirm")
    assert _status(app, RetireeAsset, pk) == "handed_over"
    _post(community, f"/assets/{pk}/confirm")
    assert _status(app, RetireeAsset, pk) == "confirmed"
    page = _post(community, f"/assets/{pk}/confirm").get_data(as_text=True)  # a second click changes nothing
    assert _status(app, RetireeAsset, pk) == "confirmed" and "alert-danger" in page
    _post(community, f"/assets/{pk}/use", current_use="老年食堂", elderly_care="1")
    assert _read(app, lambda s: (s.get(RetireeAsset, pk).current_use, s.get(RetireeAsset, pk).elderly_care)) == \
        ("老年食堂", True)


def test_asset_approval_only_by_sasac(app, as_user):
    pk = _read(app, lambda s: s.scalar(select(RetireeAsset.id).where(RetireeAsset.status == "proposed")))
    for user in ("enterprise1", "county1", "finance"):
        _post(as_user(user), f"/assets/{pk}/approve")
        assert _status(app, RetireeAsset, pk) == "proposed", user
    county2 = as_user("county2")
    assert county2.get(f"/assets/show/{pk}").status_code == 404  # another county sees nothing


# --- staffing and funding

def _managed_by(app, column, unit):
    return _read(app, lambda s: s.scalar(select(func.count()).select_from(Retiree).join(
        HandoverCase, HandoverCase.retiree_id == Retiree.id).where(
        HandoverCase.accepted_on.is_not(None), Retiree.deceased.is_(False), Retiree.is_lixiu.is_(False),
        column == unit)))


def test_staffing_overview_counts_what_the_county_accepted(app, as_user):
    page = as_user("county1").get("/staffing/overview/").get_data(as_text=True)
    community = org_id(app, "540502-01-01")
    n = _managed_by(app, Retiree.receiving_community_id, community)
    row = page.split('id="unit-540502-01-01"')[1].split("</tr>")[0]
    assert f'<td class="text-right">{n}</td>' in row
    assert 'id="unit-540522-01"' not in page  # another county's township
    city = as_user("sasac").get("/staffing/overview/").get_data(as_text=True)
    assert 'id="unit-540522-01"' in city


def test_county_records_staffing_only_for_its_own_units(app, as_user):
    before = count_rows(app, StaffingRecord)
    today = clock.today().isoformat()
    _post(as_user("county2"), "/staffing/add", unit=org_id(app, "540502-01-01"), as_of=today, full_time="1",
          part_time="0")
    _post(as_user("community1"), "/staffing/add", unit=org_id(app, "540502-01-01"), as_of=today, full_time="1",
          part_time="0")
    assert count_rows(app, StaffingRecord) == before
    _post(as_user("county1"), "/staffing/add", unit=org_id(app, "540502-01-01"), as_of=today, full_time="2",
          part_time="0")
    assert count_rows(app, StaffingRecord) == before + 1


def test_funding_who_records_what(app, as_user):
    year = str(clock.today().year)
    county1, county2 = org_id(app, "540502"), org_id(app, "540522")
    before = count_rows(app, FundingRecord)
    _post(as_user("county1"), "/funding/add", county=county2, year=year, share="county", budgeted="1",
          disbursed="1")
    _post(as_user("county1"), "/funding/add", county=county1, year=year, share="city", budgeted="1",
          disbursed="1")
    _post(as_user("finance"), "/funding/add", county=county2, year=year, share="county", budgeted="1",
          disbursed="1")
    _post(as_user("hrss"), "/funding/add", county=county2, year=year, share="city", budgeted="1", disbursed="1")
    assert count_rows(app, FundingRecord) == before
    _post(as_user("finance"), "/funding/add", county=county2, year=year, share="city", budgeted="100",
          disbursed="100")
    assert count_rows(app, FundingRecord) == before + 1


def test_funding_overview_need_and_gap(app, as_user):
    year = clock.today().year
    page = as_user("finance").get(f"/funding/overview/?year={year}").get_data(as_text=True)
    county = org_id(app, "540502")
    n = _managed_by(app, Retiree.receiving_county_id, county)
    need = Decimal(app.config["FUNDING_QUOTA_PER_RETIREE"]) * n
    paid = _read(app, lambda s: s.scalar(select(func.coalesce(func.sum(FundingRecord.disbursed), 0)).where(
        FundingRecord.county_id == county, FundingRecord.year == year)))
    row = page.split('id="county-540502"')[1].split("</tr>")[0]
    assert f"{need:.2f}" in row and f"{max(Decimal(0), need - Decimal(paid)):.2f}" in row
    assert as_user("county2").get(f"/funding/overview/?year={year}").get_data(as_text=True).count(
        'class="funding-row"') == 1


def test_pages_in_both_languages(app, as_user):
    for lang in ("zh", "bo"):
        for user, url in (("sasac", "/expenses/list/"), ("sasac", "/assets/list/"), ("county1", "/staffing/overview/"),
                          ("finance", "/funding/overview/"), ("enterprise1", "/placements/list/"),
                          ("sasac", "/lifeexpectancy/list/")):
            r = as_user(user, lang=lang).get(url)
            assert r.status_code == 200, (user, url, lang)


# --- the leading group's figures

def test_dashboard_and_summary_pdf_show_the_money_panel(app, as_user, runner, tmp_path):
    from app.assets.rules import AssetStatus
    from app.staffing import rules as staff_rules
    from tests.pdftools import pdf_text

    def counts(s):
        received = s.scalar(select(func.count()).select_from(RetireeAsset).where(
            RetireeAsset.status == AssetStatus.CONFIRMED))
        total = s.scalar(select(func.count()).select_from(RetireeAsset))
        return received, total

    received, total = _read(app, counts)
    page = as_user("sasac").get("/").get_data(as_text=True)
    panel = page.split('id="panel-money"')[1].split("</table>")[0]
    assert f"{total}项资产中{received}项已由乡镇（街道）和社区接收" in panel
    # the staffing gap equals 1:200 recomputed from the accepted retirees and the latest records
    def gap(s):
        from app.staffing.models import StaffingRecord as R
        latest = {}
        for r in s.scalars(select(R).order_by(R.as_of, R.id)):
            latest[r.unit_id] = r
        total_gap = 0
        for unit_id, record in latest.items():
            column = Retiree.receiving_community_id if s.get(Organization, unit_id).kind == "community" \
                else Retiree.receiving_township_id
            n = s.scalar(select(func.count()).select_from(Retiree).join(
                HandoverCase, HandoverCase.retiree_id == Retiree.id).where(
                HandoverCase.accepted_on.is_not(None), Retiree.deceased.is_(False), Retiree.is_lixiu.is_(False),
                column == unit_id))
            total_gap += staff_rules.staffing_state(n, record.full_time, record.part_time)[1]
        return total_gap

    assert f"缺{_read(app, gap)}名专职人员" in panel
    out = tmp_path / "summary.pdf"
    result = runner.invoke(args=["report", "summary", "--lang", "zh", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out).replace(" ", "")
    assert "资产、经费和人员" in text and "统筹外费用" in text and "专职人员" in text
