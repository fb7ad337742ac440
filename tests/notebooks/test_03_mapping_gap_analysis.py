"""Notebook 03 (mapping and gap analysis) runs end to end on the small demo engagement."""

from __future__ import annotations

from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from rcu_kit.core.config import load_engagement

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

NOTEBOOK = NOTEBOOKS / "03-mapping-gap-analysis.ipynb"


@pytest.mark.notebook
def test_notebook_03_runs_on_the_demo(demo_engagement, tmp_path, demo_raw_contacts):
    import papermill

    out = tmp_path / "03-mapping-gap-analysis.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", progress_bar=False,
                               parameters={"engagement_path": str(demo_engagement)}, cwd=str(NOTEBOOKS))
    engagement = load_engagement(demo_engagement)
    folder = engagement.output_path / "mapping"
    matrix = pd.read_csv(folder / "gap_matrix.csv")
    # 14 attributes of the B2C record x 5 demo sources
    assert len(matrix) == 14 * 5
    # the demo maps every attribute somewhere: e.g. e-mail in all five sources, birth name in crm only
    mapped = matrix[matrix["mapped"]].groupby("attribute")["source"].apply(list)
    assert mapped["email"] == ["crm", "ecommerce", "fidelite", "facturation", "service_client"]
    assert mapped["birth_name"] == ["crm"]
    gaps = pd.read_csv(folder / "gaps.csv")
    assert ("birth_name", "single_source") in set(zip(gaps["attribute"], gaps["gap"]))
    findings = pd.read_csv(folder / "findings.csv")
    assert len(findings) == len(gaps) and set(findings["kind"]) == {"gap"}
    book = openpyxl.load_workbook(folder / "gap_analysis.xlsx", read_only=True)
    assert book.sheetnames == ["Matrice attributs x sources", "Écarts", "Chantiers candidats"]

    executed = nbformat.read(out, as_version=4)
    outputs = "\n".join(str(o) for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []))
    # the suggestions match the demo's validated mapping exactly
    # sentences are shown as paragraphs (rcu_kit.report.tables.client_text): their plain text
    printed = "".join(o.get("text", "") + o.get("data", {}).get("text/plain", "")
                      for c in executed.cells if c.cell_type == "code"
                      for o in c.get("outputs", []))
    assert "précision 100\u00a0%, rappel 100\u00a0%" in printed  # the demo is French
    # no raw e-mail or phone shown: only counts, rates and formats
    raw = demo_raw_contacts
    assert len(raw) > 100
    assert sorted(v for v in raw if v in outputs) == []
