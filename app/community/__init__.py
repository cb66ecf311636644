"""The community's lasting service work after the handover (issue 14, policy 二(一)): service ledger,
eligibility certification, deaths and survivor claims, moves, hardship and care, visits, one window,
activities and party life, the retirees' own self-check page. `init_app` registers the pages, the menu, the
audit labels, the dashboard panel and the inbox source; nothing registers by being imported."""
from flask_babel import lazy_gettext as _l


def _register_labels():
    """Role pages name the stream's resources and menus, the audit log its records, in the reader's language."""
    from app.audit import register_model
    from app.community.models import (CertMethod, ClaimKind, ClaimStep, Certification, DeathReport, DeathSource,
                                      LifeStatus, ServiceRecord, SurvivorClaim)
    from app.community.views import CLAIM_LABELS, RECORD_LABELS
    from app.audit import ACTION_LABELS
    from app.security.labels import RESOURCE_LABELS

    ACTION_LABELS["self_check"] = _l("Retiree self-check")

    RESOURCE_LABELS.update({
        "ServiceLedger": _l("Service ledger"), "SurvivorClaim": _l("Deaths and survivor claims"),
        "Community services": _l("Community services"), "Service ledger": _l("Service ledger"),
        "Eligibility certification": _l("Eligibility certification"), "Today's round": _l("Today's round"),
        "Deaths and survivor claims": _l("Deaths and survivor claims"),
        "Moves between communities": _l("Moves between communities"),
        "Hardship and care": _l("Hardship and care"),
        "Visits and condolences": _l("Visits and condolences"),
        "ServiceRequest": _l("One-window requests"), "One-window requests": _l("One-window requests"),
        "Activities": _l("Activities"), "Party branch life": _l("Party branch life"),
    })
    from app.community.models import Activity, ActivityKind, MeetingKind, PartyDues, PartyMeeting

    register_model(Activity, _l("Activity"), {"title": _l("Title"), "kind": _l("Kind"), "held_on": _l("Date"),
                                             "place": _l("Place"), "org_id": _l("Organised by"), "note": _l("Note")},
                   {"kind": ActivityKind.LABELS})
    register_model(PartyMeeting, _l("Branch meeting"), {
        "branch": _l("Party branch"), "kind": _l("Kind"), "held_on": _l("Date"), "topic": _l("Topic"),
        "org_id": _l("Organised by")}, {"kind": MeetingKind.LABELS})
    register_model(PartyDues, _l("Party dues"), {"retiree_id": _l("Retiree"), "month": _l("Month"),
                                                 "amount": _l("Amount"), "paid_on": _l("Paid on")})
    from app.community.models import RequestKind, RequestState, RequestStep, Satisfaction, ServiceRequest, StepAction
    from app.community.views import REQUEST_LABELS

    register_model(ServiceRequest, _l("One-window request"), {
        **REQUEST_LABELS, "kind": _l("Kind"), "state": _l("State"), "receiver_org_id": _l("Received by"),
        "owner_org_id": _l("Responsible unit"), "handoff_to_org_id": _l("Being handed on to"),
        "satisfaction": _l("Satisfaction")},
        {"kind": RequestKind.LABELS, "state": RequestState.LABELS, "satisfaction": Satisfaction.LABELS})
    register_model(RequestStep, _l("One-window request"), {
        "request_id": _l("One-window request"), "action": _l("State"), "on_date": _l("Date"), "note": _l("Note")},
        {"action": StepAction.LABELS})
    from app.community.models import Visit, VisitRound

    register_model(VisitRound, _l("Holiday condolence round"), {
        "title": _l("Title"), "kind": _l("Kind"), "org_id": _l("Organised by"), "starts_on": _l("Starts on"),
        "ends_on": _l("Ends on")})
    register_model(Visit, _l("Visits and condolences"), {
        "retiree_id": _l("Retiree"), "round_id": _l("Holiday condolence round"), "planned_on": _l("Planned on"),
        "done_on": _l("Done on"), "visitors": _l("Visited by"), "gift": _l("What was given"),
        "amount": _l("Amount"), "note": _l("Note")})
    from app.community.models import Aid, AidKind, CareFlag, CareKind, HealthRecord

    register_model(CareFlag, _l("Hardship and care"), {
        "retiree_id": _l("Retiree"), "kind": _l("Hardship"), "source": _l("Source"), "noted_on": _l("Recorded on"),
        "ended_on": _l("Ended on")}, {"kind": CareKind.LABELS})
    register_model(Aid, _l("Aid given"), {
        "retiree_id": _l("Retiree"), "kind": _l("Kind of aid"), "amount": _l("Amount"), "given_on": _l("Given on"),
        "note": _l("Note")}, {"kind": AidKind.LABELS})
    register_model(HealthRecord, _l("Health record"), {
        "retiree_id": _l("Retiree"), "consent_on": _l("Consent given on"), "consent_by": _l("Consent given by"),
        "chronic_conditions": _l("Chronic conditions"), "last_checkup_on": _l("Last check-up"),
        "note": _l("Note")})
    register_model(ServiceRecord, _l("Service ledger"), {
        **RECORD_LABELS, "retiree_id": _l("Retiree"), "status": _l("Survival status")},
        {"status": LifeStatus.LABELS})
    register_model(Certification, _l("Eligibility certification"), {
        "retiree_id": _l("Retiree"), "due_on": _l("Next certification due"), "done_on": _l("Done on"),
        "method": _l("Done how"), "done_by_id": _l("Done by"), "note": _l("Note")}, {"method": CertMethod.LABELS})
    register_model(DeathReport, _l("Death and survivor claims"), {
        "retiree_id": _l("Retiree"), "death_date": _l("Date of death"), "source": _l("Source"),
        "evidence_file_id": _l("Evidence file"), "reported_on": _l("Reported on"), "note": _l("Note")},
        {"source": DeathSource.LABELS})
    from app.community.models import CommunityMove, MoveStatus
    from app.community.views import MOVE_LABELS

    register_model(CommunityMove, _l("Move between communities"), {
        **MOVE_LABELS, "retiree_id": _l("Retiree"), "from_unit_id": _l("From community"),
        "to_unit_id": _l("To community"), "status": _l("State")}, {"status": MoveStatus.LABELS})
    register_model(SurvivorClaim, _l("Survivor claim"), {
        **CLAIM_LABELS, "retiree_id": _l("Retiree"), "kind": _l("Claim"), "step": _l("State"),
        "note": _l("Note")}, {"kind": ClaimKind.LABELS, "step": ClaimStep.LABELS})


