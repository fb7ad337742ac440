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

__all__ = ["lab_command", "working_notebooks", "engagement_copy", "lab_settings", "LAB_SETTINGS"]


def engagement_copy(notebook: Path, language: str) -> str:
    """The text of the working copy of a packaged ``notebook`` for an engagement in ``language``.

    The packaged notebooks carry their prose twice, in cells tagged ``lang-fr`` and ``lang-en``;
    the copy keeps the engagement's language only, so the workshop's screen speaks one language.
    """
    import nbformat

    book = nbformat.read(notebook, as_version=4)
    other = {f"lang-{code}" for code in ("fr", "en") if code != language}
    book.cells = [c for c in book.cells if not other & set(c.get("metadata", {}).get("tags", []))]
    return nbformat.writes(book) + "\n"


def working_notebooks(engagement: str | Path, *, refresh: bool = False
                      ) -> tuple[Path, list[str]]:
    """The engagement's working copies of the method's notebooks: ``notebooks/`` beside its file.

    A notebook the package ships and the folder lacks is copied in, in the engagement's language
    (:func:`engagement_copy`); one already there is the consultant's and is never overwritten
    silently. With ``refresh``, the package's version replaces every copy that differs from it,
    the consultant's copy being moved first to ``notebooks/previous/<timestamp>/`` (nothing is
    lost).

    Returns:
        The folder, and the names of the notebooks copied now.
    """
    import datetime as dt

    path = Path(engagement).expanduser().resolve()
    language = load_engagement(path).language
    folder = path.parent / "notebooks"
    folder.mkdir(exist_ok=True)
    copied = []
    backup = folder / "previous" / dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for notebook in sorted(NOTEBOOKS_DIR.glob("*.ipynb")):
        target = folder / notebook.name
        text = engagement_copy(notebook, language)
        if target.exists():
            if not refresh or target.read_text(encoding="utf-8") == text:
                continue
            backup.mkdir(parents=True, exist_ok=True)
            shutil.move(target, backup / notebook.name)
        target.write_text(text, encoding="utf-8")
        copied.append(notebook.name)
    return folder, copied


# JupyterLab settings of the workshop (its ``overrides.json``): widgets saved with the notebook,
# so they come back when it is reopened; no news or update check fetched from the internet
LAB_SETTINGS = {
    "@jupyter-widgets/jupyterlab-manager:plugin": {"saveState": True},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false",
                                                    "checkForUpdates": False},
}


def lab_settings(folder: Path) -> Path:
    """Write the workshop's JupyterLab settings (:data:`LAB_SETTINGS`) under ``folder/.rcu-lab/``
    and return that folder (JupyterLab's application settings folder for the server)."""
    import json

    target = folder / ".rcu-lab"
    target.mkdir(exist_ok=True)
    (target / "overrides.json").write_text(json.dumps(LAB_SETTINGS, indent=2) + "\n",
                                           encoding="utf-8")
    return target


def lab_command(engagement: str | Path, *, open_browser: bool = True, port: int | None = None,
                notebooks_dir: Path | None = None, extra: list[str] | None = None
                ) -> tuple[list[str], dict[str, str]]:
    """The command line and environment that start JupyterLab on the engagement.

    The engagement file is validated first, so a broken file fails here with a clear message
    rather than in the first notebook cell (and nothing is copied). The server opens
    ``notebooks_dir``, by default the engagement's working copies (:func:`working_notebooks`,
    made on first use). As root (a container, a fresh cloud machine) the server is told so
    (``--allow-root``), or Jupyter would refuse to start. The workshop's settings
    (:func:`lab_settings`: widgets saved with the notebooks, no news fetched) are the server's
    application settings. ``extra`` options go to JupyterLab as they are (e.g.
    ``--ServerApp.token=...``, ``--ip=0.0.0.0``).
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
    if not any(e.startswith("--LabApp.app_settings_dir") for e in extra or []):
        cmd.append(f"--LabApp.app_settings_dir={lab_settings(folder)}")
    cmd += list(extra or [])
    env = {**os.environ, ENV_VAR: str(path)}
    return cmd, env
