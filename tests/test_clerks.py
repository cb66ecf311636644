"""The daily work of the handover chain through HTTP (issue 13): to-do entries along enterprise → county →
community and their resolution, bulk confirmation of receiving places and of receipt, the compact search
and export of the lists, each role's home on its own work, the inbox grouped and paged."""
import csv
import datetime
import io
import json
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.handover.models import BatchStatus, HandoverBatch, HandoverCase
from app.notify.models import Notification
from app.org.models import Organization
from app.retirees.models import Retiree
from tests.conftest import session_csrf


def _q(app, fn):
    with app.app_context():
        value = fn(db.session)
        db.session.remove()
        return value


def _org_id(app, code):
    return _q(app, lambda s: s.scalar(select(Organization.id).where(Organization.code == code)))


def _post(client, url, data, follow=True):
    data = dict(data)
    data["csrf_token"] = session_csrf(client)
    return client.post(url, data=data, follow_redirects=follow)


def _unconfirmed(app, enterprise, county, n, offset=0):
    """Cases of `enterprise` proposed to `county`, place not confirmed, no batch."""
    def fn(s):
        return list(s.scalars(select(HandoverCase.id).join(Retiree, Retiree.id == HandoverCase.retiree_id).where(
            HandoverCase.enterprise_id == _org(s, enterprise), HandoverCase.proposed_county_id == _org(s, county),
            HandoverCase.place_confirmed_on.is_(None), HandoverCase.batch_id.is_(None),
            Retiree.deceased.is_(False)).order_by(HandoverCase.id.desc()).offset(offset).limit(n)))
    return _q(app, fn)


def _org(s, code):
    return s.scalar(select(Organization.id).where(Organization.code == code))


def _open_entries(app, org_code, kind="batch"):
    def fn(s):
        return [(e.key, e.link, json.loads(e.params or "{}")) for e in s.scalars(select(Notification).where(
            Notification.org_id == _org(s, org_code), Notification.kind == kind,
            Notification.resolved_at.is_(None)).order_by(Notification.id))]
    return _q(app, fn)


