"""The audit of collection points (step 2 of the method): run it, save it, load it, export it.

:func:`run_audit` loads the engagement's sources and, for each, detects the semantic type of
every column, measures the quality KPIs over all rows, estimates exact duplicates, classifies
personal data and writes a ydata-profiling report; it gathers everything in an
:class:`AuditResult` of plain tables, saved to ``<output>/audit/`` so later steps (mapping, gap
analysis, roadmap) read them with :func:`load_audit`. :func:`export_audit` writes every table
to one Excel workbook with headers in the engagement's language.

Every value shown in these tables (frequent values) is masked unless the engagement allows raw
values (``personal_data.show_raw_values``).

Examples:
    >>> from rcu_kit.jupyter.notebook import open_engagement  # doctest: +SKIP
    >>> engagement = open_engagement("demo/engagement.yaml")  # doctest: +SKIP
    >>> result = run_audit(engagement, profile_sample_size=50_000)  # doctest: +SKIP
    >>> export_audit(result, engagement)  # doctest: +SKIP
    PosixPath('demo/output/audit/audit.xlsx')
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import pandas as pd

from rcu_kit.core.config import Engagement
from rcu_kit.core.excel import write_workbook
from rcu_kit.audit.exact_duplicates import DUPLICATE_COLUMNS, ExactKeys
from rcu_kit.core.i18n import t
from rcu_kit.core.wording import params_json, word_table
from rcu_kit.audit.inventory import INVENTORY_COLUMNS, build_inventory
from rcu_kit.core.paths import findings_path, step_dir
from rcu_kit.audit.personal_data import PERSONAL_DATA_COLUMNS, classify_personal_data, masking_types
from rcu_kit.audit.profiling import DEFAULT_PROFILE_SAMPLE_SIZE, profile_source
from rcu_kit.audit.quality import KPI_COLUMNS, column_quality, combine_quality
from rcu_kit.audit.streaming import audit_settings, profile_rows, source_columns
from rcu_kit.values.semantic_types import detect_semantic_types, validate_overrides
from rcu_kit.core.timing import StageTimer
from rcu_kit.values.validity import distinct_values

__all__ = ["AuditResult", "TABLES", "run_audit", "audit_frames", "save_audit", "load_audit",
           "export_audit", "localise_table", "audit_dir", "LOW_CONFIDENCE", "LOW_VALIDITY"]

TYPE_COLUMNS = ["source", "column", "semantic_type", "confidence", "method", "reason_code",
                "reason_params", "name_suggestion", "value_match_rate"]
TOP_COLUMNS = ["source", "column", "rank", "value", "count", "share"]
SHAPE_COLUMNS = ["source", "column", "rank", "shape", "count", "share"]
PROFILE_COLUMNS = ["source", "path", "rows", "rows_profiled", "sampled", "seconds", "note_code",
                   "note_params"]
# a message is a code of rcu_kit.core.wording.PHRASES and its figures, worded by localise_table
MESSAGE_COLUMNS = ["source", "column", "level", "message_code", "message_params"]
# The tables of an audit, in the order of the workbook's sheets.
TABLES = ("inventory", "semantic_types", "kpis", "top_values", "shapes", "duplicates",
          "personal_data", "profiles", "messages")
LOW_CONFIDENCE = 0.5  # below: the consultant is asked to check the type
LOW_VALIDITY = 0.8  # below: a message points at the column


def _empty(columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=columns)


@dataclass
class AuditResult:
    """The audit's tables (all plain DataFrames, one row per source, column or finding).

    Attributes:
        inventory: one row per source (:data:`rcu_kit.audit.inventory.INVENTORY_COLUMNS`).
        semantic_types: per source column: detected type, confidence, method, reason (``reason_code``, ``reason_params``).
        kpis: per source column: completeness, validity, uniqueness, ranges, outliers
            (:data:`rcu_kit.audit.quality.KPI_COLUMNS`).
        top_values: most frequent values per column (masked per the policy).
        shapes: most frequent value shapes per column.
        duplicates: exact-key duplicate estimate per source and key.
        personal_data: GDPR classification per source column.
        profiles: the ydata-profiling HTML report written per source.
        messages: points of attention for the consultant (empty source or column, uncertain
            type, low validity, unreadable lines, failed profile).
        masked: whether values were masked when the audit ran.
        loading: how every source loaded, those left out of the audit included
            (:func:`rcu_kit.sources.loaders.summarise_sources`); not saved here (the loaders
            write ``sources_summary.csv``).
        seconds: wall time per stage of the run (values: columns reduced to their distinct
            values; types, personal_data, quality, duplicates, profile), summed over sources;
            not saved.
        cpu_seconds: CPU time of the process per stage (same stages); on a shared machine it
            says what the audit costs when wall time is inflated by other work; not saved.
    """

    inventory: pd.DataFrame = field(default_factory=lambda: _empty(INVENTORY_COLUMNS))
    semantic_types: pd.DataFrame = field(default_factory=lambda: _empty(TYPE_COLUMNS))
    kpis: pd.DataFrame = field(default_factory=lambda: _empty(KPI_COLUMNS))
    top_values: pd.DataFrame = field(default_factory=lambda: _empty(TOP_COLUMNS))
    shapes: pd.DataFrame = field(default_factory=lambda: _empty(SHAPE_COLUMNS))
    duplicates: pd.DataFrame = field(default_factory=lambda: _empty(DUPLICATE_COLUMNS))
    personal_data: pd.DataFrame = field(default_factory=lambda: _empty(PERSONAL_DATA_COLUMNS))
    profiles: pd.DataFrame = field(default_factory=lambda: _empty(PROFILE_COLUMNS))
    messages: pd.DataFrame = field(default_factory=lambda: _empty(MESSAGE_COLUMNS))
    masked: bool = True
    loading: pd.DataFrame | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def sources(self) -> list[str]:
        """The audited sources, in order."""
        return self.inventory["source"].astype(str).tolist()

    def tables(self) -> dict[str, pd.DataFrame]:
        """Table name -> table, in :data:`TABLES` order."""
        return {name: getattr(self, name) for name in TABLES}

    def column(self, source: str, column: str) -> pd.Series:
        """The KPI row of one source column (raises KeyError naming the known columns)."""
        rows = self.kpis[(self.kpis["source"] == source) & (self.kpis["column"] == column)]
        if rows.empty:
            known = self.kpis.loc[self.kpis["source"] == source, "column"].tolist()
            raise KeyError(f"no column {column!r} in the audit of source {source!r}; "
                           f"its columns are: {', '.join(known) or '(none)'}")
        return rows.iloc[0]


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True)[columns] if frames else _empty(columns)


def _mapped_categories(engagement: Engagement) -> dict[tuple[str, str], tuple[str, str]]:
    categories = {a.name: a.gdpr_category for a in engagement.target_model}
    out = {}
    for source, entries in engagement.mapping.items():
        for entry in entries:
            if entry.attribute in categories:
                out[(source, entry.column)] = (entry.attribute, categories[entry.attribute])
    return out


def _message(source: str, column: str, level: str, code: str, **params: Any) -> dict[str, Any]:
    return {"source": source, "column": column, "level": level, "message_code": code,
            "message_params": params_json(params)}


def _messages_for(source: str, n_rows: int, n_columns: int, types: pd.DataFrame,
                  kpis: pd.DataFrame, n_bad_lines: int) -> list[dict[str, Any]]:
    msgs: list[dict[str, Any]] = []

    def add(column: str, level: str, code: str, **params: Any) -> None:
        msgs.append(_message(source, column, level, code, **params))

    if n_columns == 0:
        add("", "warning", "msg_no_columns")
    elif n_rows == 0:
        add("", "warning", "msg_empty_source")
    if n_bad_lines:
        add("", "warning", "msg_bad_lines", count=n_bad_lines)
    if n_rows == 0:
        return msgs
    for k in kpis.itertuples(index=False):
        if k.filled == 0:
            add(k.column, "warning", "msg_empty_column")
        elif pd.notna(k.validity) and k.validity < LOW_VALIDITY:
            add(k.column, "warning", "msg_low_validity", validity=k.validity)
    empty = set(kpis.loc[kpis["filled"] == 0, "column"])
    for r in types.itertuples(index=False):
        if r.confidence < LOW_CONFIDENCE and r.column not in empty:
            add(r.column, "info", "msg_low_confidence", semantic_type=r.semantic_type,
                confidence=r.confidence)
    return msgs


def _loading_messages(engagement: Engagement, loaded: Mapping[str, Any]) -> pd.DataFrame:
    """The loaders' notes on each source, and an error for each source left out of the audit."""
    from rcu_kit.sources.loaders import every_source, lines_text

    rows = []
    for src in every_source(loaded):
        if src.error is not None:
            rows.append(_message(src.name, "", "error", "source_left_out", error=str(src.error)))
        for note in getattr(src, "notes", []):
            rows.append(_message(src.name, "", note.level, f"load_{note.code}", n=len(note.lines),
                                 lines=lines_text(note.lines), **note.params))
    return pd.DataFrame(rows, columns=MESSAGE_COLUMNS)


