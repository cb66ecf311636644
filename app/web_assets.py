"""For a slow intranet: versioned static URLs cached for a year, compressed text responses.

- Every `url_for('static', …)` and `url_for('appbuilder.static', …)` gets `?v=<hash of the file>`; a request
  for a static file with `v` is answered `Cache-Control: public, max-age=31536000, immutable` (a new file
  has a new hash, so a new URL), without `v` with a short lifetime and revalidation.
- HTML, CSS, JavaScript, JSON and SVG responses are compressed with brotli (br) or gzip when the browser
  accepts it (brotli is already pinned for WeasyPrint). Static files are compressed once per process and
  kept (they do not change while it runs); pages at a fast level. Streamed responses (exports) and
  downloads of stored files are left as they are. COMPRESS_RESPONSES=0 turns it off when the reverse proxy
  compresses instead.
"""
import gzip
import hashlib
import os
from functools import lru_cache

from flask import current_app, request

STATIC_ENDPOINTS = ("static", "appbuilder.static")
YEAR = 31536000
COMPRESSIBLE = ("text/html", "text/css", "text/javascript", "application/javascript", "application/json",
                "image/svg+xml", "text/plain", "application/x-javascript")
MIN_SIZE = 512


def _static_folder(endpoint):
    app = current_app
    if endpoint == "static":
        return app.static_folder
    blueprint = app.blueprints.get(endpoint.split(".")[0])
    return blueprint.static_folder if blueprint is not None else None


@lru_cache(maxsize=4096)
def _file_hash(path, mtime, size):
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:12]


def static_version(endpoint, filename):
    folder = _static_folder(endpoint)
    if not folder or not filename:
        return None
    path = os.path.realpath(os.path.join(folder, filename))
    if not path.startswith(os.path.realpath(folder) + os.sep):
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _file_hash(path, stat.st_mtime_ns, stat.st_size)


def _add_version(endpoint, values):
    if endpoint in STATIC_ENDPOINTS and "filename" in values and "v" not in values:
        version = static_version(endpoint, values["filename"])
        if version:
            values["v"] = version


def _accepted_encoding():
    accepted = request.headers.get("Accept-Encoding", "")
    encodings = {part.split(";")[0].strip().lower() for part in accepted.split(",")}
    if "br" in encodings:
        return "br"
    if "gzip" in encodings:
        return "gzip"
    return None


_STATIC_CACHE = {}  # (path, etag, encoding) -> compressed bytes: static files do not change while we run
_STATIC_CACHE_MAX = 512


def _compress(data, encoding, best=False):
    if encoding == "br":
        import brotli

        return brotli.compress(data, quality=11 if best else 5)
    return gzip.compress(data, compresslevel=9 if best else 6)


def _after_request(response):
    endpoint = request.endpoint
    if endpoint in STATIC_ENDPOINTS and response.status_code in (200, 304):
        if request.args.get("v"):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
        else:
            response.headers["Cache-Control"] = "public, max-age=3600, must-revalidate"
    if current_app.config.get("COMPRESS_RESPONSES", True):
        _maybe_compress(response, endpoint in STATIC_ENDPOINTS)
    return response


def _maybe_compress(response, static):
    if response.status_code != 200 or "Content-Encoding" in response.headers or response.is_streamed and not static:
        return
    mimetype = (response.mimetype or "").lower()
    if mimetype not in COMPRESSIBLE:
        return
    response.vary.add("Accept-Encoding")
    encoding = _accepted_encoding()
    if encoding is None:
        return
    if static:
        key = (request.path, response.headers.get("ETag"), response.headers.get("Last-Modified"), encoding)
        body = _STATIC_CACHE.get(key)
        if body is None:
            source = response.response
            response.direct_passthrough = False  # read the file once to compress it
            data = response.get_data()
            if hasattr(source, "close"):
                source.close()
            if len(data) < MIN_SIZE:
                return
            body = _compress(data, encoding, best=True)
            if len(_STATIC_CACHE) >= _STATIC_CACHE_MAX:
                _STATIC_CACHE.clear()
            _STATIC_CACHE[key] = body
        else:
            response.close()  # the file it was going to send
    else:
        data = response.get_data()
        if len(data) < MIN_SIZE:
            return
        body = _compress(data, encoding)
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-{encoding}", weak=weak)


def init_app(app):
    app.url_defaults(_add_version)
    app.after_request(_after_request)
