"""`langgraph dev` serves the workflow from langgraph.json; a full run driven through langgraph-sdk."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from graph_agents.catalog import open_catalog

langgraph_sdk = pytest.importorskip("langgraph_sdk")
pytest.importorskip("langgraph_api")

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = (
    "Which products are the most influential in purchased orders?\n"
    "Trust and Safety must detect rings of customers sharing devices.\n"
)
STARTUP_TIMEOUT_S = 90


class Server(str):
    """The server's URL, with the workspace its runs record into."""

    def __new__(cls, url: str, workspace: str) -> "Server":
        self = super().__new__(cls, url)
        self.workspace = workspace
        return self


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The dev server on 127.0.0.1 (working dir: a temp dir, where it keeps its state); stopped, its
    whole process group, at the end."""
    tmp = tmp_path_factory.mktemp("studio")
    log = tmp / "server.log"
    env = {
        **os.environ,
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGGRAPH_NO_VERSION_CHECK": "1",
        "GRAPH_AGENTS_HOME": str(tmp / "ws"),
        # this checkout's package, not whatever copy is installed
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep),
    }
    # settings are read from a .env in the working dir: reading it must not block the server's loop
    (tmp / ".env").write_text("GRAPH_AGENTS_MAX_CONCURRENCY=4\n")
    port = _free_port()
    cmd = [sys.executable, "-m", "langgraph_cli", "dev", "--no-browser", "--no-reload",
           "--host", "127.0.0.1", "--port", str(port), "--config", str(ROOT / "langgraph.json")]
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=tmp, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = None
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline and proc.poll() is None:
            # the CLI moves to another port when its port is taken: read the one it announces
            found = re.search(r"API: \S*?(http://127\.0\.0\.1:\d+)", log.read_text(errors="replace"))
            if found:
                try:
                    if httpx.get(found.group(1) + "/ok", timeout=2).status_code == 200:
                        url = found.group(1)
                        break
                except httpx.HTTPError:
                    pass
            time.sleep(0.25)
        if url is None:
            pytest.fail(f"langgraph dev did not start:\n{log.read_text(errors='replace')[-3000:]}")
        yield Server(url, str(tmp / "ws"))
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)


async def _assistant(client) -> str:
    found = await client.assistants.search(graph_id="graph_agents")
    assert found, "langgraph.json registers the graph as 'graph_agents'"
    return found[0]["assistant_id"]


async def test_studio_schema_and_full_run(server):
    client = langgraph_sdk.get_client(url=server)
    assistant = await _assistant(client)
    schemas = await client.assistants.get_schemas(assistant)
    assert set(schemas["input_schema"]["properties"]) == {
        "requirements", "documents", "industry", "max_executions", "review_use_cases"}
    drawn = await client.assistants.get_graph(assistant)
    assert {"review_use_cases", "analyze", "finalize"} <= {n["id"] for n in drawn["nodes"]}

    thread = await client.threads.create()
    updated, steps = [], []
    async for part in client.runs.stream(
        thread["thread_id"], assistant, input={"requirements": REQUIREMENTS}, stream_mode=["updates", "custom"],
    ):
        assert part.event != "error", part.data
        if part.event == "updates":
            updated.extend(part.data)
        elif part.event == "custom" and part.data.get("event") == "end":
            steps.append((part.data["template_id"], part.data["analysis_step"], part.data["status"]))
    assert updated[0] == "resolve_vertical" and updated[-1] == "finalize"
    assert {"analyze_schema", "extract_requirements", "generate_use_cases", "review_use_cases",
            "generate_templates", "analyze"} <= set(updated)
    # each analysis streams its own steps
    assert sorted(steps) == [(t, step, "completed") for t in ("T-001", "T-002") for step in ("execute", "report")]

    state = await client.threads.get_state(thread["thread_id"])
    values = state["values"]
    assert values["status"] == "completed" and values["vertical"]["name"] == "ecommerce", values.get("errors")
    assert {r["algorithm"] for r in values["reports"].values()} == {"pagerank", "wcc"}
    history = await client.threads.get_history(thread["thread_id"], limit=50)
    assert any(set(h["next"]) == {"analyze_schema", "extract_requirements"} for h in history)
    assert history[0]["next"] == []

    # the server's run is recorded like the runner's: run.json and reports on disk, in the catalog
    workspace = Path(server.workspace)
    out = Path(values["output_dir"])
    assert out == (workspace / "output" / thread["thread_id"]).resolve()
    run = json.loads((out / "run.json").read_text())
    assert run["thread_id"] == thread["thread_id"] and run["status"] == "completed"
    assert (out / "reports" / "index.html").is_file()
    assert sorted(values["report_paths"]) == sorted(values["reports"])
    assert all(Path(p).is_file() and p.endswith(".html") for p in values["report_paths"].values())
    assert [a["status"] for a in values["answers"]] == ["answered", "answered"]
    # and traced: the nodes and both analyses' steps, beside run.json
    assert Path(values["trace_paths"]["json"]) == out / "trace" / "trace.json"
    trace = json.loads((out / "trace" / "trace.json").read_text())
    labels = {n["label"] for n in trace["nodes"]}
    assert {"resolve_vertical", "generate_templates", "analyze[T-001]", "analyze[T-002]"} <= labels, labels
    catalog = open_catalog(workspace)
    try:
        [recorded] = [r for r in await catalog.runs() if r["run_id"] == thread["thread_id"]]
        executions = await catalog.executions(run_id=thread["thread_id"])
    finally:
        await catalog.aclose()
    assert recorded["status"] == "completed"
    assert sorted(e["algorithm"] for e in executions) == ["pagerank", "wcc"]


async def test_studio_review_interrupt_and_resume(server):
    client = langgraph_sdk.get_client(url=server)
    assistant = await _assistant(client)
    thread = await client.threads.create()
    await client.runs.wait(thread["thread_id"], assistant,
                           input={"requirements": REQUIREMENTS, "review_use_cases": True})
    state = await client.threads.get_state(thread["thread_id"])
    assert state["next"] == ["review_use_cases"]
    request = state["tasks"][0]["interrupts"][0]["value"]
    assert [u["algorithm"] for u in request["use_cases"]] == ["wcc", "pagerank"]
    drop = next(u["id"] for u in request["use_cases"] if u["algorithm"] == "wcc")

    # an invalid answer is asked again, with the reason
    await client.runs.wait(thread["thread_id"], assistant, command={"resume": {"drop": ["UC-999"]}})
    state = await client.threads.get_state(thread["thread_id"])
    again = state["tasks"][0]["interrupts"][0]["value"]
    assert state["next"] == ["review_use_cases"] and "UC-999" in again["error"]

    await client.runs.wait(thread["thread_id"], assistant, command={"resume": {"drop": [drop]}})
    values = (await client.threads.get_state(thread["thread_id"]))["values"]
    assert values["status"] == "completed"
    assert [u["algorithm"] for u in values["use_cases"]] == ["pagerank"]
    assert [r["algorithm"] for r in values["reports"].values()] == ["pagerank"]
    json.dumps(values)  # plain data all the way through the server
