"""Load test of ``rcu-kit serve``: concurrent clients against a real server on loopback.

Usage (from the repository root; heavy: take the shared lock)::

    flock /tmp/rcu_heavy.lock .venv/bin/python bench/service_load.py --records 100000 \\
        --clients 16 --duration 120
    flock /tmp/rcu_heavy.lock .venv/bin/python bench/service_load.py --records 1000000 \\
        --clients 16 --duration 600                                # the 10-minute soak

What it does:

1. Prepares, once, the demo engagement at ``--records`` records in
   ``bench/data/service_<N>/`` (``rcu-kit demo``) and its reference index (the deduplication
   run, then :func:`rcu_kit.golden.preventive.build_reference_for_engagement`); later runs
   reuse them (the index is rebuilt when saved by an earlier format). The additions log of
   earlier runs is removed.
2. Starts the real command, ``rcu-kit serve ENGAGEMENT --port P --workers W`` (uvicorn,
   127.0.0.1 only; ``--workers``, default 1), in a child process with ``RCU_API_TOKEN`` set,
   and waits for ``GET /health`` (from every worker: the requests are sent until as many
   different processes answered).
3. Runs ``--clients`` client threads (one keep-alive HTTP connection each) for ``--duration``
   seconds or ``--max-requests`` requests, whichever comes first. Each request is an insert
   (``POST /records``, a new customer ``load/L<n>`` with invented values) with probability
   ``--insert-share``, else a match (``POST /match``) of a reference record drawn at random
   (seeded) with one of four attribute sets a form would send (names + e-mail, names + phone,
   names + postcode + birth date, e-mail only). ``--think`` seconds between a client's
   requests, on average (0: each client sends its next request as soon as it has the answer,
   the harshest load). By default each client behaves like an independent user: it sends its
   first request at a random moment of its first ``--think`` seconds and draws each pause
   uniformly between 0.5 and 1.5 times ``--think`` (as Locust's ``between(a, b)``; the mean
   pause, hence the request rate, is that of the fixed pause), from a generator seeded by
   ``--seed`` and the client's number (:func:`think_times`), so a run is reproducible.
   ``--fixed-think`` is the earlier schedule, which reproduces the figures measured with it:
   every client starts at once and pauses exactly ``--think`` seconds (the clients then keep
   in step and queue behind each other).
4. Samples the server's resident memory (psutil; the command's process and its workers,
   summed) every ``--rss-every`` seconds.
5. Stops the server, starts it again (the additions log is replayed) and checks that every
   insert the server acknowledged (HTTP 200) is found: a match of the inserted record gives
   its customer as the best candidate. ``--check-log`` does only this, on the log an earlier
   run left (its inserts, all acknowledged when that run had no failed request).

Printed: per endpoint, requests, p50 / p95 / p99 / max latency in milliseconds (client side,
loopback), throughput, how busy the machine was (cores used by the server, by these clients and
by other processes: the machine may be shared), errors (non-200 answers and failed connections, by kind); the RSS
samples with the growth from the first sample after the warm-up (``--warmup`` seconds) to the
last; the restart check. The clients run in this process on the same machine: their CPU is
taken from the server's.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
TOKEN = "bench-token"
FORMS = (("last_name", "first_name", "email"), ("last_name", "first_name", "phone"),
         ("last_name", "first_name", "postcode", "birth_date"), ("email",))


def prepare(records: int, seed: int) -> Path:
    """The demo engagement at ``records`` records with its reference index (built once)."""
    from rcu_kit.core.config import load_engagement
    from rcu_kit.golden.preventive import (FORMAT_VERSION, build_reference_for_engagement,
                                           reference_index_path)

    folder = ROOT / "bench" / "data" / f"service_{records}"
    path = folder / "engagement.yaml"
    if not path.exists():
        started = time.perf_counter()
        from rcu_kit.sources.demo import generate_demo

        generate_demo(folder, n_records=records, seed=seed)
        print(f"demo of {records:,} records written in {time.perf_counter() - started:.0f} s")
    engagement = load_engagement(path)
    meta = reference_index_path(engagement).with_suffix(".pkl.json")
    if not meta.exists() or json.loads(meta.read_text())["format"] != FORMAT_VERSION:
        started = time.perf_counter()
        build_reference_for_engagement(engagement, progress=True)
        print(f"reference index built in {time.perf_counter() - started:.0f} s")
    return path


def queries(engagement_path: Path, n: int, seed: int) -> list[dict]:
    """``n`` match bodies from reference records drawn at random (seeded)."""
    from rcu_kit.core.config import load_engagement
    from rcu_kit.golden.preventive import ReferenceIndex, reference_index_path

    index = ReferenceIndex.load(reference_index_path(load_engagement(engagement_path)))
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(index), size=min(n, len(index)), replace=False)
    columns = {c: index.prepared[c].to_numpy(dtype=object) for c in
               ("last_name", "first_name", "email", "phone", "postcode", "birth_date")}
    out = []
    for k, row in enumerate(rows.tolist()):
        record = {c: columns[c][row] for c in FORMS[k % len(FORMS)]}
        record = {c: str(v) for c, v in record.items() if v is not None and v == v}
        if record:
            out.append({"record": record})
    del index
    return out


def insert_body(n: int, rng: random.Random) -> dict:
    """A new customer with invented values (the e-mail is unique to it)."""
    syllables = ("bra", "mon", "tel", "vik", "dor", "sal", "pin", "rou", "gal", "fen", "lis")
    last = "".join(rng.choice(syllables) for _ in range(3)).upper()
    first = "".join(rng.choice(syllables) for _ in range(2)).capitalize()
    return {"record": {"source": "load", "record_id": f"L{n}", "last_name": last,
                       "first_name": first, "email": f"{first}.{last}.{n}@exemple.test".lower(),
                       "phone": f"07{rng.randrange(10**8):08d}",
                       "postcode": f"{rng.randrange(1, 96):02d}{rng.randrange(1000):03d}"}}


def think_times(think: float, fixed: bool, seed: int, client: int) -> Iterator[float]:
    """A client's waits: first before its first request, then after each answer.

    Args:
        think: Mean pause between a client's requests, in seconds (0: no wait at all).
        fixed: The earlier schedule: no wait before the first request, then exactly ``think``.
        seed: The run's seed (``--seed``).
        client: The client's number (each client has its own draws).

    Yields:
        Seconds: the start delay, uniform in [0, ``think``); then each pause, uniform in
        [0.5, 1.5] x ``think`` (mean ``think``). Given ``seed`` and ``client`` the sequence
        is always the same, and independent of the draws that choose the requests.
    """
    if think <= 0 or fixed:
        yield 0.0
        while True:
            yield think
    rng = np.random.default_rng([seed, client, 1])  # not the requests' own generator
    yield float(rng.uniform(0.0, think))
    while True:
        yield float(rng.uniform(0.5 * think, 1.5 * think))


def think_law(think: float, fixed: bool) -> str:
    """The think-time schedule in words, for the run's header."""
    if think <= 0:
        return "no think time (each client sends its next request at once)"
    if fixed:
        return f"fixed think time {think:g} s, every client starting at once (--fixed-think)"
    return (f"think time uniform in [{0.5 * think:g}, {1.5 * think:g}] s (mean {think:g} s), "
            f"each client's first request at a random moment of its first {think:g} s")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(engagement: Path, port: int, timeout: float, log: Path, workers: int = 1
                 ) -> tuple[subprocess.Popen, float]:
    """``rcu-kit serve`` in a child process, its output appended to ``log``; once it answers
    (with ``workers`` > 1, once every worker is up: uvicorn's parent process has that many
    children)."""
    import httpx2 as httpx

    env = os.environ | {"RCU_API_TOKEN": TOKEN}
    started = time.perf_counter()
    before = log.stat().st_size if log.exists() else 0
    with log.open("ab") as out:
        process = subprocess.Popen([str(Path(sys.executable).parent / "rcu-kit"), "serve",
                                    str(engagement), "--port", str(port),
                                    "--workers", str(workers)], env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server stopped (see {log}): "
                               + log.read_text(errors="replace")[-2000:])
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                if workers == 1:
                    return process, time.perf_counter() - started
                # Each worker answers once its index is loaded: wait for all of them.
                with log.open("rb") as fh:
                    fh.seek(before)
                    if fh.read().count(b"Application startup complete") >= workers:
                        return process, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    process.kill()
    raise RuntimeError(f"the server did not answer /health within {timeout:.0f} s")


