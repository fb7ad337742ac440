"""`rcu-kit lab`: the server command carries the engagement to the notebooks."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from rcu_kit.core.config import ConfigError
from rcu_kit.jupyter.lab import engagement_copy, lab_command
from rcu_kit.jupyter.notebook import ENV_VAR

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_lab_command_sets_engagement_for_the_notebooks(tmp_path):
    eng = tmp_path / "engagement.yaml"
    shutil.copy(REPO_ROOT / "templates" / "engagement.yaml", eng)
    cmd, env = lab_command(eng, open_browser=False, port=8899)
    assert cmd[:4] == [sys.executable, "-m", "jupyter", "lab"]
    # the engagement's own working copies of the packaged notebooks, beside its file
    assert f"--ServerApp.root_dir={tmp_path / 'notebooks'}" in cmd
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


def test_working_copies_are_made_once_and_never_overwritten(tmp_path):
    from rcu_kit.jupyter.lab import working_notebooks
    from rcu_kit.jupyter.notebook import NOTEBOOKS_DIR

    eng = tmp_path / "engagement.yaml"
    shutil.copy(REPO_ROOT / "templates" / "engagement.yaml", eng)
    shipped = sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    folder, copied = working_notebooks(eng)
    assert folder == tmp_path / "notebooks" and copied == shipped and len(shipped) == 6
    assert (folder / shipped[0]).read_text(encoding="utf-8") == engagement_copy(NOTEBOOKS_DIR / shipped[0], "fr")
    # the consultant's edits stay; a notebook they removed comes back from the package
    (folder / shipped[0]).write_text("mine", encoding="utf-8")
    (folder / shipped[1]).unlink()
    assert working_notebooks(eng) == (folder, [shipped[1]])
    assert (folder / shipped[0]).read_text(encoding="utf-8") == "mine"


def test_a_broken_engagement_copies_nothing(tmp_path):
    bad = tmp_path / "engagement.yaml"
    bad.write_text("client: x\nlanguage: de\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        lab_command(bad)
    assert not (tmp_path / "notebooks").exists()


def test_refresh_replaces_the_copies_keeping_the_consultants_aside(tmp_path):
    from rcu_kit.jupyter.lab import working_notebooks
    from rcu_kit.jupyter.notebook import NOTEBOOKS_DIR

    eng = tmp_path / "engagement.yaml"
    shutil.copy(REPO_ROOT / "templates" / "engagement.yaml", eng)
    shipped = sorted(p.name for p in NOTEBOOKS_DIR.glob("*.ipynb"))
    folder, _ = working_notebooks(eng)
    (folder / shipped[2]).write_text("my edits", encoding="utf-8")
    # only the copy that differs from the package is replaced, the edited one kept aside
    assert working_notebooks(eng, refresh=True) == (folder, [shipped[2]])
    assert (folder / shipped[2]).read_text(encoding="utf-8") == engagement_copy(NOTEBOOKS_DIR / shipped[2], "fr")
    kept = list((folder / "previous").glob(f"*/{shipped[2]}"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "my edits"
    assert working_notebooks(eng, refresh=True) == (folder, [])  # nothing differs any more


def test_other_options_go_to_jupyterlab_and_other_commands_refuse_them(tmp_path, monkeypatch):
    from rcu_kit import cli

    eng = tmp_path / "engagement.yaml"
    shutil.copy(REPO_ROOT / "templates" / "engagement.yaml", eng)
    monkeypatch.setattr("os.geteuid", lambda: 0)
    cmd, _ = lab_command(eng, extra=["--ServerApp.token=abc", "--allow-root"])
    assert cmd[-2:] == ["--ServerApp.token=abc", "--allow-root"] and cmd.count("--allow-root") == 1
    started = []
    monkeypatch.setattr("subprocess.call", lambda cmd, env: started.append(cmd) or 0)
    assert cli.main(["lab", str(eng), "--no-browser", "--ServerApp.token=abc"]) == 0
    assert started[0][-1] == "--ServerApp.token=abc" and "--no-browser" in started[0]
    with pytest.raises(SystemExit):
        cli.main(["summary", str(eng), "--ServerApp.token=abc"])


def test_working_copies_speak_the_engagements_language(tmp_path):
    import nbformat

    from rcu_kit.jupyter.lab import working_notebooks
    from rcu_kit.jupyter.notebook import NOTEBOOKS_DIR

    def tags(book):
        return [t for c in book.cells for t in c.get("metadata", {}).get("tags", [])
                if t.startswith("lang-")]

    packaged = nbformat.read(NOTEBOOKS_DIR / "05-roadmap.ipynb", as_version=4)
    both = tags(packaged)
    assert both.count("lang-fr") == both.count("lang-en") > 0  # the prose twice in the package
    for language, other in (("fr", "lang-en"), ("en", "lang-fr")):
        folder = tmp_path / language
        folder.mkdir()
        (folder / "engagement.yaml").write_text(f"client: x\nlanguage: {language}\n",
                                                encoding="utf-8")
        copy = nbformat.read(working_notebooks(folder / "engagement.yaml")[0] / "05-roadmap.ipynb",
                             as_version=4)
        # the other language's cells are gone, every other cell is kept in order
        assert other not in tags(copy) and tags(copy).count(f"lang-{language}") == both.count(
            f"lang-{language}")
        assert len(copy.cells) == len(packaged.cells) - both.count(other)
        code = [c.source for c in packaged.cells if c.cell_type == "code"]
        assert [c.source for c in copy.cells if c.cell_type == "code"] == code


def test_the_workshop_saves_widgets_and_fetches_no_news(tmp_path):
    import json

    eng = tmp_path / "engagement.yaml"
    shutil.copy(REPO_ROOT / "templates" / "engagement.yaml", eng)
    cmd, _ = lab_command(eng)
    settings = tmp_path / "notebooks" / ".rcu-lab"
    assert f"--LabApp.app_settings_dir={settings}" in cmd
    overrides = json.loads((settings / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyter-widgets/jupyterlab-manager:plugin"] == {"saveState": True}
    assert overrides["@jupyterlab/apputils-extension:notification"]["checkForUpdates"] is False
    # a folder of the consultant's own is kept
    cmd, _ = lab_command(eng, extra=["--LabApp.app_settings_dir=/mine"])
    assert [c for c in cmd if "app_settings_dir" in c] == ["--LabApp.app_settings_dir=/mine"]
