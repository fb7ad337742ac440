"""Figures of the deduplication step, computed from a crosswalk and its scored pairs.

Computation only (tables and numbers); the charts that draw them live in
:mod:`rcu_kit.dedup.charts`. Every function takes the crosswalk
``source, record_id, customer_id`` (one row per input record, as
:func:`rcu_kit.linkage.deduplicate` returns it) and, for the threshold effect, the scored pairs.

Definitions shared with the report's executive summary (:mod:`rcu_kit.report.summary`):

* **duplicate rate**: share of the records that repeat a customer already counted,
  ``1 - customers / records`` (overall, or within one source);
* **within-source duplicate rate**: the duplicates a source holds of its own customers, over all
  sources: ``sum(records - customers of each source) / records``. This is what a client calls
  "duplicates" (to clean); the overall rate adds the customers present in several systems,
  which is normal (one person, a loyalty card and an e-commerce account) and is counted apart:
* **overlap rate**: share of the distinct customers present in two sources or more.

The overall rate is the sum of the two effects (``n_duplicates = n_within_source_duplicates +
n_cross_source_records``): never show it alone as "duplicates".

Examples:
    >>> import pandas as pd
    >>> cw = pd.DataFrame({"source": ["crm", "crm", "web", "web"],
    ...                    "record_id": ["1", "2", "a", "b"],
    ...                    "customer_id": ["C1", "C1", "C1", "C2"]})
    >>> h = headline_figures(cw)
    >>> h["n_records"], h["n_customers"], h["duplicate_rate"], h["overlap_rate"]
    (4, 2, 0.5, 0.5)
    >>> d = duplicate_split(cw)
    >>> d["n_within_source_duplicates"], d["within_source_duplicate_rate"], d["n_cross_source_records"]
    (1, 0.25, 1)
    >>> source_combinations(cw)[["combination", "customers", "records"]].values.tolist()
    [['web', 1, 1], ['crm + web', 1, 3]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_THRESHOLDS",
    "headline_figures",
    "per_source_figures",
    "duplicate_split",
    "within_source_duplicates",
    "source_combinations",
    "cluster_size_distribution",
    "pair_positions",
    "threshold_effect",
    "probability_histogram",
    "customer_split",
]

#: Thresholds of the threshold-effect table (the current threshold is added when absent).
DEFAULT_THRESHOLDS: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95, 0.97, 0.99)

_CROSSWALK_COLUMNS = ("source", "record_id", "customer_id")
_PAIR_COLUMNS = ("source_1", "record_id_1", "source_2", "record_id_2", "match_probability")


def _check(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what}: missing column(s) {', '.join(missing)}; expected "
                         f"{', '.join(columns)} (columns found: {', '.join(map(str, frame.columns))})")


def _sources_in_order(crosswalk: pd.DataFrame) -> list[str]:
    return list(dict.fromkeys(crosswalk["source"].astype(str)))


def headline_figures(crosswalk: pd.DataFrame) -> dict[str, Any]:
    """The headline figures of a deduplication.

    Args:
        crosswalk: ``source, record_id, customer_id``, one row per record.

    Returns:
        ``n_records``, ``n_customers``, ``n_duplicates`` (records - customers),
        ``duplicate_rate`` (``1 - customers / records``; None without records),
        ``n_multi_source_customers`` (customers in 2 sources or more), ``overlap_rate``
        (their share of the customers; None without customers), ``largest_cluster`` (records of
        the largest customer) and ``n_sources``. The duplicates split into those within a
        source and the customers seen again in another source: :func:`duplicate_split`.

    Raises:
        ValueError: a crosswalk column is missing.

    Examples:
        >>> cw = pd.DataFrame({"source": ["crm", "web", "web"], "record_id": ["1", "a", "b"],
        ...                    "customer_id": ["C1", "C1", "C2"]})
        >>> headline_figures(cw)["n_multi_source_customers"]
        1
    """
    _check(crosswalk, _CROSSWALK_COLUMNS, "crosswalk")
    n_records = len(crosswalk)
    sizes = crosswalk.groupby("customer_id", sort=False).size()
    n_customers = len(sizes)
    multi = int((crosswalk.groupby("customer_id", sort=False)["source"].nunique() >= 2).sum())
    return {
        "n_records": int(n_records),
        "n_customers": int(n_customers),
        "n_duplicates": int(n_records - n_customers),
        "duplicate_rate": (1 - n_customers / n_records) if n_records else None,
        "n_multi_source_customers": multi,
        "overlap_rate": (multi / n_customers) if n_customers else None,
        "largest_cluster": int(sizes.max()) if n_customers else 0,
        "n_sources": int(crosswalk["source"].nunique()),
    }


def duplicate_split(crosswalk: pd.DataFrame) -> dict[str, Any]:
    """The duplicates of a crosswalk split into the two effects a client must not confuse.

    Returns:
        ``n_within_source_duplicates`` (records repeating a customer of their own source: the
        duplicates to clean), ``within_source_duplicate_rate`` (their share of the records; None
        without records) and ``n_cross_source_records`` (records of a customer already counted
        in another source: presence in several systems, normal). The two counts add up to
        :func:`headline_figures`' ``n_duplicates``.

    Examples:
        >>> cw = pd.DataFrame({"source": ["crm", "crm", "web"], "record_id": ["1", "2", "a"],
        ...                    "customer_id": ["C1", "C1", "C1"]})
        >>> duplicate_split(cw)
        {'n_within_source_duplicates': 1, 'within_source_duplicate_rate': 0.3333333333333333, 'n_cross_source_records': 1}
    """
    _check(crosswalk, _CROSSWALK_COLUMNS, "crosswalk")
    n_records = len(crosswalk)
    in_sources = len(crosswalk[["source", "customer_id"]].drop_duplicates())
    return {"n_within_source_duplicates": int(n_records - in_sources),
            "within_source_duplicate_rate": (n_records - in_sources) / n_records if n_records else None,
            "n_cross_source_records": int(in_sources - crosswalk["customer_id"].nunique())}


def within_source_duplicates(per_source: pd.DataFrame | list[dict[str, Any]]) -> float | None:
    """The within-source duplicate rate from per-source figures (``records`` and ``customers``,
    as :func:`per_source_figures` gives them and ``dedup/summary.json`` saves them under
    ``per_source``): ``sum(records - customers) / sum(records)``; None without records or
    without those columns.

    Examples:
        >>> within_source_duplicates([{"source": "crm", "records": 100, "customers": 96},
        ...                           {"source": "web", "records": 50, "customers": 50}])
        0.02666666666666667
    """
    table = pd.DataFrame(per_source)
    if not {"records", "customers"} <= set(table.columns):
        return None
    records = float(pd.to_numeric(table["records"]).sum())
    if not records:
        return None
    return float((pd.to_numeric(table["records"]) - pd.to_numeric(table["customers"])).sum()) / records


def per_source_figures(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """Duplicates within each source and customers shared with the other sources.

    Returns:
        One row per source, in order of first appearance: ``source``, ``records``,
        ``customers`` (distinct customers among its records), ``duplicate_records``
        (records - customers), ``duplicate_rate`` (``1 - customers / records``: duplicates
        *within* the source), ``shared_customers`` (its customers also found in another
        source) and ``shared_rate`` (their share of its customers).

    Examples:
        >>> cw = pd.DataFrame({"source": ["crm", "crm", "web"], "record_id": ["1", "2", "a"],
        ...                    "customer_id": ["C1", "C1", "C2"]})
        >>> per_source_figures(cw)[["source", "records", "customers", "duplicate_rate"]].values.tolist()
        [['crm', 2, 1, 0.5], ['web', 1, 1, 0.0]]
    """
    _check(crosswalk, _CROSSWALK_COLUMNS, "crosswalk")
    columns = ["source", "records", "customers", "duplicate_records", "duplicate_rate",
               "shared_customers", "shared_rate"]
    if not len(crosswalk):
        return pd.DataFrame(columns=columns)
    cw = crosswalk[list(_CROSSWALK_COLUMNS)].astype({"source": str})
    n_sources = cw.groupby("customer_id", sort=False)["source"].nunique()
    shared = set(n_sources.index[n_sources >= 2])
    table = (cw.assign(shared=cw["customer_id"].isin(shared))
             .groupby("source", sort=False)
             .agg(records=("record_id", "size"), customers=("customer_id", "nunique")))
    shared_counts = (cw[cw["customer_id"].isin(shared)].drop_duplicates(["source", "customer_id"])
                     .groupby("source", sort=False).size())
    table["duplicate_records"] = table["records"] - table["customers"]
    table["duplicate_rate"] = 1 - table["customers"] / table["records"]
    table["shared_customers"] = shared_counts.reindex(table.index, fill_value=0).astype(int)
    table["shared_rate"] = table["shared_customers"] / table["customers"]
    table = table.reindex(_sources_in_order(cw)).reset_index()
    return table[columns].astype({"records": int, "customers": int, "duplicate_records": int})


def source_combinations(crosswalk: pd.DataFrame, sources: Sequence[str] | None = None) -> pd.DataFrame:
    """UpSet data: how many customers are found in exactly each combination of sources.

    Args:
        crosswalk: ``source, record_id, customer_id``.
        sources: the sources' order (default: order of first appearance); it orders the
            membership columns and the names inside a combination's label.

    Returns:
        One row per combination present: ``combination`` (``"crm + web"``), ``n_sources``,
        ``customers`` (customers found in exactly those sources), ``records`` (their records),
        then one boolean column per source (member or not). Sorted by customers (most first),
        then fewer sources first, then label. The customers add up to the distinct customers,
        the records to the crosswalk's rows.

    Examples:
        >>> cw = pd.DataFrame({"source": ["crm", "web", "web"], "record_id": ["1", "a", "b"],
        ...                    "customer_id": ["C1", "C1", "C2"]})
        >>> source_combinations(cw)[["combination", "crm", "web"]].values.tolist()
        [['web', False, True], ['crm + web', True, True]]
    """
    _check(crosswalk, _CROSSWALK_COLUMNS, "crosswalk")
    order = list(sources) if sources is not None else _sources_in_order(crosswalk)
    unknown = sorted(set(crosswalk["source"].astype(str)) - set(order))
    if unknown:
        raise ValueError(f"source_combinations: crosswalk source(s) {', '.join(unknown)} not in "
                         f"the sources given ({', '.join(order)})")
    columns = ["combination", "n_sources", "customers", "records", *order]
    if not len(crosswalk):
        return pd.DataFrame(columns=columns)
    rank = {s: i for i, s in enumerate(order)}
    cw = crosswalk[["source", "customer_id"]].astype({"source": str}).drop_duplicates()
    # Distinct sources per customer: the sum of their bits is the OR of the bits.
    bits = cw["source"].map({s: 1 << i for s, i in rank.items()}).astype(np.int64)
    masks = bits.groupby(cw["customer_id"].to_numpy(), sort=False).sum()
    records = crosswalk.groupby("customer_id", sort=False).size()
    per_customer = pd.DataFrame({"mask": masks, "records": records.reindex(masks.index)})
    table = (per_customer.groupby("mask", sort=False)
             .agg(customers=("records", "size"), records=("records", "sum")).reset_index())
    for source in order:
        table[source] = (table["mask"] & (1 << rank[source])) > 0
    table["n_sources"] = table[order].sum(axis=1).astype(int)
    table["combination"] = [" + ".join(s for s in order if (m >> rank[s]) & 1) for m in table["mask"]]
    table = table.sort_values(["customers", "n_sources", "combination"],
                              ascending=[False, True, True], kind="stable")
    return table[columns].reset_index(drop=True).astype({"customers": int, "records": int})


def cluster_size_distribution(crosswalk: pd.DataFrame) -> pd.DataFrame:
    """How many customers have 1, 2, 3, ... records.

    Returns:
        ``size`` (records per customer), ``customers`` (how many customers have that many
        records) and ``records`` (size x customers), by increasing size.

    Examples:
        >>> cw = pd.DataFrame({"source": ["crm"] * 4, "record_id": list("1234"),
        ...                    "customer_id": ["C1", "C1", "C2", "C3"]})
        >>> cluster_size_distribution(cw).values.tolist()
        [[1, 2, 2], [2, 1, 2]]
    """
    _check(crosswalk, _CROSSWALK_COLUMNS, "crosswalk")
    sizes = crosswalk.groupby("customer_id", sort=False).size()
    table = sizes.value_counts().sort_index().rename_axis("size").reset_index(name="customers")
    table["records"] = table["size"] * table["customers"]
    return table.astype(int)


def pair_positions(crosswalk: pd.DataFrame, pairs: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Row positions in ``crosswalk`` of each pair's two records.

    Raises:
        ValueError: a pair names a record that is not in the crosswalk (lists a few).
    """
    _check(pairs, _PAIR_COLUMNS[:4], "pairs")
    sources = _text(crosswalk["source"])
    ids = _text(crosswalk["record_id"])
    out = []
    for side in ("1", "2"):
        source_codes, source_names = pd.factorize(pairs[f"source_{side}"])
        pair_ids = _text(pairs[f"record_id_{side}"])
        pos = np.full(len(pairs), -1, dtype=np.int64)
        # One hash lookup per source: record ids are unique within a source.
        for code, source in enumerate(source_names):
            rows = np.flatnonzero(sources == str(source))
            if not len(rows):
                continue
            wanted = source_codes == code
            found = pd.Index(ids[rows]).get_indexer(pair_ids[wanted])
            pos[wanted] = np.where(found >= 0, rows[np.maximum(found, 0)], -1)
        if (pos < 0).any():
            missing = np.flatnonzero(pos < 0)[:5]
            bad = [(str(pairs[f"source_{side}"].iloc[i]), str(pair_ids[i])) for i in missing]
            raise ValueError(f"pairs: {int((pos < 0).sum())} pair(s) name records absent from the "
                             f"crosswalk, e.g. {bad}; pairs and crosswalk must come from one run")
        out.append(pos)
    return out[0], out[1]


