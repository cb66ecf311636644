"""Facts come from the side responsible for them (issue 10): a checklist stream that another unit confirms is
done only by that unit's own record — through the UI and the API, no other role can make it done — and every
figure (dashboard, summary PDF, monthly snapshot, task progress) equals the counts recomputed from those
records."""
import datetime
import html
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.archives.models import ArchiveTransfer
from app.extensions import db
from app.handover.models import HandoverBatch, HandoverCase, HandoverItem, ItemState, Side, Stream
from app.org.models import Organization
from app.party.models import PartyTransfer
from app.security.models import OrgUser
from tests.conftest import session_csrf
from tests.pdftools import pdf_text

DEMO_USERS = ("enterprise1", "enterprise2", "county1", "county2", "township1", "community1", "sasac", "hrss",
              "medins", "orgdept", "finance", "housing", "health", "archives", "supervision", "leader",
              "sysadmin", "secadmin", "auditadmin")
COUNTERPARTY_ROLES = {Side.HRSS: {"hrss"}, Side.MEDINS: {"medins"}, Side.ORGDEPT: {"orgdept"},
                      Side.RECEIVING: {"county", "township", "community"}}


def _q(app, fn):
    with app.app_context():
        value = fn(db.session)
        db.session.remove()
        return value


def _post(client, url, **data):
    data["csrf_token"] = session_csrf(client)
    return client.post(url, data=data, follow_redirects=True)


def _items(app, case_id):
    return _q(app, lambda s: {i.stream: i.state for i in s.get(HandoverCase, case_id).items})


def _accepted_case(app, **where):
    """A case accepted by 乃东区 into community1's community, not yet received."""
    def fn(s):
        community = s.scalar(select(Organization.id).where(Organization.code == "540502-01-01"))
        query = select(HandoverCase.id).where(HandoverCase.receiving_community_id == community,
                                              HandoverCase.accepted_on.is_not(None),
                                              HandoverCase.received_on.is_(None))
        for key, value in where.items():
            query = query.where(getattr(HandoverCase, key) == value)
        return s.scalars(query.order_by(HandoverCase.id)).all()
    return _q(app, fn)


def _roles(app, username):
    return _q(app, lambda s: {r.name for r in s.scalars(select(OrgUser).where(OrgUser.username == username))
                              .one().roles})


def test_derived_streams_cannot_be_typed_by_anyone(app, as_user):
    case_id = _accepted_case(app)[0]
    before = _items(app, case_id)
    for username in DEMO_USERS:
        client = as_user(username)
        for stream in (Stream.PERSONNEL, Stream.PARTY, Stream.ARCHIVE):
            for state in (ItemState.IN_PROGRESS, ItemState.DONE, ItemState.NOT_STARTED):
                client.post(f"/handover/{case_id}/item/{stream}",
                            data={"state": state, "csrf_token": session_csrf(client)})
    assert _items(app, case_id) == before
    # the checklist does not offer it either: no form for those streams, the record they follow is named
    page = as_user("county1").get(f"/handover/show/{case_id}").get_data(as_text=True)
    for stream in (Stream.PERSONNEL, Stream.PARTY, Stream.ARCHIVE):
        assert f"/handover/{case_id}/item/{stream}" not in page


