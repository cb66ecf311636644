"""The handover through HTTP with the real app: a batch of demo retirees from enterprise to community,
with a return, a stalled party transfer, every refusal, the PDFs read back, and the figures recomputed."""
import datetime
import re

from flask_babel import force_locale, gettext
from sqlalchemy import select

from app.archives.models import ArchiveTransfer
from app.extensions import db
from app.handover.models import HandoverBatch, HandoverCase, ItemState, OverallStatus, Stream
from app.org.models import Organization
from app.party.models import PartyTransfer
from app.retirees.models import Retiree
from tests.conftest import session_csrf
from tests.pdftools import pdf_text, pdffonts_output


def _q(app, fn):
    with app.app_context():
        value = fn(db.session)
        db.session.remove()
        return value


def _org_id(app, code):
    return _q(app, lambda s: s.scalar(select(Organization.id).where(Organization.code == code)))


def _zh(app, message, **kw):
    with app.test_request_context(), force_locale("zh"):
        return gettext(message, **kw)


def _post(client, url, **data):
    data["csrf_token"] = session_csrf(client)
    return client.post(url, data=data, follow_redirects=True)


def _case(app, case_id):
    def fn(s):
        c = s.get(HandoverCase, case_id)
        return {"batch_id": c.batch_id, "accepted_on": c.accepted_on, "received_on": c.received_on,
                "community": c.receiving_community_id, "status": c.status(),
                "items": {i.stream: i.state for i in c.items}, "retiree_id": c.retiree_id,
                "place": c.place_confirmed_on}
    return _q(app, fn)


def _batch(app, batch_id):
    def fn(s):
        b = s.get(HandoverBatch, batch_id)
        return {"status": b.status, "submitted_by": b.submitted_by_id, "accepted_by": b.accepted_by_id,
                "returned_by": b.returned_by_id, "return_reason": b.return_reason,
                "cases": [c.id for c in b.cases], "accepted_on": b.accepted_on}
    return _q(app, fn)


def _free_cases(app, enterprise, county, n, party=None):
    def fn(s):
        query = select(HandoverCase.id).join(Retiree, Retiree.id == HandoverCase.retiree_id).where(
            HandoverCase.enterprise_id.in_(select(Organization.id).where(Organization.code == enterprise)),
            HandoverCase.receiving_county_id.in_(select(Organization.id).where(Organization.code == county)),
            HandoverCase.batch_id.is_(None), Retiree.deceased.is_(False))
        if party is not None:
            query = query.where(Retiree.party_member.is_(party))
        return list(s.scalars(query.order_by(HandoverCase.id).offset(5).limit(n)))
    return _q(app, fn)


def _new_batch(app, client, county_code):
    before = _q(app, lambda s: s.scalar(select(db.func.max(HandoverBatch.id))) or 0)
    r = _post(client, "/batches/add", receiving_county=_org_id(app, county_code), note="测试批次")
    assert r.status_code == 200
    batch_id = _q(app, lambda s: s.scalar(select(db.func.max(HandoverBatch.id))))
    assert batch_id > before, r.get_data(as_text=True)[-2000:]
    return batch_id


def _user_id(app, name):
    from app.security.models import OrgUser

    return _q(app, lambda s: s.scalar(select(OrgUser.id).where(OrgUser.username == name)))


