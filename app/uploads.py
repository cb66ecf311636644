"""Stored files (enterprise implementation plans, evidence of tasks and supervision items); their bytes go
through `app.storage` (local disk by default, an S3-compatible store when configured).

A file is accepted only when its *content* is one of the allowed types (the name and the browser's
Content-Type are not trusted), within the size limit; its original name — Chinese or Tibetan — is kept for
display and download, while the disk holds it under a random name in UPLOAD_FOLDER, outside `static/`.
Downloads go through the record that owns the file, so the owner's scope decides who may fetch it, and
every download is written to the audit log.
"""
import hashlib
import io
import re
import unicodedata
import tempfile
import uuid
import zipfile

from flask import current_app
from flask_appbuilder import Model
from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import Session

from app import clock


class UploadError(ValueError):
    pass


class FileType:
    PDF = "pdf"
    DOCX = "docx"
    XLSX = "xlsx"
    PNG = "png"
    JPEG = "jpeg"
    # Word 97–2003 and WPS Writer documents (OLE2 compound files), which many offices still write
    DOC = "doc"
    WPS = "wps"
    MIME = {
        DOC: "application/msword",
        WPS: "application/vnd.ms-works",
        PDF: "application/pdf",
        DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        PNG: "image/png",
        JPEG: "image/jpeg",
    }
    EXTENSION = {PDF: ".pdf", DOCX: ".docx", XLSX: ".xlsx", PNG: ".png", JPEG: ".jpg", DOC: ".doc", WPS: ".wps"}
    DOCUMENTS = (PDF, DOCX, XLSX, PNG, JPEG, DOC, WPS)


class StoredFile(Model):
    __tablename__ = "stored_file"

    id = Column(Integer, primary_key=True)
    # The unit the file belongs to (its uploader's unit); the owning record decides who may read it.
    org_id = Column(Integer, ForeignKey("org_unit.id"), index=True)
    original_name = Column(String(255), nullable=False)
    disk_name = Column(String(64), nullable=False, unique=True)
    file_type = Column(String(8), nullable=False)
    size = Column(Integer, nullable=False)
    sha256 = Column(String(64), nullable=False)
    uploaded_by_id = Column(Integer, ForeignKey("ab_user.id"))
    uploaded_at = Column(DateTime, nullable=False)  # UTC

    @property
    def mimetype(self):
        return FileType.MIME.get(self.file_type, "application/octet-stream")

    def size_label(self):
        return f"{self.size / 1024:.0f} KB" if self.size < 1024 * 1024 else f"{self.size / 1048576:.1f} MB"

    def __str__(self):
        return self.original_name


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# storages/streams that hold macros (VBA) or embedded programs in an OLE2 document
_OLE_ACTIVE = {"macros", "_vba_project_cur", "vba", "_vba_project", "objectpool"}


def ole_word_problem(data):
    """Why an OLE2 compound file is not accepted as a Word/WPS document (None: it is one, without macros).
    Checked with olefile: it must parse, hold the "WordDocument" stream that Word 97–2003 and WPS Writer
    write, and hold no macro (VBA) storage nor embedded objects; encrypted documents cannot be checked."""
    import olefile

    try:
        if not olefile.isOleFile(data):
            return _l("The file is not a Word document.")
        with olefile.OleFileIO(data) as ole:
            entries = {tuple(part.lower() for part in path) for path in ole.listdir(streams=True, storages=True)}
            if ("worddocument",) not in entries:
                return _l("Only Word (DOC) or WPS documents are accepted among older Office files.")
            if any(part in _OLE_ACTIVE for path in entries for part in path):
                return _l("The document contains macros or embedded objects: save it without them, or as PDF.")
            if ("encryptioninfo",) in entries or ("encryptedpackage",) in entries:
                return _l("The document is password-protected: save it without a password, or as PDF.")
    except Exception:  # a damaged compound file: never store what cannot be checked
        return _l("The file is damaged and cannot be checked.")
    return None


def sniff(data, filename=""):
    """The type of the content, or None. Office files are ZIP packages told apart by their main part; an
    older Word or WPS file is an OLE2 compound file checked by `ole_word_problem`."""
    if data.startswith(OLE2_MAGIC):
        if ole_word_problem(data) is not None:
            return None
        return FileType.WPS if (filename or "").lower().endswith(".wps") else FileType.DOC
    if data.startswith(b"%PDF-"):
        return FileType.PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return FileType.PNG
    if data.startswith(b"\xff\xd8\xff"):
        return FileType.JPEG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = set(z.namelist())
                if "[Content_Types].xml" not in names:
                    return None
                # macro-enabled documents (.docm/.xlsm renamed) carry a VBA project: not a plain document
                if any(n.lower().endswith("vbaproject.bin") for n in names):
                    return None
                if "word/document.xml" in names:
                    return FileType.DOCX
                if "xl/workbook.xml" in names:
                    return FileType.XLSX
        except zipfile.BadZipFile:
            return None
    return None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
# Extensions replaced by the one of the sniffed type ("方案.PDF" → "方案.pdf", "表.xls" read as XLSX → "表.xlsx");
# any other dot belongs to the name ("方案 v2.1" keeps its ".1").
_KNOWN_EXTENSIONS = {"pdf", "docx", "doc", "xlsx", "xls", "png", "jpg", "jpeg", "jpe", "wps", "et", "exe", "htm",
                     "html", "txt", "zip"}
