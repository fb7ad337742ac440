"""RCU form recommendation: one handmade questionnaire per form, with the expected explanation."""

from __future__ import annotations

import pytest

from rcu_kit.roadmap.questionnaire import Questionnaire
from rcu_kit.core.wording import word_column, word_explanation
from rcu_kit.roadmap.scoring import DEFAULT_WEIGHTS, FORMS, Evidence, criteria_signals, recommend_form

CASES = {
    # A retailer with 7 systems, real-time two-way flows, money and people: a dedicated MDM.
    "mdm": (Questionnaire(objective="both", real_time_needs=True, two_way_sync=True, budget="high",
                          team_capacity="high", data_governance="high"),
            Evidence(n_sources=7, n_formats=4, n_records=3_000_000, duplicate_rate=0.12,
                     overlap_rate=0.35, real_time_flows=2)),
    # Two sources, the CRM is already everyone's tool and is being replaced: host it in the CRM.
    "crm_hosted": (Questionnaire(objective="operational", real_time_needs=True, crm_is_central=True,
                                 crm_replacement_planned=True),
                   Evidence(n_sources=2, n_formats=1, n_records=80_000, duplicate_rate=0.05,
                            overlap_rate=0.10)),
    # Customer knowledge is the goal and a warehouse exists: a decision-support database.
    "decision_db": (Questionnaire(objective="analytics", has_data_warehouse=True),
                    Evidence(n_sources=4, n_formats=2, n_records=2_000_000, duplicate_rate=0.04,
                             overlap_rate=0.20)),
    # Little money, one person, a first step only: the identifier correspondence table.
    "crosswalk": (Questionnaire(objective="both", budget="low", team_capacity="low",
                                long_term_reference=False),
                  Evidence(n_sources=3, n_formats=2, n_records=60_000, duplicate_rate=0.03,
                           overlap_rate=0.25)),
}

# The three criteria that pushed hardest towards the expected form, strongest first.
EXPECTED_REASONS = {
    "mdm": ["budget_high", "many_sources", "two_way_sync"],            # +3 each, ties by name
    "crm_hosted": ["crm_is_central", "crm_project", "operational_use"],  # +4, +3, +3
    "decision_db": ["analytics_use", "has_data_warehouse", "large_volume"],  # +4, +3, +1.53
    "crosswalk": ["budget_low", "small_team", "shared_customers"],     # +4, +3, +0.83
}


@pytest.mark.parametrize("form", FORMS)
def test_each_handmade_case_gives_its_form_and_reasons(form):
    questionnaire, evidence = CASES[form]
    rec = recommend_form(questionnaire, evidence)
    assert rec.best == form
    assert list(rec.top_reasons()["criterion"]) == EXPECTED_REASONS[form]
    assert rec.scores.loc[rec.scores["form"] == form, "rank"].item() == 1
    # the score is exactly the sum of the contributions shown
    assert rec.scores.set_index("form")["score"][form] == pytest.approx(rec.contributions[form].sum())


def test_explanations_in_both_languages():
    rec = recommend_form(*CASES["crosswalk"])
    # crosswalk 7.3833 vs decision_db 0.4166: margin 6.97 -> "7.0"
    assert rec.explanation("en").startswith(
        "Recommended form: Identifier correspondence table (minimal) (score 7.4, 7.0 points ahead of "
        "\"Decision-support customer database\"). Main reasons: Limited budget (answer: low, +4.0)")
    # the French text is French throughout, answers included (no "budget=low" left in it)
    assert rec.explanation("fr").startswith(
        "Forme recommandée : Table de correspondance des identifiants (minimal) (score 7,4, 7,0 points")
    # decimal comma in French: +4,0, not +4.0
    assert "Budget limité (réponse : faible, +4,0)" in rec.explanation("fr")
    assert "=" not in rec.explanation("fr") and "=" not in rec.explanation("en")