def _text(values: pd.Series) -> np.ndarray:
    """Values as an object array of str (no copy when they already are text)."""
    if values.dtype == object and pd.api.types.is_string_dtype(values):
        return values.to_numpy(dtype=object)
    return values.astype(str).to_numpy(dtype=object)


def threshold_effect(crosswalk: pd.DataFrame, pairs: pd.DataFrame, *, current: float,
                     thresholds: Sequence[float] = DEFAULT_THRESHOLDS, max_cluster_size: int = 50,
                     conflict_probability: float = 0.1) -> pd.DataFrame:
    """What each threshold would give: matched pairs, customers, duplicate rate.

    The scored pairs are re-clustered at each threshold with the linkage's own clustering
    (:func:`rcu_kit.linkage.cluster.cluster_pairs`, chain guard included), so the row of the
    threshold used reproduces the crosswalk. The pairs must be *all* the scored pairs of the
    run (``DedupSettings.keep_pairs = 0``, the default): pairs left out would be missing links
    and missing cannot-links. A cluster above ``max_cluster_size`` is kept whole here, as the
    run keeps it when the sampled pairs of its members raise no veto (the run's check of such
    clusters is not repeated: one it split on those pairs is counted whole).

    Args:
        crosswalk: ``source, record_id, customer_id`` of the run.
        pairs: the run's scored pairs (``source_1, record_id_1, source_2, record_id_2,
            match_probability``, and ``rule``: a non-empty rule marks a vetoed pair, which the
            clustering never puts with its partner).
        current: the threshold the run used (added to ``thresholds`` when absent).
        thresholds: the thresholds to try, each in (0, 1).
        max_cluster_size, conflict_probability: the run's clustering settings (by default,
            those of :class:`~rcu_kit.linkage.pipeline.DedupSettings`).

    Returns:
        ``threshold``, ``matched_pairs`` (pairs at or above it), ``customers``,
        ``duplicate_rate``, ``multi_source_customers`` and ``current`` (True on the threshold
        used), by increasing threshold.

    Raises:
        ValueError: a threshold outside (0, 1), or pairs naming unknown records.
    """
    from rcu_kit.linkage.cluster import cluster_pairs

    _check(crosswalk, _CROSSWALK_COLUMNS, "crosswalk")
    _check(pairs, _PAIR_COLUMNS, "pairs")
    chosen = sorted({round(float(x), 6) for x in [*thresholds, current]})
    bad = [x for x in chosen if not 0.0 < x < 1.0]
    if bad:
        raise ValueError(f"threshold_effect: thresholds must be between 0 and 1 (exclusive), got {bad}")
    first, second = pair_positions(crosswalk, pairs)
    probability = pairs["match_probability"].to_numpy(dtype=float)
    vetoed = _named(pairs["rule"]) if "rule" in pairs else None
    n = len(crosswalk)
    source_codes, source_names = pd.factorize(crosswalk["source"].astype(str))
    n_sources = len(source_names)
    rows = []
    for threshold in chosen:
        labels, info = cluster_pairs(n, first, second, probability, threshold=threshold,
                                     max_cluster_size=max_cluster_size,
                                     conflict_probability=conflict_probability,
                                     vetoed=vetoed, split_oversized=False)
        customers = int(labels.max(initial=-1)) + 1
        # which sources each customer holds (a table, not a sort), then those with two or more
        held = np.zeros(customers * n_sources, dtype=bool)
        held[labels * n_sources + source_codes] = True
        multi = int((held.reshape(customers, n_sources).sum(axis=1) >= 2).sum())
        rows.append({"threshold": threshold, "matched_pairs": int((probability >= threshold).sum()),
                     "customers": customers,
                     "duplicate_rate": (1 - customers / n) if n else None,
                     "multi_source_customers": multi,
                     "current": bool(np.isclose(threshold, current))})
    return pd.DataFrame(rows, columns=["threshold", "matched_pairs", "customers", "duplicate_rate",
                                       "multi_source_customers", "current"])


