"""Benchmark of the source audit: KPIs over all rows plus a sampled ydata profile.

Builds a realistic French customer extract (10 columns: id, civility, last and first name,
e-mail, phone, postcode, city, birth date, creation date; with blanks, lost leading zeros,
mixed phone formats and garbage), writes it as a ';'-separated CSV, loads it through
:func:`rcu_kit.sources.loaders.load_all` and runs the audit on it, printing the wall time and the CPU
time of each stage and the process's peak memory. The machine may be shared: wall time then
includes waiting for a core, CPU time does not; both are printed, with the load average.

Target (issue 3): 1,000,000 rows x 10 columns in at most 60 s and 4 GB peak memory.
Measured (2026-05, 2 shared cores, load average 3.4): load + audit 26.1 s wall, 12.3 s CPU
(load 1.7, values 1.8, types 0.7, quality 3.4, duplicates 2.3, profile 2.4 s CPU); peak RSS
1.2 GB. Before the shared distinct values: 175 s wall, 48 s CPU (load average 8.7).

Run:
    .venv/bin/python bench/bench_audit.py --rows 1000000
    .venv/bin/python bench/bench_audit.py --rows 200000 --profile-sample-size 50000
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
from unidecode import unidecode

LAST = np.array(["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND",
                 "LEROY", "MOREAU", "SIMON", "LAURENT", "LEFEBVRE", "MICHEL", "GARCIA", "DAVID",
                 "BERTRAND", "ROUX", "VINCENT", "FOURNIER", "N'DIAYE", "LE GALL", "MÜLLER"])
FIRST = np.array(["Jean", "Marie", "Pierre", "Nathalie", "Michel", "Isabelle", "Jean-Pierre",
                  "Sylvie", "Philippe", "Catherine", "Éloïse", "Léa", "Hugo", "Chloé", "Louis"])
CITIES = np.array(["PARIS", "Lyon", "Marseille", "TOULOUSE", "Nice", "Nantes", "Bourg-en-Bresse",
                   "Ajaccio", "Saint-Denis", "Lille"])
DOMAINS = np.array(["gmail.com", "orange.fr", "free.fr", "wanadoo.fr", "hotmail.fr", "yahoo.fr"])


def _blank(rng: np.random.Generator, values: np.ndarray, rate: float) -> np.ndarray:
    out = values.astype(object)
    out[rng.random(len(out)) < rate] = ""
    return out


def build_frame(n: int, seed: int = 42, start: int = 0) -> pd.DataFrame:
    """A realistic ``n``-row, 10-column customer extract (all text, as a CSV would hold it).

    ``start``: the first record's number, to build a large extract in consecutive parts (each
    with its own ``seed``) that make one extract: ids run on, repeated persons may be earlier ones.
    """
    rng = np.random.default_rng(seed)
    # ~8 % of the records repeat an earlier person (same e-mail / phone / name + birth date)
    person = np.arange(start, start + n)
    dup = rng.random(n) < 0.08
    person[dup] = rng.integers(0, start + n, dup.sum())
    last = LAST[person % len(LAST)]
    first = FIRST[(person // 7) % len(FIRST)]
    digits = (person * 7919 % 10**8).astype(np.int64)
    ascii_first = np.array([unidecode(v).lower().replace("-", "") for v in FIRST])[(person // 7) % len(FIRST)]
    ascii_last = np.array([unidecode(v).lower().replace(" ", "").replace("'", "") for v in LAST])[person % len(LAST)]
    local = np.char.add(np.char.add(ascii_first, "."), np.char.add(ascii_last, person.astype(str)))
    email = np.char.add(np.char.add(local, "@"), DOMAINS[person % len(DOMAINS)])
    # 06 numbers, and 07 numbers in the allocated 073-079 range
    prefix = np.where(person % 3 == 0, np.char.add("07", (3 + person % 7).astype(str)), "06")
    body = np.where(person % 3 == 0, np.char.zfill((digits % 10**7).astype(str), 7),
                    np.char.zfill(digits.astype(str), 8))
    nat = np.char.add(prefix, body)
    fmt = rng.integers(0, 4, n)
    spaced = np.array([f"{p[:2]} {p[2:4]} {p[4:6]} {p[6:8]} {p[8:]}" for p in nat[:1000]])
    phone = np.where(fmt == 0, nat, np.where(fmt == 1, np.char.add("+33", np.char.lstrip(nat, "0")),
                     np.where(fmt == 2, np.char.add("33", np.char.lstrip(nat, "0")), nat))).astype(object)
    phone[fmt == 3] = spaced[person[fmt == 3] % 1000]  # a thousand spaced numbers, repeated
    dept = 1 + person % 95
    postcode = np.char.add(np.char.zfill(dept.astype(str), 2), np.char.zfill((person % 50 * 10).astype(str), 3))
    lost = (dept < 10) & (rng.random(n) < 0.3)  # spreadsheet dropped the leading zero
    postcode = np.where(lost, np.char.lstrip(postcode, "0"), postcode)
    birth = pd.Timestamp("1940-01-01") + pd.to_timedelta(person % 25000, unit="D")
    created = pd.Timestamp("2010-01-01") + pd.to_timedelta(rng.integers(0, 5400, n), unit="D")
    civ = np.array(["M.", "Mme", "MME", "Monsieur", "Madame", "Mlle", "?"])[rng.integers(0, 7, n)]
    frame = pd.DataFrame({
        "id_client": np.char.add("C", np.char.zfill(np.arange(start, start + n).astype(str), 8)),
        "civilite": _blank(rng, civ, 0.05),
        "nom": last, "prenom": _blank(rng, first, 0.02),
        "email": _blank(rng, email, 0.25),
        "telephone": _blank(rng, phone, 0.15),
        "code_postal": _blank(rng, postcode, 0.03),
        "ville": CITIES[person % len(CITIES)],
        "date_naissance": _blank(rng, birth.strftime("%d/%m/%Y").to_numpy(), 0.4),
        "date_creation": created.strftime("%Y-%m-%d %H:%M:%S").to_numpy(),
    })
    garbage = rng.random(n) < 0.01
    frame.loc[garbage, "email"] = "n/a"
    frame.loc[rng.random(n) < 0.005, "date_naissance"] = "00/00/0000"
    return frame


class PeakMemory:
    """Peak resident memory of this process, sampled every 20 ms by a thread (psutil)."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._proc = psutil.Process()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._proc.memory_info().rss)
            time.sleep(0.02)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the extract (default 1,000,000)")
    parser.add_argument("--profile-sample-size", type=int, default=100_000,
                        help="rows profiled by ydata (default 100,000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the CSV and outputs in")
    args = parser.parse_args(argv)

    from rcu_kit.audit.run import audit_frames
    from rcu_kit.core.config import Engagement
    from rcu_kit.sources.loaders import load_all
    from rcu_kit.audit.profiling import _ydata

    _ydata()  # import ydata-profiling (and matplotlib) outside the timed stages: ~5 s, once

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        frame = build_frame(args.rows, args.seed)
        csv = folder / "clients.csv"
        frame.to_csv(csv, sep=";", index=False)
        del frame
        print(f"generate + write CSV   {time.perf_counter() - t0:7.1f} s   "
              f"({csv.stat().st_size / 1e6:,.0f} MB, {args.rows:,} rows x 10 columns)")

        engagement = Engagement(client="Bench", base_dir=folder, seed=args.seed,
                                sources=[{"name": "clients", "path": str(csv)}])
        with PeakMemory() as memory:
            load_before = psutil.getloadavg()[0]
            start, cpu_start = time.perf_counter(), time.process_time()
            loaded = load_all(engagement)
            load_s, load_cpu = time.perf_counter() - start, time.process_time() - cpu_start
            result = audit_frames(engagement, loaded, profile_sample_size=args.profile_sample_size,
                                  progress=False)
            total, total_cpu = time.perf_counter() - start, time.process_time() - cpu_start
        print(f"{'stage':<22} {'wall':>7}     {'CPU':>7}")
        print(f"{'load (loaders)':<22} {load_s:7.1f} s   {load_cpu:7.1f} s")
        for stage, seconds in result.seconds.items():
            print(f"{stage:<22} {seconds:7.1f} s   {result.cpu_seconds.get(stage, float('nan')):7.1f} s")
        print(f"{'TOTAL load + audit':<22} {total:7.1f} s   {total_cpu:7.1f} s   (target <= 60 s wall; "
              f"load average {load_before:.1f} before, {psutil.getloadavg()[0]:.1f} after, "
              f"on {psutil.cpu_count()} cores)")
        peak_mb = memory.peak / 2**20
        maxrss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory (RSS)      {peak_mb:7.0f} MB  (ru_maxrss {maxrss_mb:.0f} MB; target <= 4096 MB)")
        k = result.kpis.set_index("column")
        print("\ncolumn           type        complete  valid  repairable")
        for col, r in k.iterrows():
            validity = "" if pd.isna(r.validity) else f"{r.validity:6.1%}"
            repairable = "" if pd.isna(r.repairable) else f"{int(r.repairable):,}"
            print(f"{col:<16} {r.semantic_type:<11} {r.completeness:7.1%}  {validity:>6}  {repairable:>9}")
        dup = result.duplicates.set_index("key")
        print("\nexact duplicates: " + ", ".join(
            f"{key} {int(row.duplicate_rows):,}" for key, row in dup.iterrows()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
