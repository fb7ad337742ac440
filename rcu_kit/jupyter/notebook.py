"""Helpers the notebooks call in their first cells: find the engagement, set up display.

Notebooks take an ``engagement_path`` parameter (papermill). Empty means: the file named by the
``RCU_ENGAGEMENT`` environment variable (set by ``rcu-kit lab``), else the demo engagement in
``<repository>/demo/engagement.yaml``.
"""

from __future__ import annotations

import os
from pathlib import Path

from rcu_kit.core.config import Engagement, load_engagement

__all__ = ["ENV_VAR", "resolve_engagement_path", "open_engagement"]

ENV_VAR = "RCU_ENGAGEMENT"
REPO_ROOT = Path(__file__).resolve().parents[2]


def resolve_engagement_path(engagement_path: str | os.PathLike | None = "") -> Path:
    """The engagement file a notebook should use (parameter, then $RCU_ENGAGEMENT, then the demo)."""
    if engagement_path:
        return Path(engagement_path).expanduser().resolve()
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser().resolve()
    demo = REPO_ROOT / "demo" / "engagement.yaml"
    if not demo.exists():
        raise FileNotFoundError(
            f"no engagement given: set the notebook parameter engagement_path, or ${ENV_VAR}, "
            f"or create the demo with `rcu-kit demo --out {REPO_ROOT / 'demo'}`")
    return demo


def open_engagement(engagement_path: str | os.PathLike | None = "") -> Engagement:
    """Load the engagement a notebook should use; see :func:`resolve_engagement_path`."""
    return load_engagement(resolve_engagement_path(engagement_path))
