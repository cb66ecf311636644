"""The one write path of the retiree ledger (issue 10). The ledger form, the REST API, the roster import (web and
CLI, in its batched form) and the demo seed all call these functions; each one checks scope, the ledger's rules,
the acting side's field rules and the handover lock, creates the rows that follow a retiree (checklist and items,
party transfer, archive transfer) explicitly, keeps their organization columns in step, and writes the audit rows
— in the caller's one transaction (the caller commits; on a refusal it rolls back and nothing is changed).

Refusals: `app.rules.RuleViolation({field: [messages]})` for a field, `app.steps.Refusal(message)` for a step that
is not possible at all, `app.security.scope.ScopeError` for a row outside the actor's scope.
"""
import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Boolean, Date, func, inspect as sa_inspect, select

from app.audit import created_with, record_bulk_create
from app.bulk import ids_by, insert_rows
from app.extensions import db
from app.handover import services as handover
from app.dates import parse_date
from app.handover.models import HandoverCase, HandoverItem, ItemState, Stream
from app.org.cache import all_orgs
from app.org.models import Organization
from app.party.models import PartyTransfer
from app.archives.models import ArchiveTransfer
from app.retirees import rules
from app.retirees.codes import CORRECTABLE_FIELDS, SYSTEM, CorrectionStatus, EndReason
from app.retirees.followers import RETIREE_ORG_COLUMNS, copy_scope, delete_followers, follow
from app.retirees.models import Retiree, RetireeCorrection
from app.rules import RuleViolation
from app.security.access import role_codes
from app.security.scope import ScopeError, check_write, system_actor, user_scope
from app.steps import Refusal
from app.text import Bilingual
from app.tibetan import forms

CHUNK = 900  # IN-list and INSERT batch size that every database accepts
# Columns a write may set; the rest (id, timestamps, end of record) only the service sets.
WRITABLE = tuple(c.key for c in Retiree.__table__.columns
                 if c.key not in ("id", "created_on", "changed_on", "ended_on", "end_reason", "end_note"))


def side_of(actor):
    """The side the actor writes for: a command-line job (seed, migration) acts as the system."""
    if actor is None and system_actor() is not None:
        return SYSTEM
    return rules.side_of(role_codes(actor) if actor is not None else set())


# ---------------------------------------------------------------------------------------------------------
# Checks shared by every path


def duplicate_holder(number, exclude_id=None):
    """The enterprise that already holds this resident ID anywhere in the city, or None (only the enterprise
    is named, never the other record's personal data, whatever the user's scope)."""
    query = select(Organization).join(Retiree, Retiree.enterprise_id == Organization.id).where(
        Retiree.resident_id == number)
    if exclude_id is not None:
        query = query.where(Retiree.id != exclude_id)
    with db.session.no_autoflush:
        return db.session.scalars(query.limit(1)).first()


def duplicate_problem(number, exclude_id=None):
    holder = duplicate_holder(number, exclude_id)
    if holder is not None:
        return _l("This resident ID number is already registered by %(enterprise_agt)s.",
                  **forms(enterprise=Bilingual.of_org(holder)))
    return None


def apply_scalar_defaults(retiree):
    """Column defaults apply only at INSERT; the rules must see them before (a payload may omit them)."""
    for column in Retiree.__table__.columns:
        default = column.default
        if default is not None and default.is_scalar and getattr(retiree, column.key, None) is None:
            setattr(retiree, column.key, default.arg)


def changed_columns(retiree):
    """{column: (old, new)} of the pending changes of a loaded retiree (relationships as their keys)."""
    state = sa_inspect(retiree)
    changes = {}
    for col in WRITABLE:
        rel = col[:-3] if col.endswith("_id") and col[:-3] in state.mapper.relationships else None
        if rel is not None and rel in retiree.__dict__ and state.attrs[rel].history.has_changes():
            target = retiree.__dict__[rel]
            new = target.id if target is not None else None
            hist = state.attrs[col].history
            old = hist.deleted[0] if hist.deleted else (hist.unchanged[0] if hist.unchanged else
                                                        state.committed_state.get(col, getattr(retiree, col)))
            if old != new:
                changes[col] = (old, new)
            continue
        hist = state.attrs[col].history
        if hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                changes[col] = (old, new)
    return changes


def _raise_problems(problems):
    if problems:
        raise RuleViolation(problems)


def _merge(problems, more):
    for field, messages in more.items():
        problems.setdefault(field, []).extend(messages)
    return problems


