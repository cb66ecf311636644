"""The handover's rules as plain functions: one test per case of the policy."""
import datetime
from types import SimpleNamespace as NS

import pytest

from app.archives.models import Custodian, Destination
from app.archives.rules import destination_problem
from app.handover import rules
from app.handover.models import BatchStatus, ItemState, OverallStatus, PlaceBasis, Stream
from app.party.rules import month_before, stalled_days

NAIDONG = NS(id=1, name_zh="乃东区", parent_id=0)
GONGGA = NS(id=2, name_zh="贡嘎县", parent_id=0)
SANGRI = NS(id=3, name_zh="桑日县", parent_id=0)
ZETANG = NS(id=11, name_zh="泽当镇", parent_id=1)
JIXIONG = NS(id=21, name_zh="吉雄镇", parent_id=2)
ZETANG_1 = NS(id=111, name_zh="泽当镇第一社区", parent_id=11)
ZETANG_2 = NS(id=112, name_zh="泽当镇第二社区", parent_id=11)
CHENGDU = NS(id=9, name_zh="西藏自治区驻成都办事处", parent_id=0)
TOWNS, COMMUNITIES = [ZETANG, JIXIONG], [ZETANG_1, ZETANG_2]


# --- receiving place: insured place first, then the enterprise's location, then where retirees live together

def test_insured_place_comes_first():
    p = rules.propose_place("in_region", insured_county=GONGGA, enterprise_county=NAIDONG, cluster_county=SANGRI)
    assert (p.basis, p.county) == (PlaceBasis.INSURED, GONGGA)


def test_enterprise_location_when_no_insured_place():
    p = rules.propose_place("in_region", insured_county=None, enterprise_county=NAIDONG, cluster_county=SANGRI)
    assert (p.basis, p.county) == (PlaceBasis.ENTERPRISE_LOCATION, NAIDONG)


def test_where_retirees_live_together_last():
    p = rules.propose_place("in_region", cluster_county=SANGRI)
    assert (p.basis, p.county) == (PlaceBasis.CLUSTER, SANGRI)


def test_nothing_known_proposes_nothing():
    p = rules.propose_place("in_region")
    assert p.basis == PlaceBasis.NONE and p.county is None


def test_out_of_region_goes_to_the_liaison_office():
    p = rules.propose_place("out_region", insured_county=NAIDONG, liaison_office=CHENGDU)
    assert (p.basis, p.liaison, p.county) == (PlaceBasis.LIAISON, CHENGDU, None)
    assert rules.propose_place("out_region").basis == PlaceBasis.NONE


def test_township_and_community_from_the_address_inside_the_county_only():
    p = rules.propose_place("in_region", insured_county=NAIDONG, address="乃东区泽当镇第二社区幸福路3号",
                            townships=TOWNS, communities=COMMUNITIES)
    assert (p.township, p.community) == (ZETANG, ZETANG_2)
    p = rules.propose_place("in_region", insured_county=GONGGA, address="乃东区泽当镇第二社区",
                            townships=TOWNS, communities=COMMUNITIES)
    assert p.township is None and p.community is None  # the address lies in another county


def test_override_needs_a_reason():
    assert rules.override_problem(1, None, 1, None, "") is None  # confirming the proposal
    assert rules.override_problem(1, None, 2, None, "") is not None
    assert rules.override_problem(1, None, 2, None, "随子女居住在贡嘎县") is None
    assert rules.override_problem(1, None, None, None, "x") is not None
    assert rules.override_problem(1, None, 1, 9, "x") is not None


# --- checklist

@pytest.mark.parametrize("old, new, ok", [
    (ItemState.NOT_STARTED, ItemState.IN_PROGRESS, True),
    (ItemState.NOT_STARTED, ItemState.DONE, False),  # skips a step
    (ItemState.IN_PROGRESS, ItemState.DONE, True),
    (ItemState.DONE, ItemState.NOT_STARTED, False),
    (ItemState.DONE, ItemState.IN_PROGRESS, True),
    (ItemState.NOT_APPLICABLE, ItemState.DONE, False),
    (ItemState.IN_PROGRESS, "finished", False),
])
def test_transitions(old, new, ok):
    assert (rules.transition_problem(Stream.PENSION, old, new) is None) == ok


def test_party_stream_only_for_party_members():
    assert rules.transition_problem(Stream.PARTY, ItemState.NOT_APPLICABLE, ItemState.NOT_STARTED,
                                    party_member=False) is not None
    assert rules.transition_problem(Stream.PARTY, ItemState.NOT_STARTED, ItemState.NOT_APPLICABLE,
                                    party_member=True) is not None


def test_initial_checklist_follows_the_policy():
    items = {s: (state, side) for s, state, side in rules.initial_items(False, True, True)}
    assert items[Stream.PARTY][0] == ItemState.NOT_APPLICABLE
    assert items[Stream.TRAVEL] == (ItemState.NOT_APPLICABLE, "orgdept")  # leader cadre: stays with orgdept
    assert items[Stream.ARCHIVE][1] == "orgdept"
    assert items[Stream.MEDICAL][0] == ItemState.NOT_APPLICABLE  # already local
    assert [s for s, _, _ in rules.initial_items(True, False, False)] == list(Stream.ORDER)


