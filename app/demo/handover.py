"""Demo handover in progress, made through the same service functions the pages call, acting as the demo
users: places confirmed, batches drafted, submitted, returned and accepted, receipts, party relations and
archives under way. Deterministic (fixed choices, ordered by id) and idempotent (skipped once batches exist)."""
import contextlib
import datetime

from sqlalchemy import func, select

from app.archives.models import ArchiveTransfer
from app.extensions import appbuilder, db
from app.handover import rules, services
from app.handover.models import HandoverBatch, HandoverCase, HouseholdCategory, ItemState, Stream
from app.org.models import Organization
from app.party.models import PartyTransfer
from app.retirees import services as ledger
from app.retirees.models import RetireeCorrection

LETTER_DAY = datetime.date(2020, 8, 3)


def _org(code):
    return db.session.scalars(select(Organization).where(Organization.code == code)).one()


def _cases(enterprise, county, limit):
    # the newest rows: tests that pick "the first retiree of an enterprise" keep an unlocked record
    return db.session.scalars(select(HandoverCase).where(
        HandoverCase.enterprise_id == enterprise.id, HandoverCase.receiving_county_id == county.id,
        HandoverCase.batch_id.is_(None)).order_by(HandoverCase.id.desc()).limit(limit)).all()


def _batch(actor, county, cases, note):
    batch = HandoverBatch(receiving_county=county, note=note)
    services.create_batch(actor, batch)
    db.session.add(batch)
    db.session.flush()
    for case in cases:
        if case.place_confirmed_on is None:
            services.confirm_place(actor, case, case.receiving_county, None, None)
    services.add_to_batch(actor, batch, [c.retiree_id for c in cases])
    return batch


def _progress(case, actor):
    """Party relation and archive of an accepted retiree moved along (the demo shows every stage)."""
    party = db.session.scalars(select(PartyTransfer).where(PartyTransfer.retiree_id == case.retiree_id)).first()
    if party is not None:
        party.dues_base_verified = True
        party.dues_paid_until = datetime.date(2020, 7, 1)
        party.letter_no = f"组介字〔2020〕{case.id:03d}号"
        party.sending_org = f"{case.enterprise.name_zh}党委"
        party.receiving_org = f"{case.receiving_community.name_zh}党支部" if case.receiving_community else None
        party.letter_issued_on = LETTER_DAY
        if case.id % 3:  # one in three letters stays unanswered: a stalled transfer (recorded by the community)
            party.received_on = LETTER_DAY + datetime.timedelta(days=12)
            party.branch = f"{case.receiving_community.name_zh}第一党支部" if case.receiving_community else "—"
    archive = db.session.scalars(select(ArchiveTransfer).where(ArchiveTransfer.retiree_id == case.retiree_id)).one()
    archive.sorted_done = True
    archive.volumes = 2 + case.id % 3
    archive.digitized = case.id % 2 == 0
    archive.sent_on = datetime.date(2020, 9, 10)
    services.sync_derived(case, actor)  # the party and archive streams follow those records


def _close_every_stream(case, users):
    """Each remaining stream closed by the side responsible for it (handover rules: DONE_BY_SIDE), the
    archive received by the archives: the retiree is handed over."""
    from app.archives.views import receive_archive
    from app.handover.models import Side

    party = db.session.scalars(select(PartyTransfer).where(PartyTransfer.retiree_id == case.retiree_id)).first()
    if party is not None and party.received_on is None:  # the community's party branch records the receipt
        party.received_on = LETTER_DAY + datetime.timedelta(days=20)
        party.branch = f"{case.receiving_community.name_zh}第一党支部"
    archive = db.session.scalars(select(ArchiveTransfer).where(ArchiveTransfer.retiree_id == case.retiree_id)).one()
    keeper = users["orgdept"] if archive.destination == "orgdept" else users["archives"]
    receive_archive(keeper, archive)
    by_side = {Side.HRSS: users["hrss"], Side.MEDINS: users["medins"], Side.ORGDEPT: users["orgdept"],
               Side.RECEIVING: users["community1"], Side.ENTERPRISE: users["sasac"]}
    for item in list(case.items):
        if item.stream in (Stream.PERSONNEL, Stream.PARTY, Stream.ARCHIVE) or item.state == ItemState.NOT_APPLICABLE:
            continue
        actor = by_side[item.responsible]
        category = HouseholdCategory.STABLE_RESIDENCE if item.stream == Stream.HOUSEHOLD else None
        if item.state == ItemState.NOT_STARTED:
            services.set_item(actor, case, item.stream, ItemState.IN_PROGRESS, household_category=category)
        services.set_item(actor, case, item.stream, ItemState.DONE, datetime.date(2020, 11, 20),
                          household_category=category)


