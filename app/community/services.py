"""State changes of the community's service work, as plain functions taking the acting user. Each checks
`rules.may` (role and scope) and the stream's rules, changes rows and leaves the commit to the caller (a view
commits, or rolls back on `Refusal`); the audit listener records every change with the acting user.

Inbox (kind "service"): overdue certifications per community, to the community and the HR bureau; overdue
claim steps to the community. Recomputed daily by `flask supervise` from the same state.
"""
import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import clock
from app.community import rules
from app.community.models import (ClaimKind, ClaimStep, Certification, CertMethod, DeathReport, DeathSource,
                                  LifeStatus, ServiceRecord, SurvivorClaim)
from app.deadlines import Colour
from app.extensions import db
from app.notify import Notice, resolve
from app.retirees.models import Retiree
from app.steps import Refusal, refuse_if

KIND = "service"
MSG_CERT_OVERDUE = _l("%(n)s eligibility certifications are overdue in %(unit)s.")
MSG_CLAIM_OVERDUE = _l("A survivor claim for %(name)s is overdue: %(step)s.")
MSG_MOVE_WAITING = _l("%(name)s is moving to your community: accept or return the move.")


def _check(actor, action, row):
    from app.security.scope import system_actor

    if actor is None and system_actor() is not None:  # a CLI job (demo seed, import) acts city-wide
        return
    if not rules.may(actor, action, row):
        if not rules.may(actor, action):
            raise Refusal(_l("Your role does not do this work."))
        raise Refusal(_l("This record is outside your organization's scope."))


def _in_care(retiree):
    """A retiree the receiving side looks after: received somewhere, not under 离休 management."""
    return not retiree.is_lixiu and (retiree.receiving_community_id or retiree.receiving_township_id
                                     or retiree.liaison_office_id) is not None


def scope_for(actor, query):
    """A query over ServiceRecord narrowed to `actor`'s scope (the demo and jobs that act for a user)."""
    from app.security.scope import scope

    return scope(query, ServiceRecord, actor)


def record_of(retiree, create=True):
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.retiree_id == retiree.id))
    if record is None and create:
        record = ServiceRecord(retiree=retiree, retiree_id=retiree.id, created_at=clock.utcnow(),
                               status=LifeStatus.DECEASED if retiree.deceased else LifeStatus.ALIVE)
        if not retiree.deceased:
            record.cert_due_on = rules.next_cert_due(None, clock.today())
        db.session.add(record)
    return record


def ensure_records(anchor=None):
    """A ledger row for every retiree in care who has none (new receipts, moves); returns how many."""
    have = select(ServiceRecord.retiree_id)
    missing = db.session.scalars(select(Retiree).where(Retiree.id.not_in(have), Retiree.is_lixiu.is_(False)).where(
        (Retiree.receiving_community_id.is_not(None)) | (Retiree.receiving_township_id.is_not(None))
        | (Retiree.liaison_office_id.is_not(None)))).all()
    today = anchor or clock.today()
    for retiree in missing:
        db.session.add(ServiceRecord(
            retiree_id=retiree.id, created_at=clock.utcnow(),
            status=LifeStatus.DECEASED if retiree.deceased else LifeStatus.ALIVE,
            cert_due_on=None if retiree.deceased else rules.next_cert_due(None, today)))
    return len(missing)


# ---------------------------------------------------------------------------------------------------------
# Eligibility certification


def certify(actor, retiree, method, done_on=None, note=None):
    """Record that `retiree` was certified (资格认证) on `done_on` by `method`; the next date follows the cycle."""
    _check(actor, "write", retiree)
    today = clock.today()
    done_on = done_on or today
    if method not in CertMethod.LABELS:
        raise Refusal(_l("Not a valid choice."))
    refuse_if(rules.certification_problem(retiree, done_on, today))
    record = record_of(retiree)
    db.session.add(Certification(
        retiree_id=retiree.id, due_on=record.cert_due_on, done_on=done_on, method=method,
        done_by_id=getattr(actor, "id", None), org_id=getattr(actor, "org_id", None), note=(note or "").strip()[:500] or None, created_at=clock.utcnow()))
    if record.last_certified_on is None or done_on >= record.last_certified_on:
        record.last_certified_on = done_on
        record.cert_due_on = rules.next_cert_due(done_on, None)
    return record


