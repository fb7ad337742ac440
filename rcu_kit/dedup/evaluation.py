"""Quality of a deduplication against a ground truth: pairwise and B-cubed precision / recall / F1.

Two views of the same question, "did we group the right records together?":

* **Pairwise**: every pair of records put in the same cluster is a predicted match; it is a true
  positive when the truth also puts both records in one cluster. Computed from the contingency
  table of (predicted cluster, true cluster) counts, never by listing pairs, so a cluster of
  100,000 records costs one multiplication: the pairs inside a group of ``n`` records number
  ``C(n, 2) = n (n - 1) / 2``.
* **B-cubed** (Bagga & Baldwin, 1998): per record, the share of its predicted cluster that truly
  belongs with it (precision) and the share of its true cluster that was found (recall), averaged
  over records. Less dominated by big clusters than pairwise scores.

Both take two label arrays over the same records (a predicted cluster id and a true entity id per
record). Helpers turn the shapes the rest of the kit produces into such arrays: a crosswalk
``(source, record_id, customer_id)`` against a truth ``(source, record_id, person_id)``, or a set
of matched pairs (turned into clusters by connected components). For error analysis,
:func:`merged_clusters` lists the clusters that hold several people (false matches) and
:func:`split_entities` the people spread over several clusters (missed matches).

Conventions for empty denominators: with no predicted pair, pairwise precision is 1.0 (no false
match was made); with no true pair, recall is 1.0 (nothing was there to find). F1 is 0.0 when
precision + recall is 0.

Examples:
    >>> s = pairwise_scores(["a", "a", "a", "b"], [1, 1, 2, 2])
    >>> s.true_positives, s.predicted_pairs, s.true_pairs
    (1, 3, 2)
    >>> round(s.f1, 4)
    0.4
    >>> round(bcubed_scores(["a", "a", "a", "b"], [1, 1, 2, 2]).precision, 4)
    0.6667
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

__all__ = [
    "PairwiseScores",
    "BCubedScores",
    "ClusterEvaluation",
    "contingency_counts",
    "pairwise_scores",
    "pairwise_scores_from_pairs",
    "bcubed_scores",
    "evaluate_clusters",
    "merged_clusters",
    "split_entities",
    "clusters_from_pairs",
    "align_crosswalk",
    "evaluate_crosswalk",
]

KEY = ("source", "record_id")


def _ratio(numerator: float, denominator: float, empty: float) -> float:
    return float(numerator) / float(denominator) if denominator else empty


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _pairs(n: np.ndarray) -> int:
    """Sum of C(n, 2) over an array of group sizes, in exact integers."""
    n = np.asarray(n, dtype=np.int64)
    return int((n * (n - 1) // 2).sum())


@dataclass(frozen=True)
class PairwiseScores:
    """Pairwise scores with the counts behind them.

    Attributes:
        true_positives: pairs in the same predicted cluster and the same true cluster.
        predicted_pairs: pairs in the same predicted cluster.
        true_pairs: pairs in the same true cluster.
    """

    true_positives: int
    predicted_pairs: int
    true_pairs: int

    @property
    def false_positives(self) -> int:
        """Predicted pairs the truth separates (false matches)."""
        return self.predicted_pairs - self.true_positives

    @property
    def false_negatives(self) -> int:
        """True pairs the prediction separates (missed matches)."""
        return self.true_pairs - self.true_positives

    @property
    def precision(self) -> float:
        return _ratio(self.true_positives, self.predicted_pairs, 1.0)

    @property
    def recall(self) -> float:
        return _ratio(self.true_positives, self.true_pairs, 1.0)

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)


@dataclass(frozen=True)
class BCubedScores:
    """B-cubed precision and recall (averages over records) and their harmonic mean."""

    precision: float
    recall: float

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)


@dataclass(frozen=True)
class ClusterEvaluation:
    """Everything :func:`evaluate_clusters` measures, flat enough for a table row."""

    records: int
    predicted_clusters: int
    true_clusters: int
    pairwise: PairwiseScores
    bcubed: BCubedScores

    def as_dict(self) -> dict[str, Any]:
        """One flat dict: counts, then ``pairwise_*`` and ``bcubed_*`` scores."""
        p, b = self.pairwise, self.bcubed
        return {
            "records": self.records,
            "predicted_clusters": self.predicted_clusters,
            "true_clusters": self.true_clusters,
            "predicted_pairs": p.predicted_pairs,
            "true_pairs": p.true_pairs,
            "true_positives": p.true_positives,
            "false_positives": p.false_positives,
            "false_negatives": p.false_negatives,
            "pairwise_precision": p.precision,
            "pairwise_recall": p.recall,
            "pairwise_f1": p.f1,
            "bcubed_precision": b.precision,
            "bcubed_recall": b.recall,
            "bcubed_f1": b.f1,
        }


def _factorize(labels: Sequence[Hashable] | np.ndarray | pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(labels, pd.Series):
        values = labels.to_numpy()
    elif isinstance(labels, np.ndarray):
        values = labels
    else:
        values = np.asarray(labels, dtype=object)
    if values.ndim != 1:
        raise ValueError(f"{what}: expected one label per record (a 1-D sequence), got shape {values.shape}")
    missing = pd.isna(values)
    if missing.any():
        first = int(np.flatnonzero(missing)[0])
        raise ValueError(f"{what}: {int(missing.sum())} record(s) have no label (first at position {first}); "
                         "every record needs a cluster id, a singleton gets its own")
    codes, uniques = pd.factorize(values, sort=False)
    return codes.astype(np.int64), np.asarray(uniques)


def _codes(labels: Sequence[Hashable] | np.ndarray | pd.Series, what: str) -> np.ndarray:
    return _factorize(labels, what)[0]


def contingency_counts(predicted: Sequence[Hashable], truth: Sequence[Hashable]
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The non-empty cells of the (predicted cluster, true cluster) contingency table.

    Args:
        predicted: the predicted cluster label of each record.
        truth: the true entity label of each record, in the same order.

    Returns:
        ``(sizes, predicted_code, true_code)``: per non-empty cell, its record count, and the
        0-based codes of its predicted and true clusters (codes in order of first appearance).

    Raises:
        ValueError: the two sequences differ in length, or a label is missing.

    Examples:
        >>> sizes, p, t = contingency_counts(["a", "a", "b"], [1, 2, 2])
        >>> sizes.tolist(), p.tolist(), t.tolist()
        ([1, 1, 1], [0, 0, 1], [0, 1, 1])
    """
    pred, _, true, _ = _paired(predicted, truth)
    if len(pred) == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    n_true = int(true.max()) + 1
    cells, sizes = np.unique(pred * n_true + true, return_counts=True)
    return sizes.astype(np.int64), cells // n_true, cells % n_true