def _correction(actor, case, field, value, reason):
    ledger.request_correction(actor, RetireeCorrection(retiree=case.retiree, field=field, new_value=value,
                                                       reason=reason))


def seed_handover():
    services.ensure_cases(db.session)
    db.session.flush()
    if db.session.scalar(select(func.count(HandoverBatch.id))):
        db.session.commit()
        return 0
    sm = appbuilder.sm
    users = {name: sm.find_user(username=name) for name in ("enterprise1", "enterprise2", "county1", "county2",
                                                            "community1", "hrss", "medins", "orgdept",
                                                            "archives", "sasac")}
    naidong, gongga = _org("540502"), _org("540522")
    es02, ec03 = _org("E-S02"), _org("E-C03")
    community = _org("540502-01-01")

    # enterprise1 → 乃东区: one batch accepted (communities assigned, some received), one submitted
    accepted = _batch(users["enterprise1"], naidong, _cases(es02, naidong, 10), "第一批")
    services.submit_batch(users["enterprise1"], accepted)
    services.accept_batch(users["county1"], accepted, {c.id: community for c in accepted.cases})
    for i, case in enumerate(accepted.cases):
        _progress(case, users["county1"])
        if i < 6:
            services.confirm_receipt(users["community1"], case)
        if i < 3:  # every stream closed: handed over
            _close_every_stream(case, users)
    submitted = _batch(users["enterprise1"], naidong, _cases(es02, naidong, 5), "第二批")
    services.submit_batch(users["enterprise1"], submitted)

    # enterprise1 → 贡嘎县: returned once with a reason, submitted again
    third = _batch(users["enterprise1"], gongga, _cases(es02, gongga, 3), "第三批")
    services.submit_batch(users["enterprise1"], third)
    services.return_batch(users["county2"], third, "人员基本信息待核实")
    services.submit_batch(users["enterprise1"], third)

    # enterprise2 → 乃东区 accepted
    second = _batch(users["enterprise2"], naidong, _cases(ec03, naidong, 6), "第一批")
    services.submit_batch(users["enterprise2"], second)
    services.accept_batch(users["county1"], second, {c.id: community for c in second.cases})
    # a draft for enterprise2 to 乃东区
    _batch(users["enterprise2"], naidong, _cases(ec03, naidong, 2), "第三批（草稿）")
    db.session.flush()
    # corrections of locked records: asked by one side, waiting for the other
    _correction(users["enterprise1"], accepted.cases[-1], "name_bo", "བསྟན་འཛིན་སྒྲོལ་མ",
                "藏文姓名录入有误，以户口簿为准")
    _correction(users["enterprise2"], second.cases[-1], "name_bo", "ཚེ་རིང་དབང་འདུས", "藏文姓名拼写有误")
    _correction(users["county2"], third.cases[-1], "name_bo", "བཀྲ་ཤིས་ལྷ་མོ", "社区核实藏文姓名")
    from app import clock
    from app.handover.notices import deferred

    from flask import current_app

    # one request context: the organization tree and each actor's scope are read once, not per step
    with current_app.test_request_context(), deferred():
        with db.session.no_autoflush:  # one flush per enterprise, not one per query
            hand_over_backlog()
        routine_handovers(clock.today())
    db.session.commit()
    return db.session.scalar(select(func.count(HandoverBatch.id)))


