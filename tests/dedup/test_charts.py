"""Deduplication charts: what each plotly figure draws, from hand-made figure tables."""

from __future__ import annotations

import pandas as pd

from rcu_kit.dedup import charts
from rcu_kit.dedup import figures as f

# K1 crm+web (3 records), K2 web+shop, K3 crm, K4 shop (2 records)
CW = pd.DataFrame([("crm", "1", "K1"), ("crm", "2", "K1"), ("crm", "3", "K3"), ("web", "a", "K1"),
                   ("web", "b", "K2"), ("shop", "x", "K2"), ("shop", "y", "K4"), ("shop", "z", "K4")],
                  columns=["source", "record_id", "customer_id"])


def test_upset_chart_bars_and_dot_matrix():
    fig = charts.upset_chart(f.source_combinations(CW), "en")
    bars = fig.data[0]
    # one bar per combination (crm, shop, crm + web, web + shop), one customer each
    assert list(bars.y) == [1, 1, 1, 1]
    assert list(bars.customdata) == ["crm", "shop", "crm + web", "web + shop"]
    dots = [tr for tr in fig.data[1:] if tr.mode == "markers"]
    lines = [tr for tr in fig.data[1:] if tr.mode == "lines"]
    # a column of 3 dots (one per source) per combination; a line joins the 2-source ones
    assert len(dots) == 4 and all(list(d.y) == ["crm", "web", "shop"] for d in dots)
    assert [list(d.marker.color).count("#263238") for d in dots] == [1, 1, 2, 2]
    assert [list(line.y) for line in lines] == [["crm", "web"], ["web", "shop"]]
    assert fig.layout.title.text == "Customers per combination of sources"


def test_upset_chart_says_how_many_combinations_are_left_out():
    fig = charts.upset_chart(f.source_combinations(CW), "fr", max_combinations=3)
    assert len(fig.data[0].y) == 3
    assert fig.layout.title.text == "Clients par combinaison de sources (3/4)"


def test_duplicate_rate_chart_in_percent():
    fig = charts.duplicate_rate_chart(f.per_source_figures(CW), "fr")
    # crm 1/3 and shop 1/3 duplicates within; shared: crm 1/2, web 2/2, shop 1/2
    assert list(fig.data[0].x) == ["crm", "web", "shop"]
    assert list(fig.data[0].y) == [33.3, 0.0, 33.3]
    assert list(fig.data[1].y) == [50.0, 100.0, 50.0]
    assert fig.data[0].name == "Taux de doublons (%)"
    # the bar labels in the chart's language: decimal comma in French
    assert list(fig.data[0].text) == ["33,3", "0,0", "33,3"]
    assert list(fig.data[1].text) == ["50,0", "100,0", "50,0"]


def test_duplicate_rate_chart_labels_in_english():
    fig = charts.duplicate_rate_chart(f.per_source_figures(CW), "en")
    assert list(fig.data[0].text) == ["33.3", "0.0", "33.3"]
    assert list(fig.data[1].text) == ["50.0", "100.0", "50.0"]
    assert fig.data[0].name == "Duplicate rate (%)"


def test_threshold_chart_marks_the_threshold_used():
    effect = pd.DataFrame({"threshold": [0.5, 0.9], "matched_pairs": [3, 1], "customers": [2, 4],
                           "duplicate_rate": [0.6, 0.2], "multi_source_customers": [1, 1],
                           "current": [False, True]})
    fig = charts.threshold_chart(effect, "en")
    assert list(fig.data[0].y) == [2, 4] and list(fig.data[1].y) == [3, 1]
    assert fig.layout.shapes[0].x0 == 0.9
    assert fig.layout.annotations[0].text == "Threshold used: 0.9"
    # in French with a decimal comma
    assert charts.threshold_chart(effect, "fr").layout.annotations[0].text == "Seuil retenu : 0,9"


def test_probability_histogram_chart():
    hist = f.probability_histogram(pd.DataFrame({"match_probability": [0.1, 0.2, 0.95]}), bins=2)
    fig = charts.probability_histogram_chart(hist, 0.9, "en")
    assert list(fig.data[0].x) == [0.25, 0.75] and list(fig.data[0].y) == [2, 1]
    assert fig.layout.yaxis.type == "log"
    # the threshold's own decimals, no more, no fewer: 0.95 stays 0.95, 1 stays 1
    assert fig.layout.annotations[0].text == "Threshold used: 0.9"
    fr = charts.probability_histogram_chart(hist, 0.95, "fr")
    assert fr.layout.annotations[0].text == "Seuil retenu : 0,95"
    assert charts.probability_histogram_chart(hist, 1, "en").layout.annotations[0].text == \
        "Threshold used: 1"


def test_cluster_size_chart():
    fig = charts.cluster_size_chart(f.cluster_size_distribution(CW), "en")
    # one customer of 1 record, two of 2, one of 3
    assert list(fig.data[0].x) == ["1", "2", "3"] and list(fig.data[0].y) == [1, 2, 1]


def test_charts_use_the_report_language_separators():
    # plotly's separators: decimal mark then thousands mark, for hovers and axis ticks
    effect = pd.DataFrame({"threshold": [0.9], "matched_pairs": [1], "customers": [4],
                           "duplicate_rate": [0.2], "multi_source_customers": [1], "current": [True]})
    hist = f.probability_histogram(pd.DataFrame({"match_probability": [0.1, 0.95]}), bins=2)
    for language, separators in (("fr", ", "), ("en", ".,")):
        figs = [charts.upset_chart(f.source_combinations(CW), language),
                charts.duplicate_rate_chart(f.per_source_figures(CW), language),
                charts.threshold_chart(effect, language),
                charts.probability_histogram_chart(hist, 0.9, language),
                charts.cluster_size_chart(f.cluster_size_distribution(CW), language)]
        assert [fig.layout.separators for fig in figs] == [separators] * 5
