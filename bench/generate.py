"""Build bench/out/bench.db: the demo city with N retirees (default 100,000), through the real migrations.

    .venv/bin/python bench/generate.py [N]
"""
import datetime
import pathlib
import random
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))
PASSWORD = "Bench-Pass-2020"


def bench_config(db_path):
    from config import TestConfig

    class BenchConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{db_path}"
        TESTING = False

    return BenchConfig


def generate(n, db_path):
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from app import create_app
    from app.demo.data import COUNTIES
    from app.demo.seed import seed_demo
    from app.extensions import db
    from app.org.models import Organization
    from app.retirees import idcard
    from app.retirees.models import Retiree
    from app.security.sync import sync_roles

    db_path.parent.mkdir(parents=True, exist_ok=True)
    if db_path.exists():
        db_path.unlink()
    app = create_app(bench_config(db_path))
    with app.app_context():
        upgrade()
        sync_roles(app.appbuilder)
        seed_demo(PASSWORD)  # 965 demo retirees, orgs and accounts
        orgs = db.session.scalars(select(Organization)).all()
        enterprises = [o.id for o in orgs if o.kind == "enterprise"]
        counties = {o.code: o.id for o in orgs if o.kind == "county"}
        rng = random.Random(7)
        used = set(db.session.scalars(select(Retiree.resident_id)))
        rows, total = [], 965
        while total < n:
            county_code = rng.choice([c[0] for c in COUNTIES])
            male = rng.random() < 0.55
            born = datetime.date(rng.randint(1930, 1968), rng.randint(1, 12), rng.randint(1, 28))
            number = idcard.make(county_code, born, rng.randint(0, 999), male)
            if number in used:
                continue
            used.add(number)
            rows.append(dict(
                enterprise_id=rng.choice(enterprises), name_zh=f"测试{total}", name_bo=f"ཚོད་ལྟ{total}",
                gender="M" if male else "F", ethnicity="tibetan", resident_id=number, birth_date=born,
                retirement_date=born.replace(year=born.year + 55), category="in_region",
                receiving_county_id=counties[county_code], insured_county_id=counties[county_code],
                is_lixiu=False, party_member=rng.random() < 0.38, leader_cadre=False, special_unit=False,
                pension_source="basic_insurance", medical_local=True, deceased=False,
                created_on=datetime.datetime(2020, 6, 30), changed_on=datetime.datetime(2020, 6, 30)))
            total += 1
            if len(rows) == 5000:
                db.session.execute(insert(Retiree), rows)
                rows = []
        if rows:
            db.session.execute(insert(Retiree), rows)
        db.session.commit()
        add_handover_rows(db)
    return app


def add_handover_rows(db):
    """A checklist for every bulk-inserted retiree in the flow, in plain SQL (SQLite): a third received at
    some month of 2020, half of the rest in progress, so that every dashboard figure has rows behind it."""
    from sqlalchemy import text

    from app.handover.models import Stream

    db.session.execute(text("""
        INSERT INTO handover_case (retiree_id, enterprise_id, receiving_county_id, receiving_township_id,
                                   receiving_community_id, liaison_office_id, created_on, received_on)
        SELECT id, enterprise_id, receiving_county_id, receiving_township_id, receiving_community_id,
               liaison_office_id, '2020-06-30 00:00:00',
               CASE WHEN id % 3 = 0 THEN datetime('2020-01-15', '+' || (id % 12) || ' months') END
        FROM retiree
        WHERE is_lixiu = 0 AND deceased = 0 AND id NOT IN (SELECT retiree_id FROM handover_case)"""))
    for stream in Stream.ORDER:
        db.session.execute(text("""
            INSERT INTO handover_item (case_id, stream, state, responsible)
            SELECT c.id, :stream,
                   CASE WHEN c.received_on IS NOT NULL THEN 'done'
                        WHEN c.id % 2 = 0 THEN 'in_progress' ELSE 'not_started' END, 'enterprise'
            FROM handover_case c
            WHERE NOT EXISTS (SELECT 1 FROM handover_item i WHERE i.case_id = c.id AND i.stream = :stream)"""),
                           {"stream": stream})
    from app.handover.services import refresh_all_summaries

    refresh_all_summaries(db.session)  # the rows above bypassed the ORM that keeps each case's summary
    db.session.commit()


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    generate(n, OUT / "bench.db")
    print(f"bench/out/bench.db: {n} retirees")
