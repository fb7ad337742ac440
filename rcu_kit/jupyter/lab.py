"""Open JupyterLab on the rcu_kit notebooks with one engagement selected.

The notebooks read their engagement from the ``engagement_path`` parameter, falling back to the
``RCU_ENGAGEMENT`` environment variable (see :mod:`rcu_kit.jupyter.notebook`); this module sets that
variable for the Jupyter server it starts, so every notebook opened there uses the engagement.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from rcu_kit.core.config import load_engagement
from rcu_kit.jupyter.notebook import ENV_VAR, NOTEBOOKS_DIR

__all__ = ["lab_command"]


def lab_command(engagement: str | Path, *, open_browser: bool = True, port: int | None = None,
                notebooks_dir: Path | None = None) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that start JupyterLab on the engagement.

    The engagement file is validated first, so a broken file fails here with a clear message
    rather than in the first notebook cell. As root (a container, a fresh cloud machine) the
    server is told so (``--allow-root``), or Jupyter would refuse to start.
    """
    path = Path(engagement).expanduser().resolve()
    load_engagement(path)
    folder = notebooks_dir or NOTEBOOKS_DIR
    if not folder.is_dir():
        raise FileNotFoundError(f"notebooks folder not found: {folder}")
    cmd = [sys.executable, "-m", "jupyter", "lab", f"--ServerApp.root_dir={folder}"]
    if not open_browser:
        cmd.append("--no-browser")
    if port is not None:
        cmd.append(f"--port={port}")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    env = {**os.environ, ENV_VAR: str(path)}
    return cmd, env
