"""Findings each step hands to the roadmap: thresholds, severities, wording per language."""

from __future__ import annotations

import pandas as pd

from rcu_kit.core.findings import findings_from_dedup, findings_from_quality


def test_findings_from_quality_and_dedup():
    kpis = pd.DataFrame({"source": ["crm", "crm", "fidelite"], "column": ["email", "nom", "TEL"],
                         "validity": [0.95, None, 0.62]})
    found = findings_from_quality(kpis, threshold=0.9)
    # email at 95 % passes, nom has no rule, TEL at 62 % is a high-severity finding
    assert found.to_dict("records") == [{"kind": "quality", "key": "quality:fidelite.TEL",
                                         "subject": "fidelite.TEL", "detail": "validity 62%",
                                         "severity": "high"}]
    # the same finding in a French report: "validité 62 %" (no-break space before %)
    fr_quality = findings_from_quality(kpis, threshold=0.9, language="fr")
    assert fr_quality["detail"].tolist() == ["validité 62\u00a0%"]
    rates = pd.DataFrame({"source": ["crm", "ecommerce"], "duplicate_rate": [0.06, 0.01]})
    dedup = findings_from_dedup(rates, overlap_rate=0.3)
    assert dedup["key"].tolist() == ["dedup:crm", "dedup:cross_source"]   # 1 % is under 2 %
    assert dedup["severity"].tolist() == ["medium", "high"]
    assert dedup["detail"].tolist() == ["6.0% duplicates", "30.0% customers shared between sources"]
    fr = findings_from_dedup(rates, overlap_rate=0.3, language="fr")
    assert fr["detail"].tolist() == ["6,0\u00a0% de doublons",
                                     "30,0\u00a0% des clients présents dans plusieurs sources"]
