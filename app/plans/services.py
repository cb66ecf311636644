"""Steps of the implementation plans as plain functions taking the acting user. Each checks the rules,
changes rows and inbox entries, and leaves the commit to the caller (a view commits, or rolls back on
`Refusal`); the audit listener records every change with the acting user.

Inbox entries (kind "plan", keys "plan:<what>:<id>") are made by the events as they happen and recomputed
from the same state by the source `plan_notices` below (registered by app/plans init_app), so `flask supervise` agrees with the events."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.deadlines import Colour
from app.extensions import db
from app.notify import Notice, notify, resolve
from app.org.models import Organization, OrgKind
from app.plans import rules
from app.plans.models import ImplementationPlan, PlanStatus, PlanVersion, VersionStatus
from app.security.access import role_codes
from app.security.scope import user_scope
from app.uploads import UploadError, discard, save_upload
from app.steps import Refusal, refuse_if as _refuse_if  # noqa: F401  (views catch services.Refusal)

MSG_REVIEW = _l("The implementation plan of %(enterprise_gen)s (version %(number)s) is waiting for review.")
MSG_RETURNED = _l("Your implementation plan (version %(number)s) was returned for revision: %(comment)s")
MSG_MISSING = _l("Upload your enterprise's implementation plan.")


def _names(org):
    return {"zh": org.name_zh, "bo": org.name_bo}


def _plan_link(plan):
    return f"/plans/show/{plan.id}"


def _reviewer_org_id(enterprise):
    """SASAC's unit: the enterprise's supervising department, else the unit of a SASAC user."""
    if enterprise.supervising_dept_id is not None:
        return enterprise.supervising_dept_id
    from app.security.models import OrgUser

    users = db.session.scalars(select(OrgUser).where(OrgUser.org_id.is_not(None))).all()
    return next((u.org_id for u in users if "sasac" in {r.name for r in u.roles}), None)


def review_notice(version):
    plan = version.plan
    return Notice(key=f"plan:review:{version.id}", kind="plan", message=MSG_REVIEW,
                  org_id=_reviewer_org_id(plan.enterprise),
                  params={"enterprise": _names(plan.enterprise), "number": version.number},
                  link=_plan_link(plan), colour=Colour.BLUE)


def returned_notice(version):
    return Notice(key=f"plan:returned:{version.id}", kind="plan", message=MSG_RETURNED,
                  org_id=version.plan.enterprise_id,
                  params={"number": version.number, "comment": (version.review_comment or "")[:200]},
                  link=_plan_link(version.plan), colour=Colour.YELLOW)


def missing_notice(enterprise):
    return Notice(key=f"plan:missing:{enterprise.id}", kind="plan", message=MSG_MISSING, org_id=enterprise.id,
                  link="/plans/overview/")


def plan_notices(today):
    """What needs attention now: versions waiting for SASAC, returned plans, enterprises without a plan."""
    plans = {p.enterprise_id: p for p in db.session.scalars(select(ImplementationPlan))}
    for enterprise in db.session.scalars(select(Organization).where(Organization.kind == OrgKind.ENTERPRISE)
                                         .order_by(Organization.id)):
        plan = plans.get(enterprise.id)
        latest = plan.latest() if plan is not None else None
        if latest is None:
            yield missing_notice(enterprise)
        elif latest.status == VersionStatus.SUBMITTED:
            yield review_notice(latest)
        elif latest.status == VersionStatus.RETURNED:
            yield returned_notice(latest)


# ---------------------------------------------------------------------------------------------------------
# Steps


def upload_version(actor, enterprise_id, storage, note=""):
    """A new version of the enterprise's plan, uploaded by one of its users. Returns the new PlanVersion."""
    _refuse_if(rules.upload_problem(role_codes(actor), actor.org_id, enterprise_id))
    _refuse_if(rules.note_problem(note))
    enterprise = db.session.get(Organization, enterprise_id)
    if enterprise is None or enterprise.kind != OrgKind.ENTERPRISE:
        raise Refusal(_l("Only an enterprise has an implementation plan."))
    return add_version(enterprise, storage, note, actor.id)


