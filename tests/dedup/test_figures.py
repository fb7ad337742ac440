"""Deduplication figures on hand-made crosswalks and pairs (exact values)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rcu_kit.dedup import figures as f
from rcu_kit.report.summary import crosswalk_figures


def crosswalk(rows):
    return pd.DataFrame(rows, columns=["source", "record_id", "customer_id"])


# 8 records, 4 sources' worth of situations:
#   K1: crm/1, crm/2, web/a  (duplicate inside crm, and shared with web)
#   K2: web/b, shop/x        (shared web + shop)
#   K3: crm/3                (crm only)
#   K4: shop/y, shop/z       (duplicate inside shop)
CW = crosswalk([
    ("crm", "1", "K1"), ("crm", "2", "K1"), ("crm", "3", "K3"),
    ("web", "a", "K1"), ("web", "b", "K2"),
    ("shop", "x", "K2"), ("shop", "y", "K4"), ("shop", "z", "K4"),
])


def test_headline_figures():
    # 8 records, 4 customers: 4 duplicates (rate 1/2); K1 and K2 are in 2 sources (overlap 2/4);
    # K1 has 3 records.
    assert f.headline_figures(CW) == {"n_records": 8, "n_customers": 4, "n_duplicates": 4,
                                      "duplicate_rate": 0.5, "n_multi_source_customers": 2,
                                      "overlap_rate": 0.5, "largest_cluster": 3, "n_sources": 3}


def test_duplicates_split_within_sources_and_across_sources():
    # Of the 4 duplicates, 2 are within a source (crm/2 repeats K1 in crm, shop/z repeats K4 in
    # shop: 2/8 = 0.25) and 2 are a customer seen again in another source (web/a for K1, shop/x
    # for K2): half the overall 50 % is presence in several systems, not duplicates to clean.
    assert f.duplicate_split(CW) == {"n_within_source_duplicates": 2,
                                     "within_source_duplicate_rate": 0.25,
                                     "n_cross_source_records": 2}
    assert f.duplicate_split(crosswalk([]))["within_source_duplicate_rate"] is None


def test_within_source_duplicates_from_the_per_source_figures():
    # the same 2 within-source duplicates out of 8 records, from per_source_figures (as
    # dedup/summary.json saves them): (3-2) + (2-2) + (3-2) = 2, 2/8
    assert f.within_source_duplicates(f.per_source_figures(CW)) == 0.25
    assert f.within_source_duplicates([]) is None
    assert f.within_source_duplicates([{"source": "crm", "records": 0, "customers": 0}]) is None
    assert f.within_source_duplicates([{"source": "crm", "duplicate_rate": 0.1}]) is None


def test_headline_figures_agree_with_the_executive_summary():
    # the report (rcu_kit.report.summary) computes the same figures from the saved crosswalk
    ours, theirs = {**f.headline_figures(CW), **f.duplicate_split(CW)}, crosswalk_figures(CW)
    assert (ours["n_records"], ours["n_customers"], ours["duplicate_rate"],
            ours["n_multi_source_customers"], ours["overlap_rate"],
            ours["within_source_duplicate_rate"]) == \
        (theirs["records"], theirs["distinct_customers"], theirs["duplicate_rate"],
         theirs["multi_source_customers"], theirs["overlap_rate"],
         theirs["within_source_duplicate_rate"])


def test_empty_crosswalk_has_no_rates():
    h = f.headline_figures(crosswalk([]))
    assert (h["n_records"], h["n_customers"], h["duplicate_rate"], h["overlap_rate"]) == (0, 0, None, None)


def test_per_source_figures():
    table = f.per_source_figures(CW)
    # crm: 3 records, 2 customers (K1 twice) -> 1 duplicate, rate 1/3; K1 is shared (web).
    # web: 2 records, 2 customers, both shared (K1 crm, K2 shop).
    # shop: 3 records, 2 customers (K4 twice) -> rate 1/3; K2 shared, K4 not.
    assert table["source"].tolist() == ["crm", "web", "shop"]
    assert table["records"].tolist() == [3, 2, 3]
    assert table["customers"].tolist() == [2, 2, 2]
    assert table["duplicate_records"].tolist() == [1, 0, 1]
    assert table["duplicate_rate"].tolist() == pytest.approx([1 / 3, 0.0, 1 / 3])
    assert table["shared_customers"].tolist() == [1, 2, 1]
    assert table["shared_rate"].tolist() == pytest.approx([0.5, 1.0, 0.5])


def test_source_combinations_upset_data():
    table = f.source_combinations(CW)
    # K1 crm+web (3 records), K2 web+shop (2), K3 crm (1), K4 shop (2): one customer each; ties
    # ordered by fewer sources, then label.
    assert table[["combination", "n_sources", "customers", "records"]].values.tolist() == [
        ["crm", 1, 1, 1], ["shop", 1, 1, 2], ["crm + web", 2, 1, 3], ["web + shop", 2, 1, 2]]
    assert table[["crm", "web", "shop"]].values.tolist() == [
        [True, False, False], [False, False, True], [True, True, False], [False, True, True]]
    # every customer in exactly one combination, every record counted once
    assert table["customers"].sum() == 4 and table["records"].sum() == 8


def test_source_combinations_most_customers_first_and_given_order():
    cw = crosswalk([("a", "1", "K1"), ("b", "1", "K1"), ("a", "2", "K2"), ("b", "2", "K2"),
                    ("b", "3", "K3")])
    table = f.source_combinations(cw, sources=["b", "a"])
    # K1, K2 in both (2 customers) before K3 in b only; labels follow the order given.
    assert table["combination"].tolist() == ["b + a", "b"]
    assert table["customers"].tolist() == [2, 1]
    assert list(table.columns[-2:]) == ["b", "a"]
    with pytest.raises(ValueError, match="crosswalk source\\(s\\) a not in the sources given"):
        f.source_combinations(cw, sources=["b"])


def test_cluster_size_distribution():
    # sizes: K1 3, K2 2, K3 1, K4 2 -> one customer of 1, two of 2, one of 3
    assert f.cluster_size_distribution(CW).values.tolist() == [[1, 1, 1], [2, 2, 4], [3, 1, 3]]


def pairs(rows):
    return pd.DataFrame(rows, columns=["source_1", "record_id_1", "source_2", "record_id_2",
                                       "match_probability"])


def test_threshold_effect_reclusters_the_scored_pairs():
    # 5 records: crm/1-web/1 at 0.99, web/1-shop/1 at 0.8, shop/1-shop/2 at 0.6, crm/2 alone.
    cw = crosswalk([("crm", "1", "K1"), ("crm", "2", "K2"), ("web", "1", "K1"),
                    ("shop", "1", "K3"), ("shop", "2", "K4")])
    scored = pairs([("crm", "1", "web", "1", 0.99), ("web", "1", "shop", "1", 0.8),
                    ("shop", "1", "shop", "2", 0.6), ("crm", "1", "crm", "2", 0.2)])
    table = f.threshold_effect(cw, scored, current=0.9, thresholds=[0.5, 0.7, 0.95])
    assert table["threshold"].tolist() == [0.5, 0.7, 0.9, 0.95]
    # >= 0.5: 3 links join crm/1, web/1, shop/1, shop/2 -> 2 customers; >= 0.7: 2 links -> 3;
    # >= 0.9 and 0.95: only crm/1-web/1 -> 4 customers.
    assert table["matched_pairs"].tolist() == [3, 2, 1, 1]
    assert table["customers"].tolist() == [2, 3, 4, 4]
    assert table["duplicate_rate"].tolist() == pytest.approx([3 / 5, 2 / 5, 1 / 5, 1 / 5])
    # multi-source customers: {crm, web, shop} at 0.5; {crm, web, shop} at 0.7; {crm, web} after
    assert table["multi_source_customers"].tolist() == [1, 1, 1, 1]
    assert table["current"].tolist() == [False, False, True, False]


def test_threshold_effect_applies_the_chain_guard():
    # a-b 0.99 and b-c 0.95 chain a to c, but a household rule vetoed a-c (0.01): the
    # linkage's guard splits c off, so 2 customers at 0.9, not 1.
    cw = crosswalk([("s", "a", "K1"), ("s", "b", "K1"), ("s", "c", "K2")])
    scored = pairs([("s", "a", "s", "b", 0.99), ("s", "b", "s", "c", 0.95),
                    ("s", "a", "s", "c", 0.01)]).assign(rule=["", "", "different first names"])
    table = f.threshold_effect(cw, scored, current=0.9, thresholds=[])
    assert table[["matched_pairs", "customers"]].values.tolist() == [[2, 2]]
    # With no rule, a-c at 0.01 is below the default conflict_probability (0.1): split too;
    # with conflict_probability 0 only vetoes split, so 1 customer.
    unruled = scored.assign(rule="")
    table = f.threshold_effect(cw, unruled, current=0.9, thresholds=[])
    assert table[["matched_pairs", "customers"]].values.tolist() == [[2, 2]]
    table = f.threshold_effect(cw, unruled, current=0.9, thresholds=[], conflict_probability=0.0)
    assert table[["matched_pairs", "customers"]].values.tolist() == [[2, 1]]
    # Merely improbable (0.2, no rule), a-c does not split the chain: 1 customer.
    doubtful = scored.assign(rule="", match_probability=[0.99, 0.95, 0.2])
    table = f.threshold_effect(cw, doubtful, current=0.9, thresholds=[])
    assert table[["matched_pairs", "customers"]].values.tolist() == [[2, 1]]
    # The run's categorical rule column reads the same; a missing rule is no veto.
    for rules, customers in ((["", "", "different first names"], 2), (["", "", None], 1)):
        table = f.threshold_effect(cw, doubtful.assign(rule=pd.Categorical(rules)), current=0.9,
                                   thresholds=[])
        assert table[["matched_pairs", "customers"]].values.tolist() == [[2, customers]]
    table = f.threshold_effect(cw, doubtful.assign(rule=["", "", None]), current=0.9,
                               thresholds=[])
    assert table["customers"].tolist() == [1]


def test_threshold_effect_clusters_with_the_linkage_defaults():
    import inspect

    from rcu_kit.linkage.pipeline import DedupSettings

    defaults = inspect.signature(f.threshold_effect).parameters
    assert defaults["conflict_probability"].default == DedupSettings().conflict_probability
    assert defaults["max_cluster_size"].default == DedupSettings().max_cluster_size


def test_threshold_effect_keeps_a_large_cluster_whole_as_the_run_does():
    # 4 records chained at 0.99 with a cluster size cap of 3: the run keeps such a cluster
    # whole unless sampled pairs of its members are vetoed, so 1 customer at 0.9, not 2.
    cw = crosswalk([("s", k, "K1") for k in "abcd"])
    scored = pairs([("s", "a", "s", "b", 0.99), ("s", "b", "s", "c", 0.99),
                    ("s", "c", "s", "d", 0.99)])
    table = f.threshold_effect(cw, scored, current=0.9, thresholds=[], max_cluster_size=3)
    assert table[["matched_pairs", "customers"]].values.tolist() == [[3, 1]]


def test_threshold_effect_rejects_bad_input():
    with pytest.raises(ValueError, match="between 0 and 1"):
        f.threshold_effect(CW, pairs([]), current=0.9, thresholds=[1.0])
    with pytest.raises(ValueError, match="1 pair\\(s\\) name records absent from the crosswalk"):
        f.threshold_effect(CW, pairs([("crm", "1", "erp", "9", 0.95)]), current=0.9)
    with pytest.raises(ValueError, match="pairs: missing column\\(s\\) match_probability"):
        f.threshold_effect(CW, pairs([]).drop(columns="match_probability"), current=0.9)


def test_pair_positions():
    first, second = f.pair_positions(CW, pairs([("web", "a", "shop", "z", 0.5)]))
    # web/a is row 3, shop/z row 7
    assert (first.tolist(), second.tolist()) == ([3], [7])


def test_probability_histogram():
    scored = pd.DataFrame({"match_probability": [0.0, 0.24, 0.25, 0.5, 0.99, 1.0]})
    table = f.probability_histogram(scored, bins=4)
    # [0, .25): 0.0, 0.24; [.25, .5): 0.25; [.5, .75): 0.5; [.75, 1]: 0.99, 1.0
    assert table.values.tolist() == [[0.0, 0.25, 2], [0.25, 0.5, 1], [0.5, 0.75, 1], [0.75, 1.0, 2]]
    with pytest.raises(ValueError, match="bins must be at least 1"):
        f.probability_histogram(scored, bins=0)


def test_missing_crosswalk_column_is_named():
    with pytest.raises(ValueError, match="crosswalk: missing column\\(s\\) customer_id"):
        f.headline_figures(CW.drop(columns="customer_id"))
    assert np.isclose(f.headline_figures(CW)["duplicate_rate"], 0.5)


def test_pair_positions_match_ids_as_text():
    # a crosswalk read back without dtype=str holds numbers: 12 matches the pair's "12"
    cw = crosswalk([("crm", 12, "K1"), ("web", 7, "K1"), ("crm", 13, "K2")])
    first, second = f.pair_positions(cw, pairs([("crm", "13", "web", "7", 0.5)]))
    assert (first.tolist(), second.tolist()) == ([2], [1])


# Six customers for the customer rule (purchase dates in web and shop; crm's date is an update):
#   C1: crm/1 2024-12-01 (not a purchase), web/a 2020-01-01      -> lapsed (older than 36 months)
#   C2: web/b 2022-01-15                                          -> customer
#   C3: shop/s1 2021-12-31 (the window's first day, included)     -> customer
#   C4: shop/s2 no date, crm/2 2024-01-01 (not a purchase)        -> no purchase date
#   C5: web/c "pas une date"                                      -> no purchase date
#   C6: shop/s3 2030-01-01 (a typo in the future)                 -> customer (after the reference)
RULE_CROSSWALK = pd.DataFrame({
    "source": ["crm", "web", "web", "shop", "shop", "crm", "web", "shop"],
    "record_id": ["1", "a", "b", "s1", "s2", "2", "c", "s3"],
    "customer_id": ["C1", "C1", "C2", "C3", "C4", "C4", "C5", "C6"]})
RULE_RECORDS = RULE_CROSSWALK[["source", "record_id"]].assign(last_activity_at=[
    "2024-12-01", "2020-01-01", "2022-01-15", "2021-12-31", None, "2024-01-01", "pas une date",
    "2030-01-01"])


def test_customer_split_applies_the_engagements_rule():
    from datetime import date

    from rcu_kit.core.config import CustomerRule
    from rcu_kit.dedup.figures import customer_split

    rule = CustomerRule(attribute="last_activity_at", within_months=36, sources=["web", "shop"],
                        reference_date=date(2024, 12, 31))
    split = customer_split(RULE_CROSSWALK, RULE_RECORDS, rule)
    # customers C2, C3, C6; C1 lapsed (web 2020); C4 and C5 no purchase date (crm not read)
    assert {k: split[k] for k in ("status", "n_customers", "customers", "prospects",
                                  "prospects_lapsed", "prospects_undated", "reference_date",
                                  "reference_from")} == {
        "status": "ok", "n_customers": 6, "customers": 3, "prospects": 3, "prospects_lapsed": 1,
        "prospects_undated": 2, "reference_date": "2024-12-31", "reference_from": "setting"}
    # every source read: crm's dates make C1 (2024-12-01) and C4 (2024-01-01) customers too
    rule.sources = []
    split = customer_split(RULE_CROSSWALK, RULE_RECORDS, rule)
    assert (split["customers"], split["prospects_lapsed"], split["prospects_undated"]) == (5, 0, 1)


def test_customer_split_default_reference_is_the_latest_date_not_in_the_future():
    from datetime import date

    from rcu_kit.core.config import CustomerRule
    from rcu_kit.dedup.figures import customer_split

    rule = CustomerRule(attribute="last_activity_at", within_months=36, sources=["web", "shop"])
    split = customer_split(RULE_CROSSWALK, RULE_RECORDS, rule, today=date(2025, 6, 30))
    # web and shop's latest date before 30/06/2025 is 2022-01-15 (2030 is a typo): the window
    # starts on 2019-01-15, so C1 (2020), C2, C3 and C6 are customers; C4, C5 have no date
    assert (split["reference_date"], split["reference_from"]) == ("2022-01-15", "latest_date")
    assert (split["customers"], split["prospects"], split["prospects_lapsed"],
            split["prospects_undated"]) == (4, 2, 0, 2)


def test_customer_split_says_when_the_data_cannot_tell():
    from rcu_kit.core.config import CustomerRule
    from rcu_kit.dedup.figures import customer_split

    rule = CustomerRule(attribute="last_activity_at", within_months=12, sources=["web"])
    # no rule stated: nothing split, the 6 customers stay one figure
    none = customer_split(RULE_CROSSWALK, RULE_RECORDS, None)
    assert (none["status"], none["n_customers"], none["customers"]) == ("no_rule", 6, None)
    # the records do not hold the attribute (not mapped in any source)
    bare = customer_split(RULE_CROSSWALK, RULE_RECORDS.drop(columns="last_activity_at"), rule)
    assert (bare["status"], bare["customers"], bare["prospects"]) == ("no_attribute", None, None)
    # C4's shop record alone (shop/s2, no date): no readable date to apply the rule to
    no_dates = customer_split(RULE_CROSSWALK.iloc[[4]], RULE_RECORDS.iloc[[4]],
                              CustomerRule(attribute="last_activity_at", within_months=12))
    assert (no_dates["status"], no_dates["n_customers"], no_dates["customers"]) == ("no_dates", 1, None)


def test_customer_split_gives_each_customers_status():
    from datetime import date

    from rcu_kit.core.config import CustomerRule
    from rcu_kit.dedup.figures import customer_split

    rule = CustomerRule(attribute="last_activity_at", within_months=36, sources=["web", "shop"],
                        reference_date=date(2024, 12, 31))
    split, status = customer_split(RULE_CROSSWALK, RULE_RECORDS, rule, statuses=True)
    # the same 3 customers, 1 lapsed, 2 without a date as above, customer by customer
    assert status.to_dict() == {"C1": "lapsed", "C2": "customer", "C3": "customer",
                                "C4": "undated", "C5": "undated", "C6": "customer"}
    assert split["customers"] == 3
    assert customer_split(RULE_CROSSWALK, RULE_RECORDS, None, statuses=True)[1] is None
