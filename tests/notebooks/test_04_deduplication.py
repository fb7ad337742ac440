"""Notebook 04 (deduplication) runs end to end on the small demo engagement."""

from __future__ import annotations

from pathlib import Path

import json

import nbformat
import openpyxl
import pandas as pd
import pytest

from rcu_kit.core.config import load_engagement

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

NOTEBOOK = NOTEBOOKS / "04-deduplication.ipynb"


@pytest.mark.notebook
def test_notebook_04_runs_on_the_demo(demo_engagement, tmp_path, demo_raw_contacts):
    import papermill

    out = tmp_path / "04-deduplication.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", progress_bar=False,
                               parameters={"engagement_path": str(demo_engagement)}, cwd=str(NOTEBOOKS))
    engagement = load_engagement(demo_engagement)
    truth = pd.read_csv(demo_engagement.parent / "truth.csv", dtype=str)
    crosswalk = pd.read_csv(engagement.output_path / "crosswalk.csv", dtype=str)
    # one crosswalk row per record of the demo (the truth lists every record once)
    assert len(crosswalk) == len(truth)
    assert set(zip(crosswalk.source, crosswalk.record_id)) == set(zip(truth.source, truth.record_id))
    summary = json.loads((engagement.output_path / "dedup" / "summary.json").read_text(encoding="utf-8"))
    assert summary["n_records"] == len(truth)
    assert summary["n_customers"] == crosswalk["customer_id"].nunique()
    # the demo's persons are found within 10 %, never more customers than records
    persons = truth["person_id"].nunique()
    assert abs(summary["n_customers"] - persons) <= 0.1 * persons
    assert [p["source"] for p in summary["per_source"]] == [s.name for s in engagement.sources]
    book = openpyxl.load_workbook(engagement.output_path / "dedup" / "deduplication.xlsx", read_only=True)
    assert book.sheetnames[0] == "Chiffres clés"  # the demo is in French

    executed = nbformat.read(out, as_version=4)
    outputs = "\n".join(str(o) for c in executed.cells if c.cell_type == "code"
                        for o in c.get("outputs", []))
    assert "Paires rapprochées" in outputs or "Effet du seuil" in outputs  # French chart labels
    # no raw e-mail or phone shown: pairs are masked under the default policy
    raw = demo_raw_contacts
    assert len(raw) > 100
    assert sorted(v for v in raw if v in outputs) == []