def test_overall_status_is_derived():
    done, na, todo, doing = ItemState.DONE, ItemState.NOT_APPLICABLE, ItemState.NOT_STARTED, ItemState.IN_PROGRESS
    assert rules.overall_status([todo, na], False) == OverallStatus.NOT_HANDED_OVER
    assert rules.overall_status([doing, na], False) == OverallStatus.IN_PROGRESS
    assert rules.overall_status([done, na], False) == OverallStatus.IN_PROGRESS  # not received yet
    assert rules.overall_status([done, doing], True) == OverallStatus.IN_PROGRESS
    assert rules.overall_status([done, na], True) == OverallStatus.HANDED_OVER


def test_stream_editors():
    assert rules.stream_editor_problem({"hrss"}, Stream.PENSION, True) is None
    assert rules.stream_editor_problem({"hrss"}, Stream.PARTY, False) is not None
    assert rules.stream_editor_problem({"enterprise"}, Stream.PENSION, True) is not None  # after acceptance
    assert rules.stream_editor_problem({"enterprise"}, Stream.PARTY, True) is None


def test_batch_steps_cannot_be_skipped():
    assert rules.batch_action_problem(BatchStatus.DRAFT, "accept") is not None
    assert rules.batch_action_problem(BatchStatus.SUBMITTED, "accept") is None
    assert rules.batch_action_problem(BatchStatus.ACCEPTED, "return") is not None
    assert rules.batch_action_problem(BatchStatus.RETURNED, "submit") is None
    assert rules.batch_action_problem(BatchStatus.ACCEPTED, "edit") is not None


def test_ledger_lock_only_for_the_enterprise():
    assert rules.ledger_lock_problem({"enterprise"}, BatchStatus.ACCEPTED) is not None
    assert rules.ledger_lock_problem({"enterprise"}, BatchStatus.DRAFT) is None
    assert rules.ledger_lock_problem({"county"}, BatchStatus.ACCEPTED) is None


# --- archives and party

def test_leader_cadres_archives_stay_with_the_organization_department():
    assert destination_problem(True, Custodian.ORGDEPT, Destination.ORGDEPT) is None
    assert destination_problem(True, Custodian.ORGDEPT, Destination.CITY_ARCHIVES) is not None
    assert destination_problem(False, Custodian.ENTERPRISE, Destination.ORGDEPT) is not None
    assert destination_problem(False, Custodian.SASAC, Destination.COUNTY_ARCHIVES) is None


def test_party_dues_and_stall():
    assert month_before(datetime.date(2020, 8, 3)) == datetime.date(2020, 7, 1)
    assert month_before(datetime.date(2021, 1, 15)) == datetime.date(2020, 12, 1)
    t = NS(letter_issued_on=datetime.date(2020, 8, 1), received_on=None)
    assert stalled_days(t, 30, today=datetime.date(2020, 8, 31)) is None
    assert stalled_days(t, 30, today=datetime.date(2020, 9, 1)) == 31
    t.received_on = datetime.date(2020, 8, 20)
    assert stalled_days(t, 30, today=datetime.date(2021, 1, 1)) is None


def test_checklist_summary_bits_and_status():
    from app.handover.models import ItemState, OverallStatus, Stream
    from app.handover.rules import STREAM_BITS, checklist_summary

    items = [(Stream.PERSONNEL, ItemState.DONE), (Stream.PARTY, ItemState.NOT_APPLICABLE),
             (Stream.PENSION, ItemState.IN_PROGRESS)]
    status, applicable, done = checklist_summary(items, received=False)
    assert status == OverallStatus.IN_PROGRESS
    assert applicable == STREAM_BITS[Stream.PERSONNEL] | STREAM_BITS[Stream.PENSION]
    assert done == STREAM_BITS[Stream.PERSONNEL]
    assert checklist_summary([(Stream.PERSONNEL, ItemState.DONE)], received=True)[0] == OverallStatus.HANDED_OVER
    assert checklist_summary([], received=False) == (OverallStatus.NOT_HANDED_OVER, 0, 0)


def test_stored_summary_equals_the_items_after_the_demo_and_the_sql_backfill(app):
    """The ORM listener (demo flows) and the SQL backfill (migration, bulk loads) give every case the summary
    its items give."""
    from sqlalchemy import select

    from app.extensions import db
    from app.handover.models import HandoverCase
    from app.handover.rules import checklist_summary
    from app.handover.services import refresh_all_summaries

    def stored_and_expected():
        cases = db.session.scalars(select(HandoverCase).order_by(HandoverCase.id)).all()
        return ([(c.summary_status, c.applicable_streams, c.done_streams) for c in cases],
                [checklist_summary(((i.stream, i.state) for i in c.items), c.received_on is not None) for c in cases])

    with app.app_context():
        stored, expected = stored_and_expected()
        assert stored == expected and len(stored) > 900
        refresh_all_summaries(db.session)
        db.session.expire_all()
        assert stored_and_expected()[0] == expected
        db.session.rollback()
        db.session.remove()
