"""State changes of the handover as plain functions taking the acting user. Each checks scope and rules,
changes rows, and leaves the commit to the caller (a view commits, or rolls back on `Refusal`); the audit
listener records every change with the acting user."""
import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.handover import notices, rules  # notices: registers the batch inbox source
from app.handover.models import (
    RETIREE_ORG_COLUMNS,
    BatchStatus,
    HandoverBatch,
    HandoverCase,
    HandoverItem,
    HouseholdCategory,
    ItemState,
    OverallStatus,
    Stream,
)
from app.org.models import Organization, OrgKind
from app.retirees.models import Retiree
from app.security.access import role_codes
from app.security.scope import in_scope
from app.steps import Refusal, refuse_if as _refuse_if  # noqa: F401  (views catch services.Refusal)


def _now():
    from app import clock

    return clock.utcnow()  # the one clock (frozen in tests and for the demo's dated steps)


def _check_scope(actor, obj):
    if not in_scope(obj, actor):
        raise Refusal(_l("This record is outside your organization's scope."))


# ---------------------------------------------------------------------------------------------------------
# Cases: created with the retiree, kept in the retiree's scope


def _cluster_county(session, enterprise_id):
    """The county where most of the enterprise's retirees are received (集中居住地)."""
    if enterprise_id is None:
        return None
    row = session.execute(
        select(Retiree.receiving_county_id, func.count()).where(
            Retiree.enterprise_id == enterprise_id, Retiree.receiving_county_id.is_not(None))
        .group_by(Retiree.receiving_county_id).order_by(func.count().desc(), Retiree.receiving_county_id)
        .limit(1)).first()
    return session.get(Organization, row[0]) if row else None


def proposal_for(session, retiree, units=None):
    from app.org.cache import all_orgs

    orgs = units if units is not None else all_orgs()
    enterprise = retiree.enterprise or (session.get(Organization, retiree.enterprise_id)
                                        if retiree.enterprise_id else None)
    insured = retiree.insured_county or (session.get(Organization, retiree.insured_county_id)
                                         if retiree.insured_county_id else None)
    liaison = retiree.liaison_office or (session.get(Organization, retiree.liaison_office_id)
                                         if retiree.liaison_office_id else None)
    cluster = None
    if insured is None and (enterprise is None or enterprise.location_county is None):
        cluster = _cluster_county(session, enterprise.id if enterprise else None)
    return rules.propose_place(
        retiree.category, insured_county=insured,
        enterprise_county=enterprise.location_county if enterprise else None,
        cluster_county=cluster, liaison_office=liaison, address=retiree.actual_residence or "",
        townships=[o for o in orgs if o.kind == OrgKind.TOWNSHIP],
        communities=[o for o in orgs if o.kind == OrgKind.COMMUNITY])


def _copy_scope(target, retiree):
    """Copy the retiree's organization columns, whether set as relationships or as keys."""
    for col in RETIREE_ORG_COLUMNS:
        rel = col[:-3]
        if rel in retiree.__dict__:
            setattr(target, rel, retiree.__dict__[rel])
        else:
            setattr(target, col, getattr(retiree, col))


def new_case(session, retiree, units=None):
    """The checklist of a retiree entering the flow (backlog or a new retirement), with the proposed place."""
    from app.archives.models import ArchiveTransfer, Custodian, Destination
    from app.party.models import PartyTransfer

    case = HandoverCase(retiree=retiree)
    _copy_scope(case, retiree)
    proposal = proposal_for(session, retiree, units)
    case.proposal_basis = proposal.basis
    case.proposed_county = proposal.county
    case.proposed_liaison = proposal.liaison
    for stream, state, side in rules.initial_items(retiree.party_member, retiree.leader_cadre,
                                                   retiree.medical_local):
        case.items.append(HandoverItem(stream=stream, state=state, responsible=side))
    summarize(case)
    session.add(case)
    if retiree.party_member:
        party = PartyTransfer(retiree=retiree, sending_org=None)
        _copy_scope(party, retiree)
        session.add(party)
    archive = ArchiveTransfer(
        retiree=retiree,
        custodian=Custodian.ORGDEPT if retiree.leader_cadre else Custodian.ENTERPRISE,
        destination=Destination.ORGDEPT if retiree.leader_cadre else (
            Destination.CITY_ARCHIVES if retiree.category == "out_region" else Destination.COUNTY_ARCHIVES))
    _copy_scope(archive, retiree)
    session.add(archive)
    return case


