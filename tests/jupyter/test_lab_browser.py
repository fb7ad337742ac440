"""Browser test: the workshop as a consultant runs it, in JupyterLab on Debian's Chromium.

`rcu-kit lab` starts a real JupyterLab server on loopback on a small demo engagement; Playwright
drives Debian's Chromium (``executable_path``: Playwright cannot download its own browser here).
Each of the method's notebooks is opened from the engagement's working copies, run with the
menu's *Run All Cells*, saved from the browser; the test then reads the saved notebook from disk
(every code cell ran, none raised) and checks on the page that every widget rendered. A
screenshot of each notebook is kept under the test's temporary folder (CI artefacts).

Skipped only when Chromium or Playwright is missing, never in CI (``RCU_REQUIRE_BROWSER``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pandas as pd
import pytest

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)
try:
    from playwright.sync_api import sync_playwright
except ImportError:  # pragma: no cover - the test extra installs it
    sync_playwright = None
if (CHROMIUM is None or sync_playwright is None) and os.environ.get("RCU_REQUIRE_BROWSER"):
    raise RuntimeError("RCU_REQUIRE_BROWSER is set but Chromium or Playwright is missing: "
                       "apt-get install -y chromium; pip install -e '.[test]'")
pytestmark = pytest.mark.skipif(CHROMIUM is None or sync_playwright is None,
                                reason="Chromium or Playwright is not installed")

TOKEN = "rcu-browser-test"
# the notebooks in the method's order (05 and 04b read what 04 wrote); the widgets each shows
NOTEBOOKS = ["01-customer-vision.ipynb", "02-source-audit.ipynb",
             "03-mapping-gap-analysis.ipynb", "04-deduplication.ipynb",
             "04b-rcu-prototype.ipynb", "05-roadmap.ipynb"]
# JupyterLab renders every cell (no windowing), so the page holds all prompts and outputs (the
# test's only setting; the rest are rcu-kit lab's own)
SETTINGS = {"@jupyterlab/notebook-extension/tracker.jupyterlab-settings":
            '{"windowingMode": "none"}'}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.glob("*.ipynb")}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab started by `rcu-kit lab` on a small demo engagement; yields its URL and the
    engagement's folder; stopped at the end."""
    from rcu_kit.jupyter.notebook import NOTEBOOKS_DIR
    from rcu_kit.sources.demo import generate_demo

    root = tmp_path_factory.mktemp("lab")
    engagement = generate_demo(root / "demo", n_records=1500, seed=7).engagement_path
    settings = root / "settings"
    for name, text in SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    packaged = _digest(NOTEBOOKS_DIR)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "RCU_ENGAGEMENT"}
    env["JUPYTER_CONFIG_DIR"] = str(root / "jupyter-config")
    env["JUPYTER_RUNTIME_DIR"] = str(root / "jupyter-runtime")
    log = open(root / "lab.log", "w", encoding="utf-8")
    server = subprocess.Popen(
        [sys.executable, "-m", "rcu_kit.cli", "lab", str(engagement), "--no-browser",
         f"--port={port}", "--ip=127.0.0.1", f"--ServerApp.token={TOKEN}",
         f"--LabApp.user_settings_dir={settings}", f"--LabApp.workspaces_dir={root / 'ws'}"],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={TOKEN}", timeout=5)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("JupyterLab did not start: "
                                       + (root / "lab.log").read_text(encoding="utf-8")[-3000:])
                time.sleep(0.5)
        yield {"base": base, "folder": Path(engagement).parent, "root": root,
               "packaged": packaged}
    finally:
        os.killpg(server.pid, 15)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, 9)
        log.close()


@pytest.fixture(scope="module")
def browser(lab):
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        context = chromium.new_context(viewport={"width": 1400, "height": 1000})
        yield context
        chromium.close()


PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"


def _run_all(page, timeout_s: float = 600) -> None:
    """Run every cell of the open notebook with the menu, wait until each prompt shows its
    number (or the run stopped on an error: the kernel idle, no cell waiting), then save it with
    the notebook's save button and wait until the tab is no longer marked unsaved."""
    page.locator(f"{PANEL} .jp-Cell").first.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => /Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText || '')",
        timeout=120_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(
        f"""() => {{ const p = [...document.querySelectorAll('{PANEL} .jp-CodeCell .jp-InputPrompt')]
                      .map(e => e.innerText);
            const idle = /Idle/.test(document.querySelector('#jp-main-statusbar')?.innerText || '');
            return p.length > 0 && (p.every(t => /\[\d+\]/.test(t))
                                    || (idle && !p.some(t => t.includes('*')))); }}""",
        timeout=timeout_s * 1000, polling=2000)
    page.locator(f"{PANEL} [data-command='docmanager:save']").first.click()
    page.wait_for_function("() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')",
                           timeout=60_000)


