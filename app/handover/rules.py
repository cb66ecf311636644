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
# Facts come from the side responsible for them (DESIGN.md): a stream that another unit must confirm is done
# only by that unit's own record, never by the unit whose progress it measures.

# Streams whose state is derived from another record, never typed on the checklist: personnel relations from
# the community's confirmed receipt (the case), the party relation from the receiving party organisation's
# receipt (party transfer), the archive from the archives' (or, for leaders, the organization department's)
# receipt (archive transfer).
DERIVED_STREAMS = {
    Stream.PERSONNEL: _l("Done when the receiving community confirms receipt of the person."),
    Stream.PARTY: _l("Done when the receiving party organisation records receipt in the party relation transfer."),
    Stream.ARCHIVE: _l("Done when the archives (for former leader cadres the organization department) confirm "
                       "receipt of the archive."),
}
# The other streams are closed on the checklist by the side responsible for them (initial_items: pension by
# the HR bureau, medical insurance by the medical insurance bureau, household registration and travel
# documents by the receiving place — or the organization department for leaders — and the enterprise's own
# off-plan expenses by the enterprise or SASAC): only those roles mark them done or reopen them.
DONE_BY_SIDE = {
    Side.HRSS: {"hrss"},
    Side.MEDINS: {"medins"},
    Side.ORGDEPT: {"orgdept"},
    Side.RECEIVING: {"county", "township", "community"},
    Side.ENTERPRISE: {"enterprise", "sasac"},
    Side.ARCHIVES: {"archives"},
}


def counterparty_problem(roles, stream, responsible, current, new):
    """Why these roles may not move this stream from `current` to `new` on the checklist (None: they may)."""
    if stream in DERIVED_STREAMS:
        return _l("This stream follows the responsible side's own record and is not set on the checklist. "
                  "%(how)s", how=DERIVED_STREAMS[stream])
    if new == current or ItemState.DONE not in (current, new):
        return None
    if not set(roles) & DONE_BY_SIDE.get(responsible, set()):
        return _l("Only the responsible side (%(side)s) marks this stream done or reopens it.",
                  side=Side.LABELS.get(responsible, responsible))
    return None


def personnel_state(received, submitted):
    """Personnel relations: done when the community confirmed receipt, under way once a batch was submitted."""
    if received:
        return ItemState.DONE
    return ItemState.IN_PROGRESS if submitted else ItemState.NOT_STARTED


def may_set_done(roles, stream, responsible):
    """Whether the checklist offers these roles the "done" choice for this stream."""
    return counterparty_problem(roles, stream, responsible, ItemState.IN_PROGRESS, ItemState.DONE) is None


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


# ---------------------------------------------------------------------------------------------------------
# Who may do what (app/may.py): one answer for the services, the API, the templates and the menus.

def _user_roles(user):
    from app.security.access import role_codes

    return role_codes(user)


def may(user, action, row=None):
    """Whether `user` may take `action` (on `row`: a batch, a case or a checklist item) — the user's scope is
    the one scoping mechanism's, this says whether the step can succeed for a row the user sees."""
    from app.security.access import granted
    from app.security.roles import HANDOVER, HANDOVER_BATCH, WRITE

    roles = _user_roles(user)
    org_id = getattr(user, "org_id", None)
    if action in ("add_batch", "edit_batch", "delete_batch", "add_retirees", "remove_retiree", "submit"):
        if "enterprise" not in roles or not granted(user, WRITE, HANDOVER_BATCH):
            return False
        if row is None:
            return action == "add_batch"
        if org_id != row.enterprise_id:
            return False
        if action == "delete_batch":
            return row.status == BatchStatus.DRAFT
        step = "submit" if action == "submit" else "edit"
        return batch_action_problem(row.status, step) is None
    if action in ("accept", "return"):
        if not roles & {"county", "liaison"} or not granted(user, WRITE, HANDOVER_BATCH):
            return False
        return row is None or (org_id in (row.receiving_county_id, row.liaison_office_id)
                               and batch_action_problem(row.status, action) is None)
    if not granted(user, WRITE, HANDOVER):
        return False
    if action == "set_item":  # row: a checklist item
        if row is None:
            return True
        if row.stream in DERIVED_STREAMS or not roles & STREAM_EDITORS.get(row.stream, set()):
            return False
        case = row.case
        return stream_editor_problem(roles, row.stream, case is not None and case.accepted_on is not None) is None
    if action == "edit_case":  # the household category on the case's edit form
        return stream_editor_problem(roles, Stream.HOUSEHOLD, row is not None and row.accepted_on is not None) is None
    if action == "place":
        if "enterprise" not in roles or (row is not None and org_id != row.enterprise_id):
            return False
        return row is None or (row.accepted_on is None and (
            row.batch is None or row.batch.status in (BatchStatus.DRAFT, BatchStatus.RETURNED)))
    if action == "receive":
        # in region the receiving township or community; out of region the liaison office that received the batch
        if row is not None and row.liaison_office_id is not None:
            allowed = "liaison" in roles and org_id == row.liaison_office_id
        else:
            allowed = bool(roles & ({"community", "township"} if row is not None else {"community", "township",
                                                                                      "liaison"}))
        if not allowed:
            return False
        return row is None or (row.accepted_on is not None and row.received_on is None)
    return False


def item_choices(roles, item):
    """The states the checklist offers for this item: the ones the rules allow these roles to choose."""
    return [s for s in ItemState.LABELS
            if s == item.state or (counterparty_problem(roles, item.stream, item.responsible, item.state, s) is None
                                   and transition_problem(item.stream, item.state, s) is None)]
