"""HTML rendering of the client reports: executed notebooks without code, and the summary page.

Every page is self-contained and opens offline: the nbconvert template
``templates/rcu_report/`` (extending JupyterLab's) drops requirejs, MathJax, Mermaid and the
widget manager, which load from the internet, and embeds plotly.js once, from plotly's own
package. Figures saved by the notebooks as plotly JSON are turned into a ``<div>`` and a call to
``Plotly.newPlot``; plotly's own HTML outputs that would load scripts from a CDN are removed.
Outputs that a client should not see (stderr streams, widget views such as editors and progress
bars) are dropped.

When the engagement masks personal data, every output is also passed through
:func:`rcu_kit.values.pii_scan.redact_text`, a safety net: the count of values it had to mask is
reported on the page, so the faulty notebook can be fixed.

Examples:
    >>> from rcu_kit.report.html import notebook_to_html  # doctest: +SKIP
    >>> page = notebook_to_html("run/02-source-audit.ipynb", "report/02-source-audit.html",
    ...                         title="Audit des sources", client="Maison Démo",
    ...                         generated="2025-01-31 10:00", language="fr", mask=True)  # doctest: +SKIP
    >>> page.redacted, [entry.text for entry in page.toc][:2]  # doctest: +SKIP
    (0, ['Audit des sources', 'Inventaire'])
"""

from __future__ import annotations

import copy
import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import plotly.io as pio
from jinja2 import Environment, FileSystemLoader, select_autoescape
from nbconvert import HTMLExporter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

from rcu_kit.core.i18n import LANGUAGES, fmt_number, fmt_percent, labels, t
from rcu_kit.report.tables import plain_path as _plain_path
from rcu_kit.values.pii_scan import redact_json, redact_text

__all__ = ["TEMPLATES_DIR", "PLOTLY_MIME", "PLOTLY_JS_FILE", "TocEntry", "HtmlPage", "plotly_js",
           "write_plotly_js", "report_css",
           "ReportPreprocessor", "language_filter", "notebook_to_html", "render_index", "figure_div"]

#: The report templates, shipped inside the package (the nbconvert template ``rcu_report`` and the
#: summary page ``index.html.j2``).
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
#: The one copy of plotly.js of a report folder, beside its pages (:func:`write_plotly_js`).
PLOTLY_JS_FILE = "plotly.min.js"
_PLOTLY_MARKER = "/* RCU_PLOTLY_JS */"
TOC_MARKER = "<!-- RCU_TOC -->"
_EXTERNAL_SCRIPT_RE = re.compile(r"<script[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>",
                                 re.IGNORECASE)
_MODULE_IMPORT_RE = re.compile(r"<script[^>]*type=[\"']module[\"'][^>]*>\s*import\s+[\"']https?://"
                               r"[^<]*</script>", re.IGNORECASE)
_HEADING_RE = re.compile(r"<h([1-3])[^>]*\bid=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class TocEntry:
    """A heading of a report: level (1-3), anchor id and text."""

    level: int
    anchor: str
    text: str


@dataclass
class HtmlPage:
    """A report page written to ``path``."""

    path: Path
    toc: list[TocEntry] = field(default_factory=list)
    redacted: int = 0  # personal values the safety net had to mask
    figures: int = 0  # plotly figures embedded


def plotly_js() -> str:
    """The plotly.js bundle shipped inside the installed plotly package (no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def write_plotly_js(folder: str | Path) -> Path:
    """Write plotly.js once into a report folder (:data:`PLOTLY_JS_FILE`), from the installed
    plotly package: the pages of the folder load it by its relative name, offline."""
    path = Path(folder) / PLOTLY_JS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(plotly_js(), encoding="utf-8")
    return path


def _plotly_script(plotly_src: str | None) -> str:
    """The ``<script>`` giving a page plotly.js: a reference to the folder's copy, or inline."""
    if plotly_src:
        return f'<script type="text/javascript" src="{html.escape(plotly_src)}"></script>'
    return f'<script type="text/javascript">{plotly_js()}</script>'


def report_css() -> str:
    """The stylesheet shared by every report page."""
    return (TEMPLATES_DIR / "rcu_report" / "static" / "rcu.css").read_text(encoding="utf-8")


def _labels(language: str) -> dict[str, str]:
    return {key.split(".", 1)[1]: t(key, language) for key in labels() if key.startswith("report.")}


def figure_div(figure: Any, div_id: str) -> str:
    """HTML for one plotly figure (dict or Figure), drawn by the page's embedded plotly.js."""
    return pio.to_html(figure, include_plotlyjs=False, include_mathjax=False, full_html=False,
                       div_id=div_id, default_height=480, default_width="100%", validate=False,
                       config={"displaylogo": False, "responsive": True})


_SCRIPT_RE = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.DOTALL | re.IGNORECASE)