def test_bulk_place_confirmation_then_batch_with_to_do_entries_along_the_chain(app, as_user):
    enterprise = as_user("enterprise1")
    ids = _unconfirmed(app, "E-S02", "540502", 4)
    assert len(ids) == 4
    # the list filter "place not confirmed" shows them
    page = enterprise.get("/handover/list/?place=unconfirmed&county=&psize_HandoverCaseModelView=100")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="compact-search"' in html and 'id="bulk-confirm_places"' in html
    assert 'id="bulk-receive_selected"' not in html  # not the enterprise's step
    assert all(f'value="{i}"' in html for i in ids[:2])
    # one step confirms the proposed places of all the ticked people
    r = _post(enterprise, "/handover/action_post", {"action": "confirm_places", "rowid": ids})
    assert r.status_code == 200
    confirmed = _q(app, lambda s: [s.get(HandoverCase, i).place_confirmed_on is not None for i in ids])
    assert confirmed == [True] * 4
    assert _q(app, lambda s: {s.get(HandoverCase, i).receiving_county_id for i in ids}) == {_org_id(app, "540502")}
    html = enterprise.get("/handover/list/?place=unconfirmed&psize_HandoverCaseModelView=100").get_data(as_text=True)
    assert not any(f'name="rowid" value="{i}"' in html for i in ids)

    # a new batch: after saving, the enterprise lands in it (not on the list)
    r = _post(enterprise, "/batches/add", {"receiving_county": _org_id(app, "540502"), "note": "批量"}, follow=False)
    assert r.status_code == 302 and re.search(r"/batches/show/\d+$", r.headers["Location"]), r.headers.get("Location")
    batch_id = int(r.headers["Location"].rsplit("/", 1)[1])
    show = enterprise.get(f"/batches/show/{batch_id}").get_data(as_text=True)
    assert 'id="select-all-eligible"' in show
    # the steps stand above the signature block
    assert show.index('id="batch-actions"') < show.index('id="batch-members"')
    retirees = _q(app, lambda s: [s.get(HandoverCase, i).retiree_id for i in ids])
    _post(enterprise, f"/batches/{batch_id}/add-retirees", {"retiree": retirees})
    assert _q(app, lambda s: len(s.get(HandoverBatch, batch_id).cases)) == 4
    before = _open_entries(app, "540502")
    assert not [e for e in before if e[0].startswith(f"batch:{batch_id}:")]
    _post(enterprise, f"/batches/{batch_id}/submit", {})

    # the county is told, with the count and a link straight into the batch
    entries = [e for e in _open_entries(app, "540502") if e not in before]
    assert [(k, link) for k, link, _p in entries] == [(f"batch:{batch_id}:accept", f"/batches/show/{batch_id}")]
    assert entries[0][2]["n"] == 4
    assert not [e for e in _open_entries(app, "540522") if e[0].startswith(f"batch:{batch_id}:")]
    waiting = _q(app, lambda s: s.scalar(select(db.func.count(HandoverBatch.id)).where(
        HandoverBatch.receiving_county_id == _org(s, "540502"), HandoverBatch.status == BatchStatus.SUBMITTED)))
    county = as_user("county1")
    home = county.get("/").get_data(as_text=True)
    card = re.search(r'id="work-to-accept".*?</div>', home, re.S).group(0)
    assert re.search(rf'class="work-count">{waiting}<', card)
    assert f"/batches/show/{batch_id}" in card  # one click to the batch
    inbox = county.get("/inbox/").get_data(as_text=True)
    assert f"/batches/show/{batch_id}" in inbox or "inbox-entry" in inbox

    # the county assigns communities and accepts: its entry resolves, each community and the township get one
    def communities(s):
        town = s.scalar(select(Organization).where(Organization.code == "540502-01"))
        return [o.id for o in s.scalars(select(Organization).where(Organization.parent_id == town.id)
                                        .order_by(Organization.code))]
    comms = _q(app, communities)
    form = {f"community_{cid}": comms[i % 2] for i, cid in enumerate(ids)}
    _post(county, f"/batches/{batch_id}/accept", form)
    assert _q(app, lambda s: s.get(HandoverBatch, batch_id).status) == BatchStatus.ACCEPTED
    assert not [e for e in _open_entries(app, "540502") if e[0].startswith(f"batch:{batch_id}:")]
    community_codes = _q(app, lambda s: [s.get(Organization, c).code for c in comms[:2]])
    mine = lambda code: [e for e in _open_entries(app, code) if e[0].startswith(f"batch:{batch_id}:")]  # noqa
    first = mine(community_codes[0])
    assert len(first) == 1 and first[0][2]["n"] == 2
    town = mine("540502-01")
    assert len(town) == 1 and town[0][2]["n"] == 4
    assert len(mine(community_codes[1])) == 1

    # the community's link opens exactly its people of that batch waiting for receipt
    assert community_codes[0] == "540502-01-01"  # community1's
    community = as_user("community1")
    html = community.get(first[0][1]).get_data(as_text=True)
    listed = sorted(int(i) for i in re.findall(r'name="rowid" value="(\d+)"', html))
    assert listed == sorted(i for n, i in enumerate(ids) if n % 2 == 0)
    assert 'id="bulk-receive_selected"' in html and 'id="bulk-confirm_places"' not in html
    # one step confirms receipt of all of them; the community's entry resolves, the township's count drops
    _post(community, "/handover/action_post", {"action": "receive_selected", "rowid": listed})
    assert _q(app, lambda s: [s.get(HandoverCase, i).received_on is not None for i in listed]) == [True, True]
    assert mine(community_codes[0]) == []
    assert mine("540502-01")[0][2]["n"] == 2
    # the other community's people cannot be confirmed by community1 (scope): refused, nothing changes
    others = [i for n, i in enumerate(ids) if n % 2]
    _post(community, "/handover/action_post", {"action": "receive_selected", "rowid": others})
    assert _q(app, lambda s: [s.get(HandoverCase, i).received_on for i in others]) == [None, None]
    # the township confirms the rest: every entry of the batch is resolved
    township = as_user("township1")
    _post(township, "/handover/action_post", {"action": "receive_selected", "rowid": others})
    assert mine("540502-01") == [] and mine(community_codes[1]) == []


def test_scope_of_bulk_place_confirmation(app, as_user):
    other = _unconfirmed(app, "E-C03", "540502", 2)
    enterprise = as_user("enterprise1")
    _post(enterprise, "/handover/action_post", {"action": "confirm_places", "rowid": other})
    assert _q(app, lambda s: [s.get(HandoverCase, i).place_confirmed_on for i in other]) == [None, None]
    # a community may not use the enterprise's step
    mine = _unconfirmed(app, "E-S02", "540502", 1)
    community = as_user("community1")
    _post(community, "/handover/action_post", {"action": "confirm_places", "rowid": mine})
    assert _q(app, lambda s: s.get(HandoverCase, mine[0]).place_confirmed_on) is None


