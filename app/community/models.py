"""The community's lasting service work after the handover (policy 二(一)): the per-retiree service ledger,
eligibility certification (资格认证), deaths and survivor claims (丧葬补助费, 一次性抚恤费).

Every row belongs to a retiree and is seen by the units that received that retiree — the receiving county,
township, community or liaison office and the units above them — never by the enterprise (the work is
separated from the enterprise after the handover, policy 二(六)). The scope columns are read from the retiree
row itself (`column_property`), so a move to another community moves the whole ledger with it and no copy can
go stale.
"""
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import (Boolean, Column, Date, DateTime, ForeignKey, Integer, Numeric, String, UniqueConstraint, select)
from sqlalchemy.orm import column_property, relationship

from app.retirees.models import Retiree

# The retiree's receiving units: the scope of every service row.
SCOPE_COLUMNS = ("receiving_county_id", "receiving_township_id", "receiving_community_id", "liaison_office_id")


def _retiree_scope(cls):
    """Give a model with `retiree_id` the retiree's receiving units as read-only scope columns."""
    for name in SCOPE_COLUMNS:
        setattr(cls, name, column_property(
            select(getattr(Retiree, name)).where(Retiree.id == cls.retiree_id).correlate_except(Retiree)
            .scalar_subquery()))
    cls.__scope_columns__ = SCOPE_COLUMNS
    cls.__audit_ignore__ = SCOPE_COLUMNS + (("access_code_hash",) if cls.__name__ == "ServiceRecord" else ())
    return cls


def care_unit(retiree):
    """The unit that looks after a retiree: the community, else the township, else the liaison office."""
    from app.org.cache import org_by_id

    if retiree is None:
        return None
    return org_by_id(retiree.receiving_community_id or retiree.receiving_township_id or retiree.liaison_office_id)


class CertMethod:
    IN_PERSON = "in_person"
    HOME_VISIT = "home_visit"
    VIDEO = "video"
    SOCIAL_SECURITY = "social_security"
    LABELS = {
        IN_PERSON: _l("In person at the service point"),
        HOME_VISIT: _l("Home visit"),
        VIDEO: _l("Remote (video)"),
        SOCIAL_SECURITY: _l("Social-security system record"),
    }


class LifeStatus:
    ALIVE = "alive"
    DECEASED = "deceased"
    LABELS = {ALIVE: _l("Alive"), DECEASED: _l("Deceased")}


class ServiceRecord(Model):
    """One row per retiree in the community's care: the next certification date and survival status."""
    __tablename__ = "svc_record"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), nullable=False, unique=True)
    status = Column(String(12), nullable=False, default=LifeStatus.ALIVE, index=True)
    cert_due_on = Column(Date, index=True)  # None once the retiree has died
    last_certified_on = Column(Date)
    created_at = Column(DateTime, nullable=False)  # UTC
    # The retiree's own access (selfcheck.py): a code the community hands the retiree, stored as a hash only.
    access_code_hash = Column(String(200))
    access_code_until = Column(Date)

    retiree = relationship("Retiree")

    def status_label(self):
        return str(LifeStatus.LABELS.get(self.status, self.status))

    def unit_name(self):
        unit = care_unit(self.retiree)
        return unit.name if unit is not None else ""

    def __str__(self):
        return self.retiree.name_display() if self.retiree is not None else str(self.id)


class Certification(Model):
    """One eligibility certification done for a retiree."""
    __tablename__ = "svc_certification"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), nullable=False, index=True)
    due_on = Column(Date)  # the due date this certification answered
    done_on = Column(Date, nullable=False, index=True)
    method = Column(String(20), nullable=False)
    done_by_id = Column(Integer, ForeignKey("ab_user.id"))
    org_id = Column(Integer, ForeignKey("org_unit.id"))  # the unit that did it
    note = Column(String(500))
    created_at = Column(DateTime, nullable=False)

    retiree = relationship("Retiree")
    done_by = relationship("OrgUser", foreign_keys=[done_by_id])
    org = relationship("Organization", foreign_keys=[org_id])

    def method_label(self):
        return str(CertMethod.LABELS.get(self.method, self.method))