def is_locked(retiree):
    if retiree.id is None:
        return False
    with db.session.no_autoflush:
        return retiree.id in handover.locked_retiree_ids(db.session, [retiree.id])


# ---------------------------------------------------------------------------------------------------------
# One record


def create_retiree(actor, retiree, side=None):
    """Enter a new retiree (a transient Retiree with its values set) and the rows that follow them."""
    side = side or side_of(actor)
    apply_scalar_defaults(retiree)
    problems = rules.field_problems(side, set_columns(retiree), False, creating=True)
    _merge(problems, rules.retiree_problems(retiree, duplicate=duplicate_problem))
    _raise_problems(problems)
    check_write(retiree, actor)
    db.session.add(retiree)
    if handover.enters_flow(retiree):
        handover.new_case(db.session, retiree)
    db.session.flush()
    return retiree


def set_columns(retiree):
    """The columns a new record fills (a relationship counts for its key)."""
    out = []
    for col in WRITABLE:
        rel = col[:-3]
        value = getattr(retiree, rel, None) if rel in Retiree.__org_kinds__ and rel in vars(retiree) else None
        if value is None:
            value = getattr(retiree, col, None)
        if value not in (None, False, ""):
            out.append(col)
    return out


def update_retiree(actor, retiree, side=None, correction=None):
    """Save the pending changes of a loaded retiree (set by a form, the API or the import).

    `correction`: an accepted RetireeCorrection whose field this change applies (the other side's acceptance
    replaces the field rule for that one field)."""
    side = side or side_of(actor)
    with db.session.no_autoflush:
        changes = changed_columns(retiree)
        before = {col: changes[col][0] if col in changes else getattr(retiree, col) for col in RETIREE_ORG_COLUMNS}
        checked = [c for c in changes if correction is None or c != correction.field]
        problems = rules.field_problems(side, checked, is_locked(retiree))
        _merge(problems, rules.retiree_problems(retiree, duplicate=duplicate_problem))
    _raise_problems(problems)
    check_write(retiree, actor, before=before)
    if changes.keys() & set(RETIREE_ORG_COLUMNS):
        follow(db.session, retiree)
    if changes.get("party_member", (None, None))[1]:
        _party_member_added(retiree)
    db.session.flush()
    return retiree


def _party_member_added(retiree):
    """A retiree recorded as a party member later gets a party transfer and an open party stream."""
    with db.session.no_autoflush:
        case = handover.case_of(retiree.id)
        exists = db.session.scalar(select(func.count()).select_from(PartyTransfer).where(
            PartyTransfer.retiree_id == retiree.id))
    if case is None:
        return
    if not exists:
        party = PartyTransfer(retiree=retiree, dues_base_verified=False)
        copy_scope(party, retiree)
        db.session.add(party)
    item = case.item(Stream.PARTY)
    if item is not None and item.state == ItemState.NOT_APPLICABLE:
        item.state = ItemState.NOT_STARTED
        handover.summarize(case)


def delete_retiree(actor, retiree, side=None):
    """Delete a record entered by mistake: only while no handover step lies behind it, never by the receiving
    side. The rows that follow the retiree go with it."""
    side = side or side_of(actor)
    check_write(retiree, actor, before={c: getattr(retiree, c) for c in RETIREE_ORG_COLUMNS})
    with db.session.no_autoflush:
        has_steps = retiree.id is not None and (handover.has_handover_steps(db.session, retiree.id)
                                                or is_locked(retiree))
    message = rules.delete_problem(side, has_steps)
    if message:
        raise Refusal(message)
    delete_followers(db.session, retiree.id)
    db.session.delete(retiree)  # the flush orders the followers' DELETEs first


def end_record(actor, retiree, reason, on_date=None, note=None, side=None):
    """End a record with a reason (deceased, duplicate, ...) instead of deleting it; the audit keeps it."""
    side = side or side_of(actor)
    check_write(retiree, actor, before={c: getattr(retiree, c) for c in RETIREE_ORG_COLUMNS})
    message = rules.end_problem(side, reason, note, retiree.ended_on is not None)
    if message:
        raise RuleViolation({"end_reason": [message]})
    on_date = on_date or datetime.date.today()
    if reason == EndReason.DECEASED:
        problem = rules.death_problem(True, on_date, retiree.birth_date)
        if problem:
            raise RuleViolation({"ended_on": [problem]})
        retiree.deceased = True
        retiree.death_date = retiree.death_date or on_date
    retiree.ended_on = on_date
    retiree.end_reason = reason
    retiree.end_note = (note or "").strip()[:500] or None
    db.session.flush()
    return retiree