def test_only_the_receiving_community_records_personnel_and_party_receipt(app, as_user):
    cases = _accepted_case(app)
    case_id = cases[1]
    retiree_id = _q(app, lambda s: s.get(HandoverCase, case_id).retiree_id)
    for username in DEMO_USERS:
        if username in ("community1", "township1"):
            continue
        as_user(username).post(f"/handover/{case_id}/receive", data={"csrf_token": session_csrf(as_user(username))})
    assert _q(app, lambda s: s.get(HandoverCase, case_id).received_on) is None
    assert _items(app, case_id)[Stream.PERSONNEL] != ItemState.DONE
    _post(as_user("community1"), f"/handover/{case_id}/receive")
    assert _items(app, case_id)[Stream.PERSONNEL] == ItemState.DONE

    # the party relation: a letter issued by the enterprise, the receipt recorded by the community only (API)
    party = _q(app, lambda s: s.scalar(select(PartyTransfer).join(
        HandoverCase, HandoverCase.retiree_id == PartyTransfer.retiree_id).where(
        HandoverCase.id.in_(cases), PartyTransfer.received_on.is_(None)).order_by(PartyTransfer.id).limit(1)))
    if party is None:
        pytest.skip("no open party transfer among the accepted cases")
    pid, party_case = party.id, _q(app, lambda s: s.scalar(select(HandoverCase.id).where(
        HandoverCase.retiree_id == party.retiree_id)))
    enterprise = {"E-S02": "enterprise1", "E-C03": "enterprise2"}[
        _q(app, lambda s: s.get(Organization, party.enterprise_id).code)]
    if party.letter_issued_on is None:
        issued = datetime.date.today() - datetime.timedelta(days=5)
        r = as_user(enterprise).put(f"/api/v1/partytransfer/{pid}", json={
            "dues_base_verified": True, "dues_paid_until": (issued.replace(day=1) - datetime.timedelta(days=1))
            .replace(day=1).isoformat(), "letter_no": "组介字〔2020〕777号", "receiving_org": "社区党支部",
            "letter_issued_on": issued.isoformat()})
        assert r.status_code == 200, r.get_data(as_text=True)
    receipt = {"received_on": datetime.date.today().isoformat(), "branch": "第一党支部"}
    for username in DEMO_USERS:
        if username in ("community1", "township1"):
            continue
        r = as_user(username).put(f"/api/v1/partytransfer/{pid}", json=receipt)
        assert r.status_code in (401, 403, 404, 422), (username, r.status_code)
    assert _q(app, lambda s: s.get(PartyTransfer, pid).received_on) is None
    assert _items(app, party_case)[Stream.PARTY] == ItemState.IN_PROGRESS
    # the edit form does not let the enterprise record it either
    page = _post(as_user(enterprise), f"/party/edit/{pid}", received_on=receipt["received_on"],
                 branch="第一党支部", letter_no="组介字〔2020〕777号").get_data(as_text=True)
    assert _q(app, lambda s: s.get(PartyTransfer, pid).received_on) is None, page[-2000:]
    r = as_user("community1").put(f"/api/v1/partytransfer/{pid}", json=receipt)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert _items(app, party_case)[Stream.PARTY] == ItemState.DONE


def test_only_the_archives_receive_an_archive(app, as_user):
    case_id = _accepted_case(app)[2]
    archive = _q(app, lambda s: s.scalars(select(ArchiveTransfer).join(
        HandoverCase, HandoverCase.retiree_id == ArchiveTransfer.retiree_id).where(HandoverCase.id == case_id)).one())
    aid = archive.id
    if archive.sent_on is None:
        enterprise = {"E-S02": "enterprise1", "E-C03": "enterprise2"}[
            _q(app, lambda s: s.get(Organization, archive.enterprise_id).code)]
        r = as_user(enterprise).put(f"/api/v1/archivetransfer/{aid}", json={"sorted_done": True,
                                                                            "sent_on": "2020-10-01"})
        assert r.status_code == 200, r.get_data(as_text=True)
    keeper = "orgdept" if archive.destination == "orgdept" else "archives"
    for username in DEMO_USERS:
        client = as_user(username)
        # the API has no receipt field for anyone
        r = client.put(f"/api/v1/archivetransfer/{aid}", json={"received_on": "2020-10-05"})
        assert r.status_code != 200, username
        if username != keeper:
            client.post(f"/archives/{aid}/receive", data={"csrf_token": session_csrf(client)})
    assert _q(app, lambda s: s.get(ArchiveTransfer, aid).received_on) is None
    assert _items(app, case_id)[Stream.ARCHIVE] == ItemState.IN_PROGRESS
    _post(as_user(keeper), f"/archives/{aid}/receive")
    assert _q(app, lambda s: s.get(ArchiveTransfer, aid).received_on) is not None
    assert _items(app, case_id)[Stream.ARCHIVE] == ItemState.DONE


