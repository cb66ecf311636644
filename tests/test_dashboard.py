"""The dashboard and the summary PDF: figures equal counts recomputed from raw rows within the user's scope,
every figure links to its list, the PDF carries the figures in Chinese and/or Tibetan with both fonts
embedded."""
import re
import subprocess

import pytest
from sqlalchemy import select

from app.extensions import db
from app.handover.models import HandoverCase, HandoverItem
from app.handover.rules import overall_status
from app.org.models import Organization
from app.retirees.models import Retiree

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


def _pdf_text(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True).stdout


def _pdf_fonts(path):
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    return [line.split()[0] for line in out.splitlines()[2:]]


@pytest.mark.parametrize("lang", ["zh", "bo", "both"])
def test_summary_pdf_from_the_command_line(app, runner, tmp_path, lang):
    out = tmp_path / f"summary-{lang}.pdf"
    result = runner.invoke(args=["report", "summary", "--lang", lang, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = _pdf_text(out)
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
    text = _pdf_text(path)
    raw = _raw(app, "county1")
    assert re.search(rf"\b{raw['total']}\b", text)
    assert "贡嘎县" not in text.split("各县（区）移交进度")[-1].split("按企业")[0]
    assert as_user("sysadmin").get("/reports/summary.pdf").status_code == 403
