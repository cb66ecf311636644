"""Reading PDFs back as a person's tools do: poppler's pdftotext and pdffonts (Debian's poppler-utils).

Like the browser tests with Chromium, the tests install poppler-utils with apt when it is missing and they run
as root, and are skipped otherwise (a fresh machine without root has only Python and pip)."""
import os
import shutil
import subprocess

import pytest


def _ensure_poppler():
    if shutil.which("pdftotext") and shutil.which("pdffonts"):
        return
    if os.geteuid() == 0 and shutil.which("apt-get"):
        for command in (["apt-get", "install", "-y", "-q", "poppler-utils"], ["apt-get", "update", "-q"],
                        ["apt-get", "install", "-y", "-q", "poppler-utils"]):
            subprocess.run(command, capture_output=True, timeout=600)
            if shutil.which("pdftotext"):
                return
    if not shutil.which("pdftotext"):
        pytest.skip("Debian's poppler-utils is not installed and cannot be installed without root")


def pdf_text(path):
    """The PDF's text laid out as on the page (pdftotext -layout)."""
    _ensure_poppler()
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def pdffonts_output(path):
    _ensure_poppler()
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def pdf_fonts(path):
    """One list of columns per font the PDF names (pdffonts, header lines dropped)."""
    return [line.split() for line in pdffonts_output(path).splitlines()[2:]]