class DeathSource:
    FAMILY = "family"
    HOSPITAL = "hospital"
    POLICE = "police"
    SOCIAL_SECURITY = "social_security"
    COMMUNITY = "community"
    LABELS = {
        FAMILY: _l("Family"),
        HOSPITAL: _l("Hospital death certificate"),
        POLICE: _l("Household registration cancelled (police)"),
        SOCIAL_SECURITY: _l("Social-security system"),
        COMMUNITY: _l("Community worker"),
    }


class DeathReport(Model):
    __tablename__ = "svc_death_report"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), nullable=False, unique=True)
    death_date = Column(Date, nullable=False)
    source = Column(String(20), nullable=False)
    evidence_file_id = Column(Integer, ForeignKey("stored_file.id"))
    note = Column(String(500))
    reported_on = Column(Date, nullable=False)
    reported_by_id = Column(Integer, ForeignKey("ab_user.id"))
    org_id = Column(Integer, ForeignKey("org_unit.id"))
    created_at = Column(DateTime, nullable=False)

    retiree = relationship("Retiree")
    evidence_file = relationship("StoredFile")
    reported_by = relationship("OrgUser", foreign_keys=[reported_by_id])
    claims = relationship("SurvivorClaim", back_populates="death_report", order_by="SurvivorClaim.kind")

    def source_label(self):
        return str(DeathSource.LABELS.get(self.source, self.source))


class ClaimKind:
    FUNERAL = "funeral"
    PENSION = "pension"
    LABELS = {FUNERAL: _l("Funeral subsidy"), PENSION: _l("One-time survivor pension")}


class ClaimStep:
    """The steps of a claim, in order; a claim's state is the last step it has reached."""
    OPEN = "open"  # opened by the death report, waiting for the survivors' application
    SUBMITTED = "submitted"  # the community has declared it to the paying agency
    APPROVED = "approved"
    PAID = "paid"
    ORDER = (OPEN, SUBMITTED, APPROVED, PAID)
    LABELS = {
        OPEN: _l("Waiting for the application"),
        SUBMITTED: _l("Submitted"),
        APPROVED: _l("Approved"),
        PAID: _l("Paid"),
    }


class SurvivorClaim(Model):
    __tablename__ = "svc_claim"
    __table_args__ = (UniqueConstraint("death_report_id", "kind"),)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    death_report_id = Column(Integer, ForeignKey("svc_death_report.id", ondelete="CASCADE"), nullable=False,
                             index=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(12), nullable=False)
    step = Column(String(12), nullable=False, default=ClaimStep.OPEN, index=True)
    opened_on = Column(Date, nullable=False)
    applicant_name = Column(String(60))
    applicant_relation = Column(String(30))
    amount_claimed = Column(Numeric(12, 2))
    submitted_to = Column(String(120))
    submitted_on = Column(Date)
    amount_approved = Column(Numeric(12, 2))
    approved_on = Column(Date)
    paid_on = Column(Date)
    note = Column(String(500))
    changed_by_id = Column(Integer, ForeignKey("ab_user.id"))

    death_report = relationship("DeathReport", back_populates="claims")
    retiree = relationship("Retiree")

    def kind_label(self):
        return str(ClaimKind.LABELS.get(self.kind, self.kind))

    def step_label(self):
        return str(ClaimStep.LABELS.get(self.step, self.step))


for _model in (ServiceRecord, Certification, DeathReport, SurvivorClaim):
    _retiree_scope(_model)


class MoveStatus:
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    LABELS = {REQUESTED: _l("Waiting for the receiving community"), ACCEPTED: _l("Accepted"),
              RETURNED: _l("Returned")}


class CommunityMove(Model):
    """A retiree's move to another community: a handover between communities, two-sided (the sending one
    requests, the receiving one accepts or returns it), kept as history."""
    __tablename__ = "svc_move"
    # Both sides (and the units above them) see the move, whatever the retiree's current place.
    __scope_columns__ = ("from_unit_id", "to_unit_id")
    __audited__ = True

    id = Column(Integer, primary_key=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), nullable=False, index=True)
    from_unit_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    to_unit_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    old_residence = Column(String(200))
    new_residence = Column(String(200), nullable=False)
    reason = Column(String(500))
    status = Column(String(12), nullable=False, default=MoveStatus.REQUESTED, index=True)
    requested_on = Column(Date, nullable=False)
    requested_by_id = Column(Integer, ForeignKey("ab_user.id"))
    decided_on = Column(Date)
    decided_by_id = Column(Integer, ForeignKey("ab_user.id"))
    return_reason = Column(String(500))

    retiree = relationship("Retiree")
    from_unit = relationship("Organization", foreign_keys=[from_unit_id])
    to_unit = relationship("Organization", foreign_keys=[to_unit_id])

    def status_label(self):
        return str(MoveStatus.LABELS.get(self.status, self.status))


