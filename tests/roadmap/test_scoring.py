"""RCU form recommendation: handmade scenarios with their exact expected forms, the direction
in which each criterion moves the forms, provisional recommendations, progressive paths and the
sensitivity table."""

from __future__ import annotations

import pytest

from rcu_kit.core.wording import word_column, word_explanation
from rcu_kit.roadmap.questionnaire import QUESTIONS, Questionnaire
from rcu_kit.roadmap.scoring import (CRITERION_QUESTION, DEFAULT_WEIGHTS, FORMS, Evidence,
                                     criteria_signals, recommend_form)

# A: a small retailer whose CRM is everyone's tool, little money, two people.
SMALL_Q = Questionnaire(crm_is_central=True, budget="low", team_capacity="low")
SMALL_EV = Evidence(n_sources=4, n_formats=2, n_records=40_000, duplicate_rate=0.05,
                    overlap_rate=0.15)
# B: eight systems, two million records, real-time two-way flows, money.
BIG_Q = Questionnaire(real_time_needs=True, two_way_sync=True, budget="high")
BIG_EV = Evidence(n_sources=8, n_formats=3, n_records=2_000_000, duplicate_rate=0.06,
                  overlap_rate=0.30, real_time_flows=2)


def test_low_budget_small_team_central_crm_is_not_mdm():
    rec = recommend_form(SMALL_Q, SMALL_EV)
    # signals: sources (4-2)/4 = 0.5, formats 1/3, small volume (100k-40k)/50k capped at 1,
    # duplicates 5 %/10 % = 0.5, shared 15 %/30 % = 0.5, operational 1, CRM central 1,
    # long-term 1 (default answer), budget low 1, small team 1.
    # crm_hosted: -1/3 (formats) +1 (small) +1 (dups) +3 (operational) +4 (CRM) +1 (long-term)
    #             -1 (budget low) = 8.6667
    # crosswalk:  +2 (small) -0.5 (dups) +1 (shared) -3 (long-term) +4 (budget) +3 (team) = 6.5
    # mdm: 1.5 + 0.6667 - 3 + 1 + 0.5 + 1 - 2 + 2 - 5 - 3 = -6.3333
    assert rec.best == "crm_hosted"
    scores = rec.scores.set_index("form")["score"]
    assert scores["crm_hosted"] == pytest.approx(8.6667, abs=1e-4)
    assert scores["crosswalk"] == pytest.approx(6.5)
    assert scores["mdm"] == pytest.approx(-6.3333, abs=1e-4)
    # customers shared by 4 sources that keep their ids: link them in a table first
    assert rec.path() == {"path": ["crosswalk", "crm_hosted"], "reasons": ["path_shared"]}


def test_many_sources_real_time_two_way_high_budget_is_mdm():
    rec = recommend_form(BIG_Q, BIG_EV)
    # mdm: 3 (8 sources) + 1.3333 (3 formats) + 1.5316 (2M records: log10(20)/log10(50) x 2)
    #      + 1.2 (6 % dups) + 1 (30 % shared) + 2 (real time) + 1 (2 real-time flows)
    #      + 3 (two-way) + 1 (operational) + 2 (long-term) + 3 (budget high) = 20.0649
    assert rec.best == "mdm"
    assert rec.scores.set_index("form")["score"]["mdm"] == pytest.approx(20.0649, abs=1e-4)
    # governance and team at medium: the correspondence table first, then the MDM
    assert rec.path() == {"path": ["crosswalk", "mdm"], "reasons": ["path_governance", "path_team"]}
    # with a CRM being replaced, the path goes through it
    via_crm = recommend_form(BIG_Q.model_copy(update={"crm_replacement_planned": True}), BIG_EV)
    assert via_crm.best == "mdm"
    assert via_crm.path()["path"] == ["crosswalk", "crm_hosted", "mdm"]
    # mature governance and a large team: straight to the MDM
    ready = recommend_form(BIG_Q.model_copy(update={"data_governance": "high",
                                                    "team_capacity": "high"}), BIG_EV)
    assert ready.path() == {"path": ["mdm"], "reasons": []}


def test_a_small_volume_with_the_crm_in_place_is_no_gas_factory():
    # 5,000 records, the CRM central, everything else the scoping's defaults: not a MDM
    q = Questionnaire(crm_is_central=True)
    rec = recommend_form(q, Evidence(n_sources=5, n_formats=3, n_records=5_000,
                                     duplicate_rate=0.04, overlap_rate=0.40, real_time_flows=1))
    assert rec.best == "crm_hosted"


