"""Values too frequent to be evidence: a default birth date typed for thousands of customers.

A client's CRM often holds one birth date for every customer whose date was unknown: the
form's default (01/01/1970, 01/01/2000), a date an agent types to get past a mandatory field.
Known placeholders are dropped when dates are read (:data:`rcu_kit.values.dates.PLACEHOLDER_DATES`),
but a client's own is not on any list. Compared as a birth date, it does two kinds of harm: two
customers who both carry it agree *exactly* (strong evidence of one person), and a customer
whose other record holds the true date *differs* (strong evidence of two people). The second is
the worse: on the demo (10,000 records) with 5 % of the birth dates replaced by 01/01/1970,
pairwise F1 falls from 0.989 to 0.950 and the customers are overcounted by 4.5 %, where blanking
the same dates costs nothing (0.988).

So a value held by far more records than a value of its column usually is
(:func:`frequent_values`: at least :data:`FREQUENT_MIN` records and more than
:data:`FREQUENT_FACTOR` times the mean count of the column's distinct values) is compared as
missing, neither agreement nor difference. Genuine birth dates never come close: on the demo at
a million records the most common one is held by 71 records for a threshold of 229, on FEBRL,
RLdata and the robustness sweep by at most 12 records for a threshold of 20 or more. The rule
reads counts of records (not of people), which add up across partitions, so the Dask engine
finds the same values as the in-memory one (:func:`value_counts` per partition, summed).

Which values were set aside is reported with the deduplication
(:attr:`rcu_kit.linkage.pipeline.DedupResult.frequent_values`): nothing is set aside silently.

Examples:
    >>> import pandas as pd
    >>> dates = ["1970-01-01"] * 30 + [f"1980-01-{d:02d}" for d in range(1, 29)] * 2
    >>> frequent_values({"birth_date": pd.Series(dates).value_counts()})["birth_date"].to_dict()
    {'1970-01-01': 30}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

__all__ = ["FREQUENT_COLUMNS", "FREQUENT_FACTOR", "FREQUENT_MIN", "value_counts",
           "add_counts", "frequent_values", "frequent_table", "no_evidence"]

#: The prepared columns whose too frequent values are no evidence (compared as missing).
FREQUENT_COLUMNS = ("birth_date",)
#: A value is too frequent when held by more than this many times the mean count of the
#: column's distinct values...
FREQUENT_FACTOR = 10.0
#: ... and by at least this many records (on small data the mean is near 1).
FREQUENT_MIN = 20


def value_counts(prepared: pd.DataFrame, columns: Iterable[str] = FREQUENT_COLUMNS
                 ) -> dict[str, pd.Series]:
    """Records per value of each of ``columns`` present (missing values left out), indexed by
    the value as text: counts of partitions add up (:func:`add_counts`)."""
    out = {}
    for column in columns:
        if column in prepared.columns:
            counts = prepared[column].value_counts(sort=False)
            counts = counts[counts > 0]
            counts.index = pd.Index(counts.index.astype(str), dtype=object)
            out[column] = counts.astype("int64")
    return out


def add_counts(parts: Iterable[Mapping[str, pd.Series]]) -> dict[str, pd.Series]:
    """The :func:`value_counts` of several partitions, summed value by value."""
    by_column: dict[str, list[pd.Series]] = {}
    for part in parts:
        for column, counts in part.items():
            by_column.setdefault(column, []).append(counts)
    return {column: pd.concat(pieces).groupby(level=0, sort=False).sum().astype("int64")
            for column, pieces in by_column.items()}


def frequent_values(counts: Mapping[str, pd.Series]) -> dict[str, pd.Series]:
    """The values of each column too frequent to be evidence, with their record counts (most
    frequent first): at least :data:`FREQUENT_MIN` records and more than
    :data:`FREQUENT_FACTOR` times the mean count of the column's distinct values.

    Examples:
        >>> counts = pd.Series([25] + [1] * 30, index=["1970-01-01"] + [f"1981-02-{d:02d}" for d in range(1, 31)])
        >>> frequent_values({"birth_date": counts})["birth_date"].to_dict()   # mean 1.8
        {'1970-01-01': 25}
        >>> frequent_values({"birth_date": counts.head(3)})["birth_date"].to_dict()   # mean 9
        {}
        >>> frequent_values({"birth_date": counts.head(0)})["birth_date"].empty
        True
    """
    out = {}
    for column, count in counts.items():
        count = count[count > 0]
        mean = count.sum() / len(count) if len(count) else 0.0
        chosen = count[(count >= FREQUENT_MIN) & (count > FREQUENT_FACTOR * mean)]
        out[column] = chosen.sort_values(ascending=False, kind="stable")
    return out


def no_evidence(frequent: Mapping[str, pd.Series]) -> dict[str, frozenset[str]]:
    """Column -> the values compared as missing (for :func:`rcu_kit.linkage.compare.default_features`)."""
    return {column: frozenset(map(str, values.index)) for column, values in frequent.items()
            if len(values)}


def frequent_table(frequent: Mapping[str, pd.Series]) -> pd.DataFrame:
    """``column, value, records``: one row per value set aside, most frequent first."""
    rows = [{"column": column, "value": value, "records": int(records)}
            for column, values in frequent.items() for value, records in values.items()]
    return pd.DataFrame(rows, columns=["column", "value", "records"])