def test_inbox_groups_pages_and_filters(app, as_user):
    """75 missed months are one line with a count; a deadline long past is never shown as 'deadline near'."""
    import datetime

    from app.deadlines import Colour
    from app.notify.views import effective_colour

    county = _org_id(app, "540522")

    def add(s):
        for n in range(75):
            month = f"{2020 + (6 + n) // 12}-{(6 + n) % 12 + 1:02d}"
            s.add(Notification(key=f"testflood:{n}", kind="report", org_id=county,
                               message="The monthly report for %(month)s is missing: it was due on %(deadline)s.",
                               params=json.dumps({"month": month, "deadline": f"{month}-10"}), colour=Colour.RED,
                               created_at=datetime.datetime(2020, 7, 1) + datetime.timedelta(days=30 * n)))
        # stored blue years ago, never refreshed
        s.add(Notification(key="testflood:stale", kind="task", org_id=county, message="Nothing to do.",
                           params=json.dumps({"deadline": "2020-12-31"}), colour=Colour.BLUE,
                           created_at=datetime.datetime(2020, 12, 28)))
        s.commit()
    _q(app, add)
    try:
        c = as_user("county2")
        html = c.get("/inbox/").get_data(as_text=True)
        groups = re.findall(r'class="inbox-group[^"]*" data-kind="report".*?class="group-count">(\d+)<', html, re.S)
        assert groups and max(int(n) for n in groups) >= 75
        assert html.count('data-kind="report"') <= 3 + len(groups) + 1  # the group line and its first entries
        more = re.search(r'class="inbox-more" href="([^"]+)"', html).group(1).replace("&amp;", "&")
        opened = c.get(more).get_data(as_text=True)
        assert opened.count('class="inbox-entry') >= 75
        # the stale blue entry shows red today (the one colour rule), not "deadline near"
        row = _q(app, lambda s: s.scalar(select(Notification).where(Notification.key == "testflood:stale")))
        from app import clock

        assert effective_colour(row, {"deadline": "2020-12-31"}, clock.today()) == Colour.RED
        assert effective_colour(row, {"deadline": "2020-12-31"}, datetime.date(2020, 12, 28)) == Colour.BLUE
        # filters: by kind and colour
        only_tasks = c.get("/inbox/?kind=task").get_data(as_text=True)
        assert 'data-kind="report"' not in only_tasks and 'data-kind="task"' in only_tasks
        assert c.get("/inbox/?kind=task&colour=blue").get_data(as_text=True).count('class="inbox-entry') == 0
        assert c.get("/inbox/?kind=task&colour=red").get_data(as_text=True).count('class="inbox-entry') >= 1
    finally:
        def clean(s):
            s.query(Notification).filter(Notification.key.like("testflood:%")).delete(synchronize_session=False)
            s.commit()
        _q(app, clean)


def test_paging_of_inbox_groups(app, as_user):
    import datetime

    county = _org_id(app, "540522")

    def add(s):
        for n in range(45):
            s.add(Notification(key=f"testpage:{n}", kind=f"testpage{n}", org_id=county, message="Nothing to do.",
                               created_at=datetime.datetime(2021, 1, 1)))
        s.commit()
    _q(app, add)
    try:
        c = as_user("county2")
        html = c.get("/inbox/").get_data(as_text=True)
        assert 'id="inbox-pages"' in html
        first = set(re.findall(r'data-kind="(testpage\d+)"', html))
        second = set(re.findall(r'data-kind="(testpage\d+)"', c.get("/inbox/?page=1").get_data(as_text=True)))
        assert first and second and not first & second
    finally:
        def clean(s):
            s.query(Notification).filter(Notification.key.like("testpage:%")).delete(synchronize_session=False)
            s.commit()
        _q(app, clean)


@pytest.mark.parametrize("url", ["/handover/list/", "/party/list/", "/archives/list/", "/batches/list/",
                                 "/party-stalled/list/"])
def test_compact_search_form_above_each_list_and_export(app, as_user, url):
    c = as_user("sasac")
    html = c.get(url).get_data(as_text=True)
    assert 'id="compact-search"' in html
    # the form comes before the table and before FAB's filter menu
    assert html.index('id="compact-search"') < html.index("<table")
    r = c.get(url.replace("/list/", "/export") + "?format=csv")
    assert r.status_code == 200 and r.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert len(rows) >= 1
    x = c.get(url.replace("/list/", "/export") + "?format=xlsx")
    assert x.status_code == 200 and x.data[:2] == b"PK"


