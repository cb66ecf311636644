"""PDFs in Tibetan (issue 13): formal dates on the date lines, no colon after a shad, text that copies and
searches as written (/ActualText), table rows that never split across pages."""
import datetime
import re

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from app.pdf import document_date
from tests.pdftools import pdf_text

TIBETAN_DATE = re.compile(r"\d{4}ལོའི་ཟླ་\d{1,2}ཚེས་\d{1,2}ཉིན།")
SHAD_COLON = re.compile(r"[\u0f0d]\s*[:：]")


def test_document_date():
    day = datetime.date(2026, 11, 28)
    assert str(document_date(day, "bo")) == '<span class="bo">2026ལོའི་ཟླ་11ཚེས་28ཉིན།</span>'
    assert str(document_date(day, "zh")) == "2026年11月28日"
    both = str(document_date(datetime.datetime(2020, 7, 1, 9, 30), "both"))
    assert both.index("2020ལོའི་ཟླ་7ཚེས་1ཉིན།") < both.index("2020年7月1日")  # Tibetan first
    assert document_date(None) == ""


def _text(pdf_bytes, tmp_path, name):
    path = tmp_path / name
    path.write_bytes(pdf_bytes)
    return pdf_text(path)


def _squash(text):
    return re.sub(r"\s+", "", text)


def test_monthly_pdf_in_tibetan_copies_as_written_with_a_tibetan_date_line(app, as_user, tmp_path):
    from app.monthly.pdf import TITLE

    c = as_user("sasac", "bo")
    r = c.get("/monthly/compiled.pdf?month=2020-07&lang=bo")
    assert r.status_code == 200 and r.mimetype == "application/pdf"
    text = _text(r.data, tmp_path, "monthly-bo.pdf")
    with app.test_request_context(), force_locale("bo"):
        title, due = str(TITLE), str(__import__("flask_babel").gettext("Due on"))
    # the vowel signs stay on their letters: the title comes out of the PDF exactly as written
    assert title in text, text[:500]
    assert _squash(due) in _squash(text)
    assert TIBETAN_DATE.search(text), text[:800]
    assert "2020ལོའི་ཟླ་7ཚེས་10ཉིན།" in text  # the due date of July 2020's report
    assert not SHAD_COLON.search(text)
    zh = _text(as_user("sasac", "zh").get("/monthly/compiled.pdf?month=2020-07&lang=zh").data,
               tmp_path, "monthly-zh.pdf")
    assert "2020年7月10日" in zh and "ལོའི" not in zh


def test_summary_pdf_in_tibetan_has_a_formal_date_and_searchable_text(app, as_user, tmp_path):
    from app import clock

    text = _text(as_user("sasac", "bo").get("/reports/summary.pdf?lang=bo").data, tmp_path, "summary-bo.pdf")
    today = clock.today()
    assert f"{today.year}ལོའི་ཟླ་{today.month}ཚེས་{today.day}ཉིན།" in text
    assert "རྩིས་སྤྲོད་བྱས་ཟིན།" in text  # "handed over", with its vowel signs in place
    assert not re.search(r"\n\s*[\u0f71-\u0f84]", text), "a vowel sign on a line of its own"


def _rows_by_page(document):
    from weasyprint.formatting_structure import boxes

    pages = []
    for page in document.pages:
        rows = set()
        stack = [page._page_box]
        while stack:
            box = stack.pop()
            if isinstance(box, boxes.TableRowGroupBox) and (box.is_header or box.is_footer):
                continue  # the header row repeats on every page by design
            if isinstance(box, boxes.TableRowBox):
                rows.add(id(box.element))
            stack.extend(getattr(box, "children", []))
        pages.append(rows)
    return pages


def test_a_retiree_on_a_signed_handover_list_never_splits_across_pages(app):
    """The handover list with many rows: every row lies on one page (CSS break-inside: avoid), and the
    date line is the formal one in both languages."""
    from app.extensions import db
    from app.handover import pdf as hpdf
    from app.handover.models import HandoverBatch, HandoverCase
    from app.pdf import render_document

    with app.test_request_context():
        batch_id = db.session.scalar(select(HandoverCase.batch_id).where(HandoverCase.batch_id.is_not(None))
                                     .group_by(HandoverCase.batch_id).order_by(func.count().desc()).limit(1))
        batch = db.session.get(HandoverBatch, batch_id)
        people = [hpdf._person(c.retiree, c) for c in batch.cases]
        # long residences make rows tall, so that page ends fall inside rows unless rows refuse to split
        rows = [(i + 1, {**people[i % len(people)], "name_bo": people[i % len(people)]["name_bo"] + " "
                         + "རྩེད་ཐང་གྲོང་རྡལ་སྡེ་ཁུལ་དང་པོ། " * (i % 4)}) for i in range(60)]
        document = render_document("handover/pdf_handover_list.html", t=hpdf._texts(),
                                   printed=document_date(datetime.date(2026, 11, 28), "both"), batch=batch,
                                   rows=rows, submitted="", accepted="")
        db.session.remove()
    pages = _rows_by_page(document)
    assert len(pages) > 1
    seen = {}
    for number, rows_on_page in enumerate(pages):
        for row in rows_on_page:
            assert row not in seen, f"a row runs from page {seen[row] + 1} onto page {number + 1}"
            seen[row] = number
    text = "".join(box.text for page in document.pages for box in _text_boxes(page))
    assert "2026ལོའི་ཟླ་11ཚེས་28ཉིན།" in text and "2026年11月28日" in text


def _text_boxes(page):
    from weasyprint.formatting_structure import boxes

    stack = [page._page_box]
    while stack:
        box = stack.pop()
        if isinstance(box, boxes.TextBox):
            yield box
        stack.extend(getattr(box, "children", []))


@pytest.mark.parametrize("lang", ["bo", "zh"])
def test_pdf_file_names_are_in_the_readers_language(app, as_user, lang):
    from urllib.parse import unquote

    r = as_user("sasac", lang).get(f"/monthly/compiled.pdf?month=2020-07&lang={lang}")
    name = unquote(r.headers["Content-Disposition"].split("''")[-1])
    assert name.endswith(".pdf") and "2020-07" in name
    assert not re.search(r"[A-Za-z]{3,}", name[:-4]), name
    assert ("ཟླ་རེའི་སྙན་ཞུ" in name) if lang == "bo" else ("月度报告" in name)
