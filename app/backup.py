"""Backup and restore of the whole system: the database and every stored file in one archive.

The archive is a gzip'd tar with `manifest.json` first, then the database and the files; the manifest
gives the size and SHA-256 of every other member, the row count of every table, the Alembic revision and,
per stored file, the SHA-256 its `stored_file` row records. Restore checks every member before it changes
anything.

Consistency while the application runs:
- SQLite: SQLite's online backup API copies the database page by page into a snapshot (`database.sqlite3`);
  writers may go on meanwhile, the copy is one consistent state.
- PostgreSQL: a logical copy through SQLAlchemy, every table read in ONE transaction at REPEATABLE READ,
  READ ONLY (one snapshot for all tables), one JSON line per row (`db/<table>.jsonl`, values typed). This
  needs no pg_dump matching the server's version on the machine that runs the backup.
- Files: the list comes from the snapshot's `stored_file` rows and every file's content is checked against
  the SHA-256 its row records. Stored files are never changed after upload, so a file read after the
  snapshot is the file the snapshot knows; a file uploaded after it is not in this backup (nor its row).

Restore goes into an empty database and an empty file store, and refuses a non-empty one unless forced.
SQLite: the snapshot is copied back with the same backup API. PostgreSQL: the schema is rebuilt by the
migrations up to the archive's revision, the rows inserted (parents first), the sequences reset; all rows
in one transaction. Run `flask db upgrade` afterwards when the code is newer than the backup.
"""
import base64
import datetime
import decimal
import hashlib
import json
import os
import shutil
import sqlite3
import tarfile
import tempfile

from sqlalchemy import MetaData, func, select, text

FORMAT = "shannan-backup/1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
BATCH = 1000


class BackupError(RuntimeError):
    pass


# -- typed JSON values -------------------------------------------------------------------------------------

def encode(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, datetime.datetime):
        return {"t": "dt", "v": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"t": "d", "v": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"t": "tm", "v": value.isoformat()}
    if isinstance(value, decimal.Decimal):
        return {"t": "n", "v": str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"t": "b", "v": base64.b64encode(bytes(value)).decode()}
    if isinstance(value, (dict, list)):
        return {"t": "j", "v": value}
    raise BackupError(f"cannot store a value of type {type(value).__name__}")


def decode(value):
    if not isinstance(value, dict):
        return value
    kind, v = value["t"], value["v"]
    if kind == "dt":
        return datetime.datetime.fromisoformat(v)
    if kind == "d":
        return datetime.date.fromisoformat(v)
    if kind == "tm":
        return datetime.time.fromisoformat(v)
    if kind == "n":
        return decimal.Decimal(v)
    if kind == "b":
        return base64.b64decode(v)
    if kind == "j":
        return v
    raise BackupError(f"unknown value type {kind!r}")


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _sqlite_path(url):
    path = url.database
    if not path or path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return path


# -- create ------------------------------------------------------------------------------------------------