def _name_of_first(app, model, **where):
    def fn(s):
        row = s.scalars(select(model).order_by(model.id)).first()
        return row.retiree.name_zh, row.retiree_id
    return _q(app, fn)


def test_search_people_by_name_and_status(app, as_user):
    from app.archives.models import ArchiveTransfer
    from app.party.models import PartyTransfer

    c = as_user("sasac")
    for model, url in ((HandoverCase, "/handover"), (PartyTransfer, "/party"), (ArchiveTransfer, "/archives")):
        name, retiree_id = _name_of_first(app, model)
        same_name = _q(app, lambda s: s.scalar(select(db.func.count(model.id)).join(
            Retiree, Retiree.id == model.retiree_id).where(Retiree.name_zh.like(f"%{name}%"))))
        export = c.get(f"{url}/export?format=csv&q={name}").get_data(as_text=True)
        rows = list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))[1:]
        assert len(rows) == same_name and all(name in row[0] for row in rows)
        html = c.get(f"{url}/list/?q={name}").get_data(as_text=True)
        assert html.count('<tr') - 1 >= min(same_name, 1)
    # status: the checklists of people received (a handover status) — every exported row says so
    export = c.get("/handover/export?format=csv&receipt=received").get_data(as_text=True)
    received = _q(app, lambda s: s.scalar(select(db.func.count(HandoverCase.id)).where(
        HandoverCase.received_on.is_not(None))))
    assert len(list(csv.reader(io.StringIO(export.lstrip("\ufeff"))))) - 1 == received > 0
    waiting = c.get("/party/export?format=csv&state=waiting").get_data(as_text=True)
    n_waiting = _q(app, lambda s: s.scalar(select(db.func.count(PartyTransfer.id)).where(
        PartyTransfer.letter_issued_on.is_not(None), PartyTransfer.received_on.is_(None))))
    assert len(list(csv.reader(io.StringIO(waiting.lstrip("\ufeff"))))) - 1 == n_waiting > 0


def test_search_and_export_stay_in_scope(app, as_user):
    """A name search never reaches past the user's scope: enterprise2 searching enterprise1's people gets none."""
    name = _q(app, lambda s: s.scalar(select(Retiree.name_zh).join(
        HandoverCase, HandoverCase.retiree_id == Retiree.id).where(
        HandoverCase.enterprise_id == _org(s, "E-S02")).order_by(Retiree.id)))
    mine = _q(app, lambda s: s.scalar(select(db.func.count(HandoverCase.id)).join(
        Retiree, Retiree.id == HandoverCase.retiree_id).where(
        HandoverCase.enterprise_id == _org(s, "E-C03"), Retiree.name_zh.like(f"%{name}%"))))
    rows = list(csv.reader(io.StringIO(as_user("enterprise2").get(
        f"/handover/export?format=csv&q={name}").get_data(as_text=True).lstrip("\ufeff"))))[1:]
    assert len(rows) == mine
    enterprise2_name = _q(app, lambda s: s.get(Organization, _org(s, "E-C03")).name_zh)
    assert all(row[1] == enterprise2_name for row in rows)


def test_batch_list_search_by_number_and_status(app, as_user):
    c = as_user("county1")
    batch = _q(app, lambda s: s.scalars(select(HandoverBatch).where(
        HandoverBatch.receiving_county_id == _org(s, "540502")).order_by(HandoverBatch.id)).first())
    number = _q(app, lambda s: s.get(HandoverBatch, batch.id).number())
    rows = list(csv.reader(io.StringIO(c.get(f"/batches/export?format=csv&q={number}").get_data(
        as_text=True).lstrip("\ufeff"))))[1:]
    assert [r[0] for r in rows] == [number]
    accepted = list(csv.reader(io.StringIO(c.get("/batches/export?format=csv&status=accepted").get_data(
        as_text=True).lstrip("\ufeff"))))[1:]
    n = _q(app, lambda s: s.scalar(select(db.func.count(HandoverBatch.id)).where(
        HandoverBatch.receiving_county_id == _org(s, "540502"), HandoverBatch.status == BatchStatus.ACCEPTED)))
    assert len(accepted) == n > 0


