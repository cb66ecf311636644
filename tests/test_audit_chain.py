"""The audit log is tamper-evident, kept, exported and complete (issue 11 §4, §7): a hash chain that
`flask audit verify` checks, pruning that keeps it verifiable, an export for the audit administrator, reads
and refusals recorded without flooding, personal values hidden from the audit administrator."""
import datetime
import json
import re

from sqlalchemy import func, select, text

from app.audit.models import AuditLog
from app.extensions import db
from app.org.models import Organization
from app.retirees.models import Retiree
from app.security.counters import counters


def _top(app):
    with app.app_context():
        n = db.session.scalar(select(func.max(AuditLog.id)))
        db.session.remove()
        return n


def _entries(app, since, **where):
    with app.app_context():
        rows = db.session.scalars(select(AuditLog).where(AuditLog.id > since).filter_by(**where)
                                  .order_by(AuditLog.id)).all()
        result = [{"id": r.id, "username": r.username, "changes": json.loads(r.changes or "{}")} for r in rows]
        db.session.remove()
        return result


def _sql(app, statement, **params):
    with app.app_context():
        result = db.session.execute(text(statement), params)
        rows = result.mappings().all() if result.returns_rows else None
        db.session.commit()
        db.session.remove()
        return rows


def _verify(runner):
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output + (result.stderr if hasattr(result, "stderr") else "")


def test_verify_names_the_first_edited_or_deleted_entry(app, runner, as_user):
    as_user("county1")  # a few fresh entries (login)
    as_user("county2")
    code, out = _verify(runner)
    assert code == 0, out
    top = _top(app)
    victim = top - 1
    original = _sql(app, "SELECT * FROM audit_log WHERE id = :i", i=victim)[0]
    # an edited entry
    _sql(app, "UPDATE audit_log SET username = 'someone-else' WHERE id = :i", i=victim)
    code, out = _verify(runner)
    assert code == 1 and f"entry {victim}" in out and "altered" in out
    _sql(app, "UPDATE audit_log SET username = :u WHERE id = :i", u=original["username"], i=victim)
    assert _verify(runner)[0] == 0
    # a deleted entry: the next one names the gap
    _sql(app, "DELETE FROM audit_log WHERE id = :i", i=victim)
    code, out = _verify(runner)
    assert code == 1 and f"entry {top}" in out
    columns = ", ".join(original.keys())
    values = ", ".join(f":{k}" for k in original.keys())
    _sql(app, f"INSERT INTO audit_log ({columns}) VALUES ({values})", **dict(original))
    assert _verify(runner)[0] == 0
    # entries cut off the end
    last = _sql(app, "SELECT * FROM audit_log WHERE id = :i", i=top)[0]
    _sql(app, "DELETE FROM audit_log WHERE id = :i", i=top)
    code, out = _verify(runner)
    assert code == 1 and "deleted" in out
    _sql(app, f"INSERT INTO audit_log ({columns}) VALUES ({values})", **dict(last))
    assert _verify(runner)[0] == 0
    # hashes wiped to pass the entries off as older than the chain
    _sql(app, "CREATE TABLE audit_hash_backup AS SELECT id, prev_hash, hash FROM audit_log")
    try:
        _sql(app, "UPDATE audit_log SET prev_hash = NULL, hash = NULL")
        assert _verify(runner)[0] == 1
        _sql(app, "UPDATE audit_log SET prev_hash = (SELECT b.prev_hash FROM audit_hash_backup b WHERE b.id = "
                  "audit_log.id), hash = (SELECT b.hash FROM audit_hash_backup b WHERE b.id = audit_log.id)")
    finally:
        _sql(app, "DROP TABLE audit_hash_backup")
    assert _verify(runner)[0] == 0
    # a hash recomputed without the key does not help
    _sql(app, "UPDATE audit_log SET ip = '6.6.6.6', hash = :h WHERE id = :i", h="0" * 64, i=victim)
    assert _verify(runner)[0] == 1
    _sql(app, "UPDATE audit_log SET ip = :ip, hash = :h WHERE id = :i", ip=original["ip"], h=original["hash"],
         i=victim)
    assert _verify(runner)[0] == 0


def test_refused_accesses_are_recorded_summarised(app, as_user):
    with app.app_context():
        counters().clear()
        db.session.remove()
    since = _top(app)
    c = as_user("county1")
    for _ in range(12):
        assert c.get("/audit/list/").status_code == 403
    rows = _entries(app, since, action="access_refused", username="county1")
    assert [r["changes"]["count"][1] for r in rows] == [1, 10]
    assert rows[0]["changes"]["path"][1] == "/audit/list/"
    # an out-of-scope record (404) is a refusal too, and so is an anonymous probe
    enterprise_other = as_user("enterprise2")
    with app.app_context():
        pk = db.session.scalars(select(Retiree.id).join(Organization, Retiree.enterprise_id == Organization.id)
                                .where(Organization.code == "E-S02").limit(1)).one()
        db.session.remove()
    assert enterprise_other.get(f"/api/v1/retiree/{pk}").status_code == 404
    assert _entries(app, since, action="access_refused", username="enterprise2")
    assert app.test_client().get("/api/v1/retiree/").status_code == 401
    assert any(r["username"] is None for r in _entries(app, since, action="access_refused"))