# ---------------------------------------------------------------------------------------------------------
# Today's story (DESIGN.md §7): the 2020 backlog of the other enterprises handed over in the autumn of 2020,
# with stragglers whose places are still open (their enterprise owns them); routine handovers of people who
# retired in recent months under way. The two demo enterprises (enterprise1, enterprise2) stay mid-way, as
# above: their users have work waiting, and the tests pick their people.

DEMO_ENTERPRISES = ("E-S02", "E-C03")
STRAGGLER_EVERY = 12  # one case in twelve of the backlog is not yet handed over


def clerk(unit, role_code):
    """A stand-in for the clerk of `unit` acting in role `role_code` (units without a demo account): the
    same service functions and rules as a signed-in user, with no account behind it."""
    from types import SimpleNamespace

    return SimpleNamespace(id=None, org_id=unit.id, roles=[appbuilder.sm.find_role(role_code)],
                           is_authenticated=True, username=f"demo-{unit.code}")


def _first_community(county):
    towns = [o for o in county.children if o.kind == "township"] if hasattr(county, "children") else []
    if not towns:
        towns = db.session.scalars(select(Organization).where(Organization.parent_id == county.id)
                                   .order_by(Organization.code)).all()
    for town in towns:
        communities = db.session.scalars(select(Organization).where(Organization.parent_id == town.id)
                                         .order_by(Organization.code)).all()
        if communities:
            return communities[0]
    return None


def _at(day, hour=10):
    from app.clock import TZ

    return datetime.datetime.combine(day, datetime.time(hour), TZ)


@contextlib.contextmanager
def _one_writer():
    """The seed is the only writer of its fresh database, in one transaction: a workflow step's row lock
    (app.versioning.lock: flush, then lock the row) guards against concurrent requests, which cannot happen
    here, and its flush per step would make the backlog's thousands of steps slow. The row versions still
    move with each flush (the ORM's version counter); every rule of the steps applies as usual."""
    import app.versioning as versioning

    def lock(row):
        return row

    saved = versioning.lock, services.lock
    versioning.lock = services.lock = lock
    try:
        yield
    finally:
        versioning.lock, services.lock = saved


def hand_over_backlog():
    with _one_writer():
        _hand_over_backlog()


def _hand_over_backlog():
    """Batches of every other enterprise, submitted, accepted, received and closed in 2020 (dated with the
    clock at each step); every STRAGGLER_EVERY-th case stays with its enterprise, place not confirmed."""
    from app import clock
    from app.retirees.models import Retiree

    enterprises = db.session.scalars(select(Organization).where(
        Organization.kind == "enterprise", Organization.code.not_in(DEMO_ENTERPRISES))
        .order_by(Organization.code)).all()
    city = _city_users()
    for n, enterprise in enumerate(enterprises):
        cases = db.session.scalars(select(HandoverCase).join(Retiree, Retiree.id == HandoverCase.retiree_id).where(
            HandoverCase.enterprise_id == enterprise.id, HandoverCase.batch_id.is_(None),
            Retiree.deceased.is_(False)).order_by(HandoverCase.id)).all()
        cases = [c for c in cases if c.proposed_county_id or c.proposed_liaison_id]
        moving = [c for i, c in enumerate(cases) if i % STRAGGLER_EVERY != STRAGGLER_EVERY - 1]
        if not moving:
            continue
        actor = clerk(enterprise, "enterprise")
        day = datetime.date(2020, 9, 1) + datetime.timedelta(days=3 * n)
        with clock.frozen(_at(day)):
            services.confirm_proposed_places(actor, moving)
        groups = {}
        for case in moving:
            groups.setdefault((case.receiving_county_id, case.liaison_office_id), []).append(case)
        for (county_id, liaison_id), members in sorted(groups.items(), key=lambda kv: (kv[0][0] or 0, kv[0][1] or 0)):
            receiver = db.session.get(Organization, county_id or liaison_id)
            with clock.frozen(_at(day, 11)):
                batch = HandoverBatch(receiving_county_id=county_id, liaison_office_id=liaison_id,
                                      receiving_county=receiver if county_id else None,
                                      liaison_office=receiver if liaison_id else None, note="2020年存量移交")
                services.create_batch(actor, batch)
                db.session.add(batch)
                db.session.flush()
                services.add_to_batch(actor, batch, [c.retiree_id for c in members])
                services.submit_batch(actor, batch)
            community = _first_community(receiver) if county_id else None
            with clock.frozen(_at(day + datetime.timedelta(days=14))):
                services.accept_batch(clerk(receiver, "liaison" if liaison_id else "county"), batch,
                                      {c.id: c.receiving_community or community for c in members} if county_id else {})
            for i, case in enumerate(members):
                if case.receiving_community is None:
                    continue  # out of region: the liaison office keeps them, no community receipt
                with clock.frozen(_at(day + datetime.timedelta(days=30 + i % 20))):
                    services.confirm_receipt(clerk(case.receiving_community, "community"), case)
                done_on = day + datetime.timedelta(days=45)
                with clock.frozen(_at(done_on)):
                    # a few checklists still have streams open (in progress); the others are closed, each
                    # stream by the side responsible for it, the derived ones from the counterparties' records
                    _close_backlog_case(case, done_on, city, finish=i % 10 != 9)
        db.session.flush()