# ---------------------------------------------------------------------------------------------------------
# Death and survivor claims


def mark_deceased(retiree, death_date):
    """The one place this stream changes the retiree row: the ledger's alive/deceased and date of death.
    (When the retiree write service lands, this calls it.)"""
    retiree.deceased = True
    retiree.death_date = death_date


def report_death(actor, retiree, death_date, source_code, evidence=None, note=None, reported_on=None):
    """A death report: marks the retiree deceased, stops certification and opens both survivor claims."""
    from app.uploads import UploadError, save_upload

    _check(actor, "write", retiree)
    today = clock.today()
    if source_code not in DeathSource.LABELS:
        raise Refusal(_l("Not a valid choice."))
    existing = db.session.scalar(select(DeathReport).where(DeathReport.retiree_id == retiree.id))
    refuse_if(rules.death_problem(retiree, death_date, today, existing is not None))
    stored = None
    if evidence is not None and getattr(evidence, "filename", ""):
        try:
            stored = save_upload(evidence, getattr(actor, "org_id", None), getattr(actor, "id", None))
        except UploadError as e:
            raise Refusal(str(e))
    report = DeathReport(retiree_id=retiree.id, death_date=death_date, source=source_code, evidence_file=stored,
                         note=(note or "").strip()[:500] or None, reported_on=reported_on or today,
                         reported_by_id=getattr(actor, "id", None), org_id=getattr(actor, "org_id", None),
                         created_at=clock.utcnow())
    db.session.add(report)
    mark_deceased(retiree, death_date)
    record = record_of(retiree)
    record.status = LifeStatus.DECEASED
    record.cert_due_on = None
    for kind in (ClaimKind.FUNERAL, ClaimKind.PENSION):
        open_claim(actor, retiree, report, kind)
    return report


def open_claim(actor, retiree, report, kind):
    _check(actor, "write", retiree)
    refuse_if(rules.claim_opening_problem(retiree))
    if kind not in ClaimKind.LABELS:
        raise Refusal(_l("Not a valid choice."))
    if report is None:
        raise Refusal(_l("Survivor claims are opened only for a deceased retiree."))
    claim = SurvivorClaim(death_report=report, retiree_id=retiree.id, kind=kind, step=ClaimStep.OPEN,
                          opened_on=report.reported_on, changed_by_id=getattr(actor, "id", None))
    db.session.add(claim)
    return claim


def advance_claim(actor, claim, step, on_date=None, applicant=None, relation=None, amount=None, to=None,
                  note=None):
    """Move a claim one step on: submitted (applicant, relation, amount claimed, to whom), approved (amount
    approved), paid."""
    _check(actor, "write", claim)
    today = clock.today()
    on_date = on_date or today
    refuse_if(rules.claim_step_problem(claim, step, on_date, today, applicant, relation, amount, to))
    if step == ClaimStep.SUBMITTED:
        claim.applicant_name = applicant.strip()[:60]
        claim.applicant_relation = relation.strip()[:30]
        claim.amount_claimed = amount
        claim.submitted_to = to.strip()[:120]
        claim.submitted_on = on_date
    elif step == ClaimStep.APPROVED:
        claim.amount_approved = amount
        claim.approved_on = on_date
    else:
        claim.paid_on = on_date
    if note:
        claim.note = note.strip()[:500]
    claim.step = step
    claim.changed_by_id = getattr(actor, "id", None)
    return claim


# ---------------------------------------------------------------------------------------------------------
# Hardship and care


def open_care_flags(retiree_id):
    from app.community.models import CareFlag

    return db.session.scalars(select(CareFlag).where(CareFlag.retiree_id == retiree_id,
                                                     CareFlag.ended_on.is_(None)).order_by(CareFlag.id)).all()