def _stop_kernels(base: str) -> None:
    """Shut the notebooks' kernels down (one notebook at a time holds memory)."""
    import json

    sessions = json.load(urllib.request.urlopen(f"{base}/api/sessions?token={TOKEN}"))
    for session in sessions:
        request = urllib.request.Request(f"{base}/api/sessions/{session['id']}?token={TOKEN}",
                                         method="DELETE")
        urllib.request.urlopen(request)


def _wait_for(check, what: str, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"after {timeout_s:g} s: {what}")
        time.sleep(0.25)


def _vision_editor_adds_an_attribute(page, lab, t, language) -> None:
    """01: a new attribute in the vision editor, a new view in the views editor, each saved:
    the engagement file gains both."""
    engagement = lab["folder"] / "engagement.yaml"
    assert "loyalty_tier" not in engagement.read_text(encoding="utf-8")
    panel = page.locator(PANEL)
    panel.get_by_placeholder(t("vision.editor_new_name", language)).fill("loyalty_tier")
    # (a button's accessible name starts with its icon's glyph: matched by its text)
    panel.locator("button", has_text=t("vision.editor_add", language)).click()
    panel.locator("button", has_text=t("vision.editor_save", language)).click()
    _wait_for(lambda: "loyalty_tier" in engagement.read_text(encoding="utf-8"),
              "the vision editor's save did not write the new attribute to engagement.yaml")
    # the views editor beside it: a new view, saved into the engagement's views
    panel.get_by_placeholder(t("vision.views_editor_new_name", language)).fill("Direction générale")
    panel.locator("button", has_text=t("vision.views_editor_add", language)).click()
    panel.locator("button", has_text=t("vision.views_editor_save", language)).click()
    _wait_for(lambda: "Direction générale" in engagement.read_text(encoding="utf-8"),
              "the views editor's save did not write the new view to engagement.yaml")


def _review_panel_labels_a_pair(page, lab, t, language) -> None:
    """04b: the panel's 'same person' button writes one label to review/labels.csv and to the
    review sheet."""
    labels = lab["folder"] / "output" / "review" / "labels.csv"
    before = len(labels.read_text(encoding="utf-8").splitlines()) if labels.exists() else 0
    page.locator(PANEL).locator("button", has_text=t("review.match", language)).first.click()
    _wait_for(lambda: labels.exists() and len(labels.read_text(encoding="utf-8").splitlines())
              == max(before, 1) + 1, "the review panel's label did not reach labels.csv")
    assert labels.read_text(encoding="utf-8").splitlines()[-1].count(",match,") == 1
    # the same label in the review sheet rcu-kit review reads (the panel shows its pairs),
    # written just after the label store

    def sheet_matches() -> int:
        try:
            sheet = pd.read_csv(lab["folder"] / "output" / "review" / "sample.csv", dtype=str,
                                keep_default_na=False)
        except pd.errors.EmptyDataError:  # caught while the panel rewrites it
            return -1
        return int((sheet["label"] == "match").sum())

    _wait_for(lambda: sheet_matches() == 1, "the review panel's label did not reach sample.csv")


def _mapping_editor_unmaps_a_column(page, lab, t, language) -> None:
    """03: the first column of the first source set to « non mappée », saved: the engagement's
    mapping no longer maps it."""
    from rcu_kit.core.config import load_engagement

    engagement = lab["folder"] / "engagement.yaml"
    panel = page.locator(PANEL)
    grid = panel.locator(".widget-gridbox").first   # the first source's tab
    unmapped = t("mapping.unmapped", language)
    mapped = lambda: [(s, e.column) for s, es in load_engagement(engagement).mapping.items()  # noqa: E731
                      for e in es]
    # the first row the engagement file maps (each row: its column, then two dropdowns)
    saved = mapped()
    for i in range(grid.locator("code").count()):
        column = grid.locator("code").nth(i).inner_text()
        source = next((s for s, c in saved if c == column), None)
        if source is not None:
            attribute = grid.locator("select").nth(2 * i)
            break
    assert source is not None, f"no row of the first tab is in the saved mapping {saved[:5]}"
    attribute.select_option(label=unmapped)
    panel.locator("button", has_text=t("mapping.editor_save", language)).click()
    _wait_for(lambda: (source, column) not in mapped(),
              f"the mapping editor's save did not unmap {source}.{column} in engagement.yaml")


