"""Thin pages over app/community/services.py: the service ledger (one row per retiree in care), the
certification lists (due, overdue, done, the campaign's progress per unit), the phone-first round of the day,
and deaths with their survivor claims. Rows are scoped by the retiree's receiving units (`__scope_columns__`)."""
import datetime
from decimal import Decimal, InvalidOperation

from flask import abort, flash, g, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app import clock
from app.community import rules, services
from app.community.models import (Activity, CommunityMove, MoveStatus, PartyMeeting, ServiceRequest, VisitRound, CertMethod, ClaimKind, care_unit, ClaimStep, DeathReport, DeathSource, LifeStatus,
                                  ServiceRecord, SurvivorClaim)
from app.deadlines import Colour
from app.extensions import db
from app.retirees.models import Retiree
from app.scoped_views import METHOD_PERMISSIONS, ScopedInterface, ScopedModelView
from app.security.roles import SERVICE_LEDGER, SERVICE_REQUEST, SURVIVOR_CLAIM
from app.security.scope import scope
from app.steps import Refusal, run_step

LIST_LIMIT = 300


def _date(value):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise Refusal(_l("Not a valid date value."))


def _amount(value):
    if not (value or "").strip():
        return None
    try:
        return Decimal(value.strip()).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise Refusal(_l("Give an amount greater than zero."))


def _refused(e, pk, endpoint=".show"):
    flash(e.message, "danger")
    return redirect(url_for(endpoint, pk=pk))


RECORD_LABELS = {
    "retiree": _l("Retiree"),
    "status_label": _l("Survival status"),
    "last_certified_on": _l("Last certified on"),
    "cert_due_on": _l("Next certification due"),
    "unit_name": _l("Community"),
}


def _unit_of(retiree):
    return care_unit(retiree)


def _cert_rows(state, today, limit=LIST_LIMIT):
    """Living retirees in the user's scope whose certification is overdue / due soon / done this cycle."""
    query = select(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id).where(
        ServiceRecord.status == LifeStatus.ALIVE)
    if state == "overdue":
        query = query.where(ServiceRecord.cert_due_on < today).order_by(ServiceRecord.cert_due_on)
    elif state == "done":
        since = rules.add_months(today, -rules.cert_cycle_months())
        query = query.where(ServiceRecord.last_certified_on > since).order_by(
            ServiceRecord.last_certified_on.desc())
    else:
        query = query.where(ServiceRecord.cert_due_on >= today,
                            ServiceRecord.cert_due_on <= today + datetime.timedelta(days=30)).order_by(
            ServiceRecord.cert_due_on)
    query = scope(query.order_by(ServiceRecord.id), ServiceRecord).limit(limit)
    return db.session.scalars(query).all()


def campaign_progress(today):
    """Per unit in the user's scope: living retirees in care, certified within the current cycle, overdue."""
    from app.org.cache import org_by_id

    since = rules.add_months(today, -rules.cert_cycle_months())
    unit = func.coalesce(Retiree.receiving_community_id, Retiree.receiving_township_id, Retiree.liaison_office_id)
    done = func.sum(case((ServiceRecord.last_certified_on > since, 1), else_=0))
    overdue = func.sum(case((ServiceRecord.cert_due_on < today, 1), else_=0))
    query = (select(unit, func.count(), done, overdue).select_from(ServiceRecord)
             .join(Retiree, Retiree.id == ServiceRecord.retiree_id)
             .where(ServiceRecord.status == LifeStatus.ALIVE).group_by(unit))
    rows = []
    for org_id, total, n_done, n_over in db.session.execute(scope(query, ServiceRecord)):
        org = org_by_id(org_id)
        if org is None:
            continue
        n_done, n_over = int(n_done or 0), int(n_over or 0)
        rows.append((org, total, n_done, n_over, round(100 * n_done / total) if total else 0))
    return sorted(rows, key=lambda r: (r[4], r[0].code))


