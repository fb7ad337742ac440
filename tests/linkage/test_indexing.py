"""Blocking passes: exact pair counts on tiny frames, block caps reported, union statistics."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from rcu_kit.linkage.indexing import (
    ExactBlockIndex,
    MultiPassIndex,
    SortedNeighbourhoodIndex,
    block_pairs,
    cross_block_pairs,
    key_codes,
)


def _pairs(index: pd.MultiIndex) -> set[tuple]:
    return set(index.tolist())


def test_exact_block_pairs_every_record_sharing_the_key_once():
    df = pd.DataFrame({"phone": ["A", "B", "A", None, "A", "B", "", "C"]})
    # Block A = rows 0, 2, 4 -> 3 pairs; block B = rows 1, 5 -> 1 pair; None and "" are no key;
    # C is alone. Pairs are (larger position, smaller position), recordlinkage's convention.
    assert _pairs(ExactBlockIndex("phone").index(df)) == {(2, 0), (4, 0), (4, 2), (5, 1)}


def test_multi_column_key_needs_every_column():
    df = pd.DataFrame({"bd": ["1980", "1980", "1980", None],
                       "ini": ["J", "J", "M", "J"]})
    # Only rows 0 and 1 agree on both; row 3 has no birth date.
    assert _pairs(ExactBlockIndex(["bd", "ini"]).index(df)) == {(1, 0)}


def test_any_of_columns_pairs_married_and_birth_names_without_repeats():
    df = pd.DataFrame({"last": ["DUPONT", "MARTIN", "MARTIN", "DUPONT"],
                       "birth": ["MARTIN", None, "MARTIN", None],
                       "first": ["ANNE", "ANNE", "ANNE", "LUC"]})
    # Keys (name, first): row 0 -> (DUPONT, ANNE), (MARTIN, ANNE); row 1 -> (MARTIN, ANNE);
    # row 2 -> (MARTIN, ANNE) twice (last and birth); row 3 -> (DUPONT, LUC).
    # Block (MARTIN, ANNE) holds rows 0, 1, 2 -> pairs (1,0), (2,0), (2,1), each once.
    index = ExactBlockIndex([("last", "birth"), "first"])
    assert index.index(df).tolist() == [(1, 0), (2, 0), (2, 1)]
    assert index.stats.records_keyed == 4


def test_oversized_blocks_are_skipped_and_reported():
    df = pd.DataFrame({"phone": ["0600000000"] * 5 + ["X", "X"]})
    index = ExactBlockIndex("phone", max_block_size=4)
    # The placeholder phone block has 5 records > 4: skipped; the X block gives 1 pair.
    assert _pairs(index.index(df)) == {(6, 5)}
    stats = index.stats
    assert (stats.pairs, stats.blocks, stats.skipped_blocks, stats.skipped_records) == (1, 1, 1, 5)
    assert stats.skipped_keys == [("0600000000", 5)]
    assert stats.largest_block == 2


def test_link_index_pairs_across_frames_only():
    a = pd.DataFrame({"k": ["x", "y", "x"]}, index=["a0", "a1", "a2"])
    b = pd.DataFrame({"k": ["x", "z", "x"]}, index=["b0", "b1", "b2"])
    # x: 2 records in A times 2 in B = 4 pairs; y and z have no partner.
    assert _pairs(ExactBlockIndex("k").index(a, b)) == {("a0", "b0"), ("a0", "b2"),
                                                        ("a2", "b0"), ("a2", "b2")}


def test_sorted_neighbourhood_pairs_within_the_window():
    df = pd.DataFrame({"name": ["DURAND", "DUPONT", "DUPOND", "MARTIN", None]})
    # Sorted: DUPOND(2), DUPONT(1), DURAND(0), MARTIN(3); window 2 pairs neighbours only:
    # (2,1), (1,0), (3,0) as (larger, smaller) -> 3 pairs; the missing name is left out.
    index = SortedNeighbourhoodIndex("name", window=2)
    assert _pairs(index.index(df)) == {(2, 1), (1, 0), (3, 0)}
    # Window 3 adds the pairs two apart: (2,0) and (1,3) -> 5 pairs.
    assert len(SortedNeighbourhoodIndex("name", window=3).index(df)) == 5
    with pytest.raises(ValueError, match="window must be at least 2"):
        SortedNeighbourhoodIndex("name", window=1)


def test_multipass_unites_and_counts_new_pairs_per_pass():
    df = pd.DataFrame({"phone": ["1", "1", "2", "2"], "email": ["a", "a", "b", "c"]})
    mp = MultiPassIndex([ExactBlockIndex("phone"), ExactBlockIndex("email")])
    result = mp.candidates(df)
    # phone: (1,0), (3,2); email: (1,0) again -> union of 2 pairs, the email pass adds none.
    assert sorted(zip(result.first.tolist(), result.second.tolist())) == [(1, 0), (3, 2)]
    table = result.stats_table().set_index("pass")
    assert table.loc["phone", "pairs"] == 2 and table.loc["phone", "new_pairs"] == 2
    assert table.loc["email", "pairs"] == 1 and table.loc["email", "new_pairs"] == 0
    # 2 pairs out of 4 * 3 / 2 = 6 possible.
    assert table.loc["total", "reduction_ratio"] == pytest.approx(1 - 2 / 6)
    assert result.found_by.tolist() == [0, 0]


def test_missing_column_is_named():
    with pytest.raises(KeyError, match="blocking column 'phone' is not in the records"):
        ExactBlockIndex("phone").index(pd.DataFrame({"email": ["a"]}))


def test_integer_helpers():
    codes = key_codes([pd.DataFrame({"a": ["x", None, "x"]}), pd.DataFrame({"a": ["x", "y"]})],
                      ["a"])
    # One vocabulary across both frames: x -> 0, y -> 1, missing -> -1.
    assert [c.tolist() for c in codes] == [[0, -1, 0], [0, 1]]
    first, second, info = block_pairs(np.array([1, 1, 1, -1]), max_block_size=2)
    assert len(first) == 0 and info["skipped_records"] == 3
    first, second, _ = cross_block_pairs(np.array([0, 0]), np.array([0, -1]))
    assert list(zip(first.tolist(), second.tolist())) == [(0, 0), (1, 0)]


def test_random_pairs_sample_uniformly_and_reproducibly():
    from rcu_kit.linkage.indexing import random_pairs

    # 1,000 records form 499,500 pairs: 20,000 drawn, each with first > second, the same
    # for the same seed and different for another.
    first, second, total = random_pairs(1000, 20_000, seed=3)
    assert total == 499_500 and len(first) == 20_000
    assert (first > second).all() and (second >= 0).all() and (first < 1000).all()
    again, _, _ = random_pairs(1000, 20_000, seed=3)
    other, _, _ = random_pairs(1000, 20_000, seed=4)
    assert (again == first).all() and not (other == first).all()
    # Across two groups of 10 and 990 records: 9,900 pairs, all drawn as they are fewer than
    # asked, and every one crosses the groups.
    groups = np.array([0] * 10 + [1] * 990)
    first, second, total = random_pairs(1000, 20_000, groups=groups)
    assert total == 9_900 and len(first) == 9_900
    assert (groups[first] != groups[second]).all()


def test_locate_pairs_in_either_order():
    from rcu_kit.linkage.indexing import locate_pairs

    # Pairs (1, 0), (3, 2), (4, 1): (0, 1) is the first, (2, 3) the second, (1, 4) the third,
    # (4, 0) is absent.
    positions = locate_pairs(np.array([1, 3, 4]), np.array([0, 2, 1]),
                             np.array([0, 2, 1, 4]), np.array([1, 3, 4, 0]), 5)
    assert positions.tolist() == [0, 1, 2, -1]
    assert locate_pairs(np.zeros(0, np.int64), np.zeros(0, np.int64), np.array([1]),
                        np.array([0]), 2).tolist() == [-1]


def test_locate_pairs_answers_each_query_where_it_was_asked():
    from rcu_kit.linkage.indexing import locate_pairs

    # The queries are searched in sorted order, the answers given back in the order asked.
    # Pairs (1, 0), (3, 2), (4, 1); asked: (3, 2) the second, (4, 0) absent, (1, 0) the first,
    # (0, 3) absent, (0, 1) the first again, (2, 3) the second again, (1, 4) the third.
    positions = locate_pairs(np.array([1, 3, 4]), np.array([0, 2, 1]),
                             np.array([3, 4, 1, 0, 0, 2, 1]), np.array([2, 0, 0, 3, 1, 3, 4]), 5)
    assert positions.tolist() == [1, -1, 0, -1, 0, 1, 2]


def test_multipass_reports_every_pass_that_found_a_pair():
    # Records 0 and 1 share a phone and an e-mail: found by both passes (bits 0 and 1, mask 3),
    # first by the phone pass; 1 and 2 share only the e-mail (mask 2).
    df = pd.DataFrame({"phone": ["1", "1", "2"], "email": ["a", "a", "a"]})
    index = MultiPassIndex([ExactBlockIndex("phone"), ExactBlockIndex("email"),
                            SortedNeighbourhoodIndex("email", window=2)])
    found = index.candidates(df)
    pairs = {(int(a), int(b)): (int(f), int(m)) for a, b, f, m in
             zip(found.first, found.second, found.found_by, found.passes)}
    # 0-1: phone, e-mail and the sorted pass (1 + 2 + 4); 0-2 and 1-2: e-mail, and 1-2 also
    # the sorted pass (neighbours once sorted); 0-2 is two apart (window 2: no).
    assert pairs == {(1, 0): (0, 7), (2, 0): (1, 2), (2, 1): (1, 6)}
    # For the model, a sorted pass frees no key where an exact pass also found the pair.
    assert index.key_finders(found.passes).tolist() == [3, 2, 2]
