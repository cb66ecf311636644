"""Stored files under attack, through HTTP (the plan upload and download), and the two functions that
decide what is accepted and under which name: `sniff` and `clean_name`."""
import io
import os
import re
import urllib.parse
import zipfile

import pytest
from sqlalchemy import select

from app.audit.models import AuditLog
from app.extensions import db
from app.plans.demo import minimal_pdf
from app.plans.models import PlanVersion
from app.uploads import FileType, StoredFile, clean_name, sniff
from tests.conftest import count_rows, session_csrf
from tests.olefiles import EXCEL_97, WORD_DOC, WORD_WITH_MACROS

PDF = minimal_pdf("test")


def _zip(*members):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in members:
            z.writestr(name, "<x/>")
    return buf.getvalue()


DOCX = _zip("[Content_Types].xml", "word/document.xml")
XLSX = _zip("[Content_Types].xml", "xl/workbook.xml")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 20
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
TEXT = b"This is not a PDF.\n"
PLAIN_ZIP = _zip("notes.txt")
NO_MAIN_PART = _zip("[Content_Types].xml", "docProps/app.xml")
MACRO_DOCX = _zip("[Content_Types].xml", "word/document.xml", "word/vbaProject.bin")


# ---------------------------------------------------------------------------------------------------------
# sniff and clean_name


@pytest.mark.parametrize("data, kind", [
    (PDF, FileType.PDF), (DOCX, FileType.DOCX), (XLSX, FileType.XLSX), (PNG, FileType.PNG), (JPEG, FileType.JPEG),
    (EXE, None), (HTML, None), (TEXT, None), (PLAIN_ZIP, None), (NO_MAIN_PART, None), (MACRO_DOCX, None),
    (b"PK\x03\x04broken", None), (b"", None), (b" %PDF-1.4", None),
    (WORD_DOC, FileType.DOC), (WORD_WITH_MACROS, None), (EXCEL_97, None), (WORD_DOC[:700], None),
])
def test_sniff_reads_the_content(data, kind):
    assert sniff(data) == kind


def test_an_ole2_word_file_named_wps_is_kept_as_wps():
    assert sniff(WORD_DOC, "方案.wps") == FileType.WPS
    assert sniff(WORD_DOC, "方案.doc") == FileType.DOC


@pytest.mark.parametrize("name, kind", [("实施方案.doc", FileType.DOC), ("实施方案.wps", FileType.WPS)])
def test_doc_and_wps_plans_are_accepted_and_downloaded_as_sent(app, as_user, name, kind):
    c = as_user("enterprise1")
    before = count_rows(app, StoredFile)
    _upload(c, name, WORD_DOC)
    assert count_rows(app, StoredFile) == before + 1
    file_id, original, disk_name, version = _newest_file(app)
    assert original == name
    with open(os.path.join(app.config["UPLOAD_FOLDER"], disk_name), "rb") as fh:
        assert fh.read() == WORD_DOC


@pytest.mark.parametrize("data, message", [
    (WORD_WITH_MACROS, "The document contains macros or embedded objects: save it without them, or as PDF."),
    (WORD_DOC[:700], "The file is damaged and cannot be checked."),
    (EXCEL_97, "Only Word (DOC) or WPS documents are accepted among older Office files."),
])
def test_doc_with_macros_or_damaged_is_refused_with_its_reason(app, as_user, data, message):
    from flask_babel import lazy_gettext as _l

    before = (_disk(app), count_rows(app, StoredFile))
    for lang in ("zh", "bo"):
        page = _upload(as_user("enterprise1", lang=lang), "方案.doc", data).get_data(as_text=True)
        assert _translated(app, _l(message), lang) in page
    assert (_disk(app), count_rows(app, StoredFile)) == before


