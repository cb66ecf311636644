"""Rules of the community's service work, with their edge cases: certification due dates, the claim steps
and their deadlines, ages (80+), the refusals."""
import datetime
from types import SimpleNamespace

from app.community import rules
from app.community.models import ClaimStep
from app.deadlines import Colour

D = datetime.date


def test_add_months_keeps_the_day_or_takes_the_month_end():
    assert rules.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert rules.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert rules.add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)
    assert rules.add_months(D(2024, 11, 15), 2) == D(2025, 1, 15)
    assert rules.add_months(D(2024, 3, 15), -3) == D(2023, 12, 15)


def test_next_certification_follows_the_cycle():
    assert rules.next_cert_due(D(2025, 3, 10), None, 12) == D(2026, 3, 10)
    assert rules.next_cert_due(D(2025, 3, 10), D(2020, 1, 1), 6) == D(2025, 9, 10)  # the last one wins
    assert rules.next_cert_due(None, D(2025, 5, 1), 12) == D(2026, 5, 1)
    assert rules.next_cert_due(None, None, 12) is None


def test_certification_colour_and_state():
    today = D(2026, 6, 1)
    assert rules.cert_colour(D(2026, 5, 31), today) == Colour.RED
    assert rules.cert_colour(D(2026, 6, 1), today) == Colour.BLUE  # due today is still on time
    assert rules.cert_colour(D(2026, 9, 1), today) == Colour.NONE
    assert rules.cert_colour(None, today) == Colour.NONE
    assert rules.cert_state(D(2026, 5, 31), today) == "overdue"
    assert rules.cert_state(D(2026, 6, 1), today) == "due"
    assert rules.cert_state(D(2026, 7, 1), today) == "due"
    assert rules.cert_state(D(2026, 7, 2), today) == "later"


def _retiree(**kw):
    base = dict(deceased=False, death_date=None, birth_date=D(1950, 1, 1))
    base.update(kw)
    return SimpleNamespace(**base)


def test_certification_refusals():
    today = D(2026, 6, 1)
    assert rules.certification_problem(_retiree(), today, today) is None
    assert rules.certification_problem(_retiree(deceased=True), today, today)
    assert rules.certification_problem(_retiree(), today + datetime.timedelta(days=1), today)
    assert rules.certification_problem(_retiree(), None, today)


def test_death_report_refusals():
    today = D(2026, 6, 1)
    assert rules.death_problem(_retiree(), D(2026, 5, 1), today, False) is None
    assert rules.death_problem(_retiree(), D(2026, 5, 1), today, True)  # already reported
    assert rules.death_problem(_retiree(), D(2026, 6, 2), today, False)  # future
    assert rules.death_problem(_retiree(), D(1949, 12, 31), today, False)  # before birth
    assert rules.death_problem(_retiree(), None, today, False)


def _claim(step=ClaimStep.OPEN, opened=D(2026, 5, 1), submitted=None, approved=None, paid=None):
    return SimpleNamespace(step=step, opened_on=opened, submitted_on=submitted, approved_on=approved, paid_on=paid)


def test_claim_steps_go_in_order_with_what_each_needs():
    today = D(2026, 6, 1)
    open_claim = _claim()
    ok = dict(applicant="卓玛", relation="女儿", amount=1, to="社保局")
    assert rules.claim_step_problem(open_claim, ClaimStep.SUBMITTED, today, today, **ok) is None
    assert rules.claim_step_problem(open_claim, ClaimStep.APPROVED, today, today, **ok)  # skips a step
    assert rules.claim_step_problem(open_claim, ClaimStep.SUBMITTED, today, today, **{**ok, "applicant": " "})
    assert rules.claim_step_problem(open_claim, ClaimStep.SUBMITTED, today, today, **{**ok, "to": ""})
    assert rules.claim_step_problem(open_claim, ClaimStep.SUBMITTED, today, today, **{**ok, "amount": 0})
    assert rules.claim_step_problem(open_claim, ClaimStep.SUBMITTED, D(2026, 4, 30), today, **ok)  # before opening
    assert rules.claim_step_problem(open_claim, ClaimStep.SUBMITTED, D(2026, 6, 2), today, **ok)  # future
    submitted = _claim(ClaimStep.SUBMITTED, submitted=D(2026, 5, 10))
    assert rules.claim_step_problem(submitted, ClaimStep.APPROVED, today, today, amount=5) is None
    assert rules.claim_step_problem(submitted, ClaimStep.APPROVED, today, today, amount=None)
    approved = _claim(ClaimStep.APPROVED, submitted=D(2026, 5, 10), approved=D(2026, 5, 20))
    assert rules.claim_step_problem(approved, ClaimStep.PAID, today, today) is None
    paid = _claim(ClaimStep.PAID, paid=D(2026, 5, 30))
    assert rules.next_step(ClaimStep.PAID) is None
    assert rules.claim_step_problem(paid, ClaimStep.PAID, today, today)


