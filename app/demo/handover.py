"""Demo handover in progress, made through the same service functions the pages call, acting as the demo
users: places confirmed, batches drafted, submitted, returned and accepted, receipts, party relations and
archives under way. Deterministic (fixed choices, ordered by id) and idempotent (skipped once batches exist)."""
import datetime

from sqlalchemy import func, select

from app.archives.models import ArchiveTransfer
from app.extensions import appbuilder, db
from app.handover import services
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
        if case.id % 3:  # one in three letters stays unanswered: a stalled transfer
            party.received_on = LETTER_DAY + datetime.timedelta(days=12)
            party.branch = f"{case.receiving_community.name_zh}第一党支部" if case.receiving_community else "—"
        services.advance_item(case, Stream.PARTY,
                              ItemState.DONE if party.received_on else ItemState.IN_PROGRESS, actor)
    archive = db.session.scalars(select(ArchiveTransfer).where(ArchiveTransfer.retiree_id == case.retiree_id)).one()
    archive.sorted_done = True
    archive.volumes = 2 + case.id % 3
    archive.digitized = case.id % 2 == 0
    archive.sent_on = datetime.date(2020, 9, 10)
    services.advance_item(case, Stream.ARCHIVE, ItemState.IN_PROGRESS, actor)


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
                                                            "community1")}
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
            for item in case.items:
                if item.state == ItemState.NOT_STARTED:
                    item.state = ItemState.IN_PROGRESS
            case.household_category = HouseholdCategory.STABLE_RESIDENCE
            for item in case.items:
                if item.state == ItemState.IN_PROGRESS:
                    item.state = ItemState.DONE
                    item.on_date = datetime.date(2020, 11, 20)
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
    db.session.commit()
    return db.session.scalar(select(func.count(HandoverBatch.id)))
