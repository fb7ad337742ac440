"""Clerical review: uncertain pairs to label, a label store, quality estimates from the labels.

The curative run is unsupervised: nobody told it which pairs are the same person. A consultant
and the client's data owner label a sample of pairs (match / non-match / unsure); this module

* draws the pairs worth a human look (:func:`sample_pairs_for_review`): a random sample
  *stratified* by match probability, so the estimates below are unbiased, weighted towards
  the uncertain middle where labels teach the most;
* keeps the labels in an append-only CSV in the engagement's output folder
  (:class:`LabelStore`): every click is one line, the latest label of a pair wins, nothing is
  lost when the kernel restarts;
* estimates precision and recall of the matching at a threshold from the labels
  (:func:`estimate_quality`), stratum by stratum, with Wilson intervals for the raw shares and
  a seeded bootstrap interval for the weighted estimates;
* turns the labels into a supervised classifier (:func:`train_supervised`), the supervised
  option of :mod:`rcu_kit.linkage.classify`.

The engagement-wide review (``rcu-kit review``) draws its sheet with :func:`draw_review_sample`:
the same stratified draw among candidate pairs plus a stratum of random record pairs the blocking
never proposed (so recall counts the matches the blocking missed), each row with its stratum and
inclusion weight; :func:`review_sheet` lays the two records side by side (masked as the
engagement says) and :func:`read_label_sheet` reads the filled sheet back, naming the row of
every error. :mod:`rcu_kit.golden.estimates` turns the labels into the headline figures with
their intervals.

Examples:
    >>> import pandas as pd
    >>> labelled = pd.DataFrame({"match_probability": [0.95, 0.97, 0.3, 0.2],
    ...                          "label": ["match", "non_match", "match", "non_match"]})
    >>> round(estimate_quality(labelled, threshold=0.9, strata=[0, 0.5, 1]).precision, 2)
    0.5
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rcu_kit.linkage.prepare import AS_READ_BIRTH_DATE

__all__ = [
    "LABELS",
    "PAIR_KEY",
    "LabelStore",
    "labels_path",
    "sample_pairs_for_review",
    "pair_view",
    "wilson_interval",
    "QualityEstimate",
    "estimate_quality",
    "train_supervised",
    "labelled_pairs",
    "quality_table",
    "supervised_comparison",
    "NOT_PROPOSED",
    "SHEET_KEY",
    "canonical_pairs",
    "stratum_names",
    "draw_review_sample",
    "review_sheet",
    "read_label_sheet",
    "sheet_paths",
    "keep_sheet_labels",
    "write_review_sheet",
    "review_queue",
    "mark_sheet_label",
    "BORDERLINE_MARGIN",
    "FEATURE_ATTRIBUTES",
    "borderline_band",
    "borderline_pairs",
    "borderline_table",
    "borderline_view",
    "borderline_question",
    "evidence_words",
    "supervised_table",
]

LABELS = ("match", "non_match", "unsure")
PAIR_KEY = ["source_1", "record_id_1", "source_2", "record_id_2"]
STORE_COLUMNS = [*PAIR_KEY, "label", "match_probability", "reviewer", "labelled_at"]
DEFAULT_STRATA = (0.0, 0.05, 0.2, 0.5, 0.8, 0.95, 1.0)


def labels_path(engagement: Any) -> Path:
    """The engagement's label file: ``<output>/review/labels.csv``."""
    from rcu_kit.core.paths import step_dir

    return step_dir(engagement, "review") / "labels.csv"


def canonical_pairs(frame: pd.DataFrame) -> pd.DataFrame:
    """The pair key of ``frame`` (:data:`PAIR_KEY`) as strings, the two records in a canonical
    order: one spelling per pair, whichever order it was written in."""
    return _key_frame(frame)