def _delta(q0, ev0, q1, ev1, form):
    s0 = recommend_form(q0, ev0).scores.set_index("form")["score"]
    s1 = recommend_form(q1, ev1).scores.set_index("form")["score"]
    return round(float(s1[form] - s0[form]), 4)


BASE_Q = Questionnaire()
BASE_EV = Evidence(n_sources=2, n_formats=1, n_records=100_000, duplicate_rate=0.0,
                   overlap_rate=0.0)


@pytest.mark.parametrize("change, expected", [
    # more sources (2 -> 6, signal 0 -> 1): MDM +3, decision db +1
    ({"n_sources": 6}, {"mdm": 3, "crm_hosted": 0, "decision_db": 1, "crosswalk": 0}),
    # a large volume (100k -> 5M, signal 1): MDM and decision db +2, the CRM -1
    ({"n_records": 5_000_000}, {"mdm": 2, "crm_hosted": -1, "decision_db": 2, "crosswalk": 0}),
    # a small volume (100k -> 10k, signal 1): against MDM, for the table and the CRM
    ({"n_records": 10_000}, {"mdm": -3, "crm_hosted": 1, "decision_db": -1, "crosswalk": 2}),
    # duplicates within sources (0 -> 10 %): a real deduplication (MDM, CRM), not a table
    ({"duplicate_rate": 0.10}, {"mdm": 2, "crm_hosted": 2, "decision_db": 0, "crosswalk": -1}),
    # customers shared across sources (0 -> 30 %): what a correspondence table links
    ({"overlap_rate": 0.30}, {"mdm": 1, "crm_hosted": 0, "decision_db": 1, "crosswalk": 2}),
])
def test_each_figure_moves_the_forms_the_way_the_method_says(change, expected):
    ev = Evidence(**{**BASE_EV.__dict__, **change})
    assert {f: _delta(BASE_Q, BASE_EV, BASE_Q, ev, f) for f in FORMS} == expected


@pytest.mark.parametrize("change, expected", [
    ({"real_time_needs": True}, {"mdm": 2, "crm_hosted": 2, "decision_db": -3, "crosswalk": -2}),
    ({"two_way_sync": True}, {"mdm": 3, "crm_hosted": 1, "decision_db": -2, "crosswalk": -2}),
    ({"crm_is_central": True}, {"mdm": -2, "crm_hosted": 4, "decision_db": 0, "crosswalk": 0}),
    ({"budget": "high"}, {"mdm": 3, "crm_hosted": 1, "decision_db": 1, "crosswalk": -1}),
    ({"budget": "low"}, {"mdm": -5, "crm_hosted": -1, "decision_db": -1, "crosswalk": 4}),
    ({"team_capacity": "low"}, {"mdm": -3, "crm_hosted": 0, "decision_db": -1, "crosswalk": 3}),
    ({"team_capacity": "high"}, {"mdm": 2, "crm_hosted": 0, "decision_db": 1, "crosswalk": -1}),
    ({"data_governance": "high"}, {"mdm": 2, "crm_hosted": 0, "decision_db": 0, "crosswalk": -1}),
    ({"data_governance": "low"}, {"mdm": -2, "crm_hosted": 0, "decision_db": 0, "crosswalk": 1}),
])
def test_each_answer_moves_the_forms_the_way_the_method_says(change, expected):
    q = BASE_Q.model_copy(update=change)
    assert {f: _delta(BASE_Q, BASE_EV, q, BASE_EV, f) for f in FORMS} == expected


def test_a_no_answer_or_a_medium_level_never_scores():
    # every yes/no question answered "no", every level "medium", even with real-time flows in
    # the sources: the criteria reading those answers contribute exactly 0 to every form
    q = Questionnaire(objective="operational", real_time_needs=False, two_way_sync=False,
                      crm_is_central=False, has_data_warehouse=False,
                      crm_replacement_planned=False, long_term_reference=False)
    rec = recommend_form(q, Evidence(n_sources=3, real_time_flows=2))
    c = rec.contributions.set_index("criterion")
    from_answers = [k for k, question in CRITERION_QUESTION.items()
                    if question and question != "objective"]
    assert (c.loc[from_answers, list(FORMS)] == 0).all().all()
    # "Besoin temps réel : non" scored +1.0 before; the flows are their own criterion now
    assert c.loc["real_time", "mdm"] == 0 and c.loc["real_time_flows", "mdm"] == 1.0


