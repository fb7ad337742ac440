"""The ``rcu-kit`` command line. Each subcommand is a thin shell over one package function.

Run ``rcu-kit --help`` or ``rcu-kit SUBCOMMAND --help``. Each subcommand's handler lives in this
file as ``_cmd_<name>`` and imports its module lazily, so ``--help`` stays instant.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

__all__ = ["main", "build_parser"]


def _add_engagement(p: argparse.ArgumentParser, nargs: str | None = None) -> None:
    p.add_argument("engagement", metavar="ENGAGEMENT.yaml", nargs=nargs,
                   help="the engagement file (see templates/engagement.yaml, or `rcu-kit demo`)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rcu-kit",
        description="rcu_kit: audit a client's customer data for a single-customer-view (RCU) project.",
        epilog="Typical flow: rcu-kit demo  ->  rcu-kit summary demo/engagement.yaml  ->  "
               "rcu-kit report demo/engagement.yaml")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND")
    sub.required = True

    p = sub.add_parser("demo", help="generate the built-in French demo engagement",
                       description="Write a realistic, seeded French B2C customer base spread over "
                                   "several sources, its ground truth, and a ready engagement YAML.")
    p.add_argument("--out", default="demo", type=Path,
                   help="folder to write the demo engagement into (default: ./demo)")
    p.add_argument("--records", type=int, default=5000,
                   help="number of records over all sources, 1,000 to 1,000,000 (default: 5000)")
    p.add_argument("--seed", type=int, default=42, help="random seed; same seed, same data (default: 42)")
    p.add_argument("--language", choices=["fr", "en"], default="fr",
                   help="report language written into the engagement (default: fr)")
    p.set_defaults(handler=_cmd_demo)

    p = sub.add_parser("summary", help="load every source of an engagement and summarise it",
                       description="Load each source (detecting encoding and separator), count rows, "
                                   "report unreadable lines, and write sources_summary.csv/.xlsx.")
    _add_engagement(p)
    p.set_defaults(handler=_cmd_summary)

    p = sub.add_parser("audit", help="audit every source: inventory, quality KPIs, personal data, profiles",
                       description="Step 2 of the method: inventory of collection points, quality KPIs "
                                   "over all rows, exact-key duplicates, personal data, and a sampled "
                                   "ydata-profiling report per source. Writes <output>/audit/.")
    _add_engagement(p)
    p.add_argument("--sources", default="",
                   help="comma-separated source names to audit (default: all)")
    p.add_argument("--profile-sample-size", type=int, default=None,
                   help="rows above which the ydata profile samples (the KPIs always use every row)")
    p.add_argument("--no-profile", action="store_true", help="skip the ydata-profiling HTML reports")
    p.add_argument("--stream", choices=("auto", "always", "never"), default=None,
                   help="read sources in chunks instead of whole: auto (files above the engagement's "
                        "audit.stream_above_mb, default 500 MB), always or never (default: the "
                        "engagement's audit.stream, else auto)")
    p.set_defaults(handler=_cmd_audit)

    p = sub.add_parser("map", help="suggest the source-to-target mapping; --save writes it into "
                                   "the engagement file",
                       description="Step 3 of the method: suggest which source column feeds which "
                                   "target attribute (column -> attribute, transform, confidence, "
                                   "reason). With --save, the suggestion is written into the "
                                   "engagement file (its comments, key order and quotes kept), each "
                                   "entry marked 'validated: false' until a person checks it.")
    _add_engagement(p)
    p.add_argument("--save", action="store_true",
                   help="write the suggestion into the engagement file for the sources without a "
                        "mapping yet")
    p.add_argument("--replace", action="store_true",
                   help="with --save: also replace the mappings already in the engagement file")
    p.add_argument("--min-confidence", type=float, default=0.5,
                   help="minimum confidence for a mapping suggestion (default: 0.5)")
    p.set_defaults(handler=_cmd_map)

    p = sub.add_parser("gaps", help="suggest the source-to-target mapping and analyse the gaps",
                       description="Step 3 of the method: suggest which source column feeds which "
                                   "target attribute (or use the engagement's validated mapping), "
                                   "then measure per attribute and source whether it exists and at "
                                   "what quality, and list the gaps. Writes <output>/mapping/.")
    _add_engagement(p)
    p.add_argument("--poor-threshold", type=float, default=0.8,
                   help="fill x validity rate under which an attribute is 'present but poor' (default: 0.8)")
    p.add_argument("--min-confidence", type=float, default=0.5,
                   help="minimum confidence for a mapping suggestion (default: 0.5)")
    p.add_argument("--suggestions-only", action="store_true",
                   help="analyse the suggested mapping even where the engagement has a validated one")
    p.set_defaults(handler=_cmd_gaps)

    p = sub.add_parser("dedup", help="deduplicate customers within and across sources",
                       description="Step 4 of the method (the core): load, map, standardise and "
                                   "deduplicate every source; writes <output>/crosswalk.csv (one row "
                                   "per input record) and <output>/dedup/, and prints the headline "
                                   "figures.")
    _add_engagement(p)
    p.add_argument("--threshold", type=float, default=None,
                   help="minimum match probability (default: the engagement's dedup.threshold, else 0.9)")
    p.add_argument("--sources", default="", help="comma-separated source names (default: all)")
    p.add_argument("--engine", choices=("auto", "memory", "dask"), default=None,
                   help="where to run: in this process (memory), on a Dask cluster (dask), or auto: "
                        "Dask from dedup.engine.dask_from records (default: the engagement's "
                        "dedup.engine.name, else auto); both give the same customers")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="address of an existing Dask scheduler (implies --engine dask); default: "
                        "a local cluster on this machine")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes of the local Dask cluster (default: 2)")
    p.add_argument("--memory-limit", default=None,
                   help="memory per local Dask worker, e.g. 8GB (default: auto, the machine's "
                        "memory shared between the workers; workers spill to disk beyond)")
    p.set_defaults(handler=_cmd_dedup)

    p = sub.add_parser("review", help="clerical review: a sample of pairs to label, then the "
                                      "figures with their 95 %% intervals from the labels",
                       description="With --sample N: draw N record pairs to label (stratified by "
                                   "match probability, pairs below the threshold and pairs the "
                                   "blocking never proposed included) into <output>/review/sample.csv "
                                   "and .xlsx; labels already filled in the previous sheet are kept "
                                   "in <output>/review/labels.csv first. With --labels SHEET: read "
                                   "the labels and estimate precision, recall, distinct customers, "
                                   "duplicate rate and share of customers in several sources with "
                                   "their 95 % intervals (written to dedup/summary.json).")
    _add_engagement(p)
    group = p.add_mutually_exclusive_group()
    group.add_argument("--sample", type=int, metavar="N", default=None,
                       help="pairs to draw for review (default: 200)")
    group.add_argument("--labels", type=Path, metavar="SHEET", default=None,
                       help="the filled review sheet (CSV or Excel) to read")
    p.add_argument("--seed", type=int, default=None,
                   help="random seed of the draw (default: the engagement's seed)")
    p.add_argument("--reviewer", default="", help="who labelled (written with each label)")
    p.add_argument("--informative", action="store_true",
                   help="with --sample once labels exist: draw the new pairs in the strata where "
                        "they narrow the intervals most (experimental: narrower intervals, but "
                        "they covered the truth 8 times in 20 on RLdata10000, see bench/README)")
    p.set_defaults(handler=_cmd_review)

    p = sub.add_parser("match", help="check a new record against the built reference (preventive)",
                       description="Preventive deduplication: standardise one new record and list the "
                                   "customer ids it may belong to, with match probabilities, using "
                                   "the reference index and model saved by the deduplication step. "
                                   "Names, e-mails and phones are masked per the engagement's policy.")
    _add_engagement(p)
    p.add_argument("--record", required=True, metavar="JSON",
                   help='the new record as JSON with target attribute names, e.g. '
                        '\'{"last_name": "Dupont", "first_name": "Jean", "postcode": "75011"}\'')
    p.add_argument("--top", type=int, default=5, help="candidates to show at most (default: 5)")
    p.set_defaults(handler=_cmd_match)

    p = sub.add_parser("serve", help="serve the preventive match as an HTTP JSON API",
                       description="Hold the engagement's reference index in memory and answer "
                                   "POST /match (candidates, probabilities, evidence, decision), "
                                   "POST /records (add or update a record; kept in "
                                   "golden/additions.jsonl and replayed at start) and GET /health; "
                                   "the OpenAPI document is at /openapi.json. When the environment "
                                   "variable RCU_API_TOKEN is set, requests need 'Authorization: "
                                   "Bearer <token>'. Record values are never logged.")
    _add_engagement(p)
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    p.add_argument("--workers", type=int, default=1,
                   help="processes answering at the same time, each holding the reference in "
                        "memory (its size again per worker) and sharing the additions log "
                        "(default: 1; more than the machine's cores does not help; Linux and "
                        "macOS only)")
    p.set_defaults(handler=_cmd_serve)

    p = sub.add_parser("golden", help="golden records: one record per customer, each value "
                                      "with its lineage",
                       description="What the RCU would hold: deduplicate the engagement, then keep "
                                   "one value per customer and attribute by the survivorship rules "
                                   "of its survivorship: section (evidence of quality, update "
                                   "dates where declared). Writes <output>/golden/: "
                                   "golden_records.csv and golden_lineage.csv (the raw value "
                                   "beside the standardised one, the record it came from and what "
                                   "decided), their Parquet copies and an Excel workbook (a sample "
                                   "when the base is large, masked unless the engagement allows "
                                   "raw values); per consuming view of the engagement's views:, "
                                   "views/<name>.csv with the attributes it receives.")
    _add_engagement(p)
    p.set_defaults(handler=_cmd_golden)

    p = sub.add_parser("report", help="run the five notebooks and publish the client audit report",
                       description="Run notebooks 01-05 with papermill on each engagement and write "
                                   "offline HTML reports plus an index.html executive summary into "
                                   "REPORTS/<client>/<timestamp>/. A failing engagement is reported "
                                   "and the others still run; the exit code is 1 if any failed.")
    _add_engagement(p, nargs="+")
    p.add_argument("--out", default="reports", type=Path,
                   help="root folder of the reports (default: ./reports)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar (for logs)")
    p.set_defaults(handler=_cmd_report)

    p = sub.add_parser("lab", allow_abbrev=False,
                       help="open JupyterLab on the notebooks with an engagement selected",
                       description="Start JupyterLab on the engagement's working copies of the "
                                   "notebooks (notebooks/ beside the engagement file, copied from "
                                   "the package on first use, never overwritten); the notebooks' "
                                   "engagement parameter defaults to the file given here. "
                                   "Any other option goes to JupyterLab as it is (e.g. "
                                   "--ServerApp.token=..., --ip=0.0.0.0).")
    _add_engagement(p)
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    p.add_argument("--port", type=int, default=None, help="port for the Jupyter server")
    p.add_argument("--refresh", action="store_true",
                   help="replace the working copies by the package's notebooks (the copies that "
                        "differ are moved to notebooks/previous/<timestamp>/ first)")
    p.set_defaults(handler=_cmd_lab, passes_options=True)
    return parser


# ---------------------------------------------------------------------------------------------
def _cmd_demo(args: argparse.Namespace) -> int:
    from rcu_kit.sources.demo import generate_demo

    result = generate_demo(args.out, n_records=args.records, seed=args.seed, language=args.language,
                           progress=True)
    print(f"Demo engagement written: {result.engagement_path}")
    print(f"  sources: {', '.join(f'{k} ({v:,} rows)' for k, v in result.rows_per_source.items())}")
    print(f"  ground truth: {result.truth_path} ({result.n_persons:,} distinct persons)")
    return 0


def _print_loading(summary, engagement) -> int:
    """Print the sources that did not load cleanly (stderr for errors); 1 if any is in error.

    ``summary`` is :func:`rcu_kit.sources.loaders.summarise_sources`'s table.
    """
    from rcu_kit.core.paths import sources_summary_path

    for row in summary.itertuples(index=False):
        message = getattr(row, "message_en", row.message)  # the console speaks English
        if row.status == "error":
            print(f"error: source {row.source} not loaded, left out: {message}", file=sys.stderr)
        elif row.status == "warning":
            print(f"warning: source {row.source}: {message}", file=sys.stderr)
    failed = summary.loc[summary["status"] == "error", "source"].tolist()
    if failed:
        print(f"{len(failed)} source(s) in error, left out: {', '.join(failed)} "
              f"(see {sources_summary_path(engagement)})", file=sys.stderr)
    return 1 if failed else 0


def _cmd_summary(args: argparse.Namespace) -> int:
    """Load every source, write sources_summary.csv/.xlsx, bad_lines.csv, excluded_lines.csv.

    Exit code 1 when a source is in error (the others are still loaded and summarised).
    """
    from rcu_kit.core.config import load_engagement
    from rcu_kit.sources.loaders import load_all, save_sources_summary, summarise_sources

    engagement = load_engagement(args.engagement)
    loaded = load_all(engagement, progress=True)
    summary = summarise_sources(loaded, language=engagement.language)
    paths = save_sources_summary(loaded, engagement, summary)
    summary = summarise_sources(loaded, language="en")  # the console speaks English throughout
    with _pandas_display():
        print(summary.drop(columns=["message", "message_en"]).to_string(index=False))
    n_bad = int(summary["bad_lines"].sum())
    if n_bad:
        # raw rows may hold personal data: this file stays in the consultant's output folder
        print(f"\n{n_bad} unreadable line(s), listed with their line numbers in {paths['bad_lines']}")
    n_excluded = int(summary["excluded_lines"].sum())
    if n_excluded:
        print(f"{n_excluded} line(s) that are not records (blank, footer, repeated header...) left "
              f"out, listed in {paths['excluded_lines']}")
    print(f"\nOutput: {paths['workbook']}")
    return _print_loading(summary, engagement)


def _cmd_audit(args: argparse.Namespace) -> int:
    """Audit the sources that load; exit code 1 when a source is in error (left out)."""
    from rcu_kit.audit.run import DEFAULT_PROFILE_SAMPLE_SIZE, export_audit, run_audit
    from rcu_kit.core.config import load_engagement
    from rcu_kit.core.paths import sources_summary_path

    engagement = load_engagement(args.engagement)
    result = run_audit(engagement, args.sources or None,
                       profile_sample_size=args.profile_sample_size or DEFAULT_PROFILE_SAMPLE_SIZE,
                       profile=not args.no_profile, progress=True, stream=args.stream)
    workbook = export_audit(result, engagement)
    inventory, kpis = result.inventory, result.kpis
    print(f"Audit of {len(inventory)} source(s): {int(inventory['rows'].sum()):,} rows, "
          f"{int(inventory['columns'].sum()):,} columns")
    width = max([len(s) for s in inventory["source"]] + [6])
    for source, rows in kpis.groupby("source", sort=False):
        # over the columns of the source: a column counts as much as another
        completeness = rows["completeness"].mean()
        checked = rows["validity"].dropna()
        validity = f"{_pct(checked.mean())} valid (over {len(checked)} checked column(s))" \
            if len(checked) else "no column with a validity rule"
        dup = result.duplicates[result.duplicates["source"] == source]
        top = dup.sort_values("duplicate_rate", ascending=False).head(1)
        duplicates = (f", exact duplicates up to {_pct(top['duplicate_rate'].iloc[0])} "
                      f"(key {top['key'].iloc[0]})") if len(top) else ""
        n_rows = int(inventory.loc[inventory["source"] == source, "rows"].iloc[0])
        print(f"  {source:<{width}}  {n_rows:>9,} rows  {_pct(completeness)} filled, "
              f"{validity}{duplicates}")
    personal = result.personal_data
    print(f"  personal data: {int((personal['personal_data'] == 'yes').sum())} column(s), "
          f"{int((personal['personal_data'] == 'review').sum())} free-text column(s) to review")
    if len(result.messages):
        print(f"  points of attention: {len(result.messages)} (sheet of the workbook)")
    print(f"Written to {workbook.parent}")
    print(f"  Excel workbook: {workbook}")
    print(f"  loading of the sources: {sources_summary_path(engagement)}")
    return _print_loading(result.loading, engagement)


def _cmd_map(args: argparse.Namespace) -> int:
    """Print the suggested mapping per source; with --save write it into the engagement file."""
    from rcu_kit.core.config import load_engagement
    from rcu_kit.mapping.suggest import (save_suggested_mapping, saved_audit_types, suggest_mapping,
                                         suggestion_reasons)
    from rcu_kit.sources.loaders import load_all, save_sources_summary, summarise_sources

    if args.replace and not args.save:
        raise ValueError("--replace goes with --save (it replaces the mappings in the file)")
    engagement = load_engagement(args.engagement)
    loaded = load_all(engagement, progress=True)
    loading = summarise_sources(loaded, language="en")
    save_sources_summary(loaded, engagement, loading)
    suggestions = suggest_mapping(engagement, loaded, saved_audit_types(engagement),
                                  min_confidence=args.min_confidence, progress=True)
    suggestions = suggestions.assign(reason=suggestion_reasons(suggestions, "en"))
    width = max([len(str(c)) for c in suggestions["column"]] + [6])
    shown = suggestions["attribute"].fillna("") + suggestions["transform"].map(
        lambda x: f" via {x}" if isinstance(x, str) and x else "")
    suggestions = suggestions.assign(shown=shown)
    shown_width = max([len(x) for x in shown] + [6])
    for source, rows in suggestions.groupby("source", sort=False):
        saved = " (the engagement file maps it already)" if engagement.mapping.get(source) else ""
        print(f"{source}{saved}:")
        for r in rows.itertuples(index=False):
            if r.attribute is None or r.attribute != r.attribute:
                print(f"  {r.column:<{width}}  -> (not mapped)")
                continue
            print(f"  {r.column:<{width}}  -> {r.shown:<{shown_width}}  {r.confidence:>5.0%}  "
                  f"{r.reason}")
    mapped = int(suggestions["attribute"].notna().sum())
    print(f"{mapped} of {len(suggestions)} column(s) mapped (confidence {args.min_confidence:.0%} "
          "or more)")
    if args.save:
        result = save_suggested_mapping(engagement, suggestions, replace=args.replace)
        if result.saved:
            print(f"Saved in {result.path}: "
                  + ", ".join(f"{s} ({n} entries)" for s, n in result.saved.items())
                  + ", each marked 'validated: false': check them, correct what is wrong, then "
                    "set validated: true")
        if result.kept:
            print(f"Kept the mapping already in {result.path} for: {', '.join(result.kept)} "
                  "(--replace to overwrite it)")
    else:
        print(f"To write it into the engagement file: rcu-kit map {args.engagement} --save")
    return _print_loading(loading, engagement)


def _cmd_gaps(args: argparse.Namespace) -> int:
    """Analyse the gaps with the sources that load; exit code 1 when a source is in error."""
    from rcu_kit.core.config import load_engagement
    from rcu_kit.mapping.gaps import run_gap_analysis

    engagement = load_engagement(args.engagement)
    result = run_gap_analysis(engagement, use_saved_mapping=not args.suggestions_only,
                              min_confidence=args.min_confidence,
                              poor_threshold=args.poor_threshold, progress=True)
    gaps = result.gaps
    severities = gaps["severity"].value_counts()
    print(f"{len(gaps)} gap(s) between the target record and the sources: "
          + ", ".join(f"{int(severities.get(s, 0))} {s}" for s in ("high", "medium", "low")))
    matrix = result.matrix
    mapped = matrix.groupby("attribute", sort=False)["mapped"].any()
    print(f"  target attributes fed by a source: {int(mapped.sum())} of {len(mapped)}")
    nowhere = gaps.loc[gaps["gap"] == "missing_everywhere", "attribute"].tolist()
    if nowhere:
        print(f"  in no source: {', '.join(nowhere)}")
    suggested = [s for s in result.mapping if args.suggestions_only or not engagement.mapping.get(s)]
    if suggested:
        print(f"  suggested mapping analysed (not in the engagement file) for: {', '.join(suggested)}; "
              f"see it with `rcu-kit map {args.engagement}`, save it with --save")
    print(f"  Excel workbook: {result.paths['excel']}")
    _print_not_validated(engagement, args.engagement)
    return _print_loading(result.loading, engagement)


def _print_not_validated(engagement, path) -> None:
    """Ask for the check of the mapping entries saved but not validated by a person yet."""
    from rcu_kit.mapping.suggest import not_validated

    pending = not_validated(engagement)
    if pending:
        count = sum(len(c) for c in pending.values())
        print(f"warning: {count} mapping entr{'y' if count == 1 else 'ies'} of {path} not validated "
              f"yet ({', '.join(pending)}): check each, then set validated: true", file=sys.stderr)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


# Why the engine ran, by the reason code of EngineSettings.choose.
_ENGINE_REASONS = {"asked": "as asked", "small": "below dedup.engine.dask_from records: faster in memory",
                   "large": "from dedup.engine.dask_from records"}


def _engine_line(engine: dict[str, str]) -> str:
    """``dask (as asked): local Dask cluster: 2 worker processes ...``"""
    if not engine:
        return "memory"
    resumed = f"; resumed after the stages a stopped run wrote ({engine['resumed']})" \
        if engine.get("resumed") else ""
    return (f"{engine['name']} ({_ENGINE_REASONS.get(engine['reason'], engine['reason'])}): "
            f"{engine['where']}{resumed}")


def _cmd_dedup(args: argparse.Namespace) -> int:
    """Run and save the deduplication, then print the headline figures and the paths written."""
    from rcu_kit.core.config import load_engagement
    from rcu_kit.dedup.run import labelled_threshold, run_dedup, write_dedup_outputs

    from rcu_kit.core.wording import customer_split_sentence

    engagement = load_engagement(args.engagement)
    sources = [s.strip() for s in (args.sources or "").split(",") if s.strip()]
    engine = {"name": "dask" if args.scheduler and not args.engine else args.engine,
              "scheduler": args.scheduler, "workers": args.workers,
              "memory_limit": args.memory_limit}
    run = run_dedup(engagement, sources or None, threshold=args.threshold, progress=True,
                    engine=engine)
    paths = write_dedup_outputs(run, engagement)
    f = run.figures
    labelled = None if args.threshold else labelled_threshold(engagement)
    chosen_by = " chosen by the review's labels" if labelled == run.threshold else ""
    print(f"Deduplication of {engagement.client} ({len(run.sources)} source(s), "
          f"threshold {run.threshold:g}{chosen_by})")
    print(f"  engine:             {_engine_line(run.engine)}")
    print(f"  records:            {f['n_records']:,}")
    print(f"  distinct customers: {f['n_customers']:,}")
    split = customer_split_sentence(f.get("customer_split"), "en")
    if split:  # customers and prospects by the engagement's definition, or why not
        print(f"    {split}")
    from rcu_kit.dedup.figures import duplicate_split

    split = duplicate_split(run.crosswalk)  # duplicates to clean apart from cross-source presence
    print(f"  duplicate rate:     {_pct(f['duplicate_rate'])} ({f['n_duplicates']:,} duplicate records)")
    print(f"    within sources:   {_pct(split['within_source_duplicate_rate'])} "
          f"({split['n_within_source_duplicates']:,} records repeat a customer of their own source)")
    print(f"    across sources:   {split['n_cross_source_records']:,} records of a customer seen "
          "again in another source (not duplicates to clean)")
    print(f"  shared customers:   {f['n_multi_source_customers']:,} in 2+ sources "
          f"({_pct(f['overlap_rate'])} of the customers)")
    if len(run.bad_lines):
        print(f"  unreadable lines:   {len(run.bad_lines):,} (not deduplicated; see the workbook)")
    print("  per source:")
    width = max(len(s) for s in run.sources) if run.sources else 6
    for r in run.per_source.itertuples(index=False):
        print(f"    {r.source:<{width}}  {r.records:,} records, {r.customers:,} customers, "
              f"{_pct(r.duplicate_rate)} duplicates within, {r.shared_customers:,} customers "
              "also in another source")
    print("Outputs:")
    for name, path in paths.items():
        print(f"  {name:<17} {path}")
    _dedup_estimates(run, engagement)
    _print_not_validated(engagement, args.engagement)
    return _print_loading(run.loading, engagement)


def _dedup_estimates(run, engagement) -> None:
    """With labels kept in the output folder, the figures re-estimated for this run."""
    from rcu_kit.golden import estimates as estimates_
    from rcu_kit.golden import review

    store = review.LabelStore(review.labels_path(engagement))
    labels = store.labels()
    if not len(labels) or not labels["label"].isin(("match", "non_match")).any():
        return
    found = estimates_.estimate_figures(labels, run.pairs, run.crosswalk, seed=engagement.seed)
    estimates_.write_estimates(found, engagement)
    print(f"With the {len(labels)} label(s) kept in {store.path}:")
    _print_estimates(found)


def _review_run(engagement):
    """The deduplication the review is about: rerun at the threshold of the saved summary."""
    from rcu_kit.core.paths import dedup_summary_path
    from rcu_kit.dedup.run import run_dedup

    saved = dedup_summary_path(engagement)
    threshold = None
    if saved.exists():
        threshold = json.loads(saved.read_text(encoding="utf-8")).get("threshold")
    return run_dedup(engagement, threshold=threshold, progress=True)


def _cmd_review(args: argparse.Namespace) -> int:
    """Draw a review sheet (--sample), or estimate the figures from a labelled one (--labels)."""
    from rcu_kit.core.config import load_engagement
    from rcu_kit.golden import review

    engagement = load_engagement(args.engagement)
    seed = engagement.seed if args.seed is None else args.seed
    if args.labels is None:
        n = 200 if args.sample is None else args.sample
        if n < 1:
            raise ValueError(f"--sample {n}: give the number of pairs to draw (1 or more)")
        kept = review.keep_sheet_labels(engagement, reviewer=args.reviewer)
        run = _review_run(engagement)
        store = review.LabelStore(review.labels_path(engagement))
        labelled = store.labels()
        shares = None
        if args.informative and len(labelled) \
                and labelled["label"].isin(("match", "non_match")).any():
            from rcu_kit.golden.estimates import informative_shares

            shares = informative_shares(labelled, run.pairs, run.crosswalk, n)
            print(f"{len(labelled)} pair(s) already labelled: the new pairs go to the strata "
                  "where they narrow the intervals most")
        sample = review.draw_review_sample(run.pairs, run.records, n, labelled=labelled,
                                           seed=seed, shares=shares)
        sheet = review.review_sheet(sample, run.records, mask=engagement.mask_personal_data)
        paths = review.write_review_sheet(sheet, engagement)
        if kept:
            print(f"{kept} label(s) of the previous sheet kept in {store.path}")
        print(f"{len(sheet)} pair(s) to label (threshold {run.threshold:g}), per stratum:")
        counts = sheet.groupby("stratum", sort=True).agg(pairs=("weight", "size"),
                                                          weight=("weight", "first"))
        for stratum, row in counts.iterrows():
            print(f"  {stratum:<13} {int(row.pairs):>4} pair(s), each standing for {row.weight:,.1f}")
        print(f"Fill the label column (match, non-match, unsure) of {paths['csv']} "
              f"(or its Excel copy {paths['excel']}), then run:")
        print(f"  rcu-kit review {args.engagement} --labels {paths['csv']}")
        return 0
    return _review_labels(args, engagement, seed)


def _review_labels(args: argparse.Namespace, engagement, seed: int) -> int:
    """Read a labelled sheet into the label store, estimate the figures, save and print them."""
    import pandas as pd

    from rcu_kit.core.paths import crosswalk_path
    from rcu_kit.golden import estimates as estimates_
    from rcu_kit.golden import review

    saved = crosswalk_path(engagement)
    if not saved.exists():
        raise FileNotFoundError(f"{saved}: run `rcu-kit dedup {args.engagement}` first")
    known = pd.read_csv(saved, dtype=str, keep_default_na=False, usecols=["source", "record_id"])
    filled = review.read_label_sheet(args.labels, known)
    store = review.LabelStore(review.labels_path(engagement))
    added = store.add_many(filled, reviewer=args.reviewer)
    print(f"{len(filled)} label(s) read from {args.labels} ({added} new or changed), "
          f"{len(store)} pair(s) labelled in all ({store.path})")
    run = _review_run(engagement)
    found = estimates_.estimate_figures(store.labels(), run.pairs, run.crosswalk, seed=seed)
    path = estimates_.write_estimates(found, engagement)
    _print_estimates(found)
    print(f"Written under 'estimates' in {path}")
    refit = estimates_.refit_threshold(store.labels(), run.pairs, run.threshold)
    estimates_.write_threshold(refit, engagement)
    _print_refit(refit, run)
    return 0


def _print_refit(refit, run) -> None:
    """Say what the labels change in the model (its threshold)."""
    if refit.reason == "too_few_labels":
        print(f"Threshold kept at {refit.previous:g}: {refit.labelled} labelled candidate "
              "pair(s), with matches and non-matches, are too few to refit it (20 needed)")
        return
    if refit.reason == "uncertain":
        print(f"Threshold kept at {refit.previous:g}: the labels favour {refit.candidate:g} "
              f"(estimated pairwise F1 {refit.previous_f1:.3f} -> "
              f"{float(refit.table.set_index('threshold').loc[refit.candidate, 'f1']):.3f}) but "
              f"only in {refit.support:.0%} of the bootstrap draws of the labels (90 % needed): "
              "label more pairs to decide")
        return
    if not refit.changed:
        print(f"Threshold kept at {refit.previous:g}: the labels find no better one "
              f"(estimated pairwise F1 {refit.previous_f1:.3f})")
        return
    effect = run.threshold_effect.set_index("threshold")["customers"] \
        if len(run.threshold_effect) else {}
    line = (f"The labels move the threshold from {refit.previous:g} to {refit.threshold:g} "
            f"(estimated pairwise F1 {refit.previous_f1:.3f} -> {refit.f1:.3f})")
    if refit.threshold in effect and refit.previous in effect:
        line += (f": distinct customers {int(effect[refit.previous]):,} -> "
                 f"{int(effect[refit.threshold]):,}")
    print(line)
    print("  `rcu-kit dedup` and the report now use it; run `rcu-kit dedup` then "
          "`rcu-kit review --labels` again for the estimates of the refitted model")


def _print_estimates(found) -> None:
    f, model = found.figures, found.model
    unsure = f", {found.unsure} unsure left out" if found.unsure else ""
    print(f"Estimated from {found.labelled} labelled pair(s){unsure}, "
          f"{found.confidence:.0%} intervals (stratified bootstrap):")

    def count(x): return f"{x:,.0f}"
    rows = [("distinct customers", "n_customers", count),
            ("duplicate rate", "duplicate_rate", _pct),
            ("customers in 2+ sources", "overlap_rate", _pct),
            ("pairwise precision", "precision", _pct), ("pairwise recall", "recall", _pct)]
    for label, key, fmt in rows:
        e = f[key]
        shown = "n/a" if e.value != e.value else f"{fmt(e.value)} [{fmt(e.low)} - {fmt(e.high)}]"
        line = f"  {label + ':':<25} {shown}"
        if key in model and model[key] is not None:
            line += f"   (deduplication: {fmt(model[key])})"
        print(line)
    if found.unlabelled_strata:
        print(f"  strata without label, counted at the model's probability: "
              f"{', '.join(found.unlabelled_strata)}")
    np_ = found.not_proposed
    if np_["labelled"]:
        print(f"  pairs never proposed by the blocking: {np_['matches']} match(es) among "
              f"{np_['labelled']} labelled out of {np_['pairs']:,} (at most "
              f"{np_['matches_high']:,.0f} matching pairs there, {found.confidence:.0%} bound)")


def _cmd_match(args: argparse.Namespace) -> int:
    """Check one record (JSON) against the engagement's reference; print the candidates."""
    from rcu_kit.core.config import load_engagement
    from rcu_kit.golden.preventive import (candidates_shown, check_record_keys,
                                           engagement_reference)

    engagement = load_engagement(args.engagement)
    try:
        record = json.loads(args.record)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--record: not valid JSON ({exc.msg} at character {exc.pos}); give an "
                         "object such as '{\"last_name\": \"Dupont\", \"email\": "
                         "\"jean.dupont@free.fr\"}'") from None
    if not isinstance(record, dict) or not record:
        raise ValueError("--record: give a JSON object of attribute -> value, e.g. "
                         "'{\"last_name\": \"Dupont\", \"first_name\": \"Jean\"}'")
    check_record_keys(record, where="--record")
    shown = candidates_shown(engagement_reference(engagement), record, top=args.top,
                             masked=engagement.mask_personal_data)
    if shown.empty:
        print("no candidate: a new customer")
        return 0
    with _pandas_display():
        print(shown.drop(columns=["evidence"]).to_string(index=False))
    print()
    for row in shown.itertuples(index=False):
        print(f"{row.customer_id}: {row.evidence}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    """Serve the engagement's preventive match over HTTP until Ctrl+C."""
    import uvicorn

    from rcu_kit.core.config import load_engagement
    from rcu_kit.golden.preventive import reference_is_current
    from rcu_kit.golden.service import (ENGAGEMENT_VARIABLE, build_reference_apart,
                                        configure_logging, engagement_app)

    if args.workers < 1 or (args.workers > 1 and os.name == "nt"):
        print("rcu-kit serve: --workers must be 1 or more" if args.workers < 1 else
              "rcu-kit serve: several workers share the additions log with POSIX file locks; "
              "on Windows run --workers 1", file=sys.stderr)
        return 2
    engagement = load_engagement(args.engagement)
    configure_logging()
    if args.workers == 1:
        app = engagement_app(engagement, progress=True)
    else:
        # Each worker process loads the saved index: built once here, in a process of its own.
        if not reference_is_current(engagement):
            build_reference_apart(args.engagement)
        os.environ[ENGAGEMENT_VARIABLE] = str(Path(args.engagement).resolve())
        app = "rcu_kit.golden.service:worker_app"
    token = "with a token (RCU_API_TOKEN)" if os.environ.get("RCU_API_TOKEN") else \
        "without a token (set RCU_API_TOKEN to require one)"
    workers = f", {args.workers} worker processes" if args.workers > 1 else ""
    print(f"Preventive match of {engagement.client} on http://{args.host}:{args.port} {token}"
          f"{workers}; API description at /openapi.json (Ctrl+C to stop)")
    # uvicorn's access log is off: the service logs each request without its values.
    uvicorn.run(app, host=args.host, port=args.port, access_log=False, log_level="info",
                **({"workers": args.workers, "factory": True} if args.workers > 1 else {}))
    return 0


def _cmd_golden(args: argparse.Namespace) -> int:
    """Build and write the golden records; exit code 1 when a source could not be loaded."""
    import time

    from rcu_kit.core.config import load_engagement
    from rcu_kit.core.paths import step_dir
    from rcu_kit.dedup import run_dedup
    from rcu_kit.dedup.run import map_sources
    from rcu_kit.golden import golden_for_engagement, write_golden_outputs
    from rcu_kit.sources.loaders import load_all

    engagement = load_engagement(args.engagement)
    run = run_dedup(engagement, progress=True)
    start = time.perf_counter()
    raw = map_sources(engagement, load_all(engagement, run.sources))  # raw values for the lineage
    result = golden_for_engagement(engagement, run.records, run.crosswalk, raw=raw)
    paths = write_golden_outputs(result, step_dir(engagement, "golden"),
                                 mask=engagement.mask_personal_data,
                                 language=engagement.language, seed=engagement.seed,
                                 views=engagement.views)
    seconds = time.perf_counter() - start
    golden, lineage = result.golden, result.lineage
    multi = int((golden["n_records"] >= 2).sum())
    print(f"{len(golden):,} golden records from {len(run.records):,} records "
          f"({multi:,} customers with two or more records) in {seconds:.1f} s")
    contested = lineage[lineage["conflict"].astype(bool)]
    undated = int((lineage["note"] == "no_update_date").sum())
    print(f"  values decided between disagreeing records: {len(contested):,} of {len(lineage):,}"
          + (f"; most_recent without a declared update date: {undated:,} (the evidence decided; "
             "declare update dates under survivorship: update_dates)" if undated else ""))
    by = contested["decided_by"].value_counts()
    if len(by):
        print("  decided by: " + ", ".join(f"{k} {int(v):,}" for k, v in by.items()))
    for name in ["golden_csv", "lineage_csv", "workbook"] + [p for p in paths if
                                                              p.startswith("view:")]:
        print(f"  {paths[name]}")
    if run.left_out:
        print(f"error: source(s) left out because they could not be loaded: "
              f"{', '.join(run.left_out)}", file=sys.stderr)
        return 1
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    """Run the reports; print where each is (stdout) and what went wrong (stderr).

    Exit code 0 when every engagement produced its full report from every source, 1 when any
    failed or left a source out (it could not be loaded; the report says so).
    """
    from rcu_kit.report.run import run_report

    results = run_report(args.engagement, out_root=args.out, progress=not args.no_progress)
    for result in results:
        for warning in result.warnings:
            print(f"warning: {result.engagement_path.name}: {warning}", file=sys.stderr)
        if result.ok:
            missing = [r.name for r in result.notebooks if r.status == "missing"]
            note = f" (not yet available: {', '.join(missing)})" if missing else ""
            print(f"Report for {result.client}: {result.index}{note}")
        else:
            print(f"error: {result.error}", file=sys.stderr)
            if result.index:
                print(f"Partial report for {result.client}: {result.index}")
        if result.sources_left_out:
            print(f"error: {result.engagement_path.name}: source(s) left out because they could "
                  f"not be loaded: {', '.join(result.sources_left_out)}", file=sys.stderr)
        if result.pdf:
            print(f"  PDF (the summary, then each step): {result.pdf}")
        if result.work_folder:
            print(f"  executed notebooks (consultant only, not for the client): {result.work_folder}")
    return 0 if all(r.ok and not r.sources_left_out for r in results) else 1


def _cmd_lab(args: argparse.Namespace) -> int:
    import subprocess

    from rcu_kit.core.config import load_engagement
    from rcu_kit.jupyter.lab import lab_command, working_notebooks

    if args.refresh:
        load_engagement(args.engagement)  # a broken engagement file copies nothing
        folder, copied = working_notebooks(args.engagement, refresh=True)
        print(f"{len(copied)} notebook(s) refreshed from the package in {folder}"
              + (f"; your previous copies are in {folder / 'previous'}" if copied else ""))
    cmd, env = lab_command(args.engagement, open_browser=not args.no_browser, port=args.port,
                           extra=args.extra)
    root = next(c.split("=", 1)[1] for c in cmd if c.startswith("--ServerApp.root_dir="))
    print(f"JupyterLab on {root} with the engagement {args.engagement} (Ctrl+C to stop)")
    return subprocess.call(cmd, env=env)


class _pandas_display:
    def __enter__(self):
        import pandas as pd

        self._ctx = pd.option_context("display.width", 200, "display.max_columns", 50,
                                      "display.max_colwidth", 60)
        self._ctx.__enter__()

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``rcu-kit`` command."""
    from rcu_kit.core.config import ConfigError

    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "passes_options", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    args.extra = extra
    try:
        return int(args.handler(args) or 0)
    except (ConfigError, FileNotFoundError, ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else str(exc)
        print(f"rcu-kit {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