@pytest.mark.parametrize("name, kind, expected", [
    ("../../etc/passwd.pdf", FileType.PDF, "passwd.pdf"),
    ("..\\..\\boot.ini.pdf", FileType.PDF, "boot.ini.pdf"),
    ("C:\\Users\\张三\\桌面\\方案.pdf", FileType.PDF, "方案.pdf"),
    ("a\x00b/c.pdf", FileType.PDF, "c.pdf"),
    ("a\x00b.pdf", FileType.PDF, "a_b.pdf"),
    ("计划\u202egpj.exe", FileType.PDF, "计划gpj.pdf"),  # a right-to-left override hides ".exe"
    ("..", FileType.PDF, "file.pdf"),
    ("", FileType.PNG, "file.png"),
    ("方案.PDF", FileType.PDF, "方案.pdf"),
    ("表格.xls", FileType.XLSX, "表格.xlsx"),
    ("方案 v2.1", FileType.DOCX, "方案 v2.1.docx"),  # a dot inside the name stays
    ('a:b*c?"d"<e>|f.pdf', FileType.PDF, "a_b_c__d__e__f.pdf"),
    ("ལྷོ་ཁ་གྲོང་ཁྱེར་གྱི་ལག་བསྟར་ལས་འཆར།.pdf", FileType.PDF, "ལྷོ་ཁ་གྲོང་ཁྱེར་གྱི་ལག་བསྟར་ལས་འཆར།.pdf"),
    ("山南市国有资产经营有限公司实施方案（修改稿）.pdf", FileType.PDF, "山南市国有资产经营有限公司实施方案（修改稿）.pdf"),
])
def test_clean_name(name, kind, expected):
    assert clean_name(name, kind) == expected


def test_clean_name_shortens_without_breaking_a_tibetan_stack():
    long = "x" * 300 + ".pdf"
    assert clean_name(long, FileType.PDF) == "x" * 120 + ".pdf"
    # "སྒྲ": ས + subjoined ག + subjoined ར; cut at 120 the stack must not lose its subjoined letters
    tibetan = "ཀ" * 119 + "སྒྲ" + "ཀ" * 50
    cleaned = clean_name(tibetan + ".pdf", FileType.PDF)
    assert cleaned == "ཀ" * 119 + ".pdf"
    assert len(clean_name("名" * 300, FileType.PDF)) <= 124


# ---------------------------------------------------------------------------------------------------------
# Through HTTP