def _named(rule: pd.Series) -> np.ndarray:
    """Whether each pair's ``rule`` is named (a veto); empty or missing: none. On a categorical
    column, read on its codes (millions of pairs, a handful of rules)."""
    if isinstance(rule.dtype, pd.CategoricalDtype):
        named = np.append(np.asarray(rule.cat.categories.astype(str) != ""), False)
        return named[rule.cat.codes.to_numpy()]                     # code -1 (missing): last
    return rule.fillna("").astype(str).to_numpy() != ""


def probability_histogram(pairs: pd.DataFrame, bins: int = 20) -> pd.DataFrame:
    """Scored pairs per match-probability bin of equal width over [0, 1].

    Returns:
        ``bin_start``, ``bin_end`` and ``pairs``; each bin holds ``bin_start <= p < bin_end``
        except the last, which also holds ``p == 1``.

    Examples:
        >>> p = pd.DataFrame({"match_probability": [0.0, 0.1, 0.6, 1.0]})
        >>> probability_histogram(p, bins=2)["pairs"].tolist()
        [2, 2]
    """
    _check(pairs, ["match_probability"], "pairs")
    if bins < 1:
        raise ValueError(f"probability_histogram: bins must be at least 1, got {bins}")
    edges = np.linspace(0.0, 1.0, bins + 1)
    counts, _ = np.histogram(pairs["match_probability"].to_numpy(dtype=float), bins=edges)
    return pd.DataFrame({"bin_start": edges[:-1].round(6), "bin_end": edges[1:].round(6),
                         "pairs": counts.astype(int)})