def _strip_plotly_loaders(text: str) -> str | None:
    """Remove the scripts of plotly's notebook renderer that load or configure plotly.js.

    Returns:
        The HTML without them, or None when nothing else was in it (the output is dropped).
    """
    def loader(match: re.Match) -> str:
        script = match.group(0)
        if "* plotly.js v" in script or "cdn.plot.ly" in script:
            return ""  # the bundled library (embedded once in the page instead) or its CDN
        if "PlotlyConfig" in script and "Plotly.newPlot" not in script:
            return ""  # window.PlotlyConfig / MathJax set-up
        return script

    if "lotly" not in text:
        return text
    stripped = _SCRIPT_RE.sub(loader, text)
    return stripped if stripped.strip() else None


_PATH_REPR_RE = re.compile(r"\b(?:Posix|Windows)Path\(")


def _text(value: str | list[str]) -> str:
    return value if isinstance(value, str) else "".join(value)


class ReportPreprocessor(Preprocessor):
    """Prepare executed notebook outputs for a client page.

    Plotly JSON outputs become ``figure_div`` HTML; plotly loader outputs, external ``<script>``
    tags, stderr streams and widget views are removed; with ``mask`` set, personal values left in
    any output are masked and counted in ``resources['rcu_counts']``.
    """

    def __init__(self, mask: bool, language: str, **kw: Any) -> None:
        super().__init__(**kw)
        self.mask = mask
        self.language = language

    def preprocess(self, nb, resources):  # noqa: D102 - nbconvert API
        resources.setdefault("rcu_counts", {"redacted": 0, "figures": 0})
        self._counts = resources["rcu_counts"]
        self._figure = 0
        return super().preprocess(nb, resources)

    def _redact(self, text: str, counts: list[int] | None = None) -> str:
        if not self.mask:
            return text
        new, n = redact_text(text)
        if counts is None:
            self._counts["redacted"] += n
        else:
            counts.append(n)
        return new

    def _output(self, output: dict, index: int) -> dict | None:
        kind = output.get("output_type")
        if kind == "stream":
            if output.get("name") == "stderr":
                return None
            output["text"] = self._redact(_plain_path(output.get("text", "")))
            return output
        if kind == "error":  # kept: a failed notebook shows where it stopped
            output["evalue"] = self._redact(output.get("evalue", ""))
            output["traceback"] = [self._redact(line) for line in output.get("traceback", [])]
            return output
        if kind not in ("display_data", "execute_result"):
            return output
        data = output.get("data", {})
        if PLOTLY_MIME in data:
            figure = data[PLOTLY_MIME]
            if self.mask:
                figure, n = redact_json(figure)
                self._counts["redacted"] += n
            self._figure += 1
            self._counts["figures"] += 1
            div = figure_div(figure, f"rcu-fig-{index}-{self._figure}")
            output["data"] = {"text/html": div}
            output["metadata"] = {}
            return output
        if WIDGET_MIME in data:  # an editor or a progress bar: the notebook interface, not a finding
            return None
        if set(data) == {"text/plain"} and _PATH_REPR_RE.search(_text(data["text/plain"])):
            return None  # a path the cell returned (a file it wrote): the consultant's folders
        # The same table comes as text/html and text/plain: count the values once.
        counts: list[int] = []
        if "text/html" in data:
            text = data["text/html"]
            text = text if isinstance(text, str) else "".join(text)
            text = _strip_plotly_loaders(_MODULE_IMPORT_RE.sub("", _EXTERNAL_SCRIPT_RE.sub("", text)))
            if text is None:
                return None
            if "Plotly.newPlot(" in text:  # a figure of plotly's notebook renderer
                self._counts["figures"] += 1
            data["text/html"] = self._redact(text, counts)
        for mime in ("text/plain", "text/markdown", "text/latex"):
            if mime in data:
                data[mime] = self._redact(_plain_path(_text(data[mime])), counts)
        self._counts["redacted"] += max(counts, default=0)
        return output

    def preprocess_cell(self, cell, resources, index):  # noqa: D102 - nbconvert API
        # Markdown cells are the author's prose (format examples such as `33612345678`), not
        # data: only outputs are masked.
        if cell.cell_type == "code":
            kept = []
            for output in cell.get("outputs", []):
                new = self._output(output, index)
                if new is not None:
                    kept.append(new)
            cell.outputs = kept
        return cell, resources


