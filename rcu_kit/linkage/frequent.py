"""Values too frequent to be evidence: a default birth date, a shop's e-mail or phone typed for
many customers.

A client's CRM often holds one birth date for every customer whose date was unknown: the
form's default (01/01/1970, 01/01/2000), a date an agent types to get past a mandatory field.
Known placeholders are dropped when dates are read (:data:`rcu_kit.values.dates.PLACEHOLDER_DATES`),
but a client's own is not on any list. Compared as a birth date, it does two kinds of harm: two
customers who both carry it agree *exactly* (strong evidence of one person), and a customer
whose other record holds the true date *differs* (strong evidence of two people). The second is
the worse: on the demo (10,000 records) with 5 % of the birth dates replaced by 01/01/1970,
pairwise F1 falls from 0.989 to 0.950 and the customers are overcounted by 4.5 %, where blanking
the same dates costs nothing (0.988). A shop's e-mail or phone given for customers who have
none (the store's contact address, its switchboard) does the same to contacts.

So a value held by far more records than a value of its column usually is, and by records of
many people, is compared as missing, neither agreement nor difference
(:func:`frequent_values`):

* at least :data:`FREQUENT_MIN` records and more than :data:`FREQUENT_FACTOR` times the mean
  count of the column's distinct values (:func:`candidate_values`);
* and at least :data:`FREQUENT_SURNAMES` distinct surnames among them (:func:`value_surnames`):
  one loyal customer's twenty orders share his e-mail and birth date, and a family shares its
  e-mail, but a default is typed for everyone.

Genuine values never come close: on the demo at a million records the most common birth date is
held by 71 records for a threshold of 229; the most common e-mail, a family's, by 186 records
of one surname (a generator artefact shared by households of one name); on FEBRL, RLdata and
the robustness sweep no value reaches 20 records. The counts are of records per source and
value, and the surnames are sets, so both add up across partitions: the Dask engine finds the
same values as the in-memory one (:func:`add_counts`, :func:`add_surnames`), and the report
says which sources hold them.

Which values were set aside is reported with the deduplication
(:attr:`rcu_kit.linkage.pipeline.DedupResult.frequent_values`): nothing is set aside silently.

Examples:
    >>> import pandas as pd
    >>> dates = ["1970-01-01"] * 30 + [f"1980-01-{d:02d}" for d in range(1, 29)] * 2
    >>> counts = pd.Series(dates).value_counts()
    >>> counts.index = pd.MultiIndex.from_product([["crm"], counts.index])
    >>> surnames = {"birth_date": {"1970-01-01": frozenset(f"NOM{k}" for k in range(30))}}
    >>> frequent_values({"birth_date": counts}, surnames)["birth_date"].to_dict()
    {('crm', '1970-01-01'): 30}
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

__all__ = ["FREQUENT_COLUMNS", "FREQUENT_FACTOR", "FREQUENT_MIN", "FREQUENT_SURNAMES",
           "value_counts", "add_counts", "candidate_values", "value_surnames", "add_surnames",
           "frequent_values", "frequent_table", "no_evidence"]

#: The prepared columns whose too frequent values are no evidence (compared as missing).
FREQUENT_COLUMNS = ("birth_date", "email", "phone")
#: A value is too frequent when held by more than this many times the mean count of the
#: column's distinct values...
FREQUENT_FACTOR = 10.0
#: ... and by at least this many records (on small data the mean is near 1)...
FREQUENT_MIN = 20
#: ... of at least this many distinct surnames (not one customer's records, nor a family's).
FREQUENT_SURNAMES = 10


def value_counts(prepared: pd.DataFrame, columns: Iterable[str] = FREQUENT_COLUMNS
                 ) -> dict[str, pd.Series]:
    """Records per source and value of each of ``columns`` present (missing values left out),
    indexed by (source, value as text): counts of partitions add up (:func:`add_counts`)."""
    out = {}
    source = pd.Categorical(prepared["source"])
    n_sources = max(len(source.categories), 1)
    sources = pd.Index(source.categories.astype(str), dtype=object)
    for column in columns:
        if column in prepared.columns:
            values = pd.Categorical(prepared[column])        # prepared: already categorical
            held = (values.codes >= 0) & (source.codes >= 0)
            # one integer per (value, source), counted by a sort: no text is hashed
            key = values.codes[held].astype(np.int64) * n_sources + source.codes[held]
            pair, count = np.unique(key, return_counts=True)
            index = pd.MultiIndex(levels=[sources, pd.Index(values.categories.astype(str), dtype=object)],
                                  codes=[pair % n_sources, pair // n_sources], verify_integrity=False)
            out[column] = pd.Series(count.astype("int64"), index=index)
    return out


def add_counts(parts: Iterable[Mapping[str, pd.Series]]) -> dict[str, pd.Series]:
    """The :func:`value_counts` of several partitions, summed value by value.

    The texts of all the pieces are coded once (one ``factorize``) and the counts summed on
    integer codes: aligning the pieces' indexes instead hashes every value again (3.5 s for
    the e-mails, phones and dates of a million records in two partitions, against 0.5 s).

    Examples:
        >>> one = pd.Series([2, 1], index=pd.MultiIndex.from_tuples([("crm", "a"), ("web", "a")]))
        >>> two = pd.Series([3, 1], index=pd.MultiIndex.from_tuples([("crm", "a"), ("crm", "b")]))
        >>> add_counts([{"email": one}, {"email": two}])["email"].to_dict()
        {('crm', 'a'): 5, ('web', 'a'): 1, ('crm', 'b'): 1}
    """
    by_column: dict[str, list[pd.Series]] = {}
    for part in parts:
        for column, counts in part.items():
            by_column.setdefault(column, []).append(counts)
    out = {}
    for column, pieces in by_column.items():
        value_codes, values = pd.factorize(_level_texts(pieces, 1))
        source_codes, sources = pd.factorize(_level_texts(pieces, 0))
        n_sources = max(len(sources), 1)
        pair, inverse = np.unique(value_codes.astype(np.int64) * n_sources + source_codes,
                                  return_inverse=True)
        total = np.bincount(inverse, weights=np.concatenate([p.to_numpy() for p in pieces]),
                            minlength=len(pair))
        index = pd.MultiIndex(levels=[pd.Index(sources, dtype=object),
                                      pd.Index(values, dtype=object)],
                              codes=[pair % n_sources, pair // n_sources], verify_integrity=False)
        out[column] = pd.Series(total.astype("int64"), index=index)
    return out


def _level_texts(pieces: Sequence[pd.Series], level: int) -> np.ndarray:
    """The texts of one level of the pieces' indexes, row by row, all pieces one after the other."""
    return np.concatenate([np.asarray(p.index.levels[level], dtype=object)[p.index.codes[level]]
                           for p in pieces])


