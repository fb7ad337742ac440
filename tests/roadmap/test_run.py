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
                            "workstreams", "budget", "initialisation", "parallel_projects", "gdpr",
                            "risks", "raci", "data_ownership", "decisions", "findings"]
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


FLOWS = """
client: Flows
language: en
output_dir: out
sources:
  - {name: crm, format: csv, path: crm.csv}
  - {name: web, format: csv, path: web.csv}
  - {name: erp, format: csv, path: erp.csv}
questionnaire: {crm_is_central: true, data_governance: low, team_capacity: low}
roadmap:
  fte: 4
  history_years: 5
  parallel_projects:
    - {name: New ERP, start: 2027-03-01, end: 2027-12-31, moves: [erp]}
    - {name: Intranet, start: 2027-01-04, end: 2027-02-01, moves: [Intranet]}
flows:
  - {name: web_signup, from_system: Website, to_system: CRM, two_way: true, mode: sync,
     protocol: api, process: signup, volume_per_period: 100, peak: 1500, owner: IT,
     supervision: alerts}
  - {name: billing, from_system: CRM, to_system: ERP, protocol: file, process: billing,
     volume_per_period: 50, owner: Finance, supervision: report}
views:
  - {name: Sales, kind: role}
  - {name: Service, kind: role}
  - {name: Website, kind: application}
"""


def _flows_engagement(tmp_path):
    path = tmp_path / "engagement.yaml"
    path.write_text(textwrap.dedent(FLOWS), encoding="utf-8")
    return load_engagement(path)


def test_a_two_way_real_time_flow_with_a_peak_changes_the_scoring_and_the_roadmap(tmp_path):
    engagement = _flows_engagement(tmp_path)
    busy = build_roadmap(engagement, start=date(2027, 1, 4))
    engagement.flows[0].two_way, engagement.flows[0].mode = False, "async"
    calm = build_roadmap(engagement, start=date(2027, 1, 4))
    # scoring: one two-way real-time flow (signal 1/2) and one synchronous peak (1500/100 = 15
    # times the usual volume, signal 1): mdm +1.5+1, crm_hosted +0.5-1, the others -1-1
    delta = (busy.recommendation.scores.set_index("form")["score"]
             - calm.recommendation.scores.set_index("form")["score"]).to_dict()
    assert delta == {"mdm": 2.5, "crm_hosted": -0.5, "decision_db": -2.0, "crosswalk": -2.0}
    assert busy.evidence.n_flows == 2 and busy.evidence.real_time_two_way == 1
    assert busy.evidence.sync_peaks == 1 and calm.evidence.sync_peaks == 0
    assert busy.form == calm.form == "crm_hosted"      # the CRM is central: it still hosts
    b, c = busy.workstreams.set_index("id"), calm.workstreams.set_index("id")
    # interfaces, crm_hosted 10-20 days per weighted flow: busy 1+0.5+0.5+0.5 = 2.5 for the web
    # flow and 1 for billing = 3.5 units (35-70 days), calm 2 units (20-40 days)
    assert (b.loc["W2", "effort_low"], b.loc["W2", "effort_high"]) == (35.0, 70.0)
    assert (c.loc["W2", "effort_low"], c.loc["W2", "effort_high"]) == (20.0, 40.0)
    # go-live: crm_hosted 25-50 days plus synchronising the 2 systems around the CRM hub
    # (3 days each) and, when busy, the two-way real-time cut-over (2 days)
    assert (b.loc["P5", "effort_low"], c.loc["P5", "effort_low"]) == (33.0, 31.0)
    # the budget grows by the 15-30 days of interfaces and 2 of go-live, at 650-950 euros
    assert busy.budget[0] - calm.budget[0] == (15 + 2) * 650
    assert busy.budget[1] - calm.budget[1] == (30 + 2) * 950
    # the plan: the interfaces last longer (35 days for one person, against 20)
    p = busy.plan.set_index("id")
    assert p.loc["W2", "end_day"] - p.loc["W2", "start_day"] == 35
    q = calm.plan.set_index("id")
    assert q.loc["W2", "end_day"] - q.loc["W2", "start_day"] == 20


