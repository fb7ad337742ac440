"""The notebooks' side: finding the engagement a notebook runs on (:mod:`~rcu_kit.jupyter.notebook`)
and the JupyterLab command line (:mod:`~rcu_kit.jupyter.lab`).
"""

from rcu_kit.jupyter.notebook import (
    ENV_VAR, NOTEBOOKS_DIR, open_engagement, resolve_engagement_path
)

__all__ = ["ENV_VAR", "NOTEBOOKS_DIR", "open_engagement", "resolve_engagement_path"]