def test_counties_and_enterprises_in_administrative_code_order(app, as_user):
    """The dashboard, the figures page and the summary PDF share `roll_up`: counties by code (乃东区 540502
    before 扎囊县 540521 before 贡嘎县 540522 …), not by the characters of their names; liaison offices after."""
    from app.handover.stats import roll_up

    from app.org.models import OrgKind

    def fn(s):
        orgs = s.scalars(select(Organization).where(Organization.kind.in_((OrgKind.COUNTY, OrgKind.LIAISON)))).all()
        enterprises = s.scalars(select(Organization).where(Organization.kind == OrgKind.ENTERPRISE)).all()
        return ([(o.id, o.kind, o.code) for o in orgs], [(o.id, o.code) for o in enterprises])
    units, enterprises = _q(app, fn)
    with app.test_request_context():
        # one case per unit, fed in reverse code order
        counts = [(uid, enterprises[i % len(enterprises)][0], None, "not_handed_over", 1, {})
                  for i, (uid, _k, _c) in enumerate(sorted(units, key=lambda u: u[2], reverse=True))]
        rows = roll_up(counts)["county"][:-1]
        codes = {uid: code for uid, _k, code in units}
        kinds = {uid: kind for uid, kind, _c in units}
        order = [codes[r["key"]] for r in rows]
        counties = [c for c in order if kinds[next(u for u, code in codes.items() if code == c)] == OrgKind.COUNTY]
        assert counties == sorted(counties) and order[:len(counties)] == counties
    html = as_user("sasac").get("/handover-figures/").get_data(as_text=True)
    table = re.search(r'id="figures-county".*?</table>', html, re.S).group(0)
    names = _q(app, lambda s: {o.name_zh: o.code for o in s.scalars(select(Organization).where(
        Organization.kind == OrgKind.COUNTY))})
    shown = [names[n] for n in re.findall(r"<td>([^<]+)</td>", table) if n in names]
    assert len(shown) >= 2 and shown == sorted(shown)


def test_birth_date_comes_from_the_resident_id(app, as_user, cleanup_retirees):
    """Left empty, the birth date is read from the ID (the form's script fills it as the ID is typed)."""
    import datetime

    from app.retirees import idcard
    from tests.conftest import csrf_token
    from tests.test_ledger import _form

    def _ledger_post(client, url, data):
        data = dict(data, csrf_token=csrf_token(client, "/retirees/add"))
        return client.post(url, data=data, follow_redirects=True)

    c = as_user("enterprise1")
    page = c.get("/retirees/add").get_data(as_text=True)
    assert "birth.readOnly = true" in page  # the form's script
    born = datetime.date(1959, 3, 17)
    number = idcard.make("540502", born, 88, False)
    data = dict(_form(app, resident_id=number, name_zh="测试由证取生日"), birth_date="")
    r = _ledger_post(c, "/retirees/add", data)
    assert r.status_code in (200, 302)
    saved = _q(app, lambda s: s.scalar(select(Retiree.birth_date).where(Retiree.resident_id == number)))
    assert saved == born
    # a typed date that disagrees with the ID is still refused
    other = idcard.make("540502", born, 90, False)
    _ledger_post(c, "/retirees/add", _form(app, resident_id=other, birth_date="1960-01-01", name_zh="测试不符"))
    assert _q(app, lambda s: s.scalar(select(Retiree.id).where(Retiree.resident_id == other))) is None


def test_after_supervise_a_county_to_do_list_fits_on_one_screen(app, as_user):
    """`flask supervise` on the demo: county1's inbox is a handful of lines (grouped), and with reporting
    ended with the campaign (MONTHLY_REPORT_END) the missed months stop at the end instead of running on."""
    from app.monthly import rules as monthly_rules

    runner = app.test_cli_runner()
    assert runner.invoke(args=["supervise"]).exit_code == 0
    c = as_user("county1")
    html = c.get("/inbox/").get_data(as_text=True)
    lines = len(re.findall(r'<tr class="inbox-(?:entry|group|more)', html))
    assert 0 < lines <= 15, lines
    open_all = _q(app, lambda s: s.scalar(select(db.func.count(Notification.id)).where(
        Notification.org_id == _org(s, "540502"), Notification.resolved_at.is_(None))))
    app.config["MONTHLY_REPORT_END"] = "2021-06"
    try:
        with app.app_context():
            assert monthly_rules.months_due(datetime.date(2026, 11, 28))[-1] == "2021-06"
            assert monthly_rules.months_due(datetime.date(2020, 9, 1))[-1] == "2020-09"
        assert runner.invoke(args=["supervise"]).exit_code == 0
        reports = _q(app, lambda s: s.scalar(select(db.func.count(Notification.id)).where(
            Notification.org_id == _org(s, "540502"), Notification.kind == "report",
            Notification.resolved_at.is_(None))))
        assert reports <= 12  # 2020-07 … 2021-06 at most, not one per month up to today
        after = _q(app, lambda s: s.scalar(select(db.func.count(Notification.id)).where(
            Notification.org_id == _org(s, "540502"), Notification.resolved_at.is_(None))))
        assert after <= open_all
    finally:
        app.config["MONTHLY_REPORT_END"] = ""
        runner.invoke(args=["supervise"])


