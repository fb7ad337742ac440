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
