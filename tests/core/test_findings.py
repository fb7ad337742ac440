"""Findings each step hands to the roadmap: thresholds, severities, codes and figures (no words)."""

from __future__ import annotations

import json

import pandas as pd

from rcu_kit.core.findings import FINDING_COLUMNS, findings_from_dedup, findings_from_quality
from rcu_kit.core.wording import finding_details


def test_findings_from_quality_hold_the_code_and_the_rate():
    kpis = pd.DataFrame({"source": ["crm", "crm", "fidelite"], "column": ["email", "nom", "TEL"],
                         "validity": [0.95, None, 0.62]})
    found = findings_from_quality(kpis, threshold=0.9)
    # email at 95 % passes, nom has no rule, TEL at 62 % is a high-severity finding; the saved
    # row holds the code and the rate, no sentence
    assert found.to_dict("records") == [{"kind": "quality", "key": "quality:fidelite.TEL",
                                         "subject": "fidelite.TEL", "detail_code": "validity",
                                         "detail_params": '{"rate": 0.62}', "severity": "high"}]
    # worded at display time: "validité 62 %" with a no-break space before % in French
    assert finding_details(found, "fr").tolist() == ["validité 62\u00a0%"]
    assert finding_details(found, "en").tolist() == ["validity 62%"]


def test_findings_from_dedup_hold_the_codes_and_the_rates():
    rates = pd.DataFrame({"source": ["crm", "ecommerce"], "duplicate_rate": [0.06, 0.01]})
    dedup = findings_from_dedup(rates, overlap_rate=0.3)
    assert list(dedup.columns) == FINDING_COLUMNS
    assert dedup["key"].tolist() == ["dedup:crm", "dedup:cross_source"]   # 1 % is under 2 %
    assert dedup["severity"].tolist() == ["medium", "high"]
    assert dedup["detail_code"].tolist() == ["duplicates", "shared_customers"]
    assert [json.loads(p) for p in dedup["detail_params"]] == [{"rate": 0.06}, {"rate": 0.3}]
    # one decimal for duplicate rates: "6.0%", "6,0 %" (no-break space U+00A0)
    assert finding_details(dedup, "en").tolist() == ["6.0% duplicates",
                                                     "30.0% customers shared between sources"]
    assert finding_details(dedup, "fr").tolist() == ["6,0\u00a0% de doublons",
                                                     "30,0\u00a0% des clients présents dans plusieurs sources"]


def test_saved_findings_read_back_the_same_in_either_language(tmp_path):
    rates = pd.DataFrame({"source": ["crm"], "duplicate_rate": [0.125]})
    path = tmp_path / "findings.csv"
    findings_from_dedup(rates).to_csv(path, index=False)
    # the roadmap reads the file as text; the same file words itself in French or English
    saved = pd.read_csv(path, dtype=str, keep_default_na=False)
    assert finding_details(saved, "fr").tolist() == ["12,5\u00a0% de doublons"]
    assert finding_details(saved, "en").tolist() == ["12.5% duplicates"]
