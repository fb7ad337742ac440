"""A ydata-profiling HTML report per source, configured to stay fast on big extracts.

The audit's figures over all rows come from :mod:`rcu_kit.audit.quality`; the ydata profile adds the
exploratory view (distributions, frequent values, samples). Choices, deliberate:

* **minimal mode**, no correlations, interactions, missing-value diagrams or duplicate rows
  (ydata's default mode took 184 s on 10,000 rows of 5 columns; minimal 5 s on 200,000 rows);
* **sampling**: above ``sample_size`` rows, a seeded random sample (in the original row
  order) is profiled, and a banner at the top of the first page says so, with the sizes;
* **masking**: when the engagement masks personal data, the frame handed to ydata is masked
  column by column (:func:`rcu_kit.values.masking.mask_frame`), so the sample, frequent-value and
  extreme-value sections only ever see masked values; word and character statistics of text
  columns are turned off (they would rebuild names letter by letter, and cost a chart each);
* numbers and dates given as text are converted, so ydata draws their distributions;
* assets are inlined: the HTML opens offline.

Examples:
    >>> info = profile_source(frame, {"email": "email"}, "out/crm.html", source="crm")  # doctest: +SKIP
    >>> info.sampled, info.rows_profiled  # doctest: +SKIP
    (False, 1500)
"""

from __future__ import annotations

import html
import time
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rcu_kit.core.i18n import fmt_number, t
from rcu_kit.values.masking import MASKED_TYPES, mask_frame
from rcu_kit.values.validity import parse_dates, parse_numbers

__all__ = ["DEFAULT_PROFILE_SAMPLE_SIZE", "ProfileInfo", "profile_settings", "sample_positions",
           "profile_frame", "profile_source"]

DEFAULT_PROFILE_SAMPLE_SIZE = 100_000


@dataclass
class ProfileInfo:
    """What was profiled: ``path`` is None when no profile could be made, and ``note_code`` (a
    code of :data:`rcu_kit.core.wording.PHRASES`) with ``note_params`` says why."""

    source: str
    path: Path | None
    rows: int
    rows_profiled: int
    sampled: bool
    seconds: float
    note_code: str = ""
    note_params: dict[str, Any] = field(default_factory=dict)


def _ydata():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import ydata_profiling
        from ydata_profiling.config import Settings
        from ydata_profiling.utils.paths import get_config
    return ydata_profiling, Settings, get_config


def profile_settings(title: str, *, progress: bool = False):
    """The ydata-profiling ``Settings`` the audit uses (minimal, no leaks, offline, fast).

    Text columns get no word, character or length statistics: each draws a matplotlib chart
    (half a second per column) and words and characters would rebuild names letter by letter.

    Args:
        title: the report title.
        progress: show ydata's own progress bars.
    """
    _, Settings, get_config = _ydata()
    settings = Settings().from_file(get_config("config_minimal.yaml"))
    updates = {
        "title": title,
        "progress_bar": progress,
        "pool_size": 1,
        "infer_dtypes": False,
        "samples": {"head": 10, "tail": 0, "random": 0},
        "duplicates": {"head": 0},
        "missing_diagrams": {"bar": False, "matrix": False, "heatmap": False},
        "interactions": {"continuous": False, "targets": []},
        "correlations": {k: {"calculate": False} for k in
                         ("auto", "pearson", "spearman", "kendall", "phi_k", "cramers")},
        "html": {"inline": True, "use_local_assets": True, "minify_html": True},
        "vars": {"cat": {"characters": False, "words": False, "length": False},
                 "text": {"characters": False, "words": False, "length": False}},
    }
    return settings.update(updates)


def _convert(frame: pd.DataFrame, types: Mapping[str, str], masked: bool) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        kind = types.get(str(col))
        if kind == "number":
            out[col] = parse_numbers(out[col])
        elif kind == "date" or (kind == "birth_date" and not masked):
            out[col] = parse_dates(out[col])
    return out


def _insert_banner(path: Path, lines: list[str]) -> None:
    text = path.read_text(encoding="utf-8")
    banner = ('<div id="rcu-kit-banner" style="background:#fff3cd;border-bottom:1px solid #e0c36c;'
              'padding:10px 20px;font-family:sans-serif;font-size:14px;">'
              + "<br>".join(html.escape(line) for line in lines) + "</div>")
    start = text.find("<body")
    end = text.find(">", start) if start >= 0 else -1
    text = text[: end + 1] + banner + text[end + 1:] if end >= 0 else banner + text
    path.write_text(text, encoding="utf-8")


