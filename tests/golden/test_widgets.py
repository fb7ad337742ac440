"""The review panel: decisions by button and by key go to the label store."""

from __future__ import annotations

import pandas as pd

from rcu_kit.golden.review import LabelStore
from rcu_kit.golden.widgets import ReviewPanel

RECORDS = pd.DataFrame({"source": ["crm", "web", "crm", "web"], "record_id": ["1", "7", "2", "8"],
                        "last_name": ["DUPONT", "DUPOND", "MARTIN", "MARTIN"],
                        "email": ["jd@free.fr", "jd@free.fr", None, "lm@gmail.com"]})
PAIRS = pd.DataFrame({"source_1": ["crm", "crm"], "record_id_1": ["1", "2"],
                      "source_2": ["web", "web"], "record_id_2": ["7", "8"],
                      "match_probability": [0.62, 0.41], "evidence": ["email: exact", "x"]})


def test_buttons_and_keys_label_pairs(tmp_path):
    store = LabelStore(tmp_path / "labels.csv")
    panel = ReviewPanel(PAIRS, RECORDS, store, mask=True, language="en")
    assert "Pair 1 of 2" in panel.header.value and "0.620" in panel.header.value
    # Masked side by side: no raw surname or e-mail on screen.
    assert "DUPONT" not in panel.body.value and "jd@free.fr" not in panel.body.value
    assert "D*****" in panel.body.value
    panel.buttons["match"].click()
    assert panel.position == 1 and "Pair 2 of 2" in panel.header.value
    panel.keys.value = "b"          # back to pair 1
    assert panel.position == 0 and panel.keys.value == ""
    panel.keys.value = "n"          # relabel pair 1 as a non-match
    panel.keys.value = "u"          # pair 2 unsure
    assert panel.current is None and "2 pairs labelled" in panel.header.value
    labels = LabelStore(tmp_path / "labels.csv").labels()
    assert labels["label"].tolist() == ["non_match", "unsure"]
    assert labels["match_probability"].tolist() == [0.62, 0.41]


def test_raw_values_when_the_policy_allows(tmp_path):
    panel = ReviewPanel(PAIRS, RECORDS, LabelStore(tmp_path / "l.csv"), mask=False, language="fr")
    assert "DUPONT" in panel.body.value and "Paire 1 sur 2" in panel.header.value
    panel.act("skip")
    assert panel.position == 1 and len(panel.store) == 0


def test_the_panel_words_attributes_comparisons_and_numbers_in_the_reviewers_language(tmp_path):
    # French: attributes and comparisons in words, the probability with a decimal comma, an
    # attribute one record leaves empty shown as a dash (never "None")
    pairs = PAIRS.assign(evidence=["last_name: close; email: exact", "x"])
    panel = ReviewPanel(pairs, RECORDS, LabelStore(tmp_path / "l.csv"), mask=True, language="fr",
                        labels={"last_name": "Nom d'usage"})
    assert "0,620" in panel.header.value
    body = panel.body.value
    assert "Nom d&#x27;usage" in body or "Nom d'usage" in body
    assert "E-mail" in body and "proche (faute de frappe)" in body and "identique" in body
    assert "Nom : proche (faute de frappe) ; E-mail : identique" in body
    assert "None" not in body and "last_name" not in body
    panel.act("skip")
    assert "–" in panel.body.value         # pair 2: MARTIN of the crm has no e-mail


def test_a_pair_never_proposed_says_so_instead_of_a_probability(tmp_path):
    pairs = PAIRS.assign(match_probability=[float("nan"), 0.41])
    panel = ReviewPanel(pairs, RECORDS, LabelStore(tmp_path / "l.csv"), language="fr")
    assert "paire jamais proposée par le blocage" in panel.header.value
    assert "nan" not in panel.header.value.lower()