def _city_users():
    sm = appbuilder.sm
    return {name: sm.find_user(username=name) for name in ("hrss", "medins", "orgdept", "archives", "sasac")}


def _receiving_clerk(county):
    """The receiving county's clerk for the backlog's checklists: the demo account of that county where there
    is one, else an inactive stand-in account (no password: nobody signs in with it) so the record says which
    side closed the stream (the counterparty figures count what the responsible side recorded)."""
    from sqlalchemy.orm import selectinload

    from app.security.models import OrgUser

    cache = _receiving_clerk.__dict__.setdefault("cache", {})
    found = cache.get(county.id)
    if found is not None and found in db.session:
        return found
    role = appbuilder.sm.find_role("county")
    users = db.session.scalars(select(OrgUser).options(selectinload(OrgUser.roles)).where(
        OrgUser.org_id == county.id).order_by(OrgUser.id)).all()
    found = next((u for u in users if role in u.roles), None)
    if found is None:
        found = OrgUser(username=f"demo-{county.code}", first_name=county.name_zh, last_name="经办",
                        email=f"demo-{county.code}@demo.invalid", active=False, password="!", org_id=county.id,
                        roles=[role])
        db.session.add(found)
        db.session.flush()
    cache[county.id] = found
    return found


def _close_backlog_case(case, done_on, city, finish=True):
    """The streams of a received backlog case moved by the side responsible for each (rules.DONE_BY_SIDE):
    the receiving county for the place's streams, the HR and medical insurance bureaus, the organization
    department, SASAC; the party branch's receipt recorded on the party transfer and the archive received by
    the archives (or the organization department) — the derived streams then follow those records."""
    from app.archives.views import receive_archive
    from app.handover.models import Side

    receiving = _receiving_clerk(case.receiving_county)
    by_side = {Side.HRSS: city["hrss"], Side.MEDINS: city["medins"], Side.ORGDEPT: city["orgdept"],
               Side.RECEIVING: receiving, Side.ENTERPRISE: city["sasac"]}
    # the enterprise's letter and the archive sent; the receipts recorded by the counterparties, except in the
    # few checklists still open (the letter waits for the party branch, the archive for the archives)
    party = db.session.scalar(select(PartyTransfer).where(PartyTransfer.retiree_id == case.retiree_id))
    if party is not None and case.retiree.party_member and party.received_on is None:
        issued = done_on - datetime.timedelta(days=10)
        party.letter_no = party.letter_no or f"党组转〔{done_on.year}〕{case.id:04d}号"
        party.sending_org = party.sending_org or f"{case.enterprise.name_zh}党委"
        party.receiving_org = party.receiving_org or f"{case.receiving_community.name_zh}党支部"
        party.letter_issued_on = party.letter_issued_on or issued
        party.dues_base_verified = True
        party.dues_paid_until = party.dues_paid_until or party.letter_issued_on.replace(day=1)
        if finish:  # the community's party branch records the receipt
            party.received_on = done_on
            party.branch = party.branch or f"{case.receiving_community.name_zh}第一党支部"
    archive = db.session.scalar(select(ArchiveTransfer).where(ArchiveTransfer.retiree_id == case.retiree_id))
    if archive is not None and archive.received_on is None:
        archive.sorted_done = True
        archive.sent_on = archive.sent_on or done_on - datetime.timedelta(days=7)
        if finish:
            keeper = city["orgdept"] if archive.destination == "orgdept" else city["archives"]
            receive_archive(keeper, archive)
            archive.received_on = done_on  # the day the archives recorded it (the demo's 2020)
    services.sync_derived(case, receiving)
    for item in list(case.items):
        if item.stream in rules.DERIVED_STREAMS or item.state == ItemState.NOT_APPLICABLE:
            continue
        actor = by_side[item.responsible]
        category = HouseholdCategory.STABLE_RESIDENCE if item.stream == Stream.HOUSEHOLD else None
        if item.state == ItemState.NOT_STARTED:
            services.set_item(actor, case, item.stream, ItemState.IN_PROGRESS, done_on, household_category=category)
        if finish:
            services.set_item(actor, case, item.stream, ItemState.DONE, done_on, household_category=category)