def add_care_flag(actor, retiree, kind, source_text):
    from app.community.models import CareFlag

    _check(actor, "write", retiree)
    refuse_if(rules.care_flag_problem(kind, source_text, {f.kind for f in open_care_flags(retiree.id)}))
    flag = CareFlag(retiree_id=retiree.id, kind=kind, source=source_text.strip()[:200], noted_on=clock.today(),
                    noted_by_id=getattr(actor, "id", None))
    db.session.add(flag)
    return flag


def end_care_flag(actor, flag):
    _check(actor, "write", flag)
    if flag.ended_on is not None:
        raise Refusal(_l("This flag has already ended."))
    flag.ended_on = clock.today()
    return flag


def give_aid(actor, retiree, kind, amount, given_on=None, note=None):
    from app.community.models import Aid

    _check(actor, "write", retiree)
    given_on = given_on or clock.today()
    refuse_if(rules.aid_problem(kind, amount, given_on, clock.today()))
    if retiree.deceased and retiree.death_date is not None and given_on > retiree.death_date:
        raise Refusal(_l("Aid is not given to a deceased retiree."))
    aid = Aid(retiree_id=retiree.id, kind=kind, amount=amount, given_on=given_on,
              note=(note or "").strip()[:500] or None, given_by_id=getattr(actor, "id", None),
              org_id=getattr(actor, "org_id", None))
    db.session.add(aid)
    return aid


def save_health(actor, retiree, consent_on, consent_by, conditions=None, checkup_on=None, note=None):
    from app.community.models import HealthRecord

    _check(actor, "write", retiree)
    refuse_if(rules.health_problem(consent_on, consent_by, clock.today()))
    if checkup_on is not None and checkup_on > clock.today():
        raise Refusal(_l("The date cannot be in the future."))
    record = db.session.scalar(select(HealthRecord).where(HealthRecord.retiree_id == retiree.id))
    if record is None:
        record = HealthRecord(retiree_id=retiree.id)
        db.session.add(record)
    record.consent_on, record.consent_by = consent_on, consent_by.strip()[:60]
    record.chronic_conditions = (conditions or "").strip()[:300] or None
    record.last_checkup_on = checkup_on
    record.note = (note or "").strip()[:500] or None
    record.changed_by_id = getattr(actor, "id", None)
    return record


def hardship_query(today):
    """Living retirees in care who are 80+ or have a current recorded hardship flag (a Select over
    ServiceRecord, for lists and counts)."""
    from app.community.models import CareFlag

    flagged = select(CareFlag.retiree_id).where(CareFlag.ended_on.is_(None))
    return (select(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id)
            .where(ServiceRecord.status == LifeStatus.ALIVE)
            .where((Retiree.birth_date <= rules.aged_cutoff(today)) | Retiree.id.in_(flagged)))


# ---------------------------------------------------------------------------------------------------------
# Visits and holiday rounds


def create_round(actor, kind, title, starts_on, ends_on):
    """A holiday condolence round organised by the actor's unit (a community, township or county)."""
    from app.community.models import VisitRound

    if not rules.may(actor, "write"):
        raise Refusal(_l("Your role does not do this work."))
    refuse_if(rules.round_problem(kind, title, starts_on, ends_on))
    rnd = VisitRound(org_id=actor.org_id, kind=kind, title=title.strip()[:120], starts_on=starts_on,
                     ends_on=ends_on, created_by_id=actor.id)
    db.session.add(rnd)
    return rnd


def record_visit(actor, retiree, planned_on=None, done_on=None, visitors=None, gift=None, amount=None,
                 note=None, round_=None, visit=None):
    """Plan a visit (planned_on) or record one done (done_on, who visited, what was given); `visit`: a
    planned visit now done."""
    from app.community.models import Visit

    _check(actor, "write", retiree)
    if round_ is not None and not _round_reaches(round_, retiree):
        raise Refusal(_l("This round does not reach this retiree's community."))
    refuse_if(rules.visit_problem(planned_on if visit is None else visit.planned_on, done_on, visitors,
                                  clock.today(), round_ or (visit.round if visit is not None else None)))
    if amount is not None and amount < 0:
        raise Refusal(_l("Give an amount greater than zero."))
    if visit is None:
        visit = Visit(retiree_id=retiree.id, round=round_, planned_on=planned_on)
        db.session.add(visit)
    elif visit.done_on is not None:
        raise Refusal(_l("This visit has already been recorded."))
    visit.done_on = done_on
    if done_on is not None:
        visit.visitors = visitors.strip()[:200]
        visit.gift = (gift or "").strip()[:200] or None
        visit.amount = amount
    visit.note = (note or "").strip()[:500] or None
    visit.recorded_by_id = getattr(actor, "id", None)
    return visit


