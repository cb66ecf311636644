"""gunicorn settings: `gunicorn -c gunicorn.conf.py 'app:create_app()'` (each can be overridden on the command
line or by the environment variable named beside it).

Sized for this system's work on a small server: pages answer in tens of milliseconds, but an export of the
whole city's ledger (100,000 rows, streamed) or a summary PDF at that size takes up to ~20 s on a busy
2-core machine, so the worker timeout leaves room for those (120 s) instead of gunicorn's default 30 s,
which killed such requests mid-way. Sync workers: the app is CPU-bound Python and SQL; put nginx in front
(it buffers slow clients on the intranet so a worker is never held by a slow upload or download)."""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# 2 per core + 1 is gunicorn's rule of thumb; memory per worker is ~150 MB (exports stream in bounded memory)
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))  # the longest request: a whole-city export or PDF
graceful_timeout = 30  # a restart lets running requests finish
keepalive = 5  # behind nginx's upstream keepalive
# a worker is replaced after this many requests (with jitter so they do not all restart at once): bounds any
# slow growth of memory in a long-lived process
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
limit_request_line = 8190
# the application writes one line per request itself (app/ops.py, with the user id); no second access log
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# X-Forwarded-* only from the proxy on this machine (set TRUSTED_PROXIES for the application too)
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
