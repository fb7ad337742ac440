"""Client audit reports: run the method's notebooks on engagements and publish them as HTML.

For each engagement, :func:`run_report` executes the notebooks 01 to 05 that exist, 04b (the
RCU prototype: golden records, borderline pairs, the preventive check) after 04 (papermill,
``engagement_path`` injected as an absolute path, and :data:`REPORT_PARAMETERS`) into ``<out_root>/<client>/<timestamp>-work/``
(consultant material: code and raw outputs, kept out of the client folder), publishes them in
``<out_root>/<client>/<timestamp>/``,
renders each as a page without code (:mod:`rcu_kit.report.html`), copies the ydata profiles and
Excel workbooks the steps saved in the engagement's output folder, and writes ``index.html``,
the executive summary (:mod:`rcu_kit.report.summary`).

Failures stop only their engagement: a source file that is missing is reported before anything
runs; a notebook that raises stops the engagement, and the error names the notebook, the cell
and the exception. What was produced until then is kept (executed notebooks in the work folder,
the pages already rendered, an ``index.html`` that shows the error) and the other
engagements still run. The ``rcu-kit report`` command (:mod:`rcu_kit.cli`) turns the results into its exit code.

Folders written for one engagement::

    reports/maison-demo/20250131-101500/        the client deliverable
        index.html                    executive summary, links to everything below
        01-customer-vision.html ...   one page per notebook, no code
        plotly.min.js                 the charting library, one copy for every page
        customer-data-audit-<client>.pdf   the summary then each page, printed (with Chromium)
        files/...                     ydata profiles (.html) and workbooks (.xlsx)
    reports/maison-demo/20250131-101500-work/   consultant material, not for the client
        *.ipynb                       the executed notebooks (code, raw outputs)

Examples:
    >>> from rcu_kit.report.run import run_report
    >>> results = run_report(["demo/engagement.yaml"])  # doctest: +SKIP
    >>> results[0].ok, results[0].index  # doctest: +SKIP
    (True, PosixPath('reports/maison-demo/20250131-101500/index.html'))
"""

from __future__ import annotations

import os
import re
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Iterator, Sequence

from tqdm.auto import tqdm
from unidecode import unidecode

from rcu_kit.core.config import ConfigError, Engagement, load_engagement
from rcu_kit.core.i18n import t
from rcu_kit.jupyter.notebook import NOTEBOOKS_DIR

__all__ = ["REPORT_NOTEBOOKS", "REPORT_PARAMETERS", "NOTEBOOKS_DIR", "NotebookRun", "EngagementReport",
           "check_sources", "report_folder", "work_folder", "run_report"]

# The method's notebooks, in the order they run and appear in the summary.
REPORT_NOTEBOOKS = ("01-customer-vision", "02-source-audit", "03-mapping-gap-analysis",
                    "04-deduplication", "04b-rcu-prototype", "05-roadmap")
#: Parameters a notebook gets in a report run besides ``engagement_path``: the RCU prototype shows
#: no review panel and draws no review sheet (a sheet holds record ids: not for the client folder).
REPORT_PARAMETERS: dict[str, dict[str, object]] = {"04b-rcu-prototype": {"show_panel": False}}
KERNEL_NAME = "python3"


@dataclass
class NotebookRun:
    """One notebook of an engagement's report.

    ``status`` is ``ok``, ``failed``, ``missing`` (the notebook does not exist yet) or ``not_run``
    (an earlier step failed).
    """

    name: str
    status: str
    ipynb: Path | None = None
    html: Path | None = None
    seconds: float = 0.0
    error: str | None = None
    redacted: int = 0
    figures: int = 0


