#!/usr/bin/env python3
"""Bootstrap and run rcu_kit with nothing but Python (3.11 to 3.13): `python3.11 tasks.py demo|test|package`.

- demo: create .venv, install rcu_kit, generate the demo engagement and produce its full audit
  report; it prints the path of the report's index.html ("Report for <client>: ...").
- test: create .venv, install rcu_kit with its test extras, run the whole test suite.
- package: build the wheel, install it (not editable) in a fresh virtual environment for each of
  Python 3.11 and 3.13, and from an empty folder run `rcu-kit demo --out demo` then
  `rcu-kit report demo/engagement.yaml`: the product works installed, away from this checkout.
- templates: regenerate templates/target_model_*.yaml from the package's target models.

Only the standard library is used here, so it works on a fresh machine (Linux, macOS, Windows).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / ("python.exe" if os.name == "nt" else "python")


SUPPORTED = ((3, 11), (3, 12), (3, 13))
PACKAGE_PYTHONS = ("3.11", "3.13")  # the oldest and newest supported, checked by `package`


def _run(*cmd: str | os.PathLike, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.run([str(c) for c in cmd], cwd=cwd, check=True)


def setup(extras: str = "") -> None:
    """Create the virtual environment (once) and install rcu_kit into it (editable)."""
    if sys.version_info[:2] not in SUPPORTED:
        sys.exit(f"rcu_kit needs Python 3.11 to 3.13 (this is {sys.version.split()[0]}); "
                 "run this script with python3.11 (or python3.13).")
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


def templates() -> None:
    """Regenerate templates/target_model_*.yaml from the package's target models (a test checks)."""
    setup()
    _run(PY, "-c", "from rcu_kit.vision.model import write_target_model_templates as w; "
                   "print(*w('templates'), sep='\\n')")


def find_python(version: str) -> str:
    """The interpreter for ``version`` ("3.13"): on PATH, else under pyenv's versions folder."""
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    candidates = [shutil.which(f"python{version}")]
    candidates += sorted(glob.glob(str(root / "versions" / f"{version}.*" / "bin" / f"python{version}")),
                         reverse=True)
    for exe in filter(None, candidates):
        # a pyenv shim exists on PATH but fails when that version is not selected
        if subprocess.run([exe, "-c", "import sys"], capture_output=True).returncode == 0:
            return exe
    sys.exit(f"Python {version} not found (on PATH or under {root / 'versions'}); install it "
             f"(e.g. `pyenv install {version}`) to check the package on it.")


def package() -> None:
    """Build the wheel; in a fresh environment per Python, install it and produce the demo report."""
    setup()
    with tempfile.TemporaryDirectory(prefix="rcu_package_") as tmp:
        wheels = Path(tmp) / "wheels"
        shutil.rmtree(ROOT / "build", ignore_errors=True)  # a stale build/ leaks old files into the wheel
        _run(PY, "-m", "pip", "wheel", "--quiet", "--no-deps", ".", "-w", wheels)
        shutil.rmtree(ROOT / "build", ignore_errors=True)
        wheel = next(wheels.glob("rcu_kit-*.whl"))
        for version in PACKAGE_PYTHONS:
            env_dir = Path(tmp) / f"venv{version}"
            _run(find_python(version), "-m", "venv", env_dir)
            bin_dir = env_dir / ("Scripts" if os.name == "nt" else "bin")
            _run(bin_dir / "python", "-m", "pip", "install", "--quiet", wheel)
            empty = Path(tmp) / f"client{version}"
            empty.mkdir()
            _run(bin_dir / "rcu-kit", "demo", "--out", "demo", cwd=empty)
            _run(bin_dir / "rcu-kit", "report", "demo/engagement.yaml", "--no-progress", cwd=empty)
            pages = sorted(p.name for p in (empty / "reports").rglob("*.html") if "-work" not in str(p))
            expected = {"index.html", "01-customer-vision.html", "02-source-audit.html",
                        "03-mapping-gap-analysis.html", "04-deduplication.html", "05-roadmap.html"}
            if not expected <= set(pages):
                sys.exit(f"Python {version}: the installed package's report lacks "
                         f"{', '.join(sorted(expected - set(pages)))}")
            print(f"Python {version}: the installed wheel produced the demo report "
                  f"({len(pages)} pages)", flush=True)


if __name__ == "__main__":
    tasks = {"demo": demo, "test": test, "package": package, "templates": templates}
    if len(sys.argv) != 2 or sys.argv[1] not in tasks:
        sys.exit("usage: python3.11 tasks.py demo|test|package|templates")
    try:
        tasks[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        sys.exit(exc.returncode)
