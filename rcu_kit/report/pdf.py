"""The report as one PDF: headless Chromium prints the summary, then each step's page.

The pages of a report folder are gathered into one printable document (the summary first, then
each step's content, each starting on a new page, charts drawn by the folder's plotly.js), which
Debian's Chromium prints offline (``--print-to-pdf``; every host name resolves to nothing, so the
document cannot load anything from the internet). The client's name, the report's date and the
page numbers ("3 / 12") sit in the page margins (CSS ``@page`` margin boxes, Chromium 131+).

Without Chromium there is no PDF: :func:`find_chromium` returns None and the caller says so.

Examples:
    >>> from rcu_kit.report.pdf import find_chromium, print_report  # doctest: +SKIP
    >>> print_report(folder, ["index.html", "01-customer-vision.html"], folder / "audit.pdf",
    ...              client="Maison Démo", generated="31/01/2025 10:00")  # doctest: +SKIP
    PosixPath('reports/maison-demo/20250131-101500/audit.pdf')
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Sequence

__all__ = ["CHROMIUM_NAMES", "PdfError", "find_chromium", "printable_document", "print_report"]

#: Program names tried, in order, on the PATH (the environment variable RCU_CHROMIUM, a path to
#: a Chromium or Chrome executable, comes first).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_HEAD_RE = re.compile(r"<head>(.*?)</head>", re.DOTALL | re.IGNORECASE)
_HEADER_RE = re.compile(r"<header class=\"rcu-header\">.*?</header>", re.DOTALL)
_MAIN_RE = re.compile(r"<main class=\"rcu-content\">(.*)</main>", re.DOTALL)
_BACK_LINK_RE = re.compile(r"\s*(?:&middot;|·)\s*<a [^>]*href=\"index\.html\"[^>]*>.*?</a>", re.DOTALL)
_PAGE_WIDTH_MM = 186  # A4 (210 mm) less the 12 mm side margins


class PdfError(RuntimeError):
    """Chromium could not print the report; the message says why."""


def find_chromium() -> str | None:
    """The Chromium (or Chrome) program to print with: ``$RCU_CHROMIUM``, else the first of
    :data:`CHROMIUM_NAMES` on the PATH; None when there is none."""
    given = os.environ.get("RCU_CHROMIUM")
    if given:
        return given if Path(given).exists() else shutil.which(given)
    return next((shutil.which(n) for n in CHROMIUM_NAMES if shutil.which(n)), None)


def _css_string(text: str) -> str:
    """``text`` as a CSS string literal."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _print_css(client: str, generated: str) -> str:
    return f"""
@page {{ size: A4; margin: 16mm 12mm 16mm 12mm;
  @top-left {{ content: {_css_string(client)}; font: 9pt Arial, sans-serif; color: #5f6b7a; }}
  @top-right {{ content: {_css_string(generated)}; font: 9pt Arial, sans-serif; color: #5f6b7a; }}
  @bottom-center {{ content: counter(page) " / " counter(pages); font: 9pt Arial, sans-serif;
                    color: #5f6b7a; }} }}
html, body {{ width: {_PAGE_WIDTH_MM}mm; margin: 0; }}
body.rcu {{ -webkit-print-color-adjust: exact; print-color-adjust: exact; }}
.rcu-print-section {{ break-before: page; }}
.rcu-print-section:first-child {{ break-before: auto; }}
.rcu-toc, .rcu-footer, .modebar-container, .anchor-link {{ display: none !important; }}
.rcu-layout {{ display: block; }}
.rcu-content {{ padding: 8px 0; }}
.rcu-header {{ padding: 12px 16px; }}
.rcu-charts {{ grid-template-columns: 1fr; }}
.rcu-table-wrap {{ overflow: visible; }}
/* nothing wider than the page (Chromium would shrink every page to fit the widest element) */
.rcu-content, .jp-Cell, .jp-OutputArea, .jp-OutputArea-output {{ max-width: 100%; min-width: 0; }}
.jp-RenderedHTMLCommon .rcu-table-wrap table.rcu-table .long {{ overflow-wrap: anywhere; }}
.jp-RenderedHTMLCommon .rcu-table-wrap table.rcu-table th,
.jp-RenderedHTMLCommon .rcu-table-wrap table.rcu-table td {{ padding: 0.3em 0.4em; }}
pre {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
.plotly-graph-div, .rcu-kpis, tr, img {{ break-inside: avoid; }}
h1, h2, h3 {{ break-after: avoid; }}
table {{ font-size: 7.5pt; }}
.jp-RenderedHTMLCommon table {{ font-size: 7.5pt; }}
.jp-RenderedHTMLCommon .rcu-table-wrap table.rcu-table .long {{ min-width: 8em; }}
"""