def test_claim_deadlines_and_colours():
    claim = _claim(opened=D(2026, 5, 1))
    assert rules.claim_deadline(claim) == D(2026, 5, 31)  # 30 days to submit
    assert rules.claim_colour(claim, D(2026, 5, 31)) == Colour.BLUE
    assert rules.claim_colour(claim, D(2026, 6, 1)) == Colour.RED
    assert rules.claim_colour(claim, D(2026, 5, 1)) == Colour.NONE
    approved = _claim(ClaimStep.APPROVED, submitted=D(2026, 5, 10), approved=D(2026, 5, 20))
    assert rules.claim_deadline(approved) == D(2026, 6, 4)  # 15 days to pay
    assert rules.claim_colour(_claim(ClaimStep.PAID, paid=D(2026, 5, 30)), D(2027, 1, 1)) == Colour.GREEN


def test_age_counts_completed_years():
    assert rules.age_on(D(1946, 6, 2), D(2026, 6, 1)) == 79
    assert rules.age_on(D(1946, 6, 1), D(2026, 6, 1)) == 80
    assert rules.age_on(D(1944, 2, 29), D(2024, 2, 28)) == 79
    assert rules.age_on(D(1944, 2, 29), D(2024, 2, 29)) == 80
    assert rules.age_on(D(1944, 2, 29), D(2025, 3, 1)) == 81


def test_may_separates_workers_readers_and_others():
    def user(*roles):
        return SimpleNamespace(roles=[SimpleNamespace(name=r) for r in roles])

    for worker in ("community", "township", "liaison"):
        assert rules.may(user(worker), "write") and rules.may(user(worker), "read")
    for reader in ("county", "hrss", "sasac", "leading_group", "supervision"):
        assert rules.may(user(reader), "read") and not rules.may(user(reader), "write")
    for other in ("enterprise", "finance", "sysadmin"):
        assert not rules.may(user(other), "read") and not rules.may(user(other), "write")


def test_hardship_flags_compute_age_and_keep_current_recorded_flags():
    today = D(2026, 6, 1)
    flag = lambda kind, ended=None, noted=D(2026, 1, 1): SimpleNamespace(kind=kind, source="证明", ended_on=ended,
                                                                         noted_on=noted)
    assert rules.hardship_flags(D(1946, 6, 1), [], today) == [("aged_80", None)]
    assert rules.hardship_flags(D(1946, 6, 2), [], today) == []
    flags = rules.hardship_flags(D(1960, 1, 1), [flag("widowed"), flag("disabled", ended=D(2026, 5, 1)),
                                                 flag("lives_alone", noted=D(2026, 7, 1))], today)
    assert flags == [("widowed", "证明")]
    assert rules.aged_cutoff(today) == D(1946, 6, 1)


def test_care_aid_and_health_refusals():
    from decimal import Decimal

    today = D(2026, 6, 1)
    assert rules.care_flag_problem("widowed", "死亡证明", set()) is None
    assert rules.care_flag_problem("widowed", "", set())
    assert rules.care_flag_problem("aged_80", "x", set())
    assert rules.care_flag_problem("widowed", "x", {"widowed"})
    assert rules.aid_problem("cash", Decimal("10"), today, today) is None
    assert rules.aid_problem("cash", None, today, today)
    assert rules.aid_problem("goods", None, today, today) is None
    assert rules.aid_problem("goods", None, D(2026, 6, 2), today)
    assert rules.aid_problem("gold", None, today, today)
    assert rules.health_problem(today, "本人", today) is None
    assert rules.health_problem(None, "本人", today)
    assert rules.health_problem(today, " ", today)