def _round_reaches(round_, retiree):
    """A round organised above the retiree's community (the county's round) reaches the retiree."""
    from app.org.cache import subtree_ids

    unit = retiree.receiving_community_id or retiree.receiving_township_id or retiree.liaison_office_id
    return unit is not None and unit in subtree_ids(round_.org_id)


def rounds_for(retiree, today):
    """Rounds open on `today` that reach the retiree (organised by their unit or a unit above it)."""
    from app.community.models import VisitRound

    rounds = db.session.scalars(select(VisitRound).where(VisitRound.starts_on <= today, VisitRound.ends_on >= today)
                                .order_by(VisitRound.starts_on)).all()
    return [r for r in rounds if _round_reaches(r, retiree)]


def round_coverage(round_, user=None):
    """[(unit, retirees in care, visited in the round, per cent)] for the units the round reaches, within
    the user's scope."""
    from app.security.scope import user_scope

    from app.community.models import Visit
    from app.org.cache import org_by_id, subtree_ids

    allowed = user_scope(user)
    units = {u for u in subtree_ids(round_.org_id) if allowed.allows_org(u)}
    unit = func.coalesce(Retiree.receiving_community_id, Retiree.receiving_township_id, Retiree.liaison_office_id)
    totals = dict(db.session.execute(
        select(unit, func.count()).select_from(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id)
        .where(ServiceRecord.status == LifeStatus.ALIVE, unit.in_(sorted(units))).group_by(unit)).all())
    visited = dict(db.session.execute(
        select(unit, func.count(func.distinct(Visit.retiree_id))).select_from(Visit)
        .join(Retiree, Retiree.id == Visit.retiree_id)
        .where(Visit.round_id == round_.id, Visit.done_on.is_not(None), unit.in_(sorted(units))).group_by(unit)).all())
    rows = []
    for org_id, total in totals.items():
        org = org_by_id(org_id)
        if org is not None:
            n = visited.get(org_id, 0)
            rows.append((org, total, n, rules.coverage(total, n)))
    return sorted(rows, key=lambda r: (r[3], r[0].code))


# ---------------------------------------------------------------------------------------------------------
# One window (一窗受理, 首问负责, 全程代办)

MSG_REQUEST_OVERDUE = _l("A request from %(name)s is past its promised date.")
MSG_REQUEST_OFFERED = _l("A request from %(name)s is being handed on to your unit: accept or decline it.")


def may_register(actor):
    """Any unit may receive a retiree's request (the first one asked answers for it): every business role."""
    from app.security.roles import NO_DATA, ROLES_BY_CODE

    readers = {"leading_group", "supervision"}  # they read the requests, they do not take them
    return getattr(actor, "org_id", None) is not None and any(
        r.name in ROLES_BY_CODE and ROLES_BY_CODE[r.name].scope != NO_DATA and r.name not in readers
        for r in getattr(actor, "roles", []))


def _step(request_, actor, action, note=None):
    from app.community.models import RequestStep

    request_.steps.append(RequestStep(action=action, on_date=clock.today(), org_id=getattr(actor, "org_id", None),
                                      user_id=getattr(actor, "id", None), note=(note or "").strip()[:500] or None))


def register_request(actor, applicant, contact, kind, subject, promised_on=None, received_on=None):
    from app.community.models import RequestState, ServiceRequest, StepAction

    if not may_register(actor):
        raise Refusal(_l("Your role does not do this work."))
    received_on = received_on or clock.today()
    refuse_if(rules.request_problem(applicant, subject, kind, received_on, promised_on))
    req = ServiceRequest(
        applicant_name=applicant.strip()[:60], contact=(contact or "").strip()[:60] or None, kind=kind,
        subject=subject.strip()[:500], state=RequestState.OPEN, received_on=received_on,
        promised_on=promised_on or rules.promised_date(received_on), receiver_org_id=actor.org_id,
        received_by_id=actor.id, owner_org_id=actor.org_id, owner_user_id=actor.id)
    db.session.add(req)
    _step(req, actor, StepAction.RECEIVED)
    return req