def test_whole_flow_with_a_return(app, as_user):
    ent, county1, county2, community = (as_user("enterprise1"), as_user("county1"), as_user("county2"),
                                        as_user("community1"))
    party_case = _free_cases(app, "E-S02", "540502", 1, party=True)
    cases = party_case + [c for c in _free_cases(app, "E-S02", "540502", 3, party=False)]
    assert len(cases) == 4
    # the enterprise confirms each proposed place (one with another county would need a reason)
    for cid in cases:
        r = _post(ent, f"/handover/{cid}/place", county=_org_id(app, "540502"))
        assert _zh(app, "The receiving place was confirmed.") in r.get_data(as_text=True)
        assert _case(app, cid)["place"] is not None
    r = _post(ent, f"/handover/{cases[0]}/place", county=_org_id(app, "540522"))
    assert _zh(app, "Give a reason for choosing another place than the proposed one.") in r.get_data(as_text=True)

    batch_id = _new_batch(app, ent, "540502")
    retirees = [_case(app, c)["retiree_id"] for c in cases]
    page = ent.get(f"/batches/show/{batch_id}").get_data(as_text=True)
    assert f'value="{retirees[0]}"' in page  # offered to join
    r = ent.post(f"/batches/{batch_id}/add-retirees",
                 data={"retiree": retirees, "csrf_token": session_csrf(ent)}, follow_redirects=True)
    assert _zh(app, "The retirees were added to the batch.") in r.get_data(as_text=True)
    assert sorted(_batch(app, batch_id)["cases"]) == sorted(cases)

    # the county cannot accept what was not submitted (no skipping)
    r = _post(county1, f"/batches/{batch_id}/accept")
    assert r.status_code == 200 and _batch(app, batch_id)["status"] == "draft"
    _post(ent, f"/batches/{batch_id}/submit")
    b = _batch(app, batch_id)
    assert b["status"] == "submitted" and b["submitted_by"] == _user_id(app, "enterprise1")
    assert _case(app, cases[0])["items"][Stream.PERSONNEL] == ItemState.IN_PROGRESS

    # another county gets nothing of it
    assert county2.get(f"/batches/show/{batch_id}").status_code == 404
    assert _post(county2, f"/batches/{batch_id}/accept").status_code == 404
    assert _post(county2, f"/batches/{batch_id}/return", reason="x").status_code == 404
    assert _batch(app, batch_id)["status"] == "submitted"
    # the enterprise cannot accept its own batch
    r = _post(ent, f"/batches/{batch_id}/accept")
    assert _zh(app, "Only the receiving county/district acts on this batch.") in r.get_data(as_text=True)

    # returned with a reason (a reason is required), then submitted again
    r = _post(county1, f"/batches/{batch_id}/return", reason=" ")
    assert _zh(app, "Give the reason for returning the batch.") in r.get_data(as_text=True)
    _post(county1, f"/batches/{batch_id}/return", reason="缺少户口材料")
    b = _batch(app, batch_id)
    assert (b["status"], b["return_reason"], b["returned_by"]) == ("returned", "缺少户口材料",
                                                                     _user_id(app, "county1"))
    assert "缺少户口材料" in ent.get(f"/batches/show/{batch_id}").get_data(as_text=True)
    _post(ent, f"/batches/{batch_id}/submit")
    assert _batch(app, batch_id)["status"] == "submitted"

    # accepted with communities assigned
    community_id = _org_id(app, "540502-01-01")
    r = _post(county1, f"/batches/{batch_id}/accept", **{f"community_{c}": community_id for c in cases})
    assert _zh(app, "The batch was accepted.") in r.get_data(as_text=True)
    b = _batch(app, batch_id)
    assert b["status"] == "accepted" and b["accepted_by"] == _user_id(app, "county1")
    for cid in cases:
        c = _case(app, cid)
        assert c["accepted_on"] is not None and c["community"] == community_id
        assert c["status"] == OverallStatus.IN_PROGRESS

    # the community sees them in its scope and confirms receipt person by person
    for cid in cases:
        assert community.get(f"/handover/show/{cid}").status_code == 200
        _post(community, f"/handover/{cid}/receive")
        assert _case(app, cid)["received_on"] is not None
        assert _case(app, cid)["items"][Stream.PERSONNEL] == ItemState.DONE
    r = _post(community, f"/handover/{cases[0]}/receive")
    assert _zh(app, "Receipt of this retiree is already confirmed.") in r.get_data(as_text=True)

    # every open stream closed by the side responsible for it → 已移交 (derived)
    cid = cases[1]
    actors = {Stream.PENSION: as_user("hrss"), Stream.MEDICAL: as_user("medins"), Stream.HOUSEHOLD: community,
              Stream.TRAVEL: community, Stream.EXPENSES: ent, Stream.ARCHIVE: as_user("archives")}
    for stream, state in _case(app, cid)["items"].items():
        if state in (ItemState.DONE, ItemState.NOT_APPLICABLE):
            continue
        client = actors[stream]
        if stream == Stream.ARCHIVE:
            client = county1
        _post(client, f"/handover/{cid}/item/{stream}", state="in_progress")
        extra = {"household_category": "stable_residence"} if stream == Stream.HOUSEHOLD else {}
        r = _post(client, f"/handover/{cid}/item/{stream}", state="done", on_date="2020-11-30", **extra)
        assert _case(app, cid)["items"][stream] == ItemState.DONE, (stream, r.get_data(as_text=True)[-3000:])
    assert _case(app, cid)["status"] == OverallStatus.HANDED_OVER
    assert _zh(app, "Handed over") in ent.get(f"/handover/show/{cid}").get_data(as_text=True)

    # the audit log has every step with the acting user
    from app.audit.models import AuditLog

    users = _q(app, lambda s: set(s.scalars(select(AuditLog.username).where(
        AuditLog.model == "HandoverBatch", AuditLog.object_id == str(batch_id)))))
    assert {"enterprise1", "county1"} <= users