class CareKind:
    """Hardship flags (policy 二(一): 高龄、孤寡、病残). Age is computed from the birth date; the others are
    recorded by the community, each with its source."""
    AGED_80 = "aged_80"
    LIVES_ALONE = "lives_alone"
    LONG_TERM_ILL = "long_term_ill"
    DISABLED = "disabled"
    WIDOWED = "widowed"
    LABELS = {
        AGED_80: _l("Aged 80 or over"),
        LIVES_ALONE: _l("Lives alone"),
        LONG_TERM_ILL: _l("Long-term illness"),
        DISABLED: _l("Disabled"),
        WIDOWED: _l("Widowed"),
    }
    RECORDED = (LIVES_ALONE, LONG_TERM_ILL, DISABLED, WIDOWED)


class CareFlag(Model):
    __tablename__ = "svc_care_flag"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(20), nullable=False)
    source = Column(String(200), nullable=False)  # how the community knows (certificate, visit, family)
    noted_on = Column(Date, nullable=False)
    noted_by_id = Column(Integer, ForeignKey("ab_user.id"))
    ended_on = Column(Date)  # no longer applies (kept: the history of the person's situation)

    retiree = relationship("Retiree")

    def kind_label(self):
        return str(CareKind.LABELS.get(self.kind, self.kind))


class AidKind:
    CASH = "cash"
    GOODS = "goods"
    MEDICAL = "medical"
    SERVICE = "service"
    LABELS = {CASH: _l("Cash aid"), GOODS: _l("Goods"), MEDICAL: _l("Medical aid"), SERVICE: _l("Care service")}


class Aid(Model):
    __tablename__ = "svc_aid"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(12), nullable=False)
    amount = Column(Numeric(12, 2))
    given_on = Column(Date, nullable=False, index=True)
    note = Column(String(500))
    given_by_id = Column(Integer, ForeignKey("ab_user.id"))
    org_id = Column(Integer, ForeignKey("org_unit.id"))

    retiree = relationship("Retiree")

    def kind_label(self):
        return str(AidKind.LABELS.get(self.kind, self.kind))


class HealthRecord(Model):
    """A minimal health record, kept only with the retiree's (or a relative's) consent."""
    __tablename__ = "svc_health"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), nullable=False, unique=True)
    consent_on = Column(Date, nullable=False)
    consent_by = Column(String(60), nullable=False)  # the retiree, or the relative who consented
    chronic_conditions = Column(String(300))
    last_checkup_on = Column(Date)
    note = Column(String(500))
    changed_by_id = Column(Integer, ForeignKey("ab_user.id"))

    retiree = relationship("Retiree")


for _model in (CareFlag, Aid, HealthRecord):
    _retiree_scope(_model)


class RoundKind:
    LOSAR = "losar"
    SPRING_FESTIVAL = "spring_festival"
    OTHER = "other"
    LABELS = {LOSAR: _l("Tibetan New Year (Losar)"), SPRING_FESTIVAL: _l("Spring Festival"), OTHER: _l("Other")}


class VisitRound(Model):
    """A holiday condolence round (节日慰问) organised by a county, township or community: it reaches every
    unit below the organiser. A round holds no personal data, so every reader of the service ledger sees the
    calendar of rounds; the coverage figures and the visits are narrowed to the reader's scope."""
    __tablename__ = "svc_round"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    kind = Column(String(20), nullable=False)
    title = Column(String(120), nullable=False)
    starts_on = Column(Date, nullable=False)
    ends_on = Column(Date, nullable=False)
    created_by_id = Column(Integer, ForeignKey("ab_user.id"))

    org = relationship("Organization", foreign_keys=[org_id])

    def kind_label(self):
        from app.community.rules import round_kinds

        return str(round_kinds().get(self.kind, self.kind))

    def __str__(self):
        return self.title


