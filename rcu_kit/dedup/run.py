"""The deduplication step of an engagement: from the sources to the customer crosswalk.

:func:`run_dedup` chains the steps already in the package: load every source
(:func:`rcu_kit.sources.loaders.load_all`), apply its mapping (:func:`rcu_kit.mapping.transforms.apply_mapping`),
put the sources together, standardise (:func:`rcu_kit.standardise.standardise_records`) and
deduplicate (:func:`rcu_kit.linkage.deduplicate`). Every loaded record ends up in the crosswalk
exactly once (checked: a violation raises); rows the loader could not parse are listed in
``DedupRun.bad_lines`` and counted in the summary.

:func:`write_dedup_outputs` writes what later steps and the client read: ``crosswalk.csv`` (the
minimal RCU), ``dedup/summary.json`` (read by the roadmap and the report's executive summary),
the matched pairs with their evidence (Parquet), the per-source and overlap tables (CSV) and an
Excel workbook, personal data masked unless the engagement allows raw values.

Examples:
    >>> from rcu_kit.core.config import load_engagement
    >>> engagement = load_engagement("demo/engagement.yaml")  # doctest: +SKIP
    >>> run = run_dedup(engagement)  # doctest: +SKIP
    >>> run.figures["n_records"], run.figures["n_customers"]  # doctest: +SKIP
    (5000, 3712)
    >>> write_dedup_outputs(run, engagement)["crosswalk"]  # doctest: +SKIP
    PosixPath('demo/output/crosswalk.csv')
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rcu_kit.dedup import figures as figures_
from rcu_kit.core.config import Engagement
from rcu_kit.core.i18n import fmt_number, fmt_percent, t
from rcu_kit.linkage import DedupResult, DedupSettings, deduplicate
from rcu_kit.linkage.distributed import EngineSettings
from rcu_kit.linkage.prepare import AS_READ_BIRTH_DATE
from rcu_kit.core.timing import StageTimer

__all__ = [
    "DedupRun",
    "PAIR_ATTRIBUTES",
    "dedup_settings",
    "labelled_threshold",
    "map_sources",
    "run_dedup",
    "matched_pairs",
    "pair_examples",
    "pair_headers",
    "model_weights",
    "model_weights_table",
    "pass_stats_table",
    "summary_dict",
    "client_tables",
    "write_dedup_outputs",
]

#: Standardised attributes shown side by side for a pair, in this order (masked by their
#: :data:`rcu_kit.values.masking.ATTRIBUTE_MASK_TYPES`).
PAIR_ATTRIBUTES: tuple[str, ...] = ("civility", "last_name", "birth_name", "first_name", "birth_date",
                                    "email", "phone", "street", "postcode", "city")
#: Matched pairs written to the Excel workbook at most (the Parquet file holds them all).
EXCEL_PAIRS = 1000


@dataclass
class DedupRun:
    """Everything one deduplication of an engagement produced.

    Attributes:
        sources: the sources deduplicated, in engagement order.
        rows_read: data rows read per source (loaded rows + unreadable lines).
        bad_lines: rows the loader could not parse (``source, line_number, error, content``);
            they are not in the crosswalk. ``content`` is raw and may hold personal data.
        records: the standardised records, one row per loaded record (crosswalk order).
        result: the linkage result (crosswalk, scored pairs, pass statistics, model, ...).
        figures: headline figures (:func:`rcu_kit.dedup.figures.headline_figures`).
        per_source: duplicates within each source and customers shared
            (:func:`rcu_kit.dedup.figures.per_source_figures`).
        combinations: customers per combination of sources (UpSet data).
        cluster_sizes: customers per number of records.
        threshold_effect: matched pairs and customers per threshold.
        timings: seconds per stage (load, mapping, standardise, deduplicate, figures, total).
        left_out: source name -> why it could not be loaded; those sources are not
            deduplicated (the others are).
        loading: how every source loaded
            (:func:`rcu_kit.sources.loaders.summarise_sources`, failed sources included).
        engine: which engine ran and why: ``name`` (``memory`` or ``dask``), ``reason``
            (``asked``, ``small``, ``large``: see :meth:`EngineSettings.choose`) and ``where``.
    """

    sources: list[str]
    rows_read: dict[str, int]
    bad_lines: pd.DataFrame
    records: pd.DataFrame
    result: DedupResult
    figures: dict[str, Any]
    per_source: pd.DataFrame
    combinations: pd.DataFrame
    cluster_sizes: pd.DataFrame
    threshold_effect: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)
    left_out: dict[str, str] = field(default_factory=dict)
    loading: pd.DataFrame | None = None
    engine: dict[str, str] = field(default_factory=dict)

    @property
    def crosswalk(self) -> pd.DataFrame:
        """``source, record_id, customer_id``: one row per loaded record."""
        return self.result.crosswalk

    @property
    def pairs(self) -> pd.DataFrame:
        """Every scored candidate pair (see :class:`rcu_kit.linkage.DedupResult`)."""
        return self.result.pairs

    @property
    def settings(self) -> DedupSettings:
        return self.result.settings

    @property
    def threshold(self) -> float:
        return self.result.settings.threshold


def dedup_settings(engagement: Engagement, threshold: float | None = None,
                   settings: DedupSettings | Mapping[str, Any] | None = None) -> DedupSettings:
    """The settings to run with: ``settings`` if given, else the engagement's ``dedup:`` section.

    The threshold a reviewer's labels chose (``rcu-kit review --labels``, kept in
    :func:`rcu_kit.core.paths.review_threshold_path`) replaces the engagement's, unless
    ``threshold`` or ``settings`` is given.

    Args:
        engagement: the engagement.
        threshold: overrides the threshold when given (None or 0 keep it).
        settings: explicit settings (object or dict), used instead of the engagement's.

    Raises:
        ValueError: bad settings; the message names the engagement file's ``dedup`` section.

    Examples:
        >>> from rcu_kit.core.config import Engagement
        >>> dedup_settings(Engagement(client="x", dedup={"threshold": 0.8}), threshold=0.95).threshold
        0.95
    """
    source = settings if settings is not None else \
        {k: v for k, v in (engagement.dedup or {}).items() if k != "engine"}
    try:
        chosen = DedupSettings.coerce(source)
    except (TypeError, ValueError) as exc:
        where = "settings given" if settings is not None else \
            f"{engagement.file or 'the engagement'}: section dedup"
        raise ValueError(f"{where}: {exc}") from None
    if not threshold and settings is None:
        threshold = labelled_threshold(engagement)
    if threshold:
        try:
            chosen = dataclasses.replace(chosen, threshold=float(threshold))
        except ValueError as exc:
            raise ValueError(f"threshold {threshold} (given to the run): {exc}") from None
    return chosen


def engine_settings(engagement: Engagement, overrides: Mapping[str, Any] | None = None
                    ) -> EngineSettings:
    """Where the deduplication runs: the engagement's ``dedup.engine`` section, then
    ``overrides`` (e.g. the command's ``--engine``, ``--scheduler``, ``--workers``; None values
    keep the section's).

    Raises:
        ValueError: a bad setting; the message names the engagement file's section.

    Examples:
        >>> from rcu_kit.core.config import Engagement
        >>> engine_settings(Engagement(client="x", dedup={"engine": {"workers": 4}}),
        ...                 {"name": "dask", "workers": None}).workers
        4
    """
    section = (engagement.dedup or {}).get("engine") or {}
    values = {**dict(section), **{k: v for k, v in (overrides or {}).items() if v is not None}}
    try:
        return EngineSettings(**values)
    except (TypeError, ValueError) as exc:
        allowed = ", ".join(f.name for f in dataclasses.fields(EngineSettings))
        raise ValueError(f"{engagement.file or 'the engagement'}: section dedup.engine: {exc} "
                         f"(settings: {allowed})") from None


# From this many records the in-memory engine also writes its stages to resume from (the Dask
# engine always does): a few seconds of writing against minutes of blocking and comparison.
STAGES_FROM = 1_000_000


def deduplicate_with_engine(records: pd.DataFrame, settings: DedupSettings,
                            engine: EngineSettings, progress: bool = False,
                            stages: Path | None = None) -> tuple[DedupResult, dict[str, str]]:
    """Deduplicate on the engine ``engine`` chooses for these records (the same customers on
    either); also says which ran, why, and where. With ``stages`` (a folder), a large run
    writes its costly stages there and resumes from those a stopped run left."""
    from rcu_kit.linkage.distributed import DaskEngine, deduplicate_on_dask

    name, reason = engine.choose(len(records))
    if name == "memory":
        keep = stages if stages is not None and len(records) >= STAGES_FROM else None
        return deduplicate(records, settings, progress=progress, stages=keep), \
            {"name": name, "reason": reason, "where": "this process"}
    with DaskEngine(engine) as opened:
        where = opened.describe()
        result = deduplicate_on_dask(records, settings, engine=opened, progress=progress,
                                     stages=stages)
    return result, {"name": name, "reason": reason, "where": where}


def labelled_threshold(engagement: Engagement) -> float | None:
    """The threshold the reviewer's labels chose for this engagement, or None."""
    from rcu_kit.core.paths import review_threshold_path

    path = review_threshold_path(engagement)
    if not path.exists():
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8")).get("threshold")
    except (json.JSONDecodeError, AttributeError):
        raise ValueError(f"{path}: not a threshold file; remove it (the engagement's threshold "
                         "is then used) or run `rcu-kit review --labels` again") from None
    return float(value) if value is not None else None


def _check_unique_ids(frame: pd.DataFrame, source_name: str, id_column: str | None) -> None:
    repeated = frame["record_id"].duplicated(keep=False)
    if repeated.any():
        rows = np.flatnonzero(repeated.to_numpy()) + 1
        ids = frame.loc[repeated, "record_id"].drop_duplicates().head(5).tolist()
        raise ValueError(
            f"source {source_name}: the id column {id_column!r} repeats {int(repeated.sum())} "
            f"record id(s), e.g. {ids} (loaded rows {', '.join(map(str, rows[:10]))}, 1-based, "
            "header excluded). Each record needs its own id: choose another id_column for this "
            "source in the engagement, or remove id_column to number the rows.")


def map_sources(engagement: Engagement, loaded: Mapping[str, Any],
                progress: bool = False) -> pd.DataFrame:
    """Every loaded source in the common layout (``source, record_id``, one column per attribute).

    Args:
        engagement: the engagement (its ``mapping`` and each source's ``id_column``).
        loaded: source name -> :class:`rcu_kit.sources.loaders.LoadedSource`.
        progress: progress bar over the sources.

    Returns:
        The sources one after the other, in ``loaded`` order, one row per loaded row.

    Raises:
        rcu_kit.mapping.transforms.MappingError: a source has no mapping, or its mapping names columns
            that are not in the data.
        ValueError: a source repeats a record id.
    """
    from rcu_kit.core.progress import bar

    from rcu_kit.mapping.transforms import MappingError, apply_mapping, validate_mapping

    unmapped = [name for name in loaded if not engagement.mapping.get(name)]
    if unmapped:
        raise MappingError(
            f"{engagement.file or 'engagement'}: no mapping for source(s) {', '.join(unmapped)}: "
            "their records would have no attribute to compare. Map and save them with notebook "
            "03 (or `rcu-kit map ENGAGEMENT.yaml --save`), or leave them out with sources=[...] / "
            "--sources.")
    validate_mapping(engagement, loaded, {name: engagement.mapping[name] for name in loaded})
    frames = []
    for name in bar(list(loaded), step="mapping", unit="source", disable=not progress):
        source = engagement.source(name)
        frame = apply_mapping(loaded[name].frame, engagement.mapping[name], name,
                              id_column=source.id_column)
        _check_unique_ids(frame, name, source.id_column)
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=["source", "record_id"])
    return pd.concat(frames, ignore_index=True)


