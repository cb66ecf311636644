"""The reference of DESIGN.md §6: a stock FAB 5.3 app (stock security manager, stock ModelView) over the
same database file, listing the same county's retirees. Run by bench/run.py in its own process (FAB's
AppBuilder is one per process); prints one JSON line: median ms and statements per page."""
import json
import re
import statistics
import sys
import time

from flask import Flask
from flask_appbuilder import AppBuilder, ModelView
from flask_appbuilder.models.sqla.base import SQLA
from flask_appbuilder.models.sqla.filters import FilterEqual
from flask_appbuilder.models.sqla.interface import SQLAInterface
from sqlalchemy import event, select


def build(db_path, county_code):
    """The plain FAB app over the file: (flask app, statement counter [n])."""
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    from app.org.models import Organization
    from app.retirees.models import Retiree

    flask_app = Flask("plain")
    flask_app.config.update(SQLALCHEMY_DATABASE_URI=f"sqlite:///{db_path}", SECRET_KEY="bench",
                            WTF_CSRF_ENABLED=False, FAB_UPDATE_PERMS=True, AUTH_ROLE_ADMIN="PlainAdmin")
    db = SQLA()
    db.init_app(flask_app)
    with flask_app.app_context():
        county_id = db.session.scalar(select(Organization.id).where(Organization.code == county_code))

        class PlainRetireeView(ModelView):
            datamodel = SQLAInterface(Retiree)
            page_size = 25
            list_columns = ["name_zh", "gender", "resident_id", "enterprise", "category", "retirement_date",
                            "receiving_county", "party_member"]
            search_columns = ["name_zh", "resident_id", "enterprise", "receiving_county"]
            base_order = ("id", "asc")
            base_filters = [["receiving_county_id", FilterEqual, county_id]]

        appbuilder = AppBuilder()
        appbuilder.init_app(flask_app, db.session)
        appbuilder.add_view(PlainRetireeView, "Plain retirees", category="Plain")
        appbuilder.add_permissions(update_perms=True)
        sm = appbuilder.sm
        admin = sm.find_role("PlainAdmin")
        if sm.find_user(username="plainadmin") is None:
            sm.add_user("plainadmin", "plain", "admin", "plainadmin@bench.local", admin, "plain-pass")
        db.session.commit()
        counter = [0]
        event.listen(db.engine, "before_cursor_execute", lambda *a: counter.__setitem__(0, counter[0] + 1))
    return flask_app, counter


def create():
    """WSGI factory for a server (bench/paired.py): `gunicorn 'plain_fab:create()'` with BENCH_DB and
    BENCH_COUNTY in the environment."""
    import os

    return build(os.environ["BENCH_DB"], os.environ.get("BENCH_COUNTY", "540502"))[0]


def main(db_path, county_code, repeat):
    flask_app, counter = build(db_path, county_code)
    client = flask_app.test_client()
    client.post("/login/", data={"username": "plainadmin", "password": "plain-pass"})
    url = "/plainretireeview/list/"
    assert client.get(url).status_code == 200
    times, statements = [], []
    for _ in range(repeat):
        before = counter[0]
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        statements.append(counter[0] - before)
        assert response.status_code == 200
    rows = len(re.findall(r"/show/\d+", response.get_data(as_text=True)))
    print(json.dumps({"median_ms": statistics.median(times), "statements": max(statements), "rows": rows}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