def _check_request(actor, req):
    from app.security.scope import in_scope

    if not in_scope(req, actor):
        raise Refusal(_l("This record is outside your organization's scope."))


def _check_owner(actor, req):
    from app.community.models import RequestState

    _check_request(actor, req)
    if not rules.is_owner(actor, req):
        raise Refusal(_l("Only the unit that owns the request can do this."))
    if req.state == RequestState.CLOSED:
        raise Refusal(_l("The request is closed."))


def note_progress(actor, req, note):
    from app.community.models import StepAction

    _check_owner(actor, req)
    if not (note or "").strip():
        raise Refusal(_l("Write what was done."))
    _step(req, actor, StepAction.PROGRESS, note)
    return req


def hand_on(actor, req, to_org, note=None):
    """Offer the request to the unit that can settle it; the owner stays responsible until it accepts."""
    from app.community.models import RequestState, StepAction

    _check_owner(actor, req)
    if req.state == RequestState.HANDING_ON:
        raise Refusal(_l("The request is already being handed on."))
    if to_org is None or to_org.id == req.owner_org_id:
        raise Refusal(_l("Choose the unit to hand the request on to."))
    req.state = RequestState.HANDING_ON
    req.handoff_to_org_id = to_org.id
    req.handoff_to_org = to_org
    _step(req, actor, StepAction.HANDED_ON, note)
    db.session.flush()
    from app.notify import notify

    notify(Notice(key=f"{KIND}:offer:{req.id}", kind=KIND, message=MSG_REQUEST_OFFERED, org_id=to_org.id,
                  params={"name": req.applicant_name}, link=f"/community/requests/show/{req.id}",
                  colour=Colour.BLUE))
    return req


def _check_offered(actor, req):
    from app.community.models import RequestState

    _check_request(actor, req)
    if req.state != RequestState.HANDING_ON or getattr(actor, "org_id", None) != req.handoff_to_org_id:
        raise Refusal(_l("Only the unit the request is handed on to can accept or decline it."))


def accept_request(actor, req):
    from app.community.models import RequestState, StepAction

    _check_offered(actor, req)
    from app.org.models import Organization

    req.owner_org = db.session.get(Organization, actor.org_id)
    req.owner_org_id, req.owner_user_id = actor.org_id, actor.id
    req.handoff_to_org_id, req.handoff_to_org = None, None
    req.state = RequestState.OPEN
    _step(req, actor, StepAction.ACCEPTED)
    resolve(f"{KIND}:offer:{req.id}")
    return req


def decline_request(actor, req, reason):
    from app.community.models import RequestState, StepAction

    _check_offered(actor, req)
    if not (reason or "").strip():
        raise Refusal(_l("Give the reason for declining."))
    req.handoff_to_org_id, req.handoff_to_org = None, None
    req.state = RequestState.OPEN
    _step(req, actor, StepAction.DECLINED, reason)
    resolve(f"{KIND}:offer:{req.id}")
    return req


def close_request(actor, req, result, satisfaction, satisfaction_note=None):
    from app.community.models import RequestState, Satisfaction, StepAction

    _check_owner(actor, req)
    if req.state == RequestState.HANDING_ON:
        raise Refusal(_l("The request is being handed on: wait for the other unit's answer."))
    if not (result or "").strip():
        raise Refusal(_l("Write what was done."))
    if satisfaction not in Satisfaction.LABELS:
        raise Refusal(_l("Note the applicant's satisfaction."))
    req.state = RequestState.CLOSED
    req.closed_on = clock.today()
    req.result = result.strip()[:500]
    req.satisfaction = satisfaction
    req.satisfaction_note = (satisfaction_note or "").strip()[:300] or None
    _step(req, actor, StepAction.CLOSED, result)
    return req


# ---------------------------------------------------------------------------------------------------------
# Activities and party life


