"""Roadmap assembly: evidence and findings read from earlier steps' outputs, the provisional
recommendation, the plan within the team, what summary.json and the workbook hold."""

from __future__ import annotations

import json
import textwrap
from datetime import date

import pandas as pd
import pytest

from rcu_kit.core.config import load_engagement
from rcu_kit.core.paths import dedup_summary_path, findings_path
from rcu_kit.roadmap.run import build_roadmap, client_tables, export_roadmap, pending_inputs

ENGAGEMENT = """
client: Test
language: en
output_dir: out
sources:
  - {name: crm, format: csv, path: crm.csv}
  - {name: web, format: parquet, path: web.parquet, flow: real-time}
  - {name: erp, format: sql, url: "sqlite:///erp.db", table: t}
questionnaire: {objective: operational, crm_is_central: true, budget: medium, team_capacity: ~}
roadmap: {fte: 2, workstreams: {P2: {effort_days: 3}, W4: {fte: 1, effort_days: 12}}}
"""


@pytest.fixture()
def engagement(tmp_path):
    path = tmp_path / "engagement.yaml"
    path.write_text(textwrap.dedent(ENGAGEMENT), encoding="utf-8")
    return load_engagement(path)


def _save_findings(engagement):
    pd.DataFrame([
        {"kind": "gap", "key": "gap:single_source:birth_name", "subject": "birth_name",
         "detail_code": "gap_single", "detail_params": '{"source": "crm"}', "severity": "high"},
    ]).to_csv(findings_path(engagement, "mapping"), index=False)
    pd.DataFrame([
        {"kind": "quality", "key": "quality:crm.tel", "subject": "crm.tel",
         "detail_code": "validity", "detail_params": '{"rate": 0.5}', "severity": "high"},
    ]).to_csv(findings_path(engagement, "audit"), index=False)
    # 1,000 records: crm 600 for 570 customers, web 400 for 400; 800 customers overall, so 200
    # duplicates of which 30 within a source and 170 customers seen again in another source
    dedup_summary_path(engagement).write_text(json.dumps({
        "n_records": 1000, "n_customers": 800, "duplicate_rate": 0.2, "overlap_rate": 0.15,
        "per_source": [{"source": "crm", "records": 600, "customers": 570, "duplicate_rate": 0.05},
                       {"source": "web", "records": 400, "customers": 400, "duplicate_rate": 0.0}]}),
        encoding="utf-8")


def test_roadmap_without_earlier_steps_says_what_is_missing(engagement):
    rm = build_roadmap(engagement, start=date(2027, 1, 4))
    assert rm.missing_evidence == ["audit", "mapping", "dedup"]
    assert len(rm.findings) == 0
    assert rm.evidence.n_sources == 3 and rm.evidence.n_formats == 3
    assert rm.evidence.real_time_flows == 1 and rm.evidence.duplicate_rate is None
    # three answers given; team_capacity: ~ is empty, so a default like the 6 keys not written
    assert "budget" not in rm.unanswered and "team_capacity" in rm.unanswered
    assert len(rm.unanswered) == 7 and rm.provisional
    assert rm.form == rm.recommendation.best == "crm_hosted"
    assert rm.ignored_overrides == []
    assert pending_inputs(rm, "en") == [
        "Unanswered questions (defaults used): real-time needs, two-way synchronisation, existing "
        "data warehouse, CRM project ongoing or planned, long-term, evolving reference, team "
        "capacity, data governance",
        "Steps not run yet (no evidence from them): source audit (02), mapping and gaps (03), "
        "deduplication (04)"]


def test_the_plan_uses_the_stated_team_and_the_overrides(engagement):
    rm = build_roadmap(engagement, start=date(2027, 1, 4))
    plan = rm.plan.set_index("id")
    assert rm.team == 2 and plan.attrs["load"].max() <= 2
    assert plan.loc["P2", "effort_days"] == 3 and plan.loc["W4", "effort_days"] == 12
    # a correspondence table has no call for tenders: an override of P2 is kept aside, not lost
    engagement.roadmap["form"] = "crosswalk"
    table = build_roadmap(engagement, start=date(2027, 1, 4))
    assert table.form == "crosswalk" and table.recommendation.best == "crm_hosted"
    assert table.ignored_overrides == ["P2"]
    engagement.roadmap["form"] = "sap"
    with pytest.raises(ValueError, match="roadmap.form: unknown form 'sap'"):
        build_roadmap(engagement)
    # without roadmap.fte, the team comes from the questionnaire's team capacity (medium: 4)
    engagement.roadmap = {}
    assert build_roadmap(engagement, start=date(2027, 1, 4)).team == 4


