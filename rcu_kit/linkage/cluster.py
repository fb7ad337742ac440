"""Clustering: from matched pairs to groups of records that are one customer.

Pairs at or above the threshold are edges of a graph; its connected components
(``scipy.sparse.csgraph``) are the customers, within and across sources alike. Connected
components are transitive, so a chain of individually plausible links can glue different people
together (Jean MARTIN - J. MARTIN - Jeanne MARTIN). The guard:

* a component is **incoherent** when two of its records were compared and judged *different*
  (probability below ``conflict_probability``: typically a household/homonym veto);
* a component larger than ``max_cluster_size`` is incoherent too, unless the caller checked it
  (``split_oversized=False``: :func:`rcu_kit.linkage.pipeline.deduplicate` compares a sample of
  its members' pairs that no blocking pass proposed, and marks it incoherent only when one of them
  is judged different, so a prolific true customer is not cut at an arbitrary size);
* an incoherent component is rebuilt greedily, strongest link first, refusing any link that
  would put two conflicting records together or exceed the size cap (correlation clustering with
  cannot-link constraints). Coherent components are left untouched.

Examples:
    >>> import numpy as np
    >>> labels, info = cluster_pairs(4, np.array([1, 2, 3]), np.array([0, 1, 2]),
    ...                              np.array([0.99, 0.95, 0.2]), threshold=0.9)
    >>> labels.tolist(), info["clusters"]
    ([0, 0, 0, 1], 2)
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = ["connected_labels", "cluster_pairs", "member_pairs"]


def connected_labels(n: int, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    """Connected-component label of each of ``n`` records, numbered by their first record.

    Examples:
        >>> connected_labels(5, np.array([4, 3]), np.array([1, 0])).tolist()
        [0, 1, 2, 0, 1]
    """
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    graph = coo_matrix((np.ones(len(first), dtype=np.int8), (first, second)), shape=(n, n))
    _, raw = connected_components(graph, directed=False)
    # Renumber deterministically: component of record 0 is 0, next new component is 1, ...
    _, first_seen = np.unique(raw, return_index=True)
    rank = np.empty(len(first_seen), dtype=np.int64)
    rank[np.argsort(first_seen, kind="stable")] = np.arange(len(first_seen))
    return rank[raw]


def _constrained_merge(members: np.ndarray, edges: list[tuple[float, int, int]],
                       conflicts: dict[int, set[int]], max_size: int) -> dict[int, int]:
    """Greedy strongest-first union of ``members`` under cannot-link and size constraints."""
    parent = {int(m): int(m) for m in members}
    groups = {int(m): {int(m)} for m in members}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for _, a, b in sorted(edges, key=lambda e: (-e[0], e[1], e[2])):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        ga, gb = groups[ra], groups[rb]
        if len(ga) + len(gb) > max_size:
            continue
        small, large = (ga, gb) if len(ga) <= len(gb) else (gb, ga)
        if any(conflicts.get(x, set()) & large for x in small):
            continue
        parent[rb] = ra
        groups[ra] = ga | gb
        del groups[rb]
    return {m: find(m) for m in parent}


def cluster_pairs(n_records: int, first: np.ndarray, second: np.ndarray,
                  probability: np.ndarray, threshold: float = 0.9,
                  max_cluster_size: int = 50, conflict_probability: float = 0.05,
                  vetoed: np.ndarray | None = None, split_oversized: bool = True
                  ) -> tuple[np.ndarray, dict[str, Any]]:
    """Cluster records from scored pairs, with the chain guard described in the module.

    Args:
        n_records: number of records (labels are produced for positions ``0..n-1``; records in
            no pair are singletons).
        first, second: positions of each scored pair.
        probability: match probability of each pair.
        threshold: minimum probability of a link.
        max_cluster_size: larger components are rebuilt under the size cap.
        conflict_probability: pairs scored below this are "known different" (cannot-link).
        vetoed: optional mask of the pairs a household/homonym rule vetoed: they are "known
            different" too, whatever their probability.
        split_oversized: rebuild every component larger than ``max_cluster_size``; False
            keeps a coherent one whole (the caller has checked it, see :func:`member_pairs`).

    Returns:
        ``(labels, info)``: a cluster label per record (``0..k-1``, numbered by first record)
        and counts: ``clusters``, ``links``, ``incoherent_components``, ``oversized_components``,
        ``splits`` (extra clusters the guard created).

    Examples:
        >>> # 0-1 and 1-2 are strong links but 0 and 2 were judged different (0.01): split.
        >>> labels, info = cluster_pairs(3, np.array([1, 2, 2]), np.array([0, 1, 0]),
        ...                              np.array([0.99, 0.95, 0.01]))
        >>> labels.tolist(), info["incoherent_components"]
        ([0, 0, 1], 1)
    """
    first, second = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
    probability = np.asarray(probability, dtype=float)
    link = probability >= threshold
    labels = connected_labels(n_records, first[link], second[link])
    sizes = np.bincount(labels, minlength=labels.max(initial=-1) + 1) if n_records else \
        np.zeros(0, dtype=np.int64)
    known_different = probability < conflict_probability
    if vetoed is not None:
        known_different |= np.asarray(vetoed, dtype=bool)
    conflict = known_different & (labels[first] == labels[second]) \
        if len(first) else np.zeros(0, dtype=bool)
    bad = np.zeros(len(sizes), dtype=bool)
    bad[labels[first[conflict]]] = True
    incoherent = int(bad.sum())
    oversized = sizes > max_cluster_size
    if split_oversized:
        bad |= oversized
    info: dict[str, Any] = {"links": int(link.sum()), "incoherent_components": incoherent,
                            "oversized_components": int(oversized.sum()), "splits": 0}
    if bad.any():
        new_labels = labels.copy()
        next_label = int(labels.max()) + 1
        in_bad_link = link & bad[labels[first]]
        in_bad_conflict = conflict & bad[labels[first]]
        conflicts: dict[int, set[int]] = {}
        for a, b in zip(first[in_bad_conflict].tolist(), second[in_bad_conflict].tolist()):
            conflicts.setdefault(a, set()).add(b)
            conflicts.setdefault(b, set()).add(a)
        edge_component = labels[first[in_bad_link]]
        order = np.argsort(edge_component, kind="stable")
        comp_sorted = edge_component[order]
        bounds = np.flatnonzero(np.r_[True, comp_sorted[1:] != comp_sorted[:-1], True])
        ef, es, ep = first[in_bad_link][order], second[in_bad_link][order], \
            probability[in_bad_link][order]
        refused = 0
        # Members of every bad component, found with one sort instead of a scan per component.
        bad_records = np.flatnonzero(bad[labels])
        bad_records = bad_records[np.argsort(labels[bad_records], kind="stable")]
        member_labels = labels[bad_records]
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            component = comp_sorted[lo]
            members = bad_records[np.searchsorted(member_labels, component, side="left"):
                                  np.searchsorted(member_labels, component, side="right")]
            edges = list(zip(ep[lo:hi].tolist(), ef[lo:hi].tolist(), es[lo:hi].tolist()))
            # A component the caller checked is rebuilt under its cannot-links only: a prolific
            # customer glued to another person by one link is parted from him, not cut in pieces.
            cap = max_cluster_size if split_oversized else len(members)
            roots = _constrained_merge(members, edges, conflicts, cap)
            groups: dict[int, list[int]] = {}
            for member, root in roots.items():
                groups.setdefault(root, []).append(member)
            ordered = sorted(groups.values(), key=min)
            refused += len(ordered) - 1
            # The group holding the first member keeps the label; the others get new ones.
            for group in ordered[1:]:
                new_labels[group] = next_label
                next_label += 1
        info["splits"] = refused
        labels = connected_labels(n_records, *_pairs_from_labels(new_labels))
    info["clusters"] = int(labels.max(initial=-1) + 1)
    return labels, info


def _pairs_from_labels(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Edges linking each record to the first record of its label (to renumber labels)."""
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    head = order[np.repeat(starts, np.diff(np.r_[starts, len(order)]))]
    return order, head