def customer_split(crosswalk: pd.DataFrame, records: pd.DataFrame | None, rule: Any,
                   today: Any = None, *, statuses: bool = False) -> Any:
    """The distinct customers split by the engagement's definition of a customer.

    A customer of the crosswalk (a person) is an *active customer* when one of their records,
    in the rule's sources, holds a date of the rule's attribute within ``within_months`` months
    before the reference date (both ends included); the others are *prospects*: those whose
    latest date is older (``prospects_lapsed``) and those with no readable date at all
    (``prospects_undated``). A date after the reference date counts as within the window.

    Args:
        crosswalk: ``source, record_id, customer_id``, one row per record.
        records: the records with ``source``, ``record_id`` and the rule's attribute (the
            deduplication's standardised records); None: not available.
        rule: the engagement's :class:`rcu_kit.core.config.CustomerRule`
            (``definition_rules.customer``), or None when it states none.
        today: the day a default reference date may not pass (default: today); a date of the
            data after it is a typo, not the extract's date.
        statuses: also return each customer's status: a Series indexed by ``customer_id``
            (crosswalk order), ``customer``, ``lapsed`` or ``undated`` (a prospect either way);
            None when ``status`` is not ``ok``.

    Returns:
        ``status``: ``ok``, or why the data cannot tell customers from prospects: ``no_rule``
        (the engagement states no rule), ``no_attribute`` (no record holds the attribute),
        ``no_dates`` (no readable date of it in the rule's sources); ``attribute``,
        ``within_months``, ``sources`` (the rule's, empty: every source), ``reference_date``
        (ISO) and ``reference_from`` (``setting`` or ``latest_date``), ``n_customers`` (all the
        distinct customers), ``customers``, ``prospects``, ``prospects_lapsed``,
        ``prospects_undated`` (None each unless ``status`` is ``ok``); with ``statuses``, the
        pair ``(figures, statuses)``.

    Examples:
        >>> from rcu_kit.core.config import CustomerRule
        >>> cw = pd.DataFrame({"source": ["crm", "web", "web"], "record_id": ["1", "a", "b"],
        ...                    "customer_id": ["C1", "C1", "C2"]})
        >>> recs = cw[["source", "record_id"]].assign(last_activity_at=[None, "2024-06-01", "2019-01-01"])
        >>> split = customer_split(cw, recs, CustomerRule(attribute="last_activity_at", within_months=36))
        >>> split["reference_date"], split["customers"], split["prospects"]
        ('2024-06-01', 1, 1)
    """
    from datetime import date

    from rcu_kit.values.dates import parse_dates

    _check(crosswalk, _CROSSWALK_COLUMNS, "crosswalk")
    n_customers = int(crosswalk["customer_id"].nunique())
    out: dict[str, Any] = {
        "status": "ok", "attribute": None, "within_months": None, "sources": [],
        "reference_date": None, "reference_from": None, "n_customers": n_customers,
        "customers": None, "prospects": None, "prospects_lapsed": None, "prospects_undated": None}
    if rule is None:
        out["status"] = "no_rule"
        return (out, None) if statuses else out
    out.update(attribute=rule.attribute, within_months=int(rule.within_months),
               sources=list(rule.sources))
    given = rule.reference_date
    if given is not None:
        out.update(reference_date=given.isoformat(), reference_from="setting")
    if records is None or rule.attribute not in records.columns:
        out["status"] = "no_attribute"
        return (out, None) if statuses else out
    _check(records, ["source", "record_id"], "records")
    read = records[["source", "record_id", rule.attribute]].astype(
        {"source": str, "record_id": str})
    if rule.sources:
        read = read[read["source"].isin([str(s) for s in rule.sources])]
    when = parse_dates(read[rule.attribute].astype("string"))
    dated = read.assign(when=when.to_numpy()).dropna(subset=["when"])
    if dated.empty:
        out["status"] = "no_dates"
        return (out, None) if statuses else out
    if given is None:
        limit = pd.Timestamp(today or date.today())
        past = dated.loc[dated["when"] <= limit, "when"]
        if past.empty:
            out["status"] = "no_dates"
            return (out, None) if statuses else out
        reference = past.max()
        out.update(reference_date=reference.date().isoformat(), reference_from="latest_date")
    else:
        reference = pd.Timestamp(given)
    start = reference - pd.DateOffset(months=int(rule.within_months))
    keyed = dated.merge(crosswalk[["source", "record_id", "customer_id"]].astype(str),
                        on=["source", "record_id"], how="inner")
    latest = keyed.groupby("customer_id")["when"].max()
    active = int((latest >= start).sum())
    lapsed = int(len(latest) - active)
    out.update(customers=active, prospects=n_customers - active, prospects_lapsed=lapsed,
               prospects_undated=n_customers - active - lapsed)
    if statuses:
        every = pd.Index(pd.unique(crosswalk["customer_id"].astype(str)), name="customer_id")
        status = pd.Series("undated", index=every, dtype=object)
        status[latest.index[latest < start]] = "lapsed"
        status[latest.index[latest >= start]] = "customer"
        return out, status
    return out