@dataclass
class EngagementReport:
    """The outcome of one engagement: where its report is and what went wrong, if anything."""

    engagement_path: Path
    client: str | None = None
    folder: Path | None = None  # the client deliverable
    work_folder: Path | None = None  # the executed notebooks, for the consultant only
    index: Path | None = None
    notebooks: list[NotebookRun] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    sources_left_out: list[str] = field(default_factory=list)  # could not be loaded: not audited
    seconds: float = 0.0
    pdf: Path | None = None  # the report printed as one PDF (None without Chromium)

    @property
    def ok(self) -> bool:
        return self.error is None


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", unidecode(text).lower()).strip("-")
    return slug or "client"


def report_folder(out_root: str | Path, client: str, stamp: str) -> Path:
    """A new folder ``<out_root>/<client-slug>/<stamp>`` (suffixed ``-2``, ``-3`` if it or its
    work folder is taken)."""
    base = Path(out_root) / _slug(client)
    folder, i = base / stamp, 2
    while folder.exists() or work_folder(folder).exists():
        folder, i = base / f"{stamp}-{i}", i + 1
    folder.mkdir(parents=True)
    return folder


def work_folder(folder: Path) -> Path:
    """Where the executed notebooks of the report in ``folder`` go: ``<folder>-work`` beside it.

    They hold code and raw outputs for the consultant; the client folder gets only the pages.

    Examples:
        >>> work_folder(Path("reports/maison-demo/20250131-101500")).as_posix()
        'reports/maison-demo/20250131-101500-work'
    """
    return folder.with_name(f"{folder.name}-work")


def check_sources(engagement: Engagement) -> list[str]:
    """Source files that do not exist (when all are missing, no notebook can run).

    Returns:
        One message per missing file, naming the source, the resolved path and the engagement
        file; empty when every file-based source (and SQLite database) is there.
    """
    problems = []
    for source in engagement.sources:
        if source.format == "sql":
            url = source.url or ""
            if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
                path = engagement.resolve(url.removeprefix("sqlite:///"))
            else:
                continue
        else:
            path = engagement.resolve(source.path or "")
        if not path.exists():
            problems.append(f"source {source.name!r}: file not found: {path} (declared in "
                            f"{engagement.file}; fix the path or copy the extract there)")
    return problems


@contextmanager
def _plotly_mimetype_renderer() -> Iterator[None]:
    """Kernels started inside render plotly figures as JSON only (no CDN loader in outputs)."""
    old = os.environ.get("PLOTLY_RENDERER")
    os.environ["PLOTLY_RENDERER"] = "plotly_mimetype"
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PLOTLY_RENDERER", None)
        else:
            os.environ["PLOTLY_RENDERER"] = old


def _describe_failure(notebook: str, exc: BaseException) -> str:
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        first = next((line for line in (exc.source or "").splitlines() if line.strip()), "")
        return (f"notebook {notebook}.ipynb failed at cell In [{exc.exec_count}] "
                f"(`{first.strip()[:80]}`): {exc.ename}: {exc.evalue}")
    return f"notebook {notebook}.ipynb could not run: {type(exc).__name__}: {exc}"


#: Step folders of the output kept out of the client folder: the review sheets (``rcu-kit review``)
#: hold record ids and are worked on with the client's data owner, not handed over in a report.
CONSULTANT_FOLDERS = ("review",)


def _copy_artefacts(engagement: Engagement, folder: Path) -> tuple[list[dict], list[dict]]:
    """Copy the profiles (.html) and workbooks (.xlsx) of the output folder into ``files/``
    (those of :data:`CONSULTANT_FOLDERS` left out)."""
    out = engagement.output_path
    profiles, workbooks = [], []
    for pattern, bucket in (("*.html", profiles), ("*.xlsx", workbooks)):
        for src in sorted(out.rglob(pattern)):
            if not src.is_file() or src.name.startswith("~$"):
                continue
            rel = src.relative_to(out)
            if rel.parts[0] in CONSULTANT_FOLDERS:
                continue
            dest = folder / "files" / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest)
            bucket.append({"name": str(rel), "href": (Path("files") / rel).as_posix()})
    return profiles, workbooks


