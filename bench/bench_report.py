"""Benchmark: the full client report of the demo engagement (default size: 5,000 records).

    .venv/bin/python bench/bench_report.py [--records 5000] [--seed 42] [--out DIR]

Generates the demo engagement (timed apart), then times ``rcu_kit.report.run.run_report`` on it: every
notebook of the method that exists under notebooks/, run with papermill, rendered to HTML, plus the
executive summary, and the PDF. Prints the time per notebook, the total and the budget (3 minutes),
the size of the client folder (target: under 15 MiB) and the PDF's pages.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

BUDGET_SECONDS = 180
FOLDER_TARGET_MIB = 15  # the client folder, PDF included (issue 23)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000, help="demo size (default 5000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the demo and the reports (default: a temporary folder)")
    args = parser.parse_args(argv)

    from rcu_kit.sources.demo import generate_demo
    from rcu_kit.report.run import run_report

    out = args.out or Path(tempfile.mkdtemp(prefix="bench_report_"))
    t0 = time.perf_counter()
    demo = generate_demo(out / "demo", n_records=args.records, seed=args.seed)
    t_demo = time.perf_counter() - t0

    t0 = time.perf_counter()
    [result] = run_report([demo.engagement_path], out_root=out / "reports", progress=False)
    total = time.perf_counter() - t0

    print(f"machine: {os.cpu_count()} CPU(s), load average {os.getloadavg()[0]:.1f}")
    print(f"demo: {args.records:,} records over {len(demo.rows_per_source)} sources, "
          f"generated in {t_demo:.1f} s")
    print(f"{'notebook':<28}{'status':<10}{'seconds':>9}{'HTML MB':>9}")
    for run in result.notebooks:
        size = run.html.stat().st_size / 1e6 if run.html else 0.0
        print(f"{run.name:<28}{run.status:<10}{run.seconds:>9.1f}{size:>9.1f}")
    print(f"full report: {total:.1f} s (budget {BUDGET_SECONDS} s: "
          f"{'OK' if total <= BUDGET_SECONDS else 'OVER'})")
    folder_mb = sum(f.stat().st_size for f in result.folder.rglob("*") if f.is_file()) / 2**20
    print(f"client folder: {folder_mb:.1f} MiB (target under {FOLDER_TARGET_MIB} MiB: "
          f"{'OK' if folder_mb < FOLDER_TARGET_MIB else 'OVER'}), of which plotly.js "
          f"{(result.folder / 'plotly.min.js').stat().st_size / 2**20:.1f} MiB (one copy)")
    if result.pdf:
        try:
            from pypdf import PdfReader  # the test extra
            pages = f"{len(PdfReader(result.pdf).pages)} pages, "
        except ImportError:
            pages = ""
        print(f"PDF: {pages}{result.pdf.stat().st_size / 2**20:.1f} MiB ({result.pdf.name})")
    else:
        print("PDF: none (" + "; ".join(w for w in result.warnings if w.startswith("no PDF")) + ")")
    print(f"index: {result.index}")
    if not result.ok:
        print(f"error: {result.error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