def audit_frames(engagement: Engagement, loaded: Mapping[str, Any], *,
                 profile_sample_size: int = DEFAULT_PROFILE_SAMPLE_SIZE, profile: bool = True,
                 progress: bool = True, today: pd.Timestamp | str | None = None) -> AuditResult:
    """Audit sources already loaded (see :func:`run_audit`, which loads them first).

    Each source is measured one column at a time (:func:`rcu_kit.audit.streaming.source_columns`),
    from its frame or, for a source streamed to disk, from its spill, with the same functions.

    Args:
        engagement: the engagement (overrides, policy, seed, language, output folder).
        loaded: source name -> :class:`rcu_kit.sources.loaders.LoadedSource` (in memory, or
            streamed by :func:`rcu_kit.sources.loaders.stream_source`).
        profile_sample_size: rows above which the ydata profile samples.
        profile: write the ydata-profiling HTML reports.
        progress: show a progress bar over the sources.
        today: reference day for dates (default: today).

    Raises:
        ValueError: a ``semantic_types`` override names an unknown column or type.
    """
    language, mask, seed = engagement.language, engagement.mask_personal_data, engagement.seed
    mapped = _mapped_categories(engagement)
    names = [s.name for s in engagement.sources if s.name in loaded]
    iterator: Any = names
    if progress:
        from rcu_kit.core.progress import bar

        iterator = bar(names, step="auditing", unit="source")
    parts: dict[str, list[pd.DataFrame]] = {name: [] for name in TABLES if name != "inventory"}
    profile_dir = step_dir(engagement, "audit") / "profiles" if profile else None
    timer = StageTimer()
    seconds, cpu_seconds, lap = timer.wall, timer.cpu, timer.lap

    for name in iterator:
        if progress:
            iterator.set_postfix_str(name)
        src, ls = engagement.source(name), loaded[name]
        n_rows, n_columns = ls.rows_loaded, ls.frame.shape[1]
        where = f"{engagement.file or 'engagement'}: sources.{name}.semantic_types"
        overrides = validate_overrides([str(c) for c in ls.frame.columns], src.semantic_types, where)
        # one column at a time (read from disk for a streamed source), reduced once to its
        # distinct values, which every stage shares
        columns_types, columns_personal, columns_quality = [], [], []
        mask_as: dict[str, str] = {}
        keys = ExactKeys(n_rows)
        for series in source_columns(ls):
            col = str(series.name)
            distinct = distinct_values(series)
            series = series.iloc[:0]  # from here on its distinct values stand for the column
            lap("values")
            one = {col: overrides[col]} if col in overrides else {}
            types = detect_semantic_types(series.to_frame(), one, seed=seed, today=today,
                                          distinct={col: distinct}).assign(source=name)
            columns_types.append(types[TYPE_COLUMNS])
            kind = str(types["semantic_type"].iat[0])
            lap("types")
            personal = classify_personal_data(columns_types[-1], mapped)
            columns_personal.append(personal)
            mask_as.update(masking_types(personal, name))
            lap("personal_data")
            columns_quality.append(column_quality(series, kind, source=name, mask=mask, today=today,
                                                  mask_as=mask_as.get(col), distinct=distinct))
            lap("quality")
            keys.add(col, kind, distinct)
            lap("duplicates")
            del series, distinct
        types = _concat(columns_types, TYPE_COLUMNS)
        quality = combine_quality(columns_quality)
        parts["semantic_types"].append(types)
        parts["personal_data"].append(_concat(columns_personal, PERSONAL_DATA_COLUMNS))
        parts["kpis"].append(quality.kpis)
        parts["top_values"].append(quality.top_values)
        parts["shapes"].append(quality.shapes)
        parts["duplicates"].append(keys.table(name))
        del keys
        lap("duplicates")
        parts["messages"].append(pd.DataFrame(
            _messages_for(name, n_rows, n_columns, types, quality.kpis, len(ls.bad_lines)),
            columns=MESSAGE_COLUMNS))
        if profile_dir is not None:
            frame, rows = profile_rows(ls, profile_sample_size, seed)
            info = profile_source(frame, mask_as, profile_dir / f"{name}.html", source=name,
                                  mask=mask, sample_size=profile_sample_size, seed=seed,
                                  language=language, rows=rows)
            del frame
            if info.note_code:
                parts["messages"].append(pd.DataFrame(
                    [_message(name, "", "info", info.note_code, **info.note_params)],
                    columns=MESSAGE_COLUMNS))
            parts["profiles"].append(pd.DataFrame([{
                "source": name, "path": str(info.path) if info.path else "", "rows": info.rows,
                "rows_profiled": info.rows_profiled, "sampled": info.sampled,
                "seconds": info.seconds, "note_code": info.note_code,
                "note_params": params_json(info.note_params)}], columns=PROFILE_COLUMNS))
            lap("profile")
    parts["messages"].append(_loading_messages(engagement, loaded))
    result = AuditResult(masked=mask, seconds=seconds, cpu_seconds=cpu_seconds)
    for name, frames in parts.items():
        setattr(result, name, _concat(frames, list(getattr(result, name).columns)))
    result.inventory = build_inventory(engagement, {n: loaded[n] for n in names}, result.kpis)
    return result