def test_round_and_visit_rules():
    today = D(2026, 6, 1)
    assert rules.round_problem("losar", "藏历新年", D(2026, 2, 1), D(2026, 2, 1)) is None
    assert rules.round_problem("losar", "藏历新年", D(2026, 2, 2), D(2026, 2, 1))
    assert rules.round_problem("birthday", "x", today, today)
    assert rules.round_problem("other", " ", today, today)
    rnd = SimpleNamespace(starts_on=D(2026, 5, 20), ends_on=D(2026, 5, 31))
    assert rules.visit_problem(None, D(2026, 5, 31), "主任", today, rnd) is None
    assert rules.visit_problem(None, D(2026, 6, 1), "主任", today, rnd)  # after the round
    assert rules.visit_problem(None, D(2026, 6, 2), "主任", today)  # future
    assert rules.visit_problem(None, today, " ", today)  # who visited
    assert rules.visit_problem(D(2026, 7, 1), None, None, today) is None  # a plan
    assert rules.visit_problem(None, None, None, today)
    assert rules.coverage(0, 0) == 0 and rules.coverage(3, 1) == 33 and rules.coverage(3, 3) == 100


def test_working_days_and_request_deadlines():
    friday, saturday = D(2026, 11, 27), D(2026, 11, 28)
    assert rules.add_working_days(friday, 1) == D(2026, 11, 30)  # Monday
    assert rules.add_working_days(friday, 5) == D(2026, 12, 4)
    assert rules.add_working_days(saturday, 0) == D(2026, 11, 30)
    assert rules.add_working_days(saturday, 1) == D(2026, 12, 1)
    assert rules.promised_date(D(2026, 11, 23), 5) == D(2026, 11, 30)
    assert rules.request_colour(D(2026, 11, 30), D(2026, 12, 1)) == Colour.RED
    assert rules.request_colour(D(2026, 11, 30), D(2026, 12, 1), closed_on=D(2026, 11, 30)) == Colour.GREEN
    assert rules.request_colour(D(2026, 11, 30), D(2026, 12, 3), closed_on=D(2026, 12, 2)) == Colour.YELLOW
    assert rules.request_problem("扎西", "咨询", "pension", friday, None) is None
    assert rules.request_problem("", "咨询", "pension", friday, None)
    assert rules.request_problem("扎西", "咨询", "gossip", friday, None)
    assert rules.request_problem("扎西", "咨询", "pension", friday, D(2026, 11, 26))
    owner = SimpleNamespace(org_id=5)
    assert rules.is_owner(owner, SimpleNamespace(owner_org_id=5))
    assert not rules.is_owner(owner, SimpleNamespace(owner_org_id=6))
    assert not rules.is_owner(None, SimpleNamespace(owner_org_id=5))


def test_dues_rules_and_months_owed():
    from decimal import Decimal

    today = D(2026, 6, 15)
    transfer = D(2020, 8, 15)
    assert rules.dues_problem("2026-05", Decimal("30"), today, transfer, today) is None
    assert rules.dues_problem("2020-08", Decimal("30"), today, transfer, today) is None
    assert rules.dues_problem("2020-07", Decimal("30"), today, transfer, today)  # the enterprise's
    assert rules.dues_problem("2026-07", Decimal("30"), today, transfer, today)  # future
    assert rules.dues_problem("2026-13", Decimal("30"), today, transfer, today)
    assert rules.dues_problem("2026-05", Decimal("30"), today, None, today)  # not transferred yet
    assert rules.dues_problem("2026-05", Decimal("0"), today, transfer, today)
    assert rules.months_behind("2026-05", transfer, today) == 0
    assert rules.months_behind("2026-03", transfer, today) == 2
    assert rules.months_behind("2025-12", transfer, D(2026, 1, 10)) == 0
    assert rules.months_behind(None, D(2026, 4, 1), today) == 2  # April and May
    assert rules.months_behind(None, None, today) == 0


def test_activity_and_meeting_rules():
    today = D(2026, 6, 1)
    assert rules.activity_problem("culture", "联欢会", today, today) is None
    assert rules.activity_problem("culture", "", today, today)
    assert rules.activity_problem("party", "x", today, today)
    assert rules.meeting_problem("lecture", "支部", "党课", today, today) is None
    assert rules.meeting_problem("lecture", "支部", "党课", D(2026, 6, 2), today)
    assert rules.meeting_problem("picnic", "支部", "党课", today, today)
    assert rules.meeting_problem("members", " ", "党课", today, today)