def _own_retirees(actor, ids):
    """The retirees among `ids` that the actor's unit looks after (alive), or a refusal naming none."""
    from app.security.scope import scope

    ids = sorted({int(i) for i in ids})
    if not ids:
        return []
    rows = db.session.scalars(scope(select(Retiree).where(Retiree.id.in_(ids), Retiree.deceased.is_(False)),
                                    Retiree, actor)).all()
    if len(rows) != len(ids):
        raise Refusal(_l("This record is outside your organization's scope."))
    return rows


def create_activity(actor, kind, title, held_on, place=None, participant_ids=(), note=None):
    from app.community.models import Activity

    if not rules.may(actor, "write"):
        raise Refusal(_l("Your role does not do this work."))
    refuse_if(rules.activity_problem(kind, title, held_on, clock.today()))
    activity = Activity(org_id=actor.org_id, kind=kind, title=title.strip()[:120], held_on=held_on,
                        place=(place or "").strip()[:120] or None, note=(note or "").strip()[:500] or None,
                        created_by_id=actor.id)
    activity.participants = _own_retirees(actor, participant_ids)
    db.session.add(activity)
    return activity


def branch_members(actor):
    """Party members in the actor's care (alive), with the date their relation reached the community's branch."""
    from app.party.models import PartyTransfer
    from app.security.scope import scope

    query = (select(Retiree, PartyTransfer.received_on).outerjoin(PartyTransfer, PartyTransfer.retiree_id == Retiree.id)
             .where(Retiree.party_member.is_(True), Retiree.deceased.is_(False))
             .where((Retiree.receiving_community_id.is_not(None)) | (Retiree.liaison_office_id.is_not(None)))
             .order_by(Retiree.id))
    return db.session.execute(scope(query, Retiree, actor)).all()


def record_meeting(actor, branch, kind, held_on, topic, present_ids, absence_reasons=None):
    """A branch meeting (三会一课) with attendance: every member in the actor's care is listed, present or not."""
    from app.community.models import PartyAttendance, PartyMeeting

    if not rules.may(actor, "write"):
        raise Refusal(_l("Your role does not do this work."))
    refuse_if(rules.meeting_problem(kind, branch, topic, held_on, clock.today()))
    members = {r.id for r, _t in branch_members(actor)}
    present = {int(i) for i in present_ids}
    if not present <= members:
        raise Refusal(_l("This record is outside your organization's scope."))
    meeting = PartyMeeting(org_id=actor.org_id, branch=branch.strip()[:120], kind=kind, held_on=held_on,
                           topic=topic.strip()[:200], created_by_id=actor.id)
    reasons = absence_reasons or {}
    for rid in sorted(members):
        meeting.attendance.append(PartyAttendance(retiree_id=rid, present=rid in present,
                                                  absence_reason=None if rid in present
                                                  else (reasons.get(rid) or "").strip()[:100] or None))
    db.session.add(meeting)
    return meeting


def record_dues(actor, retiree, month, amount, paid_on=None):
    from app.community.models import PartyDues
    from app.party.models import PartyTransfer

    _check(actor, "write", retiree)
    if not retiree.party_member:
        raise Refusal(_l("Not a valid choice."))
    transferred = db.session.scalar(select(PartyTransfer.received_on).where(PartyTransfer.retiree_id == retiree.id))
    if isinstance(transferred, datetime.datetime):
        transferred = transferred.date()
    refuse_if(rules.dues_problem(month, amount, paid_on or clock.today(), transferred, clock.today()))
    month = "%04d-%02d" % rules.parse_month(month)
    if db.session.scalar(select(PartyDues.id).where(PartyDues.retiree_id == retiree.id, PartyDues.month == month)):
        raise Refusal(_l("The dues of this month are already recorded."))
    dues = PartyDues(retiree_id=retiree.id, month=month, amount=amount, paid_on=paid_on or clock.today(),
                     recorded_by_id=getattr(actor, "id", None))
    db.session.add(dues)
    return dues


