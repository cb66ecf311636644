"""State changes of the handover as plain functions taking the acting user. Each checks scope and rules,
changes rows, and leaves the commit to the caller (a view commits, or rolls back on `Refusal`); the audit
listener records every change with the acting user."""
import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.extensions import db
from app.handover import rules
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
from app.archives.models import ArchiveTransfer, Custodian, Destination
from app.org.cache import all_orgs
from app.org.models import Organization, OrgKind
from app.party.models import PartyTransfer
from app.retirees.followers import follow
from app.retirees.models import Retiree
from app.security.access import role_codes
from app.security.scope import in_scope, scope
from app.steps import Refusal, refuse_if as _refuse_if  # noqa: F401  (views catch services.Refusal)


def _now():
    return datetime.datetime.utcnow()


def _check_scope(actor, obj):
    if not in_scope(obj, actor):
        raise Refusal(_l("This record is outside your organization's scope."))


# ---------------------------------------------------------------------------------------------------------
# Cases: created with the retiree, kept in the retiree's scope


def cluster_county_of(session, enterprise_id):
    """The county where most of the enterprise's retirees are received (集中居住地)."""
    if enterprise_id is None:
        return None
    row = session.execute(
        select(Retiree.receiving_county_id, func.count()).where(
            Retiree.enterprise_id == enterprise_id, Retiree.receiving_county_id.is_not(None))
        .group_by(Retiree.receiving_county_id).order_by(func.count().desc(), Retiree.receiving_county_id)
        .limit(1)).first()
    return session.get(Organization, row[0]) if row else None


_UNSET = object()


def place_units(orgs):
    """(townships, communities) among `orgs`, for proposing many places at once."""
    return ([o for o in orgs if o.kind == OrgKind.TOWNSHIP], [o for o in orgs if o.kind == OrgKind.COMMUNITY])


def proposal_for(session, retiree, units=None, cluster_county=_UNSET):
    """The receiving place the policy proposes for a retiree (`cluster_county`: known already, e.g. for a whole
    import of one enterprise)."""
    townships, communities = units if isinstance(units, tuple) else place_units(
        units if units is not None else all_orgs())
    enterprise = retiree.enterprise or (session.get(Organization, retiree.enterprise_id)
                                        if retiree.enterprise_id else None)
    insured = retiree.insured_county or (session.get(Organization, retiree.insured_county_id)
                                         if retiree.insured_county_id else None)
    liaison = retiree.liaison_office or (session.get(Organization, retiree.liaison_office_id)
                                         if retiree.liaison_office_id else None)
    cluster = None
    if insured is None and (enterprise is None or enterprise.location_county is None):
        cluster = (cluster_county_of(session, enterprise.id if enterprise else None) if cluster_county is _UNSET
                   else cluster_county)
    return rules.propose_place(
        retiree.category, insured_county=insured,
        enterprise_county=enterprise.location_county if enterprise else None,
        cluster_county=cluster, liaison_office=liaison, address=retiree.actual_residence or "",
        townships=townships, communities=communities)


def enters_flow(retiree):
    """A retiree gets a checklist unless kept under existing management (离休) or already deceased."""
    return retiree.in_handover_flow and not retiree.deceased


def dependent_rows(retiree, scope, proposal):
    """The rows a retiree entering the flow gets, as column values: the checklist (case and items with the
    proposed place), a party transfer for a party member, the archive transfer. One description serves the
    single write (ORM objects, `new_case`) and the bulk import (batched INSERTs), so both write the same rows.
    `scope`: the retiree's organization columns; `proposal`: rules.Proposal."""
    items = [dict(stream=stream, state=state, responsible=side)
             for stream, state, side in rules.initial_items(retiree.party_member, retiree.leader_cadre,
                                                            retiree.medical_local)]
    status, applicable, done = rules.checklist_summary(((i["stream"], i["state"]) for i in items), False)
    case = dict(scope, proposal_basis=proposal.basis, proposed_county_id=getattr(proposal.county, "id", None),
                proposed_liaison_id=getattr(proposal.liaison, "id", None), summary_status=status,
                applicable_streams=applicable, done_streams=done)
    party = dict(scope, dues_base_verified=False) if retiree.party_member else None
    archive = dict(scope, sorted_done=False, digitized=False,
                   custodian=Custodian.ORGDEPT if retiree.leader_cadre else Custodian.ENTERPRISE,
                   destination=Destination.ORGDEPT if retiree.leader_cadre else (
                       Destination.CITY_ARCHIVES if retiree.category == "out_region"
                       else Destination.COUNTY_ARCHIVES))
    return {"case": case, "items": items, "party": party, "archive": archive}


def retiree_scope(retiree):
    """The organization columns of a retiree (set as relationships or as keys)."""
    values = {}
    for col in RETIREE_ORG_COLUMNS:
        rel = col[:-3]
        target = retiree.__dict__.get(rel) if rel in retiree.__dict__ else None
        values[col] = target.id if target is not None else getattr(retiree, col)
    return values


