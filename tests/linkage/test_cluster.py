"""Clustering: connected components and the guard against chained weak links."""

from __future__ import annotations

import numpy as np

from rcu_kit.linkage.cluster import cluster_pairs, connected_labels


def test_connected_labels_are_numbered_by_first_record():
    # Edges 4-1 and 3-0: components {0,3}, {1,4}, {2}; numbered in order of first record.
    assert connected_labels(5, np.array([4, 3]), np.array([1, 0])).tolist() == [0, 1, 2, 0, 1]


def test_pairs_below_threshold_do_not_link():
    labels, info = cluster_pairs(3, np.array([1, 2]), np.array([0, 1]), np.array([0.95, 0.5]),
                                 threshold=0.9)
    assert labels.tolist() == [0, 0, 1]
    assert info == {"links": 1, "incoherent_components": 0, "oversized_components": 0,
                    "splits": 0, "clusters": 2}


def test_chain_through_a_known_non_match_is_split_at_the_weakest_link():
    # A chain 0 - 1 - 2 - 3 (0.99, 0.91, 0.99) where 0 and 3 were compared and judged
    # different (0.01): the component is incoherent; rebuilt strongest first, 0-1 and 2-3 are
    # kept and the weak 1-2 link would join the conflicting 0 and 3, so it is refused.
    first, second = np.array([1, 2, 3, 3]), np.array([0, 1, 2, 0])
    prob = np.array([0.99, 0.91, 0.99, 0.01])
    labels, info = cluster_pairs(4, first, second, prob)
    assert labels.tolist() == [0, 0, 1, 1]
    assert info["incoherent_components"] == 1 and info["splits"] == 1


def test_oversized_components_are_capped():
    # A chain of 6 records all linked at 0.95 with a size cap of 3: greedy merging in pair
    # order builds {0,1,2} and {3,4,5}.
    first, second = np.arange(1, 6), np.arange(0, 5)
    labels, info = cluster_pairs(6, first, second, np.full(5, 0.95), max_cluster_size=3)
    assert labels.tolist() == [0, 0, 0, 1, 1, 1]
    assert info["oversized_components"] == 1 and info["clusters"] == 2


def test_no_pairs_means_singletons():
    labels, info = cluster_pairs(3, np.array([], dtype=int), np.array([], dtype=int),
                                 np.array([]))
    assert labels.tolist() == [0, 1, 2] and info["clusters"] == 3