def stop_server(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def _percentiles(ms: list[float]) -> str:
    if not ms:
        return "no request"
    a = np.asarray(ms)
    return (f"p50 {np.percentile(a, 50):7.1f}  p95 {np.percentile(a, 95):7.1f}  "
            f"p99 {np.percentile(a, 99):7.1f}  max {a.max():7.1f}")


def check_after_restart(engagement: Path, port: int, args: argparse.Namespace, log: Path,
                        acknowledged: list[tuple[dict, str]]) -> int:
    """Start the server again (the additions log is replayed) and count the acknowledged
    inserts whose match gives their customer first; prints the check."""
    import httpx2 as httpx

    server, restart = start_server(engagement, port, args.start_timeout, log, args.workers)
    try:
        found = 0
        missing = []
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30,
                          headers={"Authorization": f"Bearer {TOKEN}"}) as http:
            health = http.get("/health").json()
            for record, customer in acknowledged:
                query = {k: v for k, v in record.items() if k not in ("source", "record_id")}
                answer = http.post("/match", json={"record": query, "top": 1}).json()
                best = answer["candidates"][0]["customer_id"] if answer["candidates"] else None
                if best == customer:
                    found += 1
                else:
                    missing.append(record["record_id"])
        print(f"\nrestart: up again in {restart:.1f} s, {health['added']:,} addition(s) "
              f"replayed; acknowledged inserts found with their customer: "
              f"{found:,} / {len(acknowledged):,}"
              + (f" (missing: {', '.join(missing[:10])})" if missing else ""))
    finally:
        stop_server(server)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="demo reference size")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients")
    parser.add_argument("--duration", type=float, default=60, help="seconds of load at most")
    parser.add_argument("--max-requests", type=int, default=1_000_000,
                        help="requests at most (over all clients)")
    parser.add_argument("--insert-share", type=float, default=0.1,
                        help="share of requests that insert a record (default 0.1)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a client waits between requests (default 0: none); "
                             "each pause is drawn uniformly in [0.5, 1.5] x THINK and each "
                             "client starts at a random moment of its first THINK seconds "
                             "(seeded by --seed)")
    parser.add_argument("--fixed-think", action="store_true",
                        help="the earlier schedule: every client starts at once and pauses "
                             "exactly THINK seconds (reproduces the figures measured with it)")
    parser.add_argument("--warmup", type=float, default=10,
                        help="seconds left out of the memory growth (default 10)")
    parser.add_argument("--rss-every", type=float, default=5, help="memory sample period (s)")
    parser.add_argument("--start-timeout", type=float, default=900,
                        help="seconds to wait for the server to answer (default 900)")
    parser.add_argument("--workers", type=int, default=1,
                        help="rcu-kit serve --workers (default 1)")
    parser.add_argument("--check-log", action="store_true",
                        help="no load: restart the server on the additions log an earlier run "
                             "left and check that each insert it holds is found (every insert "
                             "of a run without failed request was acknowledged)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    import httpx2 as httpx
    import psutil

    engagement = prepare(args.records, args.seed)
    from rcu_kit.core.config import load_engagement
    from rcu_kit.golden.service import additions_log_path

    additions = additions_log_path(load_engagement(engagement))
    if args.check_log:
        from rcu_kit.golden.service import AdditionLog

        logged = [(e["record"], e["customer_id"]) for e in AdditionLog(additions).entries()]
        port = free_port()
        log = Path(tempfile.mkdtemp(prefix="rcu_service_load_")) / "server.log"
        return 0 if check_after_restart(engagement, port, args, log, logged) == len(logged) \
            else 1
    additions.unlink(missing_ok=True)
    pool = queries(engagement, 20_000, args.seed)
    port = free_port()
    log = Path(tempfile.mkdtemp(prefix="rcu_service_load_")) / "server.log"
    server, startup = start_server(engagement, port, args.start_timeout, log, args.workers)
    print(f"server up in {startup:.1f} s on 127.0.0.1:{port} ({args.records:,} records, "
          f"{args.workers} worker(s)); "
          f"{args.clients} clients, {args.duration:.0f} s or {args.max_requests:,} requests, "
          f"{args.insert_share:.0%} inserts, seed {args.seed}; "
          f"{think_law(args.think, args.fixed_think)}")
    base = f"http://127.0.0.1:{port}"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {"match": [], "records": []}
    errors: dict[str, int] = {}
    acknowledged: list[tuple[dict, str]] = []
    counter = {"sent": 0, "inserts": 0}
    clock = {"started": 0.0, "stop_at": 0.0}
    rss: list[tuple[float, float]] = []
    proc = psutil.Process(server.pid)
    tree = [proc, *proc.children(recursive=True)]   # the command and its workers

    def start_clock() -> None:
        clock["started"] = time.monotonic()
        clock["stop_at"] = clock["started"] + args.duration

    # The clock starts once every client has built its HTTP client and opened its connection
    # (GET /health): building 16 httpx clients at once holds the GIL for about 0.4 s (each
    # loads its SSL context), which the first requests counted as latency.
    ready = threading.Barrier(args.clients + 1, action=start_clock)

    def resident() -> float:
        return sum(p.memory_info().rss for p in tree) / 2**20

    def sample_memory() -> None:
        while time.monotonic() < clock["stop_at"] and counter["sent"] < args.max_requests:
            rss.append((time.monotonic() - clock["started"], resident()))
            time.sleep(args.rss_every)
        rss.append((time.monotonic() - clock["started"], resident()))

    def client(number: int) -> None:
        rng = random.Random(args.seed * 1000 + number)
        waits = think_times(args.think, args.fixed_think, args.seed, number)
        with httpx.Client(base_url=base, headers=headers, timeout=30) as http:
            http.get("/health")
            ready.wait()
            first = next(waits)
            if first:
                time.sleep(min(first, max(0.0, clock["stop_at"] - time.monotonic())))
            while time.monotonic() < clock["stop_at"]:
                with lock:
                    if counter["sent"] >= args.max_requests:
                        return
                    counter["sent"] += 1
                    insert = rng.random() < args.insert_share
                    if insert:
                        counter["inserts"] += 1
                        n = counter["inserts"]
                if insert:
                    endpoint, body = "records", insert_body(n, rng)
                else:
                    endpoint, body = "match", pool[rng.randrange(len(pool))]
                start = time.perf_counter()
                try:
                    answer = http.post(f"/{endpoint}", json=body)
                    elapsed = 1000 * (time.perf_counter() - start)
                    kind = None if answer.status_code == 200 else f"{endpoint} HTTP " \
                        f"{answer.status_code}"
                except httpx.HTTPError as exc:
                    elapsed, kind = 1000 * (time.perf_counter() - start), \
                        f"{endpoint} {type(exc).__name__}"
                with lock:
                    latencies[endpoint].append(elapsed)
                    if kind:
                        errors[kind] = errors.get(kind, 0) + 1
                    elif endpoint == "records":
                        acknowledged.append((body["record"], answer.json()["customer_id"]))
                pause = next(waits)
                if pause:
                    time.sleep(pause)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    sampler = threading.Thread(target=sample_memory)
    for t in threads:
        t.start()
    ready.wait()
    wall = time.perf_counter()
    load_before = os.getloadavg()[0]
    machine_before = psutil.cpu_times()
    cpu_before = [p.cpu_times() for p in tree]
    own_before = sum(psutil.Process().cpu_times()[:2])
    sampler.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - wall
    cpu = sum(sum(p.cpu_times()[:2]) - sum(b[:2]) for p, b in zip(tree, cpu_before))
    machine = psutil.cpu_times()
    busy = sum(machine[:3]) - sum(machine_before[:3])     # user, nice, system: every process
    own = sum(psutil.Process().cpu_times()[:2])
    per_process = ", ".join(f"{p.memory_info().rss / 2**20:.0f}" for p in tree)
    sampler.join()

    total = sum(len(v) for v in latencies.values())
    failed = sum(errors.values())
    print(f"\n{total:,} requests in {wall:.1f} s: {total / wall:.1f} requests/s; "
          f"server CPU {cpu:.1f} s ({cpu / wall:.0%} of one core, "
          f"{1000 * cpu / max(total, 1):.1f} ms a request)")
    # The machine may be shared: how busy it was, and with what besides the server.
    print(f"  machine: {busy / wall:.2f} of {psutil.cpu_count()} cores busy (server "
          f"{cpu / wall:.2f}, this script's clients {(own - own_before) / wall:.2f}, other "
          f"processes {(busy - cpu - own + own_before) / wall:.2f}); load average "
          f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}")
    for endpoint, ms in latencies.items():
        print(f"  POST /{endpoint:8s} {len(ms):7,}  {_percentiles(ms)}  ms")
    print(f"  failed requests: {failed}" + (f" {errors}" if errors else ""))
    print(f"  server RSS (MiB) per process at the end (command, workers): {per_process}")
    print("  server RSS (MiB, summed) over time: " + ", ".join(f"{t:.0f}s {m:.0f}" for t, m in rss))
    after = [m for t, m in rss if t >= args.warmup]
    if len(after) >= 2:
        print(f"  RSS growth after the {args.warmup:.0f} s warm-up: {after[0]:.0f} -> "
              f"{after[-1]:.0f} MiB ({(after[-1] - after[0]) / after[0]:+.1%}), "
              f"peak {max(m for _, m in rss):.0f} MiB")

    stop_server(server)
    found = check_after_restart(engagement, port, args, log, acknowledged)
    # The server's log must hold none of the values sent (names, e-mails, phones).
    text = log.read_text(errors="replace")
    leaked = sum(1 for record, _ in acknowledged for key in ("last_name", "email", "phone")
                 if record[key] in text)
    print(f"server log: {len(text.splitlines()):,} lines ({log}); values of inserted records "
          f"found in it: {leaked}")
    return 0 if not failed and found == len(acknowledged) and not leaked else 1


if __name__ == "__main__":
    sys.exit(main())
