"""Which engagement a notebook runs on: its parameter, then $RCU_ENGAGEMENT, then a demo."""

from __future__ import annotations

from pathlib import Path

import pytest

from rcu_kit.jupyter import notebook
from rcu_kit.jupyter.notebook import ENV_VAR, NOTEBOOKS_DIR, resolve_engagement_path


def test_notebook_resolution_order(tmp_path, monkeypatch):
    given = tmp_path / "given.yaml"
    from_env = tmp_path / "env.yaml"
    monkeypatch.setenv(ENV_VAR, str(from_env))
    # the parameter wins over the environment variable
    assert resolve_engagement_path(str(given)) == given.resolve()
    # empty parameter: the environment variable set by `rcu-kit lab`
    assert resolve_engagement_path("") == from_env.resolve()


def test_without_parameter_or_variable_the_demo_of_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.chdir(tmp_path)
    # no demo here, and a checkout without one: the error says how to make one
    monkeypatch.setattr(notebook, "__file__", str(tmp_path / "pkg" / "rcu_kit" / "jupyter" / "notebook.py"))
    with pytest.raises(FileNotFoundError, match=r"rcu-kit demo --out .*demo"):
        resolve_engagement_path("")
    demo = tmp_path / "demo" / "engagement.yaml"
    demo.parent.mkdir()
    demo.write_text("client: x\n", encoding="utf-8")
    assert resolve_engagement_path("") == demo.resolve()


def test_the_notebooks_ship_inside_the_package():
    names = sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    assert names == ["01-customer-vision.ipynb", "02-source-audit.ipynb",
                     "03-mapping-gap-analysis.ipynb", "04-deduplication.ipynb",
                     "04b-rcu-prototype.ipynb", "05-roadmap.ipynb"]
    assert NOTEBOOKS_DIR.parent == Path(notebook.__file__).resolve().parents[1]


def test_opening_an_engagement_makes_the_charts_offline(tmp_path):
    import plotly.graph_objects as go
    import plotly.io as pio

    from rcu_kit.jupyter.notebook import offline_charts

    figure = go.Figure(go.Bar(x=[1, 2], y=[3, 4])).to_dict()
    offline_charts()
    offline_charts()  # twice: still one renderer, the same
    html = pio.renderers["notebook"].to_mimebundle(figure)["text/html"]
    # plotly's own chart (its div and Plotly.newPlot call), without the MathJax CDN script
    assert "Plotly.newPlot" in html and "cdnjs.cloudflare.com" not in html
    # JupyterLab's default, plotly_mimetype+notebook, takes its HTML from the same renderer
    assert type(pio.renderers["notebook"]).__name__ == "OfflineNotebookRenderer"
