"""The HTML reports of a demo run, opened in headless Chromium over the DevTools protocol.

No console errors, charts drawn (non-empty SVG), no page wider than the window, a screenshot of
the index, of one report per algorithm family, of the print export and of the trace (written to
``$GRAPH_AGENTS_SCREENSHOTS`` when set, else the test's temporary folder), and a requirements
document carrying ``<script>alert(1)</script>`` shown as text, never run.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from graph_agents import AgenticWorkflowRunner, algorithms, export_reports

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it: apt-get install -y chromium)"
)

XSS = "<script>alert(1)</script>"

PROBE = """JSON.stringify({
  svgs: [...document.querySelectorAll('svg')].map(s => ({
    marks: s.querySelectorAll('rect, line, path').length,
    width: s.getBoundingClientRect().width, height: s.getBoundingClientRect().height})),
  scripts: document.scripts.length,
  // horizontal overflow: the page, or a chart or table sticking out of the window
  overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth + 1,
  wide: [...document.querySelectorAll('svg, table, pre')].filter(e => e.getBoundingClientRect().right >
        document.documentElement.clientWidth + 1).map(e => e.tagName),
  bars: [...document.querySelectorAll('.timeline .bar')].filter(b => b.getBoundingClientRect().width > 0).length,
  text: document.body.innerText,
  links: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')),
})"""


class DevTools:
    """A minimal Chrome DevTools Protocol client for one page: commands and collected events."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next_id = 0
        self.pending: dict[int, asyncio.Future] = {}
        self.events: list[dict[str, Any]] = []
        self.loaded = asyncio.Event()
        self.dialogs: list[asyncio.Task] = []
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for msg in self.ws:
            data = json.loads(msg.data)
            if "id" in data and data["id"] in self.pending:
                self.pending.pop(data["id"]).set_result(data)
            elif "method" in data:
                self.events.append(data)
                if data["method"] == "Page.loadEventFired":
                    self.loaded.set()
                elif data["method"] == "Page.javascriptDialogOpening":  # an alert ran: record it, close it
                    self.dialogs.append(asyncio.create_task(self.send("Page.handleJavaScriptDialog", accept=True)))

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        future = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        await self.ws.send_json({"id": self.next_id, "method": method, "params": params})
        reply = await asyncio.wait_for(future, 30)
        assert "error" not in reply, reply
        return reply.get("result", {})

    async def open(self, url: str, screenshot: Path | None = None) -> dict[str, Any]:
        self.events.clear()
        self.loaded.clear()
        await self.send("Page.navigate", url=url)
        await asyncio.wait_for(self.loaded.wait(), 30)
        await asyncio.sleep(0.2)  # let late console messages arrive
        result = await self.send("Runtime.evaluate", expression=PROBE, returnByValue=True)
        if screenshot is not None:  # the whole page, not only the window (Page.captureScreenshot)
            shot = await self.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
        return json.loads(result["result"]["value"])

    def problems(self) -> list[str]:
        """Console errors and warnings, uncaught exceptions, failed loads, and any dialog (alert)."""
        out = []
        for e in self.events:
            m, p = e["method"], e.get("params", {})
            if m == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
                out.append(f"console.{p['type']}: {p.get('args')}")
            elif m == "Runtime.exceptionThrown":
                out.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
            elif m == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                out.append(f"log: {p['entry'].get('text')}")
            elif m == "Page.javascriptDialogOpening":
                out.append(f"dialog: {p.get('message')}")
        return out


WINDOW = (1024, 768)  # a laptop window: the pages must fit it without scrolling sideways


async def browse(urls: list[str], profile: Path, shots: list[Path] | None = None) -> list[tuple[dict[str, Any], list[str]]]:
    proc = await asyncio.create_subprocess_exec(
        CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}",
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", f"--window-size={WINDOW[0]},{WINDOW[1]}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )
    drain = None
    try:
        port = None
        while port is None:
            line = await asyncio.wait_for(proc.stderr.readline(), 30)
            if not line:
                raise RuntimeError("chromium exited before opening DevTools")
            found = re.search(rb"DevTools listening on ws://127\.0\.0\.1:(\d+)/", line)
            port = int(found.group(1)) if found else None

        async def discard() -> None:  # keep the pipe empty so chromium never blocks on stderr
            while await proc.stderr.readline():
                pass

        drain = asyncio.create_task(discard())
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/json/list") as resp:
                page = next(t for t in await resp.json() if t["type"] == "page")
            async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                cdp = DevTools(ws)
                for domain in ("Page", "Runtime", "Log"):
                    await cdp.send(f"{domain}.enable")
                await cdp.send("Emulation.setDeviceMetricsOverride", width=WINDOW[0], height=WINDOW[1],
                               deviceScaleFactor=1, mobile=False)
                out = []
                for i, url in enumerate(urls):
                    seen = await cdp.open(url, shots[i] if shots else None)
                    out.append((seen, cdp.problems()))
                cdp.reader.cancel()
                return out
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except asyncio.TimeoutError:
                proc.kill()
                await proc.wait()
        if drain is not None:
            drain.cancel()


