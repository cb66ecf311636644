"""Rules of the monthly report (app/monthly/rules.py), each with a case that fails if the rule breaks."""
import datetime
from types import SimpleNamespace as NS

import pytest

from app.deadlines import Colour
from app.monthly import rules
from app.monthly.models import ReportStatus

D = datetime.date


def utc(*args):
    return datetime.datetime(*args)


def test_month_parsing_refuses_wrong_formats():
    assert rules.parse_month("2020-07") == D(2020, 7, 1)
    for bad in ("2020-13", "2020-00", "2020-7", "20-07", "2020/07", "", None, "2020-07-01", "abcd-ef"):
        assert rules.parse_month(bad) is None, bad


def test_report_for_a_month_is_due_on_its_10th_and_covers_the_month_before():
    assert rules.due_date("2020-08") == D(2020, 8, 10)
    assert rules.covered_until("2020-08") == D(2020, 7, 31)
    assert rules.covered_until("2021-01") == D(2020, 12, 31)
    assert rules.add_months("2020-12", 1) == "2021-01"


def test_months_due_start_with_the_start_month():
    assert rules.months_due(D(2020, 6, 30), "2020-07") == []
    assert rules.months_due(D(2020, 7, 1), "2020-07") == ["2020-07"]
    assert rules.months_due(D(2021, 1, 5), "2020-07") == ["2020-07", "2020-08", "2020-09", "2020-10", "2020-11",
                                                          "2020-12", "2021-01"]


def test_month_problem_before_start_future_and_bad_format():
    today = D(2020, 7, 31)
    assert rules.month_problem("2020-07", today, "2020-07") is None
    assert rules.month_problem("2020-06", today, "2020-07") is not None  # before the start: nothing due
    assert rules.month_problem("2020-08", today, "2020-07") is not None  # not open before 1 August
    assert rules.month_problem("2020-08", D(2020, 8, 1), "2020-07") is None
    assert rules.month_problem("2020-13", today, "2020-07") is not None


def test_local_date_is_the_shannan_date():
    assert rules.local_date(utc(2020, 8, 10, 15, 59)) == D(2020, 8, 10)
    assert rules.local_date(utc(2020, 8, 10, 16, 30)) == D(2020, 8, 11)


@pytest.mark.parametrize("today, submitted, expected", [
    (D(2020, 8, 10), utc(2020, 8, 10, 15, 59), Colour.GREEN),    # 23:59 on the 10th in Shannan: on time
    (D(2020, 8, 11), utc(2020, 8, 10, 16, 30), Colour.YELLOW),   # 00:30 on the 11th in Shannan: late
    (D(2020, 8, 10), None, Colour.BLUE),                         # due today, within the warn window
    (D(2020, 8, 1), None, Colour.NONE),                          # due in 9 days: outside the 7-day window
    (D(2020, 8, 11), None, Colour.RED),                          # missing after the 10th
    (D(2020, 9, 30), utc(2020, 8, 20, 2, 0), Colour.YELLOW),     # a red caught up stays yellow
])
def test_report_colour(today, submitted, expected):
    assert rules.report_colour("2020-08", today, submitted) == expected


def _units():
    return [NS(id=1, kind="department"), NS(id=2, kind="department"), NS(id=3, kind="county"),
            NS(id=4, kind="county"), NS(id=5, kind="enterprise"), NS(id=6, kind="township")]


def test_reporting_units_are_member_departments_and_every_county():
    chosen = rules.reporting_units(_units(), member_unit_ids={1, 5, 6}, kinds=("department", "county"))
    assert [u.id for u in chosen] == [1, 3, 4]  # department 2 holds no member role; enterprises do not report


def test_reporting_kinds_are_configurable():
    assert [u.id for u in rules.reporting_units(_units(), {1}, kinds=("county",))] == [3, 4]
    assert [u.id for u in rules.reporting_units(_units(), {1, 5}, kinds=("department", "enterprise"))] == [1, 5]


def test_supervision_office_and_leading_group_are_not_member_roles():
    members = rules.member_roles()
    assert {"sasac", "hrss", "medins", "orgdept", "finance", "housing", "health", "archives", "county"} <= members
    assert not members & {"supervision", "leading_group", "enterprise", "sysadmin"}


def _report(org_id=7, status=ReportStatus.DRAFT):
    return NS(org_id=org_id, status=status)


def test_a_unit_edits_only_its_own_report_while_draft_or_returned():
    assert rules.may_edit(7, {"county"}, _report())
    assert rules.may_edit(7, {"county"}, _report(status=ReportStatus.RETURNED))
    assert not rules.may_edit(8, {"county"}, _report())                    # another unit's report
    assert not rules.may_edit(7, {"county"}, _report(status=ReportStatus.SUBMITTED))
    assert not rules.may_edit(7, {"supervision"}, _report())               # not a member role
    assert not rules.may_edit(None, {"sasac"}, _report())


def test_only_the_office_returns_and_only_a_submitted_report():
    assert rules.may_return({"sasac"}, _report(status=ReportStatus.SUBMITTED))
    assert not rules.may_return({"sasac"}, _report(status=ReportStatus.DRAFT))
    assert not rules.may_return({"hrss", "supervision", "leading_group"}, _report(status=ReportStatus.SUBMITTED))


def test_narrative_required_on_submit_and_length_limited():
    full = {"progress": "进展", "problems": "问题", "next_steps": "下一步"}
    assert rules.narrative_problems(full, True, limit=10) == {}
    assert set(rules.narrative_problems({**full, "problems": "  "}, True, limit=10)) == {"problems"}
    assert rules.narrative_problems({"progress": ""}, False, limit=10) == {}  # a draft may be partial
    assert set(rules.narrative_problems({**full, "next_steps": "字" * 11}, False, limit=10)) == {"next_steps"}
    assert rules.narrative_problems({**full, "next_steps": "字" * 10}, True, limit=10) == {}