def candidate_values(counts: Mapping[str, pd.Series]) -> dict[str, frozenset[str]]:
    """The values of each column held by far more records than its values usually are: at
    least :data:`FREQUENT_MIN` records in all and more than :data:`FREQUENT_FACTOR` times the
    mean count of the column's distinct values (``counts``: :func:`value_counts`). Columns with
    none are left out.

    Examples:
        >>> values = ["1970-01-01"] * 2 + [f"1981-02-{d:02d}" for d in range(1, 31)]
        >>> counts = pd.Series([20, 5] + [1] * 30, index=pd.MultiIndex.from_arrays(
        ...     [["crm", "web"] + ["crm"] * 30, values]))
        >>> candidate_values({"birth_date": counts})                 # 25 records, mean 1.7
        {'birth_date': frozenset({'1970-01-01'})}
        >>> candidate_values({"birth_date": counts.head(4)})        # mean 9: 25 is not 10 times
        {}
    """
    out = {}
    for column, count in counts.items():
        count = count[count > 0]
        values = count.index.levels[1]
        # records per value, summed over the sources on the index's codes (no text hashed)
        total = np.bincount(count.index.codes[1], weights=count.to_numpy(), minlength=len(values))
        held = int((total > 0).sum())
        mean = total.sum() / held if held else 0.0
        chosen = np.flatnonzero((total >= FREQUENT_MIN) & (total > FREQUENT_FACTOR * mean))
        if len(chosen):
            out[column] = frozenset(map(str, values[chosen]))
    return out


