"""Figures estimated from labelled pairs: exact values on handmade populations, worked by hand."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from rcu_kit.golden.estimates import estimate_figures, read_estimates, write_estimates


def _pair(a: str, b: str, p: float | None = None) -> dict:
    (sa, ia), (sb, ib) = a.split(":"), b.split(":")
    return {"source_1": sa, "record_id_1": ia, "source_2": sb, "record_id_2": ib,
            "match_probability": p}


# Six records; the deduplication made C1 = {crm:1, web:a}, C2 = {crm:2, web:b}, C3 = {crm:3},
# C4 = {web:c}: 4 customers, 2 duplicates, 2 customers in both sources.
CROSSWALK = pd.DataFrame({"source": ["crm", "crm", "crm", "web", "web", "web"],
                          "record_id": ["1", "2", "3", "a", "b", "c"],
                          "customer_id": ["C1", "C2", "C3", "C1", "C2", "C4"]})
PAIRS = pd.DataFrame([_pair("crm:1", "web:a", 0.99), _pair("crm:2", "web:b", 0.97),
                      _pair("crm:3", "web:c", 0.30), _pair("crm:1", "crm:2", 0.01)])


def test_a_census_gives_the_true_figures_with_no_width():
    # The truth: crm:1 = web:a (found), crm:2 != web:b (a false merge), crm:3 = web:c (missed).
    # plus one of the 15 - 4 = 11 pairs never proposed: not a match
    labels = pd.DataFrame([*PAIRS.assign(label=["match", "non_match", "match", "non_match"])
                           .to_dict("records"), {**_pair("crm:2", "crm:3"), "label": "non_match"}])
    est = estimate_figures(labels, PAIRS, CROSSWALK, n_bootstrap=200)
    f = {name: (e.value, e.low, e.high) for name, e in est.figures.items()}
    # True customers {crm:1, web:a}, {crm:2}, {web:b}, {crm:3, web:c}: 4 of 6 records, 2 duplicates,
    # 2 of the 4 in both sources. The crosswalk's 2 pairs in one customer hold 1 true match
    # (precision 1/2); the 2 true matches, 1 found (recall 1/2). Every candidate stratum is
    # labelled in full and the pair never proposed agrees: no width.
    assert f["n_customers"] == (4.0, 4.0, 4.0)
    assert f["duplicate_rate"] == pytest.approx((2 / 6,) * 3)
    assert f["overlap_rate"] == (0.5, 0.5, 0.5)
    assert f["precision"] == (0.5, 0.5, 0.5)
    assert f["recall"] == (0.5, 0.5, 0.5)
    assert est.model == {"n_customers": 4.0, "duplicate_rate": pytest.approx(2 / 6),
                         "overlap_rate": 0.5}
    strata = est.strata.set_index("stratum")
    assert strata.loc["not_proposed", ["pairs", "labelled", "weight"]].tolist() == [11, 1, 11.0]
    assert strata.loc["0.95-1.00", ["pairs", "labelled", "matches"]].tolist() == [2, 2, 1]
    assert est.not_proposed["labelled"] == 1 and est.not_proposed["matches"] == 0


def test_a_sampled_stratum_is_weighted_by_its_pairs():
    # 20 records crm:0..9 and web:0..9; the deduplication put crm:i with web:i (10 customers of 2).
    crosswalk = pd.DataFrame({"source": ["crm"] * 10 + ["web"] * 10,
                              "record_id": [str(i) for i in range(10)] * 2,
                              "customer_id": [f"C{i}" for i in range(10)] * 2})
    pairs = pd.DataFrame([_pair(f"crm:{i}", f"web:{i}", 0.99) for i in range(10)])
    # 2 of the 10 pairs labelled, one of them wrong: weight 10 / 2 = 5, so 5 false merges.
    labels = pairs.iloc[:2].assign(label=["match", "non_match"])
    est = estimate_figures(labels, pairs, crosswalk, n_bootstrap=500)
    f = est.figures
    # precision (10 - 5) / 10; no missed match seen: recall 1.
    assert f["precision"].value == pytest.approx(0.5)
    assert f["recall"].value == pytest.approx(1.0)
    # each false merge splits a customer of 2 (c = 2/2): 10 duplicates - 5 = 5; 20 - 5 = 15
    # customers, of which 10 - 5 = 5 in both sources (the model's 10 scaled by 5 / 10).
    assert f["n_customers"].value == pytest.approx(15)
    assert f["duplicate_rate"].value == pytest.approx(5 / 20)
    assert f["overlap_rate"].value == pytest.approx(5 / 15)
    # 2 labels out of 10: the interval is wide and holds the estimate
    assert f["n_customers"].low < 15 < f["n_customers"].high
    assert est.strata.set_index("stratum").loc["0.95-1.00", "weight"] == 5.0


def test_an_unlabelled_stratum_counts_at_the_model_probability():
    labels = PAIRS.iloc[[0, 1, 3]].assign(label=["match", "match", "non_match"])
    est = estimate_figures(labels, PAIRS, CROSSWALK, n_bootstrap=50)
    # the pair at 0.30 (stratum 0.20-0.50) has no label: 0.3 of a missed match, c = 2/(1+1) = 1
    assert est.unlabelled_strata == ["0.20-0.50"]
    assert est.figures["n_customers"].value == pytest.approx(4 - 0.3)
    assert est.figures["recall"].value == pytest.approx(2 / 2.3)


def test_unusable_labels_are_counted_and_no_label_is_an_error():
    labels = pd.DataFrame([{**_pair("crm:1", "web:a"), "label": "match"},
                           {**_pair("crm:9", "web:z"), "label": "match"},  # not in the crosswalk
                           {**_pair("crm:2", "web:b"), "label": "unsure"}])
    est = estimate_figures(labels, PAIRS, CROSSWALK, n_bootstrap=20)
    assert (est.labelled, est.unsure, est.not_found) == (1, 1, 1)
    with pytest.raises(ValueError, match="no pair labelled match or non-match"):
        estimate_figures(labels.iloc[1:], PAIRS, CROSSWALK)


def test_estimates_go_under_estimates_in_the_dedup_summary(tmp_path):
    from rcu_kit.core.config import Engagement

    engagement = Engagement(client="x", output_dir=str(tmp_path / "out"))
    labels = PAIRS.assign(label=["match", "non_match", "match", "non_match"])
    est = estimate_figures(labels, PAIRS, CROSSWALK, n_bootstrap=20)
    with pytest.raises(FileNotFoundError, match="rcu-kit dedup"):
        write_estimates(est, engagement)
    path = tmp_path / "out" / "dedup" / "summary.json"
    path.write_text(json.dumps({"n_customers": 4}), encoding="utf-8")
    write_estimates(est, engagement)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["n_customers"] == 4
    assert saved["estimates"]["n_customers"] == {"value": 4.0, "low": 4.0, "high": 4.0}
    assert read_estimates(engagement)["precision"]["value"] == 0.5


def test_the_labels_choose_the_threshold_with_the_best_estimated_f1(tmp_path):
    from rcu_kit.core.config import Engagement
    from rcu_kit.golden.estimates import refit_threshold, write_threshold

    # 30 candidate pairs: 10 at 0.99, 10 at 0.85, 10 at 0.3, each labelled (weights 1).
    probs = [0.99] * 10 + [0.85] * 10 + [0.3] * 10
    pairs = pd.DataFrame([_pair(f"crm:{i}", f"web:{i}", p) for i, p in enumerate(probs)])
    # the reviewer: all of 0.99 and 0.85 match, none of 0.3
    labels = pairs.assign(label=["match"] * 20 + ["non_match"] * 10)
    refit = refit_threshold(labels, pairs, 0.9)
    # at 0.9: TP 10, predicted 10, matches 20: F1 = 20 / 30; at 0.85 (and 0.8, 0.7, 0.6, 0.5,
    # all equal): F1 = 40 / 40 = 1; the closest to 0.9 wins.
    assert (refit.threshold, refit.reason) == (0.85, "changed")
    assert refit.previous_f1 == pytest.approx(2 / 3) and refit.f1 == 1.0
    engagement = Engagement(client="x", output_dir=str(tmp_path / "out"))
    path = write_threshold(refit, engagement)
    assert json.loads(path.read_text())["threshold"] == 0.85
    # the next run is at 0.85; labels that find nothing better keep it: the file stays, so the
    # next rcu-kit dedup does not fall back to the engagement's 0.9
    same = refit_threshold(labels, pairs, 0.85)
    assert (same.threshold, same.reason) == (0.85, "kept")
    write_threshold(same, engagement)
    assert json.loads(path.read_text())["threshold"] == 0.85
    # the 0.85 pairs were wrong after all: the labels are sure 0.9 is better, and it is written
    again = refit_threshold(pairs.assign(label=["match"] * 10 + ["non_match"] * 20), pairs, 0.85)
    assert (again.threshold, again.reason) == (0.9, "changed")
    write_threshold(again, engagement)
    assert json.loads(path.read_text())["threshold"] == 0.9
    # under 20 labelled candidate pairs, nothing is refitted
    few = refit_threshold(labels.iloc[5:20], pairs, 0.9)
    assert (few.threshold, few.reason, few.labelled) == (0.9, "too_few_labels", 15)


def test_new_labels_go_where_they_narrow_the_interval_most():
    from rcu_kit.golden.estimates import informative_shares

    # 40 records crm:i / web:i, customers C0..C19 = {crm:i, web:i} (i < 20), the rest alone.
    crosswalk = pd.DataFrame({"source": ["crm"] * 40 + ["web"] * 40,
                              "record_id": [str(i) for i in range(40)] * 2,
                              "customer_id": [f"C{i}" for i in range(40)] + [f"C{i}" for i in range(20)]
                              + [f"W{i}" for i in range(20, 40)]})
    # 20 pairs at 0.99 (the customers) and 20 at 0.01 (crm:i, web:i for i >= 20)
    pairs = pd.DataFrame([_pair(f"crm:{i}", f"web:{i}", 0.99 if i < 20 else 0.01)
                          for i in range(40)])
    # 10 labels at 0.99, half of them wrong (d = -1 or 0: sd 0.527); 10 at 0.01, all right
    labels = pd.DataFrame([*pairs.iloc[:10].assign(label=["match", "non_match"] * 5)
                           .to_dict("records"),
                           *pairs.iloc[20:30].assign(label="non_match").to_dict("records")])
    shares = informative_shares(labels, pairs, crosswalk, 10)
    # strata 0.00-0.05 ... 0.95-1.00: only the first and the last hold pairs. Neyman targets
    # N S: 20 x 0.527 at 0.99 against 20 x sqrt(1/12 x 11/12) x 1 = 20 x 0.276 at 0.01 (no error
    # seen in 10 labels: one in 12); of 30 labels, 19.7 and 10.3 -> 9.7 and 0.3 new ones.
    assert shares.round(2).tolist() == [0.03, 0.0, 0.0, 0.0, 0.0, 0.97]


def test_a_threshold_the_labels_favour_by_chance_is_not_taken():
    from rcu_kit.golden.estimates import refit_threshold

    # 30 labelled candidate pairs (weights 1): 10 at 0.99, all matches; 10 at 0.85 of which k
    # are matches; 10 at 0.3, none. At 0.9: F1 = 2*10 / (10 + 10 + k) = 20 / (20 + k); at 0.85:
    # F1 = 2 (10 + k) / (20 + 10 + k). 0.85 wins when k^2 + 20k - 100 > 0, i.e. k >= 5.
    probs = [0.99] * 10 + [0.85] * 10 + [0.3] * 10
    pairs = pd.DataFrame([_pair(f"crm:{i}", f"web:{i}", p) for i, p in enumerate(probs)])

    def labels(k):
        return pairs.assign(label=["match"] * (10 + k) + ["non_match"] * (20 - k))

    # k = 6 of 10: 0.85 is better on these labels (0.889 against 0.769), but a stratified
    # bootstrap redraws k as Binomial(10, 0.6), which is 5 or more with probability 0.834 only:
    # under the 0.9 confidence wanted, so the threshold stays.
    unsure = refit_threshold(labels(6), pairs, 0.9)
    assert (unsure.threshold, unsure.reason, unsure.candidate) == (0.9, "uncertain", 0.85)
    assert unsure.support == pytest.approx(0.834, abs=0.03)
    # k = 8 of 10: Binomial(10, 0.8) >= 5 with probability 0.994: the threshold moves
    sure = refit_threshold(labels(8), pairs, 0.9)
    assert (sure.threshold, sure.reason) == (0.85, "changed") and sure.support > 0.98
