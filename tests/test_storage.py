"""Stored files behind the storage interface: the local disk by default, an S3-compatible store (a local moto
server here) when S3_BUCKET is set. An upload is complete or absent: a failed write or a transaction that does
not commit leaves nothing behind, on either backend; downloads return the bytes that were uploaded."""
import hashlib
import io
import os

import pytest
from werkzeug.datastructures import FileStorage

from app.plans.demo import minimal_pdf
from app.storage import LocalStorage, S3Storage, StorageError
from tests.instances import S3Server


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    server = S3Server(tmp_path_factory.mktemp("s3"))
    yield server
    server.stop()


@pytest.fixture
def s3_app(app, s3):
    """The suite's application with its stored files in the S3 server for the duration of one test."""
    saved = {k: app.config.get(k) for k in s3.settings()}
    app.config.update(s3.settings(prefix="uploads/"))
    yield app
    app.config.update(saved)


def _upload(app, data, name="方案.pdf", commit=True):
    from app.extensions import db
    from app.uploads import save_upload

    with app.test_request_context():
        stored = save_upload(FileStorage(io.BytesIO(data), filename=name), None)
        db.session.flush()
        disk_name = stored.disk_name
        if commit:
            db.session.commit()
            stored_id = stored.id
        else:
            db.session.rollback()
            stored_id = None
        db.session.remove()
    return disk_name, stored_id


def _delete_row(app, stored_id):
    from app.extensions import db
    from app.uploads import StoredFile

    with app.app_context():
        db.session.query(StoredFile).filter_by(id=stored_id).delete()
        db.session.commit()
        db.session.remove()


def test_s3_upload_download_and_rollback(s3_app, s3):
    from app.extensions import db
    from app.storage import storage
    from app.uploads import StoredFile, send_stored

    data = minimal_pdf("s3")
    local_before = sorted(os.listdir(s3_app.config["UPLOAD_FOLDER"]))
    disk_name, stored_id = _upload(s3_app, data)
    try:
        assert f"uploads/{disk_name}" in s3.keys()
        assert sorted(os.listdir(s3_app.config["UPLOAD_FOLDER"])) == local_before  # nothing on the local disk
        with s3_app.test_request_context():
            assert storage().kind == "s3" and disk_name in storage().names()
            response = send_stored(db.session.get(StoredFile, stored_id))
            response.direct_passthrough = False
            assert response.get_data() == data
            assert hashlib.sha256(response.get_data()).hexdigest() == db.session.get(StoredFile, stored_id).sha256
            db.session.remove()
    finally:
        _delete_row(s3_app, stored_id)
        s3.client.delete_object(Bucket=s3.bucket, Key=f"uploads/{disk_name}")

    # a transaction that does not commit removes the object it wrote
    disk_name, _ = _upload(s3_app, minimal_pdf("rolled back"), commit=False)
    assert f"uploads/{disk_name}" not in s3.keys()


def test_s3_storage_interface(s3):
    store = S3Storage(**{"bucket": s3.bucket, "endpoint_url": s3.url, "access_key": "test", "secret_key": "test",
                         "prefix": "iface/"})
    name = "0" * 32
    assert store.get(name) is None and not store.exists(name)
    store.put(name, b"\x00bytes")
    assert store.get(name) == b"\x00bytes" and store.exists(name) and store.names() == [name]
    store.delete(name)
    assert store.names() == []
    with pytest.raises(StorageError):
        store.put("../escape", b"x")


def test_local_write_that_fails_leaves_nothing(tmp_path, monkeypatch):
    store = LocalStorage(tmp_path / "up")
    name = "1" * 32

    real_open = open

    def failing_open(path, mode="r", *a, **k):
        fh = real_open(path, mode, *a, **k)
        if "x" in mode:
            fh.write(b"partial")
            fh.close()
            raise OSError("disk full")
        return fh

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(OSError):
        store.put(name, b"whole file")
    monkeypatch.undo()
    assert os.listdir(tmp_path / "up") == []  # neither the file nor its temporary
    store.put(name, b"whole file")
    assert store.get(name) == b"whole file" and os.listdir(tmp_path / "up") == [name]
    with pytest.raises(StorageError):
        store.put(name, b"again")  # never overwritten


def test_backup_reads_and_restores_files_through_s3(s3_app, s3, tmp_path):
    """`flask backup` works on the S3 backend as on the disk: files come from the store into the archive
    and go back into an empty store."""
    from app.backup import restore_backup, unpack
    from app.extensions import db
    from app.storage import S3Storage

    disk_name, stored_id = _upload(s3_app, minimal_pdf("backup via s3"))
    try:
        with s3_app.app_context():
            # the suite's other files are on the local disk: copy them into the bucket first
            from app.storage import LocalStorage, storage

            local = LocalStorage(s3_app.config["UPLOAD_FOLDER"])
            for name in local.names():
                if not storage().exists(name):
                    storage().put(name, local.get(name))
            result = s3_app.test_cli_runner().invoke(args=["backup", "create", "--out", str(tmp_path / "b.tar.gz")])
            assert result.exit_code == 0, result.output
            db.session.remove()
        manifest = unpack(tmp_path / "b.tar.gz", tmp_path / "check")
        assert disk_name in {f["name"] for f in manifest["files"]}
        empty = S3Storage(s3.bucket, s3.url, "test", "test", prefix="restored/")
        # files only: the database part is covered by test_backup; here the target database is a copy
        from sqlalchemy import create_engine

        engine = create_engine(f"sqlite:///{tmp_path / 'r.db'}")
        if manifest["dialect"] == "sqlite":
            restore_backup(tmp_path / "b.tar.gz", engine, empty, migrate_to=None)
            assert set(empty.names()) == {f["name"] for f in manifest["files"]}
            assert empty.get(disk_name) == minimal_pdf("backup via s3")
        engine.dispose()
    finally:
        _delete_row(s3_app, stored_id)