def _followers(session, retiree_ids):
    from app.archives.models import ArchiveTransfer
    from app.party.models import PartyTransfer

    for model in (HandoverCase, PartyTransfer, ArchiveTransfer):
        yield from session.scalars(select(model).where(model.retiree_id.in_(retiree_ids)))


@event.listens_for(Session, "before_flush")
def _follow_retirees(session, flush_context, instances):
    """New retirees in the flow get their checklist; a retiree's scope columns are copied to every row that
    follows them; a deleted retiree takes those rows along (SQLite enforces no ON DELETE CASCADE)."""
    new = [o for o in session.new if isinstance(o, Retiree) and o.in_handover_flow and not o.deceased]
    changed = [o for o in session.dirty if isinstance(o, Retiree) and session.is_modified(o)]
    deleted = [o for o in session.deleted if isinstance(o, Retiree)]
    if not (new or changed or deleted):
        return
    with session.no_autoflush:
        units = session.scalars(select(Organization)).all() if new else None
        for retiree in new:
            new_case(session, retiree, units)
        ids = [r.id for r in changed if r.id is not None]
        if ids:
            by_id = {r.id: r for r in changed}
            for row in _followers(session, ids):
                _copy_scope(row, by_id[row.retiree_id])
        gone = [r.id for r in deleted if r.id is not None]
        if gone:
            for row in _followers(session, gone):
                session.delete(row)


def summarize(case):
    """Store the checklist's summary on the case row (rules.checklist_summary)."""
    case.summary_status, case.applicable_streams, case.done_streams = rules.checklist_summary(
        ((i.stream, i.state) for i in case.items), case.received_on is not None)


@event.listens_for(Session, "before_flush")
def _summarize_changed_checklists(session, flush_context, instances):
    """Every flush that changes an item or a case's receipt refreshes that case's summary (registered after
    `_follow_retirees`, so the cases it creates are already summed up)."""
    cases = {id(o): o for o in list(session.new) + list(session.dirty) if isinstance(o, HandoverCase)}
    for item in list(session.new) + list(session.dirty):
        if isinstance(item, HandoverItem) and item.case is not None:
            cases[id(item.case)] = item.case
    with session.no_autoflush:
        for case in cases.values():
            if case not in session.deleted:
                summarize(case)


def refresh_all_summaries(session):
    """Recompute every case's summary in SQL (after rows were written without the ORM, e.g. by a bulk load)."""
    from sqlalchemy import text

    for statement in summary_sql():
        session.execute(text(statement))


def summary_sql():
    """UPDATE statements that set every case's summary from its items (SQLite and PostgreSQL)."""
    applicable = " + ".join(
        f"CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = '{s}'"
        f" AND i.state <> '{ItemState.NOT_APPLICABLE}') THEN {bit} ELSE 0 END" for s, bit in rules.STREAM_BITS.items())
    done = " + ".join(
        f"CASE WHEN EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.stream = '{s}'"
        f" AND i.state = '{ItemState.DONE}') THEN {bit} ELSE 0 END" for s, bit in rules.STREAM_BITS.items())
    open_states = ", ".join(f"'{s}'" for s in ItemState.OPEN)
    started = f"'{ItemState.IN_PROGRESS}', '{ItemState.DONE}'"
    status = (
        f"CASE WHEN received_on IS NOT NULL AND EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id)"
        f" AND NOT EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id AND i.state IN ({open_states}))"
        f" THEN '{OverallStatus.HANDED_OVER}'"
        f" WHEN received_on IS NOT NULL OR EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = handover_case.id"
        f" AND i.state IN ({started})) THEN '{OverallStatus.IN_PROGRESS}'"
        f" ELSE '{OverallStatus.NOT_HANDED_OVER}' END")
    return [f"UPDATE handover_case SET applicable_streams = {applicable}, done_streams = {done}, "
            f"summary_status = {status}"]