def test_defaults_make_a_provisional_recommendation_never_worded_as_answers():
    rec = recommend_form(Questionnaire(budget="low"), BASE_EV,
                         unanswered=[q for q in QUESTIONS if q != "budget"])
    assert rec.provisional and len(rec.unanswered) == 9
    basis = rec.basis("fr")
    assert basis["budget_low"] == "réponse : faible"                 # answered
    assert basis["long_term"] == "par défaut : oui, à confirmer"     # not answered
    text = rec.explanation("fr")
    assert "réponse : oui" not in text
    assert "Recommandation provisoire : elle repose sur 9 réponse(s) par défaut" in text
    figures = rec.explanation_figures()
    assert figures["provisional"] is True and figures["unanswered"][0] == "objective"
    answered = recommend_form(Questionnaire(budget="low"), BASE_EV)
    assert not answered.provisional and "provisoire" not in answered.explanation("fr")


def test_sensitivity_table_names_the_single_answers_that_change_the_form():
    rec = recommend_form(SMALL_Q, SMALL_EV)
    table = rec.sensitivity()
    # one row per other answer: objective 2 + 6 yes/no questions x 1 + 3 levels x 2 = 14 rows
    assert len(table) == 14
    changes = table[table["changes"]][["question", "alternative", "best"]].values.tolist()
    # crm_hosted 8.6667 vs crosswalk 6.5: analytics (crm -4, table +1: 4.67 vs 7.5), both (crm
    # -2, table +0.5: 6.67 vs 7.0), CRM not central (crm -4: 4.67 vs 6.5), not long-term (crm
    # -1, table +3: 7.67 vs 9.5)
    assert changes == [["objective", "analytics", "crosswalk"], ["objective", "both", "crosswalk"],
                       ["crm_is_central", "false", "crosswalk"],
                       ["long_term_reference", "false", "crosswalk"]]
    pivots = rec.explanation_figures()["pivots"]
    assert [p["question"] for p in pivots] == ["objective", "objective", "crm_is_central",
                                                "long_term_reference"]


def test_explanation_margin_matches_the_scores_shown():
    # 12.5833 and 5.8333 show as 12.6 and 5.8: the text says 6.8 points, as the chart reads,
    # not round(6.75) = 6.7 (the "12,6, 6,7 points devant" of the demo)
    figures = {"form": "mdm", "score": 12.5833, "runner_up": "crm_hosted", "margin": 6.75,
               "reasons": []}
    assert "score 12,6, 6,8 points devant" in word_explanation(figures, "fr")


def test_explanation_in_both_languages():
    rec = recommend_form(SMALL_Q, SMALL_EV)
    assert rec.explanation("en").startswith(
        "Recommended form: Hosted in the transactional tool (CRM, SFA, service) (score 8.7, 2.2 "
        "points ahead of \"Identifier correspondence table (minimal)\"). Main reasons: CRM already "
        "central (answer: yes, +4.0), Operational use (answer: operational, +3.0)")
    assert "Step by step: Identifier correspondence table (minimal) → Hosted in the" in \
        rec.explanation("en")
    assert rec.explanation("fr").startswith("Forme recommandée : Hébergé dans l'outil "
                                            "transactionnel (CRM, SFA, service client) (score 8,7, 2,2 points")
    assert "=" not in rec.explanation("fr") and "=" not in rec.explanation("en")


def test_basis_of_each_criterion_in_french():
    q = Questionnaire(objective="both", budget="low", real_time_needs=True)
    ev = Evidence(n_sources=4, n_formats=3, n_records=1_234_567, duplicate_rate=0.0375,
                  overlap_rate=None, real_time_flows=2)
    signals = criteria_signals(q, ev)
    coded = signals.set_index("criterion")
    assert coded.loc["duplicates", ["basis_code", "basis_params"]].tolist() == \
        ["basis_duplicates", '{"rate": 0.0375}']
    assert coded.loc["real_time", ["basis_code", "basis_params"]].tolist() == \
        ["basis_answer", '{"answer": "true"}']
    basis = word_column(signals["basis_code"], signals["basis_params"], "fr").set_axis(signals["criterion"])
    assert basis["many_sources"] == "4 sources"
    assert basis["large_volume"] == "1\u202f234\u202f567 enregistrements"
    assert basis["duplicates"] == "3,8\u00a0% de doublons dans les sources"
    assert basis["shared_customers"] == "inconnu"
    assert basis["real_time"] == "réponse : oui"
    assert basis["real_time_flows"] == "2 flux temps réel"
    assert basis["operational_use"] == "réponse : opérationnel et analytique"
    en = word_column(signals["basis_code"], signals["basis_params"], "en").set_axis(signals["criterion"])
    assert en["real_time_flows"] == "2 real-time flow(s)"
    assert en["duplicates"] == "3.8% duplicates within sources"
    # no record count measured yet: the volume criteria are unknown, not "0 records"
    none = criteria_signals(q, Evidence(n_sources=2)).set_index("criterion")
    assert none.loc["small_volume", "basis_code"] == "basis_unknown"
    assert none.loc["small_volume", "signal"] == 0.0