def _key_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The pair key as strings, with the two records in a canonical order (a pair labelled
    as (b, a) is the same pair as (a, b))."""
    k = frame[PAIR_KEY].astype(str)
    swap = (k["source_1"] + "\x1f" + k["record_id_1"]) > (k["source_2"] + "\x1f" + k["record_id_2"])
    out = k.copy()
    out.loc[swap, ["source_1", "record_id_1"]] = k.loc[swap, ["source_2", "record_id_2"]].to_numpy()
    out.loc[swap, ["source_2", "record_id_2"]] = k.loc[swap, ["source_1", "record_id_1"]].to_numpy()
    return out


class LabelStore:
    """Append-only CSV of pair labels; the latest label of a pair is the one that counts.

    Args:
        path: the CSV file (created with its header on first write).

    Examples:
        >>> store = LabelStore(tmp_path / "labels.csv")  # doctest: +SKIP
        >>> store.add({"source_1": "crm", "record_id_1": "1", "source_2": "web",
        ...            "record_id_2": "7"}, "match")  # doctest: +SKIP
        >>> LabelStore(tmp_path / "labels.csv").labels()["label"].tolist()  # doctest: +SKIP
        ['match']
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def add(self, pair: Any, label: str, reviewer: str = "", match_probability: float | None = None
            ) -> None:
        """Append one label (written to disk at once).

        Args:
            pair: a mapping or row with ``source_1, record_id_1, source_2, record_id_2`` (and
                optionally ``match_probability``).
            label: one of :data:`LABELS`.
            reviewer: who labelled.
            match_probability: the model's probability (default: the pair's own).
        """
        if label not in LABELS:
            raise ValueError(f"label must be one of {', '.join(LABELS)}; got {label!r}")
        get = pair.get if hasattr(pair, "get") else lambda k, d=None: getattr(pair, k, d)
        missing = [k for k in PAIR_KEY if get(k) is None]
        if missing:
            raise ValueError(f"pair: missing {', '.join(missing)}; a pair needs {', '.join(PAIR_KEY)}")
        prob = match_probability if match_probability is not None else get("match_probability")
        row = pd.DataFrame([{**{k: str(get(k)) for k in PAIR_KEY}, "label": label,
                             "match_probability": None if prob is None else float(prob),
                             "reviewer": reviewer,
                             "labelled_at": dt.datetime.now().isoformat(timespec="seconds")}],
                           columns=STORE_COLUMNS)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists() or self.path.stat().st_size == 0
        row.to_csv(self.path, mode="a", header=new, index=False, lineterminator="\n")

    def add_many(self, labelled: pd.DataFrame, reviewer: str = "") -> int:
        """Append the labels of ``labelled`` (:data:`PAIR_KEY`, ``label``, optionally
        ``match_probability``) that differ from the current ones; returns how many were new.
        """
        bad = ~labelled["label"].isin(LABELS)
        if bad.any():
            raise ValueError(f"label must be one of {', '.join(LABELS)}; got "
                             f"{labelled.loc[bad, 'label'].iloc[0]!r}")
        rows = labelled.copy()
        rows[PAIR_KEY] = _key_frame(rows)
        rows = rows.drop_duplicates(PAIR_KEY, keep="last")
        current = self.labels()
        if len(current):
            before = current.set_index(PAIR_KEY)["label"]
            key = pd.MultiIndex.from_frame(rows[PAIR_KEY])
            same = before.reindex(key).to_numpy() == rows["label"].to_numpy()
            rows = rows[~same]
        if rows.empty:
            return 0
        prob = rows["match_probability"] if "match_probability" in rows else None
        out = pd.DataFrame({**{k: rows[k].to_numpy() for k in PAIR_KEY},
                            "label": rows["label"].to_numpy(),
                            "match_probability": None if prob is None else prob.to_numpy(),
                            "reviewer": reviewer,
                            "labelled_at": dt.datetime.now().isoformat(timespec="seconds")},
                           columns=STORE_COLUMNS)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        new = not self.path.exists() or self.path.stat().st_size == 0
        out.to_csv(self.path, mode="a", header=new, index=False, lineterminator="\n")
        return len(out)

    def history(self) -> pd.DataFrame:
        """Every label ever written, in order."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return pd.DataFrame(columns=STORE_COLUMNS)
        table = pd.read_csv(self.path, dtype=str, keep_default_na=False)
        missing = [c for c in STORE_COLUMNS if c not in table.columns]
        if missing:
            raise ValueError(f"{self.path}: not a label file (column(s) {', '.join(missing)} "
                             "missing); move it away and label again")
        bad = ~table["label"].isin(LABELS)
        if bad.any():
            rows = (np.flatnonzero(bad.to_numpy()) + 2)[:5].tolist()
            raise ValueError(f"{self.path}: unknown label(s) on line(s) {rows}; allowed: "
                             f"{', '.join(LABELS)}")
        table["match_probability"] = pd.to_numeric(table["match_probability"], errors="coerce")
        return table

    def labels(self) -> pd.DataFrame:
        """The current label of each labelled pair (latest wins), pair key canonical."""
        table = self.history()
        if table.empty:
            return table
        table[PAIR_KEY] = _key_frame(table)
        return table.drop_duplicates(PAIR_KEY, keep="last").reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.labels())


def _strata(probability: np.ndarray, strata: Sequence[float]) -> np.ndarray:
    edges = np.asarray(strata, dtype=float)
    return np.clip(np.searchsorted(edges, probability, side="right") - 1, 0, len(edges) - 2)


def sample_pairs_for_review(pairs: pd.DataFrame, n: int = 50, *, labelled: pd.DataFrame | None = None,
                            strata: Sequence[float] = DEFAULT_STRATA, seed: int = 42,
                            uncertain: tuple[float, float] = (0.2, 0.95),
                            shares: Sequence[float] | None = None) -> pd.DataFrame:
    """Pairs to label next: a seeded random sample in each probability stratum.

    Half of the ``n`` pairs are shared equally between the strata overlapping the uncertain
    band, the rest equally between all strata (so certain matches and non-matches are checked
    too); a stratum with fewer pairs than its share gives the rest to the others. Pairs already
    labelled are left out. The result is sorted by stratum then probability
    and keeps every column of ``pairs`` plus ``stratum``.

    Args:
        pairs: scored pairs (``DedupResult.pairs``).
        n: pairs wanted (fewer when the strata run out).
        labelled: current labels (:meth:`LabelStore.labels`) to leave out.
        strata: probability edges of the strata.
        seed: random seed.
        uncertain: the probability band most worth a look.
        shares: the share of ``n`` wanted in each stratum, instead of the rule above (e.g. the
            allocation that narrows the intervals most,
            :func:`rcu_kit.golden.estimates.informative_shares`).
    """
    if "match_probability" not in pairs.columns:
        raise ValueError("pairs: column 'match_probability' missing (give DedupResult.pairs)")
    table = pairs.reset_index(drop=True)
    if labelled is not None and len(labelled):
        done = pd.MultiIndex.from_frame(_key_frame(labelled))
        table = table[~pd.MultiIndex.from_frame(_key_frame(table)).isin(done)]
    stratum = _strata(table["match_probability"].to_numpy(dtype=float), strata)
    table = table.assign(stratum=stratum)
    edges = np.asarray(strata, dtype=float)
    k = len(edges) - 1
    hot = [h for h in range(k) if edges[h + 1] > uncertain[0] and edges[h] < uncertain[1]]
    quota = np.zeros(k, dtype=int)
    quota += (n - n // 2) // k
    for i, h in enumerate(hot):
        quota[h] += n // 2 // len(hot) + (1 if i < (n // 2) % len(hot) else 0)
    quota[: (n - n // 2) % k] += 1
    if shares is not None:
        wanted = np.asarray(shares, dtype=float) * n
        quota = np.floor(wanted).astype(int)
        for h in np.argsort(-(wanted - quota))[: n - int(quota.sum())]:
            quota[h] += 1
    # a stratum with fewer pairs than its quota gives the rest to the others, one by one
    available = np.bincount(table["stratum"].to_numpy(), minlength=k)
    spare = int(np.maximum(quota - available, 0).sum())
    quota = np.minimum(quota, available)
    while spare and (quota < available).any():
        for h in np.flatnonzero(quota < available):
            if spare:
                quota[h] += 1
                spare -= 1
    rng = np.random.default_rng(seed)
    chosen = []
    for h in range(k):
        rows = np.flatnonzero(table["stratum"].to_numpy() == h)
        take = min(quota[h], len(rows))
        chosen.append(rng.choice(rows, size=take, replace=False) if take else rows[:0])
    picked = table.iloc[np.concatenate(chosen)] if chosen else table.iloc[:0]
    return picked.sort_values(["stratum", "match_probability"], kind="stable").reset_index(drop=True)


def pair_view(records: pd.DataFrame, pair: Any, *, mask: bool = True,
              attributes: Sequence[str] = ("civility", "last_name", "birth_name", "first_name",
                                           "birth_date", "invalid_birth_date", "email", "phone",
                                           "street", "postcode", "city", "country")
              ) -> pd.DataFrame:
    """The two records of a pair side by side: one row per attribute, masked if asked.

    Args:
        records: standardised records (``source``, ``record_id`` and attribute columns).
        pair: a row with ``source_1, record_id_1, source_2, record_id_2``.
        mask: mask personal data (``engagement.mask_personal_data``).
        attributes: the rows shown (those absent from ``records`` are skipped). The row of
            ``invalid_birth_date`` (an invalid birth date's parts as read, which the comparison
            of birth dates uses where the valid one is missing) only when a record has one.

    Returns:
        Columns ``attribute, record_1, record_2, same`` (``same``: both present and equal,
        compared before masking).
    """
    from rcu_kit.values.masking import ATTRIBUTE_MASK_TYPES, mask_value

    get = pair.get if hasattr(pair, "get") else lambda k, d=None: getattr(pair, k, d)
    index = pd.MultiIndex.from_frame(records[["source", "record_id"]].astype(str))
    rows = []
    for side in (1, 2):
        where = index.get_indexer([(str(get(f"source_{side}")), str(get(f"record_id_{side}")))])[0]
        if where < 0:
            raise KeyError(f"record {get(f'source_{side}')}/{get(f'record_id_{side}')} is not in "
                           "the records: give the standardised records of the deduplication run")
        rows.append(records.iloc[where])
    out = []
    for attribute in [a for a in attributes if a in records.columns]:
        a, b = rows[0][attribute], rows[1][attribute]
        a = None if pd.isna(a) else str(a)
        b = None if pd.isna(b) else str(b)
        if attribute == AS_READ_BIRTH_DATE and a is None and b is None:
            continue
        kind = ATTRIBUTE_MASK_TYPES.get(attribute)
        out.append({"attribute": attribute,
                    "record_1": mask_value(a, kind) if mask else a,
                    "record_2": mask_value(b, kind) if mask else b,
                    "same": a is not None and a == b})
    return pd.DataFrame(out, columns=["attribute", "record_1", "record_2", "same"])


def wilson_interval(successes: float, n: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a proportion (well-behaved near 0 and 1 and for small n).

    Examples:
        >>> tuple(round(float(x), 4) for x in wilson_interval(8, 10))
        (0.4902, 0.9433)
    """
    if n <= 0:
        return (0.0, 1.0)
    from scipy.stats import norm

    z = float(norm.ppf(0.5 + confidence / 2))
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass
class QualityEstimate:
    """Precision and recall of the matching at ``threshold``, estimated from labels.

    Attributes:
        threshold: pairs at or above it are predicted matches.
        precision: estimated share of predicted matches that are true matches.
        recall: estimated share of true matches (among candidate pairs) predicted as matches.
        precision_interval, recall_interval: bootstrap intervals (``confidence``).
        precision_wilson: Wilson interval of the raw share of labelled predicted matches
            labelled *match* (exact when the labelled pairs are a simple random sample).
        labelled: labels used (``unsure`` left out); unsure: labels left out.
        strata: per stratum: ``low, high, pairs, labelled, matches, match_rate``.
        confidence: level of the intervals.
    """

    threshold: float
    precision: float
    recall: float
    precision_interval: tuple[float, float]
    recall_interval: tuple[float, float]
    precision_wilson: tuple[float, float]
    labelled: int
    unsure: int
    strata: pd.DataFrame
    confidence: float

    def as_table(self) -> pd.DataFrame:
        """Measure, estimate, low, high: one row each for precision and recall."""
        return pd.DataFrame({
            "measure": ["precision", "recall"],
            "estimate": [self.precision, self.recall],
            "low": [self.precision_interval[0], self.recall_interval[0]],
            "high": [self.precision_interval[1], self.recall_interval[1]],
        })


