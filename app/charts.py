"""Charts as SVG, drawn on the server: the same markup serves the dashboard (browser) and the PDF summary
(WeasyPrint needs no browser), nothing loads from the internet, and labels are ordinary text in the page's
language and fonts. Values come from SQL aggregates; these functions only draw."""
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

PALETTE = {"done": "#2e7d32", "progress": "#f9a825", "todo": "#c62828", "bar": "#1565c0", "grid": "#dddddd"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    total: float = None  # when given, the bar shows value/total as a share
    href: str = None


def _link(href, inner):
    return f'<a href="{escape(href)}">{inner}</a>' if href else inner


def bar_chart(bars, width=360, bar_height=14, title=""):
    """Horizontal bars, one table row each: the label and the figures are HTML text (so Tibetan is shaped by
    the page's text engine, in the browser and in WeasyPrint alike), the bar itself is SVG. Bars show absolute
    values, or shares of a total (then n/total and the percentage)."""
    if not bars:
        return Markup("")
    biggest = max((b.total if b.total else b.value) for b in bars) or 1
    rows = []
    for bar in bars:
        share = (bar.value / bar.total) if bar.total else None
        full = width * ((bar.total or bar.value) / biggest)
        filled = full * share if share is not None else full
        text = f"{int(bar.value)}/{int(bar.total)} · {share * 100:.0f}%" if share is not None else f"{bar.value:g}"
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{bar_height}" '
               f'viewBox="0 0 {width} {bar_height}">'
               + (f'<rect x="0" y="0" width="{full:.1f}" height="{bar_height}" fill="{PALETTE["grid"]}"/>'
                  if share is not None else "")
               + f'<rect x="0" y="0" width="{filled:.1f}" height="{bar_height}" '
                 f'fill="{PALETTE["done"] if share is not None else PALETTE["bar"]}"/></svg>')
        rows.append(f'<tr><td class="chart-label">{_link(bar.href, escape(bar.label))}</td>'
                    f'<td class="chart-bar">{_link(bar.href, svg)}</td><td class="chart-value">{text}</td></tr>')
    return Markup(f'<table class="chart bar-chart" title="{escape(title)}">' + "".join(rows) + "</table>")


def column_chart(points, height=120, column_width=28, title=""):
    """Columns over time, points = [(label, value, href)]: SVG columns, HTML numbers and labels."""
    if not points:
        return Markup("")
    biggest = max(v for _l, v, _h in points) or 1
    values, columns, labels = [], [], []
    for label, value, href in points:
        h = max(height * value / biggest, 1)
        svg = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{column_width}" height="{height}" '
               f'viewBox="0 0 {column_width} {height}"><rect x="0" y="{height - h:.1f}" width="{column_width}" '
               f'height="{h:.1f}" fill="{PALETTE["bar"]}"/></svg>')
        values.append(f'<td class="chart-value">{value}</td>')
        columns.append(f'<td class="chart-column">{_link(href, svg)}</td>')
        labels.append(f'<td class="chart-label">{escape(label)}</td>')
    return Markup(f'<table class="chart column-chart" title="{escape(title)}"><tr>{"".join(values)}</tr>'
                  f'<tr>{"".join(columns)}</tr><tr>{"".join(labels)}</tr></table>')
