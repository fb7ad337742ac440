#!/usr/bin/env python3
"""Bootstrap and run rcu_kit with nothing but Python 3.11: `python3 tasks.py demo|test`.

- demo: create .venv, install rcu_kit, generate the demo engagement and produce its full audit
  report; it prints the path of the report's index.html ("Report for <client>: ...").
- test: create .venv, install rcu_kit with its test extras, run the whole test suite.

Only the standard library is used here, so it works on a fresh machine (Linux, macOS, Windows).
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


def _run(*cmd: str | os.PathLike) -> None:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    subprocess.run([str(c) for c in cmd], cwd=ROOT, check=True)


def setup(extras: str = "") -> None:
    """Create the virtual environment (once) and install rcu_kit into it (editable)."""
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"rcu_kit needs Python 3.11 (this is {sys.version.split()[0]}); "
                 "run this script with python3.11.")
    if not PY.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
        _run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    target = f".[{extras}]" if extras else "."
    _run(PY, "-m", "pip", "install", "--quiet", "-e", target)


def demo() -> None:
    """Generate the demo engagement and produce its full client audit report."""
    setup()
    _run(BIN / "rcu-kit", "demo", "--out", "demo")
    _run(BIN / "rcu-kit", "report", "demo/engagement.yaml", "--out", "reports")


def test() -> None:
    """Install with test extras and run the whole suite (what CI runs)."""
    setup("test")
    # the unit and notebook tests, plus nbval executing every notebook on a small demo
    # (--dist loadfile keeps each notebook's cells on one worker, in one kernel)
    _run(PY, "-m", "pytest", "-n", "2", "--dist", "loadfile", "--nbval-lax", "tests", "notebooks",
         "--durations=15")


if __name__ == "__main__":
    tasks = {"demo": demo, "test": test}
    if len(sys.argv) != 2 or sys.argv[1] not in tasks:
        sys.exit("usage: python3 tasks.py demo|test")
    try:
        tasks[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