class Visit(Model):
    """A visit to a retiree (走访慰问): planned, then done, by whom, with what."""
    __tablename__ = "svc_visit"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), nullable=False, index=True)
    round_id = Column(Integer, ForeignKey("svc_round.id"), index=True)
    planned_on = Column(Date, index=True)
    done_on = Column(Date, index=True)
    visitors = Column(String(200))  # who went (names, posts)
    gift = Column(String(200))  # what was given
    amount = Column(Numeric(12, 2))
    note = Column(String(500))
    recorded_by_id = Column(Integer, ForeignKey("ab_user.id"))

    retiree = relationship("Retiree")
    round = relationship("VisitRound")


_retiree_scope(Visit)


class RequestKind:
    CONSULTATION = "consultation"
    PENSION = "pension"
    CERTIFICATION = "certification"
    SURVIVOR = "survivor"
    ARCHIVE = "archive"
    PARTY = "party"
    OTHER = "other"
    LABELS = {
        CONSULTATION: _l("Consultation"),
        PENSION: _l("Pension and insurance"),
        CERTIFICATION: _l("Eligibility certification"),
        SURVIVOR: _l("Survivor benefits"),
        ARCHIVE: _l("Archives and certificates"),
        PARTY: _l("Party relations"),
        OTHER: _l("Other"),
    }


class RequestState:
    OPEN = "open"
    HANDING_ON = "handing_on"  # offered to another unit; the owner stays responsible until it accepts
    CLOSED = "closed"
    LABELS = {OPEN: _l("In hand"), HANDING_ON: _l("Being handed on"), CLOSED: _l("Settled")}


class Satisfaction:
    SATISFIED = "satisfied"
    BASICALLY = "basically"
    UNSATISFIED = "unsatisfied"
    LABELS = {SATISFIED: _l("Satisfied"), BASICALLY: _l("Basically satisfied"), UNSATISFIED: _l("Not satisfied")}


class ServiceRequest(Model):
    """One window (一窗受理, 首问负责, 全程代办): a retiree's request registered by whichever unit receives it;
    that unit owns it until another unit accepts it, and sees it through to the end."""
    __tablename__ = "svc_request"
    __scope_columns__ = ("receiver_org_id", "owner_org_id", "handoff_to_org_id")
    __audited__ = True

    id = Column(Integer, primary_key=True)
    applicant_name = Column(String(60), nullable=False)
    contact = Column(String(60))
    kind = Column(String(20), nullable=False)
    subject = Column(String(500), nullable=False)
    state = Column(String(12), nullable=False, default=RequestState.OPEN, index=True)
    received_on = Column(Date, nullable=False)
    promised_on = Column(Date, nullable=False, index=True)
    receiver_org_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    received_by_id = Column(Integer, ForeignKey("ab_user.id"))
    owner_org_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    owner_user_id = Column(Integer, ForeignKey("ab_user.id"))
    handoff_to_org_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    closed_on = Column(Date)
    result = Column(String(500))
    satisfaction = Column(String(12))
    satisfaction_note = Column(String(300))

    receiver_org = relationship("Organization", foreign_keys=[receiver_org_id])
    owner_org = relationship("Organization", foreign_keys=[owner_org_id])
    handoff_to_org = relationship("Organization", foreign_keys=[handoff_to_org_id])
    owner_user = relationship("OrgUser", foreign_keys=[owner_user_id])
    steps = relationship("RequestStep", back_populates="request", order_by="RequestStep.id",
                         cascade="all, delete-orphan")

    def kind_label(self):
        return str(RequestKind.LABELS.get(self.kind, self.kind))

    def state_label(self):
        return str(RequestState.LABELS.get(self.state, self.state))

    def satisfaction_label(self):
        return str(Satisfaction.LABELS.get(self.satisfaction, self.satisfaction or ""))


class StepAction:
    RECEIVED = "received"
    PROGRESS = "progress"
    HANDED_ON = "handed_on"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    CLOSED = "closed"
    LABELS = {
        RECEIVED: _l("Received"), PROGRESS: _l("Progress"), HANDED_ON: _l("Handed on"),
        ACCEPTED: _l("Accepted"), DECLINED: _l("Declined"), CLOSED: _l("Settled"),
    }


