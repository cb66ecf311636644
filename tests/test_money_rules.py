"""The money-side rules as plain functions (policy 二(五), 二(七), 二(八), 四(五)), edge cases included."""
import datetime
from decimal import Decimal

import pytest

from app.assets.rules import AssetStatus, TransferMode, mode_problem
from app.assets.rules import may as asset_may
from app.expenses import rules as exp
from app.funding import rules as fund
from app.staffing import rules as staff

D = datetime.date
TABLE = {("M", 2020): Decimal("70.00"), ("M", 2024): Decimal("71.00"), ("F", 2020): Decimal("73.50")}


def test_lump_sum_formula_and_amount():
    r = exp.lump_sum("100", D(1960, 5, 15), "M", D(2024, 5, 15), TABLE)
    # age 64 y = 768 months; 71 × 12 = 852; 84 months remain
    assert (r.table_year, r.age_months, r.remaining_months, r.amount) == (2024, 768, 84, Decimal("8400.00"))
    assert r.formula() == "100.00 × max(0, 71.00 × 12 − 768) = 100.00 × 84 = 8400.00"


def test_lump_sum_month_not_complete_before_the_birthday():
    before = exp.lump_sum("100", D(1960, 5, 15), "M", D(2024, 5, 14), TABLE)
    assert before.age_months == 767 and before.remaining_months == 85


def test_lump_sum_uses_the_newest_year_not_after_the_date_and_the_sex():
    assert exp.lump_sum("10", D(1960, 1, 1), "M", D(2023, 1, 1), TABLE).table_year == 2020
    assert exp.lump_sum("10", D(1960, 1, 1), "F", D(2023, 1, 1), TABLE).expectancy_years == Decimal("73.50")


def test_lump_sum_never_negative_for_people_past_the_expectancy():
    r = exp.lump_sum("300", D(1940, 1, 1), "M", D(2024, 6, 1), TABLE)
    assert r.remaining_months == 0 and r.amount == Decimal("0.00")


def test_lump_sum_refused_without_a_table_row_or_after_the_transition():
    with pytest.raises(exp.LumpSumRefused):
        exp.lump_sum("10", D(1960, 1, 1), "M", D(2019, 6, 1), TABLE)
    with pytest.raises(exp.LumpSumRefused):
        exp.lump_sum("10", D(1965, 1, 1), "M", D(2024, 6, 1), TABLE, retirement_date=D(2024, 1, 2),
                     transition_end=D(2024, 1, 1))
    # retired on the last day of the transition: still inside
    exp.lump_sum("10", D(1965, 1, 1), "M", D(2024, 6, 1), TABLE, retirement_date=D(2024, 1, 1),
                 transition_end=D(2024, 1, 1))


@pytest.mark.parametrize("start,end,ok", [
    (D(2020, 7, 1), D(2023, 7, 1), True),   # exactly three years
    (D(2020, 7, 1), D(2023, 7, 2), False),  # a day more
    (D(2020, 2, 29), D(2023, 2, 28), True),  # from 29 February
    (D(2020, 2, 29), D(2023, 3, 1), False),
    (D(2020, 7, 1), D(2020, 6, 30), False),  # ends before it starts
    (None, D(2020, 6, 30), False),
])
def test_transition_at_most_three_years(start, end, ok):
    assert (exp.transition_problem(start, end) is None) is ok


def test_baseline_freezes_new_items_and_higher_standards():
    base = D(2020, 6, 30)
    assert exp.new_item_problem(D(2020, 6, 30), base) is None
    assert "二(七)" in str(exp.new_item_problem(D(2020, 7, 1), base))
    assert exp.standard_problem(Decimal("300.01"), Decimal("300"), D(2020, 7, 1), base) is not None
    assert exp.standard_problem(Decimal("300"), Decimal("300"), D(2020, 7, 1), base) is None
    assert exp.standard_problem(Decimal("250"), Decimal("300"), D(2020, 7, 1), base) is None  # lowering is fine
    assert exp.standard_problem(Decimal("900"), Decimal("300"), D(2020, 6, 1), base) is None  # before the baseline


