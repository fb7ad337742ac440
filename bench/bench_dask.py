"""The deduplication at scale: the in-memory engine against the Dask engine (1 and 2 workers).

    .venv/bin/python bench/bench_dask.py                                   # 1M and 3M records
    .venv/bin/python bench/bench_dask.py --sizes 1000000,3000000,5000000,10000000
    .venv/bin/python bench/bench_dask.py --sizes 1000000 --engines memory,dask2
    .venv/bin/python bench/bench_dask.py --sizes 10000000 --engines splink       # Splink on DuckDB

Data: ``demo_<n>`` of ``bench/dedup_datasets.py`` up to 1,000,000 records (the demo generator's
limit), rewritten once in row groups of 250,000 records (``dask_<n>``: the same records in the
same order) as a large Parquet file is, so that each worker reads its own; above, ``scale_<n>``: ``n / 1M`` demo engagements of a million records generated with
seeds 42, 43, ... (different people drawn from the same French name, street and town lists, so
namesakes meet across them as in a real base), their record ids and person ids prefixed by the
chunk number, and their e-mails made distinct across chunks (:func:`chunk_emails`: an e-mail
is personal, where the generator's numbering of repeats, ``jean.martin7@gmail.com``, starts again
in every chunk and gave strangers of different chunks one address); built once under
``bench/data/`` (git-ignored) with ``truth.parquet`` beside the records, so every size is scored.

Each run is a process of its own (its Dask workers are its children): wall time from reading the
mapped records to the crosswalk, records per second, and peak memory as the **sum over the
process and all its descendants** (sampled every 0.2 s with psutil). The memory engine reads the
records whole and standardises them in memory; the Dask engine reads the Parquet file in
partitions on its workers, standardises and prepares them there (``rcu_kit.linkage.distributed``).
Every run checks that every input record is in the crosswalk exactly once and is scored against
the truth (pairwise precision, recall and F1, and the error on the number of customers); the
engines' crosswalks are compared (same customers). The last lines extrapolate, from the largest
Dask run's per-stage times and memory, the cluster a 50M-record base needs (on paper: a linear
model, said as such). The package versions are printed first and saved with the results.
Engine ``splink`` runs Splink on DuckDB on the same records, as the dedup benchmark runs it
(``bench/runners/splink_runner.py``: its model and blocking rules for the demo's columns), for the
comparison issue 14 asks at 10M records. Results go to ``bench/results/dask_<timestamp>.csv``.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import threading
import time
from pathlib import Path

import pandas as pd

BENCH = Path(__file__).resolve().parent
DATA = BENCH / "data"
RESULTS = BENCH / "results"
CHUNK = 1_000_000
ROW_GROUP = 250_000
# A run is stopped when the machine has less than this left (the kernel's out-of-memory killer
# would otherwise pick a process, maybe another engineer's).
GUARD_BYTES = 1_500_000_000
# The memory of one worker machine in the 50M-record estimate (this machine's: 24 GB).
WORKER_GB = 24
# scale_<n> data older than this is built again (2: e-mails distinct across chunks, truth kept).
SCALE_VERSION = 2


def chunk_emails(emails: pd.Series, chunk: int) -> pd.Series:
    """The e-mails of chunk ``chunk``'s people, distinct from every other chunk's: a tag before
    the first ``@`` (typo variants of one address get the same tag, so they stay alike).

    Examples:
        >>> chunk_emails(pd.Series(["jean.martin7@gmail.com", "jean.martn7@gmail.com", "no at", None]), 3).tolist()
        ['jean.martin7.k03@gmail.com', 'jean.martn7.k03@gmail.com', 'no at', None]
    """
    return emails.str.replace("@", f".k{chunk:02d}@", n=1, regex=False)


def scale_data(n: int) -> Path:
    """``records.parquet`` of ``n`` demo records in row groups of 250,000, and their
    ``truth.parquet`` (``source, record_id, person_id``), built once."""
    sys.path.insert(0, str(BENCH))
    from dedup_datasets import build_demo, prepare

    import pyarrow as pa
    import pyarrow.parquet as pq

    folder = DATA / (f"dask_{n}" if n <= CHUNK else f"scale_{n}")
    path, truth_path, meta_path = (folder / "records.parquet", folder / "truth.parquet",
                                   folder / "meta.json")
    built = json.loads(meta_path.read_text()).get("version") if meta_path.exists() else None
    if path.exists() and truth_path.exists() and built == SCALE_VERSION:
        return path
    for stale in (path, truth_path, meta_path):
        stale.unlink(missing_ok=True)
    folder.mkdir(parents=True, exist_ok=True)
    if n <= CHUNK:
        table = pq.read_table(prepare(f"demo_{n}") / "records.parquet")
        pq.write_table(table, str(path) + ".part", row_group_size=ROW_GROUP)
        pd.read_parquet(prepare(f"demo_{n}") / "truth.parquet").to_parquet(truth_path, index=False)
    else:
        writer = None
        truths = []
        k, done = 0, 0
        while done < n:
            size = min(CHUNK, n - done)
            print(f"  building chunk {k + 1} of {-(-n // CHUNK)} ({size:,} records, seed {42 + k})",
                  flush=True)
            records, truth, _ = build_demo(size, 42 + k)
            records["record_id"] = f"{k}-" + records["record_id"].astype(str)
            records["email"] = chunk_emails(records["email"].astype("string"), k)
            truth = truth.astype(str)
            truth["record_id"] = f"{k}-" + truth["record_id"]
            truth["person_id"] = f"{k}-" + truth["person_id"]
            truths.append(truth)
            table = pa.Table.from_pandas(records.astype("string"), preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(str(path) + ".part", table.schema)
            writer.write_table(table, row_group_size=ROW_GROUP)
            done += size
            k += 1
        writer.close()
        pd.concat(truths, ignore_index=True).to_parquet(truth_path, index=False)
    Path(str(path) + ".part").rename(path)
    meta_path.write_text(json.dumps({"version": SCALE_VERSION, "records": n}))
    return path


def scores(clusters: Path, truth: Path) -> dict:
    """Pairwise precision, recall, F1 and the customer count's error of a run's
    ``clusters_<engine>.parquet`` against the truth."""
    from rcu_kit.dedup.evaluation import evaluate_crosswalk

    found = evaluate_crosswalk(pd.read_parquet(clusters), pd.read_parquet(truth),
                               predicted_column="cluster").as_dict()
    return {"precision": found["pairwise_precision"], "recall": found["pairwise_recall"],
            "f1": found["pairwise_f1"], "true_customers": found["true_clusters"],
            "customer_error_pct": 100 * (found["predicted_clusters"] - found["true_clusters"])
            / found["true_clusters"]}


def run_one(engine: str, data: Path, out: Path, partition: int | None, memory_limit: str,
            keep_pairs: float = 0.0) -> None:
    """One run, in this process (the parent measures it)."""
    from rcu_kit.linkage.distributed import DaskEngine, deduplicate_on_dask
    from rcu_kit.linkage.pipeline import deduplicate
    from rcu_kit.standardise import standardise_records

    t0 = time.perf_counter()
    if engine == "splink":
        _run_splink(data, out, t0, memory_limit)
        return
    if engine == "memory":
        records = pd.read_parquet(data)
        n = len(records)
        standardised = standardise_records(records)
        del records
        t1 = time.perf_counter()
        result = deduplicate(standardised, {"keep_pairs": keep_pairs})
        timings = {"standardise": t1 - t0, **result.timings}
    else:
        import dask.dataframe as dd

        workers = int(engine.removeprefix("dask"))
        with DaskEngine(workers=workers, partition_records=partition,
                        memory_limit=memory_limit) as opened:
            import pyarrow.parquet as pq

            # the engine's partitions (DaskEngine.partitions): each read from whole row groups
            # where they divide evenly, else cut again after reading
            metadata = pq.ParquetFile(data).metadata
            wanted = opened.partitions(metadata.num_rows)
            groups = metadata.num_row_groups
            ddf = dd.read_parquet(data, split_row_groups=groups // wanted
                                  if groups % wanted == 0 else True)
            if ddf.npartitions != wanted:
                ddf = ddf.repartition(npartitions=wanted)
            # the output's types from the file's first rows read here (``ddf.head`` would read
            # a row group on the cluster and wait for it before any work is submitted)
            sample = next(pq.ParquetFile(data).iter_batches(batch_size=5)).to_pandas()
            meta = standardise_records(sample.astype(ddf.dtypes.to_dict()))
            standardised = ddf.map_partitions(standardise_records, meta=meta.iloc[:0])
            result = deduplicate_on_dask(standardised, {"keep_pairs": keep_pairs}, engine=opened)
        n = len(result.crosswalk)
        timings = dict(result.timings)
    wall = time.perf_counter() - t0
    crosswalk = result.crosswalk
    pd.DataFrame({"customer_id": crosswalk["customer_id"].astype(str)}).to_parquet(
        out / f"crosswalk_{engine}.parquet", index=False)
    _write_run(out, engine, crosswalk, "customer_id", n, wall,
               int(result.pass_stats["pairs"].iloc[-1]), timings)


def _write_run(out: Path, engine: str, crosswalk: pd.DataFrame, label: str, n: int, wall: float,
               pairs: int, timings: dict) -> None:
    """``run_<engine>.json``: the figures of one run, and whether each of the ``n`` input
    records is in ``crosswalk`` exactly once with a ``label``; ``clusters_<engine>.parquet``
    (``source, record_id, cluster``), scored by the parent once this process has ended (its
    memory is not the run's)."""
    keys = pd.MultiIndex.from_arrays([crosswalk["source"].astype(str),
                                      crosswalk["record_id"].astype(str)])
    accounted = len(crosswalk) == n and keys.is_unique and crosswalk[label].notna().all()
    (out / f"run_{engine}.json").write_text(json.dumps({
        "records": n, "wall_s": wall, "customers": int(crosswalk[label].nunique()),
        "pairs": pairs, "accounted": bool(accounted), "timings": timings}))
    pd.DataFrame({"source": crosswalk["source"].astype(str),
                  "record_id": crosswalk["record_id"].astype(str),
                  "cluster": crosswalk[label].astype(str)}).to_parquet(
        out / f"clusters_{engine}.parquet", index=False)


def _run_splink(data: Path, out: Path, t0: float, memory_limit: str) -> None:
    """Splink on DuckDB on the same records, as ``bench/runners/splink_runner.py`` runs it in
    the dedup benchmark (its demo model and blocking rules), for the comparison issue 14 asks;
    DuckDB limited to ``memory_limit`` (``--memory-limit``), spilling to disk beyond."""
    sys.path.insert(0, str(BENCH / "runners"))
    import splink_runner

    # Only the columns its model reads, as Arrow strings: the records as Python strings would
    # take 10 GB at 10M records before Splink starts.
    wanted = ["source", "record_id", "first_name", "last_name", "birth_date", "email", "phone",
              "postcode", "street", "city"]
    records = pd.read_parquet(data, columns=wanted, dtype_backend="pyarrow")
    clusters, extra = splink_runner.run(records, {"schema": "rcu", "task": "dedupe",
                                                  "duckdb_memory_limit": memory_limit})
    _write_run(out, "splink", clusters, "cluster_id", len(records), time.perf_counter() - t0,
               int(extra["scored_pairs"]),
               {k: v for k, v in extra.items() if k.endswith("_seconds")})


def measure(engine: str, data: Path, out: Path, partition: int | None, timeout: float,
            memory_limit: str, keep_pairs: float = 0.0) -> dict:
    """Run one engine in a child process, sampling the memory of its whole process tree."""
    import psutil

    child = subprocess.Popen([sys.executable, __file__, "--run", engine, "--data", str(data),
                              "--out", str(out), "--memory-limit", memory_limit,
                              "--keep-pairs", str(keep_pairs)]
                             + ([] if partition is None else ["--partition", str(partition)]))
    peak = 0
    stop, out_of_memory = threading.Event(), threading.Event()

    def sample() -> None:
        nonlocal peak
        root = psutil.Process(child.pid)
        while not stop.is_set():
            try:
                procs = [root, *root.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                peak = max(peak, total)
                if psutil.virtual_memory().available < GUARD_BYTES:
                    out_of_memory.set()         # before the kernel kills someone else's job
                    for p in procs:
                        try:
                            p.kill()
                        except psutil.Error:
                            pass
            except psutil.Error:
                pass
            stop.wait(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        code = child.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        child.kill()
        code = "timeout"
    stop.set()
    thread.join()
    if out_of_memory.is_set():
        code = "stopped: the machine's memory ran out"
    row = {"engine": engine, "exit": code, "peak_gb": peak / 1e9}
    result = out / f"run_{engine}.json"
    if code == 0 and result.exists():
        row.update(json.loads(result.read_text()))
    return row


def _versions() -> str:
    """The versions the figures depend on (a new machine installs the newest releases)."""
    from importlib import metadata

    found = []
    for name in ("dask", "distributed", "pandas", "numpy", "pyarrow", "splink", "duckdb"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return f"python {sys.version.split()[0]}, " + ", ".join(found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000000,3000000")
    parser.add_argument("--engines", default="memory,dask1,dask2")
    parser.add_argument("--partition", type=int, default=None,
                        help="records per partition at most (default: the engine's, "
                             "EngineSettings.partition_records; the partitions are also a "
                             "multiple of the workers)")
    parser.add_argument("--memory-up-to", type=int, default=5_000_000,
                        help="skip the memory engine above this many records (it needs ~3 GB a "
                             "million and the machine has 24 GB)")
    parser.add_argument("--timeout", type=float, default=3600)
    parser.add_argument("--memory-limit", default="5GB",
                        help="memory per Dask worker; it spills to disk from 60 %% of it (default "
                             "5GB: two workers and the client fit the 24 GB machine)")
    parser.add_argument("--keep-pairs", type=float, default=0.0,
                        help="DedupSettings.keep_pairs of both engines: the pairs table keeps the "
                             "pairs at or above this probability (default 0: all of them, as the "
                             "product's default; at 10M records that table alone is ~300M rows)")
    parser.add_argument("--run", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        run_one(args.run, Path(args.data), Path(args.out), args.partition, args.memory_limit,
                args.keep_pairs)
        return 0

    stamp = time.strftime("%Y%m%d_%H%M%S")
    versions = _versions()
    print(f"Versions: {versions}", flush=True)
    rows = []
    for n in [int(s) for s in args.sizes.split(",")]:
        data = scale_data(n)
        out = RESULTS / f"dask_{stamp}_{n}"
        out.mkdir(parents=True, exist_ok=True)
        for engine in args.engines.split(","):
            if engine == "memory" and n > args.memory_up_to:
                rows.append({"size": n, "engine": engine, "exit": "skipped"})
                continue
            row = {"size": n, **measure(engine, data, out, args.partition, args.timeout,
                                        args.memory_limit, args.keep_pairs)}
            if row.get("exit") == 0:
                reference = out / "crosswalk_memory.parquet"
                mine = out / f"crosswalk_{engine}.parquet"
                if engine not in ("memory", "splink") and reference.exists():
                    row["same_as_memory"] = bool(pd.read_parquet(reference).equals(
                        pd.read_parquet(mine)))
                row["records_per_s"] = row["records"] / row["wall_s"]
                row.update(scores(out / f"clusters_{engine}.parquet", data.parent / "truth.parquet"))
            rows.append(row)
            print(f"{n:>11,}  {engine:<7} exit {row.get('exit')}  "
                  f"{row.get('wall_s', float('nan')):8.1f} s  "
                  f"{row.get('records_per_s', float('nan')):9,.0f} rec/s  "
                  f"peak {row.get('peak_gb', float('nan')):5.1f} GB  "
                  f"customers {row.get('customers', '-')}  accounted {row.get('accounted', '-')}  "
                  f"F1 {row.get('f1', float('nan')):.4f}  "
                  f"customers {row.get('customer_error_pct', float('nan')):+.1f} %  "
                  f"same as memory {row.get('same_as_memory', '-')}", flush=True)
    table = pd.DataFrame(rows).assign(versions=versions)
    RESULTS.mkdir(parents=True, exist_ok=True)
    table.to_csv(RESULTS / f"dask_{stamp}.csv", index=False)
    shown = [c for c in ("size", "engine", "exit", "wall_s", "records_per_s", "peak_gb",
                         "customers", "accounted", "same_as_memory", "precision", "recall", "f1",
                         "customer_error_pct") if c in table]
    print(table[shown].to_string(index=False))
    dask_runs = table[(table["engine"].astype(str).str.startswith("dask")) & (table["exit"] == 0)]
    if len(dask_runs):
        last = dask_runs.sort_values(["size", "engine"]).iloc[-1]
        workers = int(str(last["engine"]).removeprefix("dask"))
        per_worker = last["records_per_s"] / workers
        memory_per_million = last["peak_gb"] / (last["size"] / 1e6)
        by_speed = math.ceil(50e6 / 3600 / per_worker)          # workers for one hour
        cluster_gb = memory_per_million * 50
        by_memory = math.ceil(cluster_gb / WORKER_GB)           # workers of this machine's size
        print(f"\nOn paper, for 50M records (linear extrapolation of {last['engine']} at "
              f"{int(last['size']):,} records: {per_worker:,.0f} records/s per worker, "
              f"{memory_per_million:.1f} GB per million records in all): one hour needs "
              f"{by_speed} worker{'s' * (by_speed > 1)} by speed, and {cluster_gb:.0f} GB in the "
              f"cluster, so {max(by_speed, by_memory)} workers of {WORKER_GB} GB; the candidate "
              "pairs stay on the workers (about 40 bytes a pair while compared), the client "
              "holds the records' ids, the kept pairs and the links.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