def test_one_click_from_a_ready_place_to_its_new_batch(app, as_user):
    """The home lists each receiving place with people ready for a batch; its link opens the new batch's form
    with that place chosen, and saving lands in the batch."""
    enterprise = as_user("enterprise1")
    ids = _unconfirmed(app, "E-S02", "540502", 2, offset=2)
    _post(enterprise, "/handover/action_post", {"action": "confirm_places", "rowid": ids})
    home = enterprise.get("/").get_data(as_text=True)
    card = re.search(r'id="work-ready".*?</div>', home, re.S).group(0)
    county = _org_id(app, "540502")
    link = f"/batches/add?_flt_0_receiving_county={county}"
    assert link in card.replace("&amp;", "&")
    form = enterprise.get(link).get_data(as_text=True)
    assert 'name="receiving_county"' not in form  # already chosen
    r = _post(enterprise, link, {"note": "一键"}, follow=False)
    assert r.status_code == 302 and "/batches/show/" in r.headers["Location"]
    batch_id = int(r.headers["Location"].rsplit("/", 1)[1])
    assert _q(app, lambda s: s.get(HandoverBatch, batch_id).receiving_county_id) == county


def test_each_role_home_opens_on_its_own_work(app, as_user):
    # enterprise: people without a confirmed place (a link to exactly that list) and its draft/returned batches
    html = as_user("enterprise1").get("/").get_data(as_text=True)
    assert html.index('id="work-unconfirmed"') < html.index('id="ledger-figures"')
    assert "place=unconfirmed" in re.search(r'id="work-unconfirmed".*?</div>', html, re.S).group(0)
    drafts = re.search(r'id="work-drafts".*?</div>', html, re.S).group(0)
    n_drafts = _q(app, lambda s: s.scalar(select(db.func.count(HandoverBatch.id)).where(
        HandoverBatch.enterprise_id == _org(s, "E-S02"),
        HandoverBatch.status.in_((BatchStatus.DRAFT, BatchStatus.RETURNED)))))
    assert re.search(rf'class="work-count">{n_drafts}<', drafts)
    # community: people to confirm, one link to the list waiting for receipt
    html = as_user("community1").get("/").get_data(as_text=True)
    card = re.search(r'id="work-to-confirm".*?</div>', html, re.S).group(0)
    waiting = _q(app, lambda s: s.scalar(select(db.func.count(HandoverCase.id)).where(
        HandoverCase.receiving_community_id == _org(s, "540502-01-01"), HandoverCase.accepted_on.is_not(None),
        HandoverCase.received_on.is_(None))))
    assert re.search(rf'class="work-count">{waiting}<', card) and "receipt=pending" in card
    # supervision office: units with overdue work, each with a direct "open a 督办" for that unit
    html = as_user("supervision").get("/").get_data(as_text=True)
    card = re.search(r'id="work-overdue-units".*?</div>', html, re.S).group(0)
    link = re.search(r'href="(/items/add\?_flt_0_unit=(\d+))"', card)
    assert link, card[:500]
    form = as_user("supervision").get(link.group(1).replace("&amp;", "&"))
    assert form.status_code == 200 and 'name="unit"' not in form.get_data(as_text=True)  # the unit is chosen
    assert html.index('id="panel-milestones"') < html.index('id="ledger-figures"')
    # SASAC and the leading group: the milestones and what is late come before the figures
    for user in ("sasac", "leader"):
        html = as_user(user).get("/").get_data(as_text=True)
        assert html.index('id="panel-milestones"') < html.index('id="panel-attention"') < html.index(
            'id="ledger-figures"'), user
