"""`flask backup create` / `restore` / `verify`: the archive restores into an empty instance with every row of
every table and every stored file byte for byte; a non-empty target is refused unless forced; a damaged
archive is refused before anything changes. Runs on the suite's database (SQLite, or PostgreSQL under
DATABASE_URL, where the empty instance is a second database beside it)."""
import hashlib
import json
import os
import tarfile

import pytest
from sqlalchemy import MetaData, create_engine, select, text
from sqlalchemy.engine import make_url

from tests.instances import flask


def _target_url(app, tmp_path):
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        return f"sqlite:///{tmp_path / 'restored.db'}"
    name = f"{url.database}_restore"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _all_rows(url):
    """{table: sorted rows} of every table."""
    engine = create_engine(url)
    meta = MetaData()
    try:
        with engine.connect() as conn:
            meta.reflect(conn)
            return {t.name: sorted((tuple(r) for r in conn.execute(select(t))), key=repr)
                    for t in meta.sorted_tables}
    finally:
        engine.dispose()


def _files(folder):
    return {n: hashlib.sha256(open(os.path.join(folder, n), "rb").read()).hexdigest()
            for n in os.listdir(folder) if len(n) == 32}


@pytest.fixture(scope="module")
def archive(app, tmp_path_factory):
    out = tmp_path_factory.mktemp("backup") / "shannan.tar.gz"
    result = app.test_cli_runner().invoke(args=["backup", "create", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_restore_into_an_empty_instance_has_every_row_and_every_file(app, archive, tmp_path):
    source_url = app.config["SQLALCHEMY_DATABASE_URI"]
    target_url = _target_url(app, tmp_path)
    uploads = tmp_path / "uploads"
    result = flask(tmp_path, "backup", "restore", str(archive), DATABASE_URL=target_url, UPLOAD_FOLDER=uploads)
    assert result.returncode == 0, result.stdout + result.stderr

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    source, restored = _all_rows(source_url), _all_rows(target_url)
    assert set(restored) == set(source)
    for table, rows in source.items():
        if table in manifest["tables"]:  # a table the suite wrote after the backup still matches its count
            assert len(restored[table]) == manifest["tables"][table], table
    # the rows the suite had when the backup ran are all there, value for value
    with app.app_context():
        from app.extensions import db

        stored = dict(db.session.execute(text("SELECT disk_name, sha256 FROM stored_file")).all())
        db.session.remove()
    assert restored["retiree"] == source["retiree"] and len(restored["retiree"]) >= 965
    assert restored["ab_user"] == source["ab_user"]
    assert restored["stored_file"] == source["stored_file"] and restored["stored_file"]
    # every stored file, byte for byte, checked against the SHA-256 its row records and the source's bytes
    files = _files(uploads)
    assert files == {name: sha for name, sha in stored.items()}
    for name in files:
        with open(os.path.join(app.config["UPLOAD_FOLDER"], name), "rb") as a, open(uploads / name, "rb") as b:
            assert a.read() == b.read()

    if make_url(target_url).get_backend_name() == "postgresql":
        engine = create_engine(target_url)
        with engine.connect() as conn:  # sequences continue after the restored ids
            top = conn.scalar(text("SELECT MAX(id) FROM retiree"))
            assert conn.scalar(text("SELECT nextval(pg_get_serial_sequence('retiree', 'id'))")) > top
        engine.dispose()

    again = flask(tmp_path, "backup", "restore", str(archive), DATABASE_URL=target_url, UPLOAD_FOLDER=uploads)
    assert again.returncode == 1 and "not empty" in again.stderr
    forced = flask(tmp_path, "backup", "restore", "--force", str(archive), DATABASE_URL=target_url,
                   UPLOAD_FOLDER=uploads)
    assert forced.returncode == 0, forced.stderr
    assert _all_rows(target_url)["retiree"] == restored["retiree"]


def test_non_empty_target_is_refused_and_left_as_it_was(app, archive, tmp_path):
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    (uploads / ("a" * 32)).write_bytes(b"someone's file")
    target_url = f"sqlite:///{tmp_path / 'empty.db'}"
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() != "sqlite":
        target_url = _target_url(app, tmp_path)
    result = flask(tmp_path, "backup", "restore", str(archive), DATABASE_URL=target_url, UPLOAD_FOLDER=uploads)
    assert result.returncode == 1 and "not empty" in result.stderr
    assert os.listdir(uploads) == ["a" * 32]
    assert not any(_all_rows(target_url).values())


def test_a_damaged_archive_is_refused(app, archive, tmp_path):
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w:gz") as dst:
        for info in src:
            data = src.extractfile(info).read()
            if info.name.startswith("files/"):
                data = data[:-1] + bytes([data[-1] ^ 1])  # one bit flipped in a stored file
            info.size = len(data)
            import io

            dst.addfile(info, io.BytesIO(data))
    assert app.test_cli_runner().invoke(args=["backup", "verify", str(archive)]).exit_code == 0
    check = app.test_cli_runner().invoke(args=["backup", "verify", str(damaged)])
    assert check.exit_code == 1 and "checksum" in check.output
    uploads = tmp_path / "uploads"
    result = flask(tmp_path, "backup", "restore", str(damaged), DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}",
                   UPLOAD_FOLDER=uploads)
    assert result.returncode == 1 and "checksum" in result.stderr
    assert not uploads.exists() or not os.listdir(uploads)


def test_backup_is_one_consistent_snapshot_while_writes_go_on(app, tmp_path):
    """Transactions committed while the backup runs are wholly in it or wholly absent: a writer adds two
    marked rows per transaction throughout, and the archive never holds an odd number of them."""
    import sqlite3
    import threading

    from sqlalchemy.exc import OperationalError

    from app.backup import create_backup
    from app.extensions import db
    from app.storage import storage

    stop, written = threading.Event(), []
    insert = text("INSERT INTO audit_log (at, action, model, object_id) VALUES (CURRENT_TIMESTAMP, 'test', "
                  "'BackupPair', :n)")

    def writer():
        engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
        n = 0
        try:
            while not stop.is_set():
                try:
                    with engine.begin() as conn:
                        conn.execute(insert, {"n": str(n)})
                        conn.execute(insert, {"n": str(n)})
                    written.append(n)
                except OperationalError:  # SQLite: locked for a moment by the backup step
                    pass
                n += 1
        finally:
            engine.dispose()

    thread = threading.Thread(target=writer)
    thread.start()
    out = tmp_path / "live.tar.gz"
    try:
        while len(written) < 5:
            stop.wait(0.01)
        with app.app_context():
            create_backup(str(out), db.engine, storage())
            db.session.remove()
    finally:
        stop.set()
        thread.join()
    try:
        with tarfile.open(out) as tar:
            if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite":
                tar.extract("database.sqlite3", tmp_path, filter="data")
                conn = sqlite3.connect(tmp_path / "database.sqlite3")
                marks = [r[0] for r in conn.execute("SELECT object_id FROM audit_log WHERE model = 'BackupPair'")]
                conn.close()
            else:
                lines = tar.extractfile("db/audit_log.jsonl").read().decode().splitlines()
                marks = [line for line in lines[1:] if '"BackupPair"' in line]
        assert len(marks) >= 10 and len(marks) % 2 == 0
    finally:
        with app.app_context():
            db.session.execute(text("DELETE FROM audit_log WHERE model = 'BackupPair'"))
            db.session.commit()
            db.session.remove()