def estimate_quality(labelled: pd.DataFrame, threshold: float, *, pairs: pd.DataFrame | None = None,
                     strata: Sequence[float] = DEFAULT_STRATA, confidence: float = 0.95,
                     n_bootstrap: int = 1000, seed: int = 42) -> QualityEstimate:
    """Precision and recall at ``threshold`` from labelled pairs, weighted by stratum.

    In each probability stratum the share of labelled pairs that are matches estimates the share
    of *all* the stratum's pairs that are matches (the labels are a random sample of the
    stratum, as :func:`sample_pairs_for_review` draws them). Estimated true matches per stratum
    = pairs x match share; precision = estimated true matches at or above the threshold /
    pairs at or above it; recall = the same numerator / estimated true matches in all strata.
    Put the threshold on a stratum edge (it is added as one when it is not).

    Args:
        labelled: ``match_probability`` and ``label`` per labelled pair.
        threshold: the decision threshold.
        pairs: all scored pairs (for the stratum sizes); default: the labelled pairs themselves
            (every stratum weighted by its labels).
        strata: probability edges.
        confidence: level of the intervals.
        n_bootstrap: bootstrap resamples (labels resampled within each stratum).
        seed: random seed of the bootstrap.

    Raises:
        ValueError: no usable label.
    """
    for column in ("match_probability", "label"):
        if column not in labelled.columns:
            raise ValueError(f"labels: column {column!r} missing")
    edges = np.unique(np.r_[np.asarray(strata, dtype=float), threshold])
    usable = labelled[labelled["label"].isin(("match", "non_match"))]
    usable = usable[usable["match_probability"].notna()]
    if usable.empty:
        raise ValueError("no pair labelled match or non_match yet: label some pairs first")
    prob = usable["match_probability"].to_numpy(dtype=float)
    is_match = (usable["label"] == "match").to_numpy()
    s_lab = _strata(prob, edges)
    population = (pairs["match_probability"].to_numpy(dtype=float) if pairs is not None else prob)
    k = len(edges) - 1
    size = np.bincount(_strata(population, edges), minlength=k).astype(float)
    n_lab = np.bincount(s_lab, minlength=k).astype(float)
    above = edges[:-1] >= threshold

    def estimate(matches: np.ndarray) -> tuple[float, float]:
        labelled_strata = n_lab > 0
        rate = np.divide(matches, n_lab, out=np.zeros(k), where=labelled_strata)
        true = rate * size
        predicted = size[above & labelled_strata].sum()
        precision = true[above].sum() / predicted if predicted else 1.0
        total = true.sum()
        recall = true[above].sum() / total if total else 1.0
        return float(precision), float(recall)

    matches = np.bincount(s_lab, weights=is_match.astype(float), minlength=k)
    precision, recall = estimate(matches)
    rng = np.random.default_rng(seed)
    boot = np.empty((n_bootstrap, 2))
    groups = [np.flatnonzero(s_lab == h) for h in range(k)]
    for b in range(n_bootstrap):
        resampled = np.array([is_match[rng.choice(g, size=len(g))].sum() if len(g) else 0.0
                              for g in groups])
        boot[b] = estimate(resampled)
    alpha = (1 - confidence) / 2
    lo, hi = np.quantile(boot, [alpha, 1 - alpha], axis=0)
    predicted = prob >= threshold
    wilson = wilson_interval(float(is_match[predicted].sum()), float(predicted.sum()), confidence)
    table = pd.DataFrame({"low": edges[:-1], "high": edges[1:], "pairs": size.astype(int),
                          "labelled": n_lab.astype(int), "matches": matches.astype(int)})
    table["match_rate"] = table["matches"] / table["labelled"].where(table["labelled"] > 0)
    return QualityEstimate(threshold=threshold, precision=precision, recall=recall,
                           precision_interval=(float(lo[0]), float(hi[0])),
                           recall_interval=(float(lo[1]), float(hi[1])),
                           precision_wilson=wilson, labelled=int(len(usable)),
                           unsure=int((labelled["label"] == "unsure").sum()), strata=table,
                           confidence=confidence)


