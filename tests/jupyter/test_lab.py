"""`rcu-kit lab`: the server command carries the engagement to the notebooks."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from rcu_kit.core.config import ConfigError
from rcu_kit.jupyter.lab import lab_command
from rcu_kit.jupyter.notebook import ENV_VAR

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_lab_command_sets_engagement_for_the_notebooks(tmp_path):
    eng = tmp_path / "engagement.yaml"
    shutil.copy(REPO_ROOT / "templates" / "engagement.yaml", eng)
    cmd, env = lab_command(eng, open_browser=False, port=8899)
    assert cmd[:4] == [sys.executable, "-m", "jupyter", "lab"]
    # the notebooks the package ships (rcu_kit/notebooks/, linked from the repository's notebooks/)
    assert f"--ServerApp.root_dir={REPO_ROOT / 'rcu_kit' / 'notebooks'}" in cmd
    assert "--no-browser" in cmd and "--port=8899" in cmd
    assert env[ENV_VAR] == str(eng.resolve())


def test_lab_as_root_allows_root(tmp_path, monkeypatch):
    eng = tmp_path / "engagement.yaml"
    shutil.copy(REPO_ROOT / "templates" / "engagement.yaml", eng)
    monkeypatch.setattr("os.geteuid", lambda: 0)
    assert "--allow-root" in lab_command(eng)[0]
    monkeypatch.setattr("os.geteuid", lambda: 1000)
    assert "--allow-root" not in lab_command(eng)[0]


def test_lab_refuses_a_broken_engagement(tmp_path):
    bad = tmp_path / "engagement.yaml"
    bad.write_text("client: x\nlanguage: de\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="language: allowed values are 'fr' or 'en'"):
        lab_command(bad)
