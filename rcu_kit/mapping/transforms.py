"""Applying a mapping: check it against the data, then turn a source into the common layout.

- :func:`validate_mapping` checks a mapping against the loaded data: every source exists, every
  column exists, every attribute is in the target model; errors name all of them.
- :func:`apply_mapping` turns one loaded source into the common layout the rest of the workbench
  uses (``source``, ``record_id``, one column per target attribute), applying the transforms
  (:data:`TRANSFORMS`). It is vectorised (a million rows in seconds) and never drops a row.

Examples:
    >>> import pandas as pd
    >>> from rcu_kit.core.config import MappingEntry
    >>> frame = pd.DataFrame({"id": ["1", "2"], "cp": ["1000", "75011"], "nom": ["DUPONT", None]})
    >>> out = apply_mapping(frame, [MappingEntry(column="cp", attribute="postcode",
    ...                                         transform="restore_postcode_zero"),
    ...                             MappingEntry(column="nom", attribute="last_name")], "crm", "id")
    >>> out.to_dict(orient="list")
    {'source': ['crm', 'crm'], 'record_id': ['1', '2'], 'postcode': ['01000', '75011'], 'last_name': ['DUPONT', None]}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from rcu_kit.core.config import DERIVED_ATTRIBUTES, KNOWN_TRANSFORMS, ConfigError, Engagement, MappingEntry
from rcu_kit.values.dates import normalise_dates
from rcu_kit.values.postcodes import restore_lost_zero

__all__ = ["MappingError", "TRANSFORMS", "frame_of", "validate_mapping", "apply_transform",
           "apply_mapping"]


class MappingError(ConfigError):
    """A mapping does not fit the data or the target model; the message names what and where."""


def frame_of(loaded_source: Any) -> pd.DataFrame:
    """The data frame of a loaded source (or the frame itself)."""
    return loaded_source.frame if hasattr(loaded_source, "frame") else loaded_source


def validate_mapping(engagement: Engagement, loaded: Mapping[str, Any],
                     mapping: Mapping[str, Iterable[MappingEntry]] | None = None) -> None:
    """Check a mapping (default: the engagement's) against the target model and the loaded data.

    A source the loader could not read (``loaded.failed``, see
    :class:`rcu_kit.sources.loaders.LoadedSources`) is not checked: it is left out of the step and
    the loading report already says why.

    Raises:
        MappingError: listing every problem, each naming the source, the column and the
            attribute: a source that is not loaded, a column missing from the data (with the
            columns available), an attribute not in the target model (with the known ones).
    """
    from rcu_kit.sources.loaders import left_out as failed_sources

    mapping = engagement.mapping if mapping is None else mapping
    known = {a.name for a in engagement.target_model} | set(DERIVED_ATTRIBUTES)
    left_out = failed_sources(loaded)
    problems = []
    for src, entries in mapping.items():
        entries = list(entries)
        if src in left_out:
            continue
        if src not in loaded:
            problems.append(f"mapping.{src}: source {src!r} is not loaded (loaded: "
                            f"{', '.join(loaded) or 'none'}); it maps {len(entries)} column(s)")
            continue
        columns = list(frame_of(loaded[src]).columns)
        for e in entries:
            if e.attribute not in known:
                problems.append(f"mapping.{src}: column {e.column!r} maps to unknown attribute "
                                f"{e.attribute!r}; target attributes are: {', '.join(sorted(known))}")
            if e.column not in columns:
                problems.append(f"mapping.{src}: column {e.column!r} (mapped to {e.attribute!r}) is not in "
                                f"the data of {src}; its columns are: {', '.join(map(str, columns))}")
    if problems:
        raise MappingError("invalid mapping:\n  - " + "\n  - ".join(problems))


# ---------------------------------------------------------------------------------------------
# Transforms and application
# ---------------------------------------------------------------------------------------------
def _strip(s: pd.Series) -> pd.Series:
    out = s.str.strip()
    return out.mask(out == "")


def _upper(s: pd.Series) -> pd.Series:
    return s.str.upper()


def _restore_postcode_zero(s: pd.Series) -> pd.Series:
    """``1000`` or ``1000.0`` (a spreadsheet ate the zero) -> ``01000``; other values unchanged
    (the postcode rule's repair, :func:`rcu_kit.values.postcodes.restore_lost_zero`)."""
    return restore_lost_zero(s.str.strip())


def _parse_date_dmy(s: pd.Series) -> pd.Series:
    """``dd/mm/yyyy`` (also ``.`` or ``-``, time ignored, and every other form the date rule reads:
    :func:`rcu_kit.values.dates.normalise_dates`) -> ISO ``yyyy-mm-dd``.

    Values that are not such a date, or not a real date (31/02/2020), are kept as they are so the
    audit still sees and counts them; nothing is silently emptied.
    """
    iso = normalise_dates(s, kind="any")
    return s.mask(iso.notna().to_numpy(), iso.astype(object))


def _split_full_name(s: pd.Series) -> pd.DataFrame:
    """``DUPONT Jean`` / ``Jean Dupont`` / ``Mme MARTIN née DUPONT Jeanne`` -> name parts.

    Uses the standardiser's splitter (:func:`rcu_kit.standardise.names.split_full_names`): the
    parts come out in its normal form (upper case, accents kept), as columns ``last_name``,
    ``first_name``, ``birth_name`` and ``civility``.
    """
    from rcu_kit.standardise.names import split_full_names

    parts = split_full_names(s)
    return parts[["last_name", "first_name", "birth_name", "civility"]].astype(object).where(parts.notna(), None)


TRANSFORMS: dict[str, Callable[[pd.Series], pd.Series | pd.DataFrame]] = {
    "strip": _strip,
    "upper": _upper,
    "restore_postcode_zero": _restore_postcode_zero,
    "parse_date_dmy": _parse_date_dmy,
    "split_full_name": _split_full_name,
}
assert set(TRANSFORMS) == set(KNOWN_TRANSFORMS), "TRANSFORMS and config.KNOWN_TRANSFORMS disagree"


def apply_transform(values: pd.Series, transform: str | None) -> pd.Series | pd.DataFrame:
    """Apply one named transform to a column (``split_full_name`` returns four columns).

    The transform runs once per *distinct* value and the results are spread back to the rows
    (a million rows of dates hold a few tens of thousands of distinct dates). Missing values
    stay missing; the result has the input's index and length.
    """
    if transform is None:
        return values
    if transform not in TRANSFORMS:
        raise MappingError(f"unknown transform {transform!r}; allowed: {', '.join(TRANSFORMS)}")
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    done = TRANSFORMS[transform](pd.Series(uniques, dtype=object))
    missing = codes < 0
    take = np.where(missing, 0, codes)

    def spread(column: pd.Series) -> pd.Series:
        if len(uniques) == 0:
            return pd.Series([None] * len(values), index=values.index, dtype=object)
        out = column.astype(object).to_numpy()[take]
        out[missing] = None
        return pd.Series(out, index=values.index, dtype=object)

    if isinstance(done, pd.DataFrame):
        return pd.DataFrame({c: spread(done[c]) for c in done.columns}, index=values.index)
    return spread(done)


def apply_mapping(loaded_frame: pd.DataFrame, entries: Iterable[MappingEntry], source_name: str,
                  id_column: str | None = None) -> pd.DataFrame:
    """One source in the common layout: ``source``, ``record_id``, one column per attribute.

    Every input row gives exactly one output row, in the same order. Transforms are applied per
    entry. When several columns feed the same attribute (``tel_mobile`` and ``tel_fixe`` both
    to ``phone``), the first non-empty value wins, in entry order. A ``full_name`` column with
    the ``split_full_name`` transform gives ``last_name``, ``first_name``, ``birth_name`` and
    ``civility`` (filling only what other columns left empty); without the transform it is kept
    as ``full_name`` for the standardiser to split.

    Args:
        loaded_frame: the source's data (columns as in the file).
        entries: the source's mapping entries.
        source_name: written in the ``source`` column and used in error messages.
        id_column: the column holding the record id; None numbers the rows from 1. A row whose
            id is empty gets ``#<row number>`` (1-based) so that it is still accounted for.

    Raises:
        MappingError: a mapped column or the id column is not in the frame (names both, and
            lists the columns available).
    """
    entries = list(entries)
    columns = list(loaded_frame.columns)
    missing = [e for e in entries if e.column not in columns]
    if missing:
        raise MappingError(f"{source_name}: mapped column(s) not in the data: "
                           + ", ".join(f"{e.column!r} (-> {e.attribute!r})" for e in missing)
                           + f"; columns are: {', '.join(map(str, columns))}")
    if id_column is not None and id_column not in columns:
        raise MappingError(f"{source_name}: id column {id_column!r} is not in the data; "
                           f"columns are: {', '.join(map(str, columns))}")
    n = len(loaded_frame)
    index = loaded_frame.index
    row_numbers = pd.Series(np.arange(1, n + 1), index=index).astype(str)
    if id_column is None:
        record_id = row_numbers
    else:
        ids = loaded_frame[id_column].astype("object")
        ids = ids.where(ids.notna() & (ids.astype(str).str.strip() != ""), "#" + row_numbers)
        record_id = ids.astype(str)
    out: dict[str, pd.Series] = {"source": pd.Series([source_name] * n, index=index, dtype=object),
                                 "record_id": record_id}
    for e in entries:
        values = loaded_frame[e.column]
        if values.dtype != object and not isinstance(values.dtype, pd.StringDtype):
            values = values.astype("string").astype(object)
        result = apply_transform(values, e.transform)
        parts = result if isinstance(result, pd.DataFrame) else pd.DataFrame({e.attribute: result})
        for attribute, series in parts.items():
            series = series.set_axis(index)
            out[attribute] = series if attribute not in out else out[attribute].combine_first(series)
    frame = pd.DataFrame(out, index=index).reset_index(drop=True)
    return frame