def new_case(session, retiree, units=None):
    """The checklist, party and archive rows of a retiree entering the flow (backlog or a new retirement),
    with the proposed place; called by the ledger's write service, never by a listener."""
    rows = dependent_rows(retiree, retiree_scope(retiree), proposal_for(session, retiree, units))
    case = HandoverCase(retiree=retiree, **rows["case"])
    for item in rows["items"]:
        case.items.append(HandoverItem(**item))
    session.add(case)
    if rows["party"] is not None:
        session.add(PartyTransfer(retiree=retiree, **rows["party"]))
    session.add(ArchiveTransfer(retiree=retiree, **rows["archive"]))
    return case


def locked_retiree_ids(session, retiree_ids):
    """The retirees among `retiree_ids` whose batch is submitted to or accepted by the receiving place."""
    ids = [i for i in retiree_ids if i is not None]
    locked = set()
    for start in range(0, len(ids), 900):
        locked.update(session.scalars(select(HandoverCase.retiree_id).join(
            HandoverBatch, HandoverBatch.id == HandoverCase.batch_id).where(
            HandoverCase.retiree_id.in_(ids[start:start + 900]),
            HandoverBatch.status.in_((BatchStatus.SUBMITTED, BatchStatus.ACCEPTED)))))
    return locked


def has_handover_steps(session, retiree_id):
    """Whether any handover step lies behind a retiree: a place confirmed, a batch, an acceptance or receipt,
    a checklist stream moved, a party letter or an archive sent or received."""
    case = session.scalars(select(HandoverCase).where(HandoverCase.retiree_id == retiree_id)).first()
    if case is not None:
        if case.place_confirmed_on or case.batch_id or case.accepted_on or case.received_on:
            return True
        initial = {s: state for s, state, _side in rules.initial_items(
            case.retiree.party_member, case.retiree.leader_cadre, case.retiree.medical_local)}
        if any(i.state != initial.get(i.stream) or i.changed_by_id for i in case.items):
            return True
    party = session.scalars(select(PartyTransfer).where(PartyTransfer.retiree_id == retiree_id)).first()
    if party is not None and (party.letter_no or party.letter_issued_on or party.received_on):
        return True
    archive = session.scalars(select(ArchiveTransfer).where(ArchiveTransfer.retiree_id == retiree_id)).first()
    return archive is not None and bool(archive.sent_on or archive.received_on or archive.sorted_done)


def summarize(case):
    """Store the checklist's summary on the case row (rules.checklist_summary)."""
    case.summary_status, case.applicable_streams, case.done_streams = rules.checklist_summary(
        ((i.stream, i.state) for i in case.items), case.received_on is not None)


def summarize_changed_checklists(session, flush_context, instances):
    """Every flush that changes an item or a case's receipt refreshes that case's summary (a derived value, not a
    rule: registered by the handover's init_app)."""
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


def ensure_cases(session):
    """Give every retiree in the flow who has none a checklist (retirees entered before the handover existed)."""
    have = select(HandoverCase.retiree_id)
    have_archive = select(ArchiveTransfer.retiree_id)  # the rows come together: never a second set
    missing = session.scalars(select(Retiree).where(
        Retiree.is_lixiu.is_(False), Retiree.deceased.is_(False), Retiree.id.not_in(have),
        Retiree.id.not_in(have_archive))).all()
    units = session.scalars(select(Organization)).all()
    for retiree in missing:
        new_case(session, retiree, units)
    return len(missing)


def case_of(retiree_id):
    return db.session.scalars(select(HandoverCase).where(HandoverCase.retiree_id == retiree_id)).first()


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
    follow(db.session, retiree)
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
    return case


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
        follow(db.session, retiree)
        case.accepted_on = now
    batch.status = BatchStatus.ACCEPTED
    batch.accepted_on = now
    batch.accepted_by_id = actor.id
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
    return batch


def eligible_cases(batch):
    """The enterprise's cases that may still join this batch (same receiving place, no batch yet)."""
    query = select(HandoverCase).join(Retiree, HandoverCase.retiree_id == Retiree.id).where(
        HandoverCase.enterprise_id == batch.enterprise_id, HandoverCase.batch_id.is_(None),
        HandoverCase.place_confirmed_on.is_not(None), Retiree.deceased.is_(False),
        HandoverCase.receiving_county_id.is_(None) if batch.receiving_county_id is None
        else HandoverCase.receiving_county_id == batch.receiving_county_id,
        HandoverCase.liaison_office_id.is_(None) if batch.liaison_office_id is None
        else HandoverCase.liaison_office_id == batch.liaison_office_id,
    ).order_by(HandoverCase.id).limit(500)
    return db.session.scalars(scope(query, HandoverCase)).all()
