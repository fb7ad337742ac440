"""Open JupyterLab on the rcu_kit notebooks with one engagement selected.

The notebooks read their engagement from the ``engagement_path`` parameter, falling back to the
``RCU_ENGAGEMENT`` environment variable (see :mod:`rcu_kit.jupyter.notebook`); this module sets that
variable for the Jupyter server it starts, so every notebook opened there uses the engagement.

The server opens the engagement's own working copies (:func:`working_notebooks`: the package's
notebooks copied once into ``notebooks/`` beside the engagement file), so what the consultant runs
and saves in a workshop stays with the engagement, never in the installed package.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from rcu_kit.core.config import load_engagement
from rcu_kit.jupyter.notebook import ENV_VAR, NOTEBOOKS_DIR

__all__ = ["lab_command", "working_notebooks"]


def working_notebooks(engagement: str | Path, *, refresh: bool = False
                      ) -> tuple[Path, list[str]]:
    """The engagement's working copies of the method's notebooks: ``notebooks/`` beside its file.

    A notebook the package ships and the folder lacks is copied in; one already there is the
    consultant's and is never overwritten silently. With ``refresh``, the package's version
    replaces every copy that differs from it, the consultant's copy being moved first to
    ``notebooks/previous/<timestamp>/`` (nothing is lost).

    Returns:
        The folder, and the names of the notebooks copied now.
    """
    import datetime as dt
    import filecmp

    folder = Path(engagement).expanduser().resolve().parent / "notebooks"
    folder.mkdir(exist_ok=True)
    copied = []
    backup = folder / "previous" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for notebook in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        target = folder / notebook.name
        if target.exists():
            if not refresh or filecmp.cmp(notebook, target, shallow=False):
                continue
            backup.mkdir(parents=True, exist_ok=True)
            shutil.move(target, backup / notebook.name)
        shutil.copyfile(notebook, target)
        copied.append(notebook.name)
    return folder, copied


def lab_command(engagement: str | Path, *, open_browser: bool = True, port: int | None = None,
                notebooks_dir: Path | None = None, extra: list[str] | None = None
                ) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that start JupyterLab on the engagement.

    The engagement file is validated first, so a broken file fails here with a clear message
    rather than in the first notebook cell (and nothing is copied). The server opens
    ``notebooks_dir``, by default the engagement's working copies (:func:`working_notebooks`,
    made on first use). As root (a container, a fresh cloud machine) the server is told so
    (``--allow-root``), or Jupyter would refuse to start. ``extra`` options go to JupyterLab as
    they are (e.g. ``--ServerApp.token=...``, ``--ip=0.0.0.0``).
    """
    path = Path(engagement).expanduser().resolve()
    load_engagement(path)
    folder = notebooks_dir or working_notebooks(path)[0]
    if not folder.is_dir():
        raise FileNotFoundError(f"notebooks folder not found: {folder}")
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={folder}"]
    if not open_browser:
        cmd.append("--no-browser")
    if port is not None:
        cmd.append(f"--port={port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in (extra or []):
        cmd.append("--allow-root")
    cmd += list(extra or [])
    env = {**os.environ, ENV_VAR: str(path)}
    return cmd, env
