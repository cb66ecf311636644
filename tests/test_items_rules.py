"""Rules of supervision items, accountability, contacts and the roster, called directly (no database)."""
import datetime
from types import SimpleNamespace

import pytest

from app.deadlines import Colour
from app.supervision import rules
from app.supervision.models import ItemStatus

D = datetime.date
OPEN, SIGNED, RESPONDED, RETURNED, CLOSED = (ItemStatus.OPENED, ItemStatus.SIGNED, ItemStatus.RESPONDED,
                                             ItemStatus.RETURNED, ItemStatus.CLOSED)


@pytest.mark.parametrize("action, allowed", [
    ("sign", {OPEN}),
    ("respond", {SIGNED, RETURNED}),
    ("close", {RESPONDED}),
    ("send_back", {RESPONDED}),
    ("edit", {OPEN, SIGNED, RETURNED}),
])
def test_each_step_starts_only_from_its_states(action, allowed):
    for status in ItemStatus.LABELS:
        assert (rules.step_problem(action, status) is None) == (status in allowed), (action, status)


def test_lifecycle_order():
    assert rules.next_status("sign") == SIGNED
    assert rules.next_status("respond") == RESPONDED
    assert rules.next_status("close") == CLOSED
    assert rules.next_status("send_back") == RETURNED


def test_only_the_office_opens_closes_and_sends_back():
    for action in ("close", "send_back", "edit"):
        assert rules.actor_problem(action, {"supervision"}, 5, 7) is None
        for roles in ({"sasac"}, {"leading_group"}, {"enterprise"}, {"county"}):
            assert rules.actor_problem(action, roles, 7, 7) is not None, (action, roles)


def test_only_the_units_own_users_sign_and_respond():
    for action in ("sign", "respond"):
        assert rules.actor_problem(action, {"enterprise"}, 7, 7) is None
        assert rules.actor_problem(action, {"enterprise"}, 8, 7) is not None
        # a city-wide role sees every item but acts only on its own unit's
        assert rules.actor_problem(action, {"sasac"}, 9, 7) is not None
        assert rules.actor_problem(action, {"supervision"}, 5, 7) is not None
        assert rules.actor_problem(action, {"county"}, None, 7) is not None


def test_deadline_not_before_opening():
    assert rules.deadline_problem(D(2020, 8, 3), D(2020, 8, 2)) is not None
    assert rules.deadline_problem(D(2020, 8, 3), D(2020, 8, 3)) is None
    assert rules.deadline_problem(D(2020, 8, 3), None) is not None


def test_texts_must_not_be_blank():
    for what in ("response", "reason", "title", "requirement"):
        assert rules.text_problem("  ", what) is not None
        assert rules.text_problem(None, what) is not None
        assert rules.text_problem("有内容", what) is None


def test_links_are_positive_numbers():
    assert rules.link_problem(None) is None
    assert rules.link_problem(3) is None
    assert rules.link_problem(0) is not None
    assert rules.link_problem(3, exists=False) is not None


DEADLINE = D(2020, 8, 10)


@pytest.mark.parametrize("status, responded_on, today, expected", [
    (OPEN, None, D(2020, 8, 1), Colour.NONE),        # deadline 9 days away
    (OPEN, None, D(2020, 8, 3), Colour.BLUE),        # 7 days: near
    (SIGNED, None, DEADLINE, Colour.BLUE),           # the deadline day is still on time
    (SIGNED, None, D(2020, 8, 11), Colour.RED),      # the day after: overdue
    (RESPONDED, DEADLINE, D(2020, 8, 20), Colour.GREEN),  # responded on the deadline day, re-check pending
    (RESPONDED, D(2020, 8, 11), D(2020, 8, 20), Colour.YELLOW),  # responded late: caught up, not green
    (CLOSED, D(2020, 8, 9), D(2020, 9, 1), Colour.GREEN),  # closed after the deadline: judged on the response
    (RETURNED, D(2020, 8, 9), D(2020, 8, 11), Colour.RED),  # sent back: the response no longer counts
    (RETURNED, D(2020, 8, 9), D(2020, 8, 9), Colour.BLUE),
])
def test_item_colour(status, responded_on, today, expected):
    assert rules.item_colour(status, DEADLINE, responded_on, today) == expected


def test_accountability_problems():
    today = D(2020, 9, 1)
    assert rules.accountability_problems(3, "reminder", "逾期未回复", today, today, [3, 3]) == {}
    assert set(rules.accountability_problems(3, "reminder", " ", today, today)) == {"reason"}
    assert set(rules.accountability_problems(3, "fine", "x", today, today)) == {"kind"}
    assert set(rules.accountability_problems(3, "other", "x", D(2020, 9, 2), today)) == {"on_date"}
    assert set(rules.accountability_problems(3, "other", "x", today, today, [3, 4])) == {"items"}
    assert set(rules.accountability_problems(None, "other", "x", today, today)) == {"unit"}
    assert rules.accountability_editor_problem({"supervision"}) is None
    assert rules.accountability_editor_problem({"sasac"}) is not None


def test_a_unit_maintains_only_its_own_contact():
    assert rules.contact_editor_problem(4, 4) is None
    assert rules.contact_editor_problem(5, 4) is not None
    assert rules.contact_editor_problem(None, 4) is not None


def test_contact_fields():
    assert rules.contact_problems("卓玛", "办公室主任", "0893-7821234", "") == {}
    assert rules.contact_problems("卓玛", "办公室主任", "", "13988990011") == {}
    assert set(rules.contact_problems("", "", "", "")) == {"name", "post", "mobile"}
    assert set(rules.contact_problems("卓玛", "主任", "", "12345")) == {"mobile"}


def test_only_sasac_keeps_the_roster():
    assert rules.roster_editor_problem({"sasac"}) is None
    for roles in ({"hrss"}, {"supervision"}, {"leading_group"}, {"county"}):
        assert rules.roster_editor_problem(roles) is not None
    assert rules.roster_problems("市政府分管副市长", "leader") == {}
    assert set(rules.roster_problems("", "chief")) == {"name", "group_post"}


def test_contact_units():
    units = [SimpleNamespace(id=1, kind="county"), SimpleNamespace(id=2, kind="enterprise"),
             SimpleNamespace(id=3, kind="department"), SimpleNamespace(id=4, kind="department"),
             SimpleNamespace(id=5, kind="township"), SimpleNamespace(id=6, kind="community")]
    assert [u.id for u in rules.contact_units(units, {3})] == [1, 2, 3]
    roles = rules.contact_roles()
    assert {"enterprise", "county", "sasac", "hrss"} <= roles
    assert not roles & {"supervision", "leading_group", "township", "sysadmin"}