def labelled_pairs(pairs: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """The scored pairs that carry a match / non-match label, with a ``label`` column."""
    keyed = pairs.reset_index(drop=True)
    keys = _key_frame(keyed)
    lab = labels[labels["label"].isin(("match", "non_match"))]
    lab_keys = pd.MultiIndex.from_frame(_key_frame(lab))
    position = lab_keys.get_indexer(pd.MultiIndex.from_frame(keys))
    found = position >= 0
    out = keyed[found].copy()
    out["label"] = lab["label"].to_numpy()[position[found]]
    return out.reset_index(drop=True)


def train_supervised(pairs: pd.DataFrame, labels: pd.DataFrame, features: Sequence[str] | None = None,
                     model: str | Any = "logistic", seed: int = 42):
    """A supervised classifier fitted on the labelled pairs (the linkage's supervised option).

    Args:
        pairs: scored pairs with their level columns (``DedupResult.pairs``).
        labels: :meth:`LabelStore.labels`.
        features: level columns to learn from (default: the fitted model's, i.e. every
            integer level column of ``pairs``).
        model: ``logistic``, ``gradient_boosting`` or a scikit-learn classifier.
        seed: random state.

    Returns:
        A fitted :class:`rcu_kit.linkage.classify.SupervisedClassifier`; ``.prob(pairs)``
        rescores every pair.

    Raises:
        ValueError: labels without both matches and non-matches.
    """
    from rcu_kit.linkage.classify import SupervisedClassifier

    data = labelled_pairs(pairs, labels)
    if features is None:
        skip = {"match_probability"}
        features = [c for c in pairs.columns if c not in skip and c not in PAIR_KEY
                    and pd.api.types.is_integer_dtype(pairs[c])]
    y = (data["label"] == "match").astype(int).to_numpy()
    if len(np.unique(y)) < 2:
        raise ValueError(f"{len(data)} labelled pair(s), but the labels need both matches and "
                         "non-matches to train a classifier; label more pairs")
    return SupervisedClassifier(model=model, seed=seed).fit(data[list(features)], y)


def quality_table(labels: pd.DataFrame, pairs: pd.DataFrame, threshold: float,
                  language: str = "fr", seed: int = 42) -> pd.DataFrame:
    """Precision and recall with their intervals as a client table (FR/EN headers).

    With no usable label yet the table is empty (same columns): the notebook shows it as is.
    """
    from rcu_kit.core.i18n import t

    columns = {c: t(f"review.{c}", language) for c in ("measure", "estimate", "low", "high")}
    usable = labels[labels["label"].isin(("match", "non_match"))] if len(labels) else labels
    if usable.empty:
        return pd.DataFrame(columns=list(columns.values()))
    table = estimate_quality(labels, threshold, pairs=pairs, seed=seed).as_table()
    table["measure"] = [t(f"review.{m}", language) for m in table["measure"]]
    return table.rename(columns=columns)


def supervised_comparison(pairs: pd.DataFrame, labels: pd.DataFrame, threshold: float,
                          model: str = "logistic", seed: int = 42) -> pd.DataFrame:
    """Matched pairs under the current model (at ``threshold``) and under a classifier trained
    on the labels (its own decision: probability at least 0.5).

    Returns one row per decision (``both``, ``current only``, ``supervised only``, ``neither``)
    with its pair count; empty when the labels cannot train a classifier yet (they need both
    matches and non-matches).
    """
    data = labelled_pairs(pairs, labels)
    if data.empty or data["label"].nunique() < 2:
        return pd.DataFrame(columns=["decision", "pairs"])
    clf = train_supervised(pairs, labels, model=model, seed=seed)
    current = pairs["match_probability"].to_numpy(dtype=float) >= threshold
    supervised = clf.predict(pairs[clf.features_]).to_numpy() == 1
    return pd.DataFrame({
        "decision": ["both", "current only", "supervised only", "neither"],
        "pairs": [int((current & supervised).sum()), int((current & ~supervised).sum()),
                  int((~current & supervised).sum()), int((~current & ~supervised).sum())]})


# ---------------------------------------------------------------------------------------------
# The engagement-wide review sheet (``rcu-kit review``)

#: Stratum of the record pairs the blocking never proposed (no model probability).
NOT_PROPOSED = "not_proposed"
#: The pair key as the review sheet spells it.
SHEET_KEY = ["source_a", "record_id_a", "source_b", "record_id_b"]
_TO_SHEET = dict(zip(PAIR_KEY, SHEET_KEY))


def stratum_names(probability: np.ndarray, strata: Sequence[float] = DEFAULT_STRATA) -> np.ndarray:
    """The probability band of each pair as text (``0.80-0.95``); NaN (a pair the blocking never
    proposed) is :data:`NOT_PROPOSED`.

    Examples:
        >>> stratum_names(np.array([0.97, 0.1, np.nan])).tolist()
        ['0.95-1.00', '0.05-0.20', 'not_proposed']
    """
    probability = np.asarray(probability, dtype=float)
    edges = np.asarray(strata, dtype=float)
    names = np.array([f"{lo:.2f}-{hi:.2f}" for lo, hi in zip(edges[:-1], edges[1:])], dtype=object)
    out = np.full(len(probability), NOT_PROPOSED, dtype=object)
    known = ~np.isnan(probability)
    out[known] = names[_strata(probability[known], edges)]
    return out


def draw_review_sample(pairs: pd.DataFrame, records: pd.DataFrame, n: int = 200, *,
                       labelled: pd.DataFrame | None = None,
                       strata: Sequence[float] = DEFAULT_STRATA, seed: int = 42,
                       not_proposed_share: float = 0.1,
                       shares: Sequence[float] | None = None) -> pd.DataFrame:
    """A sample of record pairs from which precision *and* recall can be estimated.

    Two parts: the candidate pairs (those the blocking proposed and the model scored), drawn by
    :func:`sample_pairs_for_review` stratified by match probability (pairs below the threshold
    included); and ``not_proposed_share`` of ``n`` (at least one) random pairs of records the
    blocking never proposed (stratum :data:`NOT_PROPOSED`), where the matches it missed hide.
    Pairs already labelled are left out of both.

    Args:
        pairs: every scored candidate pair (``DedupRun.pairs``).
        records: the standardised records (``source``, ``record_id``): the population of the
            random pairs.
        n: pairs wanted (fewer when the strata run out).
        labelled: current labels (:meth:`LabelStore.labels`) to leave out.
        strata: probability edges of the strata.
        seed: random seed.
        not_proposed_share: share of ``n`` drawn among the pairs never proposed.
        shares: share of the candidate pairs drawn in each probability stratum (see
            :func:`sample_pairs_for_review`); default: its rule.

    Returns:
        :data:`PAIR_KEY`, ``match_probability`` (NaN for pairs never proposed), ``stratum``
        (:func:`stratum_names`), ``stratum_pairs`` (pairs in the stratum) and ``weight`` (pairs
        of the stratum each drawn pair stands for: stratum pairs / pairs drawn in it, the
        inverse of its inclusion probability).
    """
    n_random = 0 if n < 2 else max(1, int(round(n * not_proposed_share)))
    drawn = sample_pairs_for_review(pairs, n - n_random, labelled=labelled, strata=strata,
                                    seed=seed, shares=shares)
    drawn = drawn[PAIR_KEY + ["match_probability"]].copy()
    for column in PAIR_KEY:
        drawn[column] = drawn[column].astype(str)
    names = stratum_names(pairs["match_probability"].to_numpy(dtype=float), strata)
    sizes = pd.Series(names).value_counts().to_dict()
    keys = records[["source", "record_id"]].astype(str).to_numpy()
    n_records = len(keys)
    sizes[NOT_PROPOSED] = max(0, n_records * (n_records - 1) // 2 - len(pairs))
    rng = np.random.default_rng(seed + 1)
    taken = set(map(tuple, canonical_pairs(pairs).to_numpy())) if len(pairs) else set()
    if labelled is not None and len(labelled):
        taken |= set(map(tuple, canonical_pairs(labelled).to_numpy()))
    randoms: list[tuple[str, str, str, str]] = []
    attempts = 0
    while len(randoms) < n_random and sizes[NOT_PROPOSED] > 0 and attempts < 100 * n_random:
        attempts += 1
        i, j = sorted(rng.choice(n_records, size=2, replace=False))
        a, b = sorted([tuple(keys[i]), tuple(keys[j])], key=lambda k: k[0] + "\x1f" + k[1])
        key = (*a, *b)
        if key not in taken:
            taken.add(key)
            randoms.append(key)
    random_pairs = pd.DataFrame(randoms, columns=PAIR_KEY).assign(match_probability=np.nan)
    sample = pd.concat([drawn, random_pairs], ignore_index=True) if len(random_pairs) else drawn
    sample["stratum"] = stratum_names(sample["match_probability"].to_numpy(dtype=float), strata)
    sample["stratum_pairs"] = sample["stratum"].map(sizes).fillna(0).astype(int)
    drawn_per = sample["stratum"].map(sample["stratum"].value_counts())
    sample["weight"] = sample["stratum_pairs"] / drawn_per
    return sample.reset_index(drop=True)


def review_sheet(sample: pd.DataFrame, records: pd.DataFrame, *, mask: bool = True,
                 attributes: Sequence[str] | None = None) -> pd.DataFrame:
    """The sheet a reviewer fills in: one row per pair, the two records side by side.

    Args:
        sample: :func:`draw_review_sample`.
        records: the standardised records.
        mask: mask personal data (``engagement.mask_personal_data``).
        attributes: attributes shown (default: the deduplication's pair attributes that the
            records hold).

    Returns:
        ``source_a, record_id_a, source_b, record_id_b, match_probability, stratum, weight``,
        ``<attribute>_a`` / ``<attribute>_b`` per attribute, and an empty ``label``.
    """
    from rcu_kit.dedup.run import PAIR_ATTRIBUTES
    from rcu_kit.values.masking import ATTRIBUTE_MASK_TYPES, mask_frame

    chosen = [a for a in (attributes or PAIR_ATTRIBUTES) if a in records.columns]
    index = pd.MultiIndex.from_frame(records[["source", "record_id"]].astype(str))
    out = sample[PAIR_KEY].astype(str).rename(columns=_TO_SHEET)
    out["match_probability"] = sample["match_probability"].round(4).to_numpy()
    out["stratum"] = sample["stratum"].to_numpy()
    out["weight"] = sample["weight"].round(4).to_numpy()
    types: dict[str, str] = {}
    positions = {}
    for side in ("a", "b"):
        where = index.get_indexer(pd.MultiIndex.from_frame(
            out[[f"source_{side}", f"record_id_{side}"]]))
        if (where < 0).any():
            raise KeyError(f"record {out.loc[where < 0, f'source_{side}'].iloc[0]}/"
                           f"{out.loc[where < 0, f'record_id_{side}'].iloc[0]} is not in the records")
        positions[side] = where
    for attribute in chosen:
        values = records[attribute].astype(object).to_numpy()
        for side in ("a", "b"):
            column = values[positions[side]]
            out[f"{attribute}_{side}"] = pd.Series(column, dtype=object).where(pd.notna(column), None)
            types[f"{attribute}_{side}"] = ATTRIBUTE_MASK_TYPES.get(attribute)
    out["label"] = ""
    return mask_frame(out, types, enabled=mask)


def sheet_paths(engagement: Any) -> dict[str, Path]:
    """``csv`` and ``excel``: the review sheet of the engagement (``<output>/review/sample.*``)."""
    folder = labels_path(engagement).parent
    return {"csv": folder / "sample.csv", "excel": folder / "sample.xlsx"}


def _normalise_label(value: Any) -> str | None:
    """A filled-in label as one of :data:`LABELS`; "" for an empty cell; None for a typo."""
    from rcu_kit.core.i18n import t

    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    text = " ".join(text.strip().lower().replace("-", " ").replace("_", " ").split())
    if not text:
        return ""
    spellings = {"match": "match", "non match": "non_match", "nonmatch": "non_match",
                 "no match": "non_match", "unsure": "unsure"}
    for label in LABELS:  # the review panel's own words, in both languages
        for language in ("fr", "en"):
            spellings[t(f"review.{label}", language).strip().lower().replace("-", " ")] = label
    return spellings.get(text)


def read_label_sheet(path: str | Path, records: pd.DataFrame | None = None) -> pd.DataFrame:
    """The labels a reviewer filled in a review sheet (CSV or Excel).

    Labels are ``match``, ``non-match`` (or ``non_match``) and ``unsure``, in any case, or the
    review panel's words (``Même personne``, ``Personnes différentes``, ``Incertain``); an
    empty cell is a pair not labelled yet.

    Args:
        path: the sheet (``.csv``, ``.xlsx``).
        records: the engagement's records (``source``, ``record_id``): every record id of the
            sheet must be one of them. None: not checked.

    Returns:
        :data:`PAIR_KEY`, ``label`` and ``row`` (the sheet's row number, header = row 1), one
        row per labelled pair.

    Raises:
        FileNotFoundError: no such file.
        ValueError: the sheet is empty, lacks a column, has no label filled in, a label that is
            not one of the allowed ones, or a record id unknown to the engagement; the message
            names the rows (at most ten).
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such label sheet (draw one with "
                                "`rcu-kit review ENGAGEMENT.yaml --sample N`)")
    if path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
        table = pd.read_excel(path, dtype=str).fillna("")
    else:
        try:
            table = pd.read_csv(path, dtype=str, keep_default_na=False, sep=None, engine="python")
        except pd.errors.EmptyDataError:
            table = pd.DataFrame()
    if table.empty:
        raise ValueError(f"{path}: the sheet is empty (no row of pairs under the header)")
    table.columns = [str(c).strip() for c in table.columns]
    missing = [c for c in [*SHEET_KEY, "label"] if c not in table.columns]
    if missing:
        raise ValueError(f"{path}: column(s) {', '.join(missing)} missing; a review sheet has "
                         f"{', '.join(SHEET_KEY)} and label")
    rows = np.arange(len(table)) + 2  # the spreadsheet's row numbers: the header is row 1
    labels = table["label"].map(_normalise_label)
    problems = [f"row {r}: label {v!r} is not one of match, non-match, unsure (empty: not "
                "labelled yet)" for r, v, ok in zip(rows, table["label"], labels) if ok is None]
    if records is not None:
        known = pd.MultiIndex.from_frame(records[["source", "record_id"]].astype(str))
        for side in ("a", "b"):
            ids = pd.MultiIndex.from_frame(table[[f"source_{side}", f"record_id_{side}"]]
                                           .astype(str).apply(lambda c: c.str.strip()))
            unknown = ~ids.isin(known)
            problems += [f"row {r}: record {s}/{i} (record_id_{side}) is not one of the "
                         "engagement's records" for r, (s, i) in zip(rows[unknown], ids[unknown])]
    if problems:
        problems.sort(key=lambda text: int(text.split(":")[0].split()[1]))
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise ValueError(f"{path}: " + "; ".join(problems[:10]) + more)
    filled = labels != ""
    if not filled.any():
        raise ValueError(f"{path}: no label filled in ({len(table)} pair(s)): write match, "
                         "non-match or unsure in the label column")
    out = table.loc[filled, SHEET_KEY].astype(str).apply(lambda c: c.str.strip())
    out = out.rename(columns={v: k for k, v in _TO_SHEET.items()})
    out["label"] = labels[filled].to_numpy()
    out["row"] = rows[filled.to_numpy()]
    return out.reset_index(drop=True)


def keep_sheet_labels(engagement: Any, reviewer: str = "") -> int:
    """Carry the labels filled in the engagement's current review sheet (CSV, then its Excel
    copy) over to the label store, before the sheet is redrawn; returns how many were new.

    Raises:
        ValueError: the sheet has an error (the message names the row); fix it before redrawing,
            so that no label is lost.
    """
    paths = sheet_paths(engagement)
    store = LabelStore(labels_path(engagement))
    kept = 0
    for previous in (paths["csv"], paths["excel"]):
        if previous.exists():
            try:
                filled = read_label_sheet(previous)
            except ValueError as exc:
                if "no label filled in" in str(exc) or "the sheet is empty" in str(exc):
                    continue
                raise ValueError(f"{exc}. Fix the sheet before drawing a new one, so that no "
                                 "label is lost") from None
            kept += store.add_many(filled, reviewer=reviewer)
    return kept


def write_review_sheet(sheet: pd.DataFrame, engagement: Any) -> dict[str, Path]:
    """Write the review sheet (CSV and an Excel copy) under ``<output>/review/``, replacing the
    previous one (call :func:`keep_sheet_labels` first).

    Returns:
        ``csv`` and ``excel``.
    """
    from rcu_kit.core.excel import write_workbook

    paths = sheet_paths(engagement)
    paths["csv"].parent.mkdir(parents=True, exist_ok=True)
    sheet.to_csv(paths["csv"], index=False)
    write_workbook(paths["excel"], {"review": sheet})
    return paths


def _read_sheet(path: Path) -> pd.DataFrame:
    """The review sheet as written by :func:`write_review_sheet`, every column as text."""
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def review_queue(run: Any, engagement: Any, n: int = 200, *, seed: int | None = None
                 ) -> pd.DataFrame:
    """The pairs the review panel shows: the engagement's review sheet, not yet labelled.

    The panel and ``rcu-kit review`` share one sample: the sheet under ``<output>/review/``
    (:func:`sheet_paths`), drawn by ``rcu-kit review --sample N`` or, when there is none yet,
    drawn here with :func:`draw_review_sample` (``n`` pairs, pairs the blocking never proposed
    included) and written like the command would. Labels already typed into the sheet are first
    carried over to the label store (:func:`keep_sheet_labels`); the pairs the store holds a
    label for are left out. The rest come in a seeded random order, so that a session that
    stops after a few pairs has still labelled every stratum in proportion to the sheet.

    Args:
        run: the deduplication (``DedupRun``: ``pairs``, ``records``).
        engagement: the engagement (output folder, masking, seed).
        n: pairs drawn when the engagement has no sheet yet.
        seed: random seed (default: the engagement's).

    Returns:
        :data:`PAIR_KEY`, ``match_probability`` (NaN for a pair never proposed), ``stratum``
        and ``evidence`` (the comparison behind the probability; empty for a pair never
        proposed).
    """
    seed = engagement.seed if seed is None else seed
    paths = sheet_paths(engagement)
    store = LabelStore(labels_path(engagement))
    if paths["csv"].exists():
        keep_sheet_labels(engagement)
        sheet = _read_sheet(paths["csv"])
    else:
        sample = draw_review_sample(run.pairs, run.records, n, labelled=store.labels(), seed=seed)
        sheet = review_sheet(sample, run.records, mask=engagement.mask_personal_data)
        write_review_sheet(sheet, engagement)
        sheet = _read_sheet(paths["csv"])
    queue = sheet[SHEET_KEY].rename(columns={v: k for k, v in _TO_SHEET.items()})
    queue[PAIR_KEY] = _key_frame(queue)
    queue["match_probability"] = pd.to_numeric(sheet["match_probability"], errors="coerce")
    queue["stratum"] = sheet["stratum"].to_numpy()
    if "evidence" in run.pairs.columns and len(run.pairs):
        where = pd.MultiIndex.from_frame(canonical_pairs(run.pairs)).get_indexer(
            pd.MultiIndex.from_frame(queue[PAIR_KEY]))
        evidence = run.pairs["evidence"].astype(str).to_numpy()
        queue["evidence"] = np.where(where >= 0, evidence[np.maximum(where, 0)], "")
    labelled = store.labels()
    if len(labelled):
        done = pd.MultiIndex.from_frame(_key_frame(labelled))
        queue = queue[~pd.MultiIndex.from_frame(queue[PAIR_KEY]).isin(done)]
    order = np.random.default_rng(seed).permutation(len(queue))
    return queue.iloc[order].reset_index(drop=True)


def mark_sheet_label(path: str | Path, pair: Any, label: str) -> bool:
    """Write ``label`` (one of :data:`LABELS`) into the row of ``pair`` in the review sheet
    ``path`` (the CSV; its Excel copy beside it is rewritten too), so that the sheet shows what
    the panel labelled. Returns False when the pair is not on the sheet (nothing written).

    Labels a reviewer typed in the Excel copy meanwhile are carried into the CSV first (the
    panel's own label wins for its pair), so rewriting the copy never erases them; an Excel copy
    that cannot be read back (a label with a typo) or written (open in Excel) is left as it is:
    the CSV holds the label, and the next ``rcu-kit review`` reads both.
    """
    from rcu_kit.core.excel import write_workbook

    if label not in LABELS:
        raise ValueError(f"label must be one of {', '.join(LABELS)}; got {label!r}")
    path = Path(path)
    if not path.exists():
        return False
    sheet = _read_sheet(path)
    get = pair.get if hasattr(pair, "get") else lambda k, d=None: getattr(pair, k, d)
    key = tuple(_key_frame(pd.DataFrame([{k: str(get(k)) for k in PAIR_KEY}])).iloc[0])
    rows = _key_frame(sheet[SHEET_KEY].rename(columns={v: k for k, v in _TO_SHEET.items()}))
    hit = (rows == key).all(axis=1).to_numpy()
    if not hit.any():
        return False
    excel = path.with_suffix(".xlsx")
    excel_ok = excel.exists()
    if excel_ok:
        try:
            typed = read_label_sheet(excel)
        except ValueError as exc:
            typed = pd.DataFrame(columns=[*PAIR_KEY, "label"])
            # an empty sheet has nothing to carry; a typo keeps the copy untouched
            excel_ok = "no label filled in" in str(exc) or "the sheet is empty" in str(exc)
        if len(typed):
            labels = pd.Series(typed["label"].str.replace("_", "-").to_numpy(),
                               index=pd.MultiIndex.from_frame(_key_frame(typed)))
            found = labels.reindex(pd.MultiIndex.from_frame(rows)).to_numpy()
            empty = (sheet["label"] == "").to_numpy() & pd.notna(found)
            sheet.loc[empty, "label"] = found[empty]
    sheet.loc[hit, "label"] = label.replace("_", "-")
    sheet.to_csv(path, index=False)
    if excel_ok:
        numbers = {c: pd.to_numeric(sheet[c], errors="coerce") for c in ("match_probability", "weight")
                   if c in sheet.columns}
        try:
            write_workbook(excel, {"review": sheet.assign(**numbers)})
        except OSError:  # open in Excel: the CSV has the label, the copy catches up later
            pass
    return True



# ---------------------------------------------------------------------------------------------
# Borderline pairs: the pairs whose probability is near the threshold (the 04b report page)

#: How far from the threshold a pair is borderline: its match weight (log2 of the odds) within
#: this many bits of the threshold's, i.e. odds within a factor 2**3 = 8 of the threshold's.
BORDERLINE_MARGIN = 3.0
#: The standardised attributes each comparison of the model reads (``evidence`` names the
#: comparisons: ``postcode_city`` reads the postcode and the town).
FEATURE_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "civility": ("civility",), "last_name": ("last_name", "birth_name"),
    "first_name": ("first_name",), "birth_date": ("birth_date", AS_READ_BIRTH_DATE),
    "email": ("email",),
    "phone": ("phone",), "address": ("street",), "postcode_city": ("postcode", "city"),
    "id_number": ("id_number",)}


def _log_odds(probability: np.ndarray) -> np.ndarray:
    """log2(p / (1 - p)), infinite at 0 and 1."""
    with np.errstate(divide="ignore"):
        return np.log2(probability) - np.log2(1.0 - probability)


def borderline_band(threshold: float, margin: float = BORDERLINE_MARGIN) -> tuple[float, float]:
    """The probabilities between which a pair is borderline: odds within ``2**margin`` of the
    threshold's odds, either side.

    Examples:
        >>> tuple(round(p, 3) for p in borderline_band(0.9))
        (0.529, 0.986)
    """
    if not 0.0 < threshold < 1.0:
        raise ValueError(f"threshold must be strictly between 0 and 1, got {threshold}")
    centre = float(_log_odds(np.array([threshold]))[0])
    low, high = (2.0 ** (centre - margin), 2.0 ** (centre + margin))
    return low / (1.0 + low), high / (1.0 + high)


def _evidence_levels(text: str) -> dict[str, str]:
    """``last_name: exact; email: different`` as ``{"last_name": "exact", "email": "different"}``."""
    out = {}
    for part in str(text or "").split(";"):
        feature, sep, level = part.partition(":")
        if sep and feature.strip():
            out[feature.strip()] = level.strip()
    return out


def borderline_pairs(pairs: pd.DataFrame, threshold: float, *, margin: float = BORDERLINE_MARGIN,
                     n: int | None = None, crosswalk: pd.DataFrame | None = None) -> pd.DataFrame:
    """The scored pairs closest to the threshold, those a reviewer should look at first.

    A pair is borderline when its match weight (log2 of its odds) is within ``margin`` bits of
    the threshold's (:func:`borderline_band`): the model's evidence nearly balances, so a small
    change of the threshold, or a reviewer's label, decides it. Pairs are sorted closest first
    (ties: the pair key).

    Args:
        pairs: scored pairs (``DedupRun.pairs``: :data:`PAIR_KEY`, ``match_probability``,
            ``evidence``).
        threshold: the decision threshold.
        margin: bits either side of the threshold.
        n: pairs returned at most (None: all).
        crosswalk: the run's crosswalk, to say whether the two records are one customer today
            (a pair below the threshold may be linked through others, one above it kept apart by
            the chain guard); None: not said.

    Returns:
        :data:`PAIR_KEY` (pair key canonical), ``match_probability``, ``gap_bits`` (the pair's
        weight minus the threshold's: positive above it), ``decision`` (``match`` at or above
        the threshold, else ``non_match``), ``evidence``, ``agree`` and ``disagree`` (the
        comparisons whose level is not / is ``different``, in the evidence's order, joined by
        ``, ``), and with ``crosswalk`` ``same_customer``.

    Raises:
        ValueError: ``pairs`` lacks a column, or the threshold is not strictly between 0 and 1.
    """
    missing = [c for c in [*PAIR_KEY, "match_probability"] if c not in pairs.columns]
    if missing:
        raise ValueError(f"pairs: missing column(s) {', '.join(missing)}; give DedupRun.pairs")
    borderline_band(threshold, margin)  # checks the threshold
    probability = pairs["match_probability"].to_numpy(dtype=float)
    gap = _log_odds(probability) - float(_log_odds(np.array([threshold]))[0])
    near = np.isfinite(gap) & (np.abs(gap) <= margin)
    chosen = pairs.loc[near].reset_index(drop=True)
    out = _key_frame(chosen)
    out["match_probability"] = chosen["match_probability"].astype(float).to_numpy()
    out["gap_bits"] = gap[near]
    out["decision"] = np.where(out["match_probability"] >= threshold, "match", "non_match")
    evidence = chosen["evidence"].astype(str).to_numpy() if "evidence" in chosen else \
        np.full(len(chosen), "", dtype=object)
    levels = [_evidence_levels(e) for e in evidence]
    out["evidence"] = evidence
    out["agree"] = [", ".join(f for f, v in lv.items() if v != "different") for lv in levels]
    out["disagree"] = [", ".join(f for f, v in lv.items() if v == "different") for lv in levels]
    if crosswalk is not None:
        from rcu_kit.dedup.figures import pair_positions

        first, second = pair_positions(crosswalk, out)
        customer = crosswalk["customer_id"].astype(str).to_numpy()
        out["same_customer"] = customer[first] == customer[second]
    out = out.assign(_distance=np.abs(out["gap_bits"])).sort_values(
        ["_distance", *PAIR_KEY], kind="stable").drop(columns="_distance").reset_index(drop=True)
    return out if n is None else out.head(n)


def _worded(kind: str, name: str, language: str) -> str:
    """``name`` in words (``dedup.<kind>_<name>``: a feature, a level, an attribute's column),
    else as it is."""
    from rcu_kit.core.i18n import labels, t

    key = f"dedup.{kind}_{name}"
    return t(key, language) if key in labels() else name


def borderline_table(borderline: pd.DataFrame, language: str) -> pd.DataFrame:
    """:func:`borderline_pairs` as the client reads it: one row per pair, numbered as the cards
    below it, the decision and the comparisons in words (headers: ``review.col_<column>``).

    Columns: ``pair`` (1, 2, ...), ``match_probability``, ``decision`` (worded), with
    :func:`borderline_pairs`' ``crosswalk`` ``same_customer`` (a boolean), ``sources``
    (``crm / ecommerce``), ``agree`` and ``disagree`` (the comparisons, worded). No record id.
    """
    from rcu_kit.core.i18n import t

    def words(codes: str) -> str:
        return ", ".join(_worded("feature", c, language) for c in codes.split(", ") if c)

    table = pd.DataFrame({
        "pair": np.arange(1, len(borderline) + 1),
        "match_probability": borderline["match_probability"].to_numpy(dtype=float),
        "decision": [t(f"review.decision_{d}", language) for d in borderline["decision"]],
        **({"same_customer": borderline["same_customer"].astype(bool).to_numpy()}
           if "same_customer" in borderline else {}),
        "sources": (borderline["source_1"].astype(str) + " / "
                    + borderline["source_2"].astype(str)).to_numpy(),
        "agree": [words(v) for v in borderline["agree"]],
        "disagree": [words(v) for v in borderline["disagree"]],
    })
    return table


def borderline_view(records: pd.DataFrame, pair: Any, *, mask: bool = True, language: str = "fr",
                    weights: pd.DataFrame | None = None,
                    labels: dict[str, str] | None = None) -> pd.DataFrame:
    """The two records of a borderline pair side by side with the evidence per attribute.

    One row per attribute one of the two records holds (:func:`pair_view`'s, masked if asked),
    with the comparison of the model that read it, worded (``identique``, ``proche (faute de
    frappe)``, ``différent``; empty when a side lacks it) and, given the model's ``weights``
    (:func:`rcu_kit.dedup.run.model_weights`), the weight in bits that comparison brought:
    positive for the same person, negative against (both shown once per comparison, on the
    first attribute it reads: the postcode for "postcode and town").

    Args:
        records: the standardised records (``DedupRun.records``).
        pair: a row of :func:`borderline_pairs`.
        mask: mask personal data (``engagement.mask_personal_data``).
        language: ``fr`` or ``en``.
        weights: ``feature, level_name, weight`` of the fitted model; None: no weight column.
        labels: attribute -> the client's label (the target model's); default the
            attribute's words (``dedup.col_<attribute>``), else its name.

    Returns:
        ``attribute`` (its label), ``record_1``, ``record_2``, ``comparison`` (worded) and, given
        ``weights``, ``weight`` (headers: ``review.col_<column>``).
    """
    from rcu_kit.core.i18n import t

    get = pair.get if hasattr(pair, "get") else lambda k, d=None: getattr(pair, k, d)
    view = pair_view(records, pair, mask=mask)
    levels = _evidence_levels(get("evidence", ""))
    feature_of = {a: f for f, attrs in FEATURE_ATTRIBUTES.items() for a in attrs}
    weight_of = {} if weights is None else {
        (str(f), str(n)): float(w) for f, n, w in weights[["feature", "level_name", "weight"]]
        .itertuples(index=False)}
    labels = labels or {}
    rows, compared = [], set()
    for row in view.itertuples(index=False):
        if row.record_1 is None and row.record_2 is None:
            continue  # neither record holds it: nothing to look at
        feature = feature_of.get(row.attribute)
        level = levels.get(feature) if feature not in compared else None
        weight = None
        if level is not None:  # the comparison shown once, on the first attribute it reads
            weight = weight_of.get((feature, level))
            compared.add(feature)
        rows.append({"attribute": labels.get(row.attribute) or _worded("col", row.attribute,
                                                                        language),
                     "record_1": row.record_1, "record_2": row.record_2,
                     "comparison": _worded("level", level, language) if level else None,
                     "weight": None if weight is None else round(weight, 1)})
    out = pd.DataFrame(rows, columns=["attribute", "record_1", "record_2", "comparison", "weight"],
                       dtype=object)  # a comparison without a weight stays None, not NaN
    return out.drop(columns="weight") if weights is None else out


def borderline_question(pair: Any, number: int, threshold: float, language: str) -> str:
    """What a reviewer should decide for a borderline pair, in one paragraph.

    States the pair's probability against the threshold, what the deduplication decided, the
    comparisons that agree and disagree, and what each answer means for the threshold.

    Examples:
        >>> pair = {"match_probability": 0.93, "decision": "match", "agree": "last_name, address",
        ...         "disagree": "email"}
        >>> print(borderline_question(pair, 1, 0.9, "en"))
        Pair 1: 93.0% (threshold 90.0%), merged today. Agree: Last name, Address. Disagree: E-mail. Same person? "Match" confirms the merge; "Non-match" means the threshold should rise above 93.0%.
    """
    from rcu_kit.core.i18n import fmt_percent, t

    get = pair.get if hasattr(pair, "get") else lambda k, d=None: getattr(pair, k, d)
    probability = fmt_percent(float(get("match_probability")), language, 1)

    def words(codes: str) -> str:
        return ", ".join(_worded("feature", c, language)
                         for c in str(codes or "").split(", ") if c) \
            or t("review.nothing", language)

    decision = get("decision")
    same = get("same_customer")
    # the clustering may differ from the pair: linked through other records, or kept apart
    linked = "" if same is None or pd.isna(same) or bool(same) == (decision == "match") else \
        t(f"review.borderline_{decision}_but_linked" if same else
          f"review.borderline_{decision}_but_apart", language)
    return t(f"review.borderline_{decision}", language, n=number, probability=probability,
             threshold=fmt_percent(threshold, language, 1), agree=words(get("agree")),
             disagree=words(get("disagree")), linked=linked)


def evidence_words(text: str, language: str) -> str:
    """An ``evidence`` text (``last_name: exact; email: close``) as the client reads it.

    Examples:
        >>> evidence_words("last_name: exact; email: different", "fr")
        'Nom : identique ; E-mail : différent'
    """
    levels = _evidence_levels(text)
    sep, colon = (" ; ", " : ") if language == "fr" else ("; ", ": ")
    return sep.join(f"{_worded('feature', f, language)}{colon}{_worded('level', v, language)}"
                    for f, v in levels.items())


def supervised_table(pairs: pd.DataFrame, labels: pd.DataFrame, threshold: float, language: str,
                     seed: int = 42) -> pd.DataFrame:
    """:func:`supervised_comparison` as the client reads it: each decision in words
    (``review.supervised_<decision>``), ``decision`` and ``pairs`` (headers:
    ``review.col_<column>``); empty when the labels cannot train a classifier yet."""
    from rcu_kit.core.i18n import t

    table = supervised_comparison(pairs, labels, threshold, seed=seed)
    table["decision"] = [t(f"review.supervised_{d.replace(' ', '_')}", language)
                         for d in table["decision"]]
    return table