def test_handling_follows_the_classification():
    assert exp.handling_problem(exp.Classification.COMPLIANT, exp.Handling.LUMP_SUM) is None
    assert exp.handling_problem(exp.Classification.ENTERPRISE_OWN, exp.Handling.OWN_CHANNEL) is None
    assert exp.handling_problem(exp.Classification.ENTERPRISE_OWN, exp.Handling.LUMP_SUM) is not None


def test_expense_may():
    assert exp.may({"enterprise"}, 5, "edit_item", 5, exp.ReviewStatus.APPROVED)
    assert not exp.may({"enterprise"}, 5, "edit_item", 5, exp.ReviewStatus.SUBMITTED)
    assert not exp.may({"enterprise"}, 6, "edit_item", 5, exp.ReviewStatus.DRAFT)
    assert exp.may({"sasac"}, 1, "review", 5, exp.ReviewStatus.SUBMITTED)
    assert not exp.may({"sasac"}, 1, "review", 5, exp.ReviewStatus.APPROVED)
    assert not exp.may({"enterprise"}, 5, "review", 5, exp.ReviewStatus.SUBMITTED)


@pytest.mark.parametrize("n,required", [(0, 0), (1, 0), (199, 0), (200, 1), (201, 2), (400, 2), (401, 3)])
def test_one_full_time_worker_per_200(n, required):
    assert staff.required_full_time(n) == required


def test_staffing_state():
    assert staff.staffing_state(0, 0, 0) == (staff.StaffingState.NONE_NEEDED, 0)
    assert staff.staffing_state(150, 0, 1) == (staff.StaffingState.MET, 0)
    assert staff.staffing_state(150, 0, 0) == (staff.StaffingState.PART_TIME_MISSING, 0)
    assert staff.staffing_state(450, 1, 3) == (staff.StaffingState.SHORT, 2)
    assert staff.staffing_state(450, 3, 0) == (staff.StaffingState.MET, 0)


def test_funding_need_gap_and_who_records():
    assert fund.required_amount(85, Decimal("600")) == Decimal("51000.00")
    assert fund.gap(Decimal("51000"), Decimal("60000")) == 0
    assert fund.gap(Decimal("51000"), Decimal("25500")) == Decimal("25500")
    assert fund.record_problem({"finance"}, 1, 7, fund.Share.CITY) is None
    assert fund.record_problem({"finance"}, 1, 7, fund.Share.COUNTY) is not None
    assert fund.record_problem({"county"}, 7, 7, fund.Share.COUNTY) is None
    assert fund.record_problem({"county"}, 7, 8, fund.Share.COUNTY) is not None
    assert fund.record_problem({"county"}, 7, 7, fund.Share.CITY) is not None
    assert fund.record_problem({"hrss"}, 1, 7, fund.Share.CITY) is not None


def test_asset_mode_and_steps():
    assert mode_problem(True, TransferMode.FREE, "") is None
    assert mode_problem(True, TransferMode.SWAP, "x") is not None
    assert mode_problem(False, TransferMode.FREE, "") is not None
    assert mode_problem(False, TransferMode.SWAP, "") is not None  # the arrangement must be described
    assert mode_problem(False, TransferMode.OTHER, "租用协议") is None

    class A:
        enterprise_id, status = 5, AssetStatus.HANDED_OVER

    assert asset_may({"community"}, 9, "confirm", A(), None, "/5405/a/b/", "/5405/a/b/")
    assert asset_may({"township"}, 8, "confirm", A(), None, "/5405/a/b/", "/5405/a/")
    assert not asset_may({"community"}, 9, "confirm", A(), None, "/5405/a/b/", "/5405/a/c/")
    assert not asset_may({"community"}, 9, "propose")
    assert not asset_may({"enterprise"}, 5, "review", A())