def add_version(enterprise, storage, note="", uploaded_by_id=None):
    """Store the file and add it as the plan's newest version (the plan is made with the first one); a
    version still waiting for review is marked replaced (rules.statuses_after_upload). The rules on who may
    upload are the caller's (upload_version; the demo seed acts as the system)."""
    try:
        stored = save_upload(storage, enterprise.id, uploaded_by_id)
    except UploadError as e:
        raise Refusal(e) from e
    try:
        plan = db.session.scalar(select(ImplementationPlan).where(ImplementationPlan.enterprise_id == enterprise.id))
        if plan is None:
            plan = ImplementationPlan(enterprise=enterprise, created_at=clock.utcnow())
            db.session.add(plan)
        existing = list(plan.versions)
        for version, status in zip(existing, rules.statuses_after_upload([v.status for v in existing])):
            if status != version.status:
                version.status = status
                resolve(f"plan:review:{version.id}")
            if version.status == VersionStatus.RETURNED:
                resolve(f"plan:returned:{version.id}")
        resolve(f"plan:missing:{enterprise.id}")
        version = PlanVersion(plan=plan, number=max((v.number for v in existing), default=0) + 1, file=stored,
                              note=(note or "").strip() or None, uploaded_by_id=uploaded_by_id,
                              uploaded_at=clock.utcnow(), status=VersionStatus.SUBMITTED)
        db.session.add(version)
        plan.status = VersionStatus.SUBMITTED
        db.session.flush()
        notify(review_notice(version))
    except Exception:
        discard(stored)  # the file must not outlive a version that was never made
        raise
    return version


def approve(actor, version):
    _refuse_if(rules.review_problem(role_codes(actor), version.status))
    _review(actor, version, VersionStatus.APPROVED, None)
    version.plan.approved_at = version.reviewed_at


def return_version(actor, version, comment):
    _refuse_if(rules.review_problem(role_codes(actor), version.status))
    _refuse_if(rules.return_comment_problem(comment))
    _review(actor, version, VersionStatus.RETURNED, comment.strip())
    notify(returned_notice(version))


def _review(actor, version, status, comment):
    version.status = status
    version.reviewed_by_id = actor.id
    version.reviewed_at = clock.utcnow()
    version.review_comment = comment
    if version.plan.latest() is version:
        version.plan.status = status
    resolve(f"plan:review:{version.id}")


def edit_note(actor, plan, note):
    _refuse_if(rules.edit_problem(role_codes(actor), actor.org_id, plan.enterprise_id))
    _refuse_if(rules.note_problem(note))


# ---------------------------------------------------------------------------------------------------------
# Overview: every enterprise in the user's scope with its plan's state, including those without a plan


FILTERS = ("not_approved", PlanStatus.NONE, VersionStatus.SUBMITTED, VersionStatus.RETURNED,
           VersionStatus.APPROVED)


def overview(user, only=None):
    """[(enterprise, plan or None, status key, has approved plan)], enterprises ordered by code.
    `only`: one of FILTERS ("not_approved": every enterprise without an approved plan)."""
    s = user_scope(user)
    query = select(Organization).where(Organization.kind == OrgKind.ENTERPRISE).order_by(Organization.code)
    if not s.city_wide:
        query = query.where(Organization.id.in_(sorted(s.org_ids) or [-1]))
    enterprises = db.session.scalars(query).all()
    ids = [e.id for e in enterprises]
    plans = {p.enterprise_id: p for p in db.session.scalars(
        select(ImplementationPlan).where(ImplementationPlan.enterprise_id.in_(ids or [-1])))}
    rows = []
    for enterprise in enterprises:
        plan = plans.get(enterprise.id)
        status = plan.status if plan is not None and plan.versions else PlanStatus.NONE
        approved = plan is not None and rules.has_approved_plan(v.status for v in plan.versions)
        if only == "not_approved" and approved:
            continue
        if only in PlanStatus.LABELS and status != only:
            continue
        rows.append((enterprise, plan, status, approved))
    return rows