def sample_positions(rows: int, sample_size: int, seed: int) -> np.ndarray | None:
    """The rows the profile samples (0-based positions, ascending), or None for every row.

    ``sample_size`` rows drawn without replacement by the seeded generator pandas uses for
    ``frame.sample(n=sample_size, random_state=seed)``, so a source streamed from disk
    (:func:`rcu_kit.sources.loaders.read_spill_rows`) is profiled on the rows a frame in memory
    would have been.

    Examples:
        >>> sample_positions(10, 3, seed=42).tolist(), sample_positions(10, 0, seed=42)
        ([1, 5, 8], None)
    """
    if not 0 < sample_size < rows:
        return None
    drawn = pd.RangeIndex(rows).to_series().sample(n=sample_size, random_state=seed)
    return np.sort(drawn.to_numpy())


def profile_frame(frame: pd.DataFrame, semantic_types: Mapping[str, str], path: str | Path, *,
                  title: str, mask: bool = True, sample_size: int = DEFAULT_PROFILE_SAMPLE_SIZE,
                  seed: int = 42, language: str = "fr", progress: bool = False,
                  rows: int | None = None) -> ProfileInfo:
    """Write the ydata-profiling HTML report of ``frame`` to ``path``.

    Args:
        frame: the extract (text columns, NA for missing).
        semantic_types: column -> type to mask/convert it as (see
            :func:`rcu_kit.audit.personal_data.masking_types`).
        path: the HTML file to write (its folder is created).
        title: the report title.
        mask: mask personal data (pass ``engagement.mask_personal_data``).
        sample_size: profile a random sample of this many rows above it (0 or less: never).
        seed: seed of the sample.
        language: language of the banner and the title (written in the HTML).
        progress: show ydata's progress bars.
        rows: the source's rows when ``frame`` is already its sample (the rows at
            :func:`sample_positions`, read from a streamed source).

    Returns:
        What was profiled; ``path`` is None (and ``note_code`` says why) for a source without
        rows or columns, for which ydata cannot make a report.
    """
    start = time.perf_counter()
    path = Path(path)
    presampled = rows is not None
    rows = len(frame) if rows is None else rows
    name = path.stem
    if rows == 0 or frame.shape[1] == 0:
        return ProfileInfo(name, None, rows, 0, False, 0.0,
                           "msg_empty_source" if frame.shape[1] else "msg_no_columns")
    positions = sample_positions(rows, sample_size, seed)
    sampled = positions is not None
    data = frame if presampled or not sampled else frame.iloc[positions]
    types = {str(k): v for k, v in semantic_types.items()}
    if mask:
        data = mask_frame(data, {c: types.get(str(c)) for c in data.columns})
    data = _convert(data, types, masked=mask)
    data.columns = [str(c) for c in data.columns]

    ydata, _, _ = _ydata()
    settings = profile_settings(title, progress=progress)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = ydata.ProfileReport(data, config=settings)
        path.parent.mkdir(parents=True, exist_ok=True)
        report.to_file(path, silent=True)

    lines = [t("audit.profile_banner_sampled", language, sample=fmt_number(len(data), language),
               rows=fmt_number(rows, language), seed=seed) if sampled
             else t("audit.profile_banner_full", language, rows=fmt_number(rows, language))]
    if mask and any(types.get(str(c)) in MASKED_TYPES for c in frame.columns):
        lines.append(t("audit.profile_banner_masked", language))
    _insert_banner(path, lines)
    return ProfileInfo(name, path, rows, len(data), sampled, round(time.perf_counter() - start, 2))


def profile_source(frame: pd.DataFrame, semantic_types: Mapping[str, str], path: str | Path, *,
                   source: str, mask: bool = True,
                   sample_size: int = DEFAULT_PROFILE_SAMPLE_SIZE, seed: int = 42,
                   language: str = "fr", progress: bool = False,
                   rows: int | None = None) -> ProfileInfo:
    """:func:`profile_frame` with the audit's title for ``source``; never raises on ydata errors.

    A ydata failure (an exotic column, a library bug) must not lose the rest of the audit: it is
    reported in ``note_code`` (``msg_profile_failed``, the error in ``note_params``) and ``path``
    is None.
    """
    title = t("audit.profile_title", language, source=source)
    try:
        info = profile_frame(frame, semantic_types, path, title=title, mask=mask,
                             sample_size=sample_size, seed=seed, language=language, progress=progress,
                             rows=rows)
    except Exception as exc:  # noqa: BLE001 - reported, not hidden
        return ProfileInfo(source, None, len(frame) if rows is None else rows, 0, False, 0.0,
                           "msg_profile_failed",
                           {"error": f"{type(exc).__name__}: {exc}"})
    info.source = source
    return info
