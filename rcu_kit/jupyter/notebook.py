"""Helpers the notebooks call in their first cells: find the engagement, set up display.

Notebooks take an ``engagement_path`` parameter (papermill). Empty means: the file named by the
``RCU_ENGAGEMENT`` environment variable (set by ``rcu-kit lab``), else the demo engagement
``demo/engagement.yaml`` of the current folder (where ``rcu-kit demo`` writes it), else of the
repository when rcu_kit runs from a checkout.
"""

from __future__ import annotations

import os
from pathlib import Path

from rcu_kit.core.config import Engagement, load_engagement

__all__ = ["ENV_VAR", "NOTEBOOKS_DIR", "resolve_engagement_path", "open_engagement"]

ENV_VAR = "RCU_ENGAGEMENT"
#: The method's notebooks, shipped inside the package.
NOTEBOOKS_DIR = Path(__file__).resolve().parents[1] / "notebooks"


def resolve_engagement_path(engagement_path: str | os.PathLike | None = "") -> Path:
    """The engagement file a notebook should use (parameter, then $RCU_ENGAGEMENT, then the demo)."""
    if engagement_path:
        return Path(engagement_path).expanduser().resolve()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser().resolve()
    checkout = Path(__file__).resolve().parents[2]
    for folder in (Path.cwd(), checkout):
        demo = folder / "demo" / "engagement.yaml"
        if demo.exists():
            return demo.resolve()
    raise FileNotFoundError(
        f"no engagement given: set the notebook parameter engagement_path, or ${ENV_VAR}, "
        f"or create the demo with `rcu-kit demo --out {Path.cwd() / 'demo'}`")


def open_engagement(engagement_path: str | os.PathLike | None = "") -> Engagement:
    """Load the engagement a notebook should use; see :func:`resolve_engagement_path`."""
    return load_engagement(resolve_engagement_path(engagement_path))
