"""The dashboard and the summary PDF: figures equal counts recomputed from raw rows within the user's scope,
every figure links to its list, the PDF carries the figures in Chinese and/or Tibetan with both fonts
embedded."""
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.handover.models import HandoverCase, HandoverItem
from app.handover.rules import overall_status
from app.org.models import Organization
from app.retirees.models import Retiree
from tests.pdftools import pdf_fonts, pdf_text

SCOPES = {
    # username -> predicate over (retiree, case) rows, written from organization codes, not from the scope code
    "sasac": lambda r, codes: True,
    "county1": lambda r, codes: codes.get(r.receiving_county_id) == "540502"
    or codes.get(r.receiving_township_id, "").startswith("540502")
    or codes.get(r.receiving_community_id, "").startswith("540502"),
    "enterprise1": lambda r, codes: codes.get(r.enterprise_id) == "E-S02",
}


def _raw(app, username):
    with app.app_context():
        codes = dict(db.session.execute(select(Organization.id, Organization.code)).all())
        retirees = [r for r in db.session.scalars(select(Retiree)) if SCOPES[username](r, codes)]
        states = {}
        for case_id, state in db.session.execute(select(HandoverItem.case_id, HandoverItem.state)):
            states.setdefault(case_id, []).append(state)
        cases = db.session.scalars(select(HandoverCase)).all()
        by_retiree = {c.retiree_id: c for c in cases}
        statuses = [overall_status(states.get(by_retiree[r.id].id, []), by_retiree[r.id].received_on is not None)
                    for r in retirees if r.id in by_retiree]
        result = {"total": len(retirees), "in": sum(r.category == "in_region" for r in retirees),
                  "out": sum(r.category == "out_region" for r in retirees), "flow": len(statuses),
                  "handed": statuses.count("handed_over"), "progress": statuses.count("in_progress"),
                  "not": statuses.count("not_handed_over")}
        db.session.remove()
        return result


def _shown(page, key):
    return int(re.search(rf'id="fig-{key}"[^>]*>(\d+)<', page).group(1))


@pytest.mark.parametrize("username", sorted(SCOPES))
def test_dashboard_figures_equal_raw_counts_within_scope(app, as_user, username):
    page = as_user(username).get("/").get_data(as_text=True)
    raw = _raw(app, username)
    for key in ("total", "in", "out", "flow", "handed", "progress", "not"):
        assert _shown(page, key) == raw[key], (username, key)
    assert raw["handed"] > 0 or username != "sasac"  # the demo has retirees handed over


def test_every_dashboard_figure_is_a_link_to_its_list(app, as_user):
    c = as_user("sasac")
    page = c.get("/").get_data(as_text=True)
    for key in ("total", "in", "out", "flow", "handed", "progress", "not"):
        href = re.search(rf'href="([^"]+)" id="fig-{key}"|id="fig-{key}" href="([^"]+)"', page)
        assert href, key
        url = (href.group(1) or href.group(2)).replace("&amp;", "&")
        assert c.get(url).status_code == 200, url
    out_list = c.get(re.search(r'id="fig-out" href="([^"]+)"', page).group(1).replace("&amp;", "&"))
    assert "区外" in out_list.get_data(as_text=True)


def test_dashboard_charts_are_inline_svg_without_outside_assets(app, as_user):
    page = as_user("sasac", lang="bo").get("/").get_data(as_text=True)
    assert page.count("<svg") >= 8 and "bar-chart" in page
    assert "google" not in page.lower() and "cdn" not in page.lower()


def _pdf_fonts(path):
    return [columns[0] for columns in pdf_fonts(path)]