def _questionnaire_records_an_answer(page, lab, t, language) -> None:
    """05: the budget answered « faible » in the workshop's form, saved: the engagement's
    questionnaire holds it."""
    from rcu_kit.core.config import load_engagement

    engagement = lab["folder"] / "engagement.yaml"
    panel = page.locator(PANEL)
    budget = panel.locator(".widget-dropdown", has_text=t("roadmap.question_budget", language))
    budget.locator("select").select_option(label=t("roadmap.answer_low", language))
    panel.locator("button", has_text=t("roadmap.questionnaire_save", language)).click()
    _wait_for(lambda: load_engagement(engagement).questionnaire.get("budget") == "low",
              "the questionnaire's save did not write the budget to engagement.yaml")


# one interaction per widget, and the file it must change
INTERACTIONS = {"01-customer-vision.ipynb": _vision_editor_adds_an_attribute,
                "03-mapping-gap-analysis.ipynb": _mapping_editor_unmaps_a_column,
                "04b-rcu-prototype.ipynb": _review_panel_labels_a_pair,
                "05-roadmap.ipynb": _questionnaire_records_an_answer}


def test_every_notebook_runs_in_jupyterlab_and_its_widgets_render(lab, browser):
    from rcu_kit.core.config import load_engagement
    from rcu_kit.core.i18n import t

    language = load_engagement(lab["folder"] / "engagement.yaml").language
    shots = lab["root"] / "screenshots"
    shots.mkdir(exist_ok=True)
    outside = []
    page = browser.new_page()
    # any request that leaves the machine (a CDN, a news feed) is noted
    current = [""]
    page.on("request", lambda r: outside.append(f"{current[0]}: {r.url}")
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")) else None)
    folder = lab["folder"] / "notebooks"
    report = {}
    for name in NOTEBOOKS:
        current[0] = name
        # ?reset: a fresh workspace, only this notebook open
        page.goto(f"{lab['base']}/lab/tree/{name}?reset&token={TOKEN}")
        _run_all(page)
        page.screenshot(path=str(shots / f"{name}.png"), full_page=False)
        saved = nbformat.read(folder / name, as_version=4)
        code = [c for c in saved.cells if c.cell_type == "code"]
        errors = [(i, o.get("ename"), o.get("evalue")) for i, c in enumerate(code)
                  for o in c.get("outputs", []) if o.get("output_type") == "error"]
        assert not errors, f"{name}: cells raised {errors}"
        assert all(c.get("execution_count") for c in code), f"{name}: a cell did not run"
        if name == "01-customer-vision.ipynb":  # rcu-kit lab's settings save the widgets' state
            state = saved.metadata.get("widgets", {}).get(
                "application/vnd.jupyter.widget-state+json", {}).get("state", {})
            assert len(state) > 100, f"{name}: widget state not saved ({len(state)} models)"
        widgets = page.locator(f"{PANEL} .jp-OutputArea-output .jupyter-widgets").count()
        broken = page.locator(f"{PANEL} .jp-OutputArea-output",
                              has_text="Error displaying widget").count()
        assert broken == 0, f"{name}: {broken} widget(s) failed to display"
        report[name] = widgets
        if widgets:  # the first widget as a person sees it
            page.locator(f"{PANEL} .jp-OutputArea-output .jupyter-widgets").first.screenshot(
                path=str(shots / f"{name}-widget.png"))
        if name in INTERACTIONS:
            INTERACTIONS[name](page, lab, t, language)
            page.screenshot(path=str(shots / f"{name}-after.png"), full_page=False)
        page.goto("about:blank")
        _stop_kernels(lab["base"])
    # the notebooks with an editor or a panel show it: vision, mapping, review, questionnaire
    for name in ("01-customer-vision.ipynb", "03-mapping-gap-analysis.ipynb",
                 "04b-rcu-prototype.ipynb", "05-roadmap.ipynb"):
        assert report[name] > 0, f"{name}: no widget rendered ({report})"
    # the workshop ran in the engagement's working copies: the package's notebooks are untouched
    from rcu_kit.jupyter.notebook import NOTEBOOKS_DIR

    assert _digest(NOTEBOOKS_DIR) == lab["packaged"]
    assert not outside, f"requests left the machine: {sorted(set(outside))[:10]}"