def _print_pdf(result: EngagementReport, engagement: Engagement, shown_date: str) -> Path | None:
    """Print the summary and the step pages into ``<folder>/<name>-<client>.pdf``; None (and a
    warning saying why) when no Chromium is found or it fails."""
    from rcu_kit.report.pdf import PdfError, find_chromium, print_report

    if find_chromium() is None:
        result.warnings.append("no PDF: no Chromium found (install it, e.g. apt-get install "
                               "chromium, or give its path in RCU_CHROMIUM)")
        return None
    lang = engagement.language
    pages = ["index.html"] + [run.html.name for run in result.notebooks if run.html is not None]
    name = f"{t('report.pdf_file', lang)}-{_slug(engagement.client)}.pdf"
    try:
        return print_report(result.folder, pages, result.folder / name, client=engagement.client,
                            generated=f"{t('report.title', lang)} · {shown_date}")
    except PdfError as exc:
        result.warnings.append(f"no PDF: {exc}")
        return None


def _report_one(path: Path, out_root: Path, notebooks: list[tuple[str, Path | None]],
                stamp: str, bar: tqdm, pdf: bool = True) -> EngagementReport:
    from papermill import execute_notebook

    from rcu_kit.values.pii_scan import find_personal_data
    from rcu_kit.report.html import PLOTLY_JS_FILE, notebook_to_html, render_index, write_plotly_js
    from rcu_kit.report.summary import collect_summary

    started = time.perf_counter()
    result = EngagementReport(engagement_path=path)
    try:
        engagement = load_engagement(path)
    except ConfigError as exc:
        result.error = str(exc)
        bar.update(len(notebooks))
        return result
    result.client = engagement.client
    lang = engagement.language
    folder = report_folder(out_root, engagement.client, stamp)
    result.folder = folder
    write_plotly_js(folder)  # one copy of the charting library for every page of the folder
    generated = datetime.now()
    shown_date = generated.strftime("%d/%m/%Y %H:%M" if lang == "fr" else "%Y-%m-%d %H:%M")

    problems = check_sources(engagement)
    if problems and len(problems) == len(engagement.sources):  # nothing to audit at all
        result.error = f"{path}: " + "; ".join(problems)
    else:  # a missing extract never stops the others: the notebooks leave it out and say so
        result.warnings += problems
    for name, source in notebooks:
        run = NotebookRun(name=name, status="missing" if source is None else "not_run")
        result.notebooks.append(run)
        if source is None or result.error:
            bar.update(1)
            continue
        bar.set_description(f"{engagement.client}: {name}")
        run.ipynb = work_folder(folder) / f"{name}.ipynb"
        run.ipynb.parent.mkdir(parents=True, exist_ok=True)
        result.work_folder = run.ipynb.parent
        t0 = time.perf_counter()
        try:
            with _plotly_mimetype_renderer():
                execute_notebook(str(source), str(run.ipynb),
                                 parameters={"engagement_path": str(path),
                                             **REPORT_PARAMETERS.get(name, {})},
                                 kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
                                 cwd=str(source.parent),
                                 # the kernel's start-up warnings are not for the consultant
                                 extra_arguments=["--IPKernelApp.log_level=ERROR"])
            run.status = "ok"
        except Exception as exc:  # noqa: BLE001 - any failure stops this engagement only
            run.status = "failed"
            run.error = _describe_failure(name, exc)
            result.error = f"{path}: {run.error}"
        run.seconds = time.perf_counter() - t0
        if run.ipynb.exists():  # a failed run keeps its partial outputs and gets a page too
            page = notebook_to_html(run.ipynb, folder / f"{name}.html",
                                    title=t(f"report.report_{name}", lang), client=engagement.client,
                                    generated=shown_date, language=lang,
                                    mask=engagement.mask_personal_data, error=run.error,
                                    plotly_src=PLOTLY_JS_FILE)
            run.html, run.redacted, run.figures = page.path, page.redacted, page.figures
            if page.redacted:
                result.warnings.append(
                    f"{name}.ipynb showed {page.redacted} unmasked e-mail/phone value(s); they were "
                    f"masked in {page.path.name}: mask them in the notebook")
        bar.update(1)

    profiles, workbooks = _copy_artefacts(engagement, folder)
    if engagement.mask_personal_data:
        for entry in profiles:
            found = find_personal_data((folder / entry["href"]).read_text(encoding="utf-8",
                                                                         errors="replace"))
            if found:
                result.warnings.append(f"{entry['name']}: {len(found)} e-mail/phone value(s) "
                                       "look unmasked in this profile")
    reports = []
    for run in result.notebooks:
        status = {"ok": None, "failed": t("report.failed", lang),
                  "missing": t("report.not_yet_available", lang),
                  "not_run": t("report.not_available", lang)}[run.status]
        reports.append({"title": t(f"report.report_{run.name}", lang),
                        "href": run.html.name if run.html else None, "status": status})
    summary = collect_summary(engagement, generated=generated)
    result.sources_left_out = summary.left_out

    def index(entries: list[dict]) -> Path:
        return render_index(summary, folder / "index.html", reports=entries, profiles=profiles,
                            workbooks=workbooks, error=result.error, plotly_src=PLOTLY_JS_FILE)

    result.index = index(reports)
    if pdf and result.error is None:  # a failed report is not one to hand over
        result.pdf = _print_pdf(result, engagement, shown_date)
        if result.pdf is not None:  # the summary links to it (the PDF printed it without)
            index([*reports, {"title": t("report.full_pdf", lang), "href": result.pdf.name,
                              "status": None}])
    result.seconds = time.perf_counter() - started
    return result


