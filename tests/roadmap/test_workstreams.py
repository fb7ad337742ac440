"""Workstreams: generated from findings, traceable to them, scheduled from dependencies."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from rcu_kit.roadmap.workstreams import build_workstreams, schedule

FINDINGS = pd.DataFrame([
    {"kind": "gap", "key": "gap:birth_name", "subject": "birth_name", "detail_code": "gap_missing",
     "detail_params": "{}", "severity": "medium"},
    {"kind": "gap", "key": "gap:email_optin", "subject": "email_optin", "detail_code": "gap_single",
     "detail_params": '{"source": "crm"}', "severity": "high"},
    {"kind": "quality", "key": "quality:fidelite.TEL", "subject": "fidelite.TEL",
     "detail_code": "validity", "detail_params": '{"rate": 0.62}', "severity": "high"},
    {"kind": "dedup", "key": "dedup:crm", "subject": "crm", "detail_code": "duplicates",
     "detail_params": '{"rate": 0.06}', "severity": "medium"},
])


def test_one_workstream_per_finding_plus_six_phases():
    ws = build_workstreams(FINDINGS, language="en").set_index("id")
    assert len(ws) == 10                                   # 6 standard phases + 4 findings
    # ids are per kind, highest severity first: G1 is the high gap
    assert ws.loc["G1", "cause"] == "gap:email_optin"
    assert ws.loc["G2", "cause"] == "gap:birth_name"
    assert ws.loc["Q1", "cause"] == "quality:fidelite.TEL"
    assert ws.loc["D1", "label"] == "Curative deduplication: crm"
    assert ws.loc["G1", "effort_days"] == 10 and ws.loc["G2", "effort_days"] == 6
    # the history recovery needs every data workstream; the synchronisation the dedup ones
    assert ws.loc["P5", "depends_on"] == ("P3", "D1", "G1", "G2", "Q1")
    assert ws.loc["P4", "depends_on"] == ("P3", "D1")
    # priority = value / effort, best first: Q1 3/8, G2 2/6, G1 3/10, D1 2/10 (tie with... none)
    assert ws.sort_values("priority").index[:4].tolist() == ["Q1", "G2", "G1", "D1"]
    # the findings' codes worded in the roadmap's language
    assert ws.loc[["G1", "G2", "Q1", "D1"], "detail"].tolist() == [
        "Only crm provides it", "No source provides it", "validity 62%", "6.0% duplicates"]


def test_workstreams_word_details_and_gap_subjects_in_french():
    ws = build_workstreams(FINDINGS, language="fr",
                           labels={"birth_name": "Nom de naissance"}).set_index("id")
    assert ws.loc[["Q1", "D1"], "detail"].tolist() == ["validité 62\u00a0%", "6,0\u00a0% de doublons"]
    # a gap's workstream is named after the attribute's label; a name without label stays
    assert "Nom de naissance" in ws.loc["G2", "label"] and "email_optin" in ws.loc["G1", "label"]


def test_overrides_and_their_errors():
    ws = build_workstreams(FINDINGS, overrides={"G2": {"effort_days": 2, "priority": 1}}).set_index("id")
    assert ws.loc["G2", "effort_days"] == 2
    assert ws.loc["G2", "priority"] == 1
    with pytest.raises(ValueError, match="unknown workstream 'Z9'"):
        build_workstreams(FINDINGS, overrides={"Z9": {"effort_days": 1}})
    with pytest.raises(ValueError, match="cannot set 'owner'"):
        build_workstreams(FINDINGS, overrides={"G1": {"owner": "x"}})
    with pytest.raises(ValueError, match="unknown severity 'urgent'"):
        build_workstreams(FINDINGS.assign(severity="urgent"))


def test_schedule_follows_dependencies_in_working_days():
    ws = build_workstreams(FINDINGS, language="en")
    plan = schedule(ws, start=date(2027, 1, 4), fte=2).set_index("id")   # a Monday
    # P1: 20 days / 2 fte = 10 working days -> Jan 4 to Jan 18 (two weeks later)
    assert (plan.loc["P1", "start"], plan.loc["P1", "finish"]) == (date(2027, 1, 4), date(2027, 1, 18))
    # P2 starts when P1 ends and takes ceil(25 / 2) = 13 working days
    assert plan.loc["P2", "start_day"] == 10 and plan.loc["P2", "end_day"] == 23
    # data workstreams run in parallel right after scoping
    assert plan.loc[["G1", "G2", "Q1", "D1"], "start_day"].tolist() == [10, 10, 10, 10]
    # P3 = 23 + 40; P5 waits for P3 and the data workstreams
    assert plan.loc["P5", "start_day"] == 63
    cyclic = ws.copy()
    cyclic.loc[cyclic["id"] == "P1", "depends_on"] = pd.Series([("P2",)], index=cyclic.index[:1])
    with pytest.raises(ValueError, match="dependency cycle among workstreams: P1, P2"):
        schedule(cyclic, start=date(2027, 1, 4))