def run_audit(engagement: Engagement, sources: list[str] | str | None = None, *,
              profile_sample_size: int = DEFAULT_PROFILE_SAMPLE_SIZE, profile: bool = True,
              progress: bool = True, save: bool = True,
              today: pd.Timestamp | str | None = None, stream: str | None = None) -> AuditResult:
    """Load the sources and audit them; save the tables for later steps.

    A source file larger than the engagement's ``audit.stream_above_mb`` (default 500 MB) is not
    loaded whole: it is read in chunks to a Parquet file in ``<output>/audit`` (removed after
    the audit) and audited one column at a time (:mod:`rcu_kit.audit.streaming`), with the same
    tables as in memory.

    Args:
        engagement: the engagement.
        sources: names of the sources to audit, as a list or a comma-separated string (empty or
            None: all); an unknown name raises KeyError listing the known ones.
        profile_sample_size: rows above which the ydata profile samples (the KPIs always use
            every row).
        profile: write a ydata-profiling HTML report per source to ``<output>/audit/profiles``.
        progress: progress bars (loading, then auditing).
        save: write the tables to ``<output>/audit/`` (see :func:`save_audit`).
        today: reference day for dates (default: today).
        stream: ``auto``, ``always`` or ``never`` stream the sources (default: the engagement's
            ``audit.stream``, itself ``auto`` by default).

    Returns:
        The audit tables. A source that cannot be loaded is left out of them: an ``error`` row of
        ``messages`` and ``loading`` say which and why; the others are audited.
    """
    from rcu_kit.sources.loaders import load_all, save_sources_summary, summarise_sources

    if isinstance(sources, str):
        sources = [s.strip() for s in sources.split(",") if s.strip()]
    settings = audit_settings(engagement.audit, stream)
    with tempfile.TemporaryDirectory(prefix="stream-", dir=audit_dir(engagement)) as spill_dir:
        loaded = load_all(engagement, sources or None, progress=progress, spill_dir=Path(spill_dir),
                          stream_above_bytes=settings.stream_above_bytes,
                          chunk_bytes=settings.chunk_bytes)
        result = audit_frames(engagement, loaded, profile_sample_size=profile_sample_size,
                              profile=profile, progress=progress, today=today)
    result.loading = summarise_sources(loaded, engagement.language)
    if save:
        save_audit(result, engagement)
        save_sources_summary(loaded, engagement, result.loading)
    return result