def value_surnames(prepared: pd.DataFrame, candidates: Mapping[str, Iterable[str]]
                   ) -> dict[str, dict[str, frozenset[str]]]:
    """The distinct surnames (``last_name``) of the records holding each candidate value
    (:func:`candidate_values`): sets, so those of partitions unite (:func:`add_surnames`)."""
    out: dict[str, dict[str, frozenset[str]]] = {}
    if "last_name" not in prepared.columns:
        return out
    surnames = pd.Categorical(prepared["last_name"])       # prepared: already categorical
    for column, values in candidates.items():
        if column not in prepared.columns:
            continue
        held = pd.Categorical(prepared[column])
        wanted = held.categories.get_indexer(list(values))
        rows = np.flatnonzero(np.isin(held.codes, wanted[wanted >= 0]) & (surnames.codes >= 0))
        pairs = pd.DataFrame({"value": held.codes[rows], "surname": surnames.codes[rows]}) \
            .drop_duplicates()
        names = np.asarray(surnames.categories, dtype=object)
        out[column] = {str(held.categories[v]): frozenset(map(str, names[group["surname"]]))
                       for v, group in pairs.groupby("value", sort=False)}
    return out


def add_surnames(parts: Iterable[Mapping[str, Mapping[str, frozenset[str]]]]
                 ) -> dict[str, dict[str, frozenset[str]]]:
    """The :func:`value_surnames` of several partitions, united value by value."""
    out: dict[str, dict[str, frozenset[str]]] = {}
    for part in parts:
        for column, by_value in part.items():
            united = out.setdefault(column, {})
            for value, names in by_value.items():
                united[value] = united.get(value, frozenset()) | names
    return out


def frequent_values(counts: Mapping[str, pd.Series],
                    surnames: Mapping[str, Mapping[str, frozenset[str]]]) -> dict[str, pd.Series]:
    """The values of each column too frequent to be evidence, with their record counts per
    source (:func:`value_counts`' index; the most frequent value first, then its sources by
    count): the :func:`candidate_values` held by records of at least
    :data:`FREQUENT_SURNAMES` distinct surnames (``surnames``: :func:`value_surnames` of the
    candidate values, so the candidates are not counted again here).

    Examples:
        >>> values = ["1970-01-01"] * 2 + [f"1981-02-{d:02d}" for d in range(1, 31)]
        >>> counts = pd.Series([20, 5] + [1] * 30, index=pd.MultiIndex.from_arrays(
        ...     [["crm", "web"] + ["crm"] * 30, values]))
        >>> many = {"birth_date": {"1970-01-01": frozenset(f"NOM{k}" for k in range(25))}}
        >>> frequent_values({"birth_date": counts}, many)["birth_date"].to_dict()
        {('crm', '1970-01-01'): 20, ('web', '1970-01-01'): 5}
        >>> one = {"birth_date": {"1970-01-01": frozenset({"MARTIN"})}}   # one customer's
        >>> frequent_values({"birth_date": counts}, one)["birth_date"].empty
        True
    """
    out = {}
    for column, count in counts.items():
        count = count[count > 0]
        chosen = {v for v, names in surnames.get(column, {}).items()
                  if len(names) >= FREQUENT_SURNAMES}
        kept = count[count.index.get_level_values(1).isin(list(chosen))]
        total = kept.groupby(level=1, sort=False).sum()
        order = pd.DataFrame({"total": total.reindex(kept.index.get_level_values(1)).to_numpy(),
                              "value": kept.index.get_level_values(1), "records": kept.to_numpy()})
        rank = order.sort_values(["total", "value", "records"], ascending=[False, True, False],
                                 kind="stable").index
        out[column] = kept.iloc[rank]
    return out


def no_evidence(frequent: Mapping[str, pd.Series]) -> dict[str, frozenset[str]]:
    """Column -> the values compared as missing (for :func:`rcu_kit.linkage.compare.default_features`)."""
    return {column: frozenset(map(str, values.index.get_level_values(1)))
            for column, values in frequent.items() if len(values)}


def frequent_table(frequent: Mapping[str, pd.Series]) -> pd.DataFrame:
    """``column, value, source, records``: one row per value set aside and source holding it,
    the most frequent value first."""
    rows = [{"column": column, "value": value, "source": source, "records": int(records)}
            for column, values in frequent.items()
            for (source, value), records in values.items()]
    return pd.DataFrame(rows, columns=["column", "value", "source", "records"])