def test_typed_streams_are_closed_only_by_their_responsible_side(app, as_user):
    case_id = _accepted_case(app)[3]
    items = _q(app, lambda s: {i.stream: (i.state, i.responsible) for i in s.get(HandoverCase, case_id).items})
    tried = 0
    for stream in (Stream.PENSION, Stream.MEDICAL, Stream.HOUSEHOLD):
        state, side = items[stream]
        if state == ItemState.NOT_APPLICABLE:
            continue
        if state == ItemState.NOT_STARTED:
            _post(as_user("county1"), f"/handover/{case_id}/item/{stream}", state="in_progress",
                  household_category="stable_residence")
        assert _items(app, case_id)[stream] == ItemState.IN_PROGRESS
        for username in DEMO_USERS:
            if _roles(app, username) & COUNTERPARTY_ROLES[side]:
                continue
            client = as_user(username)
            client.post(f"/handover/{case_id}/item/{stream}", data={
                "state": "done", "household_category": "stable_residence", "csrf_token": session_csrf(client)})
            assert _items(app, case_id)[stream] == ItemState.IN_PROGRESS, (stream, username)
        closer = {Side.HRSS: "hrss", Side.MEDINS: "medins", Side.RECEIVING: "community1"}[side]
        _post(as_user(closer), f"/handover/{case_id}/item/{stream}", state="done",
              household_category="stable_residence")
        assert _items(app, case_id)[stream] == ItemState.DONE, (stream, closer)
        tried += 1
    assert tried >= 2


# ---------------------------------------------------------------------------------------------------------
# One number per stream, recomputed from the counterparty's records


def _from_records(app):
    """{stream: (done, applicable)} over the city, from the records of the side responsible for each fact."""
    def fn(s):
        result = {}
        case_retirees = select(HandoverCase.retiree_id)
        applicable = dict(s.execute(select(HandoverItem.stream, func.count()).where(
            HandoverItem.state != ItemState.NOT_APPLICABLE).group_by(HandoverItem.stream)).all())
        result[Stream.PERSONNEL] = (s.scalar(select(func.count()).where(HandoverCase.received_on.is_not(None))),
                                    applicable.get(Stream.PERSONNEL, 0))
        for stream, model in ((Stream.PARTY, PartyTransfer), (Stream.ARCHIVE, ArchiveTransfer)):
            rows = select(model).where(model.retiree_id.in_(case_retirees)).subquery()
            total = s.scalar(select(func.count()).select_from(rows))
            done = s.scalar(select(func.count()).select_from(rows).where(rows.c.received_on.is_not(None)))
            result[stream] = (done, total)
        for stream in (Stream.PENSION, Stream.MEDICAL, Stream.HOUSEHOLD, Stream.TRAVEL):
            done = 0
            for item in s.scalars(select(HandoverItem).where(HandoverItem.stream == stream,
                                                             HandoverItem.state == ItemState.DONE)):
                roles = {r.name for r in item.changed_by.roles} if item.changed_by else set()
                done += bool(roles & COUNTERPARTY_ROLES[item.responsible])
            result[stream] = (done, applicable.get(stream, 0))
        return result
    return _q(app, fn)