def _check_accounted(records: pd.DataFrame, crosswalk: pd.DataFrame,
                     loaded_rows: Mapping[str, int]) -> None:
    """Every loaded record in the crosswalk exactly once (a violation is a bug: raise)."""
    keys = list(zip(crosswalk["source"].astype(str), crosswalk["record_id"].astype(str)))
    expected = list(zip(records["source"].astype(str), records["record_id"].astype(str)))
    per_source = crosswalk["source"].astype(str).value_counts().to_dict()
    problems = []
    if len(crosswalk) != sum(loaded_rows.values()):
        problems.append(f"{len(crosswalk)} crosswalk rows for {sum(loaded_rows.values())} loaded records")
    for name, n in loaded_rows.items():
        if per_source.get(name, 0) != n:
            problems.append(f"source {name}: {per_source.get(name, 0)} crosswalk rows for {n} loaded")
    if len(set(keys)) != len(keys):
        problems.append("a (source, record_id) appears more than once")
    if keys != expected:
        problems.append("crosswalk rows differ from the records passed to deduplicate")
    if crosswalk["customer_id"].isna().any():
        problems.append(f"{int(crosswalk['customer_id'].isna().sum())} record(s) without customer id")
    if problems:
        raise AssertionError("deduplication lost track of records (a bug, please report it): "
                             + "; ".join(problems))


