"""Tests of rcu_kit.report.run: notebooks run with papermill into client report folders.

Fixture notebooks (tests/report_fixtures.py) keep these fast; one test runs the real notebooks on
the small demo engagement.
"""

from __future__ import annotations

import re

import nbformat
import pytest
from tests.report.fixtures import (CRM_CSV, KERNELSPEC, RAW_PERSONAL_VALUES, write_engagement,
                                   write_notebooks)

from rcu_kit.cli import main
from rcu_kit.core.i18n import t
from rcu_kit.report.pdf import find_chromium
from rcu_kit.report.run import REPORT_NOTEBOOKS, REPORT_PARAMETERS, run_report

STAMP = "20250131-100000"


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """One call on three engagements: a source file missing, an invalid file, a good one."""
    base = tmp_path_factory.mktemp("reports")
    broken = write_engagement(base / "broken", "Cassé SA", missing_source=True)
    invalid = base / "invalid" / "engagement.yaml"
    invalid.parent.mkdir()
    invalid.write_text("client: X\nlanguage: de\n", encoding="utf-8")
    good = write_engagement(base / "eng", "Client Démo SA")
    notebooks = write_notebooks(base / "notebooks")
    results = run_report([broken, invalid, good], out_root=base / "reports", progress=False,
                         notebooks_dir=notebooks, stamp=STAMP)
    return results, base


@pytest.fixture(scope="module")
def good_report(reports):
    results, base = reports
    return results[2], base


def test_good_engagement_report_folder_and_statuses(good_report):
    result, base = good_report
    assert result.ok and result.error is None
    assert result.folder == (base / "reports" / "client-demo-sa" / STAMP).resolve()
    assert result.index == result.folder / "index.html"
    # Only 01 exists among the fixture notebooks: the five others are listed as missing.
    assert [(r.name, r.status) for r in result.notebooks] == [
        ("01-customer-vision", "ok"), ("02-source-audit", "missing"),
        ("03-mapping-gap-analysis", "missing"), ("04-deduplication", "missing"),
        ("04b-rcu-prototype", "missing"), ("05-roadmap", "missing")]
    vision = result.notebooks[0]
    assert vision.html == result.folder / "01-customer-vision.html"
    assert vision.figures == 1  # the px.bar of the fixture notebook


