"""Notebook 05 (roadmap) runs end to end on the demo, its workstreams tracing back to findings."""

from __future__ import annotations

from pathlib import Path

import json
import shutil

import pandas as pd
import pytest

from rcu_kit.audit.run import run_audit
from rcu_kit.core.config import load_engagement
from rcu_kit.mapping.gaps import run_gap_analysis
from rcu_kit.dedup.run import run_dedup, write_dedup_outputs
from rcu_kit.core.paths import dedup_summary_path, findings_path
from rcu_kit.core.findings import findings_from_dedup

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"

NOTEBOOK = NOTEBOOKS / "05-roadmap.ipynb"


@pytest.mark.notebook
def test_notebook_05_traces_workstreams_to_the_demo_findings(demo_engagement, tmp_path):
    import papermill

    # a private copy without outputs: other tests write into the shared demo's output folder
    folder = shutil.copytree(demo_engagement.parent, tmp_path / "demo",
                             ignore=shutil.ignore_patterns("output"))
    engagement = load_engagement(folder / "engagement.yaml")
    run_audit(engagement, profile=False, progress=False)            # step 2: quality findings
    run_gap_analysis(engagement)                                     # step 3: gap findings
    run = run_dedup(engagement, progress=False)                      # step 4: dedup findings
    write_dedup_outputs(run, engagement)
    audit_findings = pd.read_csv(findings_path(engagement, "audit"))
    gap_findings = pd.read_csv(findings_path(engagement, "mapping"))
    summary = json.loads(dedup_summary_path(engagement).read_text(encoding="utf-8"))
    dedup_findings = findings_from_dedup(pd.DataFrame(summary["per_source"]), summary["overlap_rate"])
    assert len(gap_findings) > 0
    # the demo has customers shared between sources: a cross-source matching workstream
    assert "dedup:cross_source" in set(dedup_findings["key"])

    out = tmp_path / "05-roadmap.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(out), kernel_name="python3", progress_bar=False,
                               parameters={"engagement_path": str(folder / "engagement.yaml"),
                                           "start_date": "2027-01-04", "show_form": False},
                               cwd=str(NOTEBOOKS))
    sheets = pd.read_excel(engagement.output_path / "roadmap" / "roadmap.xlsx", sheet_name=None)
    findings = sheets["findings"]
    # exactly one row per finding of the audit, the gap analysis and the deduplication, each
    # attached to one of the seven workstreams
    expected = sorted(set(audit_findings["key"]) | set(gap_findings["key"])
                      | set(dedup_findings["key"]))
    assert sorted(findings["key"]) == expected
    assert set(findings["workstream"]) <= {f"W{i}" for i in range(1, 8)}
    workstreams = sheets["workstreams"].set_index("id")
    assert [i for i in workstreams.index if i.startswith("W")] == [f"W{i}" for i in range(1, 8)]
    # the registers and the GDPR section are sheets of the workbook; the demo maps an opt-in in
    # two sources and last-activity dates everywhere, so consent and retention are measured
    assert {"initialisation", "parallel_projects", "gdpr", "risks", "raci", "data_ownership",
            "decisions"} <= set(sheets)
    assert len(sheets["decisions"]) == 17                     # 10 questions + 7 other decisions
    # scoping starts on the given date
    assert str(workstreams.loc["P1", "start"])[:10] == "2027-01-04"
    summary = json.loads((engagement.output_path / "roadmap" / "summary.json").read_text(encoding="utf-8"))
    # the demo's questionnaire is empty: every answer is a default, the recommendation provisional
    assert summary["provisional"] is True and len(summary["unanswered"]) == 10
    assert summary["recommended_form"] in {"mdm", "crm_hosted", "decision_db", "crosswalk"}
    if summary["planned_form"] == "mdm":
        assert summary["months"] >= 9
    gdpr = summary["gdpr"]
    assert gdpr["missing"] == [] and gdpr["consent"]["sources"] == ["crm", "ecommerce"]
    assert gdpr["consent"]["customers"] > 0 and gdpr["inactive"]["retention_months"] == 36
    # the demo's flows: five bridges, one of them synchronous and two-way around the CRM
    assert summary["bridges"]["flows"] == 5 and summary["bridges"]["real_time_two_way"] == 1
    assert [r["risk"] for r in summary["risks"]][0] == "provisional"
