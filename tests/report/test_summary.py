"""Tests of rcu_kit.report.summary: executive-summary figures read from the steps' saved outputs."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import pytest

from rcu_kit.core.config import load_engagement
from rcu_kit.report.summary import (collect_summary, crosswalk_figures, executive_brief,
                                     overlap_matrix, top_gaps)

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
    # of those 3, only r2 repeats a customer of its own source (C1 in crm): 1 of 7 records; w1
    # and s1 are customers seen again in another source, which is not a duplicate to clean
    assert f["within_source_duplicates"] == 1
    assert f["within_source_duplicate_rate"] == pytest.approx(1 / 7)
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
    # the page's duplicates are those within sources (1 of 7), the overall 3/7 kept apart
    assert summary.duplicate_rate == pytest.approx(1 / 7)
    assert summary.overall_duplicate_rate == pytest.approx(3 / 7)
    assert (summary.n_gaps, summary.n_high_gaps) == (2, 1)
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
    # 1,000 records for 800 customers (20 % overall); within the sources, crm 600 records for
    # 580 customers and web 400 for 390: 30 duplicates, 3 %; the rest is cross-source presence
    (eng.output_path / "dedup" / "summary.json").write_text(json.dumps(
        {"n_records": 1000, "n_customers": 800, "duplicate_rate": 0.2, "overlap_rate": 0.1,
         "per_source": [{"source": "crm", "records": 600, "customers": 580},
                        {"source": "web", "records": 400, "customers": 390}]}))
    (eng.output_path / "roadmap").mkdir()
    (eng.output_path / "roadmap" / "summary.json").write_text(json.dumps({"recommended_form": "x"}))
    summary = collect_summary(eng)
    assert (summary.records, summary.distinct_customers, summary.overlap_rate) == (1000, 800, 0.1)
    assert summary.duplicate_rate == pytest.approx(0.03)
    assert summary.overall_duplicate_rate == 0.2
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


def test_the_review_estimates_never_replace_the_duplicates_within_sources(tmp_path):
    eng = _engagement(tmp_path)
    pd.DataFrame({"source": ["crm", "crm", "web"], "record_id": ["1", "2", "a"],
                  "customer_id": ["C1", "C2", "C1"]}).to_csv(eng.output_path / "crosswalk.csv",
                                                              index=False)
    (eng.output_path / "dedup").mkdir()
    # the review estimates the overall rate (within and across sources): not the page's figure
    estimates = {"n_customers": {"value": 2.4, "low": 2.0, "high": 3.0},
                 "duplicate_rate": {"value": 0.2, "low": 0.1, "high": 0.3}, "labelled": 12,
                 "model": {"n_customers": 2.0}}
    (eng.output_path / "dedup" / "summary.json").write_text(json.dumps({"estimates": estimates}))
    summary = collect_summary(eng)
    assert "duplicate_rate" not in summary.estimates
    assert summary.estimates["n_customers"] == estimates["n_customers"]
    assert summary.duplicate_rate == 0.0          # no customer twice in one source


def _roadmap_summary(out, **more):
    (out / "roadmap").mkdir(exist_ok=True)
    figures = {"form": "mdm", "score": 5.81, "runner_up": "crm_hosted", "margin": 0.25,
               "reasons": [], "provisional": True, "unanswered": ["budget", "crm_is_central"],
               "path": ["crosswalk", "mdm"],
               "pivots": [{"question": "crm_is_central", "answer": "true", "status": "default",
                           "form": "crm_hosted"}]}
    (out / "roadmap" / "summary.json").write_text(json.dumps({
        "recommended_form": "mdm", "planned_form": "mdm", "provisional": True,
        "unanswered": ["budget", "crm_is_central"], "explanation": figures,
        "path": ["crosswalk", "mdm"], "n_workstreams": 7, "team": 4.0,
        "start_date": "2026-12-07", "end_date": "2028-07-07", "months": 19.0,
        "budget_low": 511450.0, "budget_high": 1504600.0, **more}))


def test_executive_brief_in_french_marks_a_provisional_recommendation(tmp_path):
    eng = _engagement(tmp_path)
    eng.language = "fr"
    out = eng.output_path
    CROSSWALK.to_csv(out / "crosswalk.csv", index=False)
    _roadmap_summary(out)
    summary = collect_summary(eng)
    assert summary.provisional and summary.unanswered == ["budget", "crm_is_central"]
    brief = executive_brief(summary)
    # 7 records, 3 sources, 4 customers; 1 duplicate within a source (1/7 = 14.3 %); C1 and C2
    # in two sources (2 of 4 = 50 %)
    assert brief["findings"] == [
        "7 enregistrements clients dans 3 sources correspondent à 4 clients distincts.",
        "Doublons dans les sources : 14,3\u00a0% des enregistrements (1) répètent un client de "
        "leur propre source ; c'est ce qu'il faut dédoublonner.",
        "50,0\u00a0% des clients (2) sont connus de plusieurs systèmes : ce n'est pas une "
        "anomalie, mais aucun identifiant commun ne les relie aujourd'hui."]
    assert brief["provisional"] is True and brief["form"] == "Outil MDM dédié"
    assert brief["recommendation"] == [
        "Forme de RCU recommandée : Outil MDM dédié.",
        "Démarche progressive : Table de correspondance des identifiants (minimal) → Outil MDM dédié.",
        "Recommandation provisoire : 2 des 10 questions du questionnaire de cadrage n'ont pas "
        "encore été posées au client ; leurs valeurs par défaut ont été utilisées.",
        "Programme de 19 mois, du 07/12/2026 au 07/07/2028, avec 4 personnes mobilisées au plus ; "
        "budget estimé entre 511 et 1\u202f505 k€ (licences de la première année comprises)."]
    # the open question that would change the form first, then the other open one
    assert brief["decisions"][:2] == [
        "Répondre en priorité aux questions ouvertes dont la réponse peut changer la forme "
        "recommandée : CRM déjà central.",
        "Répondre aux autres questions encore ouvertes : budget."]
    assert brief["next_steps"][:2] == [
        "Atelier de validation du questionnaire de cadrage avec le client, puis mise à jour de "
        "la recommandation.",
        "Mettre en service la table de correspondance des identifiants déjà construite par "
        "l'étude (crosswalk.csv) : premier pas vers le référentiel."]
    # the form's paragraph says it too, in the engagement's language, never "réponse : ..."
    assert "Recommandation provisoire : elle repose sur 2 réponse(s) par défaut" in \
        summary.form_explanation
    # answered: no provisional mark anywhere
    _roadmap_summary(out, provisional=False, unanswered=[])
    answered = collect_summary(eng)
    assert not answered.provisional
    assert not any("provisoire" in line for line in executive_brief(answered)["recommendation"])


def test_executive_brief_states_only_what_was_measured(tmp_path):
    brief = executive_brief(collect_summary(_engagement(tmp_path)))
    assert brief == {"findings": [], "form": None, "provisional": False, "recommendation": [],
                     "decisions": [], "next_steps": [], "gdpr": [], "risks": [],
                     "decision_counts": {"answered": 0, "pending": 0}, "pending_decisions": []}


def test_summary_page_states_the_flows_gdpr_risks_and_decisions(tmp_path):
    eng = _engagement(tmp_path)
    eng.language = "en"
    out = eng.output_path
    CROSSWALK.to_csv(out / "crosswalk.csv", index=False)
    _roadmap_summary(
        out,
        bridges={"flows": 5, "systems": 6, "hub": "CRM", "two_way": 2, "sync": 1,
                 "real_time_two_way": 1, "by_protocol": {}, "open_questions": 3},
        gdpr={"consent": {"attribute": "email_optin", "sources": ["crm", "web"], "records": 8,
                          "records_known": 6, "records_yes": 4, "customers": 4,
                          "customers_known": 3, "customers_yes": 3, "customers_conflicting": 1},
              "inactive": {"attribute": "last_activity_at", "retention_months": 36,
                           "retention_from": "target_model", "reference_date": "2026-12-01",
                           "customers_dated": 4, "customers_inactive": 1},
              "legal_basis": None, "minimisation": {"no_purpose": 2}, "missing": []},
        risks=[{"id": "R1", "risk": "consent_conflicts", "probability": "high", "impact": "high",
                "evidence_code": "ev_consent_conflicts",
                "evidence_params": '{"customers": 3, "n": 1}', "workstream": "W3"}],
        decisions=[{"id": "D1", "topic": "objective", "status": "pending", "changes_form": False},
                   {"id": "D2", "topic": "crm_is_central", "status": "pending", "changes_form": True},
                   {"id": "D3", "topic": "legal_basis", "status": "pending", "changes_form": False},
                   {"id": "D4", "topic": "team", "status": "answered", "changes_form": False}])
    brief = executive_brief(collect_summary(eng))
    # consent known for 3 of the 4 customers concerned (75.0 %); 1 of 4 dated inactive (25.0 %)
    assert brief["findings"][-3:] == [
        '5 flows link 6 systems around "CRM" (two-way: 2, synchronous among them: 1): they weigh '
        "on the cost of the interfaces and on the choice of the form.",
        "GDPR: consent known for 75.0% of the customers of the sources collecting it (crm, web); "
        "customers with a yes in one source and a no in another: 1.",
        "GDPR: customers inactive for more than 36 months, beyond the retention period: 1 "
        "(25.0%)."]
    # no risk of ownership in the register: no decision on owners; the legal basis is asked
    assert "Appoint an owner for each attribute of the customer record (governance)." \
        not in brief["decisions"]
    assert "Establish with the DPO the legal basis of each processing of the reference." \
        in brief["decisions"]
    gdpr = {row["label"]: row["value"] for row in brief["gdpr"]}
    assert gdpr["Customers with conflicting consents across sources"] == "1 of 3 (33.3%)"
    assert gdpr["Retention period used"] == "36 months (read from the target customer record)"
    assert gdpr["Legal basis"] == "to establish with the client and the DPO"
    assert brief["risks"] == [{
        "id": "R1", "risk": "Conflicting consents across sources",
        "evidence": "customers with a yes in one source and a no in another: 1 (of 3 with a "
                    "known consent)",
        "probability": "High", "impact": "High",
        "mitigation": "A proof-of-consent rule (the latest, timestamped, with its source)",
        "workstream": "W3"}]
    # pending decisions, the one that would change the form first
    assert brief["decision_counts"] == {"answered": 1, "pending": 3}
    assert brief["pending_decisions"] == ["CRM already central", "objective of the reference",
                                          "Legal basis of the processing"]


def test_figures_repeated_on_several_pages_agree(tmp_path):
    """The summary page, the roadmap page (its tables, chart and summary.json) and the
    deduplication figures state the same customers, duplicate rates, scores and totals."""
    from datetime import date

    from rcu_kit.core.i18n import fmt_percent, t
    from rcu_kit.dedup.figures import duplicate_split, headline_figures, per_source_figures
    from rcu_kit.roadmap.charts import score_breakdown_chart
    from rcu_kit.roadmap.run import build_roadmap, client_tables, export_roadmap

    eng = _engagement(tmp_path)
    eng.language = "fr"
    eng.questionnaire = {"budget": "low"}
    out = eng.output_path
    CROSSWALK.to_csv(out / "crosswalk.csv", index=False)
    head, per_source = headline_figures(CROSSWALK), per_source_figures(CROSSWALK)
    (out / "dedup").mkdir()
    # purchases: C1 in web 2024, C2 in shop 2019 (older than 36 months), C3 and C4 none
    from rcu_kit.core.config import CustomerRule
    from rcu_kit.dedup.figures import customer_split

    purchases = CROSSWALK[["source", "record_id"]].assign(
        last_purchase=[None, None, None, "2024-03-01", None, "2019-05-01", None])
    split = customer_split(CROSSWALK, purchases, CustomerRule(
        attribute="last_purchase", within_months=36, reference_date=date(2024, 12, 31)))
    assert (split["customers"], split["prospects"]) == (1, 3)
    (out / "dedup" / "summary.json").write_text(json.dumps({
        "n_records": head["n_records"], "n_customers": head["n_customers"],
        "duplicate_rate": head["duplicate_rate"], "overlap_rate": head["overlap_rate"],
        "per_source": per_source[["source", "records", "customers", "duplicate_rate"]]
        .to_dict("records"), "customer_split": split}))
    rm = build_roadmap(eng, start=date(2027, 1, 4))
    export_roadmap(rm, eng)
    summary = collect_summary(eng)
    brief = executive_brief(summary)
    rec = rm.recommendation

    # customers and records: the crosswalk, the dedup figures, the roadmap's evidence
    assert summary.records == head["n_records"] == rm.evidence.n_records == 7
    assert summary.distinct_customers == head["n_customers"] == 4
    # customers and prospects by the definition: the same 1 and 3 in the findings and key figures
    assert "sur 4 clients distincts, clients : 1 ; prospects : 3" in brief["findings"][0]
    from rcu_kit.report.html import render_index
    index = render_index(summary, tmp_path / "index.html", reports=[], profiles=[], workbooks=[])
    assert "clients : 1 · prospects : 3 (définition de la mission)" in index.read_text(encoding="utf-8")
    # duplicates within sources: one figure everywhere (1/7), never the overall 3/7
    within = duplicate_split(CROSSWALK)["within_source_duplicate_rate"]
    assert summary.duplicate_rate == pytest.approx(within) == pytest.approx(rm.evidence.duplicate_rate)
    shown = fmt_percent(within, "fr", 1)                            # "14,3 %"
    assert shown in brief["findings"][1]
    assert rec.basis("fr")["duplicates"] == f"{shown} de doublons dans les sources"
    assert fmt_percent(head["duplicate_rate"], "fr", 1) not in " ".join(brief["findings"])
    # customers in several sources: the same share on both pages
    assert summary.overlap_rate == head["overlap_rate"] == rm.evidence.overlap_rate == 0.5
    assert rec.basis("fr")["shared_customers"] == "50,0\u00a0% de clients partagés"
    # the recommendation and its provisional mark
    assert summary.recommended_form == rec.best
    assert summary.provisional is rec.provisional is True
    assert summary.unanswered == rm.unanswered and len(rm.unanswered) == 9
    assert summary.form_explanation == rec.explanation("fr")
    # scores: the text's score and margin are the chart's totals as shown
    chart_totals = score_breakdown_chart(rec, "fr").data[-1]
    totals = dict(zip(chart_totals.x, chart_totals.text))
    ranked = rec.scores.sort_values("rank")["form"].tolist()
    best_shown, second_shown = (totals[t(f"roadmap.form_{f}", "fr")] for f in ranked[:2])
    gap = round(float(best_shown.replace(",", ".")) - float(second_shown.replace(",", ".")), 1)
    assert f"score {best_shown}, {str(gap).replace('.', ',')} points devant" in summary.form_explanation
    # totals: months and budget on the summary page, in summary.json and in the budget table
    assert summary.plan["months"] == round(rm.months, 1)
    assert (summary.plan["budget_low"], summary.plan["budget_high"]) == rm.budget
    budget = client_tables(rm, "fr")["budget"]
    low, high = rm.budget
    assert budget.iloc[-1, 1] == f"{round(low / 1000):,} – {round(high / 1000):,} k€".replace(",", "\u202f")
    assert summary.plan["n_workstreams"] == 7
    # the GDPR section, the risk register and the decision log: the roadmap's, on the summary page
    tables = client_tables(rm, "fr")
    assert [r["id"] for r in brief["risks"]] == tables["risks"]["Réf."].tolist()
    assert [r["evidence"] for r in brief["risks"]] == tables["risks"]["Constat"].tolist()
    assert [(r["label"], r["value"]) for r in brief["gdpr"]] == \
        list(tables["gdpr"].itertuples(index=False, name=None))
    assert sum(brief["decision_counts"].values()) == len(tables["decisions"])
    sheets = pd.read_excel(out / "roadmap" / "roadmap.xlsx", sheet_name=None)
    assert (sheets["workstreams"]["kind"] == "workstream").sum() == 7


def test_executive_brief_states_the_review_estimates_as_the_key_figures_do(tmp_path):
    eng = _engagement(tmp_path)
    out = eng.output_path
    CROSSWALK.to_csv(out / "crosswalk.csv", index=False)
    (out / "dedup").mkdir()
    # the review estimates 4.4 customers [4 - 5] and 45 % [40 - 52 %] in several sources, for
    # the crosswalk's 4 customers: the brief says what the key figures show
    (out / "dedup" / "summary.json").write_text(json.dumps({"estimates": {
        "n_customers": {"value": 4.4, "low": 4, "high": 5},
        "overlap_rate": {"value": 0.45, "low": 0.40, "high": 0.52},
        "labelled": 20, "model": {"n_customers": 4}}}))
    findings = executive_brief(collect_summary(eng))["findings"]
    assert findings[0] == ("7 customer records in 3 sources are 4 distinct customers (between 4 "
                           "and 5 from the review of a sample).")
    assert findings[2] == ("45.0% of the customers (between 40.0% and 52.0% from the review of a "
                           "sample) are known to several systems, with no common identifier.")


def _split(status="ok", n_customers=4, **more):
    """A dedup/summary.json customer_split (rcu_kit.dedup.figures.customer_split)."""
    return {"status": status, "attribute": "last_purchase", "within_months": 36,
            "sources": ["web", "shop"], "reference_date": "2024-12-31", "reference_from": "setting",
            "n_customers": n_customers, "customers": None, "prospects": None,
            "prospects_lapsed": None, "prospects_undated": None, **more}


def test_distinct_customers_are_split_by_the_engagements_definition(tmp_path):
    eng = _engagement(tmp_path)
    out = eng.output_path
    CROSSWALK.to_csv(out / "crosswalk.csv", index=False)
    (out / "dedup").mkdir()
    # of the crosswalk's 4 customers, 3 bought within 36 months: 1 prospect, lapsed
    (out / "dedup" / "summary.json").write_text(json.dumps({"customer_split": _split(
        customers=3, prospects=1, prospects_lapsed=1, prospects_undated=0)}))
    summary = collect_summary(eng)
    assert (summary.customer_split["customers"], summary.customer_split["prospects"]) == (3, 1)
    assert executive_brief(summary)["findings"][0] == (
        "7 customer records in 3 sources are 4 distinct customers. By the engagement's definition "
        "(a 'last_purchase' date within the 36 months before 2024-12-31, in web, shop), of the 4 "
        "distinct customers, customers: 3; prospects: 1 (latest date older: 1; no date at all: 0).")
    # the data do not hold the attribute: said in one line, the 4 not split
    (out / "dedup" / "summary.json").write_text(json.dumps({"customer_split": _split("no_attribute")}))
    assert executive_brief(collect_summary(eng))["findings"][0].endswith(
        "4 distinct customers. Customers and prospects cannot be told apart: no source holds the "
        "definition's attribute 'last_purchase'; the 4 distinct customers count both.")
    # a split of an earlier deduplication (5 customers, the crosswalk has 4) is left out
    (out / "dedup" / "summary.json").write_text(json.dumps({"customer_split": _split(
        n_customers=5, customers=3, prospects=2, prospects_lapsed=2, prospects_undated=0)}))
    stale = collect_summary(eng)
    assert stale.customer_split is None
    assert stale.missing[0].endswith("the customers and prospects are about an earlier "
                                     "deduplication (rerun it)")