def test_exports_pdfs_and_bulk_api_reads_are_recorded(app, as_user):
    with app.app_context():
        counters().clear()
        db.session.remove()
    since = _top(app)
    sasac = as_user("sasac")
    assert sasac.get("/retirees/export.xlsx").status_code == 200
    export = _entries(app, since, action="export", username="sasac")
    assert export[-1]["changes"]["format"][1] == "xlsx"
    assert as_user("leader").get("/reports/summary.pdf").status_code == 200
    assert _entries(app, since, action="export", username="leader")[-1]["changes"]["format"][1] == "pdf"
    r = sasac.get("/api/v1/retiree/?q=(page_size:100)")
    assert r.status_code == 200
    read = _entries(app, since, action="api_read", username="sasac")
    assert read and read[-1]["changes"]["rows"][1] == r.get_json()["count"]


def test_the_export_runs_no_formula_a_user_typed(app, as_user):
    from tests.conftest import csrf_token

    c = app.test_client()
    c.post("/login/", data={"username": "=HYPERLINK(\"http://x\")", "password": "x", "csrf_token": csrf_token(c)})
    body = as_user("auditadmin").get("/audit/export/").get_data(as_text=True)
    assert "'=HYPERLINK" in body and ",=HYPERLINK" not in body


def test_the_audit_administrator_sees_fields_not_personal_values(app, as_user):
    with app.app_context():
        row = db.session.scalars(select(Retiree).join(Organization, Retiree.enterprise_id == Organization.id)
                                 .where(Organization.code == "E-S02").order_by(Retiree.id).limit(1)).one()
        pk, old_note, resident_id, name = row.id, row.note, row.resident_id, row.name_zh
        db.session.remove()
    since = _top(app)
    secret = "联系电话13800138000"
    c = as_user("enterprise1")
    assert c.put(f"/api/v1/retiree/{pk}", json={"note": secret}).status_code == 200
    c.put(f"/api/v1/retiree/{pk}", json={"note": old_note})
    entry = _entries(app, since, model="Retiree", object_id=str(pk), action="update")[0]
    assert entry["changes"]["note"][1] == secret  # kept in the database, for an investigation
    auditor = as_user("auditadmin")
    listing = auditor.get("/audit/list/?_flt_0_model=Retiree").get_data(as_text=True)
    shown = auditor.get(f"/audit/show/{entry['id']}").get_data(as_text=True)
    assert "13800138000" not in listing and "13800138000" not in shown
    from tests.test_security_admin import _text
    from app.audit import FIELD_LABELS, HIDDEN

    assert f"{_text(app, FIELD_LABELS['Retiree']['note'])}: {_text(app, HIDDEN)}" in shown  # the field is named
    export = auditor.get("/audit/export/")
    assert export.status_code == 200 and export.mimetype == "text/csv"
    body = export.get_data(as_text=True)
    assert "13800138000" not in body
    assert resident_id not in body and name not in body
    assert not re.search(r"\b\d{17}[\dX]\b", body)
    assert str(entry["id"]) in body
    assert _entries(app, since, action="export", username="auditadmin")[-1]["changes"]["format"][1] == "csv"
    # the export is the audit administrator's
    assert as_user("sysadmin").get("/audit/export/").status_code == 403


def test_prune_keeps_the_retention_and_the_chain(app, runner):
    from app.audit.chain import prune

    result = runner.invoke(args=["audit", "prune", "--days", "90"])
    assert result.exit_code != 0  # fewer than 180 days is refused
    assert runner.invoke(args=["audit", "prune"]).exit_code == 0  # nothing is 180 days old yet
    assert _verify(runner)[0] == 0
    top = _top(app)
    with app.app_context():
        n = prune(db.session, 180, now=datetime.datetime.utcnow() + datetime.timedelta(days=181))
        db.session.commit()
        assert n > 0 and db.session.scalar(select(func.count()).select_from(AuditLog)) == 1  # the newest stays
        db.session.remove()
    app.test_client().get("/api/v1/retiree/")  # a new entry after the checkpoint
    code, out = _verify(runner)
    assert code == 0, out
    # the checkpoint is keyed: moving it is noticed
    _sql(app, "UPDATE audit_checkpoint SET last_id = last_id - 1")
    assert _verify(runner)[0] == 1
    _sql(app, "UPDATE audit_checkpoint SET last_id = :t", t=top - 1)
    assert _verify(runner)[0] == 0


def test_concurrent_writers_append_to_one_chain(app, runner):
    """Two workers writing at once: the head row serialises them, the chain stays one line."""
    import threading

    from app.audit import record_event

    start = threading.Barrier(2)
    errors = []

    def worker(n):
        try:
            with app.app_context():
                start.wait()
                for i in range(15):
                    record_event("export", username=f"worker{n}", model="Request", changes={"count": i})
                db.session.remove()
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)

    threads = [threading.Thread(target=worker, args=(n,)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    code, out = _verify(runner)
    assert code == 0, out
