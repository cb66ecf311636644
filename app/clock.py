"""The application's one clock. Deadlines in the policy are calendar dates in Shannan (Asia/Shanghai), so
"today" is the local date there, whatever the server's time zone; tests freeze it with `frozen()`."""
import contextlib
import datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")
_frozen_at = None


def now():
    """The current time, aware, in Asia/Shanghai."""
    if _frozen_at is not None:
        return _frozen_at
    return datetime.datetime.now(TZ)


def today():
    return now().date()


def utcnow():
    """Naive UTC, the form the database columns hold (as the audit log does)."""
    return now().astimezone(datetime.timezone.utc).replace(tzinfo=None)


@contextlib.contextmanager
def frozen(at):
    """Freeze the clock at `at` (a date: its noon in Shannan; a naive datetime: read as Shannan time)."""
    global _frozen_at
    if isinstance(at, datetime.datetime):
        value = at if at.tzinfo else at.replace(tzinfo=TZ)
    else:
        value = datetime.datetime.combine(at, datetime.time(12), TZ)
    previous, _frozen_at = _frozen_at, value.astimezone(TZ)
    try:
        yield _frozen_at
    finally:
        _frozen_at = previous