def routine_handovers(today):
    """People who retired in the last months (常态化移交), of two enterprises, under way as of `today`: one
    batch submitted ten days ago and waiting for the county, one person whose place is still to confirm."""
    from app import clock
    from app.retirees import idcard
    from app.retirees.models import Category, PensionSource, Retiree

    made = []
    for code, county_code, names in (("E-S01", "540502", (("次仁旺堆", "ཚེ་རིང་དབང་འདུས"), ("白玛曲珍", "པདྨ་ཆོས་སྒྲོན"),
                                                         ("张建国", "ཀྲང་ཅན་ཀོ"))),
                                     ("E-R01", "540522", (("扎西顿珠", "བཀྲ་ཤིས་དོན་གྲུབ"),
                                                         ("央金卓玛", "དབྱངས་ཅན་སྒྲོལ་མ")))):
        enterprise, county = _org(code), _org(county_code)
        people = []
        for i, (name, name_bo) in enumerate(names):
            retired = today - datetime.timedelta(days=40 + 25 * i)
            male = i % 2 == 0
            born = retired.replace(year=retired.year - (60 if male else 55), day=min(retired.day, 28))
            number = idcard.make(county_code, born, 950 + i, male)
            if db.session.scalar(select(Retiree.id).where(Retiree.resident_id == number)):
                continue
            person = Retiree(enterprise=enterprise, name_zh=name, name_bo=name_bo, gender="M" if male else "F",
                             ethnicity="han" if name == "张建国" else "tibetan", resident_id=number, birth_date=born,
                             retirement_date=retired, category=Category.IN_REGION, insured_county=county,
                             receiving_county=county, party_member=i == 0, leader_cadre=False,
                             pension_source=PensionSource.BASIC_INSURANCE, medical_local=True,
                             registered_residence=county.name_zh, actual_residence=county.name_zh)
            db.session.add(person)
            people.append(person)
        db.session.flush()
        services.ensure_cases(db.session, [p.id for p in people])  # their checklists, as any new retiree gets
        db.session.flush()
        cases = [services.case_of(p.id) for p in people]
        ready = [c for c in cases[:-1] if c is not None]  # the last one waits for its place to be confirmed
        if not ready:
            continue
        actor = clerk(enterprise, "enterprise")
        with clock.frozen(_at(today - datetime.timedelta(days=10))):
            services.confirm_proposed_places(actor, ready)
            batch = HandoverBatch(receiving_county=county, note="常态化移交")
            services.create_batch(actor, batch)
            db.session.add(batch)
            db.session.flush()
            services.add_to_batch(actor, batch, [c.retiree_id for c in ready])
            services.submit_batch(actor, batch)
        made.append(batch)
    db.session.flush()
    return made