def _snapshot_sqlite(url, work):
    target = os.path.join(work, SQLITE_MEMBER)
    source = sqlite3.connect(_sqlite_path(url))
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)  # online backup: one consistent state while writers go on
    finally:
        source.close()
    try:
        tables = [r[0] for r in copy.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        counts = {t: copy.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}
        revision = _first(copy, "SELECT version_num FROM alembic_version") if "alembic_version" in tables else None
        files = copy.execute("SELECT disk_name, sha256, size FROM stored_file ORDER BY id").fetchall() \
            if "stored_file" in tables else []
    finally:
        copy.close()
    return [SQLITE_MEMBER], counts, revision, files


def _first(conn, sql):
    row = conn.execute(sql).fetchone()
    return row[0] if row else None


def _snapshot_postgresql(engine, work):
    os.makedirs(os.path.join(work, "db"))
    members, counts = [], {}
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.execute(text("SET TRANSACTION READ ONLY"))
            meta = MetaData()
            meta.reflect(conn)
            for table in meta.sorted_tables:
                member = f"db/{table.name}.jsonl"
                n = 0
                order = list(table.primary_key.columns) or list(table.columns)
                result = conn.execution_options(stream_results=True, yield_per=BATCH).execute(
                    select(table).order_by(*order))
                with open(os.path.join(work, member), "w", encoding="utf-8") as fh:
                    fh.write(json.dumps({"table": table.name, "columns": list(result.keys())}) + "\n")
                    for row in result:
                        fh.write(json.dumps([encode(v) for v in row], ensure_ascii=False) + "\n")
                        n += 1
                members.append(member)
                counts[table.name] = n
            revision = conn.scalar(text("SELECT version_num FROM alembic_version")) \
                if "alembic_version" in meta.tables else None
            files = conn.execute(text("SELECT disk_name, sha256, size FROM stored_file ORDER BY id")).all() \
                if "stored_file" in meta.tables else []
    return members, counts, revision, [tuple(f) for f in files]


def create_backup(out, engine, store, log=lambda msg: None):
    """Write the archive to `out` (atomically: a temporary name, renamed when complete). Returns the
    manifest."""
    work = tempfile.mkdtemp(prefix="shannan-backup-")
    try:
        dialect = engine.dialect.name
        if dialect == "sqlite":
            members, counts, revision, files = _snapshot_sqlite(engine.url, work)
        elif dialect == "postgresql":
            members, counts, revision, files = _snapshot_postgresql(engine, work)
        else:
            raise BackupError(f"unsupported database: {dialect}")
        log(f"database\t{dialect}\t{len(counts)} tables\t{sum(counts.values())} rows")
        os.makedirs(os.path.join(work, "files"))
        file_entries = []
        for disk_name, recorded_sha, size in files:
            data = store.get(disk_name)
            if data is None:
                raise BackupError(f"stored file {disk_name} is missing from the file store")
            digest = hashlib.sha256(data).hexdigest()
            if digest != recorded_sha:
                raise BackupError(f"stored file {disk_name} differs from its recorded SHA-256")
            member = f"files/{disk_name}"
            with open(os.path.join(work, member), "wb") as fh:
                fh.write(data)
            members.append(member)
            file_entries.append({"name": disk_name, "sha256": digest, "size": len(data)})
        log(f"files\t{len(file_entries)}\t{sum(f['size'] for f in file_entries)} bytes")
        manifest = {
            "format": FORMAT,
            "created": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "dialect": dialect,
            "revision": revision,
            "tables": counts,
            "files": file_entries,
            "members": {m: {"sha256": sha256_file(os.path.join(work, m)),
                            "size": os.path.getsize(os.path.join(work, m))} for m in members},
        }
        with open(os.path.join(work, MANIFEST), "w", encoding="utf-8") as fh:
            json.dump(manifest, fh, indent=1, ensure_ascii=False)
        partial = f"{out}.part"
        with tarfile.open(partial, "w:gz") as tar:
            for member in [MANIFEST] + members:
                tar.add(os.path.join(work, member), arcname=member, recursive=False)
        os.replace(partial, out)
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- verify and read -----------------------------------------------------------------------------------------

def unpack(path, work):
    """Extract and check every member against the manifest into `work`; returns the manifest."""
    try:
        tar = tarfile.open(path, "r:*")
    except (tarfile.TarError, OSError) as error:
        raise BackupError(f"not a readable archive: {error}") from error
    with tar:
        first = tar.next()
        if first is None or first.name != MANIFEST:
            raise BackupError("not a backup archive (no manifest first)")
        manifest = json.load(tar.extractfile(first))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"unknown archive format {manifest.get('format')!r}")
        expected = manifest["members"]
        seen = set()
        for info in tar:
            name = info.name
            if info is first or (name == MANIFEST and info.offset == first.offset):
                continue
            if name not in expected or not info.isfile() or name in seen:
                raise BackupError(f"unexpected member {name!r}")
            target = os.path.join(work, name)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            digest = hashlib.sha256()
            with tar.extractfile(info) as src, open(target, "wb") as dst:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    digest.update(chunk)
                    dst.write(chunk)
            if digest.hexdigest() != expected[name]["sha256"]:
                raise BackupError(f"checksum mismatch: {name}")
            seen.add(name)
        missing = set(expected) - seen
        if missing:
            raise BackupError(f"members missing: {', '.join(sorted(missing))}")
    for entry in manifest["files"]:
        if manifest["members"].get(f"files/{entry['name']}", {}).get("sha256") != entry["sha256"]:
            raise BackupError(f"file {entry['name']} does not match its record")
    return manifest


# -- restore -------------------------------------------------------------------------------------------------

def database_rows(engine):
    """{table: rows} of the non-empty tables (alembic_version aside)."""
    meta = MetaData()
    with engine.connect() as conn:
        meta.reflect(conn)
        counts = {t.name: conn.scalar(select(func.count()).select_from(t)) for t in meta.sorted_tables
                  if t.name != "alembic_version"}
    return {t: n for t, n in counts.items() if n}


