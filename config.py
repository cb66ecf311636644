"""Configuration, read from the environment (12-factor), with a subclass for tests."""
import datetime
import os
import pathlib

BASE_DIR = pathlib.Path(__file__).resolve().parent
INSTANCE_DIR = pathlib.Path(os.environ.get("INSTANCE_DIR", BASE_DIR / "instance"))


def _int(name, default):
    return int(os.environ.get(name, default))


def _password_complexity(password):
    # FAB's forms (add user, reset password) call this; the rule and its settings are in app/security/auth.py.
    from app.security.auth import complexity_validator

    complexity_validator(password)


def _bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


class Config:
    # A fixed dev key would let anyone forge sessions in production; `make run` writes a random one to
    # instance/secret_key when SECRET_KEY is not set.
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'shannan.db'}"
    )
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER", str(INSTANCE_DIR / "uploads"))
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024
    # Stored files go to an S3-compatible store when S3_BUCKET is set (app/storage.py), else UPLOAD_FOLDER.
    S3_BUCKET = os.environ.get("S3_BUCKET", "")
    S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")  # e.g. http://minio.intranet:9000
    S3_ACCESS_KEY_ID = os.environ.get("S3_ACCESS_KEY_ID", "")
    S3_SECRET_ACCESS_KEY = os.environ.get("S3_SECRET_ACCESS_KEY", "")
    S3_REGION = os.environ.get("S3_REGION", "us-east-1")
    S3_PREFIX = os.environ.get("S3_PREFIX", "")

    APP_NAME = "Shannan SOE Retirees"
    APP_THEME = ""
    FAB_BASE_TEMPLATE = "base_layout.html"
    FAB_INDEX_VIEW = "app.home.HomeView"
    FAB_SECURITY_MANAGER_CLASS = "app.security.manager.ScopedSecurityManager"
    # Permissions are created and roles synced by `flask sync-roles`, not on every start-up.
    FAB_UPDATE_PERMS = False
    # Alembic owns the schema; FAB must not create tables behind its back.
    FAB_CREATE_DB = False
    AUTH_ROLE_PUBLIC = "Public"
    FAB_ADD_SECURITY_API = False
    FAB_API_SWAGGER_UI = False  # the Swagger UI page loads assets from a CDN; the spec JSON stays.
    AUTH_TYPE = 1  # AUTH_DB
    AUTH_USER_REGISTRATION = False
    AUTH_ROLES_SYNC_AT_LOGIN = False
    # Login guessing (issue 11, app/security/auth.py): FAB's per-worker Flask-Limiter is replaced by counters
    # every worker shares (app/security/counters.py): the database, or Redis when REDIS_URL is set.
    AUTH_RATE_LIMITED = False
    RATELIMIT_ENABLED = False
    REDIS_URL = os.environ.get("REDIS_URL", "")
    AUTH_LOCKOUT_ATTEMPTS = _int("AUTH_LOCKOUT_ATTEMPTS", 5)  # failed logins of one account …
    AUTH_LOCKOUT_MINUTES = _int("AUTH_LOCKOUT_MINUTES", 15)  # … within this many minutes lock it that long
    AUTH_ADDRESS_MAX_FAILURES = _int("AUTH_ADDRESS_MAX_FAILURES", 100)  # failed logins from one address …
    AUTH_ADDRESS_WINDOW_MINUTES = _int("AUTH_ADDRESS_WINDOW_MINUTES", 15)  # … within this window
    TRUSTED_PROXIES = _int("TRUSTED_PROXIES", 0)  # reverse proxies in front whose X-Forwarded-For is believed
    # Shared state for several application servers (app/shared.py): the figures cache and import previews live
    # in Redis when REDIS_URL is set (e.g. redis://127.0.0.1:6379/0); every key starts with REDIS_PREFIX.
    REDIS_PREFIX = os.environ.get("REDIS_PREFIX", "shannan:")
    # brotli/gzip for HTML, CSS, JS (app/web_assets.py); turn off when the reverse proxy compresses instead
    COMPRESS_RESPONSES = _bool("COMPRESS_RESPONSES", True)
    FAB_PASSWORD_COMPLEXITY_ENABLED = True
    FAB_PASSWORD_COMPLEXITY_VALIDATOR = _password_complexity
    PASSWORD_MIN_LENGTH = _int("PASSWORD_MIN_LENGTH", 10)
    PASSWORD_MIN_CLASSES = _int("PASSWORD_MIN_CLASSES", 3)  # of lower, upper, digit, other
    PASSWORD_MAX_AGE_DAYS = _int("PASSWORD_MAX_AGE_DAYS", 90)  # 0 = passwords never expire
    SESSION_IDLE_MINUTES = _int("SESSION_IDLE_MINUTES", 30)
    JWT_ACCESS_TOKEN_EXPIRES = datetime.timedelta(minutes=_int("JWT_ACCESS_TOKEN_MINUTES", 15))
    JWT_REFRESH_TOKEN_EXPIRES = datetime.timedelta(hours=_int("JWT_REFRESH_TOKEN_HOURS", 8))
    # Audit (app/audit/): entries younger than this are never pruned; below 180 days is refused.
    AUDIT_RETENTION_DAYS = _int("AUDIT_RETENTION_DAYS", 180)
    AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY", "")  # key of the hash chain; default: from SECRET_KEY

    BABEL_DEFAULT_LOCALE = "zh"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "translations")
    LANGUAGES = {
        "zh": {"flag": "cn", "name": "中文"},
        "bo": {"flag": "cn", "name": "བོད་ཡིག"},
    }

    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # The site is served over HTTPS (directly or behind a TLS-terminating proxy): HSTS and Secure cookies
    # (app/security/headers.py).
    TLS_ENABLED = _bool("TLS_ENABLED", False)
    SESSION_COOKIE_SECURE = _bool("SESSION_COOKIE_SECURE", False)
    # Largest JSON body the REST API reads (a larger one is answered 413 before any view runs).
    MAX_JSON_BODY_KB = int(os.environ.get("MAX_JSON_BODY_KB", "1024"))
    # Longest text the API accepts in a field with no length of its own (the forms' limit for long text).
    MAX_TEXT_CHARS = int(os.environ.get("MAX_TEXT_CHARS", "4000"))

    # A party-relation transfer whose letter stays unanswered longer than this is flagged as stalled
    # (推诿扯皮/拒转拒收) for the organization department.
    PARTY_STALL_DAYS = int(os.environ.get("PARTY_STALL_DAYS", "30"))

    # Supervision (policy 四): work whose deadline is this many days away or fewer shows blue.
    DEADLINE_WARN_DAYS = int(os.environ.get("DEADLINE_WARN_DAYS", "7"))
    # Monthly reports (policy 四（六）: 从7月起……每月10日前报送): the first month whose report is due, the day of
    # the month it is due on (inclusive), the kinds of unit that report (see app/monthly/rules.py
    # reporting_units) and the longest narrative part.
    MONTHLY_REPORT_START = os.environ.get("MONTHLY_REPORT_START", "2020-07")
    # The last month whose report is due (YYYY-MM): reporting ends with the campaign. Empty: no end.
    MONTHLY_REPORT_END = os.environ.get("MONTHLY_REPORT_END", "")
    # Policy 四(五): the yearly service funding per retiree under management (yuan), city and county shares together.
    FUNDING_QUOTA_PER_RETIREE = os.environ.get("FUNDING_QUOTA_PER_RETIREE", "600")
    MONTHLY_REPORT_DUE_DAY = int(os.environ.get("MONTHLY_REPORT_DUE_DAY", "10"))
    MONTHLY_REPORT_KINDS = tuple(
        k.strip() for k in os.environ.get("MONTHLY_REPORT_KINDS", "department,county").split(",") if k.strip())
    MONTHLY_REPORT_MAX_CHARS = int(os.environ.get("MONTHLY_REPORT_MAX_CHARS", "2000"))
    # Community services (app/community, issue 14): the eligibility-certification cycle, the working days a
    # one-window request is promised in, and the public self-check page's limits and access-code validity.
    # SERVICE_CLAIM_STEP_DAYS ({step: days}) and SERVICE_EXTRA_ROUND_KINDS ({code: {"zh", "bo"}}) may be set
    # in a config object; app/community/rules.py holds their defaults.
    SERVICE_CERT_CYCLE_MONTHS = int(os.environ.get("SERVICE_CERT_CYCLE_MONTHS", "12"))
    SERVICE_REQUEST_WORKING_DAYS = int(os.environ.get("SERVICE_REQUEST_WORKING_DAYS", "5"))
    SELF_CHECK_RATE_LIMIT = os.environ.get("SELF_CHECK_RATE_LIMIT", "10/10minute")
    SELF_CHECK_RATE_LIMIT_PER_ID = os.environ.get("SELF_CHECK_RATE_LIMIT_PER_ID", "5/hour")
    SELF_CHECK_CODE_DAYS = int(os.environ.get("SELF_CHECK_CODE_DAYS", "90"))
    # The most rows one export may hold (0 = no limit); over it, the user is told before the export starts.
    EXPORT_MAX_ROWS = int(os.environ.get("EXPORT_MAX_ROWS", "0"))
    # Implementation plans and evidence files: the largest accepted upload.
    MAX_DOCUMENT_MB = int(os.environ.get("MAX_DOCUMENT_MB", "20"))
    # E-mail for notifications: sent when MAIL_SERVER is set, skipped quietly when not.
    MAIL_SERVER = os.environ.get("MAIL_SERVER", "")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME", "")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD", "")
    MAIL_USE_TLS = _bool("MAIL_USE_TLS", False)
    MAIL_FROM = os.environ.get("MAIL_FROM", "noreply@localhost")

    # Roles whose users see full resident ID numbers; others see them masked.
    FULL_ID_ROLES = ("sasac", "hrss", "orgdept", "county", "township", "community", "enterprise")


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-only-secret"
    # The suite does not follow the demo's end of the campaign that the Makefile exports for `make run`: tests
    # that need an end set it themselves.
    MONTHLY_REPORT_END = ""
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL") or os.environ.get(
        "DATABASE_URL", "sqlite://"
    )
    # Cheap hashing keeps the many logins of the suite fast; production keeps FAB's scrypt default.
    FAB_PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
