"""Notebook 02 (source audit) runs end to end on the small demo engagement."""

from __future__ import annotations

from pathlib import Path

import re

import nbformat
import openpyxl
import pytest

from rcu_kit.audit.run import load_audit
from rcu_kit.core.config import load_engagement
from rcu_kit.sources.loaders import load_all

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

NOTEBOOK = NOTEBOOKS / "02-source-audit.ipynb"
SAMPLE = 200  # profile sample size: the demo's larger sources get sampled, the smaller not


def raw_contact_values(engagement) -> set[str]:
    """Every raw e-mail and phone of the demo sources (columns typed email/phone by the audit)."""
    audit = load_audit(engagement)
    kinds = audit.semantic_types.set_index(["source", "column"])["semantic_type"]
    values: set[str] = set()
    for name, ls in load_all(engagement).items():
        for col in ls.frame.columns:
            if kinds.get((name, col)) in ("email", "phone"):
                values |= {v for v in ls.frame[col].dropna() if len(v) >= 8}
    return values


@pytest.mark.notebook
def test_notebook_02_runs_on_the_demo(demo_engagement, tmp_path):
    import papermill

    out = tmp_path / "02-source-audit.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", progress_bar=False,
                               parameters={"engagement_path": str(demo_engagement),
                                           "profile_sample_size": SAMPLE},
                               cwd=str(NOTEBOOKS))
    engagement = load_engagement(demo_engagement)
    audit = load_audit(engagement)
    # every declared source audited, every column of each has its KPIs
    assert audit.sources == [s.name for s in engagement.sources]
    assert len(audit.kpis) == int(audit.inventory["columns"].sum())
    assert audit.inventory["rows"].sum() > 0 and audit.masked is True

    # the workbook, one sheet per table, and the demo's flows between systems
    book = openpyxl.load_workbook(engagement.output_path / "audit" / "audit.xlsx", read_only=True)
    assert len(book.sheetnames) == 9 + 1 and book.sheetnames[-1] == "Flux"

    # one profile per source, sampled exactly where the source is larger than the sample size
    profiles = audit.profiles.set_index("source")
    for source, rows in zip(audit.inventory["source"], audit.inventory["rows"]):
        assert bool(profiles.loc[source, "sampled"]) == (rows > SAMPLE)
        assert profiles.loc[source, "rows_profiled"] == min(rows, SAMPLE)

    # no raw e-mail or phone in any HTML profile nor in the executed notebook's outputs
    raw = raw_contact_values(engagement)
    assert len(raw) > 100  # the demo has plenty: the check below is not vacuous
    executed = nbformat.read(out, as_version=4)
    outputs = "\n".join(str(o) for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", []))
    texts = {"notebook": outputs}
    for path in (engagement.output_path / "audit" / "profiles").glob("*.html"):
        texts[path.name] = path.read_text(encoding="utf-8")
    assert len(texts) == 1 + len(engagement.sources)
    for name, text in texts.items():
        leaked = sorted(v for v in raw if v in text)
        assert leaked == [], f"{name} shows raw values: {leaked[:5]}"
    # the notebook did show masked e-mails
    assert re.search(r"\w\*\*\*@\w\*\*\*\.\w+", outputs)
