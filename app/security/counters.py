"""Shared counters for login failures, lockouts, throttles and summarised audit tallies.

Every worker of every app server must agree on how many times a password was guessed, so the counters live
in shared storage: the database (table `security_counter`) by default, Redis when `REDIS_URL` is configured.
A counter is a fixed window: the first `incr` starts it with a time to live, later ones add to it until it
expires. The interface is three functions, the same for both backends:

    incr(key, seconds) -> the count after this hit (a new window of `seconds` if none was running)
    get(key) -> the current count (0 when none or expired)
    reset(key)
"""
import datetime

from flask import current_app

PREFIX = "shannan:"


def _utcnow():
    return datetime.datetime.utcnow()


class DatabaseCounters:
    """Counters in the table `security_counter`: one upsert per hit, in the caller's session, committed."""

    def __init__(self, session=None):
        self._session = session

    @property
    def session(self):
        if self._session is not None:
            return self._session
        from app.extensions import db

        return db.session

    def incr(self, key, seconds):
        from sqlalchemy import case, literal

        from app.security.models import SecurityCounter

        table = SecurityCounter.__table__
        now = _utcnow()
        expires = now + datetime.timedelta(seconds=seconds)
        dialect = self.session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        stmt = insert(table).values(key=key, count=1, expires_at=expires)
        expired = table.c.expires_at <= literal(now)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.key],
            set_={"count": case((expired, 1), else_=table.c.count + 1),
                  "expires_at": case((expired, expires), else_=table.c.expires_at)},
        ).returning(table.c.count)
        count = self.session.execute(stmt).scalar_one()
        self.session.commit()
        return count

    def get(self, key):
        from sqlalchemy import select

        from app.security.models import SecurityCounter

        table = SecurityCounter.__table__
        value = self.session.execute(
            select(table.c.count).where(table.c.key == key, table.c.expires_at > _utcnow())).scalar()
        return value or 0

    def reset(self, key):
        from app.security.models import SecurityCounter

        self.session.execute(SecurityCounter.__table__.delete().where(SecurityCounter.__table__.c.key == key))
        self.session.commit()

    def purge_expired(self):
        from app.security.models import SecurityCounter

        table = SecurityCounter.__table__
        result = self.session.execute(table.delete().where(table.c.expires_at <= _utcnow()))
        self.session.commit()
        return result.rowcount

    def clear(self):
        """Every counter (tests)."""
        from app.security.models import SecurityCounter

        self.session.execute(SecurityCounter.__table__.delete())
        self.session.commit()


class RedisCounters:
    """Counters in Redis: INCR on a key that gets its time to live when created (SET NX EX)."""

    def __init__(self, url):
        import redis

        self.client = redis.Redis.from_url(url)

    def incr(self, key, seconds):
        pipe = self.client.pipeline(transaction=True)
        pipe.set(PREFIX + key, 0, ex=int(seconds), nx=True)
        pipe.incr(PREFIX + key)
        return int(pipe.execute()[1])

    def get(self, key):
        value = self.client.get(PREFIX + key)
        return int(value) if value is not None else 0

    def reset(self, key):
        self.client.delete(PREFIX + key)

    def purge_expired(self):
        return 0  # Redis expires keys itself

    def clear(self):
        """Every counter of this system (tests)."""
        for key in self.client.scan_iter(match=PREFIX + "*"):
            self.client.delete(key)


_redis_by_url = {}


def counters():
    """The configured store: Redis when REDIS_URL is set, else the database."""
    url = current_app.config.get("REDIS_URL")
    if url:
        if url not in _redis_by_url:
            _redis_by_url[url] = RedisCounters(url)
        return _redis_by_url[url]
    return DatabaseCounters()