def pairwise_scores(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> PairwiseScores:
    """Pairwise precision / recall / F1 of a clustering, without enumerating pairs.

    True positives are ``sum C(n_ij, 2)`` over the contingency cells, predicted pairs
    ``sum C(|C|, 2)`` over predicted clusters and true pairs ``sum C(|T|, 2)`` over true clusters.

    Args:
        predicted: the predicted cluster label of each record.
        truth: the true entity label of each record, in the same order.

    Returns:
        The counts (true positives, predicted pairs, true pairs) and the scores derived from them.

    Examples:
        >>> s = pairwise_scores([1, 1, 2], ["x", "x", "x"])
        >>> (s.true_positives, s.predicted_pairs, s.true_pairs, round(s.recall, 4))
        (1, 1, 3, 0.3333)
    """
    sizes, cell_pred, cell_true = contingency_counts(predicted, truth)
    return PairwiseScores(
        true_positives=_pairs(sizes),
        predicted_pairs=_pairs(np.bincount(cell_pred, weights=sizes)) if len(sizes) else 0,
        true_pairs=_pairs(np.bincount(cell_true, weights=sizes)) if len(sizes) else 0,
    )


def bcubed_scores(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> BCubedScores:
    """B-cubed precision and recall: per-record shares, averaged over all records.

    For a record r in predicted cluster C and true cluster T, precision(r) = |C ∩ T| / |C| and
    recall(r) = |C ∩ T| / |T|. The ``|C ∩ T|`` records of a contingency cell share these values,
    so each cell contributes ``|C ∩ T|² / |C|`` to the precision sum.

    Args:
        predicted: the predicted cluster label of each record.
        truth: the true entity label of each record, in the same order.

    Returns:
        The averaged precision and recall (1.0 and 1.0 for no records).

    Examples:
        >>> b = bcubed_scores([1, 1, 2], ["x", "x", "x"])
        >>> round(b.precision, 4), round(b.recall, 4)
        (1.0, 0.5556)
    """
    sizes, cell_pred, cell_true = contingency_counts(predicted, truth)
    n = int(sizes.sum())
    if n == 0:
        return BCubedScores(precision=1.0, recall=1.0)
    pred_size = np.bincount(cell_pred, weights=sizes)[cell_pred]
    true_size = np.bincount(cell_true, weights=sizes)[cell_true]
    squared = sizes.astype(np.float64) ** 2
    return BCubedScores(precision=float((squared / pred_size).sum() / n),
                        recall=float((squared / true_size).sum() / n))


def evaluate_clusters(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> ClusterEvaluation:
    """Pairwise and B-cubed scores of a clustering, with record and cluster counts.

    Args:
        predicted: the predicted cluster label of each record.
        truth: the true entity label of each record, in the same order.

    Returns:
        A :class:`ClusterEvaluation`; ``.as_dict()`` gives a flat table row.
    """
    pred = _codes(predicted, "predicted")
    true = _codes(truth, "truth")
    return ClusterEvaluation(
        records=len(pred),
        predicted_clusters=int(pred.max()) + 1 if len(pred) else 0,
        true_clusters=int(true.max()) + 1 if len(true) else 0,
        pairwise=pairwise_scores(pred, true),
        bcubed=bcubed_scores(pred, true),
    )


def _paired(predicted: Sequence[Hashable], truth: Sequence[Hashable]
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Codes and labels of both sides, checked to describe the same number of records."""
    pred, pred_labels = _factorize(predicted, "predicted")
    true, true_labels = _factorize(truth, "truth")
    if len(pred) != len(true):
        raise ValueError(f"predicted has {len(pred)} labels but truth has {len(true)}: "
                         "they must describe the same records in the same order")
    return pred, pred_labels, true, true_labels


def _error_table(group: np.ndarray, group_labels: np.ndarray, other: np.ndarray,
                 names: tuple[str, str, str]) -> pd.DataFrame:
    """Per group (cluster or entity) split over several of the other side's groups: the damage."""
    group_name, count_name, pairs_name = names
    if len(group) == 0:
        return pd.DataFrame(columns=[group_name, "records", count_name, pairs_name])
    n_other = int(other.max()) + 1
    cells, sizes = np.unique(group * n_other + other, return_counts=True)
    cell_group = cells // n_other
    sizes = sizes.astype(np.int64)
    records = np.bincount(cell_group, weights=sizes).astype(np.int64)
    parts = np.bincount(cell_group)
    inside = np.bincount(cell_group, weights=sizes * (sizes - 1) // 2).astype(np.int64)
    table = pd.DataFrame({group_name: group_labels, "records": records, count_name: parts,
                          pairs_name: records * (records - 1) // 2 - inside})
    table = table[table[count_name] > 1]
    return table.sort_values([pairs_name, "records"], ascending=False, kind="stable").reset_index(drop=True)


def merged_clusters(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> pd.DataFrame:
    """Predicted clusters that hold several true entities (the false matches), worst first.

    Args:
        predicted: the predicted cluster label of each record.
        truth: the true entity label of each record, in the same order.

    Returns:
        One row per over-merged cluster: ``predicted`` (its label), ``records``, ``entities``
        (true entities inside) and ``false_pairs`` (pairs inside it the truth separates), sorted
        by ``false_pairs`` then size, descending. ``false_pairs`` sums to the pairwise false
        positives.

    Examples:
        >>> merged_clusters(["a", "a", "a", "b"], [1, 1, 2, 2]).to_dict("records")
        [{'predicted': 'a', 'records': 3, 'entities': 2, 'false_pairs': 2}]
    """
    pred, pred_labels, true, _ = _paired(predicted, truth)
    return _error_table(pred, pred_labels, true, ("predicted", "entities", "false_pairs"))


def split_entities(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> pd.DataFrame:
    """True entities spread over several predicted clusters (the missed matches), worst first.

    Args:
        predicted: the predicted cluster label of each record.
        truth: the true entity label of each record, in the same order.

    Returns:
        One row per split entity: ``truth`` (its label), ``records``, ``clusters`` (predicted
        clusters it is spread over) and ``missed_pairs`` (its pairs the prediction separates),
        sorted by ``missed_pairs`` then size, descending. ``missed_pairs`` sums to the pairwise
        false negatives.

    Examples:
        >>> split_entities(["a", "a", "a", "b"], [1, 1, 2, 2]).to_dict("records")
        [{'truth': 2, 'records': 2, 'clusters': 2, 'missed_pairs': 1}]
    """
    pred, _, true, true_labels = _paired(predicted, truth)
    return _error_table(true, true_labels, pred, ("truth", "clusters", "missed_pairs"))


def _normalised_pairs(pairs: Iterable[tuple[Hashable, Hashable]], what: str) -> set[tuple[Hashable, Hashable]]:
    out: set[tuple[Hashable, Hashable]] = set()
    for i, pair in enumerate(pairs):
        try:
            a, b = pair
        except (TypeError, ValueError):
            raise ValueError(f"{what}: item {i} ({pair!r}) is not a pair of record keys") from None
        if a == b:
            continue  # a record matched with itself says nothing
        out.add((a, b) if str(a) <= str(b) else (b, a))
    return out


def pairwise_scores_from_pairs(predicted_pairs: Iterable[tuple[Hashable, Hashable]],
                               true_pairs: Iterable[tuple[Hashable, Hashable]]) -> PairwiseScores:
    """Pairwise scores of a set of matched pairs against the set of true pairs (order ignored).

    Use it for a classifier's raw pair decisions, before clustering; for clusters use
    :func:`pairwise_scores`, which does not need the pairs listed.

    Args:
        predicted_pairs: the pairs of record keys declared matches.
        true_pairs: the pairs of record keys that truly match.

    Returns:
        The counts and scores; ``(a, b)`` and ``(b, a)`` are the same pair, ``(a, a)`` is ignored.

    Examples:
        >>> s = pairwise_scores_from_pairs([(1, 2), (3, 2)], [(2, 1), (4, 5)])
        >>> s.true_positives, s.false_positives, s.false_negatives
        (1, 1, 1)
    """
    predicted = _normalised_pairs(predicted_pairs, "predicted_pairs")
    true = _normalised_pairs(true_pairs, "true_pairs")
    return PairwiseScores(true_positives=len(predicted & true),
                          predicted_pairs=len(predicted), true_pairs=len(true))


def clusters_from_pairs(records: Sequence[Hashable] | pd.Index,
                        pairs: Iterable[tuple[Hashable, Hashable]] | pd.MultiIndex) -> pd.Series:
    """Cluster records by the connected components of the matched pairs (transitive closure).

    Args:
        records: the key of every record (unique); records in no pair become singletons.
        pairs: matched pairs of keys, e.g. a recordlinkage ``MultiIndex`` of matches.

    Returns:
        A Series indexed by record key giving a cluster number (0-based, in order of each
        cluster's first record), covering every record.

    Raises:
        ValueError: duplicate record keys, or a pair names a record that is not in ``records``.

    Examples:
        >>> clusters_from_pairs(["a", "b", "c", "d"], [("c", "a")]).tolist()
        [0, 1, 0, 2]
    """
    index = pd.Index(records)
    if index.has_duplicates:
        dup = index[index.duplicated()].unique()[:5].tolist()
        raise ValueError(f"records: keys must be unique; repeated: {dup}")
    if isinstance(pairs, pd.MultiIndex):
        left, right = pairs.get_level_values(0), pairs.get_level_values(1)
    else:
        pair_list = list(pairs)
        left = pd.Index([p[0] for p in pair_list], dtype=object)
        right = pd.Index([p[1] for p in pair_list], dtype=object)
    li, ri = index.get_indexer(left), index.get_indexer(right)
    unknown = (li < 0) | (ri < 0)
    if unknown.any():
        k = int(np.flatnonzero(unknown)[0])
        raise ValueError(f"pairs: {int(unknown.sum())} pair(s) name a record not in records, "
                         f"first ({left[k]!r}, {right[k]!r})")
    n = len(index)
    graph = coo_matrix((np.ones(len(li), dtype=np.int8), (li, ri)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    # Renumber by first appearance so the result does not depend on scipy's numbering.
    renumbered, _ = pd.factorize(labels, sort=False)
    return pd.Series(renumbered.astype(np.int64), index=index, name="cluster")


def _keyed(frame: pd.DataFrame, label: str, what: str) -> pd.DataFrame:
    needed = [*KEY, label]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {missing}; expected columns {needed}, "
                         f"got {list(frame.columns)}")
    out = frame[needed].copy()
    for col in KEY:  # ids may have been read as numbers on one side and text on the other
        out[col] = out[col].astype(str)
    dup = out.duplicated(list(KEY), keep=False)
    if dup.any():
        first = out.loc[dup, list(KEY)].iloc[0].tolist()
        raise ValueError(f"{what}: {int(dup.sum())} rows share a (source, record_id) with another row, "
                         f"first {first}; each record must appear once")
    return out


def align_crosswalk(crosswalk: pd.DataFrame, truth: pd.DataFrame, *,
                    predicted_column: str = "customer_id", truth_column: str = "person_id") -> pd.DataFrame:
    """Join a crosswalk and a truth on ``(source, record_id)``, insisting both cover the same records.

    Args:
        crosswalk: one row per record: ``source``, ``record_id`` and the predicted ``customer_id``.
        truth: one row per record: ``source``, ``record_id`` and the true ``person_id``.
        predicted_column: the crosswalk's cluster column.
        truth_column: the truth's entity column.

    Returns:
        ``source, record_id, predicted, truth`` for every record (keys as text), in crosswalk order.

    Raises:
        ValueError: a column is missing, a key is repeated, a label is empty, or a record is in
            one table but not the other (the message counts them and shows the first few).
    """
    pred = _keyed(crosswalk, predicted_column, "crosswalk").rename(columns={predicted_column: "predicted"})
    true = _keyed(truth, truth_column, "truth").rename(columns={truth_column: "truth"})
    merged = pred.merge(true, on=list(KEY), how="outer", indicator=True, sort=False)
    for side, other, what in (("left_only", "truth", "crosswalk"), ("right_only", "crosswalk", "truth")):
        lost = merged[merged["_merge"] == side]
        if len(lost):
            shown = ", ".join(f"{s}/{r}" for s, r in lost[list(KEY)].head(5).itertuples(index=False))
            raise ValueError(f"{len(lost)} record(s) of the {what} are missing from the {other} "
                             f"(first: {shown}); both must cover exactly the same records")
    for col, what in (("predicted", f"crosswalk.{predicted_column}"), ("truth", f"truth.{truth_column}")):
        empty = merged[col].isna()
        if empty.any():
            s, r = merged.loc[empty, list(KEY)].iloc[0]
            raise ValueError(f"{what}: {int(empty.sum())} record(s) have no value (first {s}/{r})")
    return merged.drop(columns="_merge").reset_index(drop=True)


def evaluate_crosswalk(crosswalk: pd.DataFrame, truth: pd.DataFrame, *,
                       predicted_column: str = "customer_id",
                       truth_column: str = "person_id") -> ClusterEvaluation:
    """Score a deduplication crosswalk against the truth (pairwise and B-cubed).

    Args:
        crosswalk: ``source, record_id, customer_id``: the cluster each record was put in.
        truth: ``source, record_id, person_id``: the real person behind each record.
        predicted_column: the crosswalk's cluster column.
        truth_column: the truth's entity column.

    Returns:
        A :class:`ClusterEvaluation`.

    Raises:
        ValueError: see :func:`align_crosswalk`.

    Examples:
        >>> xw = pd.DataFrame({"source": ["crm", "crm", "web"], "record_id": ["1", "2", "9"],
        ...                    "customer_id": ["C1", "C1", "C2"]})
        >>> tr = pd.DataFrame({"source": ["crm", "crm", "web"], "record_id": [1, 2, 9],
        ...                    "person_id": ["P1", "P1", "P1"]})
        >>> ev = evaluate_crosswalk(xw, tr)
        >>> ev.pairwise.precision, round(ev.pairwise.recall, 4)
        (1.0, 0.3333)
    """
    aligned = align_crosswalk(crosswalk, truth, predicted_column=predicted_column, truth_column=truth_column)
    return evaluate_clusters(aligned["predicted"], aligned["truth"])