@pytest.fixture(scope="module")
def exported(demo_dir, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("browser")
    hostile = root / "hostile.md"
    hostile.write_text(f"# Requirements\n\n- Security must find which sellers form cycles {XSS} of transfers.\n", encoding="utf-8")
    runner = AgenticWorkflowRunner(data_dir=demo_dir / "data", workspace=root / "ws")
    result = runner.run([hostile, demo_dir / "requirements.md"])
    assert result.status == "completed"
    export_reports(result, root / "out", ["markdown", "json", "html"])
    runner.export_trace(root / "out" / "trace")
    return root / "out"


def test_exported_files(exported):
    index = (exported / "index.html").read_text(encoding="utf-8")
    assert XSS not in index and "&lt;script&gt;alert(1)&lt;/script&gt;" in index
    for href in re.findall(r'href="([^"#]+)"', index):
        assert (exported / href).is_file(), href
    assert len(list(exported.glob("R-*.html"))) == len(list(exported.glob("R-*.json"))) >= 5


async def test_pages_in_headless_chromium(exported, tmp_path):
    reports = sorted(exported.glob("R-*.html"))
    hostile = [p for p in reports if "&lt;script&gt;" in p.read_text(encoding="utf-8")]
    assert hostile, "the requirement with a script tag should title one report"
    pages = [exported / "index.html", reports[0], hostile[0]]
    seen = await asyncio.wait_for(browse([p.as_uri() for p in pages], tmp_path / "profile"), 120)
    for path, (page, problems) in zip(pages, seen):
        assert problems == [], f"{path.name}: {problems}"
        assert page["scripts"] == 0, path.name  # nothing on these pages is a script, hostile text included
    index, report, hostile_page = (page for page, _ in seen)
    assert XSS in index["text"] and XSS in hostile_page["text"]  # shown as text
    assert any(link.endswith(".html") for link in index["links"])
    for page in (report, hostile_page):
        assert len(page["svgs"]) >= 2
        assert all(s["marks"] > 0 and s["width"] > 0 and s["height"] > 0 for s in page["svgs"])


async def test_screenshots_index_one_report_per_family_print_and_trace(exported, tmp_path):
    by_family: dict[str, Path] = {}
    for path in sorted(exported.glob("R-*.json")):
        family = algorithms.get(json.loads(path.read_text(encoding="utf-8"))["algorithm"]).family
        by_family.setdefault(family, path.with_suffix(".html"))
    assert {"centrality", "community"} <= set(by_family)  # the demo's analyses
    pages = {"index": exported / "index.html", **{f"report-{f}": p for f, p in sorted(by_family.items())},
             "print": exported / "print.html", "trace": exported / "trace" / "trace.html"}
    where = Path(os.environ.get("GRAPH_AGENTS_SCREENSHOTS") or tmp_path / "screenshots")
    where.mkdir(parents=True, exist_ok=True)
    shots = [where / f"{name}.png" for name in pages]
    seen = await asyncio.wait_for(browse([p.as_uri() for p in pages.values()], tmp_path / "profile", shots), 180)
    for (name, path), shot, (page, problems) in zip(pages.items(), shots, seen):
        assert problems == [], f"{name}: {problems}"
        assert not page["overflow"] and page["wide"] == [], f"{name} is wider than the window: {page['wide']}"
        assert shot.stat().st_size > 10_000 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
        if name.startswith("report-") or name == "print":  # charts drawn, with marks, at a visible size
            assert page["svgs"] and all(s["marks"] > 0 and s["width"] > 200 and s["height"] > 40 for s in page["svgs"]), name
    index, trace = seen[0][0], seen[-1][0]
    assert "Answers" in index["text"] and "answered" in index["text"]
    assert trace["bars"] >= 5  # one timeline bar per node and analysis
    printed = seen[-2][0]
    assert len(printed["svgs"]) >= 2 * len(by_family) and all(f"#{r.stem}" in printed["links"] for r in exported.glob("R-*.json"))
