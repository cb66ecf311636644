"""Where stored files' bytes live: one small interface, two backends chosen by settings.

- `LocalStorage` (default): files in UPLOAD_FOLDER on this machine's disk (one server, or a disk the servers
  share). A file is written under a temporary name in the same folder and renamed into place, so a failed
  or interrupted write never leaves a partial file under a real name.
- `S3Storage` (when S3_BUCKET is set): an S3-compatible object store (MinIO, Ceph, a cloud's S3) through
  boto3, so several application servers see the same files. An object appears only when its upload has
  completed (S3 puts are atomic).

Names are the random `disk_name`s of app.uploads (32 hex digits); `app/uploads.py` checks types, sizes and
scope; this module only moves bytes. `storage()` returns the backend of the current application.
"""
import io
import os
import re
import uuid

from flask import current_app

NAME = re.compile(r"[0-9a-f]{32}")


class StorageError(RuntimeError):
    pass


def valid_name(name):
    return bool(name) and NAME.fullmatch(name) is not None


def _check(name):
    if not valid_name(name):
        raise StorageError(f"not a stored file name: {name!r}")


CHUNK = 1 << 20


def _write_chunk(fh, chunk):
    """One chunk to disk (a seam for the full-disk test)."""
    fh.write(chunk)


class LocalStorage:
    kind = "local"

    def __init__(self, path, static_folder=None):
        self.path = os.path.realpath(path)
        static = static_folder and os.path.realpath(static_folder)
        if static and (self.path == static or self.path.startswith(static + os.sep)):
            # a file there would be served to anyone, past the owner's scope and the audit log
            raise RuntimeError("UPLOAD_FOLDER must not lie inside the static folder")
        os.makedirs(self.path, exist_ok=True)

    def _full(self, name):
        _check(name)
        return os.path.join(self.path, name)

    def put(self, name, data):
        """Store `data` under `name`; refuses to overwrite (names are random, a clash is a bug)."""
        final = self._full(name)
        if os.path.exists(final):
            raise StorageError(f"{name} exists")
        temp = os.path.join(self.path, f".tmp-{uuid.uuid4().hex}")
        try:
            with open(temp, "xb") as fh:
                for start in range(0, len(data), CHUNK):
                    _write_chunk(fh, data[start:start + CHUNK])
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(temp, final)
        finally:
            if os.path.exists(temp):
                os.remove(temp)

    def get(self, name):
        try:
            with open(self._full(name), "rb") as fh:
                return fh.read()
        except FileNotFoundError:
            return None

    def exists(self, name):
        return os.path.isfile(self._full(name))

    def delete(self, name):
        try:
            os.remove(self._full(name))
        except FileNotFoundError:
            pass

    def names(self):
        """Every stored file's name (temporary files and other folders, e.g. import previews, excluded)."""
        return sorted(n for n in os.listdir(self.path) if valid_name(n) and os.path.isfile(os.path.join(self.path, n)))

    def local_path(self, name):
        """A path on this disk to send the file from, or None."""
        path = self._full(name)
        return path if os.path.isfile(path) else None

    def check(self):
        if not os.access(self.path, os.W_OK):
            raise StorageError("upload folder not writable")


class S3Storage:
    kind = "s3"

    def __init__(self, bucket, endpoint_url=None, access_key=None, secret_key=None, region=None, prefix=""):
        import boto3
        from botocore.config import Config as BotoConfig

        self.bucket, self.prefix = bucket, prefix
        self.client = boto3.client(
            "s3", endpoint_url=endpoint_url or None, aws_access_key_id=access_key or None,
            aws_secret_access_key=secret_key or None, region_name=region or "us-east-1",
            config=BotoConfig(s3={"addressing_style": "path"}, retries={"max_attempts": 3},
                              connect_timeout=5, read_timeout=30))

    def _key(self, name):
        _check(name)
        return self.prefix + name

    def put(self, name, data):
        # S3 makes an object visible only once its upload completed; no partial object is ever readable
        self.client.put_object(Bucket=self.bucket, Key=self._key(name), Body=data)

    def get(self, name):
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(name))["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            raise

    def exists(self, name):
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self._key(name))
            return True
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return False
            raise

    def delete(self, name):
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))

    def names(self):
        out = []
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                name = item["Key"][len(self.prefix):]
                if valid_name(name):
                    out.append(name)
        return sorted(out)

    def local_path(self, name):
        return None

    def check(self):
        self.client.head_bucket(Bucket=self.bucket)


def make_storage(config, static_folder=None):
    if config.get("S3_BUCKET"):
        return S3Storage(config["S3_BUCKET"], config.get("S3_ENDPOINT_URL"), config.get("S3_ACCESS_KEY_ID"),
                         config.get("S3_SECRET_ACCESS_KEY"), config.get("S3_REGION"), config.get("S3_PREFIX", ""))
    return LocalStorage(config["UPLOAD_FOLDER"], static_folder)


def storage():
    """The current application's storage backend (made once per application and settings)."""
    app = current_app._get_current_object()
    key = (app.config.get("S3_BUCKET"), app.config.get("S3_ENDPOINT_URL"), app.config.get("S3_PREFIX"),
           app.config.get("UPLOAD_FOLDER"))
    cached = app.extensions.get("shannan_storage")
    if cached is None or cached[0] != key:
        cached = (key, make_storage(app.config, app.static_folder))
        app.extensions["shannan_storage"] = cached
    return cached[1]


def send(name, mimetype, download_name):
    """A download response for a stored file (None when it is missing)."""
    from flask import send_file

    backend = storage()
    path = backend.local_path(name)
    if path is not None:
        return send_file(path, mimetype=mimetype, as_attachment=True, download_name=download_name)
    data = backend.get(name)
    if data is None:
        return None
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=download_name)