STEM_MAX = 120


def _visible(ch):
    # Format characters (bidi overrides such as U+202E that make "exe.pdf" read as "fdp.exe", zero-width
    # spaces) are dropped; the joiners some scripts need are kept.
    return unicodedata.category(ch) != "Cf" or ch in "\u200c\u200d"


def clean_name(name, file_type):
    """The user's file name without directories or characters a file system or header would misread; the
    script (Chinese, Tibetan) is kept. Falls back to a neutral name."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if _visible(ch))
    name = _UNSAFE.sub("_", name).strip(" .")
    stem, dot, ext = name.rpartition(".")
    if not dot or ext.lower() not in _KNOWN_EXTENSIONS:
        stem = name
    stem = _shorten(stem.strip(" ."), STEM_MAX).rstrip(" .") or "file"
    return stem + FileType.EXTENSION[file_type]


def _shorten(text, limit):
    """At most `limit` characters, never cutting a Tibetan stack (or any base letter) from its vowel signs
    and subjoined letters."""
    cut = text[:limit]
    while cut and len(cut) < len(text) and unicodedata.category(text[len(cut)]) in ("Mn", "Mc"):
        cut = cut[:-1]
    return cut


def max_bytes():
    return int(current_app.config.get("MAX_DOCUMENT_MB", 20)) * 1024 * 1024


def folder():
    """The local upload folder (made when missing; never inside static/). Files themselves go through
    `app.storage`, which keeps them here by default or in an S3-compatible store."""
    from app.storage import LocalStorage

    return LocalStorage(current_app.config["UPLOAD_FOLDER"], current_app.static_folder).path


# Files written during a transaction that has not committed yet: a rollback, a refused step or a request that
# ends without commit removes them, so no file outlives the record that was never made.
_PENDING = "uploaded_files_pending"


def _keep_committed_files(session):
    session.info.pop(_PENDING, None)


def _drop_uncommitted_files(session, transaction):
    if transaction.parent is not None or transaction.nested:
        return
    for backend, name in session.info.pop(_PENDING, []):
        backend.delete(name)


def discard(stored):
    """Remove a stored file's content (its record was never committed)."""
    from app.storage import storage, valid_name

    if stored is not None and valid_name(stored.disk_name):
        storage().delete(stored.disk_name)


def save_upload(storage, org_id, user_id=None, allowed=FileType.DOCUMENTS):
    """Check and store an uploaded file (a werkzeug FileStorage); returns the new StoredFile (added to the
    session, not committed). Raises UploadError with a message for the user."""
    from app.extensions import db

    if storage is None or not getattr(storage, "filename", ""):
        raise UploadError(_l("Choose a file to upload."))
    limit = max_bytes()
    data = storage.stream.read(limit + 1)
    if not data:
        raise UploadError(_l("The file is empty."))
    if len(data) > limit:
        raise UploadError(_l("The file is larger than %(mb)d MB.", mb=limit // 1048576))
    if data.startswith(OLE2_MAGIC) and FileType.DOC in allowed:
        problem = ole_word_problem(data)
        if problem:
            raise UploadError(problem)
    kind = sniff(data, storage.filename)
    if kind not in allowed:
        raise UploadError(_l("This type of file is not accepted. Upload a PDF, Word (DOCX or DOC), WPS, Excel "
                             "(XLSX), PNG or JPEG file."))
    from app.storage import storage as file_storage

    disk_name = uuid.uuid4().hex
    backend = file_storage()
    try:
        backend.put(disk_name, data)  # complete or absent: never a partial file under its name
    except OSError as e:
        current_app.logger.error("upload not stored: %s", e)
        raise UploadError(_l("The file could not be stored on the server. Nothing was saved; please try again "
                             "later or tell the administrator.")) from e
    db.session.info.setdefault(_PENDING, []).append((backend, disk_name))
    stored = StoredFile(org_id=org_id, original_name=clean_name(storage.filename, kind), disk_name=disk_name,
                        file_type=kind, size=len(data), sha256=hashlib.sha256(data).hexdigest(),
                        uploaded_by_id=user_id, uploaded_at=clock.utcnow())
    db.session.add(stored)
    return stored


def send_stored(stored, owner_label=None):
    """The download response for a file the caller has already checked the user may read; logged."""
    from app.audit import record_download

    from flask import abort

    from app.storage import send, valid_name

    if not valid_name(stored.disk_name):
        abort(404)
    response = send(stored.disk_name, stored.mimetype, stored.original_name)
    if response is None:
        abort(404)
    record_download(stored, owner_label)
    # the browser must take the declared type as it is and never run the content as a page of this site
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def init_app(app):
    """Listeners that remove files of a transaction that never commits, and the audit pages' labels."""
    from app.audit import register_model
    from app.events import listen_once

    listen_once(Session, "after_commit", _keep_committed_files)
    listen_once(Session, "after_transaction_end", _drop_uncommitted_files)
    # download records name the file and its owner; the audit pages show them in the reader's language
    register_model(StoredFile, _l("Stored file"), {"original_name": _l("File name"), "owner": _l("Belongs to")})
