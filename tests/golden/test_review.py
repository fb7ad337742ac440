"""Clerical review: label store across restarts, stratified sampling, quality estimates, training."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from rcu_kit.golden.review import (
    LabelStore,
    estimate_quality,
    labelled_pairs,
    pair_view,
    quality_table,
    supervised_comparison,
    sample_pairs_for_review,
    train_supervised,
    wilson_interval,
)


def _pair(i: int, p: float = 0.5) -> dict:
    return {"source_1": "crm", "record_id_1": str(i), "source_2": "web", "record_id_2": str(i),
            "match_probability": p}


def test_labels_survive_a_new_python_process(tmp_path):
    path = tmp_path / "review" / "labels.csv"
    store = LabelStore(path)
    store.add(_pair(1, 0.9), "match", reviewer="ana")
    store.add(_pair(2, 0.4), "unsure")
    # A new interpreter (as after a kernel restart) adds a label and relabels pair 2.
    code = (f"from rcu_kit.golden.review import LabelStore; s = LabelStore({str(path)!r}); "
            "s.add({'source_1': 'web', 'record_id_1': '2', 'source_2': 'crm', 'record_id_2': '2'},"
            " 'non_match'); s.add({'source_1': 'crm', 'record_id_1': '3', 'source_2': 'web', "
            "'record_id_2': '3', 'match_probability': 0.1}, 'non_match')")
    subprocess.run([sys.executable, "-c", code], check=True)
    again = LabelStore(path)
    # Four lines written, three pairs: pair 2 was relabelled (given in the other order).
    assert len(again.history()) == 4
    labels = again.labels().set_index("record_id_1")["label"].to_dict()
    assert labels == {"1": "match", "2": "non_match", "3": "non_match"}
    assert len(again) == 3
    with pytest.raises(ValueError, match="label must be one of match, non_match, unsure"):
        again.add(_pair(4), "yes")


def test_corrupt_label_file_names_the_line(tmp_path):
    path = tmp_path / "labels.csv"
    LabelStore(path).add(_pair(1), "match")
    with path.open("a") as fh:
        fh.write("crm,2,web,2,maybe,0.5,,2024-01-01\n")
    with pytest.raises(ValueError, match=r"unknown label\(s\) on line\(s\) \[3\]"):
        LabelStore(path).labels()


def test_precision_and_recall_on_a_known_answer():
    # Population: 100 pairs in [0.9, 1], 50 in [0.5, 0.9), 200 in [0, 0.5).
    pairs = pd.DataFrame({"match_probability": np.r_[np.full(100, 0.95), np.full(50, 0.7),
                                                     np.full(200, 0.1)]})
    # Ten labels per stratum: 8, 5 and 1 matches.
    labels = pd.DataFrame({
        "match_probability": np.r_[np.full(10, 0.95), np.full(10, 0.7), np.full(10, 0.1)],
        "label": ["match"] * 8 + ["non_match"] * 2 + ["match"] * 5 + ["non_match"] * 5
                 + ["match"] + ["non_match"] * 9})
    labels = pd.concat([labels, pd.DataFrame({"match_probability": [0.95], "label": ["unsure"]})])
    est = estimate_quality(labels, threshold=0.9, pairs=pairs, strata=[0, 0.5, 0.9, 1])
    # True matches: 100 x 0.8 = 80 above the threshold, 50 x 0.5 = 25 and 200 x 0.1 = 20 below.
    assert est.precision == pytest.approx(80 / 100)
    assert est.recall == pytest.approx(80 / 125)
    assert (est.labelled, est.unsure) == (30, 1)
    assert est.strata["matches"].tolist() == [1, 5, 8]
    # Wilson interval of 8 / 10 at 95 %.
    assert est.precision_wilson == pytest.approx((0.4902, 0.9433), abs=1e-4)
    assert est.precision_interval[0] < 0.8 < est.precision_interval[1]
    assert est.recall_interval[0] < 0.64 < est.recall_interval[1]
    # Same seed, same intervals.
    again = estimate_quality(labels, threshold=0.9, pairs=pairs, strata=[0, 0.5, 0.9, 1])
    assert again.precision_interval == est.precision_interval
    assert est.as_table()["measure"].tolist() == ["precision", "recall"]
    with pytest.raises(ValueError, match="no pair labelled"):
        estimate_quality(labels[labels["label"] == "unsure"], threshold=0.9)


def test_wilson_interval_edges():
    # 0 of 10: lower bound 0; 10 of 10: upper bound 1; nothing labelled: (0, 1).
    assert wilson_interval(0, 10)[0] == 0.0
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_sample_is_stratified_and_skips_labelled_pairs():
    # Five pairs in each of the six default strata.
    probs = np.repeat([0.01, 0.1, 0.3, 0.6, 0.9, 0.99], 5)
    pairs = pd.DataFrame([_pair(i, p) for i, p in enumerate(probs)])
    sample = sample_pairs_for_review(pairs, n=10, seed=1)
    # 5 go to the uncertain strata [0.2,0.5), [0.5,0.8), [0.8,0.95) as 2, 2, 1; the other 5 one
    # per stratum from the first: 1, 1, 3, 3, 2, 0.
    assert sample["stratum"].value_counts().sort_index().tolist() == [1, 1, 3, 3, 2]
    pd.testing.assert_frame_equal(sample, sample_pairs_for_review(pairs, n=10, seed=1))
    labelled = sample.iloc[:4].assign(label="match")
    # Swapped record order is still the same pair.
    labelled = labelled.rename(columns={"source_1": "source_2", "source_2": "source_1",
                                        "record_id_1": "record_id_2", "record_id_2": "record_id_1"})
    again = sample_pairs_for_review(pairs, n=30, labelled=labelled, seed=1)
    # Quotas for 30: 3, 3, 8, 7, 7, 2; left after the 4 labelled pairs (strata 0, 1, 2, 2):
    # 4, 4, 3, 5, 5, 5; taken: 3 + 3 + 3 + 5 + 5 + 2 = 21, none of them labelled.
    assert len(again) == 21
    assert not set(again["record_id_1"]) & set(sample.iloc[:4]["record_id_1"])


def test_pair_view_masks_unless_allowed():
    records = pd.DataFrame({"source": ["crm", "web"], "record_id": ["1", "7"],
                            "last_name": ["DUPONT", "DUPONT"], "email": ["jd@free.fr", None],
                            "city": ["PARIS", "LYON"]})
    pair = _pair(0) | {"record_id_1": "1", "record_id_2": "7"}
    view = pair_view(records, pair)
    assert view["attribute"].tolist() == ["last_name", "email", "city"]
    assert view["record_1"].tolist() == ["D*****", "j***@f***.fr", "PARIS"]
    assert view["same"].tolist() == [True, False, False]
    assert pair_view(records, pair, mask=False)["record_1"].tolist()[0] == "DUPONT"
    with pytest.raises(KeyError, match="web/8 is not in the records"):
        pair_view(records, pair | {"record_id_2": "8"})


def test_labels_train_the_supervised_classifier():
    # Name level 2 = agree: every such pair is labelled match; level 0: non-match.
    pairs = pd.DataFrame([_pair(i, 0.5) for i in range(8)])
    pairs["name"] = np.array([2, 2, 2, 0, 0, 0, 2, 0], dtype=np.int8)
    pairs["date"] = np.array([1, 1, 0, 0, 1, 0, 1, 0], dtype=np.int8)
    labels = pd.DataFrame([_pair(i) for i in range(6)]).assign(
        label=["match", "match", "match", "non_match", "non_match", "non_match"])
    assert len(labelled_pairs(pairs, labels)) == 6
    clf = train_supervised(pairs, labels)
    assert clf.features_ == ["name", "date"]
    # The two unlabelled pairs are classified by what the labels taught.
    assert clf.predict(pairs.iloc[6:]).tolist() == [1, 0]
    with pytest.raises(ValueError, match="need both matches and non-matches"):
        train_supervised(pairs, labels.iloc[:3])


def test_quality_table_and_supervised_comparison():
    pairs = pd.DataFrame([_pair(i, p) for i, p in enumerate([0.95, 0.95, 0.3, 0.3, 0.1, 0.1])])
    pairs["name"] = np.array([2, 2, 0, 2, 0, 0], dtype=np.int8)
    empty = quality_table(pd.DataFrame(columns=["match_probability", "label"]), pairs, 0.9, "en")
    assert list(empty.columns) == ["Measure", "Estimate", "Low", "High"] and empty.empty
    # Pair 3 is left unlabelled.
    labels = pairs.iloc[[0, 1, 2, 4, 5]].assign(
        label=["match", "match", "non_match", "non_match", "non_match"])
    table = quality_table(labels, pairs, 0.9, "fr")
    # Both labelled pairs above 0.9 are matches, none below: precision = recall = 1.
    assert table["Mesure"].tolist() == ["Précision", "Rappel"]
    assert table["Estimation"].tolist() == [1.0, 1.0]
    comparison = supervised_comparison(pairs, labels, 0.9).set_index("decision")["pairs"]
    # Pair 3 (name agrees, p = 0.3) is a match for the classifier taught by the labels only;
    # pairs 2, 4, 5 (names differ) are matches for neither.
    assert comparison.to_dict() == {"both": 2, "current only": 0, "supervised only": 1,
                                    "neither": 3}
    assert supervised_comparison(pairs, labels.iloc[:2], 0.9).empty