class RequestStep(Model):
    __tablename__ = "svc_request_step"
    __audited__ = True

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("svc_request.id", ondelete="CASCADE"), nullable=False, index=True)
    action = Column(String(12), nullable=False)
    on_date = Column(Date, nullable=False)
    org_id = Column(Integer, ForeignKey("org_unit.id"))
    user_id = Column(Integer, ForeignKey("ab_user.id"))
    note = Column(String(500))

    request = relationship("ServiceRequest", back_populates="steps")
    org = relationship("Organization", foreign_keys=[org_id])
    user = relationship("OrgUser", foreign_keys=[user_id])

    def action_label(self):
        return str(StepAction.LABELS.get(self.action, self.action))


class ActivityKind:
    CULTURE = "culture"
    SPORTS = "sports"
    HEALTH = "health"
    STUDY = "study"
    OTHER = "other"
    LABELS = {CULTURE: _l("Culture"), SPORTS: _l("Sports"), HEALTH: _l("Health education"),
              STUDY: _l("Policy study"), OTHER: _l("Other")}


class Activity(Model):
    """An activity the community organises for retirees (文体活动, 健康教育, 学习), with its participants."""
    __tablename__ = "svc_activity"
    __scope_columns__ = ("org_id",)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    kind = Column(String(12), nullable=False)
    title = Column(String(120), nullable=False)
    held_on = Column(Date, nullable=False, index=True)
    place = Column(String(120))
    note = Column(String(500))
    created_by_id = Column(Integer, ForeignKey("ab_user.id"))

    org = relationship("Organization", foreign_keys=[org_id])
    participants = relationship("Retiree", secondary="svc_activity_participant", order_by="Retiree.id")

    def kind_label(self):
        return str(ActivityKind.LABELS.get(self.kind, self.kind))


class ActivityParticipant(Model):
    __tablename__ = "svc_activity_participant"

    activity_id = Column(Integer, ForeignKey("svc_activity.id", ondelete="CASCADE"), primary_key=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), primary_key=True)


class MeetingKind:
    """三会一课 and the other basic systems of branch life (policy 二(三))."""
    MEMBERS = "members"
    COMMITTEE = "committee"
    GROUP = "group"
    LECTURE = "lecture"
    LIFE = "life"
    REVIEW = "review"
    LABELS = {
        MEMBERS: _l("Branch members' meeting"),
        COMMITTEE: _l("Branch committee meeting"),
        GROUP: _l("Party group meeting"),
        LECTURE: _l("Party lecture"),
        LIFE: _l("Organisational life meeting"),
        REVIEW: _l("Democratic appraisal of members"),
    }


class PartyMeeting(Model):
    """A meeting of the community's retired party members' branch, with the members' attendance."""
    __tablename__ = "svc_party_meeting"
    __scope_columns__ = ("org_id",)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    org_id = Column(Integer, ForeignKey("org_unit.id"), nullable=False, index=True)
    branch = Column(String(120), nullable=False)
    kind = Column(String(12), nullable=False)
    held_on = Column(Date, nullable=False, index=True)
    topic = Column(String(200), nullable=False)
    created_by_id = Column(Integer, ForeignKey("ab_user.id"))

    org = relationship("Organization", foreign_keys=[org_id])
    attendance = relationship("PartyAttendance", back_populates="meeting", cascade="all, delete-orphan",
                              order_by="PartyAttendance.retiree_id")

    def kind_label(self):
        return str(MeetingKind.LABELS.get(self.kind, self.kind))


class PartyAttendance(Model):
    __tablename__ = "svc_party_attendance"

    meeting_id = Column(Integer, ForeignKey("svc_party_meeting.id", ondelete="CASCADE"), primary_key=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), primary_key=True)
    present = Column(Boolean, nullable=False, default=True)
    absence_reason = Column(String(100))

    meeting = relationship("PartyMeeting", back_populates="attendance")
    retiree = relationship("Retiree")


class PartyDues(Model):
    """Party dues paid by a retired member after the transfer (one row per month paid)."""
    __tablename__ = "svc_party_dues"
    __table_args__ = (UniqueConstraint("retiree_id", "month"),)
    __audited__ = True

    id = Column(Integer, primary_key=True)
    retiree_id = Column(Integer, ForeignKey("retiree.id", ondelete="CASCADE"), nullable=False, index=True)
    month = Column(String(7), nullable=False)  # YYYY-MM
    amount = Column(Numeric(10, 2), nullable=False)
    paid_on = Column(Date, nullable=False)
    recorded_by_id = Column(Integer, ForeignKey("ab_user.id"))

    retiree = relationship("Retiree")


_retiree_scope(PartyDues)