def test_engagement_path_is_injected_absolute(good_report):
    result, _ = good_report
    # executed notebooks sit beside the client folder, in <stamp>-work, not inside it
    assert result.work_folder == result.folder.parent / f"{STAMP}-work"
    assert not (result.folder / "notebooks").exists() and not list(result.folder.rglob("*.ipynb"))
    nb = nbformat.read(result.work_folder / "01-customer-vision.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert f'engagement_path = "{result.engagement_path}"' in injected[0].source
    assert result.engagement_path.is_absolute()
    assert "FIXTURE_CLIENT Client Démo SA" in result.notebooks[0].html.read_text(encoding="utf-8")


def test_report_pages_mask_personal_data_the_notebook_left(good_report):
    result, _ = good_report
    # The fixture prints 3 e-mails and 3 phones (as a table in HTML and in text): 6 values.
    assert result.notebooks[0].redacted == 6
    assert [w for w in result.warnings if not w.startswith("no PDF")] == [
        "01-customer-vision.ipynb showed 6 unmasked e-mail/phone value(s); "
        "they were masked in 01-customer-vision.html: mask them in the notebook"]
    pages = sorted(result.folder.rglob("*.html"))
    assert [p.relative_to(result.folder).as_posix() for p in pages] == [
        "01-customer-vision.html", "files/audit/profile_crm.html", "index.html"]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert [v for v in RAW_PERSONAL_VALUES if v in text] == [], page


def test_index_summarises_and_links_everything(good_report):
    result, _ = good_report
    html = result.index.read_text(encoding="utf-8")
    kpis = re.findall(r'rcu-kpi-value">(.*?)</div>', html)
    # 1 source; the fixture crosswalk: 3 records, 2 customers, 1 redundant record = 33.3 %;
    # a single source, so no customer is in two sources.
    assert kpis == ["1", "3", "2", "33,3\u00a0%", "0 (0,0\u00a0%)"]
    assert '<a href="01-customer-vision.html">1. Vision client et besoins</a>' in html
    assert html.count("(pas encore disponible)") == 5  # 02, 03, 04, 04b, 05
    assert '<a href="files/audit/profile_crm.html">audit/profile_crm.html</a>' in html
    assert '<a href="files/audit/audit.xlsx">audit/audit.xlsx</a>' in html
    assert (result.folder / "files" / "audit" / "audit.xlsx").exists()
    # the review sheet the notebook drew holds record ids: it stays in the consultant's output
    assert not (result.folder / "files" / "review").exists() and "review/sample.xlsx" not in html
    # the charts load the folder's one copy of plotly.js: no page embeds it
    assert '<script type="text/javascript" src="plotly.min.js"></script>' in html
    library = (result.folder / "plotly.min.js").read_text(encoding="utf-8")
    assert library.count("* plotly.js v") == 1
    for page in result.folder.rglob("*.html"):
        assert "* plotly.js v" not in page.read_text(encoding="utf-8"), page
    page = result.notebooks[0].html.read_text(encoding="utf-8")
    assert '<script src="plotly.min.js" type="text/javascript"></script>' in page


@pytest.mark.skipif(find_chromium() is None, reason="no Chromium to print the PDF "
                    "(CI installs Debian's: apt-get install -y chromium)")
def test_report_is_printed_into_one_pdf_summary_first(good_report):
    from pypdf import PdfReader

    result, _ = good_report
    assert result.pdf == result.folder / "audit-donnees-clients-client-demo-sa.pdf"
    pages = [page.extract_text() for page in PdfReader(result.pdf).pages]
    # The summary fills three A4 pages (key figures and the first chart; the second chart, the
    # tables and the report list; the workbook list), then the one step page (01, the others are
    # missing) starts a fourth page and fits on it.
    assert len(pages) == 4
    # every page: the client's name and the title in the top margin, "n / 4" in the bottom one
    for number, text in enumerate(pages, start=1):
        assert text.startswith("Client Démo SA Audit des données clients · "), text[:80]
        assert f"\n{number} / 4\n" in text
    # the first page is the summary, under its title; the fourth is the vision step's page
    assert pages[0].splitlines()[2] == "Audit des données clients – Client Démo SA"
    assert pages[3].splitlines()[2] == "1. Vision client et besoins"
    assert "FIXTURE_CHART" in pages[3]  # its chart drawn (the title is the chart's SVG text)
    assert not (result.folder / ".print.html").exists()  # the print document is removed
    index = result.index.read_text(encoding="utf-8")
    assert f'<a href="{result.pdf.name}">Rapport complet (PDF, synthèse puis chaque étape)</a>' in index


def test_without_chromium_the_report_has_no_pdf_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("RCU_CHROMIUM", str(tmp_path / "no-such-chromium"))
    engagement = write_engagement(tmp_path / "eng", "Sans PDF SA")
    [result] = run_report([engagement], out_root=tmp_path / "reports", progress=False,
                          notebooks_dir=write_notebooks(tmp_path / "notebooks"))
    assert result.ok and result.pdf is None and not list(result.folder.glob("*.pdf"))
    assert result.warnings[-1] == ("no PDF: no Chromium found (install it, e.g. apt-get install "
                                   "chromium, or give its path in RCU_CHROMIUM)")


def test_broken_engagements_fail_alone(reports):
    (broken, invalid, good), base = reports
    missing = (base / "broken" / "data" / "crm.csv").resolve()
    assert broken.error == (f"{broken.engagement_path}: source 'crm': file not found: {missing} "
                            f"(declared in {broken.engagement_path}; fix the path or copy the "
                            "extract there)")
    # Nothing ran for it, and its index says why.
    assert [r.status for r in broken.notebooks] == ["not_run"] + ["missing"] * 5
    assert not list(broken.folder.glob("0*.html"))
    assert "file not found" in broken.index.read_text(encoding="utf-8")
    # An invalid engagement file: the config error, and no report folder at all.
    assert invalid.error.startswith(f"{invalid.engagement_path}: invalid engagement configuration")
    assert "language: allowed values are 'fr' or 'en' (got 'de')" in invalid.error
    assert invalid.folder is None and invalid.index is None
    # The good engagement, after the two broken ones, still produced its report.
    assert good.ok and (good.folder / "01-customer-vision.html").exists()


def test_report_command_prints_paths_and_exits_non_zero(reports, monkeypatch, capsys):
    results, _ = reports
    monkeypatch.setattr("rcu_kit.report.run.run_report", lambda *a, **k: results)
    assert main(["report", "a.yaml", "b.yaml", "c.yaml", "--no-progress"]) == 1
    out, err = capsys.readouterr()
    broken, invalid, good = results
    # the broken engagement ran no notebook: no work folder line for it
    assert out.splitlines() == [
        f"Partial report for Cassé SA: {broken.index}",
        f"Report for Client Démo SA: {good.index} (not yet available: 02-source-audit, "
        "03-mapping-gap-analysis, 04-deduplication, 04b-rcu-prototype, 05-roadmap)",
        *([f"  PDF (the summary, then each step): {good.pdf}"] if good.pdf else []),
        f"  executed notebooks (consultant only, not for the client): {good.work_folder}"]
    assert f"error: {broken.error}" in err and f"error: {invalid.error}" in err
    assert f"warning: engagement.yaml: {good.warnings[0]}" in err
    monkeypatch.setattr("rcu_kit.report.run.run_report", lambda *a, **k: [good])
    assert main(["report", "c.yaml", "--no-progress"]) == 0


def test_failing_notebook_stops_engagement_and_keeps_partial_outputs(tmp_path):
    engagement = write_engagement(tmp_path / "eng", "Client SA", language="en")
    notebooks = write_notebooks(tmp_path / "notebooks", failing_audit=True)
    [result] = run_report([engagement], out_root=tmp_path / "reports", progress=False,
                          notebooks_dir=notebooks)
    assert [r.status for r in result.notebooks] == ["ok", "failed", "not_run", "missing", "missing",
                                                    "missing"]
    # Cells run: parameters [1], papermill's injected parameters [2], x = 1 [3], the raise [4].
    expected = ("notebook 02-source-audit.ipynb failed at cell In [4] "
                "(`raise RuntimeError('FIXTURE_BOOM')`): RuntimeError: FIXTURE_BOOM")
    assert result.notebooks[1].error == expected
    assert result.error == f"{engagement.resolve()}: {expected}"
    # Partial outputs kept: page 01, the executed 02 and its page with the error; 03 never ran.
    folder = result.folder
    assert (folder / "01-customer-vision.html").exists()
    assert (result.work_folder / "02-source-audit.ipynb").exists()
    assert "FIXTURE_BOOM" in (folder / "02-source-audit.html").read_text(encoding="utf-8")
    assert not (folder / "03-mapping-gap-analysis.html").exists()
    assert not (result.work_folder / "03-mapping-gap-analysis.ipynb").exists()
    index = result.index.read_text(encoding="utf-8")
    assert "2. Source audit</a> <span class=\"rcu-na\">(failed)</span>" in index
    assert expected.replace("'", "&#39;") in index


def test_unexpected_error_stops_only_its_engagement(tmp_path, monkeypatch):
    import rcu_kit.report.summary

    real = rcu_kit.report.summary.collect_summary

    def collect(engagement, generated=None):
        if engagement.client == "Corrompu SA":
            raise OSError("disk full")
        return real(engagement, generated)

    monkeypatch.setattr(rcu_kit.report.summary, "collect_summary", collect)
    bad = write_engagement(tmp_path / "bad", "Corrompu SA")
    good = write_engagement(tmp_path / "good", "Sain SA")
    empty = tmp_path / "no-notebooks"
    empty.mkdir()  # no notebook at all: nothing runs, only the summary is written
    first, second = run_report([bad, good], out_root=tmp_path / "reports", progress=False,
                               notebooks_dir=empty)
    assert first.error == f"{bad.resolve()}: the report could not be written: OSError: disk full"
    assert second.ok and second.index.exists()
    assert [r.status for r in second.notebooks] == ["missing"] * 6


def test_run_report_needs_an_engagement():
    with pytest.raises(ValueError, match="no engagement file given"):
        run_report([])


def test_report_notebooks_are_the_method_steps():
    # the RCU prototype (golden records, borderline pairs, preventive check) after the dedup
    assert REPORT_NOTEBOOKS == ("01-customer-vision", "02-source-audit", "03-mapping-gap-analysis",
                                "04-deduplication", "04b-rcu-prototype", "05-roadmap")
    # in a report it draws no review sheet (record ids) and shows no panel
    assert REPORT_PARAMETERS == {"04b-rcu-prototype": {"show_panel": False}}


def _known_personal_values(engagement_path):
    """Every raw e-mail and phone of the demo's sources (digits only for phones, with E.164)."""
    import phonenumbers

    from rcu_kit.core.config import load_engagement
    from rcu_kit.sources.loaders import load_all

    engagement = load_engagement(engagement_path)
    loaded = load_all(engagement)
    emails, phones = set(), set()
    for source, entries in engagement.mapping.items():
        frame = loaded[source].frame
        for entry in entries:
            if entry.attribute not in ("email", "phone"):
                continue
            for value in frame[entry.column].dropna().astype(str).str.strip().unique():
                if entry.attribute == "email" and "@" in value:
                    emails.add(value.lower())
                elif entry.attribute == "phone":
                    digits = re.sub(r"\D", "", value)
                    if len(digits) >= 9:
                        phones.add(digits)
                        try:
                            e164 = phonenumbers.format_number(phonenumbers.parse(value, "FR"),
                                                              phonenumbers.PhoneNumberFormat.E164)
                            phones.add(e164.lstrip("+"))
                        except phonenumbers.NumberParseException:
                            pass
    return emails, phones


def _values_in_page(text):
    """E-mail-like tokens (lower case) and phone-like digit runs (digits only) in a page."""
    emails = {m.lower() for m in re.findall(r"[^\s<>\"'();,\[\]{}]+@[^\s<>\"'();,\[\]{}]+", text)}
    phones = {re.sub(r"\D", "", m) for m in re.findall(r"\+?\d[\d .\-()]{7,}\d", text)}
    return emails, phones


def _assert_one_language_per_page(result):
    """The demo is French: its pages hold the French prose only; the same executed notebook
    rendered in English (no second run) holds the English prose only."""
    from rcu_kit.report.html import notebook_to_html

    executed = result.work_folder / "05-roadmap.ipynb"
    if not executed.exists():
        return
    french_prose = "Quelle forme pour le RCU ?"
    english_prose = "Which form for the RCU?"
    fr = (result.folder / "05-roadmap.html").read_text(encoding="utf-8")
    assert french_prose in fr and english_prose not in fr
    assert "Questions sans réponse (valeurs par défaut utilisées)" in fr
    assert "Unanswered questions" not in fr
    en = notebook_to_html(executed, result.work_folder / "05-roadmap-en.html", title="5. Roadmap",
                          client="Maison Démo", generated="now", language="en", mask=True)
    en_html = en.path.read_text(encoding="utf-8")
    assert english_prose in en_html and french_prose not in en_html
    # the heading of the page's first prose cell, per language
    assert en.toc[0].text == "05 · RCU roadmap"
    assert "05 · Feuille de route du RCU" in fr


@pytest.mark.notebook
def test_real_notebooks_report_on_small_demo_leaks_no_personal_data(demo_engagement, tmp_path):
    from rcu_kit.report.run import NOTEBOOKS_DIR
    from rcu_kit.report.html import plotly_js

    existing = [n for n in REPORT_NOTEBOOKS if (NOTEBOOKS_DIR / f"{n}.ipynb").exists()]
    if not existing:
        pytest.skip("no notebook of the method under notebooks/ yet")
    [result] = run_report([demo_engagement], out_root=tmp_path, progress=False)
    assert result.ok, result.error
    assert [r.name for r in result.notebooks if r.status == "ok"] == existing
    assert result.index.exists()
    emails, phones = _known_personal_values(demo_engagement)
    assert len(emails) > 100 and len(phones) > 100  # the small demo has hundreds of each
    library = plotly_js()
    _assert_one_language_per_page(result)
    pages = sorted(result.folder.rglob("*.html"))
    assert len(pages) >= len(existing) + 1  # one page per notebook, the index, the profiles
    for page in pages:
        text = page.read_text(encoding="utf-8", errors="replace").replace(library, "")
        found_emails, found_phones = _values_in_page(text)
        assert sorted(found_emails & emails)[:5] == [], page
        assert sorted(found_phones & phones)[:5] == [], page
    _assert_written_for_the_client(result, demo_engagement, tmp_path)
    _assert_prototype_page(result)
    _assert_pdf_of_every_page(result)


def _assert_prototype_page(result):
    """The RCU prototype page: golden-record figures, the borderline pairs side by side (masked:
    stars in every name cell), the preventive check's decision; no review sheet was drawn."""
    page = (result.folder / "04b-rcu-prototype.html").read_text(encoding="utf-8")
    for text in ("Fiches clients uniques (une par client)", "Les paires à la limite",
                 "paires à la limite : leur probabilité est entre", "Paire 1 : ",
                 "Poids (bits, + pour la même personne)", "Décision du contrôle : "):
        assert text in page, text
    cards = page.split('id="Les-paires-%C3%A0-la-limite"')[1].split('id="Contr%C3%B4le-pr%C3%A9ventif"')[0]
    names = re.findall(r"<td[^>]*>Nom</td><td[^>]*>([^<]*)</td><td[^>]*>([^<]*)</td>", cards)
    assert names and all("*" in v or v == "–" for pair in names for v in pair), names[:3]
    assert not (result.work_folder.parent / "files" / "review").exists()
    assert not list(result.folder.rglob("sample.xlsx"))  # the review sheet holds record ids


# what a page written for the client never shows
MACHINERY = {
    "a Path object": re.compile(r"(?:Posix|Windows)Path\("),
    "an empty or raw cell": re.compile(r"<td[^>]*>\s*(?:NaN|nan|None|NaT|&lt;NA&gt;|True|False)\s*</td>"),
    "a pandas caption": re.compile(r"\d+ rows × \d+ columns"),
    "a notice about the notebook interface": re.compile(r"diteur interactif|interactive editor|"
                                                        r"dans JupyterLab|in JupyterLab"),
    "a progress bar": re.compile(r"\d+/\d+ \[\d\d:\d\d"),
}


def _assert_written_for_the_client(result, engagement_path, tmp_path):
    """No machinery in any step page nor the summary; no local path; the folder a few MB."""
    from rcu_kit.core.config import load_engagement

    engagement = load_engagement(engagement_path)
    local = [str(tmp_path), str(engagement_path.parent), str(engagement.output_path)]
    pages = [result.index] + [run.html for run in result.notebooks if run.html]
    for page in pages:
        # what the page shows: its styles and scripts (JupyterLab's CSS comments) left out
        text = re.sub(r"<(style|script)\b[^>]*>.*?</\1>", "", page.read_text(encoding="utf-8"),
                      flags=re.DOTALL)
        found = {what: pattern.findall(text)[:3] for what, pattern in MACHINERY.items()}
        assert {k: v for k, v in found.items() if v} == {}, page.name
        assert [p for p in local if p in text] == [], page.name
    # record ids are personal data: none in the pages nor the client's workbooks (masked policy)
    import pandas as pd
    crosswalk = pd.read_csv(engagement.output_path / "crosswalk.csv", dtype=str)
    # ids of 6 characters or more (service_client's 1..n would match any small count shown);
    # the customer ids the deduplication made (C0000001...) are not record ids, though the demo's
    # invoicing ids are written the same way (C0000042): those cannot be told apart, left out
    ids = {i for i in crosswalk["record_id"] if len(i) >= 6} - set(crosswalk["customer_id"])
    assert len(ids) > 1000  # the small demo's records: the check is not vacuous
    for page in pages:
        words = set(re.findall(r"[\w-]+", page.read_text(encoding="utf-8")))
        assert sorted(words & ids)[:5] == [], page.name
    import openpyxl
    for book in (result.folder / "files").rglob("*.xlsx"):
        cells = {str(v) for sheet in openpyxl.load_workbook(book, read_only=True).worksheets
                 for row in sheet.iter_rows(values_only=True) for v in row}
        assert sorted(cells & ids)[:5] == [], book.name
    # one copy of plotly.js (4.8 MB) for the whole folder: the report weighs a few MB
    size = sum(f.stat().st_size for f in result.folder.rglob("*") if f.is_file())
    assert size < 15 * 2**20, f"{size / 2**20:.1f} MB"


def _assert_pdf_of_every_page(result):
    """The PDF: the summary first, then each step from a new page, numbered, with the client."""
    if find_chromium() is None:
        pytest.skip("no Chromium to print the PDF")
    from pypdf import PdfReader

    texts = [page.extract_text() for page in PdfReader(result.pdf).pages]
    total = len(texts)
    # line 1: the client's name and the title (top margin), line 2: "n / total" (bottom margin),
    # line 3: the first line of the page's own content
    assert all(text.startswith("Maison Démo Audit des données clients · ") for text in texts)
    assert [text.splitlines()[1] for text in texts] == [f"{n} / {total}" for n in range(1, total + 1)]
    assert texts[0].splitlines()[2] == "Audit des données clients – Maison Démo"
    titles = [t(f"report.report_{run.name}", "fr") for run in result.notebooks if run.html]
    starts = [text.splitlines()[2] for text in texts if text.splitlines()[2] in titles]
    assert starts == titles  # each step starts a page, in the method's order
    assert total >= 1 + len(titles)


def test_a_missing_extract_is_left_out_and_the_report_goes_on(tmp_path, monkeypatch, capsys):
    """crm is there, web's file is not: the notebooks run on crm, the report names web as left out,
    and the command exits 1 after writing it."""
    folder = tmp_path / "eng"
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "crm.csv").write_text(CRM_CSV, encoding="utf-8")
    (folder / "engagement.yaml").write_text(
        "client: Deux Sources SA\nlanguage: en\nsources:\n"
        "  - {name: crm, path: data/crm.csv, id_column: id}\n"
        "  - {name: web, path: data/web.csv, id_column: id}\n", encoding="utf-8")
    audit = nbformat.v4.new_notebook(metadata={"kernelspec": KERNELSPEC})
    parameters = nbformat.v4.new_code_cell('engagement_path = ""')
    parameters.metadata["tags"] = ["parameters"]
    audit.cells = [parameters, nbformat.v4.new_code_cell(
        "from rcu_kit.jupyter import open_engagement\n"
        "from rcu_kit.sources.loaders import load_all, save_sources_summary\n"
        "engagement = open_engagement(engagement_path)\n"
        "save_sources_summary(load_all(engagement), engagement)")]
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(audit, notebooks / "02-source-audit.ipynb")
    [result] = run_report([folder / "engagement.yaml"], out_root=tmp_path / "reports",
                          progress=False, notebooks_dir=notebooks, stamp=STAMP)
    assert result.ok and result.error is None
    assert [r.status for r in result.notebooks if r.name == "02-source-audit"] == ["ok"]
    assert any("source 'web': file not found" in w for w in result.warnings)
    assert result.sources_left_out == ["web"]
    assert ("Sources left out because they could not be read: web"
            in result.index.read_text(encoding="utf-8"))
    monkeypatch.setattr("rcu_kit.report.run.run_report", lambda *a, **k: [result])
    assert main(["report", "engagement.yaml", "--no-progress"]) == 1
    assert ("error: engagement.yaml: source(s) left out because they could not be loaded: web"
            in capsys.readouterr().err)
