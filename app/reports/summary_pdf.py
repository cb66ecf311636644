"""The printed summary for the leading group: `flask report summary --lang zh|bo|both` and the dashboard's
PDF buttons. Same figures as the dashboard (app/reports/figures.py), charts as SVG, fonts embedded."""
import datetime

from flask_babel import force_locale, lazy_gettext as _l
from markupsafe import Markup, escape

from app.charts import Bar, bar_chart, column_chart
from app.handover.models import OverallStatus, Stream
from app.org.cache import org_by_id
from app.org.models import OwnershipLevel
from app.pdf import bilingual, render_pdf
from app.reports import figures as F

TITLE = _l("Socialized management of SOE retirees: summary for the leading group")


def _words(lang):
    """T(label) -> markup in the chosen language(s); both: Tibetan first, Chinese after."""
    def T(value):
        bo, zh = bilingual(value)
        if lang == "zh" or bo == zh:  # numbers, dates: once
            return escape(zh)
        if lang == "bo":
            return Markup('<span class="bo">') + escape(bo) + Markup("</span>")
        return (Markup('<span class="pair"><span class="bo">') + escape(bo) + Markup('</span><span class="zh">')
                + escape(zh) + Markup("</span></span>"))
    return T


def _org_names(org_id, lang):
    org = org_by_id(org_id)
    if org is None:
        return str(_l("Not assigned"))
    return {"zh": org.name_zh, "bo": org.name_bo, "both": f"{org.name_bo} {org.name_zh}"}[lang]


def _row_label(kind, row, lang):
    if row["key"] is None:
        return bilingual(_l("Total"))[1 if lang == "zh" else 0] if lang != "both" else " ".join(bilingual(_l("Total")))
    if kind == "ownership":
        bo, zh = bilingual(OwnershipLevel.LABELS.get(row["key"], row["key"]))
        return {"zh": zh, "bo": bo, "both": f"{bo} {zh}"}[lang]
    return _org_names(row["key"], lang)


def _plain(value, lang):
    bo, zh = bilingual(value)
    return {"zh": zh, "bo": bo, "both": f"{bo} / {zh}"}[lang]


def render_summary(lang="both"):
    summary = F.summary()
    total = summary.total
    with force_locale("bo" if lang == "bo" else "zh"):
        stream_chart = bar_chart(
            [Bar(_plain(Stream.LABELS[s], lang), total["streams"][s]["done"], total["streams"][s]["applicable"])
             for s in Stream.ORDER if total["streams"][s]["applicable"]], width=300)
        county_chart = bar_chart(
            [Bar(_row_label("county", r, lang), r[OverallStatus.HANDED_OVER], r["retirees"])
             for r in summary.by_county[:-1] if r["retirees"]], width=300)
        trend_chart = column_chart([(label, n, None) for label, n in summary.trend])
    tables = [(kind, title, [(_row_label(kind, r, lang), r) for r in rows]) for kind, title, rows in (
        ("county", _l("By receiving county/district"), summary.by_county),
        ("enterprise", _l("By enterprise"), summary.by_enterprise),
        ("ownership", _l("By ownership level"), summary.by_ownership))]
    return render_pdf("pdf/summary.html", lang=lang, _l=_l, T=_words(lang), title=TITLE, summary=summary, total=total,
                      tables=tables, streams=Stream, status=OverallStatus, stream_chart=stream_chart,
                      county_chart=county_chart, trend_chart=trend_chart,
                      today=datetime.date.today().isoformat(),
                      header=_plain(TITLE, lang))
