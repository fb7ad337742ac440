"""Tests of rcu_kit.core.wording: codes and figures saved by the steps, worded for the client."""

from __future__ import annotations

import pandas as pd
import pytest

from rcu_kit.core.wording import PHRASES, params_json, word, word_table


def test_empty_code_reads_as_empty_text():
    # a KPI row without a note saves code "" (or nothing at all): no sentence, no error
    assert word("", "{}", "fr") == "" and word(None, None, "en") == ""
    assert word(float("nan"), float("nan"), "en") == ""


def test_unknown_code_is_an_error():
    with pytest.raises(KeyError, match="no wording for code 'nope'"):
        word("nope", {}, "fr")


def test_word_table_words_each_code_column_in_place():
    saved = pd.DataFrame({"source": ["crm", "crm"], "column": ["fax", "cp"],
                          "note_code": ["note_empty_column", ""], "note_params": ["{}", "{}"],
                          "outlier_rule_code": ["", "rule_length"],
                          "outlier_rule_params": ["{}", params_json(lo=4.0, hi=11.5)]})
    fr = word_table(saved, "fr")
    assert fr.columns.tolist() == ["source", "column", "note", "outlier_rule"]
    assert fr.to_dict("records") == [
        {"source": "crm", "column": "fax", "note": "colonne vide à 100\u00a0%", "outlier_rule": ""},
        {"source": "crm", "column": "cp", "note": "",
         # bounds written as French numbers (decimal comma), trailing zeros dropped
         "outlier_rule": "longueur hors de [4 ; 11,5] (3 écarts interquartiles)"}]
    assert word_table(saved, "en")["outlier_rule"].tolist() == ["", "length outside [4, 11.5] (3 IQR)"]
    # the saved table is left as it was
    assert "note_code" in saved.columns


def test_dates_labels_and_joined_labels():
    # a day saved as ISO text, shown day-first in French
    assert word("rule_date", {"today": "2026-01-01"}, "fr") == "avant le 01/01/1900 ou après le 01/01/2026"
    assert word("rule_date", {"today": "2026-01-01"}, "en") == "before 1900-01-01 or after 2026-01-01"
    # an answer saved as its key, shown by its label, then a second label with a count
    assert word("basis_real_time", {"answer": "true", "flows": 2}, "fr") == \
        "réponse : oui, 2 flux temps réel"
    assert word("basis_real_time", {"answer": "true", "flows": 2}, "en") == \
        "answer: yes, 2 real-time flow(s)"


def test_every_phrase_reads_its_labels_in_both_languages():
    # every label a code names exists in French and English (parameters left to each test)
    from rcu_kit.core.i18n import labels

    for code, phrase in PHRASES.items():
        for key in phrase.keys:
            assert set(labels()[key]) == {"fr", "en"}, (code, key)


def test_every_loader_note_has_a_phrase():
    # the audit saves a loader's note (LoadNote.code) as message code load_<code>: a note the
    # loaders can word must be one the audit's messages can word
    from rcu_kit.core.i18n import labels

    notes = {k.removeprefix("loaders.note_") for k in labels() if k.startswith("loaders.note_")}
    assert {f"load_{code}" for code in notes} <= set(PHRASES)
