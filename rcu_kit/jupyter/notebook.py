"""Helpers the notebooks call in their first cells: find the engagement, set up display.

Notebooks take an ``engagement_path`` parameter (papermill). Empty means: the file named by the
``RCU_ENGAGEMENT`` environment variable (set by ``rcu-kit lab``), else the demo engagement
``demo/engagement.yaml`` of the current folder (where ``rcu-kit demo`` writes it), else of the
repository when rcu_kit runs from a checkout.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path

from rcu_kit.core.config import Engagement, load_engagement

__all__ = ["ENV_VAR", "NOTEBOOKS_DIR", "resolve_engagement_path", "open_engagement",
           "offline_charts"]

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
    """Load the engagement a notebook should use (see :func:`resolve_engagement_path`), make
    its charts work offline (:func:`offline_charts`) and its progress bars speak its language."""
    from rcu_kit.core.progress import set_language

    engagement = load_engagement(resolve_engagement_path(engagement_path))
    offline_charts()
    set_language(engagement.language)  # progress bars in the engagement's language
    return engagement


# plotly's HTML renderers always add a script tag that loads MathJax from a CDN
# (``include_mathjax="cdn"``); the charts here have no LaTeX, so the tag only makes a request
# to the internet from the client's screen
_MATHJAX_CDN = re.compile(r'<script src="https://cdnjs\.cloudflare\.com/ajax/libs/mathjax/[^"]*">'
                          r"</script>")


@functools.cache
def _offline_renderer_class() -> type:
    from plotly.io.base_renderers import NotebookRenderer

    class OfflineNotebookRenderer(NotebookRenderer):
        """plotly's notebook renderer without the MathJax CDN script tag."""

        def to_mimebundle(self, fig_dict):
            bundle = super().to_mimebundle(fig_dict)
            bundle["text/html"] = _MATHJAX_CDN.sub("", bundle["text/html"])
            return bundle

    return OfflineNotebookRenderer


def offline_charts() -> None:
    """Charts in the notebooks that load nothing from the internet.

    plotly's ``notebook`` renderer (also the HTML half of JupyterLab's default
    ``plotly_mimetype+notebook``) embeds plotly.js, but each chart's HTML still loads MathJax from
    a CDN. The registered renderer becomes plotly's own without that tag, in place (plotly keeps
    the renderer objects of its default when the default is set, so a notebook that chose
    ``notebook`` before opening its engagement gets it too).
    """
    import plotly.io as pio

    renderer = pio.renderers["notebook"]
    offline = _offline_renderer_class()
    if not isinstance(renderer, offline):
        renderer.__class__ = offline
