"""The compiled monthly report for the city SOE-reform leading group (由领导小组办公室汇总向市国有企业改革工作
领导小组办公室报告): `flask report monthly --month 2020-07 --lang zh|bo|both` and the overview's PDF links.
The shared PDF machinery (app/pdf.py) and the summary's bilingual word helper, as the summary PDF uses them."""
from flask_babel import lazy_gettext as _l

from app import clock
from app.deadlines import Colour
from app.monthly import rules, services
from app.monthly.figures import city_figures
from app.pdf import document_date, markup_in, org_name_in, render_pdf, text_in

TITLE = _l("Monthly report on the socialized management of SOE retirees")


def render_compiled(month, lang="both"):
    from app.monthly.views import FIGURE_LABELS, figure_rows

    today = clock.today()
    units = services.reporting_units()
    months = [m for m in rules.months_due(today) if m <= month] or [month]
    reports = services.reports_by_unit_month(months)
    rows = []
    for unit in units:
        report = reports.get((unit.id, month))
        colour = services.cell_colour(report, month, today)
        snapshot = report.snapshot() if report is not None and report.status != "draft" else None
        rows.append({"name": org_name_in(unit.id, lang), "report": report, "colour": colour,
                     "figures": figure_rows(snapshot) if snapshot else None,
                     "shown": snapshot is not None})
    late, missing = services.late_and_missing(units, months, today, reports)
    late = [(org_name_in(u.id, lang), m, r) for u, m, r in late if m == month]
    missing = [(org_name_in(u.id, lang), m) for u, m in missing]
    reported = sum(1 for r in rows if r["shown"])
    return render_pdf(
        "monthly/pdf_compiled.html", lang=lang, _l=_l, T=markup_in(lang), title=TITLE, month=month,
        header=f"{text_in(TITLE, lang)} {month}", city=figure_rows(city_figures()), rows=rows, late=late,
        missing=missing, colours=Colour, labels=FIGURE_LABELS, today=document_date(today, lang),
        deadline=document_date(rules.due_date(month), lang),
        covered_until=document_date(rules.covered_until(month), lang),
        reported=reported, total_units=len(rows))