def language_filter(language: str) -> TagRemovePreprocessor:
    """The preprocessor dropping the cells a ``language`` page must not show.

    The notebooks hold each prose cell twice, tagged ``lang-fr`` and ``lang-en`` (untagged cells
    are shown in both languages); cells tagged ``remove_cell`` (the notebook's own checks) are
    consultant material. The cells of the other language, and their outputs, are removed.

    Examples:
        >>> sorted(language_filter("fr").remove_cell_tags)
        ['lang-en', 'remove_cell']
    """
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    others = {f"lang-{other}" for other in LANGUAGES if other != language}
    return TagRemovePreprocessor(remove_cell_tags=others | {"remove_cell"}, enabled=True)


def _toc(body: str) -> list[TocEntry]:
    entries = []
    for level, anchor, inner in _HEADING_RE.findall(body):
        text = html.unescape(_TAG_RE.sub("", inner)).replace("¶", "").strip()
        entries.append(TocEntry(int(level), anchor, text))
    return entries


def _toc_html(entries: list[TocEntry]) -> str:
    items = "".join(f'<li class="rcu-toc-{e.level}"><a href="#{html.escape(e.anchor)}">'
                    f"{html.escape(e.text)}</a></li>" for e in entries)
    return f"<ul>{items}</ul>"


def notebook_to_html(notebook: str | Path | nbformat.NotebookNode, out_path: str | Path, *,
                     title: str, client: str, generated: str, language: str, mask: bool,
                     index_href: str = "index.html", error: str | None = None,
                     plotly_src: str | None = None) -> HtmlPage:
    """Render an executed notebook as a client page: no code, header, table of contents.

    Args:
        notebook: the executed notebook (path or node).
        out_path: the ``.html`` file to write.
        title: the page title (e.g. ``t("report.report_02-source-audit", language)``).
        client: the client's name, shown in the header.
        generated: the report's date, as shown.
        language: ``fr`` or ``en`` (labels of the page).
        mask: mask personal values left in outputs (the engagement's policy).
        index_href: link back to the executive summary.
        error: shown at the top when the notebook failed.
        plotly_src: the relative address of the report folder's plotly.js
            (:func:`write_plotly_js`); None embeds the library in the page.

    Returns:
        The page written, with its table of contents and safety-net counts.
    """
    nb = nbformat.read(str(notebook), as_version=4) if not isinstance(notebook, nbformat.NotebookNode) \
        else copy.deepcopy(notebook)
    counts = {"redacted": 0, "figures": 0}
    nb.metadata.pop("widgets", None)  # the editors' saved state: interface, not a finding
    language_filter(language).preprocess(nb, {})
    ReportPreprocessor(mask=mask, language=language).preprocess(nb, {"rcu_counts": counts})
    notices = [t("report.redacted_notice", language, n=counts["redacted"])] if counts["redacted"] else []
    if error and mask:  # an exception message may quote a value
        error = redact_text(error)[0]
    exporter = HTMLExporter(template_name="rcu_report", extra_template_basedirs=[str(TEMPLATES_DIR)],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True, theme="light")
    resources = {
        "metadata": {"name": title},
        "rcu": {
            "title": title, "client": client, "generated": generated, "index_href": index_href,
            "labels": _labels(language), "css": report_css(),
            "plotly_script": _plotly_script(plotly_src),
            "notices": notices, "error": error,
            "policy": t("report.masked_policy" if mask else "report.raw_policy", language),
        },
    }
    nb.metadata["title"] = title
    body, _ = exporter.from_notebook_node(nb, resources=resources)
    body = body.replace('<html lang="en">', f'<html lang="{language}">', 1)
    toc = _toc(body)
    body = body.replace(TOC_MARKER, _toc_html(toc), 1)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")
    return HtmlPage(path=out, toc=toc, redacted=counts["redacted"], figures=counts["figures"])