def init_app(app, appbuilder):
    from app.community import services
    from app.notify import register_source
    from app.community.views import (ActivityView, CommunityMoveView, PartyLifeView, ServiceLedgerView,
                                     ServiceRequestView, SurvivorClaimView, VisitRoundView)

    _register_labels()
    register_source(services.KIND, services.service_notices)
    from app.community import figures

    figures.register()
    menu = dict(category="Community services", category_label=_l("Community services"), category_icon="fa-heart")
    from app.community.selfcheck import SelfCheckView

    appbuilder.add_view_no_menu(SelfCheckView)
    appbuilder.add_view(ServiceLedgerView, "Service ledger", icon="fa-book", label=_l("Service ledger"), **menu)
    appbuilder.add_link("Eligibility certification", href="/community/certifications/", icon="fa-id-card-o",
                        label=_l("Eligibility certification"), **menu)
    appbuilder.add_link("Today's round", href="/community/today/", icon="fa-mobile",
                        label=_l("Today's round"), **menu)
    appbuilder.add_link("Hardship and care", href="/community/hardship/", icon="fa-medkit",
                        label=_l("Hardship and care"), **menu)
    appbuilder.add_view(VisitRoundView, "Visits and condolences", icon="fa-gift",
                        label=_l("Visits and condolences"), **menu)
    appbuilder.add_view(ActivityView, "Activities", icon="fa-music", label=_l("Activities"), **menu)
    appbuilder.add_view(PartyLifeView, "Party branch life", icon="fa-flag-o", label=_l("Party branch life"), **menu)
    appbuilder.add_view(CommunityMoveView, "Moves between communities", icon="fa-truck",
                        label=_l("Moves between communities"), **menu)
    appbuilder.add_view(ServiceRequestView, "One-window requests", icon="fa-inbox",
                        label=_l("One-window requests"), **menu)
    appbuilder.add_view(SurvivorClaimView, "Deaths and survivor claims", icon="fa-envelope-o",
                        label=_l("Deaths and survivor claims"), **menu)