# ---------------------------------------------------------------------------------------------------------
# Corrections of a locked record


def _value_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _typed(column, text):
    """The column's value from the text a correction carries."""
    kind = Retiree.__table__.columns[column].type
    text = (text or "").strip()
    if isinstance(kind, Boolean):
        return text.rstrip("།").lower() in ("1", "true", "yes", "y", "是", "ཡིན", "ཡོད")
    if isinstance(kind, Date):
        try:
            return parse_date(text)
        except (ValueError, OverflowError):
            raise RuleViolation({"new_value": [_l("Not a date (write it as 2020-06-30).")]})
    return text or None


def request_correction(actor, correction, side=None):
    """Ask for a correction of a locked record (`correction`: a new RetireeCorrection with its retiree, field,
    new value and reason set); both sides see it, the other side decides."""
    side = side or side_of(actor)
    retiree = correction.retiree
    if retiree is None:
        raise RuleViolation({"retiree": [_l("This field is required.")]})
    check_write(retiree, actor, before={c: getattr(retiree, c) for c in RETIREE_ORG_COLUMNS})
    column = correction.field
    message = rules.correction_request_problem(side, column, is_locked(retiree), correction.reason)
    if message:
        raise RuleViolation({"field" if column not in CORRECTABLE_FIELDS else "reason": [message]})
    value = _typed(column, correction.new_value)
    if value == getattr(retiree, column):
        raise RuleViolation({"new_value": [_l("The corrected value is the recorded one.")]})
    correction.old_value = _value_text(getattr(retiree, column))
    correction.new_value = _value_text(value)
    correction.reason = correction.reason.strip()[:500]
    correction.requested_side = side
    correction.requested_by_id = getattr(actor, "id", None)
    correction.requested_on = datetime.datetime.utcnow()
    correction.status = CorrectionStatus.REQUESTED
    copy_scope(correction, retiree)
    db.session.add(correction)
    db.session.flush()
    return correction


def decide_correction(actor, correction, accept, note=None, side=None):
    """The other side accepts (the change is applied through update_retiree, with every ledger rule) or
    rejects a correction request."""
    side = side or side_of(actor)
    retiree = correction.retiree
    check_write(correction, actor, before={c: getattr(correction, c) for c in RETIREE_ORG_COLUMNS})
    message = rules.correction_decision_problem(side, correction.requested_side, correction.status)
    if message:
        raise Refusal(message)
    if accept:
        setattr(retiree, correction.field, _typed(correction.field, correction.new_value))
        update_retiree(actor, retiree, side=side, correction=correction)
    correction.status = CorrectionStatus.ACCEPTED if accept else CorrectionStatus.REJECTED
    correction.decided_by_id = getattr(actor, "id", None)
    correction.decided_on = datetime.datetime.utcnow()
    correction.decision_note = (note or "").strip()[:500] or None
    db.session.flush()
    return correction


# ---------------------------------------------------------------------------------------------------------
# Many records at once: the roster import's batched form of create_retiree / update_retiree


_SCALAR_DEFAULTS = {c.key: c.default.arg for c in Retiree.__table__.columns
                    if c.default is not None and c.default.is_scalar}


class RetireeDraft:
    """A row of a batch under validation: the ledger's rules read plain attributes, so a light object serves
    (thousands of instrumented ORM objects would cost seconds) and nothing reaches the session by accident."""

    __org_kinds__ = Retiree.__org_kinds__

    def __init__(self, **values):
        for column in Retiree.__table__.columns:
            setattr(self, column.key, None)
        for rel in self.__org_kinds__:
            setattr(self, rel, None)
        for key, value in values.items():
            setattr(self, key, value)
        for key, default in _SCALAR_DEFAULTS.items():
            if getattr(self, key) is None:
                setattr(self, key, default)
        for rel in self.__org_kinds__:
            target = getattr(self, rel)
            if target is not None:
                setattr(self, f"{rel}_id", target.id)

    @property
    def in_handover_flow(self):
        return not self.is_lixiu


def locked_ids(retiree_ids):
    return handover.locked_retiree_ids(db.session, list(retiree_ids))


def batch_problems(side, draft, changed, locked):
    """What create_retiree/update_retiree would refuse for one row of a batch, by field (ledger rules without
    the duplicate query: the batch checks duplicates for the whole file at once)."""
    problems = rules.field_problems(side, changed, locked, creating=getattr(draft, "id", None) is None)
    return _merge(problems, rules.retiree_problems(draft))