def _present(value: Any) -> Any:
    """``value``, or None when it is missing (None, NaN, pd.NA)."""
    import pandas as pd

    return None if value is None or pd.isna(value) else value


def _present_text(formatter, value: Any, language: str, *args: Any) -> str | None:
    """``formatter(value, language, *args)``, or None (shown "not available") when it is missing."""
    value = _present(value)
    return None if value is None else formatter(value, language, *args)


def _overlap_kpi(summary, language: str) -> str | None:
    """'count (share)' of customers in several sources, or the share alone (dedup summary)."""
    if summary.overlap_rate is None:
        return None
    share = fmt_percent(summary.overlap_rate, language, 1)
    if summary.multi_source_customers is None:
        return share
    return f"{fmt_number(summary.multi_source_customers, language)} ({share})"


def _estimated_kpis(kpis: list[dict[str, Any]], estimates: dict[str, Any] | None,
                    language: str) -> str | None:
    """Put the review's estimates and their 95 % intervals in the key figures; the sentence on
    how they were obtained, or None when there is no estimate."""
    if not estimates:
        return None
    formats = {"distinct_customers": ("n_customers", lambda v: fmt_number(v, language)),
               "duplicate_rate": ("duplicate_rate", lambda v: fmt_percent(v, language, 1)),
               "overlap": ("overlap_rate", lambda v: fmt_percent(v, language, 1))}
    shown = False
    for kpi in kpis:
        key, fmt = formats.get(kpi["key"], (None, None))
        figure = estimates.get(key) if key else None
        if not isinstance(figure, dict) or any(_present(figure.get(k)) is None
                                              for k in ("value", "low", "high")):
            continue
        kpi["value"] = fmt(figure["value"])
        kpi["interval"] = f"[{fmt(figure['low'])} – {fmt(figure['high'])}]"
        shown = True
    if not shown:
        return None
    model = (estimates.get("model") or {}).get("n_customers")
    return t("report.estimates_sentence", language,
             labelled=fmt_number(estimates.get("labelled", 0), language),
             customers=fmt_number(model, language) if model is not None else "?")


