"""Rules of the handover as plain functions (no database, no request): each returns a message or None, or a
plain value. Services and views call them; tests call them directly."""
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.handover.models import (
    BatchStatus,
    ItemState,
    OverallStatus,
    PlaceBasis,
    Side,
    Stream,
)
from app.retirees.models import Category
from app.text import Bilingual
from app.tibetan import forms

# ---------------------------------------------------------------------------------------------------------
# Checklist

# The only moves a stream's state may make; anything else skips a step (not started → done) or is meaningless.
ALLOWED_TRANSITIONS = {
    ItemState.NOT_STARTED: {ItemState.IN_PROGRESS, ItemState.NOT_APPLICABLE},
    ItemState.IN_PROGRESS: {ItemState.DONE, ItemState.NOT_STARTED},
    ItemState.DONE: {ItemState.IN_PROGRESS},  # reopen
    ItemState.NOT_APPLICABLE: {ItemState.NOT_STARTED},
}


def initial_items(party_member, leader_cadre, medical_local):
    """(stream, state, responsible side) of a new case's checklist, in the policy's order."""
    na, todo = ItemState.NOT_APPLICABLE, ItemState.NOT_STARTED
    return [
        (Stream.PERSONNEL, todo, Side.RECEIVING),
        # only party members have a party relation to transfer (主要任务 (三))
        (Stream.PARTY, todo if party_member else na, Side.ENTERPRISE),
        # former leader cadres' archives stay with the organization department (主要任务 (四))
        (Stream.ARCHIVE, todo, Side.ORGDEPT if leader_cadre else Side.ENTERPRISE),
        (Stream.PENSION, todo, Side.HRSS),
        # already under local management: nothing to transfer (社会保障管理服务有效衔接)
        (Stream.MEDICAL, na if medical_local else todo, Side.MEDINS),
        (Stream.HOUSEHOLD, todo, Side.RECEIVING),
        # leader cadres' travel documents stay with the organization department (其他管理事项的交接)
        (Stream.TRAVEL, na if leader_cadre else todo, Side.ORGDEPT if leader_cadre else Side.RECEIVING),
        (Stream.EXPENSES, todo, Side.ENTERPRISE),
    ]


def transition_problem(stream, current, new, party_member=True, leader_cadre=False):
    """Why a stream may not move from `current` to `new` (None: allowed; staying put is allowed)."""
    if new not in ItemState.LABELS:
        return _l("Not a valid choice.")
    if stream == Stream.PARTY and not party_member and new != ItemState.NOT_APPLICABLE:
        return _l("Only party members have a party organizational relation to transfer.")
    if stream == Stream.PARTY and party_member and new == ItemState.NOT_APPLICABLE:
        return _l("A party member's organizational relation must be transferred.")
    if stream == Stream.TRAVEL and leader_cadre and new != ItemState.NOT_APPLICABLE:
        return _l("Former leader cadres' travel documents stay with the organization department.")
    if new == current:
        return None
    if new not in ALLOWED_TRANSITIONS.get(current, set()):
        return _l("This change skips a step: %(old_in)s cannot become %(new_in)s.",
                  **forms(old=ItemState.LABELS.get(current, current), new=ItemState.LABELS[new]))
    return None


def overall_status(states, received):
    """未移交 / 移交中 / 已移交, derived from the checklist and the community's receipt, never typed."""
    states = list(states)
    if received and states and all(s not in ItemState.OPEN for s in states):
        return OverallStatus.HANDED_OVER
    if received or any(s in (ItemState.IN_PROGRESS, ItemState.DONE) for s in states):
        return OverallStatus.IN_PROGRESS
    return OverallStatus.NOT_HANDED_OVER


STREAM_BITS = {stream: 1 << i for i, stream in enumerate(Stream.ORDER)}


def checklist_summary(items, received):
    """(overall status, bits of the streams that apply, bits of the streams done) of one checklist, from
    [(stream, state)] — what the case row stores for the figures."""
    items = list(items)
    applicable = sum(STREAM_BITS[s] for s, state in items if state != ItemState.NOT_APPLICABLE)
    done = sum(STREAM_BITS[s] for s, state in items if state == ItemState.DONE)
    return overall_status([state for _s, state in items], received), applicable, done


# Which roles may move which stream (besides scope): the policy's division of labour (四、组织保障).
STREAM_EDITORS = {
    Stream.PERSONNEL: {"enterprise", "county", "township", "community"},
    Stream.PARTY: {"enterprise", "county", "township", "community", "orgdept"},
    Stream.ARCHIVE: {"enterprise", "county", "archives", "orgdept"},
    Stream.PENSION: {"enterprise", "county", "hrss"},
    Stream.MEDICAL: {"enterprise", "county", "medins"},
    Stream.HOUSEHOLD: {"enterprise", "county", "township", "community"},
    Stream.TRAVEL: {"enterprise", "county", "township", "community", "orgdept"},
    Stream.EXPENSES: {"enterprise", "sasac"},
}
# After the county accepted, the enterprise keeps only the streams it is responsible for until the end.
ENTERPRISE_AFTER_ACCEPTANCE = {Stream.PARTY, Stream.ARCHIVE, Stream.EXPENSES}


