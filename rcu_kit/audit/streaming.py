"""When the audit streams a source from disk instead of loading it whole, and how it reads it back.

A source file larger than :attr:`AuditSettings.stream_above_mb` (the engagement's ``audit``
section; default 500 MB, about 5 million rows of a 10-column customer extract) is read in
chunks by :func:`rcu_kit.sources.loaders.stream_source` into a Parquet spill, never whole in
memory. The audit then measures it one column at a time (:func:`source_columns`): each column is
read from the spill, reduced to its distinct values and measured by the very functions that
measure a source in memory (types, quality KPIs, exact-duplicate keys), then dropped; the ydata
profile reads only its sample's rows (:func:`profile_rows`). Memory is bounded by the largest
column, not the file, and every table equals the in-memory audit's.

Examples:
    >>> audit_settings({"stream": "always", "chunk_mb": 16})
    AuditSettings(stream='always', stream_above_mb=500.0, chunk_mb=16.0)
    >>> audit_settings({}).stream_above_bytes
    524288000
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from rcu_kit.audit.profiling import sample_positions
from rcu_kit.core.settings import coerce_settings
from rcu_kit.sources.loaders import LoadedSource, read_spill_column, read_spill_rows

__all__ = ["STREAM_MODES", "AuditSettings", "audit_settings", "source_columns", "profile_rows"]

#: ``auto``: stream the files above ``stream_above_mb``; ``always``: every CSV and Parquet file
#: (Excel and SQL sources are read whole, with a note saying so); ``never``.
STREAM_MODES = ("auto", "always", "never")


@dataclass
class AuditSettings:
    """The engagement's ``audit`` section.

    Attributes:
        stream: one of :data:`STREAM_MODES`.
        stream_above_mb: in ``auto`` mode, files larger than this (MB) are streamed.
        chunk_mb: MB of a file read at a time when streaming.
    """

    stream: str = "auto"
    stream_above_mb: float = 500.0
    chunk_mb: float = 64.0

    def __post_init__(self) -> None:
        if self.stream not in STREAM_MODES:
            raise ValueError(f"audit.stream: {self.stream!r} is not one of {', '.join(STREAM_MODES)}")
        for name in ("stream_above_mb", "chunk_mb"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0 or \
                    (name == "chunk_mb" and value == 0):
                raise ValueError(f"audit.{name}: {value!r} must be a positive number of MB")
            setattr(self, name, float(value))

    @property
    def stream_above_bytes(self) -> int | None:
        """The loaders' threshold: files above it are streamed (0: all; None: none)."""
        if self.stream == "never":
            return None
        return 0 if self.stream == "always" else int(self.stream_above_mb * 2**20)

    @property
    def chunk_bytes(self) -> int:
        """Bytes read at a time when streaming."""
        return max(1, int(self.chunk_mb * 2**20))


def audit_settings(section: Mapping[str, Any] | AuditSettings | None,
                   stream: str | None = None) -> AuditSettings:
    """The audit settings from the engagement's ``audit`` section; ``stream`` overrides its mode
    (``rcu-kit audit --stream always``)."""
    settings = coerce_settings(AuditSettings, section, "audit")
    if stream is not None:
        settings = AuditSettings(stream, settings.stream_above_mb, settings.chunk_mb)
    return settings


def source_columns(source: LoadedSource) -> Iterator[pd.Series]:
    """The columns of a loaded source one at a time, named, in order: from its frame, or read
    from its spill when it was streamed (each column is then in memory only while it is used)."""
    for position, column in enumerate(source.frame.columns):
        if source.spill is None:
            yield source.frame[column].rename(str(column))
        else:
            yield read_spill_column(source, position).rename(str(column))


def profile_rows(source: LoadedSource, sample_size: int, seed: int) -> tuple[pd.DataFrame, int | None]:
    """What the ydata profile of a source is given: ``(frame, None)`` for a source in memory (the
    profile samples it), ``(its sample, rows)`` for a streamed one, whose sampled rows
    (:func:`rcu_kit.audit.profiling.sample_positions`, the same as in memory) are read from the
    spill."""
    if source.spill is None:
        return source.frame, None
    rows = source.rows_loaded
    positions = sample_positions(rows, sample_size, seed)
    if positions is None:
        positions = range(rows)
    return read_spill_rows(source, positions), rows
