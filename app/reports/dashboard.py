"""The dashboard (home page of every user who sees business data) and the summary PDF routes."""
from flask import request
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import gettext, lazy_gettext as _l

from app.charts import Bar, bar_chart, column_chart
from app.handover.models import OverallStatus, Stream
from app.reports import figures as F
from app.security.roles import RETIREE


def charts(summary):
    total = summary.total
    streams = bar_chart([Bar(str(Stream.LABELS[s]), total["streams"][s]["done"], total["streams"][s]["applicable"],
                             "/handover-figures/") for s in Stream.ORDER if total["streams"][s]["applicable"]],
                        title=gettext("Handover progress per stream"))
    counties = bar_chart([Bar(r["label"], r[OverallStatus.HANDED_OVER], r["retirees"],
                              F.ledger_link(receiving_county=r["key"]) if r["key"] else None)
                          for r in summary.by_county[:-1] if r["retirees"]],
                         title=gettext("Handed over per county/district"))
    trend = column_chart([(label, n, None) for label, n in summary.trend],
                         title=gettext("Retirees received per month"))
    return {"stream_chart": streams, "county_chart": counties, "trend_chart": trend}


def dashboard_context():
    summary = F.summary()
    return {"figures": summary.ledger, "summary": summary, "status": OverallStatus, "streams": Stream,
            "ledger_link": F.ledger_link, **charts(summary)}


class ReportsView(BaseView):
    route_base = "/reports"
    class_permission_name = RETIREE
    method_permission_name = {"summary_pdf": "read"}

    @expose("/summary.pdf")
    @has_access
    def summary_pdf(self):
        from app.pdf import LANG_NAMES, download_name, pdf_response
        from app.reports.summary_pdf import render_summary

        lang = request.args.get("lang", "both")
        if lang not in ("zh", "bo", "both"):
            lang = "both"
        return pdf_response(render_summary(lang), download_name(_l("Work summary"), LANG_NAMES[lang]))