def test_explanation_figures_are_codes_and_numbers():
    rec = recommend_form(*CASES["crosswalk"])
    figures = rec.explanation_figures()
    # what roadmap/summary.json saves: the forms by their codes, the scores as numbers
    assert (figures["form"], figures["runner_up"]) == ("crosswalk", "decision_db")
    assert figures["score"] == pytest.approx(7.3833) and figures["margin"] == pytest.approx(6.9667)
    assert figures["reasons"][0] == {"criterion": "budget_low", "basis_code": "basis_answer",
                                     "basis_params": {"answer": "low"}, "contribution": 4.0}
    assert rec.explanation("en") == word_explanation(figures, "en") == (
        "Recommended form: Identifier correspondence table (minimal) (score 7.4, 7.0 points ahead of "
        "\"Decision-support customer database\"). Main reasons: Limited budget (answer: low, +4.0), "
        "Small team (answer: low, +3.0), Customers shared across sources (25.0% shared customers, +0.8).")
    assert word_explanation(figures, "fr") == (
        "Forme recommandée : Table de correspondance des identifiants (minimal) (score 7,4, 7,0 "
        "points devant « Base décisionnelle dédiée à la connaissance client »). Principaux "
        "arguments : Budget limité (réponse : faible, +4,0), Équipe réduite (réponse : faible, +3,0), "
        "Clients partagés entre sources (25,0\u00a0% de clients partagés, +0,8).")


def test_basis_of_each_criterion_in_french():
    q = Questionnaire(objective="both", budget="low", real_time_needs=True)
    ev = Evidence(n_sources=4, n_formats=3, n_records=1_234_567, duplicate_rate=0.0375,
                  overlap_rate=None, real_time_flows=2)
    signals = criteria_signals(q, ev)
    # saved as codes and figures, the same in either language
    coded = signals.set_index("criterion")
    assert coded.loc["duplicates", ["basis_code", "basis_params"]].tolist() == \
        ["basis_duplicates", '{"rate": 0.0375}']
    assert coded.loc["real_time", ["basis_code", "basis_params"]].tolist() == \
        ["basis_real_time", '{"answer": "true", "flows": 2}']
    assert coded.loc["budget_low", ["basis_code", "basis_params"]].tolist() == \
        ["basis_answer", '{"answer": "low"}']
    basis = word_column(signals["basis_code"], signals["basis_params"], "fr").set_axis(signals["criterion"])
    assert basis["many_sources"] == "4 sources"
    assert basis["large_volume"] == "1\u202f234\u202f567 enregistrements"   # French thousands
    assert basis["duplicates"] == "3,8\u00a0% de doublons"               # 3.75 % to one decimal
    assert basis["shared_customers"] == "inconnu"
    assert basis["real_time"] == "réponse : oui, 2 flux temps réel"
    assert basis["operational_use"] == "réponse : opérationnel et analytique"
    assert basis["budget_low"] == "réponse : faible"
    en = word_column(signals["basis_code"], signals["basis_params"], "en").set_axis(signals["criterion"])
    assert en["real_time"] == "answer: yes, 2 real-time flow(s)"
    assert en["large_volume"] == "1,234,567 records" and en["duplicates"] == "3.8% duplicates"


def test_signals_are_exact_on_known_evidence():
    q = Questionnaire(objective="both", budget="low", team_capacity="medium")
    signals = criteria_signals(q, Evidence(n_sources=4, n_formats=3, n_records=100_000,
                                           duplicate_rate=0.30, real_time_flows=1)).set_index("criterion")
    assert signals.loc["many_sources", "signal"] == 0.5        # (4 - 2) / 4
    assert signals.loc["format_diversity", "signal"] == pytest.approx(2 / 3)  # (3 - 1) / 3
    assert signals.loc["large_volume", "signal"] == 0.0        # 100k is not large
    assert signals.loc["duplicates", "signal"] == 1.0          # 30 % caps at 1 (full at 15 %)
    assert signals.loc["shared_customers", "signal"] == 0.0    # unknown overlap counts nothing
    assert signals.loc["shared_customers", "basis_code"] == "basis_unknown"
    assert signals.loc["real_time", "signal"] == 0.5           # a real-time flow, no stated need
    assert signals.loc["operational_use", "signal"] == 0.5     # objective both
    assert signals.loc["budget_low", "signal"] == 1.0
    assert signals.loc["small_team", "signal"] == 0.5


def test_weights_are_editable_and_checked():
    q, ev = CASES["crm_hosted"]
    # make "CRM already central" argue against hosting in the CRM: MDM wins instead
    rec = recommend_form(q, ev, weights={"crm_is_central": {"crm_hosted": -4}})
    assert rec.best == "mdm"
    assert DEFAULT_WEIGHTS["crm_is_central"]["crm_hosted"] == 4   # defaults untouched
    with pytest.raises(ValueError, match="unknown criterion 'price'"):
        recommend_form(q, ev, weights={"price": {"mdm": 1}})
    with pytest.raises(ValueError, match="unknown form 'sap'; forms are: mdm, crm_hosted"):
        recommend_form(q, ev, weights={"long_term": {"sap": 1}})