def ensure_cases(session, retiree_ids=None):
    """Give every retiree in the flow who has none a checklist (retirees entered before the handover existed,
    or written in bulk without the ORM, as the roster import does: `retiree_ids` narrows the search)."""
    have = select(HandoverCase.retiree_id)
    query = select(Retiree).where(Retiree.is_lixiu.is_(False), Retiree.deceased.is_(False), Retiree.id.not_in(have))
    if retiree_ids is not None:
        if not retiree_ids:
            return 0
        query = query.where(Retiree.id.in_(list(retiree_ids)))
    missing = session.scalars(query).all()
    units = session.scalars(select(Organization)).all()
    for retiree in missing:
        new_case(session, retiree, units)
    return len(missing)


def case_of(retiree_id):
    return db.session.scalars(select(HandoverCase).where(HandoverCase.retiree_id == retiree_id)).first()


def ledger_problem(retiree):
    """Ledger rule added by the handover: a submitted or accepted retiree is locked for the enterprise."""
    if retiree.id is None:
        return {}
    with db.session.no_autoflush:
        status = db.session.scalar(select(HandoverBatch.status).join(
            HandoverCase, HandoverCase.batch_id == HandoverBatch.id).where(HandoverCase.retiree_id == retiree.id))
    message = rules.ledger_lock_problem(role_codes(), status)
    return {"name_zh": [message]} if message else {}


# ---------------------------------------------------------------------------------------------------------
# Checklist and receiving place


def set_item(actor, case, stream, state, on_date=None, note=None, household_category=None):
    _check_scope(actor, case)
    item = case.item(stream)
    if item is None:
        raise Refusal(_l("Not a valid choice."))
    _refuse_if(rules.stream_editor_problem(role_codes(actor), stream, case.accepted_on is not None))
    retiree = case.retiree
    _refuse_if(rules.transition_problem(stream, item.state, state, retiree.party_member, retiree.leader_cadre))
    if stream == Stream.HOUSEHOLD and household_category:
        if household_category not in HouseholdCategory.LABELS:
            raise Refusal(_l("Not a valid choice."))
        case.household_category = household_category
    if stream == Stream.HOUSEHOLD and state == ItemState.DONE and not case.household_category:
        raise Refusal(_l("Choose the household registration category first."))
    item.state = state
    item.on_date = on_date or (datetime.date.today() if state != ItemState.NOT_STARTED else None)
    if note is not None:
        item.note = note.strip() or None
    item.changed_by_id = actor.id
    return item


def advance_item(case, stream, state, actor=None):
    """Move a stream forward as a consequence of another step (no skipping: in progress comes first)."""
    item = case.item(stream)
    if item is None or item.state in (ItemState.NOT_APPLICABLE, state):
        return
    if state == ItemState.DONE and item.state == ItemState.NOT_STARTED:
        item.state = ItemState.IN_PROGRESS
    if rules.transition_problem(stream, item.state, state) is None:
        item.state = state
        item.on_date = datetime.date.today()
        item.changed_by_id = getattr(actor, "id", None)


def confirm_place(actor, case, county=None, liaison=None, reason=None):
    _check_scope(actor, case)
    if "enterprise" not in role_codes(actor) or actor.org_id != case.enterprise_id:
        raise Refusal(_l("Only the retiree's enterprise confirms the receiving place."))
    if case.batch is not None and case.batch.status not in (BatchStatus.DRAFT, BatchStatus.RETURNED):
        raise Refusal(_l("The receiving place cannot change while the batch is submitted or accepted."))
    if county is not None and county.kind != OrgKind.COUNTY or liaison is not None and liaison.kind != OrgKind.LIAISON:
        raise Refusal(_l("This unit is not of the expected kind."))
    _refuse_if(rules.override_problem(case.proposed_county_id, case.proposed_liaison_id,
                                      county.id if county else None, liaison.id if liaison else None, reason))
    if case.batch is not None and (getattr(county, "id", None), getattr(liaison, "id", None)) != (
            case.batch.receiving_county_id, case.batch.liaison_office_id):
        raise Refusal(_l("Take the retiree out of the batch before choosing another place."))
    retiree = case.retiree
    moved = retiree.receiving_county_id != getattr(county, "id", None)
    retiree.receiving_county = county
    retiree.liaison_office = liaison
    if moved or county is None:
        retiree.receiving_township = retiree.receiving_community = None
    for row in [case]:
        _copy_scope(row, retiree)
    case.place_confirmed_on = _now()
    case.place_confirmed_by_id = actor.id
    case.override_reason = (reason or "").strip() or None
    return case