def dues_overview(actor, today):
    """[(retiree, transferred_on, paid until 'YYYY-MM' or None, months behind)] for the actor's members."""
    from app.community.models import PartyDues

    members = branch_members(actor)
    paid = dict(db.session.execute(select(PartyDues.retiree_id, func.max(PartyDues.month)).where(
        PartyDues.retiree_id.in_([r.id for r, _t in members])).group_by(PartyDues.retiree_id)).all())
    rows = []
    for retiree, transferred in members:
        if isinstance(transferred, datetime.datetime):
            transferred = transferred.date()
        until = paid.get(retiree.id)
        rows.append((retiree, transferred, until, rules.months_behind(until, transferred, today)))
    return rows


# ---------------------------------------------------------------------------------------------------------
# Moves between communities


def place_retiree(retiree, community, residence):
    """The one place this stream changes where a retiree is looked after (community, its township and
    county) and where they live. (When the retiree write service lands, this calls it.)"""
    from app.retirees.followers import follow

    retiree.receiving_community = community
    retiree.receiving_township = community.parent
    retiree.receiving_county = community.parent.parent if community.parent is not None else None
    retiree.actual_residence = residence
    follow(db.session, retiree)  # the checklist, party and archive transfers keep the retiree's units


def request_move(actor, retiree, to_unit, new_residence, reason=None):
    """The sending community asks another community to take the retiree over (a move of residence)."""
    from app.community.models import CommunityMove, MoveStatus
    from app.org.models import OrgKind

    _check(actor, "write", retiree)
    if retiree.deceased:
        raise Refusal(_l("A deceased retiree does not move."))
    if to_unit is None or to_unit.kind != OrgKind.COMMUNITY:
        raise Refusal(_l("Choose the receiving community."))
    if to_unit.id == retiree.receiving_community_id:
        raise Refusal(_l("The retiree already lives in this community."))
    if not (new_residence or "").strip():
        raise Refusal(_l("Give the new residence."))
    pending = db.session.scalar(select(CommunityMove.id).where(
        CommunityMove.retiree_id == retiree.id, CommunityMove.status == MoveStatus.REQUESTED))
    if pending is not None:
        raise Refusal(_l("A move of this retiree is already waiting for the receiving community."))
    move = CommunityMove(
        retiree_id=retiree.id, from_unit_id=retiree.receiving_community_id or retiree.receiving_township_id,
        to_unit=to_unit, to_unit_id=to_unit.id, old_residence=retiree.actual_residence,
        new_residence=new_residence.strip()[:200], reason=(reason or "").strip()[:500] or None,
        status=MoveStatus.REQUESTED, requested_on=clock.today(), requested_by_id=getattr(actor, "id", None))
    db.session.add(move)
    db.session.flush()
    from app.notify import notify

    notify(Notice(key=f"{KIND}:move:{move.id}", kind=KIND, message=MSG_MOVE_WAITING, org_id=to_unit.id,
                  params={"name": {"zh": retiree.name_zh, "bo": retiree.name_bo or retiree.name_zh}},
                  link=f"/community/moves/show/{move.id}", colour=Colour.BLUE))
    return move


def _check_receiving_side(actor, move):
    from app.security.scope import user_scope

    _check(actor, "write", move)
    if not user_scope(actor).allows_org(move.to_unit_id):
        raise Refusal(_l("Only the receiving community accepts or returns the move."))


def accept_move(actor, move):
    from app.community.models import MoveStatus

    _check_receiving_side(actor, move)
    if move.status != MoveStatus.REQUESTED:
        raise Refusal(_l("This move has already been decided."))
    place_retiree(move.retiree, move.to_unit, move.new_residence)
    resolve(f"{KIND}:move:{move.id}")
    move.status = MoveStatus.ACCEPTED
    move.decided_on = clock.today()
    move.decided_by_id = getattr(actor, "id", None)
    return move


def return_move(actor, move, reason):
    from app.community.models import MoveStatus

    _check_receiving_side(actor, move)
    if move.status != MoveStatus.REQUESTED:
        raise Refusal(_l("This move has already been decided."))
    if not (reason or "").strip():
        raise Refusal(_l("Give the reason for returning the move."))
    resolve(f"{KIND}:move:{move.id}")
    move.status = MoveStatus.RETURNED
    move.decided_on = clock.today()
    move.decided_by_id = getattr(actor, "id", None)
    move.return_reason = reason.strip()[:500]
    return move


