"""Page weight on a slow intranet (issue 12): the cold login page in Chromium — every byte the browser
receives (headers + bodies as sent, compressed or not) — for this code and, in the same run, for another
checkout given as a reference (default: /work/main when it exists, i.e. the code before this branch). Also
the warm reload (what a second visit costs). Writes its section of bench/RESULTS.md.

    .venv/bin/python bench/page_weight.py [REFERENCE_CHECKOUT]
"""
import datetime
import os
import pathlib
import platform
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
SECTION = "## Page weight, cold login page (issue 12)"
CHROMIUM = "/usr/bin/chromium"


def start(checkout, work):
    from tests.instances import environment, free_port, wait_for_port

    env = environment(work, DATABASE_URL=f"sqlite:///{work}/db.sqlite", UPLOAD_FOLDER=f"{work}/up")
    env["PYTHONPATH"] = str(checkout)
    subprocess.run([sys.executable, "-m", "flask", "db", "upgrade"], cwd=checkout, env=env, check=True,
                   capture_output=True)
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}",
                                "app:create_app()"], cwd=checkout, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    wait_for_port(port, process)
    return process, f"http://127.0.0.1:{port}"


def weigh(browser, base, lang):
    context = browser.new_context()
    page = context.new_page()
    responses = []
    page.on("requestfinished", lambda request: responses.append(request))
    if lang != "zh":  # the language choice without loading a page (the cache stays empty)
        context.request.get(f"{base}/lang/{lang}", max_redirects=0)
    responses.clear()
    page.goto(f"{base}/login/", wait_until="networkidle")
    page.evaluate("document.fonts.ready")
    cold = _total(responses)
    fonts = sorted({r.url.split("/")[-1].split("?")[0] for r in responses if r.resource_type == "font"})
    responses.clear()
    page.reload(wait_until="networkidle")
    warm = _total(responses)
    context.close()
    return cold, warm, fonts


def _total(requests):
    total = count = 0
    for request in requests:
        sizes = request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        count += 1
    return total, count


def main():
    from playwright.sync_api import sync_playwright

    reference = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path("/work/main")
    checkouts = [("this branch", ROOT)] + ([("reference (" + str(reference) + ")", reference)]
                                            if (reference / "app").exists() and reference != ROOT else [])
    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        for label, checkout in checkouts:
            with tempfile.TemporaryDirectory() as work:
                process, base = start(checkout, work)
                try:
                    for lang in ("zh", "bo"):
                        cold, warm, fonts = weigh(browser, base, lang)
                        results.append((label, lang, cold, warm, fonts))
                        print(label, lang, cold, warm, fonts)
                finally:
                    process.terminate()
                    process.wait(10)
        browser.close()
    lines = [SECTION, "",
             f"Run {datetime.datetime.now():%Y-%m-%d %H:%M} on {platform.machine()}, Chromium (Debian) through "
             "Playwright, a new browser context per row (empty cache), gunicorn on loopback; bytes = response "
             "headers + bodies as sent (`bench/page_weight.py`). Warm = reloading the same page afterwards.", "",
             "| code | page language | cold: requests | cold: KB | warm reload: requests | warm: KB | fonts fetched |",
             "|---|---|---:|---:|---:|---:|---|"]
    for label, lang, (cold, n), (warm, wn), fonts in results:
        lines.append(f"| {label} | {lang} | {n} | {cold / 1024:.0f} | {wn} | {warm / 1024:.0f} | "
                     f"{', '.join(fonts) or '—'} |")
    lines += ["", "- static URLs carry `?v=<hash>` and are cached a year (`immutable`): the warm reload fetches "
              "the page itself only; pages, CSS and JS are sent brotli-compressed; the Tibetan font is a "
              "Tibetan-block WOFF2 that a page fetches only when it shows Tibetan (unicode-range) — every page does, if only in the navbar's language switch (བོད་ཡིག), so it is fetched once and then cached a year."]
    _write_section(lines)


def _write_section(lines):
    results = ROOT / "bench" / "RESULTS.md"
    text = results.read_text() if results.exists() else "# Benchmark results\n"
    start = text.find(SECTION)
    if start >= 0:
        end = text.find("\n## ", start + 1)
        text = text[:start] + (text[end + 1:] if end >= 0 else "")
    results.write_text(text.rstrip() + "\n\n" + "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
