"""Ledger list/search benchmark (DESIGN.md §6): the scoped ledger page beside a plain FAB 5.3 ModelView over
the same 100,000 rows, both scoped to one county, in the same run. Writes bench/RESULTS.md.

    make bench        (or: .venv/bin/python bench/run.py [N])
"""
import datetime
import pathlib
import platform
import resource
import statistics
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import OUT, PASSWORD, bench_config, generate  # noqa: E402

REPEAT = 40


class StatementCounter:
    def __init__(self, engine):
        from sqlalchemy import event

        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args):
        self.count += 1


def plain_fab_reference(db_path):
    """Stock FAB over the same file, in its own process (see plain_fab.py)."""
    import json
    import subprocess

    out = subprocess.run([sys.executable, str(ROOT / "bench" / "plain_fab.py"), str(db_path), "540502",
                          str(REPEAT)], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def timed(client, counter, url):
    times, statements = [], []
    client.get(url)  # warm-up
    for _ in range(REPEAT):
        before = counter.count
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        statements.append(counter.count - before)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), max(statements)


def main():
    from sqlalchemy import select, text

    from app import create_app
    from app.extensions import db
    from app.retirees.models import Retiree

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    db_path = OUT / "bench.db"
    OUT.mkdir(parents=True, exist_ok=True)
    if not db_path.exists():
        generate(n, db_path)
    plain = plain_fab_reference(db_path.resolve())
    app = create_app(bench_config(db_path))
    with app.app_context():
        counter = StatementCounter(db.engine)
        total = db.session.scalar(select(db.func.count(Retiree.id)))
        sample = db.session.scalars(select(Retiree).where(Retiree.receiving_county_id.isnot(None))
                                    .order_by(Retiree.id.desc()).limit(1)).one()
        plan = db.session.execute(text("EXPLAIN QUERY PLAN SELECT id FROM retiree WHERE resident_id = :r"),
                                  {"r": sample.resident_id}).all()
        db.session.remove()

    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    import re

    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login/", data={"username": "county1", "password": PASSWORD, "csrf_token": token})

    rows = []
    scoped_ms, scoped_sql = timed(client, counter, "/retirees/list/")
    plain_ms, plain_sql = plain["median_ms"], plain["statements"]
    id_ms, id_sql = timed(client, counter, f"/retirees/list/?_flt_3_resident_id={sample.resident_id}")
    name_ms, name_sql = timed(client, counter, "/retirees/list/?_flt_2_name_zh=测试99")
    api_ms, api_sql = timed(client, counter, "/api/v1/retiree/?q=(page:0,page_size:25)")
    rows += [
        ("ledger list page, county1 (scoped), 25 rows", scoped_ms, scoped_sql),
        ("stock FAB 5.3 ModelView list (own process), same county, 25 rows", plain_ms, plain_sql),
        ("search by resident ID (equal)", id_ms, id_sql),
        ("search by name (contains)", name_ms, name_sql),
        ("REST list, 25 rows", api_ms, api_sql),
    ]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    ratio = scoped_ms / plain_ms
    verdict = [
        f"- ledger/plain median ratio: **{ratio:.2f}** (budget ≤ 0.5) — {'met' if ratio <= 0.5 else 'NOT met'}",
        f"- SQL statements per ledger list page: **{scoped_sql}** (budget ≤ 6) — "
        f"{'met' if scoped_sql <= 6 else 'NOT met'}",
        f"- name search: **{name_ms:.1f} ms** (budget < 60 ms) — {'met' if name_ms < 60 else 'NOT met'}",
        f"- resident-ID search plan: `{' / '.join(str(r[-1]) for r in plan)}`",
        f"- peak memory of the benchmark process (one worker): **{peak_mb:.0f} MB**",
    ]
    lines = [
        "## Ledger list and search (issue 2)",
        "",
        f"Run {datetime.datetime.now():%Y-%m-%d %H:%M} on {platform.machine()}, Python {platform.python_version()}, "
        f"SQLite, {total:,} retirees, {REPEAT} requests each after one warm-up, through the Flask test client "
        "(no network), logged in as `county1` (乃东区).",
        "",
        "| page | median ms | SQL statements |",
        "|---|---:|---:|",
        *[f"| {name} | {ms:.1f} | {sql} |" for name, ms, sql in rows],
        "",
        *verdict,
        "",
    ]
    results = ROOT / "bench" / "RESULTS.md"
    header = "# Benchmark results\n\nWritten by the scripts in `bench/`; each section is replaced by its script.\n\n"
    text_now = results.read_text() if results.exists() else header
    start = text_now.find("## Ledger list and search (issue 2)")
    if start >= 0:
        end = text_now.find("\n## ", start + 1)
        text_now = text_now[:start] + text_now[end + 1:] if end >= 0 else text_now[:start]
    results.write_text(text_now.rstrip() + "\n\n" + "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