def audit_dir(engagement: Engagement) -> Path:
    """Where the audit's tables are saved: ``<output>/audit``."""
    return step_dir(engagement, "audit")


def save_audit(result: AuditResult, engagement: Engagement) -> Path:
    """Write every table to ``<output>/audit/<table>.parquet``, and the audit's findings
    (columns of low validity) to ``<output>/audit/findings.csv`` for the roadmap.

    Returns:
        The folder written.
    """
    from rcu_kit.core.findings import findings_from_quality

    folder = audit_dir(engagement)
    for name, table in result.tables().items():
        table.to_parquet(folder / f"{name}.parquet", index=False)
    pd.DataFrame({"masked": [result.masked]}).to_parquet(folder / "audit_meta.parquet", index=False)
    findings_from_quality(result.kpis).to_csv(findings_path(engagement, "audit"), index=False)
    return folder


def load_audit(engagement: Engagement) -> AuditResult:
    """The audit saved by :func:`run_audit` (notebook 02 or ``rcu-kit audit``).

    Raises:
        FileNotFoundError: no audit was saved for this engagement; the message says how to run it.
    """
    folder = engagement.output_path / "audit"
    missing = [n for n in TABLES if not (folder / f"{n}.parquet").exists()]
    if missing:
        raise FileNotFoundError(
            f"{folder}: no saved audit (missing {', '.join(m + '.parquet' for m in missing)}); "
            "run notebook 02-source-audit or `rcu-kit audit ENGAGEMENT.yaml` first")
    result = AuditResult()
    for f in fields(AuditResult):
        if f.name in TABLES:
            setattr(result, f.name, pd.read_parquet(folder / f"{f.name}.parquet"))
    meta = folder / "audit_meta.parquet"
    result.masked = bool(pd.read_parquet(meta)["masked"].iat[0]) if meta.exists() else True
    return result


