"""Clustering: connected components and the guard against chained weak links."""

from __future__ import annotations

import numpy as np

from rcu_kit.linkage.cluster import cluster_pairs, connected_labels, member_pairs


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


def test_a_checked_oversized_component_is_kept_whole():
    # The same chain of 6 with a cap of 3, but the caller checked the component (its members'
    # sampled pairs all look like one person): split_oversized=False keeps it.
    first, second = np.arange(1, 6), np.arange(0, 5)
    labels, info = cluster_pairs(6, first, second, np.full(5, 0.95), max_cluster_size=3,
                                 split_oversized=False)
    assert labels.tolist() == [0] * 6
    assert info["oversized_components"] == 1 and info["splits"] == 0


def test_member_pairs_stay_within_the_components_asked():
    # Components 0 (records 0, 1, 3) and 1 (records 2, 4), 5 draws per record of component 0:
    # 15 draws, self-pairs dropped; every pair joins two records of component 0.
    labels = np.array([0, 0, 1, 0, 1])
    first, second = member_pairs(labels, np.array([0]), per_record=5, seed=1)
    assert 0 < len(first) <= 15
    assert set(first.tolist()) | set(second.tolist()) <= {0, 1, 3}
    assert (first != second).all()
    again = member_pairs(labels, np.array([0]), per_record=5, seed=1)
    assert first.tolist() == again[0].tolist()


def test_a_checked_component_with_a_conflict_is_parted_at_it_not_cut_to_the_cap():
    # A prolific customer: records 0-5 chained at 0.99, glued by one 0.92 link (5-6) to records
    # 6-7 (another person, 0.99 between them); 0 and 7 were compared and judged different
    # (vetoed). Cap 3, component checked (split_oversized=False): rebuilt strongest first
    # under the cannot-link only, the 0.92 link is refused (it would join 0 and 7) and the
    # customer keeps his 6 records together instead of being cut into pieces of 3.
    first, second = np.array([1, 2, 3, 4, 5, 6, 7, 7]), np.array([0, 1, 2, 3, 4, 5, 6, 0])
    prob = np.array([0.99, 0.99, 0.99, 0.99, 0.99, 0.92, 0.99, 0.01])
    vetoed = np.array([False] * 7 + [True])
    labels, info = cluster_pairs(8, first, second, prob, max_cluster_size=3, vetoed=vetoed,
                                 split_oversized=False)
    assert labels.tolist() == [0] * 6 + [1, 1]
    assert info["incoherent_components"] == 1 and info["splits"] == 1
    # Unchecked (split_oversized=True), the same component is cut under the cap: {0,1,2},
    # {3,4,5}, {6,7}.
    labels, _ = cluster_pairs(8, first, second, prob, max_cluster_size=3, vetoed=vetoed)
    assert labels.tolist() == [0, 0, 0, 1, 1, 1, 2, 2]
