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


def install_actual_text():
    """Make Tibetan in our PDFs copyable and searchable (issue 13).

    Why it fails without this: WeasyPrint 70 writes each shaped glyph with a ToUnicode entry per glyph id, taken
    from the first cluster the glyph appeared in, and draws Tibetan vowel signs (marks with no advance that
    HarfBuzz moves up and left by GPOS) with a text rise (`Ts`) of their own. A reader (poppler's pdftotext,
    Acrobat, a browser) therefore finds every vowel sign above the letter on a line of its own, and a glyph
    shared by several clusters maps to the wrong letters. The fix the PDF format provides is /ActualText:
    each line of text that holds Tibetan is wrapped in a marked-content span carrying its real Unicode text,
    which readers use for copying and searching instead of the glyph mapping; the drawing is unchanged.
    WeasyPrint draws one line box per call of `draw_first_line`, so that call is wrapped (once per process)."""
    import re

    import pydyf
    from weasyprint.draw import text as draw_text_module

    original = draw_text_module.draw_first_line
    if getattr(original, "actual_text", False):
        return
    tibetan = re.compile(r"[\u0f00-\u0fff]")

    def draw_first_line(stream, textbox, *args, **kwargs):
        text = textbox.text
        if not tibetan.search(text or ""):
            return original(stream, textbox, *args, **kwargs)
        stream.begin_marked_content("Span", pydyf.Dictionary({"ActualText": pydyf.String(text)}))
        try:
            return original(stream, textbox, *args, **kwargs)
        finally:
            stream.end_marked_content()

    draw_first_line.actual_text = True
    draw_text_module.draw_first_line = draw_first_line


def render_document(template, **context):
    """The laid-out document (pages and boxes) of a template that extends pdf/base.html."""
    from weasyprint import HTML

    install_actual_text()
    html = render_template(template, fonts=FONTS.as_uri(), **context)
    return HTML(string=html, base_url=str(FONTS)).render()


def render_pdf(template, **context):
    """Render a template that extends pdf/base.html to PDF bytes."""
    return render_document(template, **context).write_pdf()


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


def document_date(day, lang="both"):
    """The date line of a formal document (issue 13): 2026年11月28日 / 2026ལོའི་ཟླ་11ཚེས་28ཉིན། — year, month,
    day in Arabic digits attached to the Tibetan, as official Tibetan text writes them; both: Tibetan first.
    Tables keep ISO dates (2026-11-28)."""
    from markupsafe import Markup, escape

    if day is None:
        return ""
    if hasattr(day, "date") and callable(day.date):
        day = day.date()
    zh = f"{day.year}年{day.month}月{day.day}日"
    bo = f"{day.year}ལོའི་ཟླ་{day.month}ཚེས་{day.day}ཉིན།"
    if lang == "zh":
        return escape(zh)
    bo_html = Markup('<span class="bo">') + escape(bo) + Markup("</span>")
    if lang == "bo":
        return bo_html
    return bo_html + Markup(' <span class="zh">') + escape(zh) + Markup("</span>")