def _defaults(model):
    out = {}
    for column in model.__table__.columns:
        default = column.default
        if default is not None:
            out[column.key] = default.arg if default.is_scalar else None
    return out


def _callable_defaults(model, now):
    return {c.key: now for c in model.__table__.columns
            if c.default is not None and not c.default.is_scalar and c.key not in ("id",)}


def _insert(model, rows, *key):
    """INSERT rows in batches; {key value(s): id}, read back by the key (unique per batch)."""
    insert_rows(model.__table__, rows)
    return ids_by(model.__table__, key, {row[key[0]] for row in rows})


def _full_rows(model, values_list, now):
    base = {c.key: None for c in model.__table__.columns if c.key != "id"}
    base.update({k: v for k, v in _defaults(model).items() if k != "id"})
    base.update(_callable_defaults(model, now))
    return [dict(base, **values) for values in values_list]


def create_many(actor, drafts, side=None):
    """Enter many new retirees (`drafts`: RetireeDrafts with their enterprise, checked by `batch_problems` in this
    transaction) with the same dependent rows and audit rows as create_retiree, in batched INSERTs (10,000 rows
    stay within the import's time budget)."""
    side = side or side_of(actor)
    now = datetime.datetime.utcnow()
    units = handover.place_units(all_orgs())
    cluster = {}
    columns = [c.key for c in Retiree.__table__.columns if c.key != "id"]
    scope = user_scope(actor)
    records = []
    for draft in drafts:
        values = {c: getattr(draft, c) for c in columns if getattr(draft, c, None) is not None}
        records.append(values)
        problems = rules.field_problems(side, set_columns(draft), False, creating=True)
        if problems:
            raise RuleViolation(problems)
        # check_write for a row that is not an ORM object yet: one of its units must lie in the actor's scope
        if not scope.city_wide and not any(scope.allows_org(values.get(c)) for c in RETIREE_ORG_COLUMNS):
            raise ScopeError()
    retirees = _full_rows(Retiree, records, now)
    retiree_ids = _insert(Retiree, retirees, "resident_id")
    for row in retirees:
        row["id"] = retiree_ids[row["resident_id"]]
    record_bulk_create(Retiree, [(r["id"], r) for r in retirees])

    plans = []
    for draft, row in zip(drafts, retirees):
        if not handover.enters_flow(draft):
            continue
        enterprise = draft.enterprise
        if enterprise.id not in cluster:
            cluster[enterprise.id] = None
            if enterprise.location_county is None:
                cluster[enterprise.id] = handover.cluster_county_of(db.session, enterprise.id)
        proposal = handover.proposal_for(db.session, draft, units, cluster_county=cluster[enterprise.id])
        scope = {c: row[c] for c in RETIREE_ORG_COLUMNS}
        plans.append((row["id"], handover.dependent_rows(draft, scope, proposal)))

    cases = _full_rows(HandoverCase, [dict(p["case"], retiree_id=rid) for rid, p in plans], now)
    case_ids = _insert(HandoverCase, cases, "retiree_id")
    for row in cases:
        row["id"] = case_ids[row["retiree_id"]]
    items = _full_rows(HandoverItem, [dict(item, case_id=case_ids[rid]) for rid, p in plans for item in p["items"]],
                       now)
    parties = _full_rows(PartyTransfer, [dict(p["party"], retiree_id=rid) for rid, p in plans if p["party"]], now)
    archives = _full_rows(ArchiveTransfer, [dict(p["archive"], retiree_id=rid) for rid, p in plans], now)
    for model, rows, key in ((HandoverItem, items, None), (PartyTransfer, parties, "retiree_id"),
                             (ArchiveTransfer, archives, "retiree_id")):
        if not rows:
            continue
        if key is None:  # items: (case, stream) is unique
            ids = _insert(model, rows, "case_id", "stream")
            for row in rows:
                row["id"] = ids[(row["case_id"], row["stream"])]
        else:
            ids = _insert(model, rows, key)
            for row in rows:
                row["id"] = ids[row[key]]
    # a checklist's items are listed in the checklist's audit row, as the flush listener records them
    listed = {}
    for row in sorted(items, key=lambda r: r["id"]):
        listed.setdefault(row["case_id"], {"items": []})["items"].append(created_with(HandoverItem, row))
    record_bulk_create(HandoverCase, [(r["id"], r) for r in cases], inside=listed)
    record_bulk_create(PartyTransfer, [(r["id"], r) for r in parties])
    record_bulk_create(ArchiveTransfer, [(r["id"], r) for r in archives])
    return [r["id"] for r in retirees]