def confirm_receipt(actor, case):
    """The community confirms it has received this person (per person, after the county accepted)."""
    _check_scope(actor, case)
    if not role_codes(actor) & {"community", "township"}:
        raise Refusal(_l("Only the receiving township or community confirms receipt."))
    if case.accepted_on is None:
        raise Refusal(_l("The receiving county has not accepted this retiree yet."))
    if case.received_on is not None:
        raise Refusal(_l("Receipt of this retiree is already confirmed."))
    case.received_on = _now()
    case.received_by_id = actor.id
    advance_item(case, Stream.PERSONNEL, ItemState.DONE, actor)
    if case.batch is not None:
        _sync(case.batch)
    return case


def confirm_receipts(actor, cases):
    """Bulk receipt (a community worker ticks the people who came): every case that waits for this
    community's receipt is confirmed, those already received are left as they are. Refused as a whole when
    a case is outside the actor's scope or not yet accepted by the county. Returns the cases confirmed."""
    if not cases:
        raise Refusal(_l("Choose at least one retiree."))
    done = []
    with notices.deferred():
        for case in cases:
            if case.received_on is not None:
                _check_scope(actor, case)
                continue
            done.append(confirm_receipt(actor, case))
    return done


def confirm_proposed_places(actor, cases):
    """Bulk confirmation of the receiving places the policy's rule proposed, in one step. A case whose place
    is already confirmed is left as it is; a case without a proposal is skipped (its place is chosen on its
    own page, and choosing another place than the proposal still needs a reason there, one by one).
    Returns (confirmed cases, skipped cases). Refused as a whole when any case is outside the actor's
    enterprise or locked in a submitted batch."""
    if not cases:
        raise Refusal(_l("Choose at least one retiree."))
    confirmed, skipped = [], []
    for case in cases:
        if case.place_confirmed_on is not None:
            _check_scope(actor, case)
            continue
        if case.proposed_county_id is None and case.proposed_liaison_id is None:
            _check_scope(actor, case)
            skipped.append(case)
            continue
        confirm_place(actor, case, case.proposed_county, case.proposed_liaison, None)
        confirmed.append(case)
    return confirmed, skipped


# ---------------------------------------------------------------------------------------------------------
# Batches


def _check_enterprise(actor, batch):
    _check_scope(actor, batch)
    if "enterprise" not in role_codes(actor) or actor.org_id != batch.enterprise_id:
        raise Refusal(_l("Only the enterprise that made the batch can do this."))


def _check_receiver(actor, batch):
    _check_scope(actor, batch)
    receiver = batch.receiving_county_id or batch.liaison_office_id
    if not role_codes(actor) & {"county"} or actor.org_id != receiver:
        raise Refusal(_l("Only the receiving county/district acts on this batch."))


def create_batch(actor, batch):
    """Called by the add form: the batch belongs to the actor's enterprise and is signed by the actor."""
    if "enterprise" not in role_codes(actor):
        raise Refusal(_l("Only an enterprise makes handover batches."))
    _refuse_if(rules.batch_target_problem(
        getattr(batch.receiving_county, "id", batch.receiving_county_id),
        getattr(batch.liaison_office, "id", batch.liaison_office_id)))
    batch.enterprise_id = actor.org_id
    batch.enterprise = db.session.get(Organization, actor.org_id)
    batch.created_on = batch.created_on or _now()
    batch.status = BatchStatus.DRAFT
    batch.created_by_id = actor.id
    return batch


