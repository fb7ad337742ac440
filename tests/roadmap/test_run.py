"""Roadmap assembly: evidence and findings read from earlier steps' outputs, traced to workstreams."""

from __future__ import annotations

import json
import textwrap
from datetime import date

import pandas as pd
import pytest

from rcu_kit.core.config import load_engagement
from rcu_kit.core.paths import dedup_summary_path, findings_path
from rcu_kit.roadmap.run import build_roadmap, export_roadmap, pending_inputs

ENGAGEMENT = """
client: Test
language: en
output_dir: out
sources:
  - {name: crm, format: csv, path: crm.csv}
  - {name: web, format: parquet, path: web.parquet, flow: real-time}
  - {name: erp, format: sql, url: "sqlite:///erp.db", table: t}
questionnaire: {objective: operational, crm_is_central: true, budget: medium}
roadmap: {fte: 1, workstreams: {G1: {effort_days: 3}}}
"""


@pytest.fixture()
def engagement(tmp_path):
    path = tmp_path / "engagement.yaml"
    path.write_text(textwrap.dedent(ENGAGEMENT), encoding="utf-8")
    return load_engagement(path)


def test_roadmap_without_earlier_steps_says_what_is_missing(engagement):
    rm = build_roadmap(engagement, start=date(2027, 1, 4))
    assert rm.missing_evidence == ["audit", "mapping", "dedup"]
    assert len(rm.findings) == 0
    assert list(rm.workstreams["id"]) == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert rm.evidence.n_sources == 3 and rm.evidence.n_formats == 3
    assert rm.evidence.real_time_flows == 1
    assert rm.evidence.duplicate_rate is None
    assert "budget" not in rm.unanswered and "two_way_sync" in rm.unanswered
    # the override of G1 waits for the gap analysis to create G1; it is listed, not lost
    assert rm.ignored_overrides == ["G1"]
    # the same, as client text: 10 questions minus the 3 answered (objective, crm_is_central,
    # budget) = 7 by default; the 3 steps not run, named in the report's language
    assert pending_inputs(rm, "en") == [
        "Unanswered questions (defaults used): real-time needs, two-way synchronisation, existing "
        "data warehouse, CRM project ongoing or planned, long-term, evolving reference, team "
        "capacity, data governance",
        "Steps not run yet (no evidence from them): source audit (02), mapping and gaps (03), "
        "deduplication (04)"]
    assert pending_inputs(rm, "fr")[1] == ("Étapes pas encore lancées (aucun élément issu d'elles) : "
                                           "audit des sources (02), mapping et écarts (03), "
                                           "dédoublonnage (04)")


def test_workstreams_trace_back_to_saved_findings(engagement):
    pd.DataFrame([
        {"kind": "gap", "key": "gap:birth_name", "subject": "birth_name",
         "detail_code": "gap_missing", "detail_params": "{}", "severity": "high"},
    ]).to_csv(findings_path(engagement, "mapping"), index=False)
    pd.DataFrame([
        {"kind": "quality", "key": "quality:crm.tel", "subject": "crm.tel",
         "detail_code": "validity", "detail_params": '{"rate": 0.5}', "severity": "high"},
    ]).to_csv(findings_path(engagement, "audit"), index=False)
    dedup_summary_path(engagement).write_text(json.dumps({
        "n_records": 1000, "n_customers": 800, "duplicate_rate": 0.2, "overlap_rate": 0.15,
        "per_source": [{"source": "crm", "duplicate_rate": 0.08},
                       {"source": "web", "duplicate_rate": 0.0}]}), encoding="utf-8")
    rm = build_roadmap(engagement, start=date(2027, 1, 4))
    assert rm.missing_evidence == []
    ws = rm.workstreams.set_index("id")
    # audit finding, mapping finding; then dedup by severity: overlap 15 % (high), crm 8 % (medium)
    assert ws.loc[["Q1", "G1", "D1", "D2"], "cause"].tolist() == [
        "quality:crm.tel", "gap:birth_name", "dedup:cross_source", "dedup:crm"]
    assert ws.loc["G1", "effort_days"] == 3                 # the consultant's override
    assert rm.evidence.n_records == 1000 and rm.evidence.overlap_rate == 0.15
    out = export_roadmap(rm, engagement)
    assert out.name == "roadmap.xlsx" and out.exists()
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["recommendation", "criteria", "workstreams", "findings"]
    assert len(sheets["workstreams"]) == 10                   # 6 phases + 4 findings
    # the findings sheet reads as the client reads them (worded, gaps by their label)
    assert list(sheets["findings"].columns) == ["kind", "key", "subject", "detail", "severity"]
    assert sheets["findings"]["detail"].tolist()[:2] == ["validity 50%", "No source provides it"]
    headline = json.loads((out.parent / "summary.json").read_text(encoding="utf-8"))
    assert headline["recommended_form"] == rm.recommendation.best == "crm_hosted"
    assert headline["n_workstreams"] == 10
    # the explanation is saved as codes and figures (the report words it), the workbook's
    # criteria are worded in the engagement's language
    assert headline["explanation"] == rm.recommendation.explanation_figures()
    assert headline["explanation"]["form"] == "crm_hosted"
    assert "basis_code" not in sheets["criteria"].columns
    basis = sheets["criteria"].set_index("criterion")["basis"]
    assert basis["crm_is_central"] == rm.recommendation.basis(engagement.language)["crm_is_central"]


def test_broken_findings_file_is_named(engagement):
    path = findings_path(engagement, "audit")
    path.write_text("kind,key\nquality,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"findings.csv: lacks column\(s\) detail_code, detail_params, severity, subject"):
        build_roadmap(engagement)


def test_client_tables_are_translated_and_complete(engagement):
    from rcu_kit.roadmap.run import client_tables

    rm = build_roadmap(engagement, start=date(2027, 1, 4))
    tables = client_tables(rm, "fr")
    crit = tables["criteria"].set_index("Critère")
    # one row per criterion of the scoring, the answer in French, contributions rounded to 0.1
    assert len(crit) == len(rm.recommendation.contributions)
    # crm_is_central answered true; weight 4 for crm_hosted, -1 for mdm (DEFAULT_WEIGHTS)
    assert crit.loc["CRM déjà central", "Constat"] == "réponse : oui"
    assert crit.loc["CRM déjà central", "Hébergé dans l'outil transactionnel (CRM, SFA, service client)"] == 4.0
    assert crit.loc["CRM déjà central", "Outil MDM dédié"] == -1.0
    # a criterion with signal 0 against a negative weight shows 0.0, not -0.0
    assert str(crit.loc["Synchronisation bidirectionnelle", "Table de correspondance des identifiants (minimal)"]) == "0.0"
    ws = tables["workstreams"]
    # the six standard phases only (no earlier step has run); P2 depends on P1 alone
    assert ws["Réf."].tolist() == ["P1", "P2", "P3", "P4", "P5", "P6"]
    assert ws.loc[1, "Dépend de"] == "P1" and ws.loc[0, "Dépend de"] == ""
    assert set(ws["Origine"]) == {"standard"}       # the trace to the finding is kept
    assert set(ws["Type"]) == {"Phase projet"} and set(ws["Sévérité"]) <= {"Haute", "Moyenne", "Faible"}
    assert list(client_tables(rm, "en")["workstreams"].columns)[:3] == ["Ref.", "Workstream", "Type"]