def test_evidence_separates_duplicates_within_sources_from_shared_customers(engagement):
    _save_findings(engagement)
    rm = build_roadmap(engagement, start=date(2027, 1, 4))
    assert rm.missing_evidence == []
    # 30 duplicates within sources out of 1,000 records: 3 %, not the overall 20 %
    assert rm.evidence.duplicate_rate == pytest.approx(0.03)
    assert rm.evidence.overlap_rate == 0.15 and rm.evidence.n_records == 1000
    basis = rm.recommendation.basis("en")
    assert basis["duplicates"] == "3.0% duplicates within sources"
    assert basis["shared_customers"] == "15.0% shared customers"


def test_findings_attach_to_workstreams_and_export(engagement):
    _save_findings(engagement)
    rm = build_roadmap(engagement, start=date(2027, 1, 4))
    # audit, mapping, then dedup: crm's 5 % within (medium) and the 15 % shared (high)
    assert rm.findings[["key", "workstream"]].values.tolist() == [
        ["quality:crm.tel", "W1"], ["gap:single_source:birth_name", "W2"],
        ["dedup:crm", "W1"], ["dedup:cross_source", "W1"]]
    ws = rm.workstreams.set_index("id")
    assert ws.loc["W1", "causes"] == ("quality:crm.tel", "dedup:crm", "dedup:cross_source")
    out = export_roadmap(rm, engagement)
    assert out.name == "roadmap.xlsx" and out.exists()
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["recommendation", "questionnaire", "criteria", "sensitivity",
                            "workstreams", "budget", "findings"]
    assert len(sheets["workstreams"]) == 12                  # 5 phases + 7 workstreams
    q = sheets["questionnaire"].set_index("Question")
    assert q.loc["budget", "Status"] == "answered" and q.loc["team capacity", "Status"] == "default"
    assert list(sheets["findings"].columns) == ["kind", "key", "subject", "detail", "severity",
                                                "workstream"]
    assert sheets["findings"]["detail"].tolist()[:2] == ["validity 50%", "Only crm provides it"]
    assert sheets["budget"].iloc[-1, 0] == "Total"
    headline = json.loads((out.parent / "summary.json").read_text(encoding="utf-8"))
    assert headline["recommended_form"] == rm.recommendation.best == "crm_hosted"
    assert headline["provisional"] is True
    assert headline["unanswered"] == rm.unanswered and len(headline["unanswered"]) == 7
    assert headline["explanation"] == rm.recommendation.explanation_figures()
    assert headline["n_workstreams"] == 7 and headline["n_findings"] == 4
    assert headline["team"] == 2 and headline["start_date"] == "2027-01-04"
    assert (headline["budget_low"], headline["budget_high"]) == rm.budget
    assert headline["end_date"] == max(rm.plan["finish"]).isoformat()
    assert "basis_code" not in sheets["criteria"].columns


def test_broken_findings_file_is_named(engagement):
    path = findings_path(engagement, "audit")
    path.write_text("kind,key\nquality,x\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"findings.csv: lacks column\(s\) detail_code, detail_params, severity, subject"):
        build_roadmap(engagement)


def test_client_tables_are_translated_and_complete(engagement):
    rm = build_roadmap(engagement, start=date(2027, 1, 4))
    tables = client_tables(rm, "fr")
    crit = tables["criteria"].set_index("Critère")
    assert len(crit) == len(rm.recommendation.contributions)
    # crm_is_central answered yes; weight 4 for crm_hosted, -2 for mdm (DEFAULT_WEIGHTS)
    assert crit.loc["CRM déjà central", "Constat"] == "réponse : oui"
    assert crit.loc["CRM déjà central", "Hébergé dans l'outil transactionnel (CRM, SFA, service client)"] == 4.0
    assert crit.loc["CRM déjà central", "Outil MDM dédié"] == -2.0
    # a default is never worded as the client's answer
    assert crit.loc["Référentiel durable", "Constat"] == "par défaut : oui, à confirmer"
    # a criterion with signal 0 against a negative weight shows 0.0, not -0.0
    assert str(crit.loc["Synchronisation bidirectionnelle", "Table de correspondance des identifiants (minimal)"]) == "0.0"
    ws = tables["workstreams"]
    assert ws["Réf."].tolist() == ["P1", "P2", "P3", "P4", "P5", "W1", "W2", "W3", "W4", "W5", "W6", "W7"]
    assert ws.loc[1, "Dépend de"] == "P1" and ws.loc[0, "Dépend de"] == ""
    assert ws.loc[0, "Début"] == "04/01/2027"
    assert set(ws["Type"]) == {"Phase projet", "Chantier"}
    assert tables["budget"].iloc[-2, 0] == "Licences et abonnements (1re année)"
    sens = tables["sensitivity"]
    assert list(sens.columns) == ["Question", "Statut", "Réponse", "Autre réponse",
                                  "Forme alors recommandée"]
    assert set(sens["Statut"]) <= {"répondu", "par défaut"}
    assert list(client_tables(rm, "en")["workstreams"].columns)[:3] == ["Ref.", "Workstream", "Type"]
