"""Tests of rcu_kit.report.html: client pages from executed notebooks, and the summary page."""

from __future__ import annotations

import re
from html import escape as html_escape
from datetime import datetime

import nbformat
import pandas as pd
import pytest

from rcu_kit.report.html import notebook_to_html, plotly_js, render_index
from rcu_kit.report.summary import ExecutiveSummary, crosswalk_figures, overlap_matrix

PLOTLY_BANNER = "* plotly.js v"  # first line of the embedded bundle's licence comment


def _out(output_type, **kw):
    return nbformat.from_dict({"output_type": output_type, **kw})


def _executed_notebook():
    nb = nbformat.v4.new_notebook()
    figure = {"data": [{"type": "bar", "x": ["crm", "web"], "y": [3, 2],
                        "text": ["marie.durand@orange.fr", "ok"]}],
              "layout": {"title": {"text": "Volumes"}}}
    code = nbformat.v4.new_code_cell("SECRET_CODE_MARKER = 1")
    code.outputs = [
        _out("stream", name="stdout", text="STDOUT_LINE paul@free.fr\n"),
        _out("stream", name="stderr", text="STDERR_NOISE warning\n"),
        # plotly's notebook renderer loader: loads plotly.js from a CDN, no figure -> dropped
        _out("display_data", metadata={}, data={"text/html": "<script>require.config({paths: "
                                                "{'plotly': 'https://cdn.plot.ly/plotly-3.0.1.min'}})"
                                                "</script>"}),
        # plotly's "notebook" renderer, first figure: a loader embedding plotly.js -> dropped
        _out("display_data", metadata={}, data={"text/html": "<script type=\"text/javascript\">"
             "window.PlotlyConfig = {MathJaxConfig: 'local'};</script>\n<script type=\"text/javascript\">"
             "/**\n* plotly.js v3.7.0\n*/ var LOADER_MARKER = '0123456789'; Plotly.newPlot = 1;</script>"}),
        # ... then the figure itself, with a MathJax script from a CDN -> figure kept, CDN removed
        _out("display_data", metadata={}, data={"text/html": "<div id=\"nbfig\"></div>"
             "<script src=\"https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-svg.js\"></script>"
             "<script>Plotly.newPlot(\"nbfig\", [{\"x\": [\"NB_RENDERER_FIG\"], \"y\": [-778901479]}], {})"
             "</script>"}),
        _out("display_data", metadata={}, data={"application/vnd.plotly.v1+json": figure,
                                                "text/html": "<div>notebook renderer html</div>"}),
        _out("display_data", metadata={}, data={
            "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2},
            "text/plain": "VBox(children=(...))"}),
        _out("execute_result", execution_count=3, metadata={}, data={
            "text/html": "<table><tr><td>jean.dupont@gmail.com</td><td>06 12 34 56 78</td></tr></table>"
                         '<script src="https://cdn.example.com/x.js"></script>',
            "text/plain": "jean.dupont@gmail.com 06 12 34 56 78"}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Audit des sources\n\nPhones such as `33612345678`."),
                code,
                nbformat.v4.new_markdown_cell("## Volumes par source"),
                nbformat.v4.new_markdown_cell("### Détail <em>crm</em>")]
    return nb


@pytest.fixture(scope="module")
def masked_page(tmp_path_factory):
    out = tmp_path_factory.mktemp("page") / "02-source-audit.html"
    page = notebook_to_html(_executed_notebook(), out, title="2. Audit des sources",
                            client="Client Test", generated="31/01/2025 10:00", language="fr",
                            mask=True)
    return page, out.read_text(encoding="utf-8")


def test_page_has_no_code_and_no_client_noise(masked_page):
    _, html = masked_page
    assert "SECRET_CODE_MARKER" not in html  # code cells are hidden
    assert "STDERR_NOISE" not in html  # warnings on stderr are not for the client
    assert "STDOUT_LINE" in html
    # the widget (an editor) is dropped, without a notice about the notebook interface
    assert "VBox(children" not in html and "éditeur interactif" not in html


def test_page_embeds_plotly_once_and_loads_nothing_from_the_internet(masked_page):
    page, html = masked_page
    assert page.figures == 2  # the JSON figure and the notebook renderer's one
    assert html.count(PLOTLY_BANNER) == 1
    # The JSON figure and the notebook renderer's figure, plus the library's own occurrences.
    assert html.count("Plotly.newPlot(") == 2 + plotly_js().count("Plotly.newPlot(")
    assert "notebook renderer html" not in html  # the JSON figure replaced plotly's own HTML
    assert "LOADER_MARKER" not in html  # plotly's loader output dropped
    # The notebook renderer's figure is kept as it was (its script is never rewritten).
    assert 'Plotly.newPlot("nbfig", [{"x": ["NB_RENDERER_FIG"], "y": [-778901479]}], {})' in html
    rest = html.replace(plotly_js(), "")
    assert "require.config" not in rest and "cdn.example.com" not in rest and "jsdelivr" not in rest
    assert re.findall(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", rest) == []


def test_page_masks_personal_values_and_counts_them(masked_page):
    page, html = masked_page
    # paul@ in stdout (1) + the table (its HTML and text forms count once: 2 values) + the e-mail
    # in the figure's text (1) = 4.
    assert page.redacted == 4
    for raw in ("paul@free.fr", "jean.dupont@gmail.com", "06 12 34 56 78", "marie.durand@orange.fr"):
        assert raw not in html
    assert "j***@g***.com" in html and "** ** ** ** 78" in html
    assert "4 valeur(s) personnelle(s) non masquée(s)" in html
    assert "Phones such as <code>33612345678</code>" in html  # prose is the author's, not data


def test_page_header_and_table_of_contents(masked_page):
    page, html = masked_page
    assert [(e.level, e.text) for e in page.toc] == [
        (1, "Audit des sources"), (2, "Volumes par source"), (3, "Détail crm")]
    assert all(f'href="#{e.anchor}"' in html for e in page.toc)
    assert '<html lang="fr">' in html
    assert "Client Test" in html and "31/01/2025 10:00" in html
    assert 'href="index.html"' in html and "Retour à la synthèse" in html
    assert "Données personnelles masquées" in html


def test_page_unmasked_when_policy_allows(tmp_path):
    page = notebook_to_html(_executed_notebook(), tmp_path / "p.html", title="T", client="C",
                            generated="now", language="en", mask=False)
    html = page.path.read_text(encoding="utf-8")
    assert page.redacted == 0
    assert "jean.dupont@gmail.com" in html
    assert "Personal data shown unmasked" in html


def _bilingual_notebook():
    """Prose in both languages, a French-only output, a check cell, and a cell for both."""
    nb = nbformat.v4.new_notebook()
    fr = nbformat.v4.new_markdown_cell("## Chiffres clés\n\nPROSE_FR")
    fr.metadata["tags"] = ["lang-fr"]
    en = nbformat.v4.new_markdown_cell("## Headline figures\n\nPROSE_EN")
    en.metadata["tags"] = ["lang-en"]
    fr_code = nbformat.v4.new_code_cell("print('x')")
    fr_code.metadata["tags"] = ["lang-fr"]
    fr_code.outputs = [_out("stream", name="stdout", text="OUTPUT_OF_FR_CELL\n")]
    check = nbformat.v4.new_code_cell("assert True")
    check.metadata["tags"] = ["remove_cell"]
    check.outputs = [_out("stream", name="stdout", text="CHECK_OUTPUT\n")]
    both = nbformat.v4.new_code_cell("print('both')")
    both.outputs = [_out("stream", name="stdout", text="SHOWN_IN_BOTH\n")]
    nb.cells = [fr, en, fr_code, check, both]
    return nb


@pytest.mark.parametrize("language, shown, hidden", [
    ("fr", ["PROSE_FR", "Chiffres clés", "OUTPUT_OF_FR_CELL"], ["PROSE_EN", "Headline figures"]),
    ("en", ["PROSE_EN", "Headline figures"], ["PROSE_FR", "Chiffres clés", "OUTPUT_OF_FR_CELL"]),
])
def test_page_keeps_only_its_language_and_drops_checks(tmp_path, language, shown, hidden):
    page = notebook_to_html(_bilingual_notebook(), tmp_path / "p.html", title="T", client="C",
                            generated="now", language=language, mask=True)
    html = page.path.read_text(encoding="utf-8")
    assert [s for s in shown if s not in html] == []
    # the other language's cells and their outputs are gone, and so is the check cell
    assert [s for s in hidden + ["CHECK_OUTPUT"] if s in html] == []
    assert "SHOWN_IN_BOTH" in html  # untagged: in both languages
    # the table of contents lists only this language's heading
    assert [e.text for e in page.toc] == [shown[1]]


def test_language_filter_rejects_unknown_language():
    from rcu_kit.report.html import language_filter

    with pytest.raises(ValueError, match="language must be one of"):
        language_filter("de")


def test_failed_notebook_page_shows_the_error(tmp_path):
    nb = _executed_notebook()
    nb.cells[1].outputs.append(_out("error", ename="ValueError", evalue="bad phone 06 12 34 56 78",
                                    traceback=["ValueError: bad phone 06 12 34 56 78"]))
    page = notebook_to_html(nb, tmp_path / "p.html", title="T", client="C",
                            generated="now", language="en", mask=True,
                            error="notebook 02-source-audit.ipynb failed at cell In [4]: x@y.fr")
    html = page.path.read_text(encoding="utf-8")
    assert 'class="rcu-error">notebook 02-source-audit.ipynb failed at cell In [4]: x***@y***.fr' in html
    assert "ValueError: bad phone ** ** ** ** 78" in html  # the traceback is kept, masked
    assert "06 12 34 56 78" not in html


def _summary(language="fr"):
    crosswalk = pd.DataFrame({"source": ["crm", "crm", "crm", "web", "web", "shop", "shop"],
                              "record_id": list("1234567"),
                              "customer_id": ["C1", "C1", "C2", "C1", "C3", "C2", "C4"]})
    f = crosswalk_figures(crosswalk)
    sources = pd.DataFrame({"source": ["crm", "web", "shop"], "system": ["Salesforce", "", ""],
                            "flow": ["batch"] * 3, "refresh": ["daily", "", ""]})
    return ExecutiveSummary(
        client="Maison Démo", language=language, generated=datetime(2025, 1, 31, 10, 5), masked=True,
        sources=sources.merge(f["per_source"], on="source"), records=f["records"],
        distinct_customers=f["distinct_customers"],
        # duplicates within a source (crm's second C1: 1 of 7); 3 of 7 overall, kept apart
        duplicate_rate=f["within_source_duplicate_rate"], overall_duplicate_rate=f["duplicate_rate"],
        multi_source_customers=f["multi_source_customers"], overlap_rate=f["overlap_rate"],
        overlap=overlap_matrix(crosswalk),
        top_gaps=pd.DataFrame({"attribute": ["birth_name", "phone"],
                               "gap": ["missing everywhere", "formats: 06 12 34 56 78"],
                               "severity": ["high", "medium"]}),
        recommended_form="crosswalk", form_explanation="Budget faible (jean@free.fr).")


def test_index_page_figures_links_and_charts(tmp_path):
    reports = [{"title": "1. Vision client et besoins", "href": "01-customer-vision.html", "status": None},
               {"title": "4. Dédoublonnage", "href": None, "status": "pas encore disponible"}]
    path = render_index(_summary(), tmp_path / "index.html", reports=reports,
                        profiles=[{"name": "audit/profile_crm.html", "href": "files/audit/profile_crm.html"}],
                        workbooks=[])
    html = path.read_text(encoding="utf-8")
    kpis = re.findall(r'rcu-kpi-value">(.*?)</div>', html)
    # 3 sources, 7 records, 4 customers, 1/7 = 14.3 % duplicates within a source (3/7 overall,
    # not shown as duplicates), 2 of 4 customers in 2+ sources.
    assert kpis == ["3", "7", "4", "14,3\u00a0%", "2 (50,0\u00a0%)"]
    # form 'crosswalk', in French, by the roadmap's name (the same name as notebook 05's page)
    assert "Table de correspondance des identifiants (minimal)" in html
    assert "<td>birth_name</td><td>missing everywhere</td><td>haute</td>" in html
    # Sources table: flow in French; records and distinct customers from the crosswalk.
    assert ("<tr><td>crm</td><td>Salesforce</td><td>lot (échange de fichiers)</td><td>daily</td>\n"
            '      <td class="num">3</td>\n      <td class="num">2</td></tr>') in html
    # Free text read from the steps' files gets the same safety net as the notebook pages.
    assert "<td>phone</td><td>formats: ** ** ** ** 78</td><td>moyenne</td>" in html
    assert "<p>Budget faible (j***@f***.fr).</p>" in html
    assert '<a href="01-customer-vision.html">1. Vision client et besoins</a>' in html
    assert "4. Dédoublonnage <span class=\"rcu-na\">(pas encore disponible)</span>" in html
    assert '<a href="files/audit/profile_crm.html">audit/profile_crm.html</a>' in html
    assert "aucun fichier produit" in html  # no workbook
    assert html.count(PLOTLY_BANNER) == 1
    assert 'id="rcu-fig-records"' in html and 'id="rcu-fig-overlap"' in html


def test_index_page_says_not_available(tmp_path):
    summary = ExecutiveSummary(client="C", language="en", generated=datetime(2025, 1, 31),
                               masked=False, sources=pd.DataFrame({"source": ["crm"], "system": [""],
                                                                   "flow": ["batch"], "refresh": [""]}))
    html = render_index(summary, tmp_path / "index.html", reports=[], profiles=[], workbooks=[],
                        error="source 'crm': file not found").read_text(encoding="utf-8")
    kpis = re.findall(r'rcu-kpi-value">(.*?)</div>', html)
    assert kpis == ["1"] + ['<span class="rcu-na">not available</span>'] * 4
    assert 'class="rcu-error">source &#39;crm&#39;: file not found' in html
    assert PLOTLY_BANNER not in html  # no chart, no plotly.js


@pytest.mark.parametrize("language, sentence", [
    ("en", "Sources left out because they could not be read: web, shop (see the loading of the "
           "sources)."),
    ("fr", "Sources laissées de côté car illisibles : web, shop (voir le chargement des "
           "sources).")])
def test_index_page_names_the_sources_left_out(tmp_path, language, sentence):
    summary = ExecutiveSummary(client="C", language=language, generated=datetime(2025, 1, 31),
                               masked=False, sources=pd.DataFrame({"source": ["crm"], "system": [""],
                                                                   "flow": ["batch"], "refresh": [""]}),
                               left_out=["web", "shop"])
    html = render_index(summary, tmp_path / "index.html", reports=[], profiles=[], workbooks=[]
                        ).read_text(encoding="utf-8")
    assert f'<div class="rcu-error">{html_escape(sentence)}</div>' in html
    summary.left_out = []
    html = render_index(summary, tmp_path / "index.html", reports=[], profiles=[], workbooks=[]
                        ).read_text(encoding="utf-8")
    assert "rcu-error" not in html.split("</style>")[-1]


def test_index_page_from_dedup_summary_figures(tmp_path):
    # Figures from dedup/summary.json (no crosswalk): no customer count per source, no matrix.
    summary = ExecutiveSummary(client="C", language="en", generated=datetime(2025, 1, 31),
                               masked=True, sources=pd.DataFrame({"source": ["crm"], "system": [""],
                                                                  "flow": ["batch"], "refresh": [""]}),
                               records=12500, distinct_customers=10000, duplicate_rate=0.2,
                               overlap_rate=0.125)
    html = render_index(summary, tmp_path / "index.html", reports=[], profiles=[],
                        workbooks=[]).read_text(encoding="utf-8")
    assert re.findall(r'rcu-kpi-value">(.*?)</div>', html) == ["1", "12,500", "10,000", "20.0%", "12.5%"]


@pytest.mark.parametrize("language, values, sentence", [
    ("fr", ["1", "12\u202f500", "10\u202f100", "19,2\u00a0%", "13,0\u00a0%"],
     "Entre crochets : intervalle de confiance à 95 %, estimé à partir de 200 paires "
     "d'enregistrements qualifiées par un relecteur"),
    ("en", ["1", "12,500", "10,100", "19.2%", "13.0%"],
     "In brackets: 95% confidence interval, estimated from 200 record pairs labelled by a "
     "reviewer")])
def test_index_page_shows_the_review_estimates_with_their_interval(tmp_path, language, values,
                                                                  sentence):
    estimates = {"n_customers": {"value": 10100, "low": 9950, "high": 10240},
                 "duplicate_rate": {"value": 0.192, "low": 0.181, "high": 0.204},
                 "overlap_rate": {"value": 0.13, "low": 0.12, "high": 0.14},
                 "labelled": 200, "model": {"n_customers": 10000}}
    summary = ExecutiveSummary(client="C", language=language, generated=datetime(2025, 1, 31),
                               masked=True, sources=pd.DataFrame({"source": ["crm"], "system": [""],
                                                                  "flow": ["batch"], "refresh": [""]}),
                               records=12500, distinct_customers=10000, duplicate_rate=0.2,
                               overlap_rate=0.125, estimates=estimates)
    html = render_index(summary, tmp_path / "index.html", reports=[], profiles=[],
                        workbooks=[]).read_text(encoding="utf-8")
    assert re.findall(r'rcu-kpi-value">(.*?)</div>', html) == values
    intervals = re.findall(r'rcu-kpi-interval">(.*?)</div>', html)
    assert intervals[0] == ("[9\u202f950 – 10\u202f240]" if language == "fr" else "[9,950 – 10,240]")
    assert len(intervals) == 3
    assert html_escape(sentence, quote=True).replace("&#x27;", "&#39;") in html
    assert ("10\u202f000 clients distincts" if language == "fr" else
            "counts 10,000 distinct customers") in html


def test_index_page_opens_on_the_executive_summary(tmp_path):
    html = render_index(_summary(), tmp_path / "index.html", reports=[], profiles=[],
                        workbooks=[]).read_text(encoding="utf-8")
    body = html[html.index("<body"):]
    # the executive summary is the first section of the page, with its findings
    assert body.index('id="executive"') < min(body.index(m) for m in re.findall(r'<h2 id="[^"]+"', body)
                                               if 'id="executive"' not in m)
    section = body[body.index('id="executive"'):body.index('id="key-figures"')]
    assert [h for h in re.findall(r"<h3>(.*?)</h3>", section)] == [
        "Constats", "Recommandation", "Décisions attendues du client", "Prochaines étapes"]
    # the findings state the measured figures: 7 records, 3 sources, 4 customers, 14,3 % within
    assert "<li>7 enregistrements clients dans 3 sources correspondent à 4 clients distincts.</li>" \
        in section
    assert "Doublons dans les sources : 14,3\u00a0%" in section
    # personal data in free text stays masked there too
    assert "jean@free.fr" not in html