def run_report(engagement_paths: Sequence[str | Path] | str | Path, out_root: str | Path = "reports",
               progress: bool = True, notebooks_dir: str | Path | None = None,
               stamp: str | None = None, pdf: bool = True) -> list[EngagementReport]:
    """Run the method's notebooks on each engagement and publish the HTML reports.

    Args:
        engagement_paths: one or more engagement YAML files.
        out_root: the folder receiving ``<client>/<timestamp>/`` report folders.
        progress: show a progress bar (one step per notebook and engagement).
        notebooks_dir: where the notebooks ``01-customer-vision.ipynb`` ... ``05-roadmap.ipynb``
            are (default: the repository's ``notebooks/``); the ones absent are listed as not yet
            available.
        stamp: the timestamp folder name (default: now, ``YYYYmmdd-HHMMSS``).
        pdf: also print the report into one PDF (summary first, then each step) with headless
            Chromium (:mod:`rcu_kit.report.pdf`); without Chromium, a warning says there is none.

    Returns:
        One :class:`EngagementReport` per engagement, in the order given. A failing engagement
        has ``error`` set (naming the notebook, cell and exception, or the missing file) and the
        others still run.
    """
    paths = [engagement_paths] if isinstance(engagement_paths, (str, Path)) else list(engagement_paths)
    if not paths:
        raise ValueError("run_report: no engagement file given")
    folder = Path(notebooks_dir) if notebooks_dir is not None else NOTEBOOKS_DIR
    notebooks = [(name, folder / f"{name}.ipynb" if (folder / f"{name}.ipynb").exists() else None)
                 for name in REPORT_NOTEBOOKS]
    stamp = stamp or datetime.now().strftime("%Y%m%d-%H%M%S")
    out = Path(out_root).resolve()
    results = []
    with tqdm(total=len(paths) * len(notebooks), disable=not progress, unit="notebook") as bar:
        for path in paths:
            path = Path(path).expanduser().resolve()
            try:
                results.append(_report_one(path, out, notebooks, stamp, bar, pdf=pdf))
            except Exception as exc:  # noqa: BLE001 - a bug or a bad file stops this engagement only
                results.append(EngagementReport(
                    engagement_path=path,
                    error=f"{path}: the report could not be written: {type(exc).__name__}: {exc}"))
    return results