@pytest.mark.parametrize("lang", ["zh", "bo", "both"])
def test_summary_pdf_from_the_command_line(app, runner, tmp_path, lang):
    out = tmp_path / f"summary-{lang}.pdf"
    result = runner.invoke(args=["report", "summary", "--lang", lang, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    raw = _raw(app, "sasac")
    for figure in (raw["total"], raw["in"], raw["out"], raw["flow"]):
        assert str(figure) in text
    has_zh = "国有企业退休人员社会化管理" in text
    has_bo = bool(re.search(r"[\u0f40-\u0f6c]", text))
    assert (has_zh, has_bo) == {"zh": (True, False), "bo": (False, True), "both": (True, True)}[lang] or \
        (lang == "bo" and has_bo)  # org names stay in their own script in a bo document
    fonts = _pdf_fonts(out)
    assert all(f.split("+")[-1] in ("Noto-Sans-CJK-SC", "Noto-Serif-Tibetan") for f in fonts), fonts
    if lang == "both":
        assert {f.split("+")[-1] for f in fonts} == {"Noto-Sans-CJK-SC", "Noto-Serif-Tibetan"}
    assert re.search(r"\b2\s*/\s*\d+", text)  # page numbers "n / N"


def test_summary_pdf_route_is_scoped(app, as_user, tmp_path):
    response = as_user("county1").get("/reports/summary.pdf?lang=zh")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "county.pdf"
    path.write_bytes(response.data)
    text = pdf_text(path)
    raw = _raw(app, "county1")
    assert re.search(rf"\b{raw['total']}\b", text)
    assert "贡嘎县" not in text.split("各县（区）移交进度")[-1].split("按企业")[0]
    assert as_user("sysadmin").get("/reports/summary.pdf").status_code == 403


def _raw_groupings(app, username):
    """The handover figures recomputed from raw rows (every case and item read into Python) within the
    user's scope: {grouping: {key: {retirees, statuses, streams: {stream: [applicable, done]}}}}."""
    from app.handover.models import Stream

    with app.app_context():
        orgs = {o.id: o for o in db.session.scalars(select(Organization))}
        codes = {i: o.code for i, o in orgs.items()}
        items = {}
        for case_id, stream, state in db.session.execute(
                select(HandoverItem.case_id, HandoverItem.stream, HandoverItem.state)):
            items.setdefault(case_id, []).append((stream, state))
        groups = {"county": {}, "enterprise": {}, "ownership": {}}
        total = None
        for c in db.session.scalars(select(HandoverCase)):
            if not SCOPES[username](c, codes):
                continue
            states = [state for _stream, state in items.get(c.id, [])]
            status = overall_status(states, c.received_on is not None)
            keys = {"county": c.receiving_county_id or c.liaison_office_id, "enterprise": c.enterprise_id,
                    "ownership": orgs[c.enterprise_id].ownership_level}
            for grouping, key in list(keys.items()) + [("total", None)]:
                if grouping == "total":
                    total = total or _blank(Stream)
                    row = total
                else:
                    row = groups[grouping].setdefault(key, _blank(Stream))
                row["retirees"] += 1
                row[status] += 1
                for stream, state in items.get(c.id, []):
                    row["streams"][stream][0] += state != "not_applicable"
                    row["streams"][stream][1] += state == "done"
        db.session.remove()
        return groups, total or _blank(Stream)


def _blank(Stream):
    return {"retirees": 0, "handed_over": 0, "in_progress": 0, "not_handed_over": 0,
            "streams": {s: [0, 0] for s in Stream.ORDER}}


def _comparable(row):
    return {"retirees": row["retirees"], "handed_over": row["handed_over"], "in_progress": row["in_progress"],
            "not_handed_over": row["not_handed_over"],
            "streams": {s: [v["applicable"], v["done"]] for s, v in row["streams"].items()}}


@pytest.mark.parametrize("username", ["sasac", "county1", "enterprise1"])
def test_handover_figures_roll_up_equals_raw_counts_per_group(app, as_user, username):
    """The three groupings are rolled up from one grouped query: every group's row and the total equal the
    counts recomputed from raw rows within the user's scope, and each grouping sums to the total."""
    c = as_user(username)
    shown = c.get("/handover-figures/data.json").get_json()
    raw, raw_total = _raw_groupings(app, username)
    assert raw_total["retirees"] > 0
    for grouping in ("county", "enterprise", "ownership"):
        rows = shown[grouping]
        total = rows[-1]
        assert total["key"] is None
        assert _comparable(total) == raw_total, (username, grouping)
        by_key = {r["key"]: _comparable(r) for r in rows[:-1]}
        assert by_key == raw[grouping], (username, grouping)
        for field in ("retirees", "handed_over", "in_progress", "not_handed_over"):
            assert sum(r[field] for r in rows[:-1]) == total[field], (username, grouping, field)
        for stream, figures in total["streams"].items():
            for field in ("applicable", "done"):
                assert sum(r["streams"][stream][field] for r in rows[:-1]) == figures[field]
    if username == "sasac":
        assert len(raw["county"]) > 1 and len(raw["enterprise"]) > 1 and len(raw["ownership"]) > 1
    # the dashboard shows the same total as the figures page
    page = c.get("/").get_data(as_text=True)
    assert _shown(page, "flow") == raw_total["retirees"]


@pytest.mark.parametrize("username", ["sasac", "county1"])
def test_handover_figures_per_county_equal_a_count_query_per_county(app, as_user, username):
    """Each county's figure equals `select count(*)` of that county's cases (within the user's scope)."""
    from sqlalchemy import func

    rows = as_user(username).get("/handover-figures/data.json").get_json()["county"]
    with app.app_context():
        codes = dict(db.session.execute(select(Organization.id, Organization.code)).all())
        county = func.coalesce(HandoverCase.receiving_county_id, HandoverCase.liaison_office_id)
        for row in rows[:-1]:
            cases = db.session.scalars(select(HandoverCase).where(county == row["key"])).all()
            in_scope = [x for x in cases if SCOPES[username](x, codes)]
            n = db.session.scalar(select(func.count()).select_from(HandoverCase).where(
                county == row["key"], HandoverCase.id.in_([x.id for x in in_scope])))
            assert row["retirees"] == n == len(in_scope), (username, row["label"])
        db.session.remove()
    assert sum(r["retirees"] for r in rows[:-1]) == rows[-1]["retirees"]


def test_cached_figures_follow_every_change(app):
    """The grouped counts are cached per scope until the data changes: an audited change and a bulk delete
    (which writes no audit row) must both be seen at once."""
    import datetime

    from sqlalchemy import delete, insert, select

    from app.extensions import db
    from app.handover import stats
    from app.handover.models import HandoverCase, HandoverItem
    from app.security.scope import as_system

    with app.app_context(), as_system("测试"):
        before = stats.grouped_counts()
        assert stats.grouped_counts() is before
        # a case not yet handed over: its receipt changes its status, so the figures must change
        case = db.session.scalars(select(HandoverCase).where(
            HandoverCase.received_on.is_(None), HandoverCase.summary_status == "not_handed_over")
            .order_by(HandoverCase.id)).first()
        states = {item.id: item.state for item in case.items}
        case.received_on = datetime.date(2020, 8, 1)
        db.session.commit()
        try:
            changed = stats.grouped_counts()
            assert changed != before
        finally:
            case.received_on = None
            for item in case.items:
                item.state = states[item.id]
            db.session.commit()
        fresh = stats._grouped_counts()
        assert stats.grouped_counts() == fresh == before
        # a bulk delete bypasses the audit: the number of cases still gives it away
        items = [dict(row._mapping) for row in db.session.execute(
            select(HandoverItem.__table__).where(HandoverItem.case_id == case.id))]
        values = {c.key: getattr(case, c.key) for c in HandoverCase.__table__.columns}
        db.session.execute(delete(HandoverItem).where(HandoverItem.case_id == case.id))
        db.session.execute(delete(HandoverCase).where(HandoverCase.id == case.id))
        db.session.commit()
        try:
            assert sum(n for *_, n, _s in stats.grouped_counts()) == sum(n for *_, n, _s in before) - 1
        finally:
            db.session.execute(insert(HandoverCase), [values])
            db.session.execute(insert(HandoverItem), items)
            db.session.commit()
        assert stats.grouped_counts() == before
        db.session.remove()


def _milestones(app):
    from app.workplan.models import WorkTask

    with app.app_context():
        rows = [(t.id, t.title_zh, t.title_bo, t.deadline, t.done_on) for t in db.session.scalars(
            select(WorkTask).where(WorkTask.is_milestone.is_(True)).order_by(WorkTask.deadline))]
        db.session.remove()
        return rows


def test_milestones_and_overdue_work_on_the_dashboard_with_their_colours(app, as_user):
    import datetime

    from app import clock

    milestones = _milestones(app)
    assert milestones
    with clock.frozen(datetime.date(2020, 10, 15)):
        html = as_user("sasac").get("/").get_data(as_text=True)
    panel = html.split('id="panel-milestones"')[1].split("</table>")[0]
    for pk, title_zh, _bo, deadline, done_on in milestones:
        assert f'href="/tasks/show/{pk}"' in panel and title_zh in panel
    # a milestone due 2020-09-30 and not done is red (overdue) on 2020-10-15, in both panels
    late = [m for m in milestones if m[3] < datetime.date(2020, 10, 15) and m[4] is None]
    assert late
    attention = html.split('id="panel-attention"')[1].split("</table>")[0]
    for pk, title_zh, *_ in late:
        row = panel.split(f'href="/tasks/show/{pk}"')[0].rsplit("<tr", 1)[1]
        assert 'class="danger"' in row
        assert f'href="/tasks/show/{pk}"' in attention
    # before any deadline nothing is overdue (an even schedule may still put tasks behind: yellow, not red)
    with clock.frozen(datetime.date(2020, 1, 2)):
        early = as_user("sasac").get("/").get_data(as_text=True)
    assert 'class="danger"' not in early.split('id="panel-attention"')[1].split("</table>")[0]


def test_summary_pdf_lists_milestones_and_overdue_work(app, runner, tmp_path):
    import datetime

    from app import clock

    out = tmp_path / "summary.pdf"
    with clock.frozen(datetime.date(2020, 10, 15)):
        result = runner.invoke(args=["report", "summary", "--lang", "zh", "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = re.sub(r"\s+", "", pdf_text(out))
    assert "各时间节点完成情况" in text and "逾期和进度滞后事项" in text and "已逾期" in text
    for _pk, title_zh, *_ in _milestones(app):
        assert re.sub(r"\s+", "", title_zh)[:8] in text


def test_missing_monthly_reports_appear_as_overdue_work_within_scope(app, as_user):
    """Demo: 贡嘎县 (540522) left its September 2020 report a draft; on 2020-09-15 it is missing (red)."""
    import datetime

    from app import clock

    with clock.frozen(datetime.date(2020, 9, 15)):
        city = as_user("sasac").get("/").get_data(as_text=True).split('id="panel-attention"')[1]
        own = as_user("county2").get("/").get_data(as_text=True).split('id="panel-attention"')[1]
        other = as_user("county1").get("/").get_data(as_text=True).split('id="panel-attention"')[1]
    from app.reports.panels import ROWS_PER_KIND

    # the city has more missing reports than the panel shows per stream: the oldest first, then a link on
    city_rows = [r for r in city.split("</table>")[0].split("<tr") if "月度报告" in r and "/monthly/" in r]
    assert len(city_rows) == ROWS_PER_KIND and all('class="danger"' in r for r in city_rows)
    assert 'href="/tasks/ranking"' in city.split("</table>")[1].split("<table")[0]
    own_rows = [r for r in own.split("</table>")[0].split("<tr") if "2020-09 月度报告" in r]
    assert len(own_rows) == 1 and "贡嘎县" in own_rows[0] and "已逾期" in own_rows[0]
    assert "贡嘎县" not in other.split("</table>")[0]


def test_overdue_supervision_items_on_the_dashboard_within_scope(app, as_user):
    """Every item past its deadline that still waits for its unit is listed (up to the panel's per-stream
    limit), coloured red, for the supervision office; a unit sees its own only."""
    from app import clock
    from app.reports.panels import ROWS_PER_KIND
    from app.supervision.models import ItemStatus, SupervisionItem

    today = clock.today()
    with app.app_context():
        red = db.session.execute(select(SupervisionItem.id, Organization.code).join(
            Organization, Organization.id == SupervisionItem.unit_id).where(
            SupervisionItem.status.in_(ItemStatus.AWAITING_UNIT), SupervisionItem.deadline < today)
            .order_by(SupervisionItem.deadline, SupervisionItem.id)).all()
        db.session.remove()
    assert red, "the demo has overdue items"
    panel = as_user("supervision").get("/").get_data(as_text=True).split('id="panel-attention"')[1]
    panel = panel.split("</table>")[0]
    for pk, _code in red[:ROWS_PER_KIND]:
        row = panel.split(f'href="/items/show/{pk}"')[0].rsplit("<tr", 1)[1]
        assert 'class="danger"' in row
    for username, code in (("enterprise1", "E-S02"), ("enterprise2", "E-C03"), ("county1", "540502")):
        own = as_user(username).get("/").get_data(as_text=True).split('id="panel-attention"')[1].split("</table>")[0]
        mine = [pk for pk, unit in red if unit == code]
        assert all(f'href="/items/show/{pk}"' in own for pk in mine[:ROWS_PER_KIND])
        assert not any(f'href="/items/show/{pk}"' in own for pk, unit in red if unit != code)
