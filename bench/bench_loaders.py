"""Benchmark of rcu_kit.sources.loaders on a large CSV: load time and peak memory.

Writes a ROWS x 10 French customer extract, cp1252 and ';'-separated (the typical legacy CRM
export), into a temporary folder, then loads it with ``load_source`` (encoding and separator
detected) in a fresh Python process, so that the memory figure is the loader's alone.

Usage::

    .venv/bin/python bench/bench_loaders.py --rows 1000000
    .venv/bin/python bench/bench_loaders.py --rows 1000000 --bad-every 10000   # broken lines
    .venv/bin/python bench/bench_loaders.py --rows 1000000 --quote-all         # "a";"b";...

Prints the file size, the load time (best of ``--repeat``), rows/s, the peak resident memory of
the loading process and its increase over the process baseline (Python + pandas + pyarrow).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

NAMES = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "RICHARD", "PETIT", "DURAND", "LEFÈVRE",
         "MOREAU", "GARÇON", "CŒUR", "FRANÇOIS", "MÉNARD"]
FIRST = ["Jean-Pierre", "Marie", "Hélène", "François", "Zoé", "Léa", "Jérôme", "Anaïs", "Noël",
         "Bérénice", "Chloé", "Maël"]
CIVILITY = ["M.", "Mme", "Mlle", ""]
CITIES = ["Paris", "Lyon", "Orléans", "Besançon", "Saint-Étienne", "Nîmes", "Pontarlier", "Évry",
          "Bourg-en-Bresse"]
STREETS = ["rue de la Paix", "av. Foch", "bd Saint-Michel", "chem. des Vignes", "place de l'Église"]
HEADER = ["id", "civilite", "nom", "prenom", "email", "telephone", "adresse", "code_postal", "ville",
          "montant"]


def write_csv(path: Path, rows: int, seed: int = 0, bad_every: int = 0, quote_all: bool = False) -> int:
    """Write the benchmark extract; returns the number of broken lines written."""
    rng = np.random.default_rng(seed)
    chunk = 100_000
    broken = 0
    with open(path, "w", encoding="cp1252", newline="") as f:
        f.write(";".join(HEADER) + "\n")
        for start in range(0, rows, chunk):
            n = min(chunk, rows - start)
            ids = np.arange(start + 1, start + n + 1).astype(str)
            pick = lambda options: np.asarray(options, dtype=object)[rng.integers(0, len(options), n)]  # noqa: E731
            cols = [
                np.char.add("C", ids),
                pick(CIVILITY), pick(NAMES), pick(FIRST),
                np.char.add(np.char.add("client", ids), "@exemple.fr"),
                np.char.add("06", rng.integers(10_000_000, 99_999_999, n).astype(str)),
                np.char.add(np.char.add(rng.integers(1, 200, n).astype(str), " "), pick(STREETS).astype(str)),
                np.char.zfill(rng.integers(1000, 95999, n).astype(str), 5),
                pick(CITIES),
                np.char.add(rng.integers(1, 500, n).astype(str), ",50 €"),
            ]
            lines = []
            for i, record in enumerate(zip(*cols)):
                fields = [str(v) for v in record]
                if bad_every and (start + i + 1) % bad_every == 0:
                    fields = fields[:-1]  # one field missing
                    broken += 1
                if quote_all:
                    fields = ['"' + v.replace('"', '""') + '"' for v in fields]
                lines.append(";".join(fields))
            f.write("\n".join(lines) + "\n")
    return broken


def _load_in_this_process(path: str) -> None:
    import resource

    import psutil

    from rcu_kit.core.config import Source
    from rcu_kit.sources.loaders import load_source

    baseline = psutil.Process().memory_info().rss
    start = time.perf_counter()
    loaded = load_source(Source(name="bench", path=path))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kB on Linux
    print(json.dumps({"seconds": seconds, "peak": peak, "baseline": baseline,
                      "rows_read": loaded.rows_read, "rows_loaded": len(loaded.frame),
                      "bad_lines": len(loaded.bad_lines), "encoding": loaded.encoding,
                      "bad_line_numbers": [b.line_number for b in loaded.bad_lines],
                      "separator": loaded.separator, "columns": loaded.frame.shape[1]}))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000, help="data rows (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="loads to run; the best is kept (default 3)")
    parser.add_argument("--bad-every", type=int, default=0,
                        help="make every N-th row one field short (default 0: none)")
    parser.add_argument("--quote-all", action="store_true", help="quote every field")
    parser.add_argument("--load", help=argparse.SUPPRESS)  # internal: load this file and report
    args = parser.parse_args(argv)
    if args.load:
        _load_in_this_process(args.load)
        return 0

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        t0 = time.perf_counter()
        broken = write_csv(path, args.rows, bad_every=args.bad_every, quote_all=args.quote_all)
        size = path.stat().st_size
        print(f"file: {args.rows:,} rows x {len(HEADER)} columns, cp1252, ';', "
              f"{broken:,} broken lines, {'all fields quoted, ' if args.quote_all else ''}"
              f"{size / 1e6:.1f} MB (written in {time.perf_counter() - t0:.1f} s)")
        runs = []
        for _ in range(args.repeat):
            out = subprocess.run([sys.executable, __file__, "--load", str(path)], check=True,
                                 capture_output=True, text=True).stdout
            runs.append(json.loads(out.strip().splitlines()[-1]))
        best = min(runs, key=lambda r: r["seconds"])
        expected_loaded = args.rows - broken
        assert best["rows_read"] == args.rows and best["rows_loaded"] == expected_loaded, best
        assert (best["encoding"], best["separator"]) == ("cp1252", ";"), best
        # Data row r is on line r + 1 (the header is line 1): the numbers must be exact.
        expected_lines = [r + 1 for r in range(args.bad_every, args.rows + 1, args.bad_every)] \
            if args.bad_every else []
        assert best["bad_line_numbers"] == expected_lines, "bad line numbers are wrong"
        print(f"detected: encoding {best['encoding']}, separator {best['separator']!r}; "
              f"rows_read {best['rows_read']:,}, rows_loaded {best['rows_loaded']:,}, "
              f"bad_lines {best['bad_lines']:,}")
        times = ", ".join(f"{r['seconds']:.2f}" for r in runs)
        print(f"load time: best {best['seconds']:.2f} s of {args.repeat} ({times}), "
              f"{args.rows / best['seconds']:,.0f} rows/s")
        print(f"peak memory: {best['peak'] / 2**20:,.0f} MiB resident "
              f"(+{(best['peak'] - best['baseline']) / 2**20:,.0f} MiB over the "
              f"{best['baseline'] / 2**20:,.0f} MiB baseline)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