def _upload(client, name, data):
    return client.post("/plans/upload", data={"csrf_token": session_csrf(client),
                                              "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def _disk(app):
    return sorted(os.listdir(app.config["UPLOAD_FOLDER"]))


def _translated(app, message, lang):
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(lang):
        return str(message)


def _newest_file(app):
    with app.app_context():
        f = db.session.scalars(select(StoredFile).order_by(StoredFile.id.desc()).limit(1)).one()
        version = db.session.scalar(select(PlanVersion.id).where(PlanVersion.file_id == f.id))
        result = (f.id, f.original_name, f.disk_name, version)
        db.session.remove()
        return result


WRONG_TYPE = ("This type of file is not accepted. Upload a PDF, Word (DOCX or DOC), WPS, Excel (XLSX), PNG or JPEG "
              "file.")


@pytest.mark.parametrize("name, data", [
    ("setup.exe", EXE), ("plan.pdf", EXE), ("plan.pdf", TEXT), ("plan.pdf", HTML), ("page.html", HTML),
    ("plan.docx", PLAIN_ZIP), ("plan.xlsx", NO_MAIN_PART), ("plan.docx", MACRO_DOCX),
])
@pytest.mark.parametrize("lang", ["zh", "bo"])
def test_wrong_type_is_refused_and_nothing_is_stored(app, as_user, name, data, lang):
    from flask_babel import lazy_gettext as _l

    before = (_disk(app), count_rows(app, StoredFile), count_rows(app, PlanVersion))
    page = _upload(as_user("enterprise1", lang=lang), name, data).get_data(as_text=True)
    expected = _translated(app, _l(WRONG_TYPE), lang)
    assert expected in page
    if lang == "bo":
        assert re.search("[\u0f00-\u0fff]", expected) and expected != WRONG_TYPE
    assert (_disk(app), count_rows(app, StoredFile), count_rows(app, PlanVersion)) == before


def test_empty_file_and_no_file_are_refused(app, as_user):
    c = as_user("enterprise1")
    before = (_disk(app), count_rows(app, StoredFile))
    from flask_babel import lazy_gettext as _l

    page = _upload(c, "plan.pdf", b"").get_data(as_text=True)
    assert _translated(app, _l("The file is empty."), "zh") in page
    r = c.post("/plans/upload", data={"csrf_token": session_csrf(c)}, follow_redirects=True)
    assert _translated(app, _l("Choose a file to upload."), "zh") in r.get_data(as_text=True)
    assert (_disk(app), count_rows(app, StoredFile)) == before


def test_oversize_file_is_refused(app, as_user):
    saved = app.config.get("MAX_DOCUMENT_MB")
    app.config["MAX_DOCUMENT_MB"] = 1
    try:
        before = (_disk(app), count_rows(app, StoredFile))
        big = PDF + b"%" + b"0" * (1024 * 1024)
        page = _upload(as_user("enterprise1"), "大文件.pdf", big).get_data(as_text=True)
        assert "1 MB" in page
        assert (_disk(app), count_rows(app, StoredFile)) == before
        # just under the limit is accepted (the limit is the size, not a guess)
        ok = PDF + b"%" + b"0" * (1024 * 1024 - len(PDF) - 2)
        _upload(as_user("enterprise1"), "刚好.pdf", ok)
        assert count_rows(app, StoredFile) == before[1] + 1
    finally:
        app.config["MAX_DOCUMENT_MB"] = saved


@pytest.mark.parametrize("name, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("..\\..\\boot.ini.pdf", "boot.ini.pdf"),
    ("/tmp/evil/plan.pdf", "plan.pdf"),
    ("a\x00b.pdf", "a_b.pdf"),
    ("x" * 300 + ".pdf", "x" * 120 + ".pdf"),
])
def test_path_tricks_are_stored_under_a_random_name(app, as_user, name, shown):
    folder = os.path.realpath(app.config["UPLOAD_FOLDER"])
    before = set(_disk(app))
    _upload(as_user("enterprise1"), name, PDF)
    _id, original, disk, version = _newest_file(app)
    assert version is not None
    assert original == shown
    assert re.fullmatch(r"[0-9a-f]{32}", disk)
    assert set(_disk(app)) - before == {disk}  # the one new file, in the folder itself
    assert os.path.realpath(os.path.join(folder, disk)).startswith(folder + os.sep)
    assert not os.path.exists(os.path.join(folder, "..", "etc", "passwd.pdf"))


@pytest.mark.parametrize("name", ["ལྷོ་ཁའི་ལག་བསྟར་ལས་འཆར། ༢༠༢༠.pdf", "山南市国有资产经营有限公司实施方案（第二稿）.pdf"])
def test_file_name_round_trip_and_download_is_logged(app, as_user, name):
    c = as_user("enterprise1")
    _upload(c, name, PDF)
    file_id, original, _disk_name, version = _newest_file(app)
    assert original == name
    downloads = count_rows(app, AuditLog, AuditLog.action == "download")
    r = c.get(f"/plans/version/{version}/download")
    assert r.status_code == 200 and r.data == PDF
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment")
    star = re.search(r"filename\*=UTF-8''([^;]+)", disposition).group(1)
    assert urllib.parse.unquote(star, encoding="utf-8") == name
    assert r.headers["Content-Type"] == "application/pdf"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert count_rows(app, AuditLog, AuditLog.action == "download") == downloads + 1
    with app.app_context():
        row = db.session.scalars(select(AuditLog).where(AuditLog.action == "download")
                                 .order_by(AuditLog.id.desc()).limit(1)).one()
        assert (row.username, row.object_id) == ("enterprise1", str(file_id))
        assert name in row.changes
        row_id = row.id
        db.session.remove()
    from tests.pages import visible_text

    shown = visible_text(as_user("auditadmin").get(f"/audit/show/{row_id}").get_data(as_text=True))
    assert name in shown and "StoredFile" not in shown and "文件名" in shown


def test_another_units_version_is_not_served_nor_logged(app, as_user):
    _upload(as_user("enterprise1"), "只给本单位.pdf", PDF)
    _file_id, _name, _disk_name, version = _newest_file(app)
    downloads = count_rows(app, AuditLog, AuditLog.action == "download")
    assert as_user("enterprise2").get(f"/plans/version/{version}/download").status_code in (403, 404)
    assert as_user("county1").get(f"/plans/version/{version}/download").status_code in (302, 403, 404)
    assert as_user("enterprise2").get("/plans/version/999999/download").status_code == 404
    assert count_rows(app, AuditLog, AuditLog.action == "download") == downloads
    # FAB's own file route serves nothing
    assert as_user("enterprise1").get("/plans/download/x").status_code == 404
    # the city-wide readers may fetch it, and it is logged
    for user in ("sasac", "leader", "supervision"):
        assert as_user(user).get(f"/plans/version/{version}/download").status_code == 200
    assert count_rows(app, AuditLog, AuditLog.action == "download") == downloads + 3


def test_upload_folder_is_not_in_static(app):
    from app.uploads import folder

    with app.app_context():
        assert not os.path.realpath(folder()).startswith(os.path.realpath(app.static_folder))
        saved = app.config["UPLOAD_FOLDER"]
        app.config["UPLOAD_FOLDER"] = os.path.join(app.static_folder, "uploads")
        try:
            with pytest.raises(RuntimeError):
                folder()
        finally:
            app.config["UPLOAD_FOLDER"] = saved