def render_index(summary, out_path: str | Path, *, reports: list[dict[str, str | None]],
                 profiles: list[dict[str, str]], workbooks: list[dict[str, str]],
                 error: str | None = None, plotly_src: str | None = None) -> Path:
    """Write the executive summary page (``templates/index.html.j2``).

    Args:
        summary: an :class:`rcu_kit.report.summary.ExecutiveSummary`.
        out_path: the ``index.html`` to write.
        reports: one dict per notebook report: ``title``, ``href`` (None when there is no page)
            and ``status`` (None, or e.g. "not yet available").
        profiles: ``name`` and ``href`` of each ydata profile copied next to the page.
        workbooks: ``name`` and ``href`` of each Excel workbook copied next to the page.
        error: shown at the top when the engagement failed.
        plotly_src: the relative address of the report folder's plotly.js
            (:func:`write_plotly_js`); None embeds the library in the page.

    Returns:
        The path written.
    """
    from rcu_kit.report.charts import overlap_chart, records_per_source_chart
    from rcu_kit.report.summary import executive_brief
    from rcu_kit.sources.loaders import left_out_sentence

    lang = summary.language
    L = _labels(lang)
    kpis = [
        # a figure not measured yet is None: the page says "non disponible" / "not available"
        {"key": "sources_count", "value": _present_text(fmt_number, summary.n_sources, lang)},
        {"key": "records", "value": _present_text(fmt_number, summary.records, lang)},
        {"key": "distinct_customers",
         "value": _present_text(fmt_number, summary.distinct_customers, lang)},
        {"key": "duplicate_rate",
         "value": _present_text(fmt_percent, summary.duplicate_rate, lang, 1)},
        {"key": "overlap", "value": _overlap_kpi(summary, lang)},
    ]
    for kpi in kpis:
        kpi["label"] = L[kpi["key"]]
    split = summary.customer_split or {}
    if split.get("status") == "ok":  # the engagement's definition, under the distinct customers
        kpis[2]["note"] = t("report.kpi_customer_split", lang,
                            customers=fmt_number(split["customers"], lang),
                            prospects=fmt_number(split["prospects"], lang))
    estimates_note = _estimated_kpis(kpis, summary.estimates, lang)
    charts = []
    if "records" in summary.sources.columns and summary.sources["records"].notna().any():
        charts.append(figure_div(records_per_source_chart(summary.sources, lang), "rcu-fig-records"))
    if summary.overlap is not None and len(summary.overlap):
        charts.append(figure_div(overlap_chart(summary.overlap, lang), "rcu-fig-overlap"))
    sources = []
    for row in summary.sources.to_dict("records"):
        records, customers = _present(row.get("records")), _present(row.get("customers"))
        flow = row.get("flow", "")
        flow_key = f"report.flow_{flow}"
        sources.append({"source": row["source"], "system": row.get("system", ""),
                        "flow": t(flow_key, lang) if flow_key in labels() else flow,
                        "refresh": row.get("refresh", ""),
                        "records": _present_text(fmt_number, records, lang),
                        "customers": _present_text(fmt_number, customers, lang)})
    def safe(text: str | None) -> str | None:  # the same safety net as the notebook pages
        return redact_text(text)[0] if text and summary.masked else text

    gaps = []
    for row in (summary.top_gaps.to_dict("records") if summary.top_gaps is not None else []):
        key = f"report.severity_{row['severity']}"
        gaps.append({"attribute": row["attribute"], "gap": safe(row["gap"]),
                     "severity": t(key, lang) if key in labels() else row["severity"]})
    # the roadmap's name of the form (one name per form across the report)
    form = t(f"roadmap.form_{summary.recommended_form}", lang) if summary.recommended_form else None
    env = Environment(loader=FileSystemLoader(str(TEMPLATES_DIR)),
                      autoescape=select_autoescape(["html", "j2"]))
    page = env.get_template("index.html.j2").render(
        L=L, language=lang, client=summary.client,
        generated=summary.generated.strftime("%d/%m/%Y %H:%M" if lang == "fr" else "%Y-%m-%d %H:%M"),
        kpis=kpis, estimates_note=estimates_note, charts=charts, sources=sources, gaps=gaps, form=form,
        left_out=left_out_sentence(summary.left_out, lang) if summary.left_out else None,
        form_explanation=safe(summary.form_explanation), reports=reports,
        executive=executive_brief(summary),
        profiles=profiles, workbooks=workbooks, error=safe(error), css=report_css(),
        plotly_js=_PLOTLY_MARKER if charts else "",
        policy=t("report.masked_policy" if summary.masked else "report.raw_policy", lang))
    if charts:  # the template's inline script becomes the folder's copy (or the library inline)
        inline = f'<script type="text/javascript">{_PLOTLY_MARKER}</script>'
        page = page.replace(inline, _plotly_script(plotly_src)) if inline in page \
            else page.replace(_PLOTLY_MARKER, plotly_js())
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    return out

