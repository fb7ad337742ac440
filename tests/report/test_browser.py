"""Browser test: the report pages open offline in headless Chromium and their charts render.

Chromium (Debian's ``chromium`` package) is driven through the DevTools protocol with
websocket-client. Every host name resolves to nothing (``--host-resolver-rules``), so a page
that tried to load anything from the internet would log a network error and fail the test.
Skipped only when no Chromium is installed.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from tests.report.fixtures import write_engagement, write_notebooks

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                 if shutil.which(n)), None)
if CHROMIUM is None and os.environ.get("RCU_REQUIRE_BROWSER"):
    raise RuntimeError("RCU_REQUIRE_BROWSER is set but no Chromium is installed: "
                       "apt-get install -y chromium")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed "
                                "(CI installs Debian's: apt-get install -y chromium)")

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--remote-allow-origins=*", "--window-size=1400,1000",
         "--disable-dev-shm-usage", "--host-resolver-rules=MAP * ~NOTFOUND"]

PLOTS_JS = """JSON.stringify(Array.from(document.querySelectorAll('.plotly-graph-div')).map(d => ({
  id: d.id, svgs: d.querySelectorAll('.main-svg').length,
  marks: d.querySelectorAll('.trace.bars .point, .hm image, .heatmaplayer image').length})))"""


class DevTools:
    """A minimal DevTools-protocol client for one page target."""

    def __init__(self, ws_url: str) -> None:
        import websocket

        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, **params):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            self.ws.settimeout(max(0.1, deadline - time.monotonic()))
            self.events.append(json.loads(self.ws.recv()))
        raise TimeoutError(f"no {method} within {timeout} s")

    def errors(self) -> list[str]:
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(json.dumps(params.get("exceptionDetails", {}))[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(json.dumps(params.get("args", []))[:500])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                entry = params["entry"]
                found.append(f"{entry.get('text')} {entry.get('url', '')}")
        return found


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    proc = subprocess.Popen([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 60
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"Chromium did not start (exit code {proc.poll()})")
            time.sleep(0.2)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as response:
            targets = json.load(response)
        page = next(t for t in targets if t.get("type") == "page")
        yield DevTools(page["webSocketDebuggerUrl"])
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the browser we started, and its children
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from rcu_kit.report.run import run_report

    base = tmp_path_factory.mktemp("browser")
    engagement = write_engagement(base / "eng", "Client Navigateur")
    [result] = run_report([engagement], out_root=base / "reports", progress=False,
                          notebooks_dir=write_notebooks(base / "notebooks"))
    assert result.ok, result.error
    return result


def _open(browser: DevTools, page: Path, screenshot: Path) -> list[dict]:
    browser.events.clear()
    for domain in ("Page", "Runtime", "Log"):
        browser.call(f"{domain}.enable")
    browser.call("Page.navigate", url=page.as_uri())
    browser.wait_for("Page.loadEventFired")
    deadline = time.monotonic() + 30
    while True:  # plotly draws asynchronously after the load event
        plots = json.loads(browser.call("Runtime.evaluate", expression=PLOTS_JS)["result"]["value"])
        if (plots and all(p["svgs"] and p["marks"] for p in plots)) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    shot = browser.call("Page.captureScreenshot", format="png")
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    return plots


def test_index_opens_offline_and_charts_render(browser, report, tmp_path):
    plots = _open(browser, report.index, tmp_path / "index.png")
    # Two charts on the summary: records per source (bars) and the source overlap (heatmap).
    assert [p["id"] for p in plots] == ["rcu-fig-records", "rcu-fig-overlap"]
    assert all(p["svgs"] >= 1 and p["marks"] >= 1 for p in plots), plots
    assert browser.errors() == []
    assert (tmp_path / "index.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    title = browser.call("Runtime.evaluate", expression="document.title")["result"]["value"]
    assert title == "Synthèse – Client Navigateur"


def test_notebook_report_opens_offline_and_chart_renders(browser, report, tmp_path):
    page = report.notebooks[0].html
    plots = _open(browser, page, tmp_path / "01-customer-vision.png")
    # The fixture notebook's one bar chart, drawn with its one bar.
    assert len(plots) == 1 and plots[0]["svgs"] >= 1 and plots[0]["marks"] == 1, plots
    assert browser.errors() == []
    code = browser.call("Runtime.evaluate",
                        expression="document.querySelectorAll('.jp-CodeCell .jp-InputArea-editor').length"
                                   " + ':' + document.body.innerText.includes('px.bar')")
    assert code["result"]["value"] == "0:false"  # no code cell shown
    assert (tmp_path / "01-customer-vision.png").stat().st_size > 10_000
    if os.environ.get("RCU_SCREENSHOTS"):  # keep the screenshots to look at them
        keep = Path(os.environ["RCU_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        for png in tmp_path.parent.rglob("*.png"):
            shutil.copy2(png, keep / png.name)


def test_the_check_catches_a_page_loading_from_the_internet(browser, tmp_path):
    # Negative control: a page with a CDN script must produce a console/network error here.
    page = tmp_path / "cdn.html"
    page.write_text('<html><head><script src="https://cdn.plot.ly/plotly-3.0.1.min.js"></script>'
                    "</head><body><div class='plotly-graph-div'></div></body></html>")
    browser.events.clear()
    for domain in ("Page", "Runtime", "Log"):
        browser.call(f"{domain}.enable")
    browser.call("Page.navigate", url=page.as_uri())
    browser.wait_for("Page.loadEventFired")
    time.sleep(0.5)
    browser.call("Runtime.evaluate", expression="1")  # drain the events received meanwhile
    assert any("ERR_NAME_NOT_RESOLVED" in e or "cdn.plot.ly" in e for e in browser.errors()), \
        browser.errors()
