"""One application and one database per test session, built the way production builds it: Alembic
migrations from empty, `sync-roles`, `seed-demo`. Runs against SQLite by default and against PostgreSQL
when DATABASE_URL points there (as .ci/run does)."""
import os
import re

import pytest
from sqlalchemy import text

from config import TestConfig

PASSWORD = "Test-Pass-2020"


def _reset_database(engine):
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"

    class Config(TestConfig):
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_FOLDER = str(tmp_path_factory.mktemp("uploads"))

    from flask_migrate import upgrade

    from app import create_app
    from app.demo.seed import seed_demo
    from app.extensions import db
    from app.security.sync import sync_roles

    application = create_app(Config)
    with application.app_context():
        _reset_database(db.engine)
        upgrade()
        sync_roles(application.appbuilder)
        seed_demo(PASSWORD)
        db.session.remove()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db_session(app):
    from app.extensions import db

    with app.app_context():
        yield db.session
        db.session.rollback()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def csrf_token(client, url="/login/"):
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def session_csrf(client):
    """A CSRF token of the logged-in session (every user may open the change-my-password form)."""
    return csrf_token(client, "/resetmypassword/form")


def logout(client):
    """Log out the way the navbar does: a POST with the session's CSRF token (a GET logs nobody out)."""
    with client.session_transaction() as sess:
        logged_in = "_user_id" in sess
    if logged_in:
        token = session_csrf(client)
        client.post("/logout/", data={"csrf_token": token})


def login(client, username, password=PASSWORD, lang=None):
    logout(client)
    token = csrf_token(client)
    response = client.post("/login/", data={"username": username, "password": password, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    if lang:
        client.get(f"/lang/{lang}")
    return client


@pytest.fixture
def as_user(app):
    """as_user("county1", lang="bo") -> a logged-in test client (Chinese unless told otherwise: the
    language choice sticks to the user, so tests never rely on what an earlier test left)."""

    def _make(username, lang="zh"):
        return login(app.test_client(), username, lang=lang)

    return _make


@pytest.fixture
def cleanup_retirees(app):
    """Delete retirees a test created (ids above the highest one before the test), audit rows kept."""
    from app.extensions import db
    from app.retirees.models import Retiree

    with app.app_context():
        top = db.session.query(db.func.max(Retiree.id)).scalar() or 0
        db.session.remove()
    yield
    with app.app_context():
        # the rows that follow a retiree go first (a bulk delete passes neither ORM events nor, on SQLite,
        # ON DELETE CASCADE)
        from app.archives.models import ArchiveTransfer
        from app.handover.models import HandoverCase, HandoverItem
        from app.party.models import PartyTransfer

        cases = db.session.query(HandoverCase.id).filter(HandoverCase.retiree_id > top)
        db.session.query(HandoverItem).filter(HandoverItem.case_id.in_(cases.scalar_subquery())).delete(
            synchronize_session=False)
        for model in (HandoverCase, PartyTransfer, ArchiveTransfer):
            db.session.query(model).filter(model.retiree_id > top).delete(synchronize_session=False)
        db.session.query(Retiree).filter(Retiree.id > top).delete()
        db.session.commit()
        db.session.remove()


def count_rows(app, model=None, *where):
    """Rows of `model` (default: retirees) matching `where`, read in a fresh session."""
    from sqlalchemy import func, select

    from app.extensions import db
    from app.retirees.models import Retiree

    model = model or Retiree
    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(model).where(*where))
        db.session.remove()
        return n


def org_id(app, code):
    from sqlalchemy import select

    from app.extensions import db
    from app.org.models import Organization

    with app.app_context():
        value = db.session.scalar(select(Organization.id).where(Organization.code == code))
        db.session.remove()
        return value
