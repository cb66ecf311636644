"""The printed summary for the leading group: `flask report summary --lang zh|bo|both` and the dashboard's
PDF buttons. Same figures as the dashboard (app/reports/figures.py), charts as SVG, fonts embedded."""

from flask_babel import force_locale, lazy_gettext as _l

from app import clock
from app.charts import Bar, bar_chart, column_chart
from app.handover.models import OverallStatus, Stream
from app.org.models import OwnershipLevel
from app.pdf import bilingual, document_date, markup_in, org_name_in, render_pdf, text_in
from app.reports import figures as F

TITLE = _l("Socialized management of SOE retirees: summary for the leading group")


def _row_label(kind, row, lang):
    if row["key"] is None:
        return bilingual(_l("Total"))[1 if lang == "zh" else 0] if lang != "both" else " ".join(bilingual(_l("Total")))
    if kind == "ownership":
        bo, zh = bilingual(OwnershipLevel.LABELS.get(row["key"], row["key"]))
        return {"zh": zh, "bo": bo, "both": f"{bo} {zh}"}[lang]
    return org_name_in(row["key"], lang)


def render_summary(lang="both"):
    summary = F.summary()
    total = summary.total
    with force_locale("bo" if lang == "bo" else "zh"):
        stream_chart = bar_chart(
            [Bar(text_in(Stream.LABELS[s], lang), total["streams"][s]["done"], total["streams"][s]["applicable"])
             for s in Stream.ORDER if total["streams"][s]["applicable"]], width=300)
        county_chart = bar_chart(
            [Bar(_row_label("county", r, lang), r[OverallStatus.HANDED_OVER], r["retirees"])
             for r in summary.by_county[:-1] if r["retirees"]], width=300)
        trend_chart = column_chart([(label, n, None) for label, n in summary.trend])
    tables = [(kind, title, [(_row_label(kind, r, lang), r) for r in rows]) for kind, title, rows in (
        ("county", _l("By receiving county/district"), summary.by_county),
        ("enterprise", _l("By enterprise"), summary.by_enterprise),
        ("ownership", _l("By ownership level"), summary.by_ownership))]
    return render_pdf("pdf/summary.html", lang=lang, _l=_l, T=markup_in(lang), title=TITLE, summary=summary, total=total,
                      tables=tables, streams=Stream, status=OverallStatus, stream_chart=stream_chart,
                      county_chart=county_chart, trend_chart=trend_chart,
                      today=document_date(clock.today(), lang),
                      header=text_in(TITLE, lang))
