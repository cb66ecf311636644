"""PDF machinery shared by every stream: WeasyPrint with the fonts shipped in static/fonts (file:// URLs, no
internet), bilingual text helpers (Tibetan first, Chinese after, DESIGN.md §4) and the HTTP response.

WeasyPrint subsets embedded fonts with HarfBuzz when the system has libharfbuzz-subset (Debian:
libharfbuzz-subset0) and falls back to fontTools otherwise; the CJK font is large, so the former is much
faster (see bench/RESULTS.md)."""
import pathlib

from flask import make_response, render_template
from flask_babel import force_locale

FONTS = pathlib.Path(__file__).resolve().parent.parent / "static" / "fonts"


def bilingual(value):
    """(Tibetan, Chinese) renderings of a lazy string or label."""
    with force_locale("bo"):
        bo = str(value)
    with force_locale("zh"):
        zh = str(value)
    return bo, zh


def render_pdf(template, **context):
    """Render a template that extends pdf/base.html to PDF bytes."""
    from weasyprint import HTML

    html = render_template(template, fonts=FONTS.as_uri(), **context)
    return HTML(string=html, base_url=str(FONTS)).write_pdf()


def pdf_response(data, filename, download=False):
    from urllib.parse import quote

    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    disposition = "attachment" if download else "inline"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    return response


def harfbuzz_subsetting():
    """True when WeasyPrint found libharfbuzz-subset (fast font subsetting)."""
    try:
        from weasyprint.text.ffi import harfbuzz_subset
    except ImportError:
        return False
    return harfbuzz_subset is not None
