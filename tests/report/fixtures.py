"""Tiny engagements and fixture notebooks for the report tests (test_report, test_report_browser).

The fixture notebooks are minimal stand-ins for the method's notebooks: a tagged parameters cell,
then cells calling rcu_kit, as papermill runs the real ones. They write what the real steps save
(a crosswalk, a profile, a workbook) so the executive summary has figures to show.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}

# Records of the tiny engagement's single source; the crosswalk written by notebook 01 groups
# them: C1 = r1, r2; C2 = r3. Raw e-mails and phones are printed by notebook 01 on purpose, to
# check that the report masks what a notebook forgot to.
CRM_CSV = ("id,nom,email,telephone\n"
           "r1,Dupont,jean.dupont@gmail.com,06 12 34 56 78\n"
           "r2,DUPONT,jean.dupont@gmail.com,0612345678\n"
           "r3,Martin,claire.martin@orange.fr,+33 7 98 76 54 32\n")
RAW_PERSONAL_VALUES = ("jean.dupont@gmail.com", "claire.martin@orange.fr", "06 12 34 56 78",
                       "0612345678", "+33 7 98 76 54 32")


def write_engagement(folder: Path, client: str, *, language: str = "fr",
                     missing_source: bool = False) -> Path:
    """An engagement with one CSV source ``crm`` (its file absent if ``missing_source``)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "engagement.yaml").write_text(
        f"client: {client}\nlanguage: {language}\nsources:\n"
        "  - {name: crm, path: data/crm.csv, id_column: id, system: CRM maison}\n", encoding="utf-8")
    if not missing_source:
        (folder / "data").mkdir(exist_ok=True)
        (folder / "data" / "crm.csv").write_text(CRM_CSV, encoding="utf-8")
    return folder / "engagement.yaml"


def _parameters_cell() -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell('engagement_path: str = ""  # engagement YAML (empty: the demo)')
    cell.metadata["tags"] = ["parameters"]
    return cell


def _notebook(*cells) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.cells = [_parameters_cell(), *cells]
    return nb


VISION = _notebook(
    nbformat.v4.new_markdown_cell("# Vision client\n\nDéfinitions partagées."),
    nbformat.v4.new_code_cell(
        "import pandas as pd, plotly.express as px\n"
        "import rcu_kit.jupyter.notebook\n"
        "from rcu_kit.core import paths\n"
        "from rcu_kit.core.excel import write_workbook\n"
        "engagement = rcu_kit.jupyter.notebook.open_engagement(engagement_path)\n"
        "print('FIXTURE_CLIENT', engagement.client)"),
    nbformat.v4.new_markdown_cell("## Volumes"),
    nbformat.v4.new_code_cell(
        "crm = pd.read_csv(engagement.resolve(engagement.sources[0].path), dtype=str)\n"
        "px.bar(x=['crm'], y=[len(crm)], title='FIXTURE_CHART')"),
    nbformat.v4.new_code_cell("crm[['email', 'telephone']]  # unmasked on purpose"),
    nbformat.v4.new_code_cell(
        "out = engagement.output_path\n"
        "pd.DataFrame({'source': 'crm', 'record_id': crm['id'],\n"
        "              'customer_id': ['C1', 'C1', 'C2']}).to_csv(paths.crosswalk_path(engagement), index=False)\n"
        "(paths.step_dir(engagement, 'audit') / 'profile_crm.html').write_text('<html>profile</html>')\n"
        "write_workbook(paths.step_dir(engagement, 'audit') / 'audit.xlsx', {'crm': crm[['id']]})\n"
        "# a review sheet drawn by rcu-kit review: record ids, consultant material\n"
        "write_workbook(paths.step_dir(engagement, 'review') / 'sample.xlsx', {'review': crm[['id']]})"),
)
FAILING_AUDIT = _notebook(
    nbformat.v4.new_markdown_cell("# Audit"),
    nbformat.v4.new_code_cell("x = 1"),
    nbformat.v4.new_code_cell("raise RuntimeError('FIXTURE_BOOM')"),
)
GAPS = _notebook(nbformat.v4.new_code_cell("print('GAPS_RAN')"))


def write_notebooks(folder: Path, *, failing_audit: bool = False) -> Path:
    """Fixture notebooks 01 (and 02 that raises, 03 after it, when ``failing_audit``)."""
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(VISION, folder / "01-customer-vision.ipynb")
    if failing_audit:
        nbformat.write(FAILING_AUDIT, folder / "02-source-audit.ipynb")
        nbformat.write(GAPS, folder / "03-mapping-gap-analysis.ipynb")
    return folder