def restore_backup(path, engine, store, migrate_to, force=False, log=lambda msg: None):
    """Restore the archive at `path` into the database behind `engine` and the file store `store`.
    `migrate_to(revision)` builds the schema (PostgreSQL). Refuses a non-empty target unless `force`."""
    work = tempfile.mkdtemp(prefix="shannan-restore-")
    try:
        manifest = unpack(path, work)
        if manifest["dialect"] != engine.dialect.name:
            raise BackupError(f"the archive holds a {manifest['dialect']} database; the target is "
                              f"{engine.dialect.name}")
        occupied = database_rows(engine)
        present = store.names()
        if (occupied or present) and not force:
            raise BackupError(
                f"the target is not empty ({sum(occupied.values())} rows in {len(occupied)} tables, "
                f"{len(present)} stored files); restore into an empty instance or give --force to replace it")
        if engine.dialect.name == "sqlite":
            _restore_sqlite(os.path.join(work, SQLITE_MEMBER), engine)
        else:
            _restore_postgresql(work, manifest, engine, migrate_to)
        log(f"database\t{len(manifest['tables'])} tables\t{sum(manifest['tables'].values())} rows")
        wanted = {f["name"] for f in manifest["files"]}
        for name in present:
            if name not in wanted:
                store.delete(name)
        for entry in manifest["files"]:
            with open(os.path.join(work, "files", entry["name"]), "rb") as fh:
                data = fh.read()
            if store.exists(entry["name"]):
                if hashlib.sha256(store.get(entry["name"]) or b"").hexdigest() == entry["sha256"]:
                    continue
                store.delete(entry["name"])
            store.put(entry["name"], data)
        log(f"files\t{len(manifest['files'])}")
        return manifest
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _restore_sqlite(snapshot, engine):
    engine.dispose()
    source = sqlite3.connect(snapshot)
    target = sqlite3.connect(_sqlite_path(engine.url))
    try:
        source.backup(target)  # replaces the whole target database, page by page
    finally:
        source.close()
        target.close()
    engine.dispose()


def _ordered_rows(table, columns, rows):
    """Rows of a table that refers to itself (a parent column), parents before children."""
    self_refs = [(fk.parent.name, fk.column.name) for fk in table.foreign_keys
                 if fk.column.table.name == table.name]
    if not self_refs:
        return rows
    index = {name: i for i, name in enumerate(columns)}
    done, pending, out = set(), list(rows), []
    keys = [(index[c], index[r]) for c, r in self_refs]
    while pending:
        ready = [row for row in pending if all(row[c] is None or (r, row[c]) in done or row[c] == row[r]
                                                for c, r in keys)]
        if not ready:
            raise BackupError(f"rows of {table.name} refer to missing parents")
        ready_ids = {id(row) for row in ready}
        pending = [row for row in pending if id(row) not in ready_ids]
        for row in ready:
            out.append(row)
            for _c, r in keys:
                done.add((r, row[r]))
    return out


def _restore_postgresql(work, manifest, engine, migrate_to):
    # an empty (or forced) target: drop what is there, rebuild the schema the archive was taken with
    meta = MetaData()
    with engine.begin() as conn:
        meta.reflect(conn)
        meta.drop_all(conn)
    engine.dispose()
    migrate_to(manifest["revision"])
    engine.dispose()
    meta = MetaData()
    with engine.begin() as conn:
        meta.reflect(conn)
        for table in reversed(meta.sorted_tables):  # rows a migration may have written
            if table.name != "alembic_version":
                conn.execute(table.delete())
        for member in manifest["members"]:
            if not member.startswith("db/"):
                continue
            with open(os.path.join(work, member), encoding="utf-8") as fh:
                header = json.loads(fh.readline())
                name, columns = header["table"], header["columns"]
                if name == "alembic_version":
                    continue
                if name not in meta.tables:
                    raise BackupError(f"table {name} is not in the schema of revision {manifest['revision']}")
                table = meta.tables[name]
                rows = [[decode(v) for v in json.loads(line)] for line in fh]
            rows = _ordered_rows(table, columns, rows)
            for start in range(0, len(rows), BATCH):
                conn.execute(table.insert(), [dict(zip(columns, row)) for row in rows[start:start + BATCH]])
            if len(rows) != manifest["tables"].get(name, len(rows)):
                raise BackupError(f"{name}: {len(rows)} rows read, {manifest['tables'][name]} expected")
        for table in meta.sorted_tables:
            for column in table.primary_key.columns:
                sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                       {"t": f'public."{table.name}"', "c": column.name})
                if sequence:
                    conn.execute(text(f'SELECT setval(:s, COALESCE((SELECT MAX("{column.name}") FROM '
                                      f'"{table.name}"), 1), (SELECT MAX("{column.name}") FROM "{table.name}") '
                                      f'IS NOT NULL)'), {"s": sequence})


def describe(manifest):
    tables = manifest["tables"]
    files = manifest["files"]
    return (f"{manifest['created']}\t{manifest['dialect']}\trevision {manifest['revision']}\t"
            f"{len(tables)} tables\t{sum(tables.values())} rows\t{len(files)} files\t"
            f"{sum(f['size'] for f in files)} bytes")