def run_dedup(engagement: Engagement, sources: Sequence[str] | None = None,
              settings: DedupSettings | Mapping[str, Any] | None = None,
              progress: bool = True, threshold: float | None = None,
              engine: Mapping[str, Any] | None = None) -> DedupRun:
    """Deduplicate an engagement's customers within and across its sources.

    Args:
        engagement: the engagement (sources, mapping, ``dedup:`` settings).
        sources: names of the sources to use (default, or empty: all).
        settings: :class:`DedupSettings` or a dict; default the engagement's ``dedup:`` section.
        progress: show progress bars (loading, mapping, standardisation, blocking, comparison).
        threshold: overrides the settings' threshold when given (None or 0 keep it).
        engine: overrides of the engagement's ``dedup.engine`` settings (see
            :func:`engine_settings`): ``{"name": "dask", "scheduler": "tcp://..."}``.

    Returns:
        A :class:`DedupRun`: standardised records, linkage result, figures, timings, engine.

    Raises:
        KeyError: an unknown source name (lists the known ones).
        rcu_kit.mapping.transforms.MappingError: a source without mapping, or a mapped column absent.
        ValueError: bad settings, or a source repeating a record id.
        AssertionError: a record missing from or repeated in the crosswalk (a bug).
    """
    from rcu_kit.sources.loaders import (bad_lines_frame, left_out, load_all, save_sources_summary,
                                         summarise_sources)
    from rcu_kit.standardise import standardise_records

    chosen = dedup_settings(engagement, threshold, settings)
    where = engine_settings(engagement, engine)
    timer = StageTimer()
    timings = timer.wall
    lap = timer.lap

    loaded = load_all(engagement, list(sources) if sources else None, progress=progress)
    loading = summarise_sources(loaded, engagement.language)
    save_sources_summary(loaded, engagement, loading)  # written even when nothing can be deduplicated
    failed = left_out(loaded)
    if not loaded:
        raise ValueError(f"{engagement.file or 'engagement'}: no source could be loaded, nothing to "
                         "deduplicate: " + "; ".join(failed.values()))
    lap("load")
    mapped = map_sources(engagement, loaded, progress=progress)
    lap("mapping")
    records = standardise_records(mapped, progress=progress)
    lap("standardise")
    from rcu_kit.core.paths import step_dir

    result, engine_used = deduplicate_with_engine(records, chosen, where, progress=progress,
                                                  stages=step_dir(engagement, "dedup") / "stages")
    resumed = [k.removeprefix("resumed_") for k in result.timings if k.startswith("resumed_")]
    if resumed:
        engine_used["resumed"] = ", ".join(resumed)
    lap("deduplicate")
    _check_accounted(records, result.crosswalk, {n: len(s.frame) for n, s in loaded.items()})
    crosswalk = result.crosswalk
    names = list(loaded)
    effect = figures_.threshold_effect(
        crosswalk, result.pairs, current=chosen.threshold,
        max_cluster_size=chosen.max_cluster_size,
        conflict_probability=chosen.conflict_probability) if chosen.keep_pairs == 0 else \
        pd.DataFrame(columns=["threshold", "matched_pairs", "customers", "duplicate_rate",
                              "multi_source_customers", "current"])
    run = DedupRun(sources=names, rows_read={n: s.rows_read for n, s in loaded.items()},
                   bad_lines=bad_lines_frame(loaded), records=records, result=result,
                   figures=figures_.headline_figures(crosswalk),
                   per_source=figures_.per_source_figures(crosswalk),
                   combinations=figures_.source_combinations(crosswalk, names),
                   cluster_sizes=figures_.cluster_size_distribution(crosswalk),
                   threshold_effect=effect, timings=timings, left_out=failed,
                   loading=loading, engine=engine_used)
    # customers and prospects by the engagement's own definition, where the data allow it
    run.figures["customer_split"] = figures_.customer_split(
        crosswalk, records, engagement.definition_rules.get("customer"))
    lap("figures")
    timings["total"] = timer.total()
    return run


