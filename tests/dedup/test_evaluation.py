"""Tests for rcu_kit.dedup.evaluation: exact pairwise and B-cubed scores on hand-made clusterings."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pandas as pd
import pytest

from rcu_kit.dedup.evaluation import (
    align_crosswalk,
    bcubed_scores,
    clusters_from_pairs,
    contingency_counts,
    evaluate_clusters,
    evaluate_crosswalk,
    merged_clusters,
    pairwise_scores,
    pairwise_scores_from_pairs,
    split_entities,
)


# Four records: predicted clusters {r0, r1, r2} and {r3}; true entities {r0, r1} and {r2, r3}.
PRED = ["a", "a", "a", "b"]
TRUE = [1, 1, 2, 2]


def test_contingency_counts_lists_non_empty_cells():
    sizes, pred, true = contingency_counts(PRED, TRUE)
    # Cells: (a, 1) holds r0, r1; (a, 2) holds r2; (b, 2) holds r3. (b, 1) is empty, so absent.
    assert sizes.tolist() == [2, 1, 1]
    assert pred.tolist() == [0, 0, 1]
    assert true.tolist() == [0, 1, 1]


def test_pairwise_scores_counts_pairs_from_the_contingency_table():
    s = pairwise_scores(PRED, TRUE)
    # Predicted pairs: C(3,2) + C(1,2) = 3. True pairs: C(2,2) + C(2,2) = 2.
    # True positives: only the cell (a, 1) of size 2 holds a pair: (r0, r1) -> 1.
    assert (s.true_positives, s.predicted_pairs, s.true_pairs) == (1, 3, 2)
    assert (s.false_positives, s.false_negatives) == (2, 1)  # (r0,r2), (r1,r2) wrong; (r2,r3) missed
    assert s.precision == pytest.approx(1 / 3)
    assert s.recall == pytest.approx(1 / 2)
    assert s.f1 == pytest.approx(0.4)  # 2 * (1/3) * (1/2) / (1/3 + 1/2) = (1/3) / (5/6)


def test_bcubed_scores_average_per_record_shares():
    b = bcubed_scores(PRED, TRUE)
    # Precision per record: r0, r1 -> 2 of their 3 cluster mates (incl. self) are right: 2/3 each;
    # r2 -> 1/3; r3 -> 1/1. Mean = (2/3 + 2/3 + 1/3 + 1) / 4 = 2/3.
    assert b.precision == pytest.approx(2 / 3)
    # Recall per record: r0, r1 -> 2/2; r2 -> 1 of its true entity's 2 records: 1/2; r3 -> 1/2.
    # Mean = (1 + 1 + 1/2 + 1/2) / 4 = 3/4.
    assert b.recall == pytest.approx(3 / 4)
    assert b.f1 == pytest.approx(12 / 17)  # 2 * (2/3) * (3/4) / (2/3 + 3/4) = 1 / (17/12)


def test_perfect_clustering_scores_one_whatever_the_label_names():
    pred = ["x", "x", "y", "z", "z", "z"]
    true = [7, 7, 8, 9, 9, 9]
    s, b = pairwise_scores(pred, true), bcubed_scores(pred, true)
    # 1 + 0 + 3 pairs on both sides, all shared.
    assert (s.true_positives, s.predicted_pairs, s.true_pairs) == (4, 4, 4)
    assert (s.precision, s.recall, s.f1) == (1.0, 1.0, 1.0)
    assert (b.precision, b.recall, b.f1) == (1.0, 1.0, 1.0)


def test_all_singletons_against_one_entity_uses_the_empty_precision_convention():
    s = pairwise_scores([1, 2, 3, 4], ["p", "p", "p", "p"])
    # No predicted pair: precision is 1.0 by convention (no false match), recall 0 of C(4,2) = 6.
    assert (s.true_positives, s.predicted_pairs, s.true_pairs) == (0, 0, 6)
    assert (s.precision, s.recall, s.f1) == (1.0, 0.0, 0.0)
    b = bcubed_scores([1, 2, 3, 4], ["p", "p", "p", "p"])
    # Each record finds only itself among the 4 records of its entity: recall 1/4, precision 1.
    assert (b.precision, b.recall) == (1.0, 0.25)
    assert b.f1 == pytest.approx(0.4)  # 2 * 1 * 0.25 / 1.25


def test_one_big_cluster_against_singletons_uses_the_empty_recall_convention():
    s = pairwise_scores(["c"] * 4, [1, 2, 3, 4])
    # C(4,2) = 6 predicted pairs, all false; no true pair so recall is 1.0 by convention.
    assert (s.true_positives, s.predicted_pairs, s.true_pairs) == (0, 6, 0)
    assert (s.precision, s.recall, s.f1) == (0.0, 1.0, 0.0)
    b = bcubed_scores(["c"] * 4, [1, 2, 3, 4])
    assert (b.precision, b.recall) == (0.25, 1.0)  # each record is right about 1 of 4 mates


def test_huge_cluster_is_counted_without_enumerating_its_pairs():
    n = 100_000
    s = pairwise_scores(np.zeros(n, dtype=int), np.zeros(n, dtype=int))
    # C(100000, 2) = 100000 * 99999 / 2 = 4,999,950,000 pairs: more than 2**32, counted exactly.
    assert s.true_positives == s.predicted_pairs == s.true_pairs == 4_999_950_000


def test_cluster_scores_agree_with_explicit_pair_enumeration():
    rng = np.random.default_rng(3)
    pred = rng.integers(0, 6, size=40)
    true = rng.integers(0, 6, size=40)
    pred_pairs = [(i, j) for i, j in combinations(range(40), 2) if pred[i] == pred[j]]
    true_pairs = [(i, j) for i, j in combinations(range(40), 2) if true[i] == true[j]]
    # Two independent computations of the same counts must agree exactly.
    assert pairwise_scores(pred, true) == pairwise_scores_from_pairs(pred_pairs, true_pairs)


def test_evaluate_clusters_collects_counts_and_both_scores():
    row = evaluate_clusters(PRED, TRUE).as_dict()
    assert row["records"] == 4
    assert (row["predicted_clusters"], row["true_clusters"]) == (2, 2)
    assert (row["predicted_pairs"], row["true_pairs"], row["true_positives"]) == (3, 2, 1)
    assert (row["false_positives"], row["false_negatives"]) == (2, 1)
    assert row["pairwise_f1"] == pytest.approx(0.4)
    assert row["bcubed_f1"] == pytest.approx(12 / 17)


def test_labels_must_match_in_length_and_be_present():
    with pytest.raises(ValueError, match="predicted has 2 labels but truth has 3"):
        pairwise_scores([1, 1], [1, 1, 1])
    with pytest.raises(ValueError, match=r"truth: 1 record\(s\) have no label \(first at position 1\)"):
        bcubed_scores([1, 1], ["p", None])


def test_pairwise_scores_from_pairs_ignores_order_self_pairs_and_repeats():
    s = pairwise_scores_from_pairs(
        [("a", "b"), ("b", "a"), ("c", "c"), ("b", "c")],  # (a,b) twice, (c,c) ignored -> {ab, bc}
        [("b", "a"), ("d", "e")],                          # -> {ab, de}
    )
    assert (s.true_positives, s.predicted_pairs, s.true_pairs) == (1, 2, 2)
    assert (s.precision, s.recall) == (0.5, 0.5)
    with pytest.raises(ValueError, match=r"predicted_pairs: item 0 \('abc'\) is not a pair"):
        pairwise_scores_from_pairs(["abc"], [])


def test_clusters_from_pairs_follows_chains_and_keeps_singletons():
    clusters = clusters_from_pairs(["r1", "r2", "r3", "r4", "r5"], [("r4", "r1"), ("r1", "r2")])
    # r4-r1-r2 chain into one cluster, numbered 0 (it holds the first record); r3 and r5 alone.
    assert clusters.to_dict() == {"r1": 0, "r2": 0, "r3": 1, "r4": 0, "r5": 2}


def test_clusters_from_pairs_accepts_a_recordlinkage_multiindex():
    records = pd.Index([10, 11, 12, 13])
    matches = pd.MultiIndex.from_tuples([(12, 13)])
    assert clusters_from_pairs(records, matches).tolist() == [0, 1, 2, 2]


def test_clusters_from_pairs_rejects_unknown_records_and_duplicate_keys():
    with pytest.raises(ValueError, match=r"1 pair\(s\) name a record not in records, first \('r1', 'zz'\)"):
        clusters_from_pairs(["r1", "r2"], [("r1", "r2"), ("r1", "zz")])
    with pytest.raises(ValueError, match=r"keys must be unique; repeated: \['r1'\]"):
        clusters_from_pairs(["r1", "r1"], [])


def _crosswalk():
    return pd.DataFrame({
        "source": ["crm", "crm", "web", "web"],
        "record_id": ["1", "2", "7", "8"],
        "customer_id": ["C1", "C1", "C1", "C2"],
    })


def _truth():
    # Ids read back from truth.csv as integers: they must still join with the text ids above.
    return pd.DataFrame({
        "source": ["web", "crm", "crm", "web"],
        "record_id": [8, 2, 1, 7],
        "person_id": ["P2", "P1", "P1", "P2"],
    })


def test_evaluate_crosswalk_joins_on_source_and_record_id():
    ev = evaluate_crosswalk(_crosswalk(), _truth())
    # Same shape as PRED/TRUE: C1 = {crm/1, crm/2, web/7}, C2 = {web/8}; P1 = {crm/1, crm/2},
    # P2 = {web/7, web/8}. So 1 true positive out of 3 predicted and 2 true pairs.
    assert (ev.pairwise.true_positives, ev.pairwise.predicted_pairs, ev.pairwise.true_pairs) == (1, 3, 2)
    assert ev.bcubed.precision == pytest.approx(2 / 3)
    aligned = align_crosswalk(_crosswalk(), _truth())
    assert aligned.columns.tolist() == ["source", "record_id", "predicted", "truth"]
    assert aligned["truth"].tolist() == ["P1", "P1", "P2", "P2"]


def test_evaluate_crosswalk_refuses_records_missing_on_either_side():
    # The truth's last row is web/7: without it, the crosswalk's web/7 has no truth.
    with pytest.raises(ValueError, match=r"1 record\(s\) of the crosswalk are missing from the truth \(first: web/7\)"):
        evaluate_crosswalk(_crosswalk(), _truth().iloc[:3])
    with pytest.raises(ValueError, match=r"1 record\(s\) of the truth are missing from the crosswalk \(first: crm/1\)"):
        evaluate_crosswalk(_crosswalk().iloc[1:], _truth())


def test_evaluate_crosswalk_refuses_repeated_keys_missing_columns_and_empty_labels():
    repeated = pd.concat([_crosswalk(), _crosswalk().iloc[[0]]])
    with pytest.raises(ValueError, match=r"crosswalk: 2 rows share a \(source, record_id\).*\['crm', '1'\]"):
        evaluate_crosswalk(repeated, _truth())
    with pytest.raises(ValueError, match=r"truth: missing column\(s\) \['person_id'\]"):
        evaluate_crosswalk(_crosswalk(), _truth().rename(columns={"person_id": "pid"}))
    blank = _crosswalk().assign(customer_id=["C1", None, "C1", "C2"])
    with pytest.raises(ValueError, match=r"crosswalk.customer_id: 1 record\(s\) have no value \(first crm/2\)"):
        evaluate_crosswalk(blank, _truth())


def test_merged_clusters_lists_clusters_holding_several_entities_worst_first():
    # Cluster "big" holds entities 1 (x3) and 2 (x2): C(5,2) = 10 pairs, of which C(3,2) + C(2,2)
    # = 4 are right, so 6 false pairs. Cluster "mix" holds 3 and 4 once each: 1 false pair.
    # Cluster "ok" holds entity 5 twice: no error, so not listed.
    pred = ["big"] * 5 + ["mix", "mix", "ok", "ok"]
    true = [1, 1, 1, 2, 2, 3, 4, 5, 5]
    table = merged_clusters(pred, true)
    assert table.to_dict("records") == [
        {"predicted": "big", "records": 5, "entities": 2, "false_pairs": 6},
        {"predicted": "mix", "records": 2, "entities": 2, "false_pairs": 1},
    ]
    assert table["false_pairs"].sum() == pairwise_scores(pred, true).false_positives  # 7 both ways


def test_split_entities_lists_entities_spread_over_clusters_worst_first():
    # Entity "P1" has 4 records in clusters a, a, b, c: C(4,2) = 6 pairs, only (a, a) kept, so 5
    # missed. Entity "P2" has records in d and e: 1 missed. Entity "P3" is whole: not listed.
    pred = ["a", "a", "b", "c", "d", "e", "f", "f"]
    true = ["P1", "P1", "P1", "P1", "P2", "P2", "P3", "P3"]
    table = split_entities(pred, true)
    assert table.to_dict("records") == [
        {"truth": "P1", "records": 4, "clusters": 3, "missed_pairs": 5},
        {"truth": "P2", "records": 2, "clusters": 2, "missed_pairs": 1},
    ]
    assert table["missed_pairs"].sum() == pairwise_scores(pred, true).false_negatives  # 6 both ways


def test_error_tables_are_empty_for_a_perfect_clustering_and_check_lengths():
    assert merged_clusters(["a", "a", "b"], [1, 1, 2]).empty
    assert split_entities(["a", "a", "b"], [1, 1, 2]).columns.tolist() == ["truth", "records", "clusters",
                                                                           "missed_pairs"]
    with pytest.raises(ValueError, match="predicted has 1 labels but truth has 2"):
        split_entities(["a"], [1, 2])