def test_weights_are_editable_and_checked():
    rec = recommend_form(SMALL_Q, SMALL_EV, weights={"crm_is_central": {"crm_hosted": -4}})
    assert rec.best == "crosswalk"                         # 0.6667 for the CRM then
    assert DEFAULT_WEIGHTS["crm_is_central"]["crm_hosted"] == 4   # defaults untouched
    with pytest.raises(ValueError, match="unknown criterion 'price'"):
        recommend_form(SMALL_Q, SMALL_EV, weights={"price": {"mdm": 1}})
    with pytest.raises(ValueError, match="unknown form 'sap'; forms are: mdm, crm_hosted"):
        recommend_form(SMALL_Q, SMALL_EV, weights={"long_term": {"sap": 1}})


def test_two_way_real_time_bridges_with_a_peak_move_the_forms_towards_a_hub():
    # a CRM every team uses, three sources, operational use; the same answers twice, once with
    # two asynchronous one-way flows, once with both synchronous, two-way and peaking 15 times
    # their usual volume
    q = Questionnaire(crm_is_central=True)
    calm = recommend_form(q, Evidence(n_sources=3, n_flows=2))
    busy = recommend_form(q, Evidence(n_sources=3, n_flows=2, real_time_two_way=2, sync_peaks=2))
    signals = busy.contributions.set_index("criterion")
    # 2 flows: (2-2)/6 = 0, not many bridges; 2 two-way real-time bridges: 2/2 = 1; peaks capped at 1
    assert signals.loc["many_bridges", "signal"] == 0.0
    assert signals.loc["real_time_two_way", "signal"] == 1.0
    assert signals.loc["sync_peaks", "signal"] == 1.0
    # weights: two-way real-time mdm +3, crm_hosted +1, decision_db -2, crosswalk -2;
    # peaks mdm +1, the three others -1 each
    delta = (busy.scores.set_index("form")["score"] - calm.scores.set_index("form")["score"]).to_dict()
    assert delta == {"mdm": 4.0, "crm_hosted": 0.0, "decision_db": -3.0, "crosswalk": -3.0}
    # calm: sources 0.25 x (mdm 3, ddb 1); operational 1 x (1, 3, -2, 0); CRM central (-2, 4);
    # long-term (2, 1, 1, -3): mdm 0.75+1-2+2 = 1.75, crm_hosted 3+4+1 = 8
    assert calm.scores.set_index("form")["score"].to_dict() == {
        "mdm": 1.75, "crm_hosted": 8.0, "decision_db": -0.75, "crosswalk": -3.0}
    assert calm.best == busy.best == "crm_hosted"
    # without a central CRM the hub wins: busy mdm 1.75+2+4 = 7.75 against crm_hosted 8-4 = 4
    hub = recommend_form(Questionnaire(), Evidence(n_sources=3, n_flows=2, real_time_two_way=2,
                                                   sync_peaks=2))
    assert hub.best == "mdm" and hub.scores.set_index("form")["score"]["mdm"] == 7.75
    # eight flows are many bridges: (8-2)/6 = 1, mdm +2, crosswalk -1
    many = recommend_form(q, Evidence(n_sources=3, n_flows=8)).contributions.set_index("criterion")
    assert many.loc["many_bridges", ["mdm", "crm_hosted", "crosswalk"]].tolist() == [2.0, 0.0, -1.0]
    basis = word_column(signals["basis_code"], signals["basis_params"], "fr")
    assert basis["real_time_two_way"] == "flux synchrones bidirectionnels : 2"
    assert basis["sync_peaks"] == "flux synchrones à fort pic : 2"
