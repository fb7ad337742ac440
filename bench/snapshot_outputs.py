"""Fingerprint everything a demo engagement's report run produces, to show a change kept behaviour.

Runs, through the installed ``rcu-kit`` command only (so it works on any layout of the package):
``rcu-kit demo`` at a fixed size and seed, then ``rcu-kit report`` (notebooks 01-05 and 04b, which
write every step's tables). It then fingerprints each table of the engagement's output folder
(CSV, JSON, Parquet, and each sheet of each Excel workbook, read as data, so file metadata such as
a workbook's creation time does not count) and the visible text of the report's pages.

    .venv/bin/python bench/snapshot_outputs.py --out /tmp/snap_a      # writes fingerprints.json
    .venv/bin/python bench/snapshot_outputs.py --compare /tmp/snap_a /tmp/snap_b

Give both runs folders of the same name length (``/tmp/snap_a``, ``/tmp/snap_b``): report
tables cut long values such as paths to a fixed width.

``--compare`` prints every file whose fingerprint differs (or exists on one side only) and exits 1
if any does.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

BIN = Path(sys.executable).parent

# Volatile parts of report pages: run timestamps, stage timings, plotly's random div ids.
_VOLATILE = [
    (re.compile(r"\{'load': [^}]*\}"), "<timings>"),
    (re.compile(r"\d{4}-\d{2}-\d{2}[ T_]\d{2}[:h]?\d{2}([:]?\d{2})?"), "<time>"),
    (re.compile(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"), "<time>"),
    (re.compile(r"/tmp/\S+|/work/\S+"), "<path>"),
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"), "<uuid>"),
    (re.compile(r"\b\d+([.,]\d+)? ?s\b"), "<secs>"),
]


def _frame_text(frame: pd.DataFrame) -> str:
    """The frame as CSV, without the columns that time a stage (they vary from run to run)."""
    timed = [c for c in frame.columns if "seconds" in str(c) or "durée" in str(c).lower()]
    return frame.drop(columns=timed).to_csv(index=False, lineterminator="\n")


def _cell(html_cell: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", html_cell)).split())


def _table_text(table: str) -> str:
    """An HTML table's cells, row by row, without the columns that time a stage."""
    rows = [[_cell(c) for c in re.findall(r"(?s)<t[hd][^>]*>(.*?)</t[hd]>", row)]
            for row in re.findall(r"(?s)<tr.*?</tr>", table)]
    header = rows[0] if rows else []
    timed = {i for i, name in enumerate(header) if "seconds" in name or "durée" in name.lower()}
    return "\n".join("|".join(c for i, c in enumerate(row) if i not in timed) for row in rows)


def _visible_text(page: str) -> str:
    page = re.sub(r"(?s)<script.*?</script>|<style.*?</style>", " ", page)
    text = html.unescape(re.sub(r"<[^>]+>", " ", page))
    for pattern, repl in _VOLATILE:
        text = pattern.sub(repl, text)
    return " ".join(text.split())


def fingerprint(root: Path) -> dict[str, str]:
    """Fingerprints of the tables under ``root/demo/output`` and the pages of the report under
    ``root/reports``; the run's own folder is written ``<root>`` (it differs from run to run)."""
    output = root / "demo" / "output"
    report = next((root / "reports").rglob("index.html")).parent

    def _digest(text: str) -> str:
        return hashlib.sha256(text.replace(str(root), "<root>").encode("utf-8")).hexdigest()[:16]

    prints: dict[str, str] = {}
    for path in sorted(output.rglob("*")):
        rel = "output/" + path.relative_to(output).as_posix()
        if path.suffix == ".csv":
            prints[rel] = _digest(path.read_text(encoding="utf-8-sig"))
        elif path.suffix == ".json":
            data = json.loads(path.read_text())
            if isinstance(data, dict):
                data.pop("timings", None)
            prints[rel] = _digest(json.dumps(data, sort_keys=True))
        elif path.suffix == ".parquet":
            prints[rel] = _digest(_frame_text(pd.read_parquet(path)))
        elif path.suffix == ".xlsx":
            for sheet, frame in pd.read_excel(path, sheet_name=None).items():
                prints[f"{rel}[{sheet}]"] = _digest(_frame_text(frame))
    for path in sorted(report.glob("*.html")):  # the summary and the notebooks' pages; the
        # ydata profiles (under files/) hold their own timestamps and random ids
        page = path.read_text(encoding="utf-8")
        tables = re.findall(r"(?s)<table.*?</table>", page)
        prose = re.sub(r"(?s)<table.*?</table>", " <table> ", page)
        prints["report/" + path.name] = _digest(_visible_text(prose))
        for i, table in enumerate(tables):
            prints[f"report/{path.name}[table {i}]"] = _digest(_table_text(table))
    return prints


def snapshot(out: Path, records: int, seed: int) -> Path:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    subprocess.run([BIN / "rcu-kit", "demo", "--out", out / "demo", "--records", str(records),
                    "--seed", str(seed)], check=True)
    subprocess.run([BIN / "rcu-kit", "report", out / "demo" / "engagement.yaml", "--out",
                    out / "reports"], check=True)
    return write_fingerprints(out)


def write_fingerprints(out: Path) -> Path:
    prints = fingerprint(out)
    target = out / "fingerprints.json"
    target.write_text(json.dumps(prints, indent=1, sort_keys=True))
    print(f"{len(prints)} fingerprints written to {target}")
    return target


def compare(a: Path, b: Path) -> int:
    left = json.loads((a / "fingerprints.json").read_text())
    right = json.loads((b / "fingerprints.json").read_text())
    differ = sorted(k for k in left.keys() | right.keys() if left.get(k) != right.get(k))
    for key in differ:
        where = "only in " + (str(a) if key not in right else str(b)) if key not in left or key not in right \
            else "differs"
        print(f"{key}: {where}")
    print(f"{len(left.keys() & right.keys())} outputs in both, {len(differ)} differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, help="folder for the run and its fingerprints.json")
    parser.add_argument("--records", type=int, default=3000, help="demo size (default 3000)")
    parser.add_argument("--seed", type=int, default=42, help="demo seed (default 42)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"),
                        help="compare two snapshot folders instead of running")
    parser.add_argument("--fingerprint-only", action="store_true",
                        help="recompute fingerprints.json of the run already in --out")
    args = parser.parse_args()
    if args.fingerprint_only:
        write_fingerprints(args.out)
        return 0
    if args.compare:
        return compare(*args.compare)
    if not args.out:
        parser.error("give --out DIR (or --compare BEFORE AFTER)")
    snapshot(args.out, args.records, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