def test_refusals_change_nothing(app, as_user):
    ent = as_user("enterprise1")
    # skipping a step: not started → done
    cid = _free_cases(app, "E-S02", "540502", 1)[0] if _free_cases(app, "E-S02", "540502", 1) else None
    before = _case(app, cid)
    r = _post(ent, f"/handover/{cid}/item/{Stream.EXPENSES}", state="done")
    assert "skips a step" not in r.get_data(as_text=True)  # translated, never English
    assert _zh(app, "This change skips a step: %(old_in)s cannot become %(new_in)s.",
               old_in=_zh(app, "Not started"), new_in=_zh(app, "Done")) in r.get_data(as_text=True)
    assert _case(app, cid) == before
    # a role that does not work on a stream
    r = _post(as_user("hrss"), f"/handover/{cid}/item/{Stream.PARTY}", state="in_progress")
    assert _case(app, cid) == before
    # garbage never gives a 500
    assert ent.post(f"/handover/{cid}/item/nonsense", data={"csrf_token": session_csrf(ent)}).status_code == 302
    assert _post(ent, f"/handover/{cid}/item/pension", state="in_progress", on_date="31/02/2020").status_code == 200
    assert _case(app, cid) == before
    assert ent.post(f"/handover/{cid}/item/pension", data={"state": "in_progress"}).status_code == 400  # no CSRF
    assert ent.get(f"/handover/{cid}/item/pension").status_code == 405  # GET never changes state

    # a batch with a 离休 or a deceased retiree
    def special(s, flag):
        return s.scalar(select(Retiree.id).join(Organization, Organization.id == Retiree.enterprise_id).where(
            Organization.code == "E-S02", flag).order_by(Retiree.id).limit(1))
    lixiu = _q(app, lambda s: special(s, Retiree.is_lixiu.is_(True)))
    deceased = _q(app, lambda s: special(s, Retiree.deceased.is_(True)))
    batch_id = _new_batch(app, ent, "540502")
    for rid, message in ((lixiu, "is a lixiu retiree"), (deceased, "is deceased")):
        if rid is None:
            continue
        name = _q(app, lambda s: s.get(Retiree, rid).name_zh)
        r = ent.post(f"/batches/{batch_id}/add-retirees", data={"retiree": [rid], "csrf_token": session_csrf(ent)},
                     follow_redirects=True)
        text = r.get_data(as_text=True)
        assert name in text and "alert-danger" in text
        assert _batch(app, batch_id)["cases"] == []
    assert lixiu is not None or deceased is not None
    # another enterprise's retiree
    other = _q(app, lambda s: s.scalar(select(HandoverCase.retiree_id).join(
        Organization, Organization.id == HandoverCase.enterprise_id).where(Organization.code == "E-C03").limit(1)))
    ent.post(f"/batches/{batch_id}/add-retirees", data={"retiree": [other], "csrf_token": session_csrf(ent)})
    assert _batch(app, batch_id)["cases"] == []
    # an empty batch is not submitted
    r = _post(ent, f"/batches/{batch_id}/submit")
    assert _zh(app, "An empty batch cannot be submitted.") in r.get_data(as_text=True)
    assert _batch(app, batch_id)["status"] == "draft"
    # another enterprise cannot touch it
    assert _post(as_user("enterprise2"), f"/batches/{batch_id}/submit").status_code == 404


