"""Notebook 01 (customer vision) runs end to end on a copy of the small demo engagement."""

from __future__ import annotations

from pathlib import Path

import nbformat
import openpyxl
import pytest
import yaml

from rcu_kit.core.config import load_engagement
from rcu_kit.vision.model import DEFAULT_DEFINITIONS, load_target_model

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

NOTEBOOK = NOTEBOOKS / "01-customer-vision.ipynb"


@pytest.mark.notebook
def test_notebook_01_starts_a_b2b_vision_and_saves_it(demo_engagement, tmp_path):
    import papermill

    # the demo engagement without its vision (and without the mapping and views that use it)
    raw = yaml.safe_load(demo_engagement.read_text(encoding="utf-8"))
    for key in ("target_model", "definitions", "mapping", "views"):
        raw.pop(key, None)
    copy = tmp_path / "engagement.yaml"
    copy.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")

    out = tmp_path / "01-customer-vision.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", progress_bar=False,
                               parameters={"engagement_path": str(copy), "template": "b2b", "save": True},
                               cwd=str(NOTEBOOKS))
    saved = load_engagement(copy)
    # the B2B model and its three definitions were written back to the engagement file
    assert saved.target_model == load_target_model("b2b")
    assert saved.definitions == DEFAULT_DEFINITIONS["b2b"]
    assert [s.name for s in saved.sources] == [s["name"] for s in raw["sources"]]  # the rest kept

    book = openpyxl.load_workbook(tmp_path / "output" / "vision.xlsx", read_only=True)
    assert book.sheetnames == ["Définitions partagées", "Fiche client cible"]
    # the notebook showed the B2B record: 17 rows, the SIREN among them
    executed = nbformat.read(out, as_version=4)
    outputs = "\n".join(str(o) for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []))
    assert "Raison sociale" in outputs and "SIREN" in outputs