def member_pairs(labels: np.ndarray, components: np.ndarray, per_record: int = 10,
                 seed: int = 42) -> tuple[np.ndarray, np.ndarray]:
    """A random sample of record pairs within each of ``components`` (cluster labels): each
    member is paired with ``per_record`` members drawn at random (self-pairs dropped), so a
    component of k records gives about ``per_record * k`` pairs however large it is.

    Used to check a large component before keeping it whole: if it chains different people,
    some of its members compared directly are judged different.

    Examples:
        >>> f, s = member_pairs(np.array([0, 0, 1, 0, 1]), np.array([0]), per_record=2, seed=0)
        >>> sorted(set(f.tolist()) | set(s.tolist())), bool((f != s).all())
        ([0, 1, 3], True)
    """
    members = np.flatnonzero(np.isin(labels, components))
    if len(members) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    members = members[np.argsort(labels[members], kind="stable")]
    member_labels = labels[members]
    starts = np.searchsorted(member_labels, member_labels, side="left")
    stops = np.searchsorted(member_labels, member_labels, side="right")
    rng = np.random.default_rng(seed)
    first = np.repeat(members, per_record)
    offsets = rng.integers(0, np.iinfo(np.int64).max, size=len(first)) \
        % np.repeat(stops - starts, per_record)
    second = members[np.repeat(starts, per_record) + offsets]
    keep = first != second
    return first[keep].astype(np.int64), second[keep].astype(np.int64)
