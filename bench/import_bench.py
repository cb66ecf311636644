"""Roster import benchmark (issues 3 and 10): a 10,000-row XLSX read, validated (preview) and committed on SQLite,
as the web import does it — through the ledger's write service, which also writes each retiree's checklist, party
and archive transfers and every audit row. Writes its section of bench/RESULTS.md.

    .venv/bin/python bench/import_bench.py [ROWS]
"""
import datetime
import os
import pathlib
import platform
import resource
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate import OUT, generate  # noqa: E402

SECTION = "## Roster import (issue 3)"


def cpu():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def build_file(rows):
    from tests.rosterfiles import HEADERS_ZH, workbook
    from app.retirees import idcard

    people = []
    for i in range(rows):
        born = datetime.date(1940 + i % 25, 1 + i % 12, 1 + i % 28)
        male = i % 2 == 0
        people.append({"name_zh": f"基准{i}", "name_bo": "བཀྲ་ཤིས", "gender": "男" if male else "女",
                       "ethnicity": "藏族", "resident_id": idcard.make("542221", born, (i // 300) % 1000, male),
                       "birth_date": born, "retirement_date": datetime.date(born.year + 58, 6, 30),
                       "category": "区内", "pension_source": "基本养老保险"})
    unique = {p["resident_id"]: p for p in people}
    return workbook(list(unique.values()), headers=list(HEADERS_ZH)), len(unique)


def write_section(lines):
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + (text[end + 1:] if end >= 0 else "")
    results.write_text(text.rstrip() + "\n\n" + "\n".join(lines) + "\n")


def main():
    from app.extensions import db
    from app.org.models import Organization
    from app.roster.importer import apply_import, plan_import
    from app.roster.reader import read_roster
    from app.security.scope import as_system
    from sqlalchemy import func, select

    from app.handover.models import HandoverCase
    from app.retirees.models import Retiree

    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / "import.db"
    app = generate(965, db_path)  # one app per process: FAB's AppBuilder is a singleton
    data, rows = build_file(rows)
    with app.app_context(), app.test_request_context(), as_system("bench"):
        enterprise = db.session.scalars(select(Organization).where(Organization.code == "E-S02")).one()
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        c0, t0 = cpu(), time.perf_counter()
        sheet = read_roster(data, "bench.xlsx")
        c1, t1 = cpu(), time.perf_counter()
        plan = plan_import(sheet, enterprise)
        c2, t2 = cpu(), time.perf_counter()
        assert plan.ok, plan.problems[:3]
        db.session.rollback()
        # the commit request reads and validates the stored file again, then writes
        plan = plan_import(read_roster(data, "bench.xlsx"), enterprise)
        c25, t25 = cpu(), time.perf_counter()
        apply_import(plan)
        c3, t3 = cpu(), time.perf_counter()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        checklists = db.session.scalar(select(func.count()).select_from(HandoverCase).join(
            Retiree, Retiree.id == HandoverCase.retiree_id).where(Retiree.name_zh.like("基准%")))
    total, total_cpu = t3 - t0, c3 - c0
    load = os.getloadavg()[0]
    lines = [
        SECTION, "",
        f"Run {datetime.datetime.now():%Y-%m-%d %H:%M} on {platform.machine()}, Python {platform.python_version()}, "
        f"SQLite; preview and commit as the web import runs them; one XLSX of {rows:,} new retirees ({len(data) / 1024:.0f} KB) for one enterprise, on a ledger "
        "of 965.", "",
        "| step | seconds (wall) | seconds (CPU of this process) |", "|---|---:|---:|",
        f"| read and normalize the sheet | {t1 - t0:.2f} | {c1 - c0:.2f} |",
        f"| validate every row (the preview) | {t2 - t1:.2f} | {c2 - c1:.2f} |",
        f"| commit request: read and validate again | {t25 - t2:.2f} | {c25 - c2:.2f} |",
        f"| commit request: write through the ledger's service in one transaction: retirees, checklists with "
        f"their items, party and archive transfers, audit rows | {t3 - t25:.2f} | {c3 - c25:.2f} |",
        f"| **total** | **{total:.2f}** | **{total_cpu:.2f}** |", "",
        f"- machine load average during the run: {load:.1f} on {os.cpu_count()} cores (wall time grows with it; "
        "the CPU column is this process alone)",
        f"- retirees imported with a checklist: **{checklists:,}** of {rows:,}",
        f"- throughput: **{rows / total:,.0f} rows/s** wall, {rows / total_cpu:,.0f} rows/s CPU (budget: 10,000 rows "
        f"in ≤ 10 s) — {'met' if total <= 10 else 'met in CPU time, NOT in wall time on this loaded machine' if total_cpu <= 10 else 'NOT met'}",
        "- since issue 10 the commit writes through the ledger's service: besides the 10,000 retirees it writes their "
        "10,000 checklists with 80,000 items, the party and archive transfers and their audit rows (a checklist's "
        "audit row lists its items), where the import of issue 3 wrote the retirees alone (7.97 s on a quiet machine, "
        "0 checklists); batched INSERTs through the driver (app/bulk.py) keep the write in the CPU figures above",
        f"- memory: process peak RSS **{rss_after / 1024:.0f} MB** after the import, "
        f"{rss_before / 1024:.0f} MB before it (the sheet is read row by row in openpyxl's read-only mode; "
        "the plan holds one small dict per row)",
    ]
    write_section(lines)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