def printable_document(folder: str | Path, pages: Sequence[str | Path], *, client: str,
                       generated: str) -> str:
    """One HTML document holding ``pages`` of a report folder, each from a new page.

    Each page gives its header (title, without the link back to the summary) and its content;
    the head (styles, plotly.js) is the first step page's, or the summary's. Chart ids are made
    unique per page.

    Args:
        folder: the report folder (pages are read from it and the document refers to its files).
        pages: the pages in the order they print, names relative to ``folder``.
        client: shown in the top left margin of every page.
        generated: the report's date as shown, in the top right margin.
    """
    folder = Path(folder)
    texts = [(folder / p).read_text(encoding="utf-8") for p in pages]
    if not texts:
        raise ValueError("printable_document: no page to print")
    heads = [m.group(1) for m in (_HEAD_RE.search(t) for t in texts) if m]
    head = next((h for h in heads if "jp-" in h), heads[0] if heads else "")
    if "plotly" not in head and any("Plotly.newPlot(" in t for t in texts):
        head += '<script type="text/javascript" src="plotly.min.js"></script>'
    sections = []
    for i, text in enumerate(texts):
        header = _HEADER_RE.search(text)
        main = _MAIN_RE.search(text)
        body = (_BACK_LINK_RE.sub("", header.group(0)) if header else "") + \
            (main.group(1) if main else "")
        body = body.replace("rcu-fig-", f"rcu-fig-p{i}-")
        sections.append(f'<section class="rcu-print-section"><div class="rcu-content">{body}'
                        "</div></section>")
    return (f"<!DOCTYPE html>\n<html><head>{head}<title>{html.escape(client)}</title>"
            f"<style>{_print_css(client, generated)}</style></head>\n"
            '<body class="jp-Notebook rcu" data-jp-theme-light="true">\n'
            + "\n".join(sections) + "\n</body></html>\n")


def print_report(folder: str | Path, pages: Sequence[str | Path], out_path: str | Path, *,
                 client: str, generated: str, chromium: str | None = None,
                 timeout: float = 600) -> Path:
    """Print ``pages`` of a report folder into one PDF with headless Chromium, offline.

    Args:
        folder: the report folder.
        pages: the pages in print order (the summary first), relative to ``folder``.
        out_path: the PDF to write.
        client: the client's name, in the margin of every page.
        generated: the report's date as shown, in the margin of every page.
        chromium: the program (default: :func:`find_chromium`).
        timeout: seconds Chromium may take.

    Raises:
        PdfError: no Chromium, or it failed or wrote no PDF (its last message is given).
    """
    program = chromium or find_chromium()
    if program is None:
        raise PdfError("no Chromium found to print the PDF: install it (Debian: apt-get install "
                       "chromium) or give its path in the RCU_CHROMIUM environment variable")
    folder = Path(folder).resolve()
    out = Path(out_path).resolve()
    document = folder / ".print.html"  # beside the pages: their relative files resolve
    document.write_text(printable_document(folder, pages, client=client, generated=generated),
                        encoding="utf-8")
    out.unlink(missing_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="rcu-chromium-") as profile:
            width_px = round(_PAGE_WIDTH_MM / 25.4 * 96)
            cmd = [program, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update",
                   "--disable-sync", "--disable-dev-shm-usage", "--disable-extensions",
                   "--host-resolver-rules=MAP * ~NOTFOUND", f"--user-data-dir={profile}",
                   f"--window-size={width_px},1200", "--virtual-time-budget=30000",
                   "--no-pdf-header-footer", f"--print-to-pdf={out}", document.as_uri()]
            try:
                done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                                      errors="replace")
            except subprocess.TimeoutExpired:
                raise PdfError(f"Chromium ({program}) did not print the PDF within {timeout:g} s") \
                    from None
    finally:
        document.unlink(missing_ok=True)
    if not out.exists() or out.stat().st_size == 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise PdfError(f"Chromium ({program}) wrote no PDF (exit code {done.returncode}): {last}")
    return out