def test_enterprise_cannot_edit_an_accepted_retiree(app, as_user):
    accepted = _q(app, lambda s: s.scalar(select(HandoverCase.retiree_id).join(
        HandoverBatch, HandoverBatch.id == HandoverCase.batch_id).join(
        Organization, Organization.id == HandoverCase.enterprise_id).where(
        HandoverBatch.status == "accepted", Organization.code == "E-S02").order_by(HandoverCase.id).limit(1)))
    before = _q(app, lambda s: s.get(Retiree, accepted).note)
    ent = as_user("enterprise1")
    r = ent.put(f"/api/v1/retiree/{accepted}", json={"note": "企业改动"})
    assert r.status_code == 422
    page = _post(ent, f"/retirees/edit/{accepted}", note="企业改动", name_zh="改名").get_data(as_text=True)
    assert "alert-danger" in page or "has-error" in page
    assert _q(app, lambda s: s.get(Retiree, accepted).note) == before
    # the receiving county still may
    assert as_user("county1").put(f"/api/v1/retiree/{accepted}", json={"note": "县里核实"}).status_code == 200
    as_user("county1").put(f"/api/v1/retiree/{accepted}", json={"note": before})


def test_new_retiree_gets_a_checklist_and_reaches_the_county_queue(app, as_user, cleanup_retirees):
    from tests.scoping import retiree_payload

    payload = _q(app, lambda s: retiree_payload(s, "E-S02", "540502"))
    payload["insured_county"] = payload["receiving_county"]
    payload["party_member"] = True
    r = as_user("enterprise1").post("/api/v1/retiree/", json=payload)
    assert r.status_code == 201, r.get_data(as_text=True)
    rid = r.get_json()["id"]
    case_id = _q(app, lambda s: s.scalar(select(HandoverCase.id).where(HandoverCase.retiree_id == rid)))
    c = _case(app, case_id)
    assert c["status"] == OverallStatus.NOT_HANDED_OVER and len(c["items"]) == 8
    assert c["items"][Stream.PARTY] == ItemState.NOT_STARTED
    assert _q(app, lambda s: s.scalar(select(PartyTransfer.id).where(PartyTransfer.retiree_id == rid))) is not None
    # the county's queue
    listing = as_user("county1").get(f"/handover/list/?_flt_0_id={case_id}").get_data(as_text=True)
    assert f"/handover/show/{case_id}" in listing
    assert f"/handover/show/{case_id}" not in as_user("county2").get(
        f"/handover/list/?_flt_0_id={case_id}").get_data(as_text=True)


def test_party_transfer_stalls_and_orgdept_sees_it(app, as_user):
    pid = _q(app, lambda s: s.scalar(select(PartyTransfer.id).join(
        Organization, Organization.id == PartyTransfer.enterprise_id).where(
        Organization.code == "E-S02", PartyTransfer.letter_issued_on.is_(None)).order_by(PartyTransfer.id).limit(1)))
    ent = as_user("enterprise1")
    issued = datetime.date.today() - datetime.timedelta(days=45)
    bad = ent.put(f"/api/v1/partytransfer/{pid}", json={"letter_issued_on": issued.isoformat()})
    assert bad.status_code == 422 and "dues_base_verified" in bad.get_json()["message"]
    ok = ent.put(f"/api/v1/partytransfer/{pid}", json={
        "dues_base_verified": True, "dues_paid_until": (issued.replace(day=1) - datetime.timedelta(days=1))
        .replace(day=1).isoformat(), "letter_no": "组介字〔2020〕901号", "sending_org": "企业党委",
        "receiving_org": "泽当镇第一社区党支部", "letter_issued_on": issued.isoformat()})
    assert ok.status_code == 200, ok.get_data(as_text=True)
    stalled = as_user("orgdept").get("/party-stalled/list/?psize_StalledPartyTransferModelView=100")
    assert stalled.status_code == 200 and "组介字〔2020〕901号" in stalled.get_data(as_text=True)
    # the enterprise may not record the receipt; the receiving side (or orgdept) may
    assert ent.put(f"/api/v1/partytransfer/{pid}", json={"received_on": datetime.date.today().isoformat(),
                                                          "branch": "第一支部"}).status_code == 422
    r = as_user("orgdept").put(f"/api/v1/partytransfer/{pid}", json={
        "received_on": datetime.date.today().isoformat(), "branch": "泽当镇第一社区第一党支部"})
    assert r.status_code == 200, r.get_data(as_text=True)
    assert "组介字〔2020〕901号" not in as_user("orgdept").get(
        "/party-stalled/list/?psize_StalledPartyTransferModelView=100").get_data(as_text=True)
    rid = _q(app, lambda s: s.get(PartyTransfer, pid).retiree_id)
    case_id = _q(app, lambda s: s.scalar(select(HandoverCase.id).where(HandoverCase.retiree_id == rid)))
    assert _case(app, case_id)["items"][Stream.PARTY] == ItemState.DONE
    # orgdept sees every party transfer in the city
    total = _q(app, lambda s: s.scalar(select(db.func.count(PartyTransfer.id))))
    assert as_user("orgdept").get("/api/v1/partytransfer/").get_json()["count"] == total


