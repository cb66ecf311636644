"""SQL statements per list page (issue 12: ≤ 6 on every list, no query per row), counted on the engine for
one request after a warm-up, on bench/out/bench.db (100,000 retirees), as SASAC (the whole city) and as
county1. Writes its section of bench/RESULTS.md.

    .venv/bin/python bench/list_statements.py
"""
import datetime
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import OUT, PASSWORD, bench_config, generate  # noqa: E402

SECTION = "## SQL statements per list page (issue 12)"
LISTS = ["/retirees/list/", "/handover/list/", "/batches/list/", "/party/list/", "/party-stalled/list/",
         "/archives/list/"]


def main():
    from sqlalchemy import event

    from app import create_app
    from app.extensions import db

    db_path = OUT / "bench.db"
    if not db_path.exists():
        generate(100_000, db_path)
    app = create_app(bench_config(db_path))
    with app.app_context():
        engine = db.engine
    seen = []
    event.listen(engine, "before_cursor_execute", lambda *a: seen.append(a[2]))
    rows = []
    for user in ("sasac", "county1"):
        client = app.test_client()
        page = client.get("/login/").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*?value="([^"]+)"', page).group(1)
        client.post("/login/", data={"username": user, "password": PASSWORD, "csrf_token": token})
        for url in LISTS:
            client.get(url)
            seen.clear()
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            shown = len(re.findall(r'href="[^"]*/show/\d+', response.get_data(as_text=True)))
            rows.append((user, url, shown, len(seen)))
            print(rows[-1])
    lines = [SECTION, "",
             f"Run {datetime.datetime.now():%Y-%m-%d %H:%M}, SQLite `bench/out/bench.db`; statements of one list "
             "request after a warm-up (`bench/list_statements.py`). They include FAB's user and permission loads, "
             "the organization tree, the inbox badge and the search form's dropdowns. "
             "`tests/test_list_queries.py` checks that no list's count grows with the rows shown.", "",
             "| user | list | rows shown | statements | ≤ 6 |", "|---|---|---:|---:|---|"]
    for user, url, shown, n in rows:
        lines.append(f"| {user} | `{url}` | {shown} | {n} | {'met' if n <= 6 else 'NOT met'} |")
    lines += ["", "- before this work the handover-checklist, party and archives lists ran one query per row "
              "(34, 31, 31 statements for 25 rows); they now load the relation they show for the whole page "
              "(`ScopedInterface(..., load=...)`). The handover list's remaining two above 6 are the checklist "
              "items behind its status column and the batch dropdown of its search form; the batches list's one above 6 "
              "loads the page's cases for its size column."]
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text()
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + (text[end + 1:] if end >= 0 else "")
    results.write_text(text.rstrip() + "\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