def matched_pairs(run: DedupRun) -> pd.DataFrame:
    """The scored pairs at or above the threshold, with ``same_customer``.

    ``same_customer`` is False where the clustering's chain guard kept the two records apart
    despite the match (they conflict with another record of the group).
    """
    pairs = run.pairs
    matched = pairs[pairs["match_probability"] >= run.threshold].reset_index(drop=True)
    first, second = figures_.pair_positions(run.crosswalk, matched)
    customer = run.crosswalk["customer_id"].to_numpy()
    matched["same_customer"] = customer[first] == customer[second]
    return matched


def pair_examples(run: DedupRun, n: int | None = 20, *, masked: bool = True, seed: int = 42,
                  pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Matched pairs with both records' standardised values side by side, for review.

    Args:
        run: the deduplication run.
        n: pairs to sample (deterministic given ``seed``), None for all; the sample is shown in
            descending probability.
        masked: mask personal values (:mod:`rcu_kit.values.masking`); pass
            ``engagement.mask_personal_data``.
        seed: sampling seed.
        pairs: the pairs to show (default: :func:`matched_pairs`).

    Returns:
        ``match_probability``, ``evidence``, ``found_by``, ``source_1``, ``record_id_1``,
        ``source_2``, ``record_id_2``, then ``<attribute>_1`` / ``<attribute>_2`` for each of
        :data:`PAIR_ATTRIBUTES` the records hold; after the birth date, an invalid birth date's
        parts as read (``invalid_birth_date_1`` / ``_2``, which the comparison of birth dates
        uses where the valid one is missing) when a record shown has one.
    """
    from rcu_kit.values.masking import ATTRIBUTE_MASK_TYPES, mask_frame

    chosen = matched_pairs(run) if pairs is None else pairs
    if n is not None and len(chosen) > n:
        chosen = chosen.sample(n=n, random_state=seed)
    chosen = chosen.sort_values(["match_probability", "source_1", "record_id_1"],
                                ascending=[False, True, True], kind="stable")
    records = run.records  # in crosswalk order (checked by run_dedup)
    positions = figures_.pair_positions(run.crosswalk, chosen)
    out = pd.DataFrame({
        "match_probability": chosen["match_probability"].round(4).to_numpy(),
        "evidence": chosen["evidence"].astype(str).to_numpy(),
        "found_by": chosen["found_by"].astype(str).to_numpy(),
        "source_1": chosen["source_1"].astype(str).to_numpy(),
        "record_id_1": chosen["record_id_1"].astype(str).to_numpy(),
        "source_2": chosen["source_2"].astype(str).to_numpy(),
        "record_id_2": chosen["record_id_2"].astype(str).to_numpy(),
    })
    shown = list(PAIR_ATTRIBUTES)
    shown.insert(shown.index("birth_date") + 1, AS_READ_BIRTH_DATE)
    types: dict[str, str] = {}
    for side, rows in zip(("1", "2"), positions):
        for attribute in shown:
            if attribute in records.columns:
                values = records[attribute].astype(object).to_numpy()[rows]
                out[f"{attribute}_{side}"] = pd.Series(values, dtype=object).where(
                    pd.notna(values), None)
                types[f"{attribute}_{side}"] = ATTRIBUTE_MASK_TYPES[attribute]
    as_read = [f"{AS_READ_BIRTH_DATE}_1", f"{AS_READ_BIRTH_DATE}_2"]
    if all(c in out.columns and out[c].isna().all() for c in as_read):
        out = out.drop(columns=as_read, errors="ignore")
    ordered = ["match_probability", "evidence", "found_by", "source_1", "record_id_1", "source_2",
               "record_id_2"]
    for attribute in shown:
        ordered += [c for c in (f"{attribute}_1", f"{attribute}_2") if c in out.columns]
    return mask_frame(out[ordered], types, enabled=masked)


def pair_headers(attributes: Sequence[Any], language: str) -> dict[str, str]:
    """Headers of :func:`pair_examples`' side-by-side columns: each target attribute's label and
    the side (``Nom (1)``), an invalid birth date's parts under their own label.

    Examples:
        >>> from rcu_kit.vision.model import load_target_model
        >>> headers = pair_headers(load_target_model("b2c"), "fr")
        >>> headers["invalid_birth_date_2"]
        'Date de naissance invalide (telle que saisie) (2)'
    """
    labels = {a.name: a.label(language) for a in attributes}
    labels[AS_READ_BIRTH_DATE] = t(f"dedup.col_{AS_READ_BIRTH_DATE}", language)
    return {f"{name}_{k}": f"{label} ({k})" for name, label in labels.items() for k in (1, 2)}


def model_weights(run: DedupRun) -> pd.DataFrame:
    """What the model learned: per comparison and level, m, u and the weight (log2 m/u).

    A comparison that no pair of the pairs table could make (no identifier in a B2C base, no
    e-mail in FEBRL) learned nothing but its starting values: it is left out.

    Raises:
        ValueError: no pair was scored, so no model was fitted.
    """
    from rcu_kit.linkage.compare import default_features, level_names

    if not len(run.pairs):
        raise ValueError("no candidate pair was scored: nothing was learned (too few records, "
                         "or no shared blocking key)")
    weights = run.result.model.match_weights(level_names(default_features()))
    pairs = run.result.pairs
    compared = [f for f in weights["feature"].unique()
                if f not in pairs.columns or (pairs[f].to_numpy() >= 0).any()]
    return weights[weights["feature"].isin(compared)].reset_index(drop=True)


def model_weights_table(weights: pd.DataFrame, language: str) -> pd.DataFrame:
    """:func:`model_weights` as the client reads it: each comparison and agreement level in
    words (``dedup.feature_<name>``, ``dedup.level_<name>``; a name without words is kept)."""
    out = weights.copy()
    out["feature"] = [_worded(f"dedup.feature_{f}", f, language) for f in out["feature"]]
    out["level_name"] = [_worded(f"dedup.level_{n}", n, language) for n in out["level_name"]]
    return out


def pass_stats_table(stats: pd.DataFrame, language: str) -> pd.DataFrame:
    """The blocking passes' statistics as the client reads them: each default pass named in
    words (``dedup.pass_<name>``); a pass the engagement named itself keeps its name."""
    out = stats.copy()
    if "pass" in out.columns:
        out["pass"] = [_worded(f"dedup.pass_{p}", p, language) for p in out["pass"]]
    return out


def _worded(key: str, fallback: str, language: str) -> str:
    try:
        return t(key, language)
    except KeyError:
        return fallback


def household_sentence(run: DedupRun, language: str) -> str:
    """Client text: whether the household/homonym rules applied, and the evidence behind it.

    Raises:
        ValueError: no pair was scored, so nothing was decided.
    """
    from rcu_kit.linkage.classify import HOUSEHOLD_MIN_PAIRS, HOUSEHOLD_SHARE

    evidence = run.result.household
    if evidence is None:
        raise ValueError("no candidate pair was scored: the household rules were not needed")
    setting = run.result.settings.household_rules
    if setting != "auto":
        state = t("dedup.household_state_on" if setting else "dedup.household_state_off", language)
        return t("dedup.household_set", language, state=state)
    if evidence.pairs < HOUSEHOLD_MIN_PAIRS:
        return t("dedup.household_few", language, pairs=fmt_number(evidence.pairs, language),
                 minimum=HOUSEHOLD_MIN_PAIRS)
    return t("dedup.household_on" if evidence.active else "dedup.household_off", language,
             share=fmt_percent(evidence.share, language, 1),
             pairs=fmt_number(evidence.pairs, language),
             threshold=fmt_percent(HOUSEHOLD_SHARE, language))


def _frequent_shown(column: str, value: str, language: str | None, masked: bool) -> str:
    """A value set aside as too frequent (:mod:`rcu_kit.linkage.frequent`) as shown: a birth
    date as a date (an invalid one's parts as read), held by too many people to be anyone's;
    an e-mail or phone masked unless the engagement shows raw values (a shop's address may
    name an employee). ``language`` None: the date as stored."""
    from rcu_kit.core.i18n import fmt_date
    from rcu_kit.values.masking import ATTRIBUTE_MASK_TYPES, mask_value

    if column != "birth_date":
        return str(mask_value(value, ATTRIBUTE_MASK_TYPES[column])) if masked else value
    try:
        return value if language is None else fmt_date(value, language)
    except ValueError:
        return value


def frequent_sentence(run: DedupRun, language: str, masked: bool = True) -> str:
    """Client text: the birth dates, e-mails and phones too frequent to be evidence (a source's
    default) and the sources holding them (``DedupResult.frequent_values``), or that there were
    none. E-mails and phones are masked unless ``masked`` is False."""
    table = run.result.frequent_values
    if table.empty:
        return t("dedup.frequent_none", language)
    values = []
    for (column, value), rows in table.groupby(["column", "value"], sort=False):
        sources = ", ".join(f"{s} {fmt_number(n, language)}"
                            for s, n in zip(rows["source"], rows["records"]))
        values.append(t("dedup.frequent_value", language,
                        attribute=t(f"dedup.col_{column}", language).lower(),
                        value=_frequent_shown(column, value, language, masked),
                        records=fmt_number(int(rows["records"].sum()), language), sources=sources))
    return t("dedup.frequent_some", language,
             values=t("dedup.frequent_separator", language).join(values))


def summary_dict(run: DedupRun) -> dict[str, Any]:
    """The figures written to ``dedup/summary.json`` (read by the roadmap and the report).

    Keys: ``n_records``, ``n_customers``, ``duplicate_rate``, ``overlap_rate``, ``per_source``
    (list of ``source, records, customers, duplicate_rate, shared_customers, rows_read,
    bad_lines``), and ``n_duplicates``, ``n_multi_source_customers``, ``largest_cluster``,
    ``n_sources``, ``sources``, ``threshold``, ``n_scored_pairs``, ``n_matched_pairs``,
    ``n_bad_lines``, ``sources_left_out`` (source -> why it could not be loaded), ``cluster_info``, ``household_rules`` (whether the household vetoes
    applied and the evidence: see :func:`rcu_kit.linkage.classify.household_evidence`),
    ``customer_split`` (the distinct customers split into customers and prospects by the
    engagement's definition, or why the data cannot: :func:`rcu_kit.dedup.figures.customer_split`),
    ``frequent_values`` (``column, value, source, records`` of the values too frequent to be
    evidence, e-mails and phones masked: :mod:`rcu_kit.linkage.frequent`), ``timings`` and
    ``engine`` (which engine ran, why and where).
    """
    bad_per_source = run.bad_lines["source"].value_counts().to_dict() if len(run.bad_lines) else {}
    per_source = [
        {"source": str(r.source), "records": int(r.records), "customers": int(r.customers),
         "duplicate_rate": float(r.duplicate_rate), "shared_customers": int(r.shared_customers),
         "rows_read": int(run.rows_read.get(str(r.source), r.records)),
         "bad_lines": int(bad_per_source.get(str(r.source), 0))}
        for r in run.per_source.itertuples(index=False)]
    # A source with no loaded record is still listed (no duplicate among zero records).
    listed = {p["source"] for p in per_source}
    for name in run.sources:
        if name not in listed:
            per_source.append({"source": name, "records": 0, "customers": 0, "duplicate_rate": 0.0,
                               "shared_customers": 0, "rows_read": int(run.rows_read.get(name, 0)),
                               "bad_lines": int(bad_per_source.get(name, 0))})
    f = run.figures
    return {
        "n_records": f["n_records"],
        "n_customers": f["n_customers"],
        "duplicate_rate": f["duplicate_rate"],
        "overlap_rate": f["overlap_rate"],
        "per_source": per_source,
        "n_duplicates": f["n_duplicates"],
        "n_multi_source_customers": f["n_multi_source_customers"],
        "largest_cluster": f["largest_cluster"],
        "n_sources": len(run.sources),
        "sources": list(run.sources),
        "threshold": run.threshold,
        "n_scored_pairs": int(len(run.pairs)),
        "n_matched_pairs": int((run.pairs["match_probability"] >= run.threshold).sum()),
        "n_bad_lines": int(len(run.bad_lines)),
        "sources_left_out": dict(run.left_out),
        "cluster_info": {k: int(v) if isinstance(v, (int, np.integer)) else v
                         for k, v in run.result.cluster_info.items()},
        "household_rules": None if run.result.household is None else {
            "active": bool(run.result.household.active), "pairs": run.result.household.pairs,
            "different_birth_dates": run.result.household.different_birth_dates,
            "share": run.result.household.share},
        "customer_split": f.get("customer_split"),
        "frequent_values": run.result.frequent_values.assign(value=lambda d: [
            _frequent_shown(c, v, None, True) for c, v in zip(d["column"], d["value"])])
        .to_dict("records"),
        "timings": {**run.timings, **{f"linkage_{k}": v for k, v in run.result.timings.items()}},
        "engine": dict(run.engine),
    }


def _headers(frame: pd.DataFrame, language: str, keep: Sequence[str] = ()) -> pd.DataFrame:
    """Client-facing column headers (``dedup.col_<column>``; pair columns keep their suffix).

    Columns named in ``keep`` (source names, in the overlap table) are left as they are.
    """
    def label(column: str) -> str:
        if column in keep:
            return column
        base, _, side = column.rpartition("_")
        if side in ("1", "2") and base:
            return f"{t(f'dedup.col_{base}', language)} ({side})"
        return t(f"dedup.col_{column}", language)
    return frame.rename(columns={c: label(str(c)) for c in frame.columns})


def client_tables(run: DedupRun, engagement: Engagement) -> dict[str, pd.DataFrame]:
    """The tables of the client workbook, titles and headers in the engagement's language.

    Personal data (pair examples, unreadable lines) is masked unless the engagement's policy
    allows raw values. Keys, in sheet order: headline, per_source, combinations, cluster_sizes,
    threshold_effect, passes, pairs, bad_lines.
    """
    from rcu_kit.values.masking import mask_frame

    lang = engagement.language
    masked = engagement.mask_personal_data
    s = summary_dict(run)
    split = s.get("customer_split") or {}
    # the distinct customers split by the engagement's definition, right under their count
    by_rule = [("customers_by_rule", split["customers"]), ("prospects_by_rule", split["prospects"])] \
        if split.get("status") == "ok" else []
    rows = [("n_records", s["n_records"]), ("n_customers", s["n_customers"]), *by_rule,
            ("n_duplicates", s["n_duplicates"]),
            ("duplicate_rate",
             None if s["duplicate_rate"] is None else round(100 * s["duplicate_rate"], 2)),
            ("n_multi_source_customers", s["n_multi_source_customers"]),
            ("overlap_rate", None if s["overlap_rate"] is None else round(100 * s["overlap_rate"], 2)),
            ("threshold", s["threshold"]), ("n_matched_pairs", s["n_matched_pairs"]),
            ("n_bad_lines", s["n_bad_lines"])]
    headline = pd.DataFrame({
        "figure": [t(f"dedup.fig_{k}", lang) for k, _ in rows],
        # object dtype: counts stay integers next to the rates
        "value": pd.Series([v for _, v in rows], dtype=object),
    })
    per_source = run.per_source.assign(
        duplicate_rate=lambda d: (100 * d["duplicate_rate"].astype(float)).round(2),
        shared_rate=lambda d: (100 * d["shared_rate"].astype(float)).round(2))
    effect = run.threshold_effect.assign(
        duplicate_rate=lambda d: (100 * d["duplicate_rate"].astype(float)).round(2))
    passes = run.result.pass_stats
    pairs = pair_examples(run, EXCEL_PAIRS, masked=masked, seed=engagement.seed)
    if masked:  # record ids are personal data (the audit says so): not in the client workbook
        pairs = pairs.drop(columns=["record_id_1", "record_id_2"], errors="ignore")
    bad = run.bad_lines.copy()
    bad = mask_frame(bad, {"content": "text"}, enabled=masked)
    tables = {
        "headline": headline, "per_source": per_source, "combinations": run.combinations,
        "cluster_sizes": run.cluster_sizes, "threshold_effect": effect, "passes": passes,
        "pairs": pairs, "bad_lines": bad,
    }
    return {key: _headers(frame, lang, keep=run.sources) for key, frame in tables.items()}


def write_dedup_outputs(run: DedupRun, engagement: Engagement) -> dict[str, Path]:
    """Write the step's outputs where later steps read them (:mod:`rcu_kit.core.paths`).

    Returns:
        Name -> path: ``crosswalk`` (``<output>/crosswalk.csv``), ``summary``
        (``dedup/summary.json``), ``pairs`` (``dedup/matched_pairs.parquet``: pairs at or above
        the threshold, levels, evidence, ``same_customer``; ids only, no personal values),
        ``per_source`` (``dedup/per_source.csv``), ``overlap`` (``dedup/overlap.csv``: customers
        per combination of sources), ``cluster_sizes``, ``threshold_effect``, ``passes`` (CSV)
        and ``excel`` (``dedup/deduplication.xlsx``, masked per the engagement's policy).
        The review's ``estimates`` already in ``summary.json`` are kept when the run finds the
        same figures (same records, customers, threshold and matched pairs).
    """
    from rcu_kit.core.excel import write_workbook
    from rcu_kit.core.paths import crosswalk_path, dedup_summary_path, step_dir

    folder = step_dir(engagement, "dedup")
    paths = {"crosswalk": crosswalk_path(engagement), "summary": dedup_summary_path(engagement),
             "pairs": folder / "matched_pairs.parquet", "per_source": folder / "per_source.csv",
             "overlap": folder / "overlap.csv", "cluster_sizes": folder / "cluster_sizes.csv",
             "threshold_effect": folder / "threshold_effect.csv",
             "passes": folder / "blocking_passes.csv"}
    run.crosswalk.to_csv(paths["crosswalk"], index=False)
    summary = summary_dict(run)
    previous = {}
    if paths["summary"].exists():
        try:
            previous = json.loads(paths["summary"].read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            previous = {}
    # a rerun that finds the same customers keeps the review's estimates (rcu-kit review)
    if isinstance(previous, dict) and "estimates" in previous and all(
            previous.get(k) == summary[k] for k in ("n_records", "n_customers", "threshold",
                                                     "n_matched_pairs")):
        summary["estimates"] = previous["estimates"]
    paths["summary"].write_text(json.dumps(summary, ensure_ascii=False, indent=2),
                                encoding="utf-8")
    pairs = matched_pairs(run)
    for column in ("source_1", "source_2", "rule", "found_by", "evidence"):
        pairs[column] = pairs[column].astype(str)
    pairs.to_parquet(paths["pairs"], index=False)
    run.per_source.to_csv(paths["per_source"], index=False)
    run.combinations.to_csv(paths["overlap"], index=False)
    run.cluster_sizes.to_csv(paths["cluster_sizes"], index=False)
    run.threshold_effect.to_csv(paths["threshold_effect"], index=False)
    run.result.pass_stats.to_csv(paths["passes"], index=False)
    lang = engagement.language
    tables = client_tables(run, engagement)
    paths["excel"] = write_workbook(folder / "deduplication.xlsx",
                                    {t(f"dedup.sheet_{key}", lang): frame
                                     for key, frame in tables.items()})
    return paths