def test_initialisation_organisation_and_parallel_projects(tmp_path):
    rm = build_roadmap(_flows_engagement(tmp_path), start=date(2027, 1, 4))
    init = rm.initialisation.set_index("step")
    # nothing measured yet (no deduplication): history 5 + 2 x 5 years = 15 days; no previous
    # CRM (crm_replacement_planned is a default "no"); sync 2 systems x 3 + 1 two-way x 2 = 8
    assert init["days"].to_dict() == {"sync": 8.0, "history": 15.0, "previous_crm": 0.0}
    ws = rm.workstreams.set_index("id")
    # recovery: crm_hosted 25-45 + 15
    assert (ws.loc["W5", "effort_low"], ws.loc["W5", "effort_high"]) == (40.0, 60.0)
    # governance low: x1.5; organisation: (25-45 + 3 days x 2 roles) x 1.5 x 1.25 (small team)
    assert (ws.loc["W4", "effort_low"], ws.loc["W4", "effort_high"]) == (22.5, 37.5)
    assert (ws.loc["W6", "effort_low"], ws.loc["W6", "effort_high"]) == (58.125, 95.625)
    # the previous CRM is recovered when the client says one is replaced: 10 days (no records)
    engagement = _flows_engagement(tmp_path)
    engagement.roadmap["previous_crm"] = True
    assert build_roadmap(engagement, start=date(2027, 1, 4)).initialisation \
        .set_index("step").loc["previous_crm", "days"] == 10.0
    par = rm.parallel.set_index("name")
    # the new ERP moves the billing flow ("erp" matches "ERP"): the interfaces and the go-live's
    # synchronisation depend on it; the intranet touches no flow
    assert par.loc["New ERP", "flows"] == ("billing",)
    assert par.loc["New ERP", "items"] == ("P5", "W2")
    assert par.loc["Intranet", "items"] == () and par.loc["Intranet", "overlaps"] == ()
    plan = rm.plan.set_index("id")
    overlapping = tuple(i for i in ("P5", "W2") if plan.loc[i, "start"] < date(2027, 12, 31)
                        and date(2027, 3, 1) < plan.loc[i, "finish"])
    assert par.loc["New ERP", "overlaps"] == overlapping and overlapping


def test_bad_roadmap_settings_are_named(tmp_path):
    engagement = _flows_engagement(tmp_path)
    engagement.roadmap["history_years"] = "ten"
    with pytest.raises(ValueError, match="roadmap.history_years: expected a number"):
        build_roadmap(engagement)
    engagement.roadmap["history_years"] = 3
    engagement.roadmap["parallel_projects"] = [{"name": "X", "start": "2027-13-01", "end": "2028-01-01"}]
    with pytest.raises(ValueError, match=r"roadmap.parallel_projects\[0\]\(X\).start: expected a date"):
        build_roadmap(engagement)
    engagement.roadmap["parallel_projects"] = [{"name": "X", "start": "2027-01-01",
                                                "end": "2027-02-01", "affects": ["W9"]}]
    with pytest.raises(ValueError, match=r"\(X\).affects: unknown item\(s\) W9"):
        build_roadmap(engagement)
    engagement.roadmap["parallel_projects"] = [{"name": "X", "when": "soon"}]
    with pytest.raises(ValueError, match=r"unknown key\(s\) when"):
        build_roadmap(engagement)


def test_a_real_time_bridge_is_counted_once(tmp_path):
    engagement = _flows_engagement(tmp_path)
    engagement.sources[1].flow = "real-time"              # the web source is fed in real time
    rm = build_roadmap(engagement, start=date(2027, 1, 4))
    # the flows are described: the web flow is synchronous and two-way, a real-time two-way
    # bridge, not also a one-way real-time flow (the source's flow type is not counted again)
    assert (rm.evidence.real_time_flows, rm.evidence.real_time_two_way) == (0, 1)
    engagement.flows[0].two_way = False
    assert build_roadmap(engagement, start=date(2027, 1, 4)).evidence.real_time_flows == 1
    engagement.flows = []                                  # no flows: the sources say it
    assert build_roadmap(engagement, start=date(2027, 1, 4)).evidence.real_time_flows == 1
