"""Copy the 100,000-retiree SQLite database of bench/dashboard_bench.py (bench/out/dashboard-100000.db) into
a PostgreSQL database built by the migrations (its schema is dropped first), for the PostgreSQL dashboard run:

    psql -h 127.0.0.1 -U postgres -c 'create database bench_dash'
    .venv/bin/python bench/copy_to_postgres.py postgresql+psycopg://postgres@127.0.0.1:5432/bench_dash
"""
import sys, pathlib, time
ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from sqlalchemy import create_engine, MetaData, select, text, insert
from config import TestConfig
PG = sys.argv[1] if len(sys.argv) > 1 else "postgresql+psycopg://postgres@127.0.0.1:5432/bench_dash"
class C(TestConfig):
    SQLALCHEMY_DATABASE_URI = PG
    TESTING = False
from app import create_app
from app.extensions import db
from flask_migrate import upgrade
app = create_app(C)
with app.app_context():
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE")); conn.execute(text("CREATE SCHEMA public"))
    upgrade()
    db.session.remove()
src = create_engine(f"sqlite:///{ROOT / 'bench' / 'out' / 'dashboard-100000.db'}")
dst = create_engine(PG)
md = MetaData(); md.reflect(src)
dmd = MetaData(); dmd.reflect(dst)
with src.connect() as s, dst.begin() as d:
    d.execute(text("SET session_replication_role = replica"))
    for t in md.sorted_tables:
        if t.name not in dmd.tables or t.name == "alembic_version":
            continue
        rows = [dict(r._mapping) for r in s.execute(select(t))]
        dt = dmd.tables[t.name]
        for col in dt.columns:  # sqlite booleans come back as int
            if str(col.type) == "BOOLEAN":
                for r in rows:
                    if r.get(col.name) is not None: r[col.name] = bool(r[col.name])
        for i in range(0, len(rows), 5000):
            d.execute(insert(dt), rows[i:i+5000])
        if rows and "id" in dt.c:
            d.execute(text(f"SELECT setval(pg_get_serial_sequence('{t.name}', 'id'), (SELECT max(id) FROM {t.name}))"))
        print(t.name, len(rows))
    d.execute(text("ANALYZE"))