def test_leader_archive_stays_with_orgdept_and_archives_receive(app, as_user):
    leader = _q(app, lambda s: s.scalar(select(ArchiveTransfer.id).join(Retiree, Retiree.id == ArchiveTransfer.retiree_id)
                                        .join(Organization, Organization.id == ArchiveTransfer.enterprise_id).where(
        Retiree.leader_cadre.is_(True), Organization.code == "E-S02").limit(1)))
    ent = as_user("enterprise1")
    if leader is not None:
        r = ent.put(f"/api/v1/archivetransfer/{leader}", json={"destination": "city_archives"})
        assert r.status_code == 422
        assert _q(app, lambda s: s.get(ArchiveTransfer, leader).destination) == "orgdept"
    plain = _q(app, lambda s: s.scalar(select(ArchiveTransfer.id).join(Retiree, Retiree.id == ArchiveTransfer.retiree_id)
                                       .join(Organization, Organization.id == ArchiveTransfer.enterprise_id).where(
        Retiree.leader_cadre.is_(False), Organization.code == "E-S02", ArchiveTransfer.sent_on.is_(None))
        .order_by(ArchiveTransfer.id).limit(1)))
    assert ent.put(f"/api/v1/archivetransfer/{plain}", json={"sent_on": "2020-09-01"}).status_code == 422  # unsorted
    assert ent.put(f"/api/v1/archivetransfer/{plain}", json={"missing_materials": "工资审批表"}).status_code == 422
    r = ent.put(f"/api/v1/archivetransfer/{plain}", json={"sorted_done": True, "volumes": 3, "sent_on": "2020-09-01",
                                                          "missing_materials": "工资审批表",
                                                          "missing_explanation": "原件遗失，已出具证明"})
    assert r.status_code == 200, r.get_data(as_text=True)
    r = _post(ent, f"/archives/{plain}/receive")
    assert _q(app, lambda s: s.get(ArchiveTransfer, plain).received_on) is None  # not the enterprise's to do
    _post(as_user("archives"), f"/archives/{plain}/receive")
    assert _q(app, lambda s: s.get(ArchiveTransfer, plain).received_on) == datetime.date.today()


# --- PDFs


def _pdf_text_and_fonts(tmp_path, data):
    path = tmp_path / "doc.pdf"
    path.write_bytes(data)
    return pdf_text(path), pdffonts_output(path)


def _embedded(pdffonts_output, family):
    """pdffonts lists the font (subset prefix, PostScript-style name) with emb = yes."""
    return any(family in line and " yes " in line for line in pdffonts_output.splitlines())


def _accepted_batch(app, enterprise):
    return _q(app, lambda s: s.scalar(select(HandoverBatch.id).join(
        Organization, Organization.id == HandoverBatch.enterprise_id).where(
        Organization.code == enterprise, HandoverBatch.status == "accepted").order_by(HandoverBatch.id).limit(1)))


def test_handover_list_pdf_is_bilingual_and_scoped(app, as_user, tmp_path):
    batch_id = _accepted_batch(app, "E-S02")
    r = as_user("enterprise1").get(f"/batches/{batch_id}/handover-list.pdf")
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/pdf"
    text, fonts = _pdf_text_and_fonts(tmp_path, r.data)
    assert _embedded(fonts, "Noto-Serif-Tibetan") and _embedded(fonts, "Noto-Sans-CJK")
    with app.test_request_context():
        with force_locale("zh"):
            zh_title = gettext("Handover list of retirees")
        with force_locale("bo"):
            bo_title = gettext("Handover list of retirees")
    flat = re.sub(r"\s+", "", text)
    assert re.sub(r"\s+", "", zh_title) in flat
    assert re.search(r"[\u0f00-\u0fff]", text)
    assert flat.index(re.sub(r"\s+", "", bo_title)[:4]) < flat.index(re.sub(r"\s+", "", zh_title))  # Tibetan first
    names = _q(app, lambda s: [c.retiree.name_zh for c in s.get(HandoverBatch, batch_id).cases])
    for name in names:
        assert name in flat
    # the receiving county may print it; another scope may not
    assert as_user("county1").get(f"/batches/{batch_id}/handover-list.pdf").status_code == 200
    assert as_user("enterprise2").get(f"/batches/{batch_id}/handover-list.pdf").status_code == 404
    assert as_user("county2").get(f"/batches/{batch_id}/handover-list.pdf").status_code == 404