def localise_table(table: pd.DataFrame, language: str) -> pd.DataFrame:
    """The table as the client reads it: coded texts worded and headers in ``language``
    (``audit.col_<name>`` labels).

    The audit saves its texts as codes and figures (``reason_code`` + ``reason_params`` of the
    semantic types and personal data, ``note_*`` and ``outlier_rule_*`` of the KPIs, ``note_*``
    of the duplicates and profiles, ``message_*`` of the messages): each pair is shown as one
    column in its place (``reason``, ``note``, ``outlier_rule``, ``message``), worded by
    :func:`rcu_kit.core.wording.word_table`.
    """
    table = word_table(table, language)
    return table.rename(columns={c: t(f"audit.col_{c}", language) for c in table.columns})


def export_audit(result: AuditResult, engagement_or_path: Engagement | str | Path,
                 language: str | None = None) -> Path:
    """Write every audit table to one Excel workbook, one sheet per table, headers localised
    (and the engagement's flows between systems, when it lists some).

    Args:
        result: the audit.
        engagement_or_path: the engagement (writes ``<output>/audit/audit.xlsx``) or a path.
        language: header language (default: the engagement's, else French).

    Returns:
        The workbook written.
    """
    if isinstance(engagement_or_path, Engagement):
        path = audit_dir(engagement_or_path) / "audit.xlsx"
        language = language or engagement_or_path.language
    else:
        path = Path(engagement_or_path)
    language = language or "fr"
    sheets = {t(f"audit.table_{name}", language): localise_table(table, language)
              for name, table in result.tables().items()}
    if isinstance(engagement_or_path, Engagement) and engagement_or_path.flows:
        from rcu_kit.audit.flows import flows_client_table

        sheets[t("audit.table_flows", language)] = flows_client_table(engagement_or_path, language)
    return write_workbook(path, sheets)