# ---------------------------------------------------------------------------------------------------------
# Inbox: what needs attention today


def _names(org):
    return {"zh": org.name_zh, "bo": org.name_bo}


def overdue_certifications_by_unit(today):
    """{community/township/liaison id: number of living retirees whose certification date has passed}."""
    unit = func.coalesce(Retiree.receiving_community_id, Retiree.receiving_township_id, Retiree.liaison_office_id)
    rows = db.session.execute(
        select(unit, func.count()).select_from(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id)
        .where(ServiceRecord.status == LifeStatus.ALIVE, ServiceRecord.cert_due_on < today)
        .group_by(unit)).all()
    return {org_id: n for org_id, n in rows if org_id is not None}


def service_notices(today):
    """Also gives every newly received retiree a ledger row first (`flask supervise` runs daily), so a
    receipt confirmed today is due for certification one cycle later and appears in the lists."""
    from app.org.cache import org_by_id
    from app.security.access import units_holding

    ensure_records()
    db.session.flush()

    hr_units = sorted(units_holding({"hrss"}))
    for org_id, n in sorted(overdue_certifications_by_unit(today).items()):
        org = org_by_id(org_id)
        if org is None:
            continue
        link = "/community/certifications/?state=overdue"
        for target in [org_id] + hr_units:
            yield Notice(key=f"{KIND}:cert:{org_id}:{target}", kind=KIND, message=MSG_CERT_OVERDUE,
                         org_id=target, params={"n": n, "unit": _names(org)}, link=link, colour=Colour.RED)
    from app.community.models import CommunityMove, MoveStatus

    for move in db.session.scalars(select(CommunityMove).where(CommunityMove.status == MoveStatus.REQUESTED)):
        retiree = move.retiree
        yield Notice(key=f"{KIND}:move:{move.id}", kind=KIND, message=MSG_MOVE_WAITING, org_id=move.to_unit_id,
                     params={"name": {"zh": retiree.name_zh, "bo": retiree.name_bo or retiree.name_zh}},
                     link=f"/community/moves/show/{move.id}", colour=Colour.BLUE)
    from app.community.models import RequestState, ServiceRequest

    for req in db.session.scalars(select(ServiceRequest).where(ServiceRequest.state != RequestState.CLOSED,
                                                               ServiceRequest.promised_on < today)):
        yield Notice(key=f"{KIND}:request:{req.id}", kind=KIND, message=MSG_REQUEST_OVERDUE, org_id=req.owner_org_id,
                     params={"name": req.applicant_name}, link=f"/community/requests/show/{req.id}",
                     colour=Colour.RED)
    for req in db.session.scalars(select(ServiceRequest).where(ServiceRequest.state == RequestState.HANDING_ON)):
        yield Notice(key=f"{KIND}:offer:{req.id}", kind=KIND, message=MSG_REQUEST_OFFERED,
                     org_id=req.handoff_to_org_id, params={"name": req.applicant_name},
                     link=f"/community/requests/show/{req.id}", colour=Colour.BLUE)
    claims = db.session.scalars(select(SurvivorClaim).where(SurvivorClaim.step != ClaimStep.PAID)).all()
    for claim in claims:
        if rules.claim_colour(claim, today) != Colour.RED:
            continue
        retiree = claim.retiree
        unit = retiree.receiving_community_id or retiree.receiving_township_id or retiree.liaison_office_id
        following = rules.next_step(claim.step)
        yield Notice(key=f"{KIND}:claim:{claim.id}", kind=KIND, message=MSG_CLAIM_OVERDUE, org_id=unit,
                     params={"name": {"zh": retiree.name_zh, "bo": retiree.name_bo or retiree.name_zh},
                             "step": {"zh": _step_text(following, "zh"), "bo": _step_text(following, "bo")}},
                     link=f"/community/claims/show/{claim.id}", colour=Colour.RED)


def _step_text(step, lang):
    from flask_babel import force_locale, gettext

    from app.notify import msgid

    with force_locale(lang):
        return gettext(msgid(ClaimStep.LABELS[step]))