def add_to_batch(actor, batch, retiree_ids):
    _check_enterprise(actor, batch)
    _refuse_if(rules.batch_action_problem(batch.status, "edit"))
    if not retiree_ids:
        raise Refusal(_l("Choose at least one retiree."))
    added = []
    for rid in retiree_ids:
        retiree = db.session.get(Retiree, rid)
        if retiree is None or not in_scope(retiree, actor):
            raise Refusal(_l("This record is outside your organization's scope."))
        case = case_of(rid)
        _refuse_if(rules.batch_member_problem(retiree, case, batch))
        case.batch = batch
        added.append(case)
    return added


def remove_from_batch(actor, batch, case):
    _check_enterprise(actor, batch)
    _refuse_if(rules.batch_action_problem(batch.status, "edit"))
    if case.batch_id != batch.id:
        raise Refusal(_l("This retiree is not in this batch."))
    case.batch = None
    return case


def submit_batch(actor, batch):
    _check_enterprise(actor, batch)
    _refuse_if(rules.batch_action_problem(batch.status, "submit"))
    if not batch.cases:
        raise Refusal(_l("An empty batch cannot be submitted."))
    for case in batch.cases:
        _refuse_if(rules.batch_member_problem(case.retiree, case, batch))
        advance_item(case, Stream.PERSONNEL, ItemState.IN_PROGRESS, actor)
    batch.status = BatchStatus.SUBMITTED
    batch.submitted_on = _now()
    batch.submitted_by_id = actor.id
    batch.return_reason = None
    _sync(batch)
    return batch


def accept_batch(actor, batch, communities):
    """`communities`: case id → the community the county assigns (townships follow from the tree)."""
    _check_receiver(actor, batch)
    _refuse_if(rules.batch_action_problem(batch.status, "accept"))
    now = _now()
    for case in batch.cases:
        community = communities.get(case.id) or case.receiving_community
        _refuse_if(rules.acceptance_problem(case, community))
        retiree = case.retiree
        if community is not None:
            retiree.receiving_community = community
            retiree.receiving_township = community.parent
        _copy_scope(case, retiree)
        case.accepted_on = now
    batch.status = BatchStatus.ACCEPTED
    batch.accepted_on = now
    batch.accepted_by_id = actor.id
    _sync(batch)
    return batch


def return_batch(actor, batch, reason):
    _check_receiver(actor, batch)
    _refuse_if(rules.batch_action_problem(batch.status, "return"))
    if not (reason or "").strip():
        raise Refusal(_l("Give the reason for returning the batch."))
    batch.status = BatchStatus.RETURNED
    batch.returned_on = _now()
    batch.returned_by_id = actor.id
    batch.return_reason = reason.strip()[:500]
    _sync(batch)
    return batch


def _sync(batch):
    notices.sync_batch_notices(batch)


def eligible_cases(batch):
    """The enterprise's cases that may still join this batch (same receiving place, no batch yet)."""
    from app.security.scope import scope

    query = select(HandoverCase).join(Retiree, HandoverCase.retiree_id == Retiree.id).where(
        HandoverCase.enterprise_id == batch.enterprise_id, HandoverCase.batch_id.is_(None),
        HandoverCase.place_confirmed_on.is_not(None), Retiree.deceased.is_(False),
        HandoverCase.receiving_county_id.is_(None) if batch.receiving_county_id is None
        else HandoverCase.receiving_county_id == batch.receiving_county_id,
        HandoverCase.liaison_office_id.is_(None) if batch.liaison_office_id is None
        else HandoverCase.liaison_office_id == batch.liaison_office_id,
    ).order_by(HandoverCase.id).limit(500)
    return db.session.scalars(scope(query, HandoverCase)).all()


def _register_ledger_rule():
    from app.retirees.models import EXTRA_RULES

    if ledger_problem not in EXTRA_RULES:
        EXTRA_RULES.append(ledger_problem)


_register_ledger_rule()