class ServiceLedgerView(ScopedModelView):
    datamodel = ScopedInterface(ServiceRecord)
    class_permission_name = SERVICE_LEDGER
    method_permission_name = {**METHOD_PERMISSIONS, "certify": "write", "report_death": "write",
                              "certifications": "read", "today": "read", "certify_tap": "write", "move": "write",
                              "hardship": "read", "add_flag": "write", "end_flag": "write", "aid": "write",
                              "health": "write", "visit": "write", "visit_tap": "write",
                              "access_code": "write"}
    include_route_methods = {"list", "show", "certify", "report_death", "certifications", "today", "certify_tap",
                             "move", "hardship", "add_flag", "end_flag", "aid", "health", "visit", "visit_tap",
                             "access_code"}
    route_base = "/community"
    list_title = _l("Service ledger")
    show_title = _l("Service ledger")
    show_template = "community/record_show.html"
    label_columns = RECORD_LABELS
    list_columns = ["retiree", "unit_name", "status_label", "last_certified_on", "cert_due_on"]
    search_columns = ["status", "cert_due_on", "last_certified_on"]
    # No FAB add/edit routes (every write is a service step); the forms FAB builds anyway stay minimal.
    add_columns = edit_columns = ["cert_due_on"]
    base_order = ("cert_due_on", "asc")

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        record = self._scoped(pk)
        retiree = record.retiree
        today = clock.today()
        from app.community.models import Certification

        certifications = db.session.scalars(select(Certification).where(
            Certification.retiree_id == retiree.id).order_by(Certification.done_on.desc())).all()
        report = db.session.scalar(select(DeathReport).where(DeathReport.retiree_id == retiree.id))
        moves = db.session.scalars(select(CommunityMove).where(CommunityMove.retiree_id == retiree.id)
                                   .order_by(CommunityMove.id.desc())).all()
        from app.org.cache import all_orgs
        from app.org.models import OrgKind

        communities = [o for o in all_orgs() if o.kind == OrgKind.COMMUNITY and o.id != retiree.receiving_community_id]
        from app.community.models import Aid, AidKind, CareFlag, CareKind, HealthRecord

        flags = db.session.scalars(select(CareFlag).where(CareFlag.retiree_id == retiree.id)
                                   .order_by(CareFlag.ended_on.is_not(None), CareFlag.id.desc())).all()
        aids = db.session.scalars(select(Aid).where(Aid.retiree_id == retiree.id).order_by(Aid.given_on.desc())).all()
        health = db.session.scalar(select(HealthRecord).where(HealthRecord.retiree_id == retiree.id))
        current = rules.hardship_flags(retiree.birth_date, flags, today)
        from app.community.models import Visit

        visits = db.session.scalars(select(Visit).where(Visit.retiree_id == retiree.id)
                                    .order_by(Visit.done_on.is_(None).desc(), Visit.done_on.desc(), Visit.id.desc())).all()
        return self.render_template(
            self.show_template, title=self.show_title, record=record, retiree=retiree, unit=_unit_of(retiree),
            certifications=certifications, report=report, methods=CertMethod.LABELS, sources=DeathSource.LABELS,
            may_write=rules.may(g.user, "write", record), today=today,
            colour=rules.cert_colour(record.cert_due_on, today), moves=moves, communities=communities,
            move_pending=any(m.status == MoveStatus.REQUESTED for m in moves), flags=flags, aids=aids,
            health=health, current_flags=current, care_kinds=CareKind.LABELS, recorded_kinds=CareKind.RECORDED,
            aid_kinds=AidKind.LABELS, age=rules.age_on(retiree.birth_date, today), visits=visits,
            open_rounds=services.rounds_for(retiree, today))

    @expose("/<int:pk>/visit", methods=["POST"])
    @has_access
    def visit(self, pk):
        """Plan a visit, or record one done (a planned one when `visit_id` is given)."""
        from app.community.models import Visit, VisitRound

        record = self._scoped(pk)
        form = request.form
        try:
            planned_on, done_on = _date(form.get("planned_on")), _date(form.get("done_on"))
            amount = _amount(form.get("amount"))
        except Refusal as e:
            return _refused(e, pk)
        rnd = db.session.get(VisitRound, int(form["round_id"])) if (form.get("round_id") or "").isdigit() else None
        planned = db.session.get(Visit, int(form["visit_id"])) if (form.get("visit_id") or "").isdigit() else None
        if planned is not None and planned.retiree_id != record.retiree_id:
            abort(404)
        run_step(services.record_visit, record.retiree, planned_on, done_on, form.get("visitors"), form.get("gift"),
                 amount, form.get("note"), rnd, planned, success=_l("The visit was recorded."))
        return redirect(url_for(".show", pk=pk))

    @expose("/visit/<int:visit_id>/tap", methods=["POST"])
    @has_access
    def visit_tap(self, visit_id):
        """One tap on the phone page: a planned visit done today by the worker."""
        from app.community.models import Visit

        visit = db.session.get(Visit, visit_id)
        if visit is None:
            abort(404)
        record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.retiree_id == visit.retiree_id))
        self._scoped(record.id if record is not None else 0)
        who = " ".join(p for p in (g.user.last_name, g.user.first_name) if p and p != "演示") or g.user.username
        run_step(services.record_visit, visit.retiree, None, clock.today(), who, request.form.get("gift"), None,
                 None, None, visit, success=_l("The visit was recorded."))
        return redirect(url_for(".today"))

    @expose("/<int:pk>/access-code", methods=["POST"])
    @has_access
    def access_code(self, pk):
        """Issue the retiree's access code for the public self-check page: shown once, here."""
        from app.community.selfcheck import issue_code

        record = self._scoped(pk)
        try:
            code = issue_code(g.user, record)
            db.session.commit()
        except Refusal as e:
            db.session.rollback()
            return _refused(e, pk)
        flash(str(_l("Access code for the retiree: %(code)s, valid until %(until)s. Hand it to the retiree; it "
                     "is not shown again.", code=code, until=record.access_code_until.isoformat())), "success")
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/flag", methods=["POST"])
    @has_access
    def add_flag(self, pk):
        record = self._scoped(pk)
        run_step(services.add_care_flag, record.retiree, request.form.get("kind", ""),
                 (request.form.get("source") or "")[:200], success=_l("The flag was recorded."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/flag/<int:flag_id>/end", methods=["POST"])
    @has_access
    def end_flag(self, pk, flag_id):
        from app.community.models import CareFlag

        record = self._scoped(pk)
        flag = db.session.get(CareFlag, flag_id)
        if flag is None or flag.retiree_id != record.retiree_id:
            abort(404)
        run_step(services.end_care_flag, flag, success=_l("The flag was ended."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/aid", methods=["POST"])
    @has_access
    def aid(self, pk):
        record = self._scoped(pk)
        try:
            given_on, amount = _date(request.form.get("given_on")), _amount(request.form.get("amount"))
        except Refusal as e:
            return _refused(e, pk)
        run_step(services.give_aid, record.retiree, request.form.get("kind", ""), amount, given_on,
                 request.form.get("note"), success=_l("The aid was recorded."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/health", methods=["POST"])
    @has_access
    def health(self, pk):
        record = self._scoped(pk)
        form = request.form
        try:
            consent_on, checkup_on = _date(form.get("consent_on")), _date(form.get("last_checkup_on"))
        except Refusal as e:
            return _refused(e, pk)
        run_step(services.save_health, record.retiree, consent_on, form.get("consent_by", ""),
                 form.get("chronic_conditions"), checkup_on, form.get("note"),
                 success=_l("The health record was saved."))
        return redirect(url_for(".show", pk=pk))

    @expose("/hardship/")
    @has_access
    def hardship(self):
        """Retirees in hardship (80+, living alone, long-term ill, disabled, widowed), each flag with its source."""
        from app.community.models import CareFlag

        today = clock.today()
        records = db.session.scalars(scope(services.hardship_query(today), ServiceRecord)
                                     .order_by(ServiceRecord.id).limit(LIST_LIMIT)).all()
        ids = [r.retiree_id for r in records]
        by_retiree = {}
        for flag in db.session.scalars(select(CareFlag).where(CareFlag.retiree_id.in_(ids),
                                                              CareFlag.ended_on.is_(None))):
            by_retiree.setdefault(flag.retiree_id, []).append(flag)
        rows = [(r, _unit_of(r.retiree), rules.age_on(r.retiree.birth_date, today),
                 rules.hardship_flags(r.retiree.birth_date, by_retiree.get(r.retiree_id, []), today))
                for r in records]
        from app.community.models import CareKind

        return self.render_template("community/hardship.html", title=_l("Hardship and care"), rows=rows,
                                    labels=CareKind.LABELS, limit=LIST_LIMIT)

    @expose("/<int:pk>/move", methods=["POST"])
    @has_access
    def move(self, pk):
        from app.org.models import Organization

        record = self._scoped(pk)
        try:
            target = db.session.get(Organization, int(request.form.get("to_unit") or 0))
        except ValueError:
            target = None
        run_step(services.request_move, record.retiree, target, request.form.get("new_residence", ""),
                 request.form.get("reason"), success=_l("The move was sent to the receiving community."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/certify", methods=["POST"])
    @has_access
    def certify(self, pk):
        record = self._scoped(pk)
        try:
            done_on = _date(request.form.get("done_on"))
        except Refusal as e:
            return _refused(e, pk)
        run_step(services.certify, record.retiree, request.form.get("method", ""), done_on,
                 (request.form.get("note") or "")[:500], success=_l("The certification was recorded."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/certify-tap", methods=["POST"])
    @has_access
    def certify_tap(self, pk):
        """One tap on the phone page: certified today by the chosen method."""
        record = self._scoped(pk)
        run_step(services.certify, record.retiree, request.form.get("method", ""), None, None,
                 success=_l("The certification was recorded."))
        return redirect(url_for(".today"))

    @expose("/<int:pk>/death", methods=["POST"])
    @has_access
    def report_death(self, pk):
        record = self._scoped(pk)
        try:
            death_date = _date(request.form.get("death_date"))
        except Refusal as e:
            return _refused(e, pk)
        run_step(services.report_death, record.retiree, death_date, request.form.get("source", ""),
                 request.files.get("evidence"), (request.form.get("note") or "")[:500],
                 success=_l("The death was recorded and the survivor claims were opened."))
        return redirect(url_for(".show", pk=pk))

    @expose("/certifications/")
    @has_access
    def certifications(self):
        state = request.args.get("state", "due")
        if state not in ("due", "overdue", "done"):
            state = "due"
        today = clock.today()
        rows = _cert_rows(state, today)
        return self.render_template(
            "community/certifications.html", title=_l("Eligibility certification"), state=state, today=today,
            rows=[(r, _unit_of(r.retiree), rules.cert_colour(r.cert_due_on, today)) for r in rows],
            progress=campaign_progress(today), limit=LIST_LIMIT,
            states=[("due", _l("Due within 30 days")), ("overdue", _l("Overdue")), ("done", _l("Done this cycle"))])

    @expose("/today/")
    @has_access
    def today(self):
        """Phone-first: the retirees whose certification is overdue or due within the warn days, one tap each."""
        from app.deadlines import warn_days

        today = clock.today()
        query = select(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id).where(
            ServiceRecord.status == LifeStatus.ALIVE,
            ServiceRecord.cert_due_on <= today + datetime.timedelta(days=warn_days())).order_by(
            ServiceRecord.cert_due_on, ServiceRecord.id)
        rows = db.session.scalars(scope(query, ServiceRecord).limit(60)).all()
        from app.community.models import Visit

        visits = db.session.scalars(scope(select(Visit).where(Visit.done_on.is_(None), Visit.planned_on <= today)
                                          .order_by(Visit.planned_on, Visit.id), Visit).limit(60)).all()
        return self.render_template(
            "community/today.html", title=_l("Today's round"), today=today, methods=CertMethod.LABELS,
            visits=[(v, _unit_of(v.retiree)) for v in visits],
            rows=[(r, _unit_of(r.retiree), rules.cert_colour(r.cert_due_on, today)) for r in rows],
            may_write=rules.may(g.user, "write"))


CLAIM_LABELS = {
    "retiree": _l("Retiree"),
    "kind_label": _l("Claim"),
    "step_label": _l("State"),
    "opened_on": _l("Opened on"),
    "applicant_name": _l("Applicant"),
    "applicant_relation": _l("Relation to the deceased"),
    "amount_claimed": _l("Amount claimed"),
    "submitted_to": _l("Submitted to"),
    "submitted_on": _l("Submitted on"),
    "amount_approved": _l("Amount approved"),
    "approved_on": _l("Approved on"),
    "paid_on": _l("Paid on"),
    "deadline": _l("Next step due"),
}


class SurvivorClaimView(ScopedModelView):
    datamodel = ScopedInterface(SurvivorClaim)
    class_permission_name = SURVIVOR_CLAIM
    method_permission_name = {**METHOD_PERMISSIONS, "step": "write", "evidence": "read"}
    include_route_methods = {"list", "show", "step", "evidence"}
    route_base = "/community/claims"
    list_title = _l("Deaths and survivor claims")
    show_title = _l("Survivor claim")
    show_template = "community/claim_show.html"
    label_columns = CLAIM_LABELS
    list_columns = ["retiree", "kind_label", "step_label", "opened_on", "submitted_on", "approved_on", "paid_on"]
    search_columns = ["kind", "step", "opened_on"]
    add_columns = edit_columns = ["note"]
    base_order = ("opened_on", "desc")

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        claim = self._scoped(pk)
        today = clock.today()
        following = rules.next_step(claim.step)
        return self.render_template(
            self.show_template, title=self.show_title, claim=claim, report=claim.death_report,
            labels=CLAIM_LABELS, following=following, following_label=ClaimStep.LABELS.get(following),
            deadline=rules.claim_deadline(claim), colour=rules.claim_colour(claim, today), today=today,
            may_write=rules.may(g.user, "write", claim), steps=ClaimStep)

    @expose("/<int:pk>/step", methods=["POST"])
    @has_access
    def step(self, pk):
        claim = self._scoped(pk)
        form = request.form
        try:
            on_date, amount = _date(form.get("on_date")), _amount(form.get("amount"))
        except Refusal as e:
            return _refused(e, pk)
        run_step(services.advance_claim, claim, form.get("step", ""), on_date, form.get("applicant"),
                 form.get("relation"), amount, form.get("submitted_to"), (form.get("note") or "")[:500],
                 success=_l("The claim was updated."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/evidence")
    @has_access
    def evidence(self, pk):
        from app.uploads import send_stored

        claim = self._scoped(pk)
        stored = claim.death_report.evidence_file
        if stored is None:
            abort(404)
        return send_stored(stored)



MOVE_LABELS = {
    "retiree": _l("Retiree"),
    "from_unit": _l("From community"),
    "to_unit": _l("To community"),
    "new_residence": _l("New residence"),
    "old_residence": _l("Previous residence"),
    "status_label": _l("State"),
    "requested_on": _l("Requested on"),
    "decided_on": _l("Decided on"),
    "reason": _l("Reason"),
    "return_reason": _l("Reason for returning"),
}


class CommunityMoveView(ScopedModelView):
    datamodel = ScopedInterface(CommunityMove)
    class_permission_name = SERVICE_LEDGER
    method_permission_name = {**METHOD_PERMISSIONS, "accept": "write", "return_move": "write"}
    include_route_methods = {"list", "show", "accept", "return_move"}
    route_base = "/community/moves"
    list_title = _l("Moves between communities")
    show_title = _l("Move between communities")
    show_template = "community/move_show.html"
    label_columns = MOVE_LABELS
    list_columns = ["retiree", "from_unit", "to_unit", "status_label", "requested_on", "decided_on"]
    search_columns = ["status", "requested_on"]
    add_columns = edit_columns = ["reason"]
    base_order = ("requested_on", "desc")

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        from app.security.scope import user_scope

        move = self._scoped(pk)
        receiving = (rules.may(g.user, "write", move) and user_scope(g.user).allows_org(move.to_unit_id)
                     and move.status == MoveStatus.REQUESTED)
        return self.render_template(self.show_template, title=self.show_title, move=move, labels=MOVE_LABELS,
                                    receiving=receiving)

    @expose("/<int:pk>/accept", methods=["POST"])
    @has_access
    def accept(self, pk):
        move = self._scoped(pk)
        run_step(services.accept_move, move, success=_l("The move was accepted."))
        return redirect(url_for(".show", pk=pk))

    @expose("/<int:pk>/return", methods=["POST"])
    @has_access
    def return_move(self, pk):
        move = self._scoped(pk)
        run_step(services.return_move, move, (request.form.get("reason") or "")[:500],
                 success=_l("The move was returned."))
        return redirect(url_for(".show", pk=pk))


ROUND_LABELS = {
    "title": _l("Title"),
    "kind_label": _l("Kind"),
    "org": _l("Organised by"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
}


class VisitRoundView(ScopedModelView):
    datamodel = ScopedInterface(VisitRound)
    class_permission_name = SERVICE_LEDGER
    method_permission_name = {**METHOD_PERMISSIONS, "create": "write"}
    include_route_methods = {"list", "show", "create"}
    route_base = "/community/rounds"
    list_title = _l("Visits and condolences")
    show_title = _l("Holiday condolence round")
    show_template = "community/round_show.html"
    list_template = "community/round_list.html"
    label_columns = ROUND_LABELS
    list_columns = ["title", "kind_label", "org", "starts_on", "ends_on"]
    search_columns = ["kind", "starts_on"]
    add_columns = edit_columns = ["title"]
    base_order = ("starts_on", "desc")

    @expose("/list/")
    @has_access
    def list(self):
        rounds = db.session.scalars(select(VisitRound).order_by(VisitRound.starts_on.desc()).limit(100)).all()
        return self.render_template(self.list_template, title=self.list_title, rounds=rounds, labels=ROUND_LABELS,
                                    kinds=rules.round_kinds(), may_write=rules.may(g.user, "write"), today=clock.today())

    @expose("/create", methods=["POST"])
    @has_access
    def create(self):
        form = request.form
        try:
            starts_on, ends_on = _date(form.get("starts_on")), _date(form.get("ends_on"))
        except Refusal as e:
            flash(e.message, "danger")
            return redirect(url_for(".list"))
        run_step(services.create_round, form.get("kind", ""), form.get("title", ""), starts_on, ends_on,
                 success=_l("The round was created."))
        return redirect(url_for(".list"))

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        from app.community.models import Visit

        rnd = db.session.get(VisitRound, pk)
        if rnd is None:
            abort(404)
        visits = db.session.scalars(scope(select(Visit).where(Visit.round_id == rnd.id, Visit.done_on.is_not(None))
                                          .order_by(Visit.done_on.desc(), Visit.id), Visit).limit(LIST_LIMIT)).all()
        return self.render_template(self.show_template, title=self.show_title, rnd=rnd, labels=ROUND_LABELS,
                                    coverage=services.round_coverage(rnd, g.user),
                                    visits=[(v, _unit_of(v.retiree)) for v in visits])


REQUEST_LABELS = {
    "applicant_name": _l("Applicant"),
    "contact": _l("Contact"),
    "kind_label": _l("Kind"),
    "subject": _l("Request"),
    "state_label": _l("State"),
    "received_on": _l("Received on"),
    "promised_on": _l("Promised date"),
    "receiver_org": _l("Received by"),
    "owner_org": _l("Responsible unit"),
    "handoff_to_org": _l("Being handed on to"),
    "closed_on": _l("Settled on"),
    "result": _l("Result"),
    "satisfaction_label": _l("Satisfaction"),
    "satisfaction_note": _l("Satisfaction note"),
    "colour": _l("Deadline"),
}


class ServiceRequestView(ScopedModelView):
    datamodel = ScopedInterface(ServiceRequest)
    class_permission_name = SERVICE_REQUEST
    method_permission_name = {**METHOD_PERMISSIONS, "new": "write", "register": "write", "act": "write"}
    include_route_methods = {"list", "show", "new", "register", "act"}
    route_base = "/community/requests"
    list_title = _l("One-window requests")
    show_title = _l("One-window request")
    show_template = "community/request_show.html"
    list_template = "community/request_list.html"
    label_columns = REQUEST_LABELS
    list_columns = ["applicant_name", "kind_label", "owner_org", "state_label", "received_on", "promised_on"]
    search_columns = ["state", "kind", "received_on", "promised_on"]
    add_columns = edit_columns = ["subject"]
    base_order = ("promised_on", "asc")

    @expose("/list/")
    @has_access
    def list(self):
        from app.community.models import RequestState

        today = clock.today()
        state = request.args.get("state", "open")
        query = select(ServiceRequest)
        if state == "overdue":
            query = query.where(ServiceRequest.state != RequestState.CLOSED, ServiceRequest.promised_on < today)
        elif state == "closed":
            query = query.where(ServiceRequest.state == RequestState.CLOSED)
        else:
            state = "open"
            query = query.where(ServiceRequest.state != RequestState.CLOSED)
        rows = db.session.scalars(scope(query.order_by(ServiceRequest.promised_on, ServiceRequest.id),
                                        ServiceRequest).limit(LIST_LIMIT)).all()
        return self.render_template(
            self.list_template, title=self.list_title, labels=REQUEST_LABELS, state=state, limit=LIST_LIMIT,
            rows=[(r, rules.request_colour(r.promised_on, today, r.closed_on)) for r in rows],
            may_register=services.may_register(g.user),
            states=[("open", _l("Not settled")), ("overdue", _l("Overdue")), ("closed", _l("Settled"))])

    @expose("/new")
    @has_access
    def new(self):
        from app.community.models import RequestKind

        today = clock.today()
        return self.render_template("community/request_new.html", title=_l("Register a request"),
                                    labels=REQUEST_LABELS, kinds=RequestKind.LABELS, today=today,
                                    promised=rules.promised_date(today))

    @expose("/register", methods=["POST"])
    @has_access
    def register(self):
        form = request.form
        try:
            promised_on = _date(form.get("promised_on"))
        except Refusal as e:
            flash(e.message, "danger")
            return redirect(url_for(".new"))
        try:
            req = services.register_request(g.user, form.get("applicant", ""), form.get("contact"),
                                            form.get("kind", ""), form.get("subject", ""), promised_on)
            db.session.commit()
        except Refusal as e:
            db.session.rollback()
            flash(e.message, "danger")
            return redirect(url_for(".new"))
        flash(str(_l("The request was registered.")), "success")
        return redirect(url_for(".show", pk=req.id))

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        from app.community.models import RequestState, Satisfaction
        from app.org.cache import all_orgs

        req = self._scoped(pk)
        today = clock.today()
        owner = rules.is_owner(g.user, req) and req.state != RequestState.CLOSED
        offered = req.state == RequestState.HANDING_ON and g.user.org_id == req.handoff_to_org_id
        units = [o for o in all_orgs() if o.kind != "city" and o.id != req.owner_org_id]
        return self.render_template(
            self.show_template, title=self.show_title, req=req, labels=REQUEST_LABELS, owner=owner,
            offered=offered, units=units, satisfactions=Satisfaction.LABELS, handing_on=RequestState.HANDING_ON,
            colour=rules.request_colour(req.promised_on, today, req.closed_on))

    @expose("/<int:pk>/act", methods=["POST"])
    @has_access
    def act(self, pk):
        from app.org.models import Organization

        req = self._scoped(pk)
        form = request.form
        action = form.get("action")
        if action == "progress":
            run_step(services.note_progress, req, form.get("note"), success=_l("The request was updated."))
        elif action == "hand_on":
            target = db.session.get(Organization, int(form["to_org"])) if (form.get("to_org") or "").isdigit() else None
            run_step(services.hand_on, req, target, form.get("note"), success=_l("The request was handed on."))
        elif action == "accept":
            run_step(services.accept_request, req, success=_l("The request was accepted."))
        elif action == "decline":
            run_step(services.decline_request, req, form.get("note"), success=_l("The request was declined."))
        elif action == "close":
            run_step(services.close_request, req, form.get("result"), form.get("satisfaction"),
                     form.get("satisfaction_note"), success=_l("The request was closed."))
        else:
            abort(400)
        return redirect(url_for(".show", pk=pk))


ACTIVITY_LABELS = {"title": _l("Title"), "kind_label": _l("Kind"), "held_on": _l("Date"), "place": _l("Place"),
                   "org": _l("Organised by"), "participants": _l("Participants")}


def _members_and_retirees(user):
    query = select(ServiceRecord).join(Retiree, Retiree.id == ServiceRecord.retiree_id).where(
        ServiceRecord.status == LifeStatus.ALIVE).order_by(Retiree.id)
    return [r.retiree for r in db.session.scalars(scope(query, ServiceRecord, user).limit(LIST_LIMIT))]


class ActivityView(ScopedModelView):
    datamodel = ScopedInterface(Activity)
    class_permission_name = SERVICE_LEDGER
    method_permission_name = {**METHOD_PERMISSIONS, "create": "write"}
    include_route_methods = {"list", "show", "create"}
    route_base = "/community/activities"
    list_title = _l("Activities")
    show_title = _l("Activity")
    label_columns = ACTIVITY_LABELS
    list_columns = ["title", "kind_label", "held_on", "place", "org"]
    search_columns = ["kind", "held_on"]
    add_columns = edit_columns = ["title"]
    base_order = ("held_on", "desc")

    @expose("/list/")
    @has_access
    def list(self):
        from app.community.models import ActivityKind

        rows = db.session.scalars(scope(select(Activity).order_by(Activity.held_on.desc(), Activity.id.desc()),
                                        Activity).limit(LIST_LIMIT)).all()
        may_write = rules.may(g.user, "write")
        return self.render_template(
            "community/activity_list.html", title=self.list_title, rows=rows, labels=ACTIVITY_LABELS,
            kinds=ActivityKind.LABELS, may_write=may_write, today=clock.today(),
            retirees=_members_and_retirees(g.user) if may_write else [])

    @expose("/create", methods=["POST"])
    @has_access
    def create(self):
        form = request.form
        try:
            held_on = _date(form.get("held_on"))
        except Refusal as e:
            flash(e.message, "danger")
            return redirect(url_for(".list"))
        ids = [v for v in form.getlist("participants") if v.isdigit()]
        run_step(services.create_activity, form.get("kind", ""), form.get("title", ""), held_on, form.get("place"),
                 ids, form.get("note"), success=_l("The activity was recorded."))
        return redirect(url_for(".list"))

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        activity = self._scoped(pk)
        return self.render_template("community/activity_show.html", title=self.show_title, a=activity,
                                    labels=ACTIVITY_LABELS)


MEETING_LABELS = {"branch": _l("Party branch"), "kind_label": _l("Kind"), "held_on": _l("Date"),
                  "topic": _l("Topic"), "org": _l("Organised by")}


class PartyLifeView(ScopedModelView):
    """The retired party members' branch: 三会一课 records with attendance, and dues after the transfer."""
    datamodel = ScopedInterface(PartyMeeting)
    class_permission_name = SERVICE_LEDGER
    method_permission_name = {**METHOD_PERMISSIONS, "meeting": "write", "dues": "write"}
    include_route_methods = {"list", "show", "meeting", "dues"}
    route_base = "/community/party"
    list_title = _l("Party branch life")
    show_title = _l("Branch meeting")
    label_columns = MEETING_LABELS
    list_columns = ["branch", "kind_label", "held_on", "topic"]
    search_columns = ["kind", "held_on"]
    add_columns = edit_columns = ["topic"]
    base_order = ("held_on", "desc")

    @expose("/list/")
    @has_access
    def list(self):
        from app.community.models import MeetingKind

        today = clock.today()
        meetings = db.session.scalars(scope(select(PartyMeeting).order_by(PartyMeeting.held_on.desc(),
                                                                          PartyMeeting.id.desc()),
                                            PartyMeeting).limit(LIST_LIMIT)).all()
        may_write = rules.may(g.user, "write")
        return self.render_template(
            "community/party_list.html", title=self.list_title, meetings=meetings, labels=MEETING_LABELS,
            kinds=MeetingKind.LABELS, may_write=may_write, today=today,
            dues=services.dues_overview(g.user, today), this_month=today.strftime("%Y-%m"))

    @expose("/show/<pk>")
    @has_access
    def show(self, pk):
        meeting = self._scoped(pk)
        return self.render_template("community/party_show.html", title=self.show_title, m=meeting,
                                    labels=MEETING_LABELS)

    @expose("/meeting", methods=["POST"])
    @has_access
    def meeting(self):
        form = request.form
        try:
            held_on = _date(form.get("held_on"))
        except Refusal as e:
            flash(e.message, "danger")
            return redirect(url_for(".list"))
        present = [v for v in form.getlist("present") if v.isdigit()]
        run_step(services.record_meeting, form.get("branch", ""), form.get("kind", ""), held_on, form.get("topic", ""),
                 present, success=_l("The meeting was recorded."))
        return redirect(url_for(".list"))

    @expose("/dues/<int:retiree_id>", methods=["POST"])
    @has_access
    def dues(self, retiree_id):
        retiree = db.session.get(Retiree, retiree_id)
        if retiree is None or not rules.may(g.user, "read", retiree):
            abort(404)
        try:
            amount, paid_on = _amount(request.form.get("amount")), _date(request.form.get("paid_on"))
        except Refusal as e:
            flash(e.message, "danger")
            return redirect(url_for(".list"))
        run_step(services.record_dues, retiree, request.form.get("month", ""), amount, paid_on,
                 success=_l("The dues were recorded."))
        return redirect(url_for(".list"))