def test_every_figure_equals_the_counterparty_records(app, as_user, runner, tmp_path):
    raw = _from_records(app)
    assert raw[Stream.ARCHIVE][0] > 0 and raw[Stream.PARTY][0] > 0 and raw[Stream.PERSONNEL][0] > 0
    # the handover figures (the dashboard's source) of a city-wide reader
    figures = as_user("sasac").get("/handover-figures/data.json").get_json()
    total = figures["county"][-1]["streams"]
    for stream, (done, applicable) in raw.items():
        assert (total[stream]["done"], total[stream]["applicable"]) == (done, applicable), stream
    # the dashboard page: one "done/applicable" per stream
    page = as_user("sasac").get("/").get_data(as_text=True)
    with app.test_request_context(), force_locale("zh"):
        labels = {s: str(Stream.LABELS[s]) for s in raw}
    for stream, (done, applicable) in raw.items():
        if not applicable:
            continue
        shown = re.search(r'class="chart-label">(?:<a [^>]*>)?' + re.escape(html.escape(labels[stream]))
                          + r'(?:(?!</tr>).)*?chart-value">(\d+)/(\d+)', page, re.S)
        assert shown and (int(shown.group(1)), int(shown.group(2))) == (done, applicable), stream
    # the summary PDF prints the same numbers
    out = tmp_path / "summary.pdf"
    result = runner.invoke(args=["report", "summary", "--lang", "zh", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    for stream, (done, applicable) in raw.items():
        label = re.escape(labels[stream]).replace("\\ ", r"\s*")
        shown = re.search(label + r"\s+(\d+)\s+(\d+)", text)
        assert shown and (int(shown.group(1)), int(shown.group(2))) == (done, applicable), stream
    # the monthly snapshot's figures (city-wide) and the work plan's live progress
    from app.monthly.figures import city_figures
    from app.workplan.metrics import metric_counts
    from app.workplan.models import Metric

    with app.test_request_context():
        snapshot = city_figures()
        for stream, (done, applicable) in raw.items():
            assert (snapshot["streams"][stream]["done"], snapshot["streams"][stream]["applicable"]) == (
                done, applicable), stream
        assert (snapshot["party_transferred"], snapshot["party_total"]) == raw[Stream.PARTY]
        assert (snapshot["archives_transferred"], snapshot["archives_total"]) == raw[Stream.ARCHIVE]
        assert metric_counts(Metric.PARTY, None) == raw[Stream.PARTY]
        assert metric_counts(Metric.ARCHIVES, None) == raw[Stream.ARCHIVE]
        db.session.remove()


def test_the_monthly_report_page_shows_one_number_per_stream(app, as_user):
    """The report no longer prints a separate "archives received" line beside the archive stream."""
    from app.monthly.views import figure_rows

    with app.test_request_context(), force_locale("zh"):
        from app.monthly.figures import city_figures

        rows = figure_rows(city_figures())
        labels = [str(label) for label, _value in rows]
        db.session.remove()
        archive_label = str(Stream.LABELS[Stream.ARCHIVE])
        party_label = str(Stream.LABELS[Stream.PARTY])
    assert labels.count(archive_label) == 1 and labels.count(party_label) == 1
    assert len([v for _l, v in rows]) == len(set(labels))


def test_the_migration_recomputes_typed_marks(app):
    """The statements of the migration set a party or archive stream typed "done" without the counterparty's
    record back to what the record says, and the case summary with it."""
    import importlib.util
    import pathlib

    from sqlalchemy import text

    path = next(pathlib.Path("migrations/versions").glob("a10f00000001_*.py"))
    spec = importlib.util.spec_from_file_location("a10f", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with app.app_context():
        case = db.session.scalars(select(HandoverCase).where(HandoverCase.received_on.is_(None)).join(
            HandoverBatch, HandoverBatch.id == HandoverCase.batch_id).where(HandoverBatch.status == "accepted")
            .order_by(HandoverCase.id)).first()
        archive = db.session.scalars(select(ArchiveTransfer).where(ArchiveTransfer.retiree_id == case.retiree_id)).one()
        assert archive.received_on is None
        case_id = case.id
        # what the old code let an enterprise do: the archive and personnel streams typed "done"
        db.session.execute(text("UPDATE handover_item SET state = 'done' WHERE case_id = :c AND stream IN "
                                "('archive', 'personnel')"), {"c": case_id})
        db.session.commit()
        for statement in (migration.PERSONNEL, migration.PARTY, migration.ARCHIVE, migration.TYPED,
                          migration.SUMMARY):
            db.session.execute(text(statement))
        db.session.commit()
        db.session.expire_all()
        case = db.session.get(HandoverCase, case_id)
        states = {i.stream: i.state for i in case.items}
        assert states[Stream.ARCHIVE] != ItemState.DONE and states[Stream.PERSONNEL] == ItemState.IN_PROGRESS
        from app.handover.rules import STREAM_BITS

        assert not case.done_streams & STREAM_BITS[Stream.ARCHIVE]
        db.session.remove()
    from app.handover.stats import forget_cached_figures

    forget_cached_figures()  # written in SQL, without the audit rows the figures' cache watches
