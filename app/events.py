"""SQLAlchemy listeners registered explicitly from the streams' init_app (never by importing a module), once per
process however many apps a process creates (tests, benchmarks)."""
from sqlalchemy import event


def listen_once(target, identifier, fn, **kwargs):
    if not event.contains(target, identifier, fn):
        event.listen(target, identifier, fn, **kwargs)
