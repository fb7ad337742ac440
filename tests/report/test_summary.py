"""Tests of rcu_kit.report.summary: executive-summary figures read from the steps' saved outputs."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import pytest

from rcu_kit.core.config import load_engagement
from rcu_kit.report.summary import collect_summary, crosswalk_figures, overlap_matrix, top_gaps

# 7 records, 4 customers:
#   C1: crm r1, crm r2, web w1   (a duplicate inside crm, and shared with web)
#   C2: crm r3, shop s1          (shared with shop)
#   C3: web w2
#   C4: shop s2
CROSSWALK = pd.DataFrame({
    "source": ["crm", "crm", "crm", "web", "web", "shop", "shop"],
    "record_id": ["r1", "r2", "r3", "w1", "w2", "s1", "s2"],
    "customer_id": ["C1", "C1", "C2", "C1", "C3", "C2", "C4"],
})


def test_crosswalk_figures_exact():
    f = crosswalk_figures(CROSSWALK)
    assert f["records"] == 7
    assert f["distinct_customers"] == 4
    assert f["duplicate_rate"] == pytest.approx(3 / 7)  # 7 records for 4 customers: 3 redundant
    assert f["multi_source_customers"] == 2  # C1 (crm, web) and C2 (crm, shop)
    assert f["overlap_rate"] == pytest.approx(0.5)  # 2 of 4 customers
    # crm: 3 records, 2 customers (C1 twice); web: 2 records, 2 customers; shop: 2 and 2.
    assert f["per_source"].to_dict("list") == {"source": ["crm", "web", "shop"],
                                               "records": [3, 2, 2], "customers": [2, 2, 2]}


def test_crosswalk_figures_names_missing_column():
    with pytest.raises(ValueError, match="missing column.*customer_id"):
        crosswalk_figures(CROSSWALK.drop(columns="customer_id"))


def test_overlap_matrix_exact():
    m = overlap_matrix(CROSSWALK)
    # Diagonal: distinct customers of each source; off-diagonal: customers in both.
    # crm-web share C1, crm-shop share C2, web-shop share nobody.
    assert m.to_dict() == {"crm": {"crm": 2, "web": 1, "shop": 1},
                           "web": {"crm": 1, "web": 2, "shop": 0},
                           "shop": {"crm": 1, "web": 0, "shop": 2}}
    assert list(m.index) == ["crm", "web", "shop"]  # order of first appearance


def test_top_gaps_keeps_gaps_most_severe_first():
    findings = pd.DataFrame({
        "kind": ["gap", "quality", "gap", "gap", "gap"],
        "key": ["gap:email", "quality:crm.tel", "gap:birth_name", "gap:phone", "gap:civility"],
        "subject": ["email", "crm.tel", "birth_name", "phone", "civility"],
        "detail_code": ["gap_poor", "validity", "gap_missing", "gap_single", "gap_formats"],
        "detail_params": ['{"source": "crm", "fill": 0.5, "valid": null, "threshold": 0.8}',
                          '{"rate": 0.62}', "{}", '{"source": "web"}',
                          '{"formats": {"crm": "UPPER CASE", "web": "M./Mme"}}'],
        "severity": ["medium", "high", "high", "low", "high"],
    })
    gaps = top_gaps(findings, n=3)
    # The quality finding is not a gap; the three 'high' gaps come first in their order.
    assert gaps.to_dict("list") == {"attribute": ["birth_name", "civility", "email"],
                                    "gap": ["No source provides it",
                                            "Formats: crm: UPPER CASE; web: M./Mme",
                                            "Best source crm: filled 50%, valid n/a (threshold 80%)"],
                                    "severity": ["high", "high", "medium"]}
    # the same findings in a French report (a missing rate reads "n.d.")
    assert top_gaps(findings, n=3, language="fr")["gap"].tolist() == [
        "Aucune source ne le fournit", "Formats: crm: MAJUSCULES; web: M./Mme",
        "Meilleure source crm: remplissage 50\u00a0%, validité n.d. (seuil 80\u00a0%)"]


def _engagement(tmp_path):
    (tmp_path / "engagement.yaml").write_text(
        "client: Test SA\nlanguage: en\nsources:\n"
        "  - {name: crm, path: crm.csv, system: Salesforce, flow: batch, refresh: daily}\n"
        "  - {name: web, path: web.csv}\n  - {name: shop, path: shop.csv}\n"
        "target_model:\n  - {name: email, label_fr: Courriel, label_en: E-mail address}\n",
        encoding="utf-8")
    return load_engagement(tmp_path / "engagement.yaml")


def test_collect_summary_with_nothing_saved_says_what_is_missing(tmp_path):
    summary = collect_summary(_engagement(tmp_path), generated=datetime(2025, 1, 31, 10, 0))
    assert summary.n_sources == 3
    assert summary.records is None and summary.distinct_customers is None
    assert summary.top_gaps is None and summary.recommended_form is None
    assert summary.missing == ["crosswalk.csv (deduplication step)",
                               "mapping/findings.csv (gap analysis step)",
                               "roadmap/summary.json (roadmap step)"]


def test_collect_summary_names_the_sources_that_could_not_be_loaded(tmp_path):
    eng = _engagement(tmp_path)
    assert collect_summary(eng).left_out == []      # nothing loaded yet: nothing to say
    pd.DataFrame({"source": ["shop", "crm", "web"], "status": ["error", "ok", "error"],
                  "message": ["shop.csv: file not found", "", "web.csv: not a CSV file"]}
                 ).to_csv(eng.output_path / "sources_summary.csv", index=False)
    # in the engagement's order (crm, web, shop), the two in error
    assert collect_summary(eng).left_out == ["web", "shop"]


def test_collect_summary_reads_every_step(tmp_path):
    eng = _engagement(tmp_path)
    out = eng.output_path
    CROSSWALK.to_csv(out / "crosswalk.csv", index=False)
    (out / "mapping").mkdir()
    pd.DataFrame({"kind": ["gap", "gap"], "key": ["gap:email", "gap:x"], "subject": ["email", "x"],
                  "detail_code": ["gap_poor", "gap_missing"],
                  "detail_params": ['{"source": "crm", "fill": 0.9, "valid": 0.62, "threshold": 0.8}', "{}"],
                  "severity": ["high", "low"]}).to_csv(
        out / "mapping" / "findings.csv", index=False)
    (out / "roadmap").mkdir()
    (out / "roadmap" / "summary.json").write_text(json.dumps({"recommended_form": "crosswalk",
                                                              "explanation": "Few sources."}))
    summary = collect_summary(eng)
    assert (summary.records, summary.distinct_customers, summary.multi_source_customers) == (7, 4, 2)
    assert summary.sources[["source", "system", "records", "customers"]].to_dict("list") == {
        "source": ["crm", "web", "shop"], "system": ["Salesforce", "", ""],
        "records": [3, 2, 2], "customers": [2, 2, 2]}
    # The attribute's client label in the engagement's language (en); 'x' is not in the model.
    assert summary.top_gaps.to_dict("list") == {"attribute": ["E-mail address", "x"],
                                                "gap": ["Best source crm: filled 90%, valid 62% "
                                                        "(threshold 80%)", "No source provides it"],
                                                "severity": ["high", "low"]}
    assert (summary.recommended_form, summary.form_explanation) == ("crosswalk", "Few sources.")
    assert summary.missing == []


@pytest.mark.parametrize("language, sentence", [
    ("fr", "Forme recommandée : Table de correspondance des identifiants (minimal) (score 4,0, "
           "1,5 points devant « Outil MDM dédié »). Principaux arguments : Budget limité "
           "(réponse : faible, +4,0)."),
    ("en", "Recommended form: Identifier correspondence table (minimal) (score 4.0, 1.5 points "
           "ahead of \"Dedicated MDM system\"). Main reasons: Limited budget (answer: low, +4.0)."),
])
def test_roadmap_explanation_saved_as_figures_is_worded_in_the_engagement_language(
        tmp_path, language, sentence):
    eng = _engagement(tmp_path)
    eng.language = language
    (eng.output_path / "roadmap").mkdir(parents=True)
    figures = {"form": "crosswalk", "score": 4.0, "runner_up": "mdm", "margin": 1.5,
               "reasons": [{"criterion": "budget_low", "basis_code": "basis_answer",
                            "basis_params": {"answer": "low"}, "contribution": 4.0}]}
    (eng.output_path / "roadmap" / "summary.json").write_text(json.dumps(
        {"recommended_form": "crosswalk", "explanation": figures}))
    assert collect_summary(eng).form_explanation == sentence


def test_collect_summary_falls_back_on_dedup_summary_and_ignores_unknown_form(tmp_path):
    eng = _engagement(tmp_path)
    (eng.output_path / "dedup").mkdir()
    (eng.output_path / "dedup" / "summary.json").write_text(json.dumps(
        {"n_records": 1000, "n_customers": 800, "duplicate_rate": 0.2, "overlap_rate": 0.1}))
    (eng.output_path / "roadmap").mkdir()
    (eng.output_path / "roadmap" / "summary.json").write_text(json.dumps({"recommended_form": "x"}))
    summary = collect_summary(eng)
    assert (summary.records, summary.distinct_customers, summary.duplicate_rate,
            summary.overlap_rate) == (1000, 800, 0.2, 0.1)
    assert summary.overlap is None  # a matrix needs the crosswalk itself
    # 'x' is not one of the four RCU forms: not shown, reported missing.
    assert summary.recommended_form is None
    assert "roadmap/summary.json (roadmap step)" in summary.missing


def test_collect_summary_records_from_sources_summary(tmp_path):
    eng = _engagement(tmp_path)
    pd.DataFrame({"source": ["crm", "web", "shop"], "rows_read": [10, 5, 3],
                  "rows_loaded": [9, 5, 3]}).to_csv(eng.output_path / "sources_summary.csv", index=False)
    summary = collect_summary(eng)
    assert summary.records == 17  # 9 + 5 + 3 rows loaded
    assert summary.sources["records"].tolist() == [9, 5, 3]


def test_collect_summary_records_from_audit_inventory_before_sources_summary(tmp_path):
    eng = _engagement(tmp_path)
    (eng.output_path / "audit").mkdir()
    pd.DataFrame({"source": ["crm", "web", "shop"], "rows": [1750, 1500, 250],
                  "rows_read": [1751, 1500, 250]}).to_parquet(eng.output_path / "audit" / "inventory.parquet")
    pd.DataFrame({"source": ["crm"], "rows_loaded": [1]}).to_csv(eng.output_path / "sources_summary.csv")
    summary = collect_summary(eng)
    # The audit's inventory wins: 1750 + 1500 + 250 rows loaded.
    assert summary.records == 3500
    assert summary.sources["records"].tolist() == [1750, 1500, 250]
    assert summary.distinct_customers is None  # only the deduplication knows customers


def test_collect_summary_reads_the_review_estimates_of_the_current_crosswalk(tmp_path):
    eng = _engagement(tmp_path)
    # 3 records, 2 customers
    pd.DataFrame({"source": ["crm", "crm", "web"], "record_id": ["1", "2", "a"],
                  "customer_id": ["C1", "C2", "C1"]}).to_csv(eng.output_path / "crosswalk.csv",
                                                              index=False)
    (eng.output_path / "dedup").mkdir()
    estimates = {"n_customers": {"value": 2.4, "low": 2.0, "high": 3.0}, "labelled": 12,
                 "model": {"n_customers": 2.0}}
    path = eng.output_path / "dedup" / "summary.json"
    path.write_text(json.dumps({"n_customers": 2, "estimates": estimates}))
    summary = collect_summary(eng)
    assert summary.estimates == estimates and summary.origins["estimates"] == str(path)
    # the deduplication ran again (3 customers now): the estimates are about another crosswalk
    path.write_text(json.dumps({"estimates": {**estimates, "model": {"n_customers": 3.0}}}))
    summary = collect_summary(eng)
    assert summary.estimates is None
    assert any("estimates are about an earlier deduplication" in m for m in summary.missing)
