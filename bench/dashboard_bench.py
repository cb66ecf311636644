"""Dashboard and summary-PDF benchmark (issue 6): the city dashboard (SASAC) and one county's, and the summary
PDF, on the demo data and on 100,000 retirees (SQLite). Writes its section of bench/RESULTS.md.

    .venv/bin/python bench/dashboard_bench.py

On PostgreSQL (the 100,000-retiree SQLite database copied by bench/copy_to_postgres.py; prints the figures,
does not write RESULTS.md):

    .venv/bin/python bench/dashboard_bench.py --url postgresql+psycopg://postgres@127.0.0.1:5432/bench_dash
"""
import datetime
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SECTION = "## Dashboard and summary PDF (issue 6)"


def measure(size, url=None):
    """Run in a child process per database size (FAB's AppBuilder is one per process); `url`: measure an
    existing database instead of generating one."""
    from generate import OUT, PASSWORD, bench_config, generate

    if url:
        from app import create_app

        config = bench_config(OUT / "unused.db")
        config.SQLALCHEMY_DATABASE_URI = url
        app = create_app(config)
    else:
        app = generate(size, OUT / f"dashboard-{size}.db")
    client = app.test_client()
    page = client.get("/login/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    results = {}
    for user in ("sasac", "county1"):
        client.get("/logout/")
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                          client.get("/login/").get_data(as_text=True)).group(1)
        client.post("/login/", data={"username": user, "password": PASSWORD, "csrf_token": token})
        client.get("/lang/zh")
        client.get("/")
        times = []
        for _ in range(10):
            start = time.perf_counter()
            assert client.get("/").status_code == 200
            times.append((time.perf_counter() - start) * 1000)
        results[f"dashboard_{user}"] = statistics.median(times)
        # the first view after a change of the data computes the figures afresh
        from app.handover.stats import forget_cached_figures

        times = []
        for _ in range(3):
            forget_cached_figures()
            start = time.perf_counter()
            assert client.get("/").status_code == 200
            times.append((time.perf_counter() - start) * 1000)
        results[f"dashboard_{user}_cold"] = statistics.median(times)
    client.get("/logout/")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', client.get("/login/").get_data(as_text=True)).group(1)
    client.post("/login/", data={"username": "sasac", "password": PASSWORD, "csrf_token": token})
    for lang in ("zh", "both"):
        start = time.perf_counter()
        response = client.get(f"/reports/summary.pdf?lang={lang}")
        results[f"pdf_{lang}"] = time.perf_counter() - start
        assert response.status_code == 200
    print(repr(results))


def main():
    from app.pdf import harfbuzz_subsetting

    rows = []
    for size in (965, 100_000):
        out = subprocess.run([sys.executable, __file__, "--child", str(size)], capture_output=True, text=True,
                             check=True).stdout
        rows.append((size, eval(out.strip().splitlines()[-1])))
    demo, big = rows[0][1], rows[1][1]
    lines = [
        SECTION, "",
        f"Run {datetime.datetime.now():%Y-%m-%d %H:%M} on {platform.machine()}, Python {platform.python_version()}, "
        f"SQLite; HarfBuzz font subsetting (libharfbuzz-subset) {'present' if harfbuzz_subsetting() else 'absent'}. "
        "Dashboard: median of 10 requests after one warm-up (figures cached until the data changes, "
        "app/handover/stats.py) and median of 3 with the cache emptied before each; PDF: one request, wall time.", "",
        "| | demo (965 retirees) | 100,000 retirees |", "|---|---:|---:|",
        f"| dashboard, SASAC (whole city) | {demo['dashboard_sasac']:.0f} ms | {big['dashboard_sasac']:.0f} ms |",
        f"| dashboard, county1 | {demo['dashboard_county1']:.0f} ms | {big['dashboard_county1']:.0f} ms |",
        f"| dashboard, SASAC, first view after a change (figures recomputed) | {demo['dashboard_sasac_cold']:.0f} ms "
        f"| {big['dashboard_sasac_cold']:.0f} ms |",
        f"| dashboard, county1, first view after a change | {demo['dashboard_county1_cold']:.0f} ms "
        f"| {big['dashboard_county1_cold']:.0f} ms |",
        f"| summary PDF, zh | {demo['pdf_zh']:.1f} s | {big['pdf_zh']:.1f} s |",
        f"| summary PDF, both languages | {demo['pdf_both']:.1f} s | {big['pdf_both']:.1f} s |", "",
        f"- dashboard at 100,000 ≤ 300 ms: {'met' if big['dashboard_sasac'] <= 300 else 'NOT met'} "
        f"(first view after a change: {'met' if big['dashboard_sasac_cold'] <= 300 else 'NOT met'}); "
        f"summary PDF on demo data ≤ 3 s: {'met' if max(demo['pdf_zh'], demo['pdf_both']) <= 3 else 'NOT met'}; "
        f"at 100,000 ≤ 15 s: {'met' if max(big['pdf_zh'], big['pdf_both']) <= 15 else 'NOT met'}",
    ]
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + (text[end + 1:] if end >= 0 else "")
    results.write_text(text.rstrip() + "\n\n" + "\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        measure(int(sys.argv[2]))
    elif len(sys.argv) > 2 and sys.argv[1] == "--url":
        measure(None, sys.argv[2])
    else:
        main()
