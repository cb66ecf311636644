"""Paired rounds (issue 12): the project's ledger pages and a plain FAB 5.3 ModelView over the same SQLite file
(bench/out/bench.db, 100,000 retirees), each served by gunicorn (one sync worker each, the same settings),
measured over HTTP in the same run, round by round: in every round each page is fetched from both servers
(the order alternates), and the ratio project/plain of that round is kept. The median of the per-round
ratios is the figure (a busy machine slows both sides of a round alike). Writes its section of RESULTS.md.

    .venv/bin/python bench/paired.py [ROUNDS]
"""
import datetime
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import OUT, PASSWORD, generate  # noqa: E402

SECTION = "## Paired rounds beside plain FAB (issue 12)"
PAGES = [  # (label, project path, plain path)
    ("ledger list page 1", "/retirees/list/", "/plainretireeview/list/"),
    ("list page 200", "/retirees/list/?page_RetireeModelView=199", "/plainretireeview/list/?page_PlainRetireeView=199"),
    ("name contains", "/retirees/list/?_flt_2_name_zh=测试99", "/plainretireeview/list/?_flt_2_name_zh=测试99"),
]


def serve(args, cwd, env, work):
    from tests.instances import free_port, wait_for_port

    port = free_port()
    log = open(pathlib.Path(work) / f"{port}.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "1", "--timeout", "120", "-b",
                                f"127.0.0.1:{port}", *args], cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    wait_for_port(port, process, 120)
    return process, f"http://127.0.0.1:{port}"


def login(base, username, password, csrf=True):
    import requests

    session = requests.Session()
    data = {"username": username, "password": password}
    if csrf:
        page = session.get(f"{base}/login/", timeout=60).text
        data["csrf_token"] = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)
    response = session.post(f"{base}/login/", data=data, allow_redirects=False, timeout=60)
    assert response.status_code == 302, response.text[:300]
    return session


def fetch_ms(session, url):
    start = time.perf_counter()
    response = session.get(url, timeout=120)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, (url, response.status_code)
    return elapsed


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    db_path = (OUT / "bench.db").resolve()
    if not db_path.exists():
        generate(100_000, db_path)
    from tests.instances import environment

    with tempfile.TemporaryDirectory() as work:
        env = environment(work, DATABASE_URL=f"sqlite:///{db_path}", RATELIMIT_ENABLED="false",
                          COMPRESS_RESPONSES="false")
        project, project_url = serve(["-c", str(ROOT / "gunicorn.conf.py"), "app:create_app()"], ROOT, env, work)
        plain_env = dict(env, BENCH_DB=str(db_path), BENCH_COUNTY="540502")
        plain, plain_url = serve(["plain_fab:create()"], ROOT / "bench", plain_env, work)
        try:
            mine = login(project_url, "county1", PASSWORD)
            theirs = login(plain_url, "plainadmin", "plain-pass", csrf=False)
            results = []
            for label, mine_path, plain_path in PAGES:
                fetch_ms(mine, project_url + mine_path)
                fetch_ms(theirs, plain_url + plain_path)  # warm-up
                ratios, mine_ms, plain_ms = [], [], []
                for i in range(rounds):
                    if i % 2:
                        b = fetch_ms(theirs, plain_url + plain_path)
                        a = fetch_ms(mine, project_url + mine_path)
                    else:
                        a = fetch_ms(mine, project_url + mine_path)
                        b = fetch_ms(theirs, plain_url + plain_path)
                    mine_ms.append(a)
                    plain_ms.append(b)
                    ratios.append(a / b)
                results.append((label, statistics.median(mine_ms), statistics.median(plain_ms),
                                statistics.median(ratios), min(ratios), max(ratios)))
                print(results[-1])
        finally:
            for process in (project, plain):
                process.terminate()
                process.wait(10)
    lines = [SECTION, "",
             f"Run {datetime.datetime.now():%Y-%m-%d %H:%M} on {platform.machine()}, Python "
             f"{platform.python_version()}, SQLite `bench/out/bench.db`, {rounds} paired rounds per page over "
             "HTTP, gunicorn with one sync worker per side, compression off on both; the project as `county1` "
             "(its scope), plain FAB with a base filter on the same county. Load average at the start: "
             f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (`bench/paired.py`).", "",
             "| page | project median ms | plain FAB median ms | median of per-round ratios | min–max | budget ≤ 0.5 |",
             "|---|---:|---:|---:|---:|---|"]
    for label, a, b, ratio, low, high in results:
        lines.append(f"| {label} | {a:.1f} | {b:.1f} | {ratio:.2f} | {low:.2f}–{high:.2f} | "
                     f"{'met' if ratio <= 0.5 else 'NOT met'} |")
    lines += ["", "- the lean list rendering that the ≤ 0.5 budget needs (labels translated once per page, a "
              "compact search form, no per-row widget work) is not built yet; these rounds measure where it stands."]
    results_file = ROOT / "bench" / "RESULTS.md"
    text = results_file.read_text()
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + (text[end + 1:] if end >= 0 else "")
    results_file.write_text(text.rstrip() + "\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
