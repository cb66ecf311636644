"""The retirees' own access (issue 14): a public page, no login, where a retiree (or a relative) enters the
resident ID number, the name and the access code the community gave them, and sees in their language their
handover status, their community's contact and the date of their next certification — nothing else.

Against enumeration: an unknown ID number, a wrong name and a wrong or expired code get the same answer,
after the same work (a hash is checked even when there is no row). Every attempt is rate-limited per address
and per ID number (the `limits` library under Flask-Limiter, on the app's RATELIMIT_STORAGE_URI, always on:
the page is public) and written to the audit log with the ID number masked.
"""
import json
import secrets

from flask import current_app, request
from flask_appbuilder import BaseView, expose
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app import clock
from app.extensions import db

DEFAULT_LIMIT = "10/10minute"  # per client address
DEFAULT_LIMIT_PER_ID = "5/hour"  # per ID number, whatever the address
DEFAULT_CODE_DAYS = 90
_DUMMY_HASH = generate_password_hash("not-a-code")
_limiter = {}


def _rate_limiter():
    from limits import storage, strategies

    uri = current_app.config.get("RATELIMIT_STORAGE_URI", "memory://")
    if uri not in _limiter:
        _limiter[uri] = strategies.MovingWindowRateLimiter(storage.storage_from_string(uri))
    return _limiter[uri]


def allowed(id_number):
    """One attempt counted against the address and the ID number; False once either limit is spent."""
    from limits import parse

    limiter = _rate_limiter()
    per_ip = parse(current_app.config.get("SELF_CHECK_RATE_LIMIT", DEFAULT_LIMIT))
    per_id = parse(current_app.config.get("SELF_CHECK_RATE_LIMIT_PER_ID", DEFAULT_LIMIT_PER_ID))
    ok_ip = limiter.hit(per_ip, "selfcheck-ip", request.remote_addr or "-")
    ok_id = limiter.hit(per_id, "selfcheck-id", id_number or "-")
    return ok_ip and ok_id


def reset_limits():
    """Forget every counted attempt (tests; an operator after a false alarm)."""
    for limiter in _limiter.values():
        limiter.storage.reset()


def new_code():
    """An 8-digit code: 10^8 possibilities against 5 tries an hour per ID number."""
    return "%08d" % secrets.randbelow(10 ** 8)


def issue_code(actor, record):
    """The community issues a retiree's access code (shown once, stored as a hash); a new one replaces it."""
    import datetime

    from app.community import services
    from app.steps import Refusal

    services._check(actor, "write", record.retiree)
    if record.retiree.deceased:
        raise Refusal(_l("A deceased retiree gets no access code."))
    code = new_code()
    record.access_code_hash = generate_password_hash(code)
    record.access_code_until = clock.today() + datetime.timedelta(
        days=int(current_app.config.get("SELF_CHECK_CODE_DAYS", DEFAULT_CODE_DAYS)))
    return code


def _normal_id(value):
    return (value or "").strip().upper()[:18]


def _normal_name(value):
    return "".join((value or "").split())[:120]


def lookup(id_number, name, code):
    """The retiree's record when all three agree and the code is valid today, else None (same work either way)."""
    from app.community.models import ServiceRecord
    from app.retirees.models import Retiree

    row = db.session.execute(select(Retiree, ServiceRecord).join(
        ServiceRecord, ServiceRecord.retiree_id == Retiree.id).where(Retiree.resident_id == _normal_id(id_number))
    ).first()
    retiree, record = row if row else (None, None)
    stored = record.access_code_hash if record is not None and record.access_code_hash else _DUMMY_HASH
    code_ok = check_password_hash(stored, (code or "").strip())
    if retiree is None or record is None or not record.access_code_hash or not code_ok:
        return None
    if record.access_code_until is None or record.access_code_until < clock.today():
        return None
    given = _normal_name(name)
    if not given or given not in {_normal_name(retiree.name_zh), _normal_name(retiree.name_bo)}:
        return None
    return record


def _masked(id_number):
    from app.retirees import idcard

    value = _normal_id(id_number)
    return idcard.mask(value) if len(value) >= 10 else "*" * len(value)


def _log(id_number, outcome, record=None):
    from app.audit.models import AuditLog

    db.session.add(AuditLog(
        at=clock.utcnow(), username=None, action="self_check", model="Retiree",  # no user: the public page
        object_id=str(record.retiree_id) if record is not None else None,
        changes=json.dumps({"result": [None, outcome], "resident_id": [None, _masked(id_number)]},
                           ensure_ascii=False),
        ip=request.remote_addr))
    db.session.commit()


def answer(record):
    """What the retiree sees: handover status, the community's contact, the next certification date."""
    from app.community.models import care_unit
    from app.handover.models import HandoverCase
    from app.supervision.models import WorkContact

    retiree = record.retiree
    case = db.session.scalar(select(HandoverCase).where(HandoverCase.retiree_id == retiree.id))
    unit = care_unit(retiree)
    contacts = []
    for org in (unit, unit.parent if unit is not None else None):
        if org is None or contacts:
            continue
        contacts = db.session.scalars(select(WorkContact).where(WorkContact.org_id == org.id)
                                      .order_by(WorkContact.id).limit(2)).all()
    return {"status": case.status_label() if case is not None else "", "received_on": case.received_on
            if case is not None else None, "unit": unit, "contacts": contacts, "cert_due_on": record.cert_due_on}


class SelfCheckView(BaseView):
    """No login: the methods carry no @has_access (FAB leaves such routes public)."""
    route_base = "/self-check"
    default_view = "form"

    @expose("/", methods=["GET"])
    def form(self):
        return self.render_template("community/selfcheck.html", title=_l("Check my own record"), result=None,
                                    refused=False, limited=False)

    @expose("/", methods=["POST"])
    def check(self):
        id_number, name, code = (request.form.get(k, "") for k in ("id_number", "name", "code"))
        if not allowed(_normal_id(id_number)):
            _log(id_number, "limited")
            return self.render_template("community/selfcheck.html", title=_l("Check my own record"), result=None,
                                        refused=False, limited=True), 429
        record = lookup(id_number, name, code)
        _log(id_number, "hit" if record is not None else "miss", record)
        return self.render_template("community/selfcheck.html", title=_l("Check my own record"),
                                    result=answer(record) if record is not None else None,
                                    refused=record is None, limited=False)
