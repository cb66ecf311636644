"""PDF machinery shared by every stream: WeasyPrint with the fonts shipped in static/fonts (file:// URLs, no
internet), bilingual text helpers (Tibetan first, Chinese after, DESIGN.md §4) and the HTTP response.

WeasyPrint subsets embedded fonts with HarfBuzz when the system has libharfbuzz-subset (Debian:
libharfbuzz-subset0) and falls back to fontTools otherwise; the CJK font is large, so the former is much
faster (see bench/RESULTS.md)."""
import pathlib

from flask import make_response, render_template
from flask_babel import force_locale

FONTS = pathlib.Path(__file__).resolve().parent.parent / "static" / "fonts"
LANG_NAMES = {"zh": "中文", "bo": "བོད་ཡིག", "both": "བོད་ཡིག-中文"}  # the names the language switch shows


def bilingual(value):
    """(Tibetan, Chinese) renderings of a lazy string or label."""
    with force_locale("bo"):
        bo = str(value)
    with force_locale("zh"):
        zh = str(value)
    return bo, zh


def markup_in(lang):
    """T(label) -> markup in the document's language(s) zh, bo or both (Tibetan first, Chinese after)."""
    from markupsafe import Markup, escape

    def T(value):
        bo, zh = bilingual(value)
        if lang == "zh" or bo == zh:  # numbers, dates: once
            return escape(zh)
        if lang == "bo":
            return Markup('<span class="bo">') + escape(bo) + Markup("</span>")
        return (Markup('<span class="pair"><span class="bo">') + escape(bo) + Markup('</span><span class="zh">')
                + escape(zh) + Markup("</span></span>"))
    return T


def text_in(value, lang):
    """A label as plain text in zh, bo or both (for charts and running headers)."""
    bo, zh = bilingual(value)
    return {"zh": zh, "bo": bo, "both": f"{bo} / {zh}"}[lang]


def org_name_in(org_id, lang):
    """An organization unit's name in zh, bo or both."""
    from flask_babel import lazy_gettext as _l

    from app.org.cache import org_by_id

    org = org_by_id(org_id)
    if org is None:
        return str(_l("Not assigned"))
    return {"zh": org.name_zh, "bo": org.name_bo, "both": f"{org.name_bo} {org.name_zh}"}[lang]


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


def download_name(title, *parts, ext="pdf"):
    """A file name in the reader's language: the document's title (without a Tibetan closing shad) and its
    number or month, e.g. 月度报告-2020-07.pdf / ཟླ་རེའི་སྙན་ཞུ-2020-07.pdf. A msgid inside an f-string is never
    extracted for translation, which is how these names stayed English."""
    import re

    from app.tibetan import bare

    name = "-".join([bare(str(title))] + [str(p) for p in parts if p not in (None, "")])
    return re.sub(r'[\\/:*?"<>|\s]+', "_", name) + f".{ext}"