def test_confirmation_form_pdf(app, as_user, tmp_path):
    case_id, name, resident_id = _q(app, lambda s: s.execute(select(
        HandoverCase.id, Retiree.name_zh, Retiree.resident_id).join(Retiree, Retiree.id == HandoverCase.retiree_id)
        .join(Organization, Organization.id == HandoverCase.enterprise_id).where(Organization.code == "E-S02")
        .order_by(HandoverCase.id).limit(1)).one())
    r = as_user("enterprise1").get(f"/handover/{case_id}/confirmation.pdf")
    assert r.status_code == 200
    text, fonts = _pdf_text_and_fonts(tmp_path, r.data)
    flat = re.sub(r"\s+", "", text)
    assert name in flat and resident_id in flat
    assert re.sub(r"\s+", "", _zh(app, "Basic information confirmation form")) in flat
    assert _embedded(fonts, "Noto-Serif-Tibetan") and _embedded(fonts, "Noto-Sans-CJK")
    assert as_user("enterprise2").get(f"/handover/{case_id}/confirmation.pdf").status_code == 404


# --- figures


def _raw_figures(app, keyfn, within=None):
    """Recompute from raw rows in Python: {group: (retirees, handed_over, in_progress, {stream: (applicable, done)})}."""
    from app.handover.rules import overall_status

    def fn(s):
        out = {}
        for case in s.scalars(select(HandoverCase)):
            if within is not None and not within(case):
                continue
            key = keyfn(case)
            row = out.setdefault(key, [0, 0, 0, {}])
            status = overall_status([i.state for i in case.items], case.received_on is not None)
            row[0] += 1
            row[1] += status == OverallStatus.HANDED_OVER
            row[2] += status == OverallStatus.IN_PROGRESS
            for i in case.items:
                a, d = row[3].get(i.stream, (0, 0))
                row[3][i.stream] = (a + (i.state != ItemState.NOT_APPLICABLE), d + (i.state == ItemState.DONE))
        return out
    return _q(app, fn)


def _compare(rows, raw):
    body = [r for r in rows if r["key"] is not None]
    assert {r["key"] for r in body} == set(raw)
    for r in body:
        n, done, doing, streams = raw[r["key"]]
        assert (r["retirees"], r["handed_over"], r["in_progress"]) == (n, done, doing), r["label"]
        assert r["not_handed_over"] == n - done - doing
        for stream, (applicable, d) in streams.items():
            assert (r["streams"][stream]["applicable"], r["streams"][stream]["done"]) == (applicable, d)
        assert r["percent_handed_over"] == (round(100.0 * done / n, 1) if n else 0.0)
    total = rows[-1]
    assert total["key"] is None and total["retirees"] == sum(v[0] for v in raw.values())


def test_figures_match_raw_rows_city_wide(app, as_user):
    data = as_user("sasac").get("/handover-figures/data.json").get_json()
    _compare(data["county"], _raw_figures(app, lambda c: c.receiving_county_id or c.liaison_office_id))
    _compare(data["enterprise"], _raw_figures(app, lambda c: c.enterprise_id))
    _compare(data["ownership"], _raw_figures(app, lambda c: c.enterprise.ownership_level))
    flow = _q(app, lambda s: s.scalar(select(db.func.count(Retiree.id)).where(
        Retiree.is_lixiu.is_(False), Retiree.deceased.is_(False))))
    assert data["county"][-1]["retirees"] == flow
    assert data["county"][-1]["handed_over"] >= 3  # the demo shows finished handovers


def test_figures_stay_within_scope(app, as_user):
    naidong = _org_id(app, "540502")

    def within(case):
        return naidong in (case.receiving_county_id,)

    data = as_user("county1").get("/handover-figures/data.json").get_json()
    _compare(data["enterprise"], _raw_figures(app, lambda c: c.enterprise_id, within))
    page = as_user("county1").get("/handover-figures/")
    assert page.status_code == 200
    assert as_user("sysadmin").get("/handover-figures/").status_code == 403