def stream_editor_problem(roles, stream, accepted):
    roles = set(roles)
    if not roles & STREAM_EDITORS.get(stream, set()):
        return _l("Your role does not work on this stream.")
    if roles <= {"enterprise"} and accepted and stream not in ENTERPRISE_AFTER_ACCEPTANCE:
        return _l("The receiving county has accepted this retiree; the enterprise can no longer change this.")
    return None


# ---------------------------------------------------------------------------------------------------------
# Receiving place (移交原则 2: 以退休人员参保地为主，同时兼顾企业所在地、退休人员集中居住地)

@dataclass(frozen=True)
class Proposal:
    basis: str
    county: object = None
    township: object = None
    community: object = None
    liaison: object = None


def propose_place(category, insured_county=None, enterprise_county=None, cluster_county=None,
                  liaison_office=None, address="", townships=(), communities=()):
    """The receiving place the policy gives: 区外 → the liaison office; else the insured place first, then the
    enterprise's location, then where the enterprise's retirees live together. Township and community are
    proposed when the address names one inside the proposed county (`townships`, `communities`: units with
    `name_zh` and `parent_id`)."""
    if category == Category.OUT_REGION:
        return Proposal(PlaceBasis.LIAISON if liaison_office is not None else PlaceBasis.NONE,
                        liaison=liaison_office)
    for basis, county in ((PlaceBasis.INSURED, insured_county),
                          (PlaceBasis.ENTERPRISE_LOCATION, enterprise_county),
                          (PlaceBasis.CLUSTER, cluster_county)):
        if county is not None:
            township = _named_in(address, [t for t in townships if t.parent_id == county.id])
            community = None
            if township is not None:
                community = _named_in(address, [c for c in communities if c.parent_id == township.id])
            return Proposal(basis, county=county, township=township, community=community)
    return Proposal(PlaceBasis.NONE)


def _named_in(address, units):
    if not address:
        return None
    hits = [u for u in units if u.name_zh and u.name_zh in address]
    return max(hits, key=lambda u: len(u.name_zh)) if hits else None


def override_problem(proposal_county_id, proposal_liaison_id, county_id, liaison_id, reason):
    """The enterprise may confirm the proposal, or choose another place with a reason."""
    if (county_id is None) == (liaison_id is None):
        return _l("Choose either a receiving county/district or a liaison office.")
    same = (county_id == proposal_county_id) and (liaison_id == proposal_liaison_id)
    if not same and not (reason or "").strip():
        return _l("Give a reason for choosing another place than the proposed one.")
    return None


# ---------------------------------------------------------------------------------------------------------
# Batches

BATCH_ACTIONS = {
    "edit": {BatchStatus.DRAFT, BatchStatus.RETURNED},
    "submit": {BatchStatus.DRAFT, BatchStatus.RETURNED},
    "accept": {BatchStatus.SUBMITTED},
    "return": {BatchStatus.SUBMITTED},
}


def batch_action_problem(status, action):
    if status not in BATCH_ACTIONS.get(action, set()):
        return _l("This batch is %(status_in)s: this step is not possible now.",
                  **forms(status=BatchStatus.LABELS.get(status, status)))
    return None


def batch_target_problem(county_id, liaison_id):
    if (county_id is None) == (liaison_id is None):
        return _l("A batch goes to exactly one receiving county/district or one liaison office.")
    return None


def _person(retiree):
    """A retiree's name in the reader's language: the Tibetan name in Tibetan sentences when there is one."""
    return Bilingual(retiree.name_zh, retiree.name_bo)


def batch_member_problem(retiree, case, batch):
    """Why this retiree cannot go into this batch (None: they can)."""
    name = forms(name=_person(retiree))
    if retiree.is_lixiu:
        return _l("%(name_in)s is a lixiu retiree: kept under existing management, not handed over.", **name)
    if retiree.deceased:
        return _l("%(name_in)s is deceased and cannot be handed over.", **name)
    if case is None:
        return _l("%(name_in)s has no handover checklist.", **name)
    if case.enterprise_id != batch.enterprise_id:
        return _l("%(name_in)s is not a retiree of this batch's enterprise.", **name)
    if case.batch_id is not None and case.batch_id != batch.id:
        return _l("%(name_in)s is already in another batch.", **name)
    if case.place_confirmed_on is None:
        return _l("Confirm the receiving place of %(name_gen)s first.", **name)
    if (case.receiving_county_id, case.liaison_office_id) != (batch.receiving_county_id, batch.liaison_office_id):
        return _l("%(name_gen)s goes to another receiving place than this batch.", **name)
    return None


def acceptance_problem(case, community):
    """A county accepting must leave every in-region retiree with a community inside that county."""
    if case.receiving_county_id is None:
        return None  # a liaison office batch: no township or community
    if community is None:
        return _l("Assign a community to %(name_in)s.", **forms(name=_person(case.retiree)))
    township = community.parent
    if township is None or township.parent_id != case.receiving_county_id:
        return _l("This community does not lie in the receiving county/district.")
    return None


def ledger_lock_problem(roles, batch_status):
    """The enterprise may not change a retiree that a county has under review or has accepted."""
    if set(roles) <= {"enterprise"} and batch_status in (BatchStatus.SUBMITTED, BatchStatus.ACCEPTED):
        return _l("This retiree has been submitted to or accepted by the receiving place; the enterprise can "
                  "no longer change the record.")
    return None
