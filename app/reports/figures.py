"""Everything the dashboard and the summary PDF show, computed in SQL within the user's scope. One function
serves both, so the printed figures are the screen's figures."""
import datetime
from dataclasses import dataclass, field

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import extract, func, select

from app.extensions import db
from app.handover.models import HandoverCase, OverallStatus, Stream
from app.handover.stats import all_figures as handover_figures
from app.security.scope import scope



@dataclass
class Panel:
    key: str
    title: object
    columns: list  # lazy labels
    rows: list  # [(cells, colour or None, href or None)]
    empty: object = _l("Nothing to show.")
    more: tuple = None  # (label, href) when only the first rows are shown


@dataclass
class Summary:
    generated: datetime.datetime
    ledger: dict
    by_county: list
    by_enterprise: list
    by_ownership: list
    trend: list
    panels: list = field(default_factory=list)

    @property
    def total(self):
        return self.by_county[-1]


def monthly_handovers(months=12):
    """[(YYYY-MM, retirees received)] for the last `months` months with any receipt, oldest first."""
    year, month = extract("year", HandoverCase.received_on), extract("month", HandoverCase.received_on)
    query = scope(select(year, month, func.count(HandoverCase.id))
                  .where(HandoverCase.received_on.is_not(None)).group_by(year, month), HandoverCase)
    rows = sorted((int(y), int(m), int(n)) for y, m, n in db.session.execute(query))
    return [(f"{y}-{m:02d}", n) for y, m, n in rows[-months:]]


def summary():
    from app.home import ledger_figures
    from app.reports import panels

    handover = handover_figures()  # the three groupings from one aggregate query
    return Summary(
        generated=datetime.datetime.now(),
        ledger=ledger_figures(),
        by_county=handover["county"],
        by_enterprise=handover["enterprise"],
        by_ownership=handover["ownership"],
        trend=monthly_handovers(),
        panels=[p for p in (make() for make in panels.PANELS) if p is not None],
    )


def ledger_link(**filters):
    """The ledger list filtered as given (the list behind a figure)."""
    args = {}
    for key, value in filters.items():
        args[f"_flt_0_{key}"] = value
    return url_for("RetireeModelView.list", **args)


STATUS_LABELS = OverallStatus.LABELS
STREAM_LABELS = Stream.LABELS
STREAM_ORDER = Stream.ORDER
